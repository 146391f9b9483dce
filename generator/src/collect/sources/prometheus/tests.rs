//! The Prometheus kind on recorded expositions of real exporters (`tests/fixtures/prometheus/`).

use std::sync::Arc;

use model::{Status, Unit};

use super::*;
use crate::collect::{RawReading, assemble};

fn recorded(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/prometheus")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read_with(opts: PromOptions, body: &[u8]) -> model::Snapshot {
    let config = Config::from_toml(
        "[backend]\nkind = \"prometheus\"\nbase_url = \"http://127.0.0.1:9100\"\n",
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut t = Prometheus.targets(&config).remove(0);
    assert_eq!(t.url.as_str(), "http://127.0.0.1:9100/metrics");
    t.options = KindOptions::Prometheus(Arc::new(opts));
    let r = RawReading {
        target: t,
        http_status: Some(200),
        latency_ms: 1.0,
        attempts: 1,
        tls_not_after_ms: None,
        body: Ok(body.to_vec()),
    };
    assemble(0, 1.0, vec![r]).snapshot
}

fn counter(s: &model::Snapshot, name: &str) -> Option<f64> {
    s.counters.iter().find(|c| c.name == name).map(|c| c.value)
}

#[test]
fn a_client_librarys_openmetrics_gives_counters_gauges_facts_and_request_figures() {
    let s = read_with(
        PromOptions::default(),
        &recorded("python-client-0.21.1-openmetrics.txt"),
    );
    assert_eq!(
        s.outcomes[0].kind,
        model::OutcomeKind::Ok,
        "{:?}",
        s.outcomes[0].detail
    );
    assert_eq!(
        counter(&s, "http_requests_total.code_500.path__api_items"),
        Some(12.0)
    );
    assert_eq!(counter(&s, rates::REQUESTS), Some(1515.0));
    assert_eq!(counter(&s, rates::ERRORS), Some(12.0));
    assert_eq!(
        counter(&s, "service.requests.latency|le=+Inf"),
        Some(1000.0)
    );
    assert_eq!(
        counter(&s, "http_request_duration_seconds.path__api_items|le=0.05"),
        Some(724.0)
    );
    assert_eq!(
        s.metric("queue_depth.queue_ingest").map(|m| m.value),
        Some(7.0)
    );
    assert!(
        s.metric("queue_depth.queue_mail").is_none(),
        "NaN is no reading"
    );
    assert_eq!(s.fact("build.version"), Some("1.4.2"));
    // `_created` timestamps are not counters.
    assert!(!s.counters.iter().any(|c| c.name.contains("created")));
}

#[test]
fn node_exporter_summaries_parts_and_the_series_cap() {
    let opts = PromOptions {
        parts: Some(("node_scrape_collector_success".into(), "collector".into())),
        max_series: 5000,
        ..PromOptions::default()
    };
    let s = read_with(opts, &recorded("node-exporter-1.5.0.txt"));
    let p50 = s
        .metric("go_gc_duration_seconds.p50")
        .expect("summary quantile");
    assert_eq!(p50.unit, Unit::Seconds);
    assert!((p50.value - 3.4186e-05).abs() < 1e-12);
    let cpu = s
        .components
        .iter()
        .find(|c| c.name == "cpu")
        .expect("cpu collector");
    assert_eq!(cpu.status, Status::Healthy);
    let zfs = s
        .components
        .iter()
        .find(|c| c.name == "zfs")
        .expect("zfs collector");
    assert_eq!(zfs.status, Status::Down);
    assert_eq!(s.components.len(), 46);
    assert_eq!(s.metric("node_load1").map(|m| m.value), Some(3.62));
    assert!(s.fact("series_left_out").is_none());

    // Only some families, and at most 10 series: the rest said, not silently dropped.
    let few = PromOptions {
        include: vec!["node_network_*".into()],
        max_series: 10,
        ..PromOptions::default()
    };
    let s = read_with(few, &recorded("node-exporter-1.5.0.txt"));
    assert_eq!(
        s.metrics
            .iter()
            .filter(|m| m.name.starts_with("node_"))
            .count()
            + s.counters.len(),
        10
    );
    assert!(s.metric("node_load1").is_none());
    let said = s.fact("series_left_out").expect("left out");
    assert!(said.contains("over max_series = 10"), "{said}");
}

#[test]
fn garbage_is_a_syntax_error_naming_the_line() {
    let s = read_with(PromOptions::default(), b"ok 1\nnot a metric line at all\n");
    assert_eq!(s.outcomes[0].kind, model::OutcomeKind::InvalidJson);
    let d = s.outcomes[0].detail.as_deref().unwrap_or("");
    assert!(d.contains("line 2"), "{d}");
}
