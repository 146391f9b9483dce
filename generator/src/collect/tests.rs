//! Extraction of every captured Pharos response, and of the failure shapes the contract lists.

use std::path::PathBuf;

use model::{OutcomeKind, Status};
use serde_json::Value;

use super::*;
use crate::config::Config;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pharos")
}

/// A raw reading made from a fixture file, as the HTTP stage would have produced it.
pub(super) fn reading_for(target: &Target, status: u16, body: &[u8]) -> RawReading {
    RawReading {
        target: target.clone(),
        http_status: Some(status),
        latency_ms: 12.5,
        attempts: 1,
        tls_not_after_ms: None,
        body: Ok(body.to_vec()),
    }
}

/// Every target of the default config: the first reads, then the modules read when no route
/// list answered.
fn all_targets() -> Vec<Target> {
    let c = Config::defaults();
    let mut t = targets(&c);
    t.extend(crate::collect::follow_ups(&c, &[]));
    t
}

pub(super) fn target(endpoint: &str) -> Target {
    all_targets()
        .into_iter()
        .find(|t| t.endpoint == endpoint)
        .unwrap_or_else(|| panic!("no target {endpoint}"))
}

pub(super) fn fixture(name: &str) -> (u16, Vec<u8>) {
    let text = std::fs::read_to_string(fixtures_dir().join(name)).expect("fixture");
    let v: Value = serde_json::from_str(&text).expect("fixture json");
    let status = v["status"].as_u64().expect("status") as u16;
    (status, serde_json::to_vec(&v["body"]).expect("body"))
}

fn one(endpoint: &str, status: u16, body: &[u8]) -> Assembled {
    assemble(0, 1.0, vec![reading_for(&target(endpoint), status, body)])
}

pub(super) const FIXTURE_TARGETS: [(&str, &str); 15] = [
    ("monitoring_health.json", "health"),
    ("monitoring_health_ml.json", "health.ml"),
    ("monitoring_model-health.json", "model_health"),
    ("monitoring_health_module_search.json", "module.search"),
    ("monitoring_performance.json", "performance"),
    (
        "monitoring_recommendation-quality.json",
        "recommendation_quality",
    ),
    ("monitoring_user-engagement.json", "user_engagement"),
    ("monitoring_database.json", "database"),
    ("monitoring_db_pool.json", "db_pool"),
    ("monitoring_events.json", "events"),
    ("monitoring_events_history.json", "events.history"),
    ("monitoring_cache_stats.json", "cache"),
    ("monitoring_workers_status.json", "workers"),
    ("ingestion_health.json", "ingestion.health"),
    ("ingestion_worker_status.json", "ingestion.worker"),
];

#[test]
fn every_get_fixture_has_a_target_and_extracts() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let (_, body) = fixture(name);
        let v: Value = serde_json::from_slice(&body).expect("json");
        let _ = v;
        let text = std::fs::read_to_string(fixtures_dir().join(name)).expect("read");
        let method = serde_json::from_str::<Value>(&text).expect("json")["method"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if method == "POST" || name == "ingestion_jobs_history.json" {
            continue;
        }
        assert!(
            FIXTURE_TARGETS.iter().any(|(f, _)| f == name),
            "fixture {name} is not covered by an extraction test"
        );
    }
    let mut expected_kinds = Vec::new();
    for (file, endpoint) in FIXTURE_TARGETS {
        let (status, body) = fixture(file);
        let a = one(endpoint, status, &body);
        let o = &a.snapshot.outcomes[0];
        expected_kinds.push((endpoint, o.kind));
        assert_eq!(
            a.bodies[0].as_deref(),
            Some(body.as_slice()),
            "{file}: raw body kept"
        );
        assert_eq!(o.bytes, body.len() as u64);
    }
    // The captured instance lacked two optional features (ML classification, Celery) and said so
    // in HTTP 200 bodies: not available, not failed. Everything else reads fine.
    for (endpoint, kind) in expected_kinds {
        let want = match endpoint {
            "health.ml" | "workers" => OutcomeKind::NotAvailable,
            _ => OutcomeKind::Ok,
        };
        assert_eq!(kind, want, "{endpoint}");
    }
}

#[test]
fn health_fixture_gives_components_overall_and_reasons() {
    let (s, body) = fixture("monitoring_health.json");
    let a = one("health", s, &body);
    let snap = &a.snapshot;
    assert_eq!(snap.overall, Status::Degraded);
    let comp = |n: &str| snap.components.iter().find(|c| c.name == n).expect(n);
    assert_eq!(comp("redis").status, Status::Down);
    assert_eq!(comp("redis").message, "Connection failed");
    assert_eq!(comp("database").status, Status::Healthy);
    // "unavailable: Model not trained" is a model not trained yet: it does not apply yet.
    assert_eq!(comp("ncf_model").status, Status::NotApplicable);
    assert_eq!(comp("ncf_model").word, "unavailable");
    assert_eq!(
        snap.metric("health.celery.worker_count").map(|m| m.value),
        Some(0.0)
    );
    assert!(snap.modules.is_empty(), "modules: null gives no modules");
    assert!(
        snap.reasons[0].contains("Redis unavailable"),
        "{:?}",
        snap.reasons
    );
    assert!(
        snap.reasons
            .iter()
            .any(|r| r.contains("Component redis: unhealthy"))
    );
    let status = |n: &str| snap.metric(n).map(|m| m.value);
    assert_eq!(status("status.component.redis"), Some(2.0));
    assert_eq!(status("status.component.database"), Some(0.0));
    assert_eq!(status("status.overall"), Some(1.0));
}

#[test]
fn ml_error_body_naming_a_missing_module_is_not_available() {
    let (s, body) = fixture("monitoring_health_ml.json");
    let a = one("health.ml", s, &body);
    let o = &a.snapshot.outcomes[0];
    assert_eq!(o.kind, OutcomeKind::NotAvailable);
    assert!(o.kind.is_ok(), "not a failed reading");
    assert!(
        o.detail
            .as_deref()
            .unwrap_or("")
            .contains("ml_classification_service")
    );
    assert!(
        a.snapshot.metric("ml.http_status").is_none(),
        "a failed reading adds no numbers"
    );
    assert_eq!(a.snapshot.components[0].status, Status::NotApplicable);
    // The same answer for a real fault stays a failure, its part down.
    let a = one(
        "health.ml",
        200,
        br#"{"status":"error","timestamp":"2026-11-22T00:00:00","error":"model server crashed","http_status":503}"#,
    );
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::BackendFailure);
    assert_eq!(a.snapshot.components[0].status, Status::Down);
}

#[test]
fn workers_error_naming_a_missing_module_is_not_available() {
    let (s, body) = fixture("monitoring_workers_status.json");
    let a = one("workers", s, &body);
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::NotAvailable);
    assert_eq!(
        a.snapshot.outcomes[0].detail.as_deref(),
        Some("No module named 'celery'")
    );
    assert!(a.snapshot.metric("workers.count").is_none());
}

#[test]
fn typed_metrics_carry_units_and_directions() {
    let (s, body) = fixture("monitoring_db_pool.json");
    let a = one("db_pool", s, &body);
    let m = a
        .snapshot
        .metric("db.pool.pool_usage_percent")
        .expect("usage");
    assert_eq!(
        (m.value, m.unit, m.better),
        (0.0, model::Unit::Percent, model::Better::Lower)
    );
    assert_eq!(
        a.snapshot.metric("db.pool.total_capacity").map(|m| m.value),
        Some(15.0)
    );
    assert_eq!(
        a.snapshot.metric("db.pool.overflow").map(|m| m.value),
        Some(-4.0)
    );
    assert_eq!(a.snapshot.fact("db.pool.database_type"), Some("sqlite"));

    let (s, body) = fixture("monitoring_cache_stats.json");
    let a = one("cache", s, &body);
    assert!(
        a.snapshot.metric("cache.hit_rate").is_none(),
        "no requests: Pharos' 0.0 is no hit rate"
    );
    assert_eq!(
        a.snapshot.metric("cache.requests").map(|m| m.value),
        Some(0.0)
    );
    let a = one(
        "cache",
        200,
        br#"{"status":"ok","cache_stats":{"hit_rate":0.75,"hits":3,"misses":1,"total_requests":4}}"#,
    );
    let m = a.snapshot.metric("cache.hit_rate").expect("hit rate");
    assert_eq!(
        (m.value, m.unit, m.better),
        (0.75, model::Unit::Ratio, model::Better::Higher)
    );

    let (s, body) = fixture("monitoring_health_module_search.json");
    let a = one("module.search", s, &body);
    assert_eq!(a.snapshot.modules[0].name, "Search");
    // The recorded Pharos has no check registered for it: its "healthy" is a placeholder.
    assert_eq!(a.snapshot.modules[0].status, Status::Unknown);
    assert_eq!(a.snapshot.modules[0].word, "no health check registered");
    let a = one(
        "module.search",
        200,
        br#"{"status":"ok","module":"search","health":{"status":"healthy","message":"Index reachable"}}"#,
    );
    assert_eq!(
        a.snapshot.modules[0].status,
        Status::Healthy,
        "a real check"
    );

    let (s, body) = fixture("monitoring_model-health.json");
    let a = one("model_health", s, &body);
    assert_eq!(
        a.snapshot.metric("model.available").map(|m| m.value),
        Some(0.0)
    );
    assert!(
        a.snapshot
            .fact("model.message")
            .unwrap_or("")
            .contains("not trained")
    );

    let (s, body) = fixture("ingestion_worker_status.json");
    let a = one("ingestion.worker", s, &body);
    assert_eq!(a.snapshot.fact("ingestion.worker"), Some("Offline"));
    assert_eq!(
        a.snapshot
            .metric("ingestion.worker.online")
            .map(|m| m.value),
        Some(0.0)
    );
}

/// A recorded answer of the real Pharos: `(HTTP status, body)`.
#[test]
fn missing_auth_401_and_500_detail_are_http_errors_with_the_detail() {
    let a = one("performance", 401, br#"{"detail": "Not authenticated"}"#);
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::HttpError);
    assert_eq!(
        a.snapshot.outcomes[0].detail.as_deref(),
        Some("HTTP 401: Not authenticated")
    );
    let a = one(
        "database",
        500,
        br#"{"detail": {"error": "pool exhausted", "x": 1}}"#,
    );
    assert_eq!(
        a.snapshot.outcomes[0].detail.as_deref(),
        Some("HTTP 500: pool exhausted")
    );
    let a = one("database", 503, b"<html>bad gateway</html>");
    assert_eq!(a.snapshot.outcomes[0].detail.as_deref(), Some("HTTP 503"));
}

#[test]
fn nulls_where_the_contract_allows_them_are_skipped_not_failed() {
    let body = br#"{"status":"ok","timestamp":"2026-11-22T00:06:55.1","metrics":{"cache_hit_rate":null,"cache_hits":3,
        "cache_misses":null,"slow_query_count":null,"method_timings":null},"warnings":null}"#;
    let a = one("performance", 200, body);
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::Ok);
    assert_eq!(
        a.snapshot.metric("performance.cache_hits").map(|m| m.value),
        Some(3.0)
    );
    assert!(a.snapshot.metric("performance.cache_hit_rate").is_none());
}

#[test]
fn wrong_types_and_garbage_are_classified() {
    let a = one(
        "cache",
        200,
        br#"{"status":"ok","cache_stats":{"hit_rate":"high"}}"#,
    );
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::UnexpectedShape);
    assert_eq!(
        a.snapshot.outcomes[0].detail.as_deref(),
        Some("`cache_stats.hit_rate` is a string, expected a number")
    );
    let a = one("cache", 200, b"{\"status\": \"ok\", ");
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::InvalidJson);
    let a = one(
        "module.search",
        200,
        br#"{"status":"ok","module":"graph","health":{"status":"healthy"}}"#,
    );
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::UnexpectedShape);
}

#[test]
fn health_unreadable_means_down_and_one_failure_does_not_hide_the_rest() {
    let (s, cache_body) = fixture("monitoring_cache_stats.json");
    let readings = vec![
        RawReading {
            target: target("health"),
            http_status: None,
            latency_ms: 2000.0,
            attempts: 1,
            tls_not_after_ms: None,
            body: Err(TransportFailure::Timeout("operation timed out".into())),
        },
        reading_for(&target("cache"), s, &cache_body),
    ];
    let a = assemble(0, 2000.0, readings);
    assert_eq!(a.snapshot.overall, Status::Down);
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::Timeout);
    assert_eq!(a.snapshot.outcomes[1].kind, OutcomeKind::Ok);
    assert!(a.snapshot.metric("cache.hits").is_some());
    assert_eq!(
        a.snapshot.metric("probe.error_rate").map(|m| m.value),
        Some(50.0)
    );
    assert_eq!(
        a.snapshot.availability,
        Some(model::Availability::MajorOutage),
        "a health endpoint that does not answer is an outage"
    );
    assert!(
        a.snapshot
            .reasons
            .iter()
            .any(|r| r.contains("health endpoint could not be read"))
    );
}

#[test]
fn pharos_targets_cover_the_contract() {
    let first = targets(&Config::defaults());
    // The contract's 15, the newest version's heartbeat and the route list.
    assert_eq!(first.len(), 17);
    assert!(!first.iter().any(|t| t.endpoint.starts_with("module.")));
    let t = all_targets();
    assert_eq!(
        t.len(),
        17 + 13,
        "the 13 modules when no route list answered"
    );
    let auth: Vec<&str> = t
        .iter()
        .filter(|t| t.needs_auth)
        .map(|t| t.endpoint.as_str())
        .collect();
    assert!(
        !auth.contains(&"health")
            && !auth.contains(&"ingestion.heartbeat")
            && !auth.contains(&"module.auth")
    );
    // The newest version protects these two; the older left them public.
    assert!(auth.contains(&"ingestion.jobs") && auth.contains(&"ingestion.worker"));
    assert!(auth.contains(&"performance") && auth.contains(&"cache"));
    // The token goes to every Pharos endpoint: versions differ on which are public.
    assert!(t.iter().all(|t| t.send_token));
    let rq = t
        .iter()
        .find(|t| t.endpoint == "recommendation_quality")
        .expect("rq");
    assert_eq!(
        rq.url.as_str(),
        "http://127.0.0.1:8765/api/monitoring/recommendation-quality?time_window_days=7"
    );
}

#[test]
fn token_debug_is_redacted() {
    let t = Token::new("s3cret-value".into()).expect("token");
    assert!(!format!("{t:?}").contains("s3cret"));
    assert!(Token::new("  ".into()).is_none());
}

#[test]
fn a_failed_reading_adds_no_numbers_but_keeps_its_health_words() {
    let body = br#"{"status":"error","timestamp":"2026-11-22T00:00:00","cache_stats":{"hit_rate":0.0,"hits":0},"error":"Redis connection failed"}"#;
    let a = one("cache", 200, body);
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::BackendFailure);
    assert!(
        a.snapshot.metric("cache.hit_rate").is_none(),
        "placeholder zeros are not a hit rate"
    );
    let a = one(
        "health.ml",
        200,
        br#"{"status":"error","timestamp":"2026-11-22T00:00:00","error":"model server crashed","http_status":503}"#,
    );
    assert_eq!(
        a.snapshot.components[0].status,
        Status::Down,
        "the ML part is still down"
    );
}

#[test]
fn failed_readings_are_lookouts_not_the_backends_downtime() {
    // Health says healthy; one other reading fails (401) and one reports a missing feature.
    let (s, health) = fixture("monitoring_health.json");
    let healthy = String::from_utf8_lossy(&health)
        .replace("\"status\":\"degraded\"", "\"status\":\"healthy\"");
    let (ws, workers) = fixture("monitoring_workers_status.json");
    let readings = vec![
        reading_for(&target("health"), s, healthy.as_bytes()),
        reading_for(&target("cache"), 401, br#"{"detail":"Not authenticated"}"#),
        reading_for(&target("workers"), ws, &workers),
    ];
    let a = assemble(0, 10.0, readings);
    assert_eq!(
        a.snapshot.availability,
        Some(model::Availability::Operational)
    );
    assert_eq!(
        a.snapshot.metric("status.available").map(|m| m.value),
        Some(1.0)
    );
    let failed: Vec<&str> = a
        .snapshot
        .outcomes
        .iter()
        .filter(|o| !o.kind.is_ok())
        .map(|o| o.endpoint.as_str())
        .collect();
    assert_eq!(failed, ["cache"], "the missing feature is no failure");
    assert!(
        a.snapshot
            .reasons
            .iter()
            .any(|r| r.contains("1 of 3 readings failed"))
    );
    // Health unreadable but answering (401): unknown, not down, and no availability claimed.
    let readings = vec![reading_for(&target("health"), 401, br#"{"detail":"x"}"#)];
    let a = assemble(0, 10.0, readings);
    assert_eq!(a.snapshot.overall, Status::Unknown);
    assert_eq!(a.snapshot.availability, None);
    assert!(a.snapshot.metric("status.available").is_none());
}

fn files_below(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_below(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs" || x == "html") {
            out.push(p);
        }
    }
}

#[test]
fn generic_stages_name_no_backend_metric() {
    // The backend's namespaces: the first segment of every metric decoded from its answers.
    let mut spaces: Vec<String> = Vec::new();
    for (file, endpoint) in FIXTURE_TARGETS {
        let (status, body) = fixture(file);
        for m in one(endpoint, status, &body).snapshot.metrics {
            let ns = m.name.split('.').next().unwrap_or_default().to_owned();
            // Lookout's own: its readings and the statuses it derives.
            if ns != "probe" && ns != "status" && !spaces.contains(&ns) {
                spaces.push(ns);
            }
        }
    }
    assert!(spaces.len() >= 8, "{spaces:?}");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src/analysis", "src/render", "src/report", "../templates"] {
        files_below(&root.join(dir), &mut files);
    }
    let mut offending = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        // A kind's own view lives with its profile.
        if rel.ends_with("tests.rs") || rel.contains("/tests/") || rel.contains("render/profiles/")
        {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let hits: Vec<String> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| spaces.iter().any(|ns| l.contains(&format!("\"{ns}."))))
            .map(|(i, l)| format!("{rel}:{}: {}", i + 1, l.trim()))
            .collect();
        offending.extend(hits);
    }
    assert!(
        files.len() > 30,
        "the scan reads the stages: {} files",
        files.len()
    );
    assert!(
        offending.is_empty(),
        "backend metric names outside the source profiles:\n{}",
        offending.join("\n")
    );
}
