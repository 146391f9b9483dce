//! Alert rules evaluated over new snapshots, state carried across runs by the store.

use std::collections::HashMap;

use model::alert::{AlertState, Condition, Event, Observation, Phase, Rule};
use model::anomaly::Score;

use crate::store::{AlertRecord, SnapshotMeta, Store, StoreError};

fn matched(names: &[String], rule: &Rule) -> Vec<String> {
    if rule.metric.contains(['*', '?']) {
        names.iter().filter(|n| rule.matches(n)).cloned().collect()
    } else {
        vec![rule.metric.clone()]
    }
}

/// Metrics that anomaly rules watch (they need a detector).
pub fn anomaly_metrics(names: &[String], rules: &[Rule]) -> Vec<String> {
    rules
        .iter()
        .filter(|r| matches!(r.condition, Condition::Anomaly { .. }))
        .flat_map(|r| matched(names, r))
        .collect()
}

/// Stored metric names, read only when a rule needs them (a glob, or an anomaly rule).
pub fn names_if_needed(store: &Store, rules: &[Rule]) -> Result<Vec<String>, StoreError> {
    let needed = rules
        .iter()
        .any(|r| r.metric.contains(['*', '?']) || matches!(r.condition, Condition::Anomaly { .. }));
    if needed {
        store.metric_names()
    } else {
        Ok(Vec::new())
    }
}

type Advanced = (
    Vec<(Rule, AlertState)>,
    Vec<(i64, String, String, Event)>,
    Vec<AlertRecord>,
);

/// Runs every rule over the new snapshots in time order. Returns the states of all rules (for
/// the site), the transitions, and the history rows to write.
pub fn advance(
    store: &Store,
    rules: &[Rule],
    names: &[String],
    fresh: &[SnapshotMeta],
    scores: &HashMap<String, HashMap<i64, Score>>,
) -> Result<Advanced, StoreError> {
    let mut saved: HashMap<(String, String), AlertState> = store
        .alert_states()?
        .into_iter()
        .map(|s| ((s.rule.clone(), s.metric.clone()), s))
        .collect();
    let span = fresh
        .first()
        .zip(fresh.last())
        .map(|(a, b)| (a.taken_at_ms, b.taken_at_ms));
    let mut states = Vec::new();
    let mut events = Vec::new();
    let mut history = Vec::new();
    for rule in rules {
        for metric in matched(names, rule) {
            let mut state = saved
                .remove(&(rule.name.clone(), metric.clone()))
                .unwrap_or_else(|| AlertState::new(&rule.name, &metric));
            // Every episode this pass touches, by firing time (a backfill may hold several).
            let mut episodes: Vec<AlertRecord> = Vec::new();
            if let Some((from, to)) = span {
                let values = store.values_by_snapshot(&metric, from, to)?;
                let metric_scores = scores.get(&metric);
                for m in fresh {
                    let obs = Observation {
                        t_ms: m.taken_at_ms,
                        snapshot_id: m.id,
                        value: values.get(&m.id).copied(),
                        anomaly: metric_scores.and_then(|s| s.get(&m.id)).copied(),
                    };
                    let was = state.phase;
                    for e in state.observe(rule, &obs) {
                        events.push((m.taken_at_ms, rule.name.clone(), metric.clone(), e));
                    }
                    if let Some(fired) = state.fired_ms
                        && (state.phase == Phase::Firing || was == Phase::Firing)
                    {
                        let record = AlertRecord {
                            rule: rule.name.clone(),
                            metric: metric.clone(),
                            severity: rule.severity.as_str().to_owned(),
                            fired_ms: fired,
                            resolved_ms: state.resolved_ms,
                            peak: state.peak,
                            snapshots: state.snapshots.clone(),
                        };
                        match episodes.last_mut() {
                            Some(last) if last.fired_ms == fired => *last = record,
                            _ => episodes.push(record),
                        }
                    }
                }
            }
            history.extend(episodes);
            states.push((rule.clone(), state));
        }
    }
    events.sort_by_key(|e| e.0);
    Ok((states, events, history))
}
