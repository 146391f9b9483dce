//! The Pharos source against recorded answers of both real versions (`tests/fixtures/pharos-real/`).

use std::path::PathBuf;

use model::{OutcomeKind, Status};
use serde_json::Value;

use crate::collect::{Assembled, RawReading, Target, assemble, follow_ups, targets};
use crate::config::Config;

fn target(endpoint: &str) -> Target {
    let c = Config::defaults();
    let mut all = targets(&c);
    all.extend(follow_ups(&c, &[]));
    all.into_iter()
        .find(|t| t.endpoint == endpoint)
        .unwrap_or_else(|| panic!("no target {endpoint}"))
}

fn reading(endpoint: &str, status: u16, body: &[u8]) -> RawReading {
    RawReading {
        target: target(endpoint),
        http_status: Some(status),
        latency_ms: 1.0,
        attempts: 1,
        tls_not_after_ms: None,
        body: Ok(body.to_vec()),
    }
}

fn one(endpoint: &str, status: u16, body: &[u8]) -> Assembled {
    assemble(0, 1.0, vec![reading(endpoint, status, body)])
}

pub(crate) fn real(rel: &str) -> (u16, Vec<u8>) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pharos-real")
        .join(rel);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&p).expect("fixture")).expect("json");
    let status = v["status"].as_u64().expect("status") as u16;
    (status, serde_json::to_vec(&v["body"]).expect("body"))
}

#[test]
fn queue_store_down_shows_ingestion_down_with_the_reason_in_both_versions() {
    // a89b45bb: HTTP 200 with `[body, 503]`; the newest: HTTP 503 with the body.
    for rel in [
        "a89b45bb/queue-store-down/ingestion_health.json",
        "current/queue-store-down/ingestion_health.json",
    ] {
        let (status, body) = real(rel);
        let a = one("ingestion.health", status, &body);
        let o = &a.snapshot.outcomes[0];
        assert_eq!(o.kind, OutcomeKind::BackendFailure, "{rel}: {:?}", o.detail);
        assert!(
            o.detail.as_deref().unwrap_or("").contains("503"),
            "{rel}: {:?}",
            o.detail
        );
        let ingestion = a.snapshot.components.iter().find(|c| c.name == "ingestion");
        let (st, msg) = ingestion
            .map(|c| (c.status, c.message.as_str()))
            .expect(rel);
        assert_eq!(st, Status::Down, "{rel}");
        assert!(
            msg.starts_with("redis: unhealthy"),
            "{rel}: the backend's reason: {msg}"
        );
    }
    // An error page that is not the endpoint's shape stays an HTTP error, nothing kept.
    let a = one(
        "ingestion.health",
        503,
        br#"{"detail":"Service Unavailable"}"#,
    );
    assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::HttpError);
    // Its part is unknown, with why, rather than gone.
    let parts: Vec<(&str, Status, &str)> = a
        .snapshot
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.status, c.message.as_str()))
        .collect();
    assert_eq!(
        parts,
        [(
            "ingestion",
            Status::Unknown,
            "not read: HTTP 503: Service Unavailable"
        )]
    );
}

/// The newest version's worker reports by heartbeat; its status key reads "Offline" forever.
/// The heartbeat decides, and the older version's 404 there says which version answered.
#[test]
fn the_heartbeat_settles_the_worker_and_tells_the_versions_apart() {
    let beat = real("current/healthy/ingestion_health_worker.json");
    let key = real("current/healthy/ingestion_worker_status.json");
    let a = assemble(
        0,
        1.0,
        vec![
            reading("ingestion.heartbeat", beat.0, &beat.1),
            reading("ingestion.worker", key.0, &key.1),
        ],
    );
    let workers: Vec<_> = a
        .snapshot
        .components
        .iter()
        .filter(|c| c.name == "ingestion_worker")
        .collect();
    assert_eq!(workers.len(), 1, "one part from two signals");
    assert_eq!(workers[0].status, Status::Healthy);
    assert!(
        workers[0].message.starts_with("heartbeat 17 s ago"),
        "{}",
        workers[0].message
    );
    assert_eq!(
        a.snapshot
            .metric("ingestion.worker.online")
            .map(|m| m.value),
        Some(1.0)
    );
    assert_eq!(a.snapshot.fact(super::VERSION), Some("newest"));

    let stale = real("current/worker-stale/ingestion_health_worker.json");
    let a = one("ingestion.heartbeat", stale.0, &stale.1);
    assert_eq!(a.snapshot.components[0].status, Status::Degraded);
    assert_eq!(
        a.snapshot
            .metric("ingestion.worker.online")
            .map(|m| m.value),
        Some(0.0),
        "refuses jobs"
    );

    let old = real("a89b45bb/healthy/ingestion_health_worker.json");
    let idle = real("a89b45bb/healthy/ingestion_worker_status.json");
    let a = assemble(
        0,
        1.0,
        vec![
            reading("ingestion.heartbeat", old.0, &old.1),
            reading("ingestion.worker", idle.0, &idle.1),
        ],
    );
    assert_eq!(
        a.snapshot.outcomes[0].kind,
        OutcomeKind::NotAvailable,
        "no such route there"
    );
    assert_eq!(a.snapshot.fact(super::VERSION), Some("older"));
    assert_eq!(a.snapshot.components[0].message, "Idle");
}

/// Each module's own check, in every shape both versions answer.
#[test]
fn own_module_checks_give_the_modules_word_and_why() {
    for (rel, status, why) in [
        (
            "a89b45bb/healthy/resources_health.json",
            Status::Down,
            "Database connection failed",
        ),
        (
            "a89b45bb/healthy/scholarly_health.json",
            Status::Healthy,
            "",
        ),
        ("a89b45bb/healthy/auth_health.json", Status::Healthy, ""),
        ("current/healthy/github_health.json", Status::Healthy, ""),
        (
            "current/queue-store-down/github_health.json",
            Status::Degraded,
            "cache unavailable",
        ),
        (
            "current/healthy/search_search_health.json",
            Status::Healthy,
            "",
        ),
    ] {
        let (code, body) = real(rel);
        let a = one("module.search", code, &body);
        assert_eq!(a.snapshot.outcomes[0].kind, OutcomeKind::Ok, "{rel}");
        let m = &a.snapshot.modules[0];
        assert_eq!(m.status, status, "{rel}");
        assert!(m.message.starts_with(why), "{rel}: {}", m.message);
    }
}
