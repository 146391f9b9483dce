//! Pharos: which endpoints a snapshot reads, and how each answer becomes metrics, parts and facts.

mod health;
pub mod lists;
mod metrics;
pub mod profile;
pub mod routes;
mod settle;
pub use settle::VERSION;

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

    fn follow_up(&self, config: &Config, first: &[crate::collect::RawReading]) -> Vec<Target> {
        if config.backend.kind != BackendKind::Pharos {
            return Vec::new();
        }
        module_targets(config, first)
    }

    fn settle(&self, sink: &mut Sink, outcomes: &[model::EndpointOutcome]) {
        h::settle_worker(sink);
        settle::version(sink, outcomes);
        settle::unread_parts(sink, outcomes);
    }

    fn decode(
        &self,
        target: &Target,
        body: &[u8],
        sink: &mut Sink,
    ) -> Result<Verdict, Undecodable> {
        if let Some(named) = routes_target(&target.endpoint) {
            // Parsed once here (and once more in `follow_up`, which sees only raw readings);
            // the JSON is checked apart only to name a syntax error as such.
            let Some(r) = routes::parse(body) else {
                json_body(body)?;
                return Err(Undecodable::Shape(
                    "not an OpenAPI route list (`paths`)".into(),
                ));
            };
            // Modules without a check of their own are unknown; the placeholder answer for
            // them would say nothing more, so they are not asked. Named modules are read one
            // by one (`follow_up`).
            if !named {
                for (name, _) in r.modules.iter().filter(|(_, c)| c.is_none()) {
                    let mut part = Sink::part("unknown", &title_case(name), "");
                    part.word = routes::NO_CHECK.to_owned();
                    sink.modules.push(part);
                }
            }
            return Ok(Verdict::Ok);
        }
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

/// Every Pharos endpoint a snapshot reads first, in a stable order; the modules follow from
/// the route list (`follow_up`).
fn targets(config: &Config) -> Vec<Target> {
    let b = &config.backend;
    if b.kind != BackendKind::Pharos {
        return Vec::new();
    }
    let m = "/api/monitoring";
    let days = b.time_window_days;
    // (id, path, needs the token, absent from some versions)
    let list: [(&str, String, bool, bool); 17] = [
        ("health", format!("{m}/health"), false, false),
        ("health.ml", format!("{m}/health/ml"), false, false),
        ("model_health", format!("{m}/model-health"), true, false),
        ("performance", format!("{m}/performance"), true, false),
        (
            "recommendation_quality",
            format!("{m}/recommendation-quality?time_window_days={days}"),
            true,
            false,
        ),
        (
            "user_engagement",
            format!("{m}/user-engagement?time_window_days={days}"),
            true,
            false,
        ),
        ("database", format!("{m}/database"), true, false),
        ("db_pool", format!("{m}/db/pool"), true, false),
        ("events", format!("{m}/events"), true, false),
        (
            "events.history",
            format!("{m}/events/history?limit={}", b.events_limit),
            true,
            false,
        ),
        ("cache", format!("{m}/cache/stats"), true, false),
        ("workers", format!("{m}/workers/status"), true, false),
        (
            "ingestion.health",
            "/api/v1/ingestion/health".into(),
            false,
            false,
        ),
        // The newest version's worker reports only here (its heartbeat); the older has no route.
        (
            "ingestion.heartbeat",
            "/api/v1/ingestion/health/worker".into(),
            false,
            true,
        ),
        // The newest protects worker/status and jobs/history, the older left them public.
        (
            "ingestion.worker",
            "/api/v1/ingestion/worker/status".into(),
            true,
            false,
        ),
        (
            "ingestion.jobs",
            format!("/api/v1/ingestion/jobs/history?limit={}", b.jobs_limit),
            true,
            false,
        ),
        // The route list: which modules this version has and which check themselves.
        (
            if b.modules_named {
                ROUTES_NAMED
            } else {
                ROUTES
            },
            "/openapi.json".into(),
            false,
            true,
        ),
    ];
    list.into_iter()
        .filter_map(|(id, path, needs_auth, optional)| {
            let mut t = target(config, id.to_owned(), path)?;
            t.health = id == "health";
            t.needs_auth = needs_auth;
            t.optional = optional;
            t.keep_body = routes_target(id).is_none();
            Some(t)
        })
        .collect()
}

/// The route list's endpoint id: its modules are the ones shown.
const ROUTES: &str = "routes";
/// Its id when config names the modules: read only to find their own checks.
const ROUTES_NAMED: &str = "routes.checks";

/// `Some(named)` when `id` is the route list.
fn routes_target(id: &str) -> Option<bool> {
    match id {
        ROUTES => Some(false),
        ROUTES_NAMED => Some(true),
        _ => None,
    }
}

/// A target at `path` below the base URL. Paths are built from checked config values and the
/// backend's own route list, so joining does not fail; such a path is skipped if it ever did.
fn target(config: &Config, endpoint: String, path: String) -> Option<Target> {
    let url = config
        .backend
        .base_url
        .join(path.trim_start_matches('/'))
        .ok()?;
    Some(Target::new(KIND, endpoint, path, url))
}

/// The module reads, once the route list answered (or did not). Modules come from the route
/// list unless config names them; each is read at its own health check where it has one, else
/// at `/health/module/{name}`, whose placeholder answer reads "no health check registered".
fn module_targets(config: &Config, first: &[crate::collect::RawReading]) -> Vec<Target> {
    let asked = first
        .iter()
        .find(|r| r.target.source == KIND && routes_target(&r.target.endpoint).is_some());
    let routes = asked
        .filter(|r| r.http_status == Some(200))
        .and_then(|r| r.body.as_ref().ok())
        .and_then(|b| routes::parse(b))
        .unwrap_or_default();
    let b = &config.backend;
    // A backend without a route list (404) gets the contract's modules. One whose list could
    // not be read now (a refused token, a timeout) gets none: the contract's names may not exist
    // in its version, and the modules seen before stay, unknown (`collect::carry_unread`).
    let no_list = asked.is_none_or(|r| r.http_status == Some(404));
    if !b.modules_named && routes.modules.is_empty() && !no_list {
        return Vec::new();
    }
    let names: Vec<String> = if b.modules_named || routes.modules.is_empty() {
        b.modules.clone()
    } else {
        routes.modules.keys().cloned().collect()
    };
    let discovered = !b.modules_named && !routes.modules.is_empty();
    names
        .into_iter()
        .filter_map(|name| {
            let (path, own) = match routes.modules.get(&name).cloned().flatten() {
                Some(p) => (p, true),
                // The route list's own parts say so (`decode`).
                None if discovered => return None,
                None => (format!("/api/monitoring/health/module/{name}"), false),
            };
            let mut t = target(config, format!("module.{name}"), path)?;
            // Some versions protect a module's own check; the placeholder is public in all.
            t.needs_auth = own;
            Some(t)
        })
        .collect()
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
        "ingestion.heartbeat" => h::heartbeat(&root, sink),
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

#[cfg(test)]
mod tests;
