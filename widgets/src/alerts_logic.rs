//! Smart alert panel logic, free of the browser: the generator's rules run on live snapshots, local preferences, history and CSV.

use crate::json::number;
use model::Snapshot;
use model::alert::{AlertSeverity, AlertState, Condition, Event, Observation, Phase, Rule};
use model::anomaly::{Detector, DetectorConfig};

/// The detector the widgets run on the series a page keeps (no seasonality: too few points).
pub fn live_detector() -> Detector {
    Detector::new(DetectorConfig {
        counter: false,
        season_ms: 0,
        warmup: 8,
        sensitivity: 1.0,
    })
}

/// Alert preferences kept in this browser: sound, rules switched off, thresholds changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prefs {
    pub sound: bool,
    /// Kept in small vectors, not B-trees: a handful of rules, and the bundle stays smaller.
    pub off: Vec<String>,
    pub thresholds: Vec<(String, f64)>,
}

impl Prefs {
    /// Reads the stored lines (`sound=on`, `off=<rule>`, `threshold=<value> <rule>`); unknown
    /// or broken lines are skipped.
    pub fn parse(text: &str) -> Prefs {
        let mut p = Prefs::default();
        for line in text.lines() {
            match line.split_once('=') {
                Some(("sound", v)) => p.sound = v == "on",
                Some(("off", rule)) => p.set_on(rule, false),
                Some(("threshold", rest)) => {
                    if let Some((v, rule)) = rest.split_once(' ')
                        && let Some(v) = number(v)
                    {
                        p.set_threshold(rule, Some(v));
                    }
                }
                _ => {}
            }
        }
        p
    }

    pub fn set_on(&mut self, rule: &str, on: bool) {
        self.off.retain(|r| r != rule);
        if !on {
            self.off.push(rule.to_owned());
        }
    }

    pub fn is_on(&self, rule: &str) -> bool {
        !self.off.iter().any(|r| r == rule)
    }

    pub fn threshold(&self, rule: &str) -> Option<f64> {
        self.thresholds.iter().find(|t| t.0 == rule).map(|t| t.1)
    }

    pub fn set_threshold(&mut self, rule: &str, value: Option<f64>) {
        self.thresholds.retain(|t| t.0 != rule);
        if let Some(v) = value {
            self.thresholds.push((rule.to_owned(), v));
        }
    }

    pub fn text(&self) -> String {
        let mut out = format!("sound={}\n", if self.sound { "on" } else { "off" });
        for r in &self.off {
            out.push_str(&format!("off={r}\n"));
        }
        for (r, v) in &self.thresholds {
            out.push_str(&format!("threshold={v} {r}\n"));
        }
        out
    }

    /// The rules as this person wants them: switched-off ones dropped, thresholds replaced (a
    /// replaced threshold drops the rule's hysteresis, which was set for the old one).
    pub fn apply(&self, rules: &[Rule]) -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| self.is_on(&r.name))
            .map(|r| {
                let mut r = r.clone();
                if let (
                    Some(v),
                    Condition::Threshold {
                        threshold, clear, ..
                    },
                ) = (self.threshold(&r.name), &mut r.condition)
                {
                    *threshold = v;
                    *clear = None;
                }
                r
            })
            .collect()
    }
}

/// One fire or resolve seen by this page, as the history drawer lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub t_ms: i64,
    pub fired: bool,
    pub severity: AlertSeverity,
    pub rule: String,
    pub metric: String,
    pub value: Option<f64>,
}

/// History entries kept in localStorage: one per line, tab-separated.
pub const HISTORY_KEEP: usize = 500;

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

pub fn history_text(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                e.t_ms,
                if e.fired { "fired" } else { "resolved" },
                e.severity.as_str(),
                clean(&e.rule),
                clean(&e.metric),
                e.value.map(|v| v.to_string()).unwrap_or_default()
            )
        })
        .collect()
}

pub fn parse_history(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [t, ev, sev, rule, metric, value] = f.as_slice() else {
                return None;
            };
            Some(Entry {
                t_ms: t.parse().ok()?,
                fired: *ev == "fired",
                severity: AlertSeverity::parse(sev)?,
                rule: (*rule).to_owned(),
                metric: (*metric).to_owned(),
                value: number(value),
            })
        })
        .collect()
}

/// Entries of `severity` (all when `None`) whose rule or metric contains `query`, newest first.
pub fn filter<'a>(
    entries: &'a [Entry],
    severity: Option<AlertSeverity>,
    query: &str,
) -> Vec<&'a Entry> {
    let q = query.trim().to_ascii_lowercase();
    entries
        .iter()
        .rev()
        .filter(|e| severity.is_none_or(|s| e.severity == s))
        .filter(|e| {
            q.is_empty()
                || e.rule.to_ascii_lowercase().contains(&q)
                || e.metric.to_ascii_lowercase().contains(&q)
        })
        .collect()
}

fn csv_field(s: &str) -> String {
    // A leading = + - @ would be a formula in a spreadsheet: quote it with a ' first.
    let s = if s.starts_with(['=', '+', '-', '@']) && number(s).is_none() {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn csv(entries: &[&Entry]) -> String {
    let mut out = String::from("time_ms,time_utc,event,severity,rule,metric,value\n");
    for e in entries {
        let row = [
            e.t_ms.to_string(),
            model::time::format_human(e.t_ms),
            (if e.fired { "fired" } else { "resolved" }).to_owned(),
            e.severity.as_str().to_owned(),
            e.rule.clone(),
            e.metric.clone(),
            e.value.map(|v| v.to_string()).unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// A firing alert as the panel shows it; `key` names this episode (rule, metric, firing time).
#[derive(Debug, Clone, PartialEq)]
pub struct Active {
    pub key: String,
    pub rule: String,
    pub metric: String,
    pub severity: AlertSeverity,
    pub describe: String,
    pub value: Option<f64>,
    pub since_ms: i64,
    pub muted: bool,
    /// Holding, but not for long enough yet.
    pub pending: bool,
}

/// The rules running on the snapshots this page has seen, starting from the generator's states.
pub struct Engine {
    rules: Vec<Rule>,
    states: Vec<AlertState>,
    detectors: Vec<(String, Detector)>,
    muted: Vec<String>,
}

impl Engine {
    pub fn new(rules: Vec<Rule>, seed: Vec<AlertState>, muted: Vec<String>) -> Engine {
        Engine {
            rules,
            states: seed,
            detectors: Vec::new(),
            muted,
        }
    }

    /// The same engine with other rules (preferences changed); states and detectors carry over.
    pub fn with_rules(self, rules: Vec<Rule>) -> Engine {
        Engine { rules, ..self }
    }

    /// Runs every rule on a snapshot (a snapshot seen before changes nothing); returns the fires
    /// and resolves.
    pub fn observe(&mut self, s: &Snapshot) -> Vec<Entry> {
        let t = s.taken_at_ms;
        let mut scores = Vec::new();
        for m in &s.metrics {
            let watched = self
                .rules
                .iter()
                .any(|r| matches!(r.condition, Condition::Anomaly { .. }) && r.matches(&m.name));
            if watched {
                let i = match self.detectors.iter().position(|d| d.0 == m.name) {
                    Some(i) => i,
                    None => {
                        self.detectors.push((m.name.clone(), live_detector()));
                        self.detectors.len() - 1
                    }
                };
                scores.push((m.name.as_str(), self.detectors[i].1.update(t, m.value)));
            }
        }
        let mut out = Vec::new();
        for rule in &self.rules {
            let names: Vec<&str> = if rule.metric.contains(['*', '?']) {
                s.metrics
                    .iter()
                    .map(|m| m.name.as_str())
                    .filter(|n| rule.matches(n))
                    .collect()
            } else {
                vec![rule.metric.as_str()]
            };
            for name in names {
                let i = match self
                    .states
                    .iter()
                    .position(|s| s.rule == rule.name && s.metric == name)
                {
                    Some(i) => i,
                    None => {
                        self.states.push(AlertState::new(&rule.name, name));
                        self.states.len() - 1
                    }
                };
                let state = &mut self.states[i];
                let obs = Observation {
                    t_ms: t,
                    snapshot_id: 0,
                    value: s.metric(name).map(|m| m.value),
                    anomaly: scores.iter().find(|s| s.0 == name).map(|s| s.1),
                };
                for ev in state.observe(rule, &obs) {
                    if matches!(ev, Event::Fired | Event::Resolved) {
                        out.push(Entry {
                            t_ms: t,
                            fired: ev == Event::Fired,
                            severity: rule.severity,
                            rule: rule.name.clone(),
                            metric: name.to_owned(),
                            value: obs.value,
                        });
                    }
                }
            }
        }
        out
    }

    /// Firing and pending alerts of the rules in force: firing first, critical first.
    pub fn active(&self) -> Vec<Active> {
        let mut out: Vec<Active> = self
            .rules
            .iter()
            .flat_map(|rule| {
                self.states
                    .iter()
                    .filter(move |s| {
                        s.rule == rule.name && matches!(s.phase, Phase::Firing | Phase::Pending)
                    })
                    .map(move |s| {
                        let pending = s.phase == Phase::Pending;
                        let since_ms =
                            if pending { s.since_ms } else { s.fired_ms }.unwrap_or_default();
                        Active {
                            key: format!("{}|{}|{since_ms}", rule.name, s.metric),
                            rule: rule.name.clone(),
                            metric: s.metric.clone(),
                            severity: rule.severity,
                            describe: rule.describe(),
                            value: s.last_value,
                            since_ms,
                            muted: self.muted.contains(&s.metric),
                            pending,
                        }
                    })
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            (a.pending, b.severity, a.since_ms).cmp(&(b.pending, a.severity, b.since_ms))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::alert::{MissingData, Op};
    use model::{Better, Metric, Status, Unit};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn rule(name: &str, metric: &str, threshold: f64) -> Rule {
        Rule {
            name: name.into(),
            metric: metric.into(),
            condition: Condition::Threshold {
                op: Op::Gt,
                threshold,
                clear: None,
            },
            for_ms: 0,
            keep_firing_for_ms: 0,
            severity: AlertSeverity::Critical,
            missing: MissingData::Keep,
        }
    }

    fn snap(t: i64, v: f64) -> Snapshot {
        Snapshot {
            taken_at_ms: t,
            duration_ms: 1.0,
            overall: Status::Healthy,
            availability: None,
            reasons: vec![],
            components: vec![],
            modules: vec![],
            outcomes: vec![],
            metrics: vec![Metric::new(
                "probe.error_rate",
                v,
                Unit::Percent,
                Better::Lower,
            )],
            facts: vec![],
            lists: Default::default(),
            sources: vec![],
            counters: vec![],
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn rules_fire_and_resolve_on_live_snapshots_once() {
        let mut e = Engine::new(vec![rule("errors", "probe.*", 5.0)], vec![], vec![]);
        assert!(e.observe(&snap(1_000, 1.0)).is_empty());
        let fired = e.observe(&snap(2_000, 9.0));
        assert_eq!(fired.len(), 1);
        assert!(fired[0].fired && fired[0].metric == "probe.error_rate");
        assert!(
            e.observe(&snap(2_000, 9.0)).is_empty(),
            "a snapshot seen twice counts once"
        );
        let active = e.active();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].key, "errors|probe.error_rate|2000");
        // The person raises the threshold: the alert resolves on the next snapshot.
        let mut prefs = Prefs::default();
        prefs.set_threshold("errors", Some(20.0));
        let rules = prefs.apply(&[rule("errors", "probe.*", 5.0)]);
        let mut e = e.with_rules(rules);
        let resolved = e.observe(&snap(3_000, 9.0));
        assert!(resolved.len() == 1 && !resolved[0].fired, "{resolved:?}");
        assert!(e.active().is_empty());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn seeded_states_and_muting_carry_over() {
        let r = rule("errors", "probe.error_rate", 5.0);
        let mut first = Engine::new(vec![r.clone()], vec![], vec![]);
        first.observe(&snap(2_000, 9.0));
        let seed = first.states;
        let e = Engine::new(vec![r], seed, vec!["probe.error_rate".into()]);
        let a = e.active();
        assert!(a.len() == 1 && a[0].muted && a[0].since_ms == 2_000);
    }

    #[wasm_bindgen_test]
    fn prefs_history_and_csv_round_trip() {
        let p = Prefs::parse("sound=on\noff=noisy\nthreshold=2.5 slow\nthreshold=x bad\njunk\n");
        assert!(p.sound && !p.is_on("noisy") && p.threshold("slow") == Some(2.5));
        assert_eq!(p.threshold("bad"), None);
        assert_eq!(Prefs::parse(&p.text()), p);
        assert_eq!(
            p.apply(&[rule("noisy", "a", 1.0), rule("slow", "b", 1.0)])
                .len(),
            1
        );

        let entries = vec![
            Entry {
                t_ms: 1,
                fired: true,
                severity: AlertSeverity::Warning,
                rule: "slow\tone".into(),
                metric: "probe.latency_p95".into(),
                value: Some(612.5),
            },
            Entry {
                t_ms: 2,
                fired: false,
                severity: AlertSeverity::Critical,
                rule: "=cmd(),\"x\"".into(),
                metric: "probe.error_rate".into(),
                value: None,
            },
        ];
        let back = parse_history(&history_text(&entries));
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].rule, "slow one");
        assert_eq!(back[1], entries[1]);
        assert_eq!(filter(&back, Some(AlertSeverity::Warning), "").len(), 1);
        assert_eq!(filter(&back, None, "ERROR_rate")[0].t_ms, 2);
        let text = csv(&filter(&back, None, ""));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].ends_with(",resolved,critical,\"'=cmd(),\"\"x\"\"\",probe.error_rate,"),
            "{}",
            lines[1]
        );
        assert!(lines[2].ends_with(",fired,warning,slow one,probe.latency_p95,612.5"));
    }
}
