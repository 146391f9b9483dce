//! The parser against answers recorded from real exporters (`tests/fixtures/prometheus/`), and
//! the lines it must refuse.

use super::*;

fn recorded(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/prometheus")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn family<'a>(fs: &'a [Family], name: &str) -> &'a Family {
    fs.iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no family {name}"))
}

#[test]
fn node_exporter_counters_gauges_and_summaries() {
    let fs = parse(&recorded("node-exporter-1.5.0.txt")).expect("parses");
    let declared = recorded("node-exporter-1.5.0.txt")
        .lines()
        .filter(|l| l.starts_with("# TYPE "))
        .count();
    assert_eq!(fs.len(), declared, "one family per # TYPE");
    let load = family(&fs, "node_load1");
    assert_eq!((load.kind, load.samples.len()), (Kind::Gauge, 1));
    assert!((load.samples[0].value - 3.62).abs() < 1e-9);
    let rx = family(&fs, "node_network_receive_bytes_total");
    assert_eq!(rx.kind, Kind::Counter);
    let eth0 = rx
        .samples
        .iter()
        .find(|s| s.label("device") == Some("eth0"))
        .expect("eth0");
    assert!((eth0.value - 2.84855577e8).abs() < 1.0);
    let gc = family(&fs, "go_gc_duration_seconds");
    assert_eq!(gc.kind, Kind::Summary);
    let quantiles: Vec<&str> = gc
        .samples
        .iter()
        .filter_map(|s| s.label("quantile"))
        .collect();
    assert_eq!(quantiles, ["0", "0.25", "0.5", "0.75", "1"]);
    assert!(
        gc.samples
            .iter()
            .any(|s| s.name == "go_gc_duration_seconds_count")
    );
    assert!(
        gc.help.starts_with("A summary of the pause duration"),
        "{}",
        gc.help
    );
}

#[test]
fn prometheus_server_histograms_end_at_inf_and_match_their_count() {
    let fs = parse(&recorded("prometheus-2.42.0.txt")).expect("parses");
    let h = family(&fs, "prometheus_http_request_duration_seconds");
    assert_eq!(h.kind, Kind::Histogram);
    let metrics = |suffix: &str| {
        h.samples
            .iter()
            .filter(|s| s.label("handler") == Some("/metrics") && s.name.ends_with(suffix))
            .collect::<Vec<_>>()
    };
    let buckets = metrics("_bucket");
    let inf = buckets
        .iter()
        .find(|s| s.label("le") == Some("+Inf"))
        .expect("+Inf bucket");
    let count = metrics("_count");
    assert_eq!(inf.value, count[0].value);
    // Cumulative: never decreasing.
    assert!(buckets.windows(2).all(|w| w[0].value <= w[1].value));
}

#[test]
fn openmetrics_from_a_real_client_library() {
    let text = recorded("python-client-0.21.1-openmetrics.txt");
    assert!(text.trim_end().ends_with("# EOF"));
    let fs = parse(&text).expect("parses");
    // OpenMetrics names the counter family without `_total`; its samples carry the suffixes.
    let req = family(&fs, "http_requests");
    assert_eq!(req.kind, Kind::Counter);
    assert_eq!(
        req.samples
            .iter()
            .filter(|s| s.name == "http_requests_total")
            .count(),
        4
    );
    assert_eq!(
        req.samples
            .iter()
            .filter(|s| s.name == "http_requests_created")
            .count(),
        4
    );
    // Escapes in a label value: \" \\ \n.
    let odd = req
        .samples
        .iter()
        .find(|s| s.label("code") == Some("404"))
        .expect("404");
    assert_eq!(odd.label("path"), Some("/say/\"hi\"\\there\nnow"));
    let depth = family(&fs, "queue_depth");
    let mail = depth
        .samples
        .iter()
        .find(|s| s.label("queue") == Some("mail"))
        .expect("mail");
    assert!(mail.value.is_nan());
    assert_eq!(family(&fs, "build").kind, Kind::Info);
    assert_eq!(
        family(&fs, "build").samples[0].label("version"),
        Some("1.4.2")
    );
    // The same registry in the classic text format reads the same counters.
    let classic = parse(&recorded("python-client-0.21.1-text.txt")).expect("parses");
    let c = family(&classic, "http_requests_total");
    let total: f64 = c
        .samples
        .iter()
        .filter(|s| s.name == "http_requests_total")
        .map(|s| s.value)
        .sum();
    assert_eq!(total, 1200.0 + 12.0 + 300.0 + 3.0);
}

#[test]
fn malformed_lines_are_refused_with_their_number() {
    for (text, line, says) in [
        ("a 1\nb{x=\"1} 2\n", 2, "not closed"),
        ("a one\n", 1, "not a number"),
        ("a{x=1} 2\n", 1, "not quoted"),
        ("9a 1\n", 1, "not a metric name"),
        ("a 1\n# EOF\nb 2\n", 3, "after # EOF"),
        ("a 1 2 3\n", 1, "after the timestamp"),
        ("a{x=\"1\"}\n", 1, "no value"),
    ] {
        let e = parse(text).expect_err(text);
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.reason.contains(says), "{text:?}: {e}");
    }
    // Timestamps, exemplars, comments and blank lines are fine.
    let fs = parse(
        "# just a comment\n\nx_total{a=\"b\"} 3 1700000000000\n# TYPE y counter\ny_total 1 # {trace=\"t\"} 1.0\n",
    )
    .expect("parses");
    assert_eq!(fs.len(), 2);
    assert_eq!(fs[1].samples[0].value, 1.0);
}
