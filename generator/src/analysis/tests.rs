//! The analysis stage over a real store: restarts between snapshots, no duplicate fires, trends.

use model::{Better, EndpointOutcome, Metric, OutcomeKind, Snapshot, Status, Unit};

use super::*;
use crate::collect::Assembled;
use crate::collect::sources::Profile;
use crate::store::tests::temp_dir;

const T0: i64 = 1_790_000_000_000;
const MIN: i64 = 60_000;

fn snap(minute: i64, error_rate: f64, latency: f64) -> Assembled {
    Assembled {
        snapshot: Snapshot {
            taken_at_ms: T0 + minute * MIN,
            duration_ms: 1.0,
            overall: Status::Healthy,
            availability: None,
            reasons: vec![],
            components: vec![],
            modules: vec![],
            outcomes: vec![EndpointOutcome {
                endpoint: "health".into(),
                method: "GET".into(),
                path: "/".into(),
                http_status: Some(200),
                latency_ms: latency,
                bytes: 1,
                kind: OutcomeKind::Ok,
                detail: None,
                attempts: 1,
            }],
            metrics: vec![
                Metric::new("probe.error_rate", error_rate, Unit::Percent, Better::Lower),
                Metric::new(
                    "probe.latency_p95",
                    latency,
                    Unit::Milliseconds,
                    Better::Lower,
                ),
            ],
            facts: vec![],
            lists: Default::default(),
            sources: vec![],
            counters: vec![],
        },
        bodies: vec![None],
    }
}

/// A rule of the kind people write: a series above 5 for 2 minutes, cleared below 4.
fn rules() -> Vec<Rule> {
    vec![crate::config::alerts::threshold_rule(
        "Error rate above 5%",
        "probe.error_rate",
        model::alert::Op::Gt,
        5.0,
        Some(4.0),
        model::alert::AlertSeverity::Critical,
    )]
}

fn rates(minute: i64) -> f64 {
    // An error burst from minute 100 to 110, otherwise ~1 %.
    if (100..110).contains(&minute) {
        30.0
    } else {
        1.0 + (minute % 3) as f64 * 0.1
    }
}

#[test]
fn restarting_between_every_snapshot_fires_once_and_resolves_once() {
    let dir = temp_dir("analysis-restart");
    let rules = rules();
    let mut fired = 0;
    let mut resolved = 0;
    for minute in 0..150 {
        // A fresh process each time: a new Store, state only from the database.
        let mut store = Store::open(&dir).expect("open");
        store
            .insert(&snap(minute, rates(minute), 10.0))
            .expect("insert");
        let a = analyze(&mut store, &rules, &Profile::default()).expect("analyze");
        for (_, rule, _, e) in &a.events {
            if rule == "Error rate above 5%" {
                fired += usize::from(*e == Event::Fired);
                resolved += usize::from(*e == Event::Resolved);
            }
        }
        if minute == 105 {
            assert_eq!(a.firing().count(), 1, "firing mid-burst after `for` (2m)");
        }
        // Running again with nothing new changes nothing.
        let again = analyze(&mut store, &rules, &Profile::default()).expect("again");
        assert!(again.events.is_empty());
    }
    assert_eq!((fired, resolved), (1, 1));
    let store = Store::open(&dir).expect("open");
    let history = store.alert_history(10).expect("history");
    assert_eq!(history.len(), 1);
    let h = &history[0];
    assert_eq!(
        h.fired_ms,
        T0 + 102 * MIN,
        "pending at 100, firing once 2 minutes held"
    );
    assert_eq!(h.resolved_ms, Some(T0 + 110 * MIN));
    assert_eq!(h.peak, Some(30.0));
    assert!(h.snapshots.len() >= 8);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_pass_over_a_backfill_equals_many_small_passes() {
    let (a_dir, b_dir) = (temp_dir("analysis-a"), temp_dir("analysis-b"));
    let rules = rules();
    let mut a = Store::open(&a_dir).expect("a");
    let mut b = Store::open(&b_dir).expect("b");
    for minute in 0..300 {
        let r = if (60..70).contains(&minute) || (200..205).contains(&minute) {
            20.0
        } else {
            1.0
        };
        a.insert(&snap(minute, r, 10.0)).expect("a");
        b.insert(&snap(minute, r, 10.0)).expect("b");
        analyze(&mut b, &rules, &Profile::default()).expect("b pass");
    }
    analyze(&mut a, &rules, &Profile::default()).expect("a pass");
    let strip = |h: Vec<crate::store::AlertRecord>| {
        h.into_iter()
            .map(|r| (r.fired_ms, r.resolved_ms, r.peak))
            .collect::<Vec<_>>()
    };
    let (ha, hb) = (
        strip(a.alert_history(10).expect("ha")),
        strip(b.alert_history(10).expect("hb")),
    );
    assert_eq!(ha.len(), 2, "both episodes kept, not just the last: {ha:?}");
    assert_eq!(ha, hb);
    let _ = std::fs::remove_dir_all(&a_dir);
    let _ = std::fs::remove_dir_all(&b_dir);
}

#[test]
fn key_metrics_get_trends_and_anomaly_verdicts() {
    let dir = temp_dir("analysis-trend");
    let mut store = Store::open(&dir).expect("open");
    let rules = Vec::new();
    for minute in 0..240 {
        let latency = 10.0 + (minute % 5) as f64 * 0.2 + if minute >= 180 { 15.0 } else { 0.0 };
        let latency = if minute == 239 { 400.0 } else { latency };
        store.insert(&snap(minute, 1.0, latency)).expect("insert");
    }
    let a = analyze(&mut store, &rules, &Profile::default()).expect("analyze");
    let m = a.metrics.get("probe.latency_p95").expect("analysed");
    let h1 = m.trend(Window::H1).expect("1h trend");
    assert_eq!(h1.direction, model::trend::Direction::Up);
    assert_eq!(h1.verdict, model::trend::Verdict::Worsening);
    assert!(m.trend(Window::H6).is_some());
    let s = m.anomaly.expect("scored");
    assert!(s.is_anomaly(), "{s:?}");
    // The verdict survives a restart without new data.
    let again = analyze(&mut store, &rules, &Profile::default()).expect("again");
    assert_eq!(
        again
            .metrics
            .get("probe.latency_p95")
            .and_then(|m| m.anomaly),
        Some(s)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn uptime_is_the_backends_own_word_and_readings_are_counted_apart() {
    let dir = temp_dir("analysis-uptime");
    let mut store = Store::open(&dir).expect("open");
    // 10 days, one snapshot an hour. On the last day the health endpoint fails 1 reading in 4
    // (Lookout's failures: no downtime), and the backend says it is down 1 hour in 8.
    for hour in 0..240 {
        let mut a = snap(hour * 60, 1.0, 10.0);
        a.snapshot.availability = Some(model::Availability::Operational);
        if hour >= 216 && hour % 4 == 0 {
            a.snapshot.outcomes[0].kind = OutcomeKind::Timeout;
            a.snapshot.availability = None;
        }
        if hour >= 216 && hour % 8 == 1 {
            a.snapshot.availability = Some(model::Availability::MajorOutage);
        }
        if hour == 217 {
            a.snapshot.availability = Some(model::Availability::DegradedPerformance);
        }
        store.insert(&a).expect("insert");
    }
    let a = analyze(&mut store, &[], &Profile::default()).expect("analyze");
    let health = a
        .uptime
        .iter()
        .find(|u| u.endpoint == "health")
        .expect("health");
    let day = health.percent[0].expect("24h");
    assert!((day - 75.0).abs() < 5.0, "24h {day}");
    let week = health.percent[1].expect("7d");
    assert!(week > 95.0 && week < 97.0, "7d {week}");
    // The last 24 h: 18 said (6 readings failed, unknown), 2 of them outages: 16 of 18 up.
    let up = a.uptime_overall.percent[0].expect("24h uptime");
    assert!((up - 100.0 * 16.0 / 18.0).abs() < 6.0, "24h uptime {up}");
    assert!(up > day, "failed readings are not downtime");
    assert!(a.uptime_days.len() >= 10);
    assert!(a.uptime_days.last().expect("last day").1 < 100.0);
    assert!(a.uptime_days[0].1 == 100.0);
    let _ = std::fs::remove_dir_all(&dir);
}
