//! The alert state machine: for, hysteresis, keep_firing_for, missing data, flapping, replay.

use super::*;

const M: i64 = 60_000;

fn rule(op: Op, threshold: f64) -> Rule {
    Rule {
        name: "r".into(),
        metric: "probe.error_rate".into(),
        condition: Condition::Threshold {
            op,
            threshold,
            clear: None,
        },
        for_ms: 2 * M,
        keep_firing_for_ms: 0,
        severity: AlertSeverity::Critical,
        missing: MissingData::Keep,
    }
}

fn obs(minute: i64, value: Option<f64>) -> Observation {
    Observation {
        t_ms: minute * M,
        snapshot_id: minute,
        value,
        anomaly: None,
    }
}

fn run(r: &Rule, values: &[Option<f64>]) -> (AlertState, Vec<(i64, Event)>) {
    let mut s = AlertState::new(&r.name, &r.metric);
    let mut log = Vec::new();
    for (i, v) in values.iter().enumerate() {
        for e in s.observe(r, &obs(i as i64, *v)) {
            log.push((i as i64, e));
        }
    }
    (s, log)
}

#[test]
fn pending_then_firing_after_for_then_resolved() {
    let r = rule(Op::Gt, 5.0);
    let v = [1.0, 6.0, 7.0, 9.0, 8.0, 2.0, 1.0].map(Some);
    let (s, log) = run(&r, &v);
    assert_eq!(
        log,
        vec![(1, Event::Pending), (3, Event::Fired), (5, Event::Resolved)]
    );
    assert_eq!(s.phase, Phase::Resolved);
    assert_eq!((s.fired_ms, s.resolved_ms), (Some(3 * M), Some(5 * M)));
    assert_eq!(s.peak, Some(9.0));
    assert_eq!(s.snapshots, vec![1, 2, 3, 4, 5]);
}

#[test]
fn a_blip_shorter_than_for_never_fires() {
    let (_, log) = run(&rule(Op::Gt, 5.0), &[1.0, 6.0, 1.0, 6.0, 1.0].map(Some));
    assert!(!log.contains(&(2, Event::Fired)) && log.iter().all(|e| e.1 == Event::Pending));
}

#[test]
fn hysteresis_keeps_firing_until_the_clear_threshold() {
    let mut r = rule(Op::Gt, 5.0);
    r.for_ms = 0;
    r.condition = Condition::Threshold {
        op: Op::Gt,
        threshold: 5.0,
        clear: Some(3.0),
    };
    let (_, log) = run(&r, &[6.0, 4.0, 4.5, 2.0].map(Some));
    assert_eq!(log, vec![(0, Event::Fired), (3, Event::Resolved)]);
}

#[test]
fn keep_firing_for_bridges_short_gaps_and_lower_is_worse_tracks_the_minimum() {
    let mut r = rule(Op::Lt, 0.5);
    r.metric = "cache.hit_rate".into();
    r.for_ms = 0;
    r.keep_firing_for_ms = 3 * M;
    let (s, log) = run(&r, &[0.2, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9].map(Some));
    assert_eq!(log, vec![(0, Event::Fired), (5, Event::Resolved)]);
    assert_eq!(s.peak, Some(0.1));
}

#[test]
fn missing_data_policies() {
    let values = [Some(6.0), Some(6.0), Some(6.0), None, None, None];
    let mut r = rule(Op::Gt, 5.0);
    r.for_ms = 0;
    let (s, _) = run(&r, &values);
    assert_eq!(s.phase, Phase::Firing, "keep");
    r.missing = MissingData::Resolve;
    let (s, _) = run(&r, &values);
    assert_eq!(s.phase, Phase::Resolved);
    r.missing = MissingData::Fire;
    let (_, log) = run(&r, &[None, None].map(|x: Option<f64>| x));
    assert_eq!(log, vec![(0, Event::Fired)]);
}

#[test]
fn flapping_is_reported_once_not_per_flap() {
    let mut r = rule(Op::Gt, 5.0);
    r.for_ms = 0;
    let v: Vec<Option<f64>> = (0..20)
        .map(|i| Some(if i % 2 == 0 { 9.0 } else { 1.0 }))
        .collect();
    let (s, log) = run(&r, &v);
    let started = log.iter().filter(|e| e.1 == Event::FlappingStarted).count();
    assert_eq!(started, 1);
    let after: Vec<_> = log
        .iter()
        .skip_while(|e| e.1 != Event::FlappingStarted)
        .skip(1)
        .collect();
    assert!(
        after.is_empty(),
        "no fire/resolve reported while flapping: {after:?}"
    );
    assert!(s.flapping);
    // Quiet for an hour: flapping stops, reported once.
    let mut s = s;
    let ev = s.observe(&r, &obs(100, Some(1.0)));
    assert_eq!(ev, vec![Event::FlappingStopped]);
}

#[test]
fn replaying_old_observations_after_a_restart_changes_nothing() {
    let r = rule(Op::Gt, 5.0);
    let (mut s, _) = run(&r, &[6.0, 7.0, 8.0].map(Some));
    assert_eq!(s.phase, Phase::Firing);
    let saved = serde_json::to_string(&s).expect("save");
    let mut restored: AlertState = serde_json::from_str(&saved).expect("load");
    assert_eq!(restored, s);
    for i in 0..3 {
        assert!(
            restored.observe(&r, &obs(i, Some(9.0))).is_empty(),
            "no duplicate fire"
        );
    }
    assert_eq!(
        restored.observe(&r, &obs(3, Some(1.0))),
        vec![Event::Resolved]
    );
    assert!(s.observe(&r, &obs(3, Some(9.0))).is_empty());
}

#[test]
fn anomaly_rules_fire_on_the_verdict() {
    use crate::anomaly::{Score, Severity};
    let r = Rule {
        condition: Condition::Anomaly {
            min_score: 0.5,
            min_severity: Severity::Medium,
        },
        for_ms: 0,
        ..rule(Op::Gt, 0.0)
    };
    let mut s = AlertState::new("a", "m");
    let low = Score {
        score: 0.55,
        kind: None,
        severity: Some(Severity::Low),
        expected: None,
    };
    let high = Score {
        score: 0.95,
        kind: None,
        severity: Some(Severity::High),
        expected: None,
    };
    let o = |m: i64, a| Observation {
        t_ms: m * M,
        snapshot_id: m,
        value: Some(1.0),
        anomaly: Some(a),
    };
    assert!(s.observe(&r, &o(0, low)).is_empty());
    assert_eq!(s.observe(&r, &o(1, high)), vec![Event::Fired]);
}

#[test]
fn globs_and_descriptions() {
    assert!(glob(
        "performance.method.*.average_ms",
        "performance.method.search.hybrid.average_ms"
    ));
    assert!(glob("status.component.*", "status.component.redis"));
    assert!(!glob("cache.hit_rate", "cache.hit_rate2"));
    assert!(glob("cache.?its", "cache.hits"));
    assert!(glob("*", "anything"));
    assert_eq!(rule(Op::Gt, 5.0).describe(), "probe.error_rate > 5 for 2m");
    assert_eq!(Op::parse(">="), Some(Op::Ge));
    assert_eq!(
        AlertSeverity::parse("critical"),
        Some(AlertSeverity::Critical)
    );
}

#[test]
fn words_are_the_serde_names_and_parse_back() {
    let word = |v: serde_json::Value| v.as_str().map(str::to_owned);
    for p in [
        Phase::Inactive,
        Phase::Pending,
        Phase::Firing,
        Phase::Resolved,
    ] {
        assert_eq!(word(serde_json::json!(p)).as_deref(), Some(p.as_str()));
        assert_eq!(Phase::parse(p.as_str()), Some(p));
    }
    for m in [MissingData::Keep, MissingData::Resolve, MissingData::Fire] {
        assert_eq!(word(serde_json::json!(m)).as_deref(), Some(m.as_str()));
        assert_eq!(MissingData::parse(m.as_str()), Some(m));
    }
    use crate::anomaly::Severity;
    for s in [Severity::Low, Severity::Medium, Severity::High] {
        assert_eq!(word(serde_json::json!(s)).as_deref(), Some(s.as_str()));
        assert_eq!(Severity::parse(s.as_str()), Some(s));
    }
    assert_eq!(Phase::parse("nope"), None);
}
