//! Rates and quantiles between two snapshots, against values worked out by hand.

use super::*;
use model::{Counter, Status};

fn snap(at_ms: i64, counters: &[(&str, f64)]) -> Snapshot {
    // The store tests' snapshot, with nothing but the counters.
    let mut s = crate::store::tests::assembled(at_ms, Status::Healthy, 1.0).snapshot;
    s.metrics.clear();
    s.outcomes.clear();
    s.counters = counters
        .iter()
        .map(|(n, v)| Counter {
            name: (*n).to_owned(),
            value: *v,
        })
        .collect();
    s
}

fn value(s: &Snapshot, name: &str) -> Option<f64> {
    s.metric(name).map(|m| m.value)
}

#[test]
fn counters_become_rates_over_the_interval_and_resets_count_from_zero() {
    let prev = snap(0, &[("a_total", 100.0), ("b_total", 500.0)]);
    let mut now = snap(
        10_000,
        &[("a_total", 150.0), ("b_total", 20.0), ("new_total", 9.0)],
    );
    derive(&mut now, Some(&prev));
    assert_eq!(value(&now, "a_total.per_s"), Some(5.0));
    // b restarted: 20 since the restart.
    assert_eq!(value(&now, "b_total.per_s"), Some(2.0));
    // A series first seen now has no rate yet.
    assert_eq!(value(&now, "new_total.per_s"), None);
    assert_eq!(
        now.metric("a_total.per_s").map(|m| m.unit),
        Some(Unit::PerSecond)
    );
    // No previous snapshot, or none earlier: nothing is made up.
    let mut first = snap(10_000, &[("a_total", 1.0)]);
    derive(&mut first, None);
    assert!(first.metrics.is_empty());
    derive(&mut first, Some(&snap(10_000, &[("a_total", 0.0)])));
    assert!(first.metrics.is_empty());
}

#[test]
fn histogram_quantiles_come_from_the_buckets_increase() {
    // Before: 100 fast requests. Over the interval: 10 more at <= 0.1 s, 80 in (0.1, 0.5],
    // 10 in (0.5, 1]: the lifetime would say fast, the interval says slow.
    let b = "lat_seconds";
    let names = |le: &str| format!("{b}|le={le}");
    let (l1, l5, l10, inf) = (names("0.1"), names("0.5"), names("1"), names("+Inf"));
    let prev = snap(
        0,
        &[
            (&l1, 100.0),
            (&l5, 100.0),
            (&l10, 100.0),
            (&inf, 100.0),
            ("lat_seconds|count", 100.0),
            ("lat_seconds|sum", 5.0),
        ],
    );
    let mut now = snap(
        60_000,
        &[
            (&l1, 110.0),
            (&l5, 190.0),
            (&l10, 200.0),
            (&inf, 200.0),
            ("lat_seconds|count", 200.0),
            ("lat_seconds|sum", 35.0),
        ],
    );
    derive(&mut now, Some(&prev));
    // p50: rank 50 of 100; 10 below 0.1, the 40th of 80 in (0.1, 0.5]: 0.1 + 0.4 * 40/80 = 0.3 s.
    let p50 = value(&now, "lat_seconds.p50").expect("p50");
    assert!((p50 - 300.0).abs() < 1e-6, "{p50} ms");
    // p95: rank 95; 90 below 0.5, 5 of 10 in (0.5, 1]: 0.75 s.
    let p95 = value(&now, "lat_seconds.p95").expect("p95");
    assert!((p95 - 750.0).abs() < 1e-6, "{p95} ms");
    assert_eq!(
        now.metric("lat_seconds.p95").map(|m| m.unit),
        Some(Unit::Milliseconds)
    );
    assert_eq!(value(&now, "lat_seconds.per_s"), Some(100.0 / 60.0));
    // 30 s over 100 requests: 300 ms on average.
    let avg = value(&now, "lat_seconds.avg").expect("avg");
    assert!((avg - 300.0).abs() < 1e-6, "{avg}");
}

#[test]
fn a_quantile_past_the_last_finite_bound_is_that_bound() {
    assert_eq!(
        quantile(0.99, &[(0.1, 1.0), (0.5, 2.0), (f64::INFINITY, 100.0)]),
        Some(0.5)
    );
    assert_eq!(
        quantile(0.5, &[(0.1, 0.0), (f64::INFINITY, 0.0)]),
        None,
        "no observations"
    );
    assert_eq!(
        quantile(0.5, &[(0.1, 3.0)]),
        None,
        "no +Inf bucket: not a histogram"
    );
    // The first bucket interpolates from 0.
    assert_eq!(
        quantile(0.5, &[(2.0, 10.0), (f64::INFINITY, 10.0)]),
        Some(1.0)
    );
}

#[test]
fn the_service_request_rate_and_error_rate() {
    let prev = snap(0, &[(REQUESTS, 1000.0), (ERRORS, 10.0)]);
    let mut now = snap(20_000, &[(REQUESTS, 1400.0), (ERRORS, 18.0)]);
    derive(&mut now, Some(&prev));
    assert_eq!(value(&now, RATE), Some(20.0));
    assert_eq!(value(&now, ERROR_RATE), Some(2.0), "8 of 400 failed");
    assert_eq!(
        now.metric(ERROR_RATE).map(|m| m.better),
        Some(Better::Lower)
    );
    assert_eq!(
        value(&now, "service.requests.total.per_s"),
        None,
        "said once, as the rate"
    );
    // No requests in the interval: no error rate (0 of 0 is not 0 %).
    let mut idle = snap(40_000, &[(REQUESTS, 1400.0), (ERRORS, 18.0)]);
    derive(&mut idle, Some(&now));
    assert_eq!(value(&idle, RATE), Some(0.0));
    assert_eq!(value(&idle, ERROR_RATE), None);
    // A further source's, under its namespace.
    let ns = |n: &str| format!("source.m.{n}");
    let (r, e) = (ns(REQUESTS), ns(ERRORS));
    let prev = snap(0, &[(&r, 10.0), (&e, 0.0)]);
    let mut now = snap(10_000, &[(&r, 110.0), (&e, 5.0)]);
    derive(&mut now, Some(&prev));
    assert_eq!(value(&now, &ns(RATE)), Some(10.0));
    assert_eq!(value(&now, &ns(ERROR_RATE)), Some(5.0));
    assert_eq!(value(&now, RATE), None, "not the first source's");
}
