//! Which notifications are due: fires, resolves and reminders per channel, grouped by kind, from the alert episodes and what was already sent.

use std::collections::HashMap;
use std::time::Duration;

use crate::store::AlertRecord;

/// What a notification says about an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Fired,
    Resolved,
    /// Still firing, `repeat` after the last word about it.
    Repeat,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fired => "fired",
            Kind::Resolved => "resolved",
            Kind::Repeat => "repeat",
        }
    }
}

/// One alert episode in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub rule: String,
    pub metric: String,
    pub severity: String,
    /// The episode: when it fired.
    pub fired_ms: i64,
    pub resolved_ms: Option<i64>,
    /// The rule in words (`probe.error_rate > 5 for 2m`), when the rule is still configured.
    pub describe: String,
    pub value: Option<f64>,
}

/// One message on one channel: every item of one kind that is due now.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub kind: Kind,
    pub items: Vec<Item>,
}

/// What a channel was already told: (rule, metric, episode) -> kind -> newest send time.
pub type Sent = HashMap<(String, String, i64), HashMap<Kind, i64>>;

/// Episodes quieter than this are not announced late (a first run over a long history must not
/// replay it); still-firing episodes are always announced once.
pub const LATE_LIMIT: Duration = Duration::from_secs(3600);

/// The messages due on a channel, at most one per kind, worst first inside each.
/// `muted` says whether a maintenance window covers a metric now: no fire or reminder then
/// (it is announced if it still fires when the window ends).
pub fn due(
    episodes: &[Item],
    sent: &Sent,
    now_ms: i64,
    repeat: Option<Duration>,
    muted: &dyn Fn(&str) -> bool,
) -> Vec<Message> {
    let floor = now_ms - LATE_LIMIT.as_millis() as i64;
    let mut by_kind: Vec<Message> = Vec::new();
    let mut push = |kind: Kind, item: &Item| match by_kind.iter_mut().find(|m| m.kind == kind) {
        Some(m) => m.items.push(item.clone()),
        None => by_kind.push(Message {
            kind,
            items: vec![item.clone()],
        }),
    };
    for e in episodes {
        let told = sent.get(&(e.rule.clone(), e.metric.clone(), e.fired_ms));
        let last = |k: Kind| told.and_then(|t| t.get(&k)).copied();
        match e.resolved_ms {
            None => {
                if muted(&e.metric) {
                    continue;
                }
                match last(Kind::Fired) {
                    None => push(Kind::Fired, e),
                    Some(fired_at) => {
                        let newest = last(Kind::Repeat).map_or(fired_at, |r| r.max(fired_at));
                        if repeat.is_some_and(|r| now_ms - newest >= r.as_millis() as i64) {
                            push(Kind::Repeat, e);
                        }
                    }
                }
            }
            Some(resolved) => {
                // Only what was announced is resolved, and only lately.
                if last(Kind::Fired).is_some()
                    && last(Kind::Resolved).is_none()
                    && resolved >= floor
                {
                    push(Kind::Resolved, e);
                }
            }
        }
    }
    let rank = |s: &str| match s {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    };
    for m in &mut by_kind {
        m.items.sort_by_key(|a| (rank(&a.severity), a.fired_ms));
    }
    by_kind.sort_by_key(|m| m.kind.as_str());
    by_kind
}

/// Episodes from the store's alert history, described by the configured rules.
pub fn episodes(
    history: &[AlertRecord],
    rules: &[model::alert::Rule],
    last_values: &HashMap<(String, String), f64>,
) -> Vec<Item> {
    history
        .iter()
        // A rule taken out of the config says nothing more about its open episodes.
        .filter(|h| rules.iter().any(|r| r.name == h.rule))
        .map(|h| Item {
            rule: h.rule.clone(),
            metric: h.metric.clone(),
            severity: h.severity.clone(),
            fired_ms: h.fired_ms,
            resolved_ms: h.resolved_ms,
            describe: rules
                .iter()
                .find(|r| r.name == h.rule)
                .map(model::alert::Rule::describe)
                .unwrap_or_default(),
            value: last_values
                .get(&(h.rule.clone(), h.metric.clone()))
                .copied()
                .or(h.peak),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60_000;

    fn item(rule: &str, sev: &str, fired: i64, resolved: Option<i64>) -> Item {
        Item {
            rule: rule.into(),
            metric: format!("m.{rule}"),
            severity: sev.into(),
            fired_ms: fired,
            resolved_ms: resolved,
            describe: String::new(),
            value: Some(1.0),
        }
    }

    fn told(list: &[(&Item, Kind, i64)]) -> Sent {
        let mut s = Sent::new();
        for (i, k, t) in list {
            s.entry((i.rule.clone(), i.metric.clone(), i.fired_ms))
                .or_default()
                .insert(*k, *t);
        }
        s
    }

    #[test]
    fn alerts_that_fire_together_go_in_one_message_worst_first() {
        let now = 100 * M;
        let eps = [
            item("slow", "warning", 99 * M, None),
            item("errors", "critical", 99 * M, None),
        ];
        let out = due(&eps, &Sent::new(), now, None, &|_| false);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, Kind::Fired);
        let names: Vec<&str> = out[0].items.iter().map(|i| i.rule.as_str()).collect();
        assert_eq!(names, ["errors", "slow"]);
    }

    #[test]
    fn nothing_twice_then_a_resolve_and_reminders_on_the_repeat_interval() {
        let a = item("errors", "critical", 99 * M, None);
        let sent = told(&[(&a, Kind::Fired, 99 * M)]);
        let repeat = Some(Duration::from_secs(30 * 60));
        assert!(due(std::slice::from_ref(&a), &sent, 100 * M, repeat, &|_| false).is_empty());
        let later = due(std::slice::from_ref(&a), &sent, 130 * M, repeat, &|_| false);
        assert_eq!(later[0].kind, Kind::Repeat);
        let sent = told(&[(&a, Kind::Fired, 99 * M), (&a, Kind::Repeat, 130 * M)]);
        assert!(due(std::slice::from_ref(&a), &sent, 140 * M, repeat, &|_| false).is_empty());
        let resolved = Item {
            resolved_ms: Some(141 * M),
            ..a.clone()
        };
        let out = due(
            std::slice::from_ref(&resolved),
            &sent,
            142 * M,
            repeat,
            &|_| false,
        );
        assert_eq!((out.len(), out[0].kind), (1, Kind::Resolved));
        let sent = told(&[(&a, Kind::Fired, 99 * M), (&a, Kind::Resolved, 142 * M)]);
        assert!(due(&[resolved], &sent, 143 * M, repeat, &|_| false).is_empty());
    }

    #[test]
    fn maintenance_mutes_and_old_history_is_not_replayed() {
        let a = item("errors", "critical", 99 * M, None);
        assert!(
            due(
                std::slice::from_ref(&a),
                &Sent::new(),
                100 * M,
                None,
                &|m| m == "m.errors"
            )
            .is_empty()
        );
        // Resolved long ago, never announced: silent. Still firing since long ago: announced once.
        let old = [
            item("old", "warning", 10 * M, Some(20 * M)),
            item("long", "info", 10 * M, None),
        ];
        let out = due(&old, &Sent::new(), 500 * M, None, &|_| false);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].items[0].rule, "long");
        // A resolve of an unannounced episode (muted when it fired) is not sent either.
        let quiet = item("quiet", "warning", 90 * M, Some(99 * M));
        assert!(due(&[quiet], &Sent::new(), 100 * M, None, &|_| false).is_empty());
    }
}
