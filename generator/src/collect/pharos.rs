//! The Pharos contract: which endpoints to read and how each body becomes metrics, parts and facts.

use serde_json::Value;

use super::extract::{Node, Shape, Sink, Verdict, clip};
use super::generic;
use super::pharos_health as h;
use super::pharos_metrics as m;
use super::{Extractor, Target};
use crate::config::{BackendKind, Config};

/// Every endpoint a snapshot reads for this config, in a stable order.
pub fn targets(config: &Config) -> Vec<Target> {
    let b = &config.backend;
    let mut out = Vec::new();
    let mut add = |endpoint: String, path: String, needs_auth: bool, extractor: Extractor| {
        // Paths are built from checked config values, so joining cannot fail; skip if it ever did.
        if let Ok(url) = b.base_url.join(path.trim_start_matches('/')) {
            out.push(Target {
                endpoint,
                path,
                url,
                needs_auth,
                extractor,
            });
        }
    };
    if b.kind == BackendKind::Pharos {
        let m = "/api/monitoring";
        let days = b.time_window_days;
        let list: [(&str, String, bool, Extractor); 16] = [
            ("health", format!("{m}/health"), false, Extractor::Health),
            (
                "health.ml",
                format!("{m}/health/ml"),
                false,
                Extractor::HealthMl,
            ),
            (
                "model_health",
                format!("{m}/model-health"),
                true,
                Extractor::ModelHealth,
            ),
            (
                "performance",
                format!("{m}/performance"),
                true,
                Extractor::Performance,
            ),
            (
                "recommendation_quality",
                format!("{m}/recommendation-quality?time_window_days={days}"),
                true,
                Extractor::RecommendationQuality,
            ),
            (
                "user_engagement",
                format!("{m}/user-engagement?time_window_days={days}"),
                true,
                Extractor::UserEngagement,
            ),
            (
                "database",
                format!("{m}/database"),
                true,
                Extractor::Database,
            ),
            ("db_pool", format!("{m}/db/pool"), true, Extractor::DbPool),
            ("events", format!("{m}/events"), true, Extractor::Events),
            (
                "events.history",
                format!("{m}/events/history?limit={}", b.events_limit),
                true,
                Extractor::EventsHistory,
            ),
            (
                "cache",
                format!("{m}/cache/stats"),
                true,
                Extractor::CacheStats,
            ),
            (
                "workers",
                format!("{m}/workers/status"),
                true,
                Extractor::Workers,
            ),
            (
                "ingestion.health",
                "/api/v1/ingestion/health".to_owned(),
                false,
                Extractor::IngestionHealth,
            ),
            (
                "ingestion.worker",
                "/api/v1/ingestion/worker/status".to_owned(),
                false,
                Extractor::IngestionWorker,
            ),
            (
                "ingestion.jobs",
                format!("/api/v1/ingestion/jobs/history?limit={}", b.jobs_limit),
                false,
                Extractor::IngestionJobs,
            ),
            // Placeholder keeps the array length fixed; modules follow below.
            ("", String::new(), false, Extractor::Generic(String::new())),
        ];
        for (id, path, auth, ex) in list {
            if !id.is_empty() {
                add(id.to_owned(), path, auth, ex);
            }
        }
        for module in &b.modules {
            add(
                format!("module.{module}"),
                format!("{m}/health/module/{module}"),
                false,
                Extractor::Module(module.clone()),
            );
        }
    }
    for e in &config.endpoints {
        out.push(Target {
            endpoint: format!("custom.{}", e.name),
            path: e.url.to_string(),
            url: e.url.clone(),
            needs_auth: e.auth,
            extractor: Extractor::Generic(e.name.clone()),
        });
    }
    out
}

/// Reads one parsed body. A wrong shape anywhere fails the whole reading (nothing half-read is kept).
pub fn extract(ex: &Extractor, body: &Value, sink: &mut Sink) -> Result<Verdict, Shape> {
    let root = Node::root(body);
    if !matches!(ex, Extractor::Generic(_)) {
        root.obj()?;
    }
    match ex {
        Extractor::Health => h::health(&root, sink),
        Extractor::HealthMl => h::health_ml(&root, sink),
        Extractor::ModelHealth => h::model_health(&root, sink),
        Extractor::Module(name) => h::module(&root, name, sink),
        Extractor::Performance => m::performance(&root, sink),
        Extractor::RecommendationQuality => m::recommendation_quality(&root, sink),
        Extractor::UserEngagement => m::user_engagement(&root, sink),
        Extractor::Database => m::database(&root, sink),
        Extractor::DbPool => {
            let status = envelope(&root)?;
            m::pool(&root.get("pool"), "db.pool", sink)?;
            Ok(failure_from(status, &root))
        }
        Extractor::Events => m::events(&root, sink),
        Extractor::EventsHistory => m::events_history(&root, sink),
        Extractor::CacheStats => m::cache(&root, sink),
        Extractor::Workers => m::workers(&root, sink),
        Extractor::IngestionHealth => h::ingestion_health(&root, sink),
        Extractor::IngestionWorker => h::ingestion_worker(&root, sink),
        Extractor::IngestionJobs => m::ingestion_jobs(&root, sink),
        Extractor::Generic(name) => generic::extract(name, &root, sink),
    }
}

/// Every monitoring envelope has a status word; a timestamp may be there too.
pub(super) fn envelope<'a>(root: &Node<'a>) -> Result<&'a str, Shape> {
    root.get("timestamp").opt_str()?;
    root.get("status").str()
}

/// `status: "error"` (or a non-null `error`) with HTTP 200 is the backend reporting failure.
pub(super) fn failure_from(status: &str, root: &Node<'_>) -> Verdict {
    let err = root.get("error").opt_str().ok().flatten();
    let msg = root.get("message").opt_str().ok().flatten();
    if status.eq_ignore_ascii_case("error") || err.is_some() {
        let text = err.or(msg).unwrap_or("backend reports status \"error\"");
        Verdict::BackendFailure(clip(text, 300))
    } else {
        Verdict::Ok
    }
}

/// `recommendations` -> `Recommendations`: how Pharos names its modules to people.
pub fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
