//! Mapped JSON on the shapes of the design's admin API: services with dependencies, per-endpoint
//! latency percentiles.

use model::{Status, Unit};
use serde_json::json;

use super::*;
use crate::config::Config;

fn url() -> reqwest::Url {
    reqwest::Url::parse("http://127.0.0.1:9/api/v1/admin/health/services").expect("url")
}

fn maps(toml: &str) -> Vec<Mapping> {
    let c = Config::from_toml(
        &format!("[backend]\nkind = \"json\"\nbase_url = \"http://127.0.0.1:9/\"\n[[endpoint]]\nname = \"e\"\nurl = \"/e\"\n{toml}"),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    c.endpoints[0].maps.clone()
}

#[test]
fn services_become_parts_metrics_and_dependencies() {
    let body = json!({"services": [
        {"id": "api", "name": "API", "status": "healthy", "uptime_pct": 99.95, "dependencies": ["db", "cache"]},
        {"id": "db", "name": "Database", "status": "degraded", "message": "replica lag", "uptime_pct": 99.1, "dependencies": []},
        {"name": "no id", "status": "down"}
    ]});
    let m = maps(
        "[[endpoint.map]]\nitems = \"services\"\nkey = \"id\"\nstatus = \"status\"\nmessage = \"message\"\nvalues = [\"uptime_pct\"]\ndepends = \"dependencies\"\ncheck = \"services/{id}/check\"\n",
    );
    let mut sink = Sink::default();
    read("admin", &url(), &body, &m, &mut sink).expect("read");
    let parts: Vec<(&str, Status, &str)> = sink
        .components
        .iter()
        .map(|p| (p.name.as_str(), p.status, p.message.as_str()))
        .collect();
    assert_eq!(
        parts,
        [
            ("api", Status::Healthy, ""),
            ("db", Status::Degraded, "replica lag")
        ],
        "an item without its key is skipped, not guessed"
    );
    let up = sink
        .metrics
        .iter()
        .find(|x| x.name == "admin.api.uptime_pct")
        .expect("metric");
    assert_eq!((up.value, up.unit), (99.95, Unit::Percent));
    let deps: Vec<(&str, &str)> = sink
        .facts
        .iter()
        .filter(|f| f.name.starts_with("depends."))
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(deps, [("depends.api", "db,cache"), ("depends.db", "")]);
    // Each service's check, resolved against the endpoint's URL.
    assert_eq!(
        sink.facts
            .iter()
            .find(|f| f.name == "check.api")
            .map(|f| f.value.as_str()),
        Some("http://127.0.0.1:9/api/v1/admin/health/services/api/check")
    );
}

#[test]
fn endpoints_keyed_by_two_fields_with_a_fixed_unit() {
    let body = json!({"endpoints": [
        {"path": "/api/items", "method": "GET", "p50": 12, "p95": 80.5, "p99": 140, "count": 1200},
        {"path": "/api/items", "method": "POST", "p50": 30, "p95": 210, "p99": 400, "count": 40}
    ]});
    let m = maps(
        "[[endpoint.map]]\nitems = \"endpoints\"\nkey = [\"method\", \"path\"]\nvalues = [\"p50\", \"p95\", \"p99\"]\nunit = \"ms\"\n",
    );
    let mut sink = Sink::default();
    read("latency", &url(), &body, &m, &mut sink).expect("read");
    let p95 = sink
        .metrics
        .iter()
        .find(|x| x.name == "latency.POST__api_items.p95")
        .expect("named by method and path, not by index");
    assert_eq!((p95.value, p95.unit), (210.0, Unit::Milliseconds));
    assert_eq!(sink.metrics.len(), 6);
    assert!(sink.components.is_empty());
}

#[test]
fn units_from_a_field_and_a_missing_array_is_a_shape_error() {
    let body = json!([{"name": "rpm", "value": 600, "unit": "/s"}, {"name": "mem", "value": 52, "unit": "percent"}]);
    let m = maps("[[endpoint.map]]\nkey = \"name\"\nvalues = [\"value\"]\nunit_field = \"unit\"\n");
    let mut sink = Sink::default();
    read("x", &url(), &body, &m, &mut sink).expect("the body itself is the array");
    let units: Vec<Unit> = sink.metrics.iter().map(|m| m.unit).collect();
    assert_eq!(units, [Unit::PerSecond, Unit::Percent]);
    let e = read("x", &url(), &json!({"a": 1}), &m, &mut Sink::default()).expect_err("no array");
    assert!(e.0.contains("the body is not an array"), "{}", e.0);
    for bad in [
        "[[endpoint.map]]\nkey = \"name\"\n",
        "[[endpoint.map]]\nkey = \"na me\"\nvalues = [\"v\"]\n",
        "[[endpoint.map]]\nkey = \"name\"\nvalues = [\"v\"]\nunit = \"furlongs\"\n",
        "[[endpoint.map]]\nkey = \"name\"\nvalues = [\"v\"]\ncheck = \"https://evil.example/{name}\"\n",
        "[[endpoint.map]]\nkey = \"name\"\nvalues = [\"v\"]\ncheck = \"s/{na me}/check\"\n",
    ] {
        let c = Config::from_toml(
            &format!(
                "[backend]\nkind = \"json\"\nbase_url = \"http://127.0.0.1:9/\"\n[[endpoint]]\nname = \"e\"\nurl = \"/e\"\n{bad}"
            ),
            std::path::Path::new("t.toml"),
        );
        let e = c.expect_err(bad);
        assert!(e.to_string().contains("endpoint.map"), "{bad}: {e}");
    }
}

#[test]
fn a_mapped_array_shown_as_a_table() {
    let body = json!({"connections": [
        {"id": "ws-1", "client_ip": "10.0.0.7", "subscriptions": ["status", "alerts"]},
        {"id": "ws-2", "client_ip": "10.0.0.8<script>", "subscriptions": []},
        {"client_ip": "no id"}
    ]});
    let m = maps(
        "[[endpoint.map]]\nitems = \"connections\"\nkey = \"id\"\ntable = \"WebSocket connections\"\ncolumns = [\"client_ip\", \"subscriptions\", \"missing\"]\n",
    );
    let mut sink = Sink::default();
    read("ws", &url(), &body, &m, &mut sink).expect("read");
    let t = &sink.lists.tables[0];
    assert_eq!(t.title, "WebSocket connections");
    assert_eq!(t.columns, ["id", "client_ip", "subscriptions", "missing"]);
    assert_eq!(
        t.rows,
        [
            vec!["ws-1", "10.0.0.7", "status, alerts", ""],
            // Text as the source gave it: the page escapes it.
            vec!["ws-2", "10.0.0.8<script>", "", ""],
        ]
    );
    assert!(sink.metrics.is_empty() && sink.components.is_empty());
}
