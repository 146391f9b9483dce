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
    // Over hours: 0 for two hours, one reading of 1, then 0 again for three hours.
    let t1 = t0 + 86_400_000;
    for i in 0..15 {
        let v = if i == 6 { 1.0 } else { 0.0 };
        let mut a = assembled(t1 + i * 20 * 60_000, Status::Healthy, 5.0);
        a.snapshot.metrics.push(Metric::new(
            "status.module.search",
            v,
            Unit::None,
            Better::Lower,
        ));
        s.insert(&a).expect("insert");
    }
    let end = t1 + 14 * 20 * 60_000;
    assert_eq!(
        s.held_since("status.module.search", end).expect("q"),
        Some((t1 + 7 * 20 * 60_000, true))
    );
    assert_eq!(
        s.held_since("status.module.search", t1 + 6 * 20 * 60_000)
            .expect("q"),
        Some((t1 + 6 * 20 * 60_000, true))
    );
    assert_eq!(
        s.held_since("status.module.search", t1 + 5 * 20 * 60_000)
            .expect("q"),
        Some((t1, false)),
        "the 1 later in its hour is not before the time asked about"
    );
    let day = &s.days().expect("days")[0];
    assert_eq!((day.count, day.degraded, day.down), (5, 0, 2));
}

#[test]
fn uptime_windows_count_each_window_as_its_own_grouped_query_does() {
    let mut s = Store::open(&temp_dir("uptime-windows")).expect("store");
    // Ten days of readings every 5 hours, every third one failed, so each window differs.
    for i in 0..48 {
        let mut a = assembled(T0 + i * 5 * 3_600_000, Status::Healthy, 10.0);
        if i % 3 == 0 {
            a.snapshot.outcomes[0].kind = OutcomeKind::Timeout;
        }
        s.insert(&a).expect("insert");
    }
    let spans = [DAY, 7 * DAY, 30 * DAY, 90 * DAY, 3 * 3_600_000, 2 * DAY];
    // At every hour of a day, so the whole days inside a window start and end anywhere.
    for h in 0..26 {
        let now = T0 + 5 * DAY + h * 3_600_000 + 1_234;
        let windows = s.uptime_windows(now, &spans).expect("windows");
        for (k, span) in spans.iter().enumerate() {
            let grouped = s.uptime_by_endpoint(now - span, now + 1).expect("grouped");
            let one: Vec<(String, Uptime)> = windows
                .iter()
                .map(|(e, u)| (e.clone(), u[k]))
                .filter(|(_, u)| u.total > 0)
                .collect();
            assert_eq!(one, grouped, "window {span} ms at hour {h}");
        }
    }
    let now = T0 + 47 * 5 * 3_600_000 + 1_234;
    let windows = s.uptime_windows(now, &spans).expect("windows");
    assert!(windows[0].1[0].total < windows[0].1[1].total);
    assert!(windows[0].1[0].ok < windows[0].1[0].total);
}

#[test]
fn cached_hourly_means_answer_as_the_rollups_do_across_hours_and_late_snapshots() {
    let mut s = Store::open(&temp_dir("hour-means")).expect("store");
    let h0 = (T0 / 3_600_000) * 3_600_000;
    let add = |s: &mut Store, at: i64, v: f64| {
        s.insert(&assembled(at, Status::Healthy, v))
            .expect("insert");
    };
    // Three days, every 20 minutes, each hour a different mean.
    for i in 0..(3 * 72) {
        add(
            &mut s,
            h0 + i * 20 * 60_000,
            (i / 3) as f64 + (i % 3) as f64 * 0.5,
        );
    }
    let metric = "probe.latency_p95";
    let check = |s: &Store, now: i64, save: bool| {
        let from = now - 2 * DAY;
        let want = s.hourly_means(metric, from, now + 1).expect("plain");
        let got = s
            .hourly_means_cached(metric, from, now + 1, save)
            .expect("cached");
        assert_eq!(got, want, "at {now}");
        assert!(!want.is_empty());
    };
    let mut now = h0 + 3 * DAY - 60_000;
    check(&s, now, true);
    let saved: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM hour_means", [], |r| r.get(0))
        .expect("count");
    assert_eq!(saved, 1, "the cache is written");
    // It is what answers: an altered cache shows through (then it is dropped again).
    s.conn()
        .execute("UPDATE hour_means SET means = substr(means, 17)", [])
        .expect("alter");
    let from = now - 2 * DAY;
    let plain = s.hourly_means(metric, from, now + 1).expect("plain");
    let cached = s
        .hourly_means_cached(metric, from, now + 1, false)
        .expect("cached");
    assert_eq!(
        cached.len() + 1,
        plain.len(),
        "the cache's first hour was cut"
    );
    s.conn()
        .execute("DELETE FROM hour_means", [])
        .expect("drop");
    check(&s, now, true);
    // Within the hour, then across it, with new snapshots.
    for k in 0..5 {
        now += 20 * 60_000;
        add(&mut s, now, 100.0 + k as f64);
        check(&s, now, true);
    }
    // A late snapshot into a cached hour: the cache goes, the answers stay right.
    add(&mut s, h0 + DAY + 5 * 60_000, 1_000.0);
    let left: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM hour_means", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0, "a late snapshot removes the cache");
    check(&s, now, false);
    check(&s, now, true);
    // An earlier time than the cache was saved at still answers from the rollups.
    check(&s, now - 6 * 3_600_000, false);
    assert!(
        s.hourly_means_cached("no.such.metric", 0, now, true)
            .expect("none")
            .is_empty()
    );
}
