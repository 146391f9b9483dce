//! Store round-trips, migrations, concurrent writers and the busy error.

use std::time::Duration;

use model::{Better, EndpointOutcome, Metric, OutcomeKind, Snapshot, Status, Unit};

use super::*;
use crate::collect::Assembled;

pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "lookout-{name}-{}-{}",
        std::process::id(),
        crate::clock::Clock::system().now_ms()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

pub fn assembled(ms: i64, overall: Status, latency: f64) -> Assembled {
    Assembled {
        snapshot: Snapshot {
            taken_at_ms: ms,
            duration_ms: 5.0,
            overall,
            availability: None,
            reasons: vec![],
            components: vec![],
            modules: vec![],
            outcomes: vec![EndpointOutcome {
                endpoint: "health".into(),
                method: "GET".into(),
                path: "/api/monitoring/health".into(),
                http_status: Some(200),
                latency_ms: latency,
                bytes: 2,
                kind: OutcomeKind::Ok,
                detail: None,
                attempts: 1,
            }],
            metrics: vec![
                Metric::new(
                    "probe.latency_p95",
                    latency,
                    Unit::Milliseconds,
                    Better::Lower,
                ),
                Metric::new("cache.hit_rate", 0.9, Unit::Ratio, Better::Higher),
            ],
            facts: vec![],
            lists: Default::default(),
            sources: vec![],
            counters: vec![],
        },
        bodies: vec![Some(b"{}".to_vec())],
    }
}

const DAY: i64 = 86_400_000;
const T0: i64 = 1_790_000_000_000;

#[test]
fn round_trip_and_queries() {
    let dir = temp_dir("store-rt");
    let mut s = Store::open(&dir).expect("open");
    assert!(s.latest().expect("latest").is_none());
    let a = s.insert(&assembled(T0, Status::Healthy, 10.0)).expect("a");
    let b = s
        .insert(&assembled(T0 + 60_000, Status::Degraded, 20.0))
        .expect("b");
    let c = s
        .insert(&assembled(T0 + DAY, Status::Healthy, 30.0))
        .expect("c");
    // Same second as `a`: a distinct, still time-derived slug.
    let d = s
        .insert(&assembled(T0 + 500, Status::Down, 40.0))
        .expect("d");
    assert_eq!(d.slug, format!("{}-2", a.slug));
    assert_eq!(s.count().expect("count"), 4);
    assert_eq!(s.latest().expect("latest").map(|x| x.meta.id), Some(c.id));
    let got = s.get(b.id).expect("get").expect("some");
    assert_eq!(
        got.snapshot,
        assembled(T0 + 60_000, Status::Degraded, 20.0).snapshot
    );
    let r = s.range(T0, T0 + 120_000).expect("range");
    assert_eq!(
        r.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![a.id, d.id, b.id]
    );
    let series = s
        .series("probe.latency_p95", T0, T0 + 2 * DAY)
        .expect("series");
    assert_eq!(
        series,
        vec![
            (T0, 10.0),
            (T0 + 500, 40.0),
            (T0 + 60_000, 20.0),
            (T0 + DAY, 30.0)
        ]
    );
    assert!(s.series("nope", 0, i64::MAX).expect("empty").is_empty());
    let days = s.days().expect("days");
    assert_eq!(days.len(), 2);
    assert_eq!((days[0].count, days[0].worst), (3, Status::Down));
    assert_eq!((days[1].count, days[1].worst), (1, Status::Healthy));
    let (p, n) = s.neighbours(&d).expect("neighbours");
    assert_eq!((p.map(|m| m.id), n.map(|m| m.id)), (Some(a.id), Some(b.id)));
    assert_eq!(
        s.raw_body(a.id, "health").expect("body"),
        Some(b"{}".to_vec())
    );
    assert_eq!(s.inserted_after(b.id).expect("after").len(), 2);
    assert!(s.check().expect("check").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn migrations_are_idempotent_and_newer_schemas_are_refused() {
    let dir = temp_dir("store-mig");
    drop(Store::open(&dir).expect("first"));
    let s = Store::open(&dir).expect("second");
    let v: i64 = s
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v as usize, schema::MIGRATIONS.len());
    let mode: String = s
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    s.conn()
        .pragma_update(None, "user_version", 99)
        .expect("bump");
    drop(s);
    match Store::open(&dir) {
        Err(StoreError::TooNew { found: 99, .. }) => {}
        other => panic!("expected TooNew, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_writers_at_once_both_land() {
    let dir = temp_dir("store-conc");
    drop(Store::open(&dir).expect("create"));
    let handles: Vec<_> = (0..2)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&dir).expect("open");
                for i in 0..40 {
                    s.insert(&assembled(
                        T0 + i64::from(w) * DAY + i * 1000,
                        Status::Healthy,
                        1.0,
                    ))
                    .expect("insert waits, never fails");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer");
    }
    let s = Store::open(&dir).expect("reopen");
    assert_eq!(s.count().expect("count"), 80);
    assert!(s.check().expect("check").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_writer_held_up_too_long_gets_a_clear_busy_error() {
    let dir = temp_dir("store-busy");
    let holder = Store::open(&dir).expect("holder");
    holder
        .conn()
        .execute_batch("BEGIN IMMEDIATE")
        .expect("lock");
    let mut other = Store::open(&dir).expect("other");
    other
        .set_busy_timeout(Duration::from_millis(100))
        .expect("timeout");
    let err = other
        .insert(&assembled(T0, Status::Healthy, 1.0))
        .expect_err("busy");
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("another Lookout process is writing"),
        "{err}"
    );
    holder.conn().execute_batch("ROLLBACK").expect("unlock");
    other
        .insert(&assembled(T0, Status::Healthy, 1.0))
        .expect("after unlock");
    assert_eq!(other.count().expect("count"), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_batch_lands_whole_with_distinct_slugs() {
    let dir = temp_dir("store-batch");
    let mut s = Store::open(&dir).expect("open");
    let batch: Vec<Assembled> = (0..10)
        .map(|i| assembled(T0 + (i / 2) * 1000, Status::Healthy, i as f64))
        .collect();
    let metas = s.insert_batch(&batch).expect("batch");
    assert_eq!(metas.len(), 10);
    let slugs: std::collections::HashSet<_> = metas.iter().map(|m| m.slug.clone()).collect();
    assert_eq!(
        slugs.len(),
        10,
        "same-second snapshots in one batch still get distinct slugs"
    );
    assert_eq!(s.count().expect("count"), 10);
    assert_eq!(
        s.series("probe.latency_p95", 0, i64::MAX)
            .expect("series")
            .len(),
        10
    );
    assert!(s.check().expect("check").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pruning_drops_raw_snapshots_but_keeps_rollups_and_uptime() {
    let dir = temp_dir("store-prune");
    let mut s = Store::open(&dir).expect("open");
    let day0 = (T0 / DAY) * DAY;
    for d in 0..4 {
        for h in 0..3 {
            s.insert(&assembled(
                day0 + d * DAY + h * 3_600_000,
                Status::Healthy,
                10.0 + d as f64,
            ))
            .expect("insert");
        }
    }
    assert_eq!(s.count().expect("count"), 12);
    let gone = s.prune_before(day0 + 2 * DAY).expect("prune");
    assert_eq!(gone, 6);
    assert_eq!(s.count().expect("count"), 6);
    assert_eq!(s.days().expect("days").len(), 2);
    assert!(
        s.series("probe.latency_p95", 0, i64::MAX)
            .expect("series")
            .iter()
            .all(|p| p.0 >= day0 + 2 * DAY)
    );
    let pruned_ids: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM outcomes WHERE snapshot_id NOT IN (SELECT id FROM snapshots)",
            [],
            |r| r.get(0),
        )
        .expect("orphans");
    assert_eq!(pruned_ids, 0, "no orphan outcomes");
    // Rollups and uptime still reach back to the first day.
    let hourly = s
        .hourly_means("probe.latency_p95", day0, day0 + 4 * DAY)
        .expect("hourly");
    assert_eq!(hourly.first().map(|h| h.1), Some(10.0));
    let up = s
        .uptime_by_day(Some("health"), day0, day0 + 4 * DAY)
        .expect("uptime");
    assert_eq!(up.len(), 4);
    let fk: i64 = s
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(fk, 1, "foreign keys are back on");
    assert_eq!(s.prune_before(day0 + 2 * DAY).expect("again"), 0);
    assert!(s.check().expect("check").is_empty());
}

#[test]
fn a_status_is_held_since_its_last_change_and_days_count_how_much_went_wrong() {
    let mut s = Store::open(&temp_dir("held")).expect("store");
    let t0 = 1_790_000_000_000;
    for (i, v) in [0.0, 0.0, 1.0, 2.0, 2.0].iter().enumerate() {
        let mut a = assembled(
            t0 + i as i64 * 60_000,
            if *v > 1.0 {
                Status::Down
            } else {
                Status::Healthy
            },
            5.0,
        );
        a.snapshot.metrics.push(Metric::new(
            "status.component.redis",
            *v,
            Unit::None,
            Better::Lower,
        ));
        s.insert(&a).expect("insert");
    }
    let at = t0 + 4 * 60_000;
    assert_eq!(
        s.held_since("status.component.redis", at).expect("q"),
        Some((t0 + 3 * 60_000, true))
    );
    assert_eq!(
        s.held_since("status.component.redis", t0 + 60_000)
            .expect("q"),
        Some((t0, false))
    );
    assert_eq!(s.held_since("status.component.nope", at).expect("q"), None);
    let day = &s.days().expect("days")[0];
    assert_eq!((day.count, day.degraded, day.down), (5, 0, 2));
}
