//! Demo backend: a simulated Pharos on 127.0.0.1 with moving values, incidents, auth, CORS and ingestion.

pub mod admin_api;
pub mod admin_ops;
pub mod endpoints;
pub mod metrics;
pub mod ml_api;
pub mod queue;
pub mod sim;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

use crate::collect::{RawReading, Target};
use crate::http::{self, HttpRequest, HttpResponse, HttpServer};
use queue::{Enqueue, MAX_QUEUE, Queue};
pub use sim::{Incident, Incidents, Sim};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Simulated time runs this many times faster than the clock.
    pub speed: f64,
    pub token: String,
    pub cors_origins: Vec<String>,
    pub incidents: Incidents,
    /// Really wait the simulated response time before answering.
    pub sleep: bool,
    /// Simulated time now reads this clock (then runs `speed` times faster).
    pub clock: crate::clock::Clock,
}

impl DemoOptions {
    /// A simulator read directly (filling history, benchmarks): no sleeping, no browser origins.
    pub fn quiet(seed: u64, token: String) -> DemoOptions {
        DemoOptions {
            seed,
            speed: 1.0,
            token,
            cors_origins: vec![],
            incidents: Incidents::Random,
            sleep: false,
            clock: crate::clock::Clock::system(),
        }
    }
}

/// One request as the simulator sees it.
#[derive(Debug, Clone, Copy)]
pub struct DemoRequest<'a> {
    pub method: &'a str,
    /// Path and query, raw.
    pub target: &'a str,
    pub authorization: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub body: &'a [u8],
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    pub latency_ms: f64,
}

#[derive(Debug)]
pub struct Demo {
    pub sim: Sim,
    opts: DemoOptions,
    queue: Mutex<Queue>,
    admin: Mutex<admin_ops::AdminState>,
    origin_real: f64,
    origin_sim: f64,
    sparse_runs: AtomicU64,
}

/// The system clock in seconds: only differences of it are used, scaled by the speed.
fn now_s() -> f64 {
    crate::clock::Clock::system().now_ms() as f64 / 1000.0
}

fn detail(status: u16, d: Value) -> (u16, Value) {
    (status, json!({ "detail": d }))
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

/// FastAPI-style validation of an integer query parameter.
fn int_param(
    query: &str,
    key: &str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, (u16, Value)> {
    match query_param(query, key) {
        None => Ok(default),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(detail(
                422,
                json!([{"loc": ["query", key], "msg": format!("Input should be an integer between {min} and {max}"), "type": "value_error"}]),
            )),
        },
    }
}

const PUBLIC_INGESTION: [&str; 3] = [
    "/api/v1/ingestion/health",
    "/api/v1/ingestion/worker/status",
    "/api/v1/ingestion/jobs/history",
];

impl Demo {
    /// A demo whose simulated history starts at `start_sim` (seconds); sim time now equals the
    /// options' clock.
    pub fn new(opts: DemoOptions, start_sim: f64) -> Demo {
        let now = now_s();
        let sim_now = opts.clock.now_ms() as f64 / 1000.0;
        Demo {
            sim: Sim {
                seed: opts.seed,
                incidents: opts.incidents.clone(),
            },
            queue: Mutex::new(Queue::new(start_sim.min(sim_now))),
            admin: Mutex::new(admin_ops::AdminState::default()),
            origin_real: now,
            origin_sim: sim_now,
            sparse_runs: AtomicU64::new(0),
            opts,
        }
    }

    pub fn token(&self) -> &str {
        &self.opts.token
    }

    /// The admin API's read-only token: it reads what the admin's reads, and every change it
    /// asks for is answered 403.
    pub fn viewer_token(&self) -> String {
        format!("viewer-{}", self.opts.token)
    }

    /// Current simulated time in seconds.
    pub fn sim_now(&self) -> f64 {
        self.origin_sim + (now_s() - self.origin_real) * self.opts.speed
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn allowed_origin<'a>(&self, origin: Option<&'a str>) -> Option<&'a str> {
        origin.filter(|o| self.opts.cors_origins.iter().any(|a| a == o))
    }

    /// Answers one request at sim time `t`.
    pub fn respond(&self, req: DemoRequest<'_>, t: f64) -> Reply {
        let (path, query) = req.target.split_once('?').unwrap_or((req.target, ""));
        let mut headers = vec![("Content-Type", "application/json".to_owned())];
        if let Some(o) = self.allowed_origin(req.origin) {
            headers.push(("Access-Control-Allow-Origin", o.to_owned()));
            headers.push(("Access-Control-Allow-Credentials", "true".to_owned()));
            headers.push(("Vary", "Origin".to_owned()));
        }
        let latency_ms = endpoints::latency_ms(&self.sim, path, t);
        // The exposition is text, not JSON.
        if path == admin_api::METRICS && req.method == "GET" {
            headers[0].1 = "text/plain; version=0.0.4; charset=utf-8".to_owned();
            return Reply {
                status: 200,
                body: admin_api::exposition(&self.sim, t).into_bytes(),
                headers,
                latency_ms,
            };
        }
        let (status, body) = if req.method == "OPTIONS" {
            match self.allowed_origin(req.origin) {
                Some(_) => {
                    headers.push((
                        "Access-Control-Allow-Methods",
                        "GET, POST, PUT, PATCH, OPTIONS".to_owned(),
                    ));
                    headers.push((
                        "Access-Control-Allow-Headers",
                        "Authorization, Content-Type, If-None-Match".to_owned(),
                    ));
                    headers.push(("Access-Control-Max-Age", "600".to_owned()));
                    (200, json!("OK"))
                }
                None => (400, json!("Disallowed CORS origin")),
            }
        } else {
            self.route(req, path, query, t).unwrap_or_else(|e| e)
        };
        if status == 401 {
            // As the real Pharos does (both versions): its auth middleware answers before CORS
            // runs, so a 401 carries no CORS headers and a browser on another origin sees a
            // network error, not the status.
            headers.retain(|(k, _)| !k.starts_with("Access-Control-") && *k != "Vary");
            headers.push(("WWW-Authenticate", "Bearer".to_owned()));
        }
        Reply {
            status,
            body: body.to_string().into_bytes(),
            headers,
            latency_ms,
        }
    }

    fn authorized(&self, req: &DemoRequest<'_>) -> Result<(), (u16, Value)> {
        match req.authorization {
            None => Err(detail(401, json!("Not authenticated"))),
            Some(h) => match h.strip_prefix("Bearer ") {
                Some(tok) if tok == self.opts.token => Ok(()),
                _ => Err(detail(401, json!("Invalid authentication credentials"))),
            },
        }
    }

    /// The admin API: its health and latency are public; WebSocket and middleware need a token
    /// (the admin's or the viewer's); a change needs the admin's.
    fn admin_route(
        &self,
        req: &DemoRequest<'_>,
        path: &str,
        query: &str,
        t: f64,
    ) -> Result<(u16, Value), (u16, Value)> {
        let admin = || {
            self.admin
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let guarded = path.starts_with("/api/v1/admin/websocket/")
            || path.starts_with("/api/v1/admin/middleware/");
        let viewer = format!("Bearer {}", self.viewer_token());
        let is_viewer = req.authorization == Some(viewer.as_str());
        if req.method == "GET" || req.method == "HEAD" {
            if guarded && !is_viewer {
                self.authorized(req)?;
            }
            if let Some(v) = admin().get(&self.sim, path, t) {
                return Ok((200, v));
            }
            if let Some(v) = admin_api::latency_detail(&self.sim, path, query, t) {
                return Ok((200, v));
            }
            return admin_api::respond(&self.sim, path, t)
                .map(|v| (200, v))
                .ok_or_else(|| detail(404, json!("Not Found")));
        }
        if is_viewer {
            return Err(detail(403, json!("Admin role required")));
        }
        self.authorized(req)?;
        if req.method == "POST"
            && let Some(v) = admin_api::check_now(&self.sim, path, t)
        {
            return Ok((200, v));
        }
        if req.method == "POST" && path.starts_with("/api/v1/admin/health/services/") {
            return Err(detail(404, json!("No such service")));
        }
        admin().change(&self.sim, req.method, path, req.body, t)
    }

    fn route(
        &self,
        req: DemoRequest<'_>,
        path: &str,
        query: &str,
        t: f64,
    ) -> Result<(u16, Value), (u16, Value)> {
        let sim = &self.sim;
        // The second backend, of another shape: public, read-only.
        if let Some(rest) = path.strip_prefix(admin_api::PREFIX) {
            return self.admin_route(&req, rest, query, t);
        }
        if let Some(rest) = path.strip_prefix(ml_api::PREFIX) {
            if req.method != "GET" && req.method != "HEAD" {
                return Err(detail(405, json!("Method Not Allowed")));
            }
            return ml_api::respond(sim, rest, t)
                .map(|v| (200, v))
                .ok_or_else(|| detail(404, json!("Not Found")));
        }
        // As the older Pharos: everything under the two health prefixes is public (so its
        // unknown `/api/v1/ingestion/health/worker` answers 404 to anyone), and so are the
        // worker status and job history.
        let public = path == "/api/monitoring/health"
            || path.starts_with("/api/monitoring/health/")
            || path.starts_with("/api/v1/ingestion/health/")
            || (req.method == "GET" && PUBLIC_INGESTION.contains(&path));
        if !public {
            self.authorized(&req)?;
        }
        if req.method == "POST" {
            if let Some(tail) = path.strip_prefix("/api/v1/ingestion/ingest/") {
                return self.ingest(tail, t);
            }
            if path == "/api/search/admin/sparse-embeddings/generate" {
                return self.sparse(req.body);
            }
            return Err(detail(405, json!("Method Not Allowed")));
        }
        if req.method != "GET" && req.method != "HEAD" {
            return Err(detail(405, json!("Method Not Allowed")));
        }
        let monitoring =
            path.starts_with("/api/monitoring/") && !path.starts_with("/api/monitoring/health");
        if monitoring
            && sim.has(t, Incident::ErrorSpike)
            && sim.u01(path, (t / 10.0).floor() as i64) < 0.3
        {
            return Err(detail(500, json!("Internal Server Error")));
        }
        let body = match path {
            "/api/monitoring/health" => endpoints::health(sim, t),
            "/api/monitoring/health/ml" => endpoints::health_ml(sim, t),
            "/api/monitoring/model-health" => endpoints::model_health(sim, t),
            "/api/monitoring/performance" => metrics::performance(sim, t),
            "/api/monitoring/recommendation-quality" => metrics::recommendation_quality(
                sim,
                t,
                int_param(query, "time_window_days", 7, 1, 90)?,
            ),
            "/api/monitoring/user-engagement" => {
                metrics::user_engagement(sim, t, int_param(query, "time_window_days", 7, 1, 90)?)
            }
            "/api/monitoring/database" => metrics::database(sim, t),
            "/api/monitoring/db/pool" => metrics::db_pool(sim, t),
            "/api/monitoring/events" => metrics::events(sim, t),
            "/api/monitoring/events/history" => {
                metrics::events_history(sim, t, int_param(query, "limit", 100, 1, 1000)? as usize)
            }
            "/api/monitoring/cache/stats" => metrics::cache_stats(sim, t),
            "/api/monitoring/workers/status" => {
                let mut q = self.queue();
                q.advance(sim, t);
                metrics::workers(sim, t, &q)
            }
            "/api/v1/ingestion/health" => endpoints::ingestion_health(sim, t),
            "/api/v1/ingestion/worker/status" => {
                let mut q = self.queue();
                q.advance(sim, t);
                endpoints::worker_status(sim, t, &q)
            }
            "/api/v1/ingestion/jobs/history" => {
                let limit = int_param(query, "limit", 10, 1, 100)?;
                let mut q = self.queue();
                q.advance(sim, t);
                q.history_json(limit as usize, t)
            }
            _ => match path.strip_prefix("/api/monitoring/health/module/") {
                Some(name) if crate::config::PHAROS_MODULES.contains(&name) => {
                    endpoints::module(sim, name, t)
                }
                Some(_) => return Err(detail(404, json!("Module not found"))),
                None => return Err(detail(404, json!("Not Found"))),
            },
        };
        Ok((200, body))
    }

    fn ingest(&self, raw_url: &str, t: f64) -> Result<(u16, Value), (u16, Value)> {
        let url = percent_encoding::percent_decode_str(raw_url)
            .decode_utf8_lossy()
            .into_owned();
        let valid = reqwest::Url::parse(&url).ok().is_some_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && u.path_segments()
                    .is_some_and(|s| s.filter(|x| !x.is_empty()).count() >= 2)
        });
        if !valid {
            return Err(detail(400, json!(format!("Invalid repository URL: {url}"))));
        }
        if self.sim.has(t, Incident::RedisDown) {
            return Err(detail(
                503,
                json!("Queue store unavailable: Redis connection refused"),
            ));
        }
        match self.queue().enqueue(&self.sim, &url, t) {
            Enqueue::Queued {
                job_id,
                position,
                size,
            } => Ok((
                200,
                json!({
                    "status": "dispatched",
                    "job_id": job_id,
                    "queue_position": position,
                    "target": "Edge-Worker",
                    "queue_size": size,
                    "max_queue_size": MAX_QUEUE,
                    "message": format!("Task queued successfully. Position: {position}/{MAX_QUEUE}"),
                }),
            )),
            Enqueue::Full => Err(detail(
                429,
                json!(format!(
                    "Queue is full ({MAX_QUEUE}/{MAX_QUEUE}). Try again later."
                )),
            )),
            Enqueue::WorkerOffline {
                last_seen_seconds_ago,
            } => Err(detail(
                503,
                json!({"error": "Edge worker offline", "last_seen_seconds_ago": last_seen_seconds_ago}),
            )),
        }
    }

    fn sparse(&self, body: &[u8]) -> Result<(u16, Value), (u16, Value)> {
        let v: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(body)
                .map_err(|e| detail(422, json!(format!("Invalid JSON body: {e}"))))?
        };
        let ids = match v.get("resource_ids") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) if a.iter().all(|x| x.is_string() || x.is_number()) => {
                Some(a.len())
            }
            Some(_) => return Err(detail(422, json!("resource_ids must be a list of ids"))),
        };
        let batch = match v.get("batch_size") {
            None | Some(Value::Null) => 32,
            Some(b) => match b.as_u64() {
                Some(n) if (1..=1000).contains(&n) => n,
                _ => return Err(detail(422, json!("batch_size must be between 1 and 1000"))),
            },
        };
        let run = self.sparse_runs.fetch_add(1, Ordering::Relaxed);
        let n = ids.unwrap_or(1_200 + (run as usize % 7) * 13) as u64;
        Ok((
            200,
            json!({
                "status": "completed",
                "job_id": endpoints::uuid_from(self.sim.hash("sparse", run as i64), self.sim.hash("sparse2", run as i64)),
                "estimated_duration_minutes": n.div_ceil(batch * 20).max(1),
                "resources_to_process": n,
            }),
        ))
    }

    /// What reading every target at sim time `t` would give, without HTTP (for filling history fast).
    pub fn readings_at(&self, targets: &[Target], t: f64) -> Vec<RawReading> {
        let auth = format!("Bearer {}", self.opts.token);
        targets
            .iter()
            .map(|target| {
                let mut path = target.url.path().to_owned();
                if let Some(q) = target.url.query() {
                    path.push('?');
                    path.push_str(q);
                }
                let reply = self.respond(
                    DemoRequest {
                        method: "GET",
                        target: &path,
                        authorization: target.send_token.then_some(auth.as_str()),
                        origin: None,
                        body: &[],
                    },
                    t,
                );
                RawReading {
                    target: target.clone(),
                    http_status: Some(reply.status),
                    latency_ms: reply.latency_ms,
                    attempts: 1,
                    tls_not_after_ms: None,
                    body: Ok(reply.body),
                }
            })
            .collect()
    }
}

/// The running demo HTTP server.
#[derive(Debug)]
pub struct DemoServer {
    pub addr: SocketAddr,
    server: HttpServer,
}

impl DemoServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(self) {
        self.server.stop();
    }
}

/// Serves `demo` on 127.0.0.1:`port` (0 picks a free port). Never binds another interface.
pub fn serve(demo: Arc<Demo>, port: u16) -> std::io::Result<DemoServer> {
    let server = http::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Arc::new(move |req: HttpRequest| answer(&demo, &req)),
    )?;
    Ok(DemoServer {
        addr: server.addr,
        server,
    })
}

fn answer(demo: &Demo, req: &HttpRequest) -> HttpResponse {
    let reply = demo.respond(
        DemoRequest {
            method: &req.method,
            target: &req.target,
            authorization: req.header("Authorization"),
            origin: req.header("Origin"),
            body: &req.body,
        },
        demo.sim_now(),
    );
    HttpResponse {
        status: reply.status,
        headers: reply
            .headers
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        body: reply.body,
        delay: if demo.opts.sleep {
            Duration::from_secs_f64(reply.latency_ms.min(1500.0) / 1000.0)
        } else {
            Duration::ZERO
        },
    }
}

#[cfg(test)]
mod tests;
