//! Pharos: which endpoints a snapshot reads, and how each answer becomes metrics, parts and facts.

mod health;
pub mod lists;
mod metrics;
pub mod profile;

use serde_json::Value;

use super::{Capabilities, Profile, Source, Undecodable, json_body};
use crate::collect::Target;
use crate::collect::extract::{Node, Shape, Sink, Verdict, clip};
use crate::config::{BackendKind, Config};
use health as h;
use metrics as m;

/// The Pharos monitoring API (`kind = "pharos"`).
#[derive(Debug)]
pub struct Pharos;

const KIND: &str = "pharos";

impl Source for Pharos {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn targets(&self, config: &Config) -> Vec<Target> {
        targets(config)
    }

    fn decode(
        &self,
        target: &Target,
        body: &[u8],
        sink: &mut Sink,
    ) -> Result<Verdict, Undecodable> {
        let value = json_body(body)?;
        // The older Pharos answers some failures as `[body, code]` with HTTP 200.
        let (value, code) = match value {
            Value::Array(mut a) if a.len() == 2 && a[0].is_object() && a[1].is_u64() => {
                let code = a[1].as_u64();
                (a.swap_remove(0), code)
            }
            v => (v, None),
        };
        let verdict = match (extract(&target.endpoint, &value, sink)?, code) {
            (Verdict::Ok, Some(c)) if c >= 400 => {
                Verdict::BackendFailure(format!("body reports HTTP {c}"))
            }
            (v, _) => v,
        };
        match target.endpoint.as_str() {
            "events.history" => sink.lists.events = lists::recent_events(body),
            "ingestion.jobs" => sink.lists.jobs = lists::job_history(body),
            _ => {}
        }
        Ok(verdict)
    }

    /// Pharos says how it is (its health word) but measures none of its requests' errors, rate
    /// or latency; its per-method call counts are operations, not requests.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            availability: true,
            ..Capabilities::default()
        }
    }

    fn profile(&self) -> Profile {
        profile::PROFILE
    }

    fn reads_error_bodies(&self) -> bool {
        true
    }
}

/// Every Pharos endpoint a snapshot reads for this config, in a stable order.
fn targets(config: &Config) -> Vec<Target> {
    let b = &config.backend;
    if b.kind != BackendKind::Pharos {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut add = |endpoint: String, path: String, needs_auth: bool| {
        // Paths are built from checked config values, so joining cannot fail; skip if it ever did.
        if let Ok(url) = b.base_url.join(path.trim_start_matches('/')) {
            out.push(Target {
                health: endpoint == "health",
                endpoint,
                path,
                url,
                needs_auth,
                // The newest Pharos protects worker/status and jobs/history, the older one
                // left them public: the token goes to every Pharos endpoint when configured.
                send_token: true,
                source: KIND,
            });
        }
    };
    let m = "/api/monitoring";
    let days = b.time_window_days;
    let list: [(&str, String, bool); 15] = [
        ("health", format!("{m}/health"), false),
        ("health.ml", format!("{m}/health/ml"), false),
        ("model_health", format!("{m}/model-health"), true),
        ("performance", format!("{m}/performance"), true),
        (
            "recommendation_quality",
            format!("{m}/recommendation-quality?time_window_days={days}"),
            true,
        ),
        (
            "user_engagement",
            format!("{m}/user-engagement?time_window_days={days}"),
            true,
        ),
        ("database", format!("{m}/database"), true),
        ("db_pool", format!("{m}/db/pool"), true),
        ("events", format!("{m}/events"), true),
        (
            "events.history",
            format!("{m}/events/history?limit={}", b.events_limit),
            true,
        ),
        ("cache", format!("{m}/cache/stats"), true),
        ("workers", format!("{m}/workers/status"), true),
        (
            "ingestion.health",
            "/api/v1/ingestion/health".to_owned(),
            false,
        ),
        (
            "ingestion.worker",
            "/api/v1/ingestion/worker/status".to_owned(),
            false,
        ),
        (
            "ingestion.jobs",
            format!("/api/v1/ingestion/jobs/history?limit={}", b.jobs_limit),
            false,
        ),
    ];
    for (id, path, auth) in list {
        add(id.to_owned(), path, auth);
    }
    for module in &b.modules {
        add(
            format!("module.{module}"),
            format!("{m}/health/module/{module}"),
            false,
        );
    }
    out
}

/// Reads one parsed body of the endpoint `id`. A wrong shape anywhere fails the whole reading
/// (nothing half-read is kept).
pub fn extract(id: &str, body: &Value, sink: &mut Sink) -> Result<Verdict, Shape> {
    let root = Node::root(body);
    root.obj()?;
    if let Some(name) = id.strip_prefix("module.") {
        return h::module(&root, name, sink);
    }
    match id {
        "health" => h::health(&root, sink),
        "health.ml" => h::health_ml(&root, sink),
        "model_health" => h::model_health(&root, sink),
        "performance" => m::performance(&root, sink),
        "recommendation_quality" => m::recommendation_quality(&root, sink),
        "user_engagement" => m::user_engagement(&root, sink),
        "database" => m::database(&root, sink),
        "db_pool" => {
            let status = envelope(&root)?;
            m::pool(&root.get("pool"), "db.pool", sink)?;
            Ok(failure_from(status, &root))
        }
        "events" => m::events(&root, sink),
        "events.history" => m::events_history(&root, sink),
        "cache" => m::cache(&root, sink),
        "workers" => m::workers(&root, sink),
        "ingestion.health" => h::ingestion_health(&root, sink),
        "ingestion.worker" => h::ingestion_worker(&root, sink),
        "ingestion.jobs" => m::ingestion_jobs(&root, sink),
        other => Err(Shape(format!("no Pharos endpoint is called {other:?}"))),
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
