//! The demo's admin API and Prometheus exposition, the design's other backends: services with
//! their dependencies and per-endpoint latency (read as mapped JSON), and request counters and a
//! latency histogram (read as `kind = "prometheus"`).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::sim::{Incident, Sim};
use crate::config::{Backend, BackendKind, PromOptions, SourceConfig};

/// Where the admin API lives on the demo server.
pub const PREFIX: &str = "/admin-api";
/// Where the exposition lives.
pub const METRICS: &str = "/prom/metrics";

/// `(name, id, needs)`: the services and what each needs.
const SERVICES: [(&str, &str, &[&str]); 5] = [
    ("API gateway", "gateway", &["auth", "search"]),
    ("Auth", "auth", &["users-db"]),
    ("Search", "search", &["index"]),
    ("Users database", "users-db", &[]),
    ("Search index", "index", &[]),
];

const ROUTES: [(&str, &str, f64); 4] = [
    ("GET", "/api/items", 40.0),
    ("POST", "/api/items", 120.0),
    ("GET", "/api/search", 90.0),
    ("GET", "/api/users/{id}", 25.0),
];

/// The answer to `path` (below `PREFIX`) at sim time `t`.
pub fn respond(sim: &Sim, path: &str, t: f64) -> Option<Value> {
    let slow = sim.has(t, Incident::LatencyRegression);
    let errors = sim.has(t, Incident::ErrorSpike);
    Some(match path {
        "/api/v1/admin/health/services" => {
            let services: Vec<Value> = SERVICES
                .iter()
                .map(|(name, id, needs)| {
                    let status = if *id == "index" && slow {
                        "degraded"
                    } else {
                        "healthy"
                    };
                    json!({
                        "id": id, "name": name, "status": status,
                        "last_check": model::time::format_iso((t * 1000.0) as i64),
                        "uptime_pct": if status == "healthy" { 99.98 } else { 99.2 },
                        "dependencies": needs,
                    })
                })
                .collect();
            json!({ "services": services })
        }
        "/api/v1/admin/health/dependencies" => {
            let edges: Vec<Value> = SERVICES
                .iter()
                .flat_map(|(_, id, needs)| needs.iter().map(move |n| json!({"from": id, "to": n})))
                .collect();
            json!({ "edges": edges })
        }
        "/api/v1/admin/latency/summary" => {
            let endpoints: Vec<Value> = ROUTES
                .iter()
                .filter_map(|(method, path, _)| {
                    let (p50, p95, p99, _) = route_at(sim, method, path, t)?;
                    Some(json!({
                        "path": path, "method": method, "p50": p50, "p95": p95, "p99": p99,
                        "count": sim.counter(2.0, t) as u64 + if errors { 1 } else { 0 },
                    }))
                })
                .collect();
            json!({ "endpoints": endpoints })
        }
        _ => return service_history(sim, path, t),
    })
}

/// `GET /api/v1/admin/health/services/{id}/history`: its last 30 days, oldest first.
fn service_history(sim: &Sim, path: &str, t: f64) -> Option<Value> {
    let id = path
        .strip_prefix("/api/v1/admin/health/services/")?
        .strip_suffix("/history")?;
    SERVICES.iter().find(|(_, i, _)| *i == id)?;
    let today = (t / 86_400.0).floor() * 86_400.0;
    let days: Vec<Value> = (0..30)
        .rev()
        .map(|d| {
            let day = today - f64::from(d) * 86_400.0;
            let bad = sim.u01(id, day as i64) < 0.1;
            json!({
                "day": model::time::day_of((day * 1000.0) as i64),
                "uptime_pct": if bad { 99.2 } else { 99.99 },
                "status": if bad { "degraded" } else { "healthy" },
            })
        })
        .collect();
    Some(json!({ "id": id, "days": days }))
}

/// The percentiles of route `(method, path)` at sim time `t`, or `None` for an unknown route.
fn route_at(sim: &Sim, method: &str, path: &str, t: f64) -> Option<(f64, f64, f64, u64)> {
    let (_, _, base) = ROUTES.iter().find(|(m, p, _)| *m == method && *p == path)?;
    let slow = sim.has(t, Incident::LatencyRegression);
    let p95 = base * (1.0 + sim.load(t)) * if slow { 4.0 } else { 1.0 };
    Some((
        (p95 * 0.4).round(),
        p95.round(),
        (p95 * 1.7).round(),
        (60.0 * 20.0 * (0.3 + sim.load(t))) as u64,
    ))
}

/// `GET /api/v1/admin/latency/endpoints/{path}/histogram?method=M` and `.../trend?method=M`
/// (below `PREFIX`, the path percent-encoded): one route's buckets now, and its last 24 hours.
pub fn latency_detail(sim: &Sim, path: &str, query: &str, t: f64) -> Option<Value> {
    let rest = path.strip_prefix("/api/v1/admin/latency/endpoints/")?;
    let (route, what) = rest.rsplit_once('/')?;
    let route = percent_encoding::percent_decode_str(route)
        .decode_utf8()
        .ok()?;
    let method = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("method="))
        .unwrap_or("GET");
    let (p50, p95, _, count) = route_at(sim, method, &route, t)?;
    Some(match what {
        "histogram" => {
            // Requests of the last hour by how long they took, shaped by the route's p50 and p95.
            let bounds: [(f64, &str); 7] = [
                (25.0, "0-25"),
                (50.0, "25-50"),
                (100.0, "50-100"),
                (250.0, "100-250"),
                (500.0, "250-500"),
                (1000.0, "500-1000"),
                (f64::INFINITY, "1000+"),
            ];
            let share = |x: f64| 1.0 - (-(x / p50.max(1.0)) * std::f64::consts::LN_2).exp();
            let mut below = 0.0;
            let buckets: Vec<Value> = bounds
                .iter()
                .map(|(hi, range)| {
                    let upto = if hi.is_finite() { share(*hi) } else { 1.0 };
                    let n = ((upto - below) * count as f64).round();
                    below = upto;
                    json!({"range": range, "count": n})
                })
                .collect();
            json!({"path": route, "method": method, "p95": p95, "buckets": buckets})
        }
        "trend" => {
            let now_hour = (t / 3600.0).floor() * 3600.0;
            let points: Vec<Value> = (0..24)
                .rev()
                .filter_map(|h| {
                    let at = now_hour - f64::from(h) * 3600.0;
                    let (p50, p95, p99, count) = route_at(sim, method, &route, at)?;
                    Some(json!({
                        "hour": model::time::format_iso((at * 1000.0) as i64),
                        "p50": p50, "p95": p95, "p99": p99, "count": count,
                    }))
                })
                .collect();
            json!({"path": route, "method": method, "points": points})
        }
        _ => return None,
    })
}

/// `POST /api/v1/admin/health/services/{id}/check` (below `PREFIX`): the service checked now,
/// as the design's admin API answers within 5 s; `None` for an unknown service.
pub fn check_now(sim: &Sim, path: &str, t: f64) -> Option<Value> {
    let id = path
        .strip_prefix("/api/v1/admin/health/services/")?
        .strip_suffix("/check")?;
    let (name, _, _) = SERVICES.iter().find(|(_, i, _)| *i == id)?;
    let slow = sim.has(t, Incident::LatencyRegression);
    let status = if id == "index" && slow {
        "degraded"
    } else {
        "healthy"
    };
    Some(json!({
        "id": id, "name": name, "status": status,
        "checked_at": model::time::format_iso((t * 1000.0) as i64),
        "response_ms": (8.0 + 30.0 * sim.load(t)).round(),
    }))
}

/// The exposition at sim time `t`: request counters by status code, a latency histogram.
pub fn exposition(sim: &Sim, t: f64) -> String {
    let errors = sim.has(t, Incident::ErrorSpike);
    let slow = sim.has(t, Incident::LatencyRegression);
    let total = sim.counter(20.0, t);
    let failed = sim.counter(if errors { 1.2 } else { 0.04 }, t);
    let mut out = String::from(
        "# HELP http_requests_total Requests served, by status code.\n# TYPE http_requests_total counter\n",
    );
    let _ = writeln!(
        out,
        "http_requests_total{{code=\"200\"}} {}",
        total - failed.min(total)
    );
    let _ = writeln!(
        out,
        "http_requests_total{{code=\"500\"}} {}",
        failed.min(total)
    );
    out.push_str("# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n");
    // The share of requests under each bound; a regression moves them right.
    let shares: [(&str, f64); 6] = if slow {
        [
            ("0.05", 0.1),
            ("0.1", 0.3),
            ("0.25", 0.6),
            ("0.5", 0.85),
            ("1", 0.97),
            ("+Inf", 1.0),
        ]
    } else {
        [
            ("0.05", 0.55),
            ("0.1", 0.85),
            ("0.25", 0.97),
            ("0.5", 0.995),
            ("1", 0.999),
            ("+Inf", 1.0),
        ]
    };
    for (le, share) in shares {
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{le=\"{le}\"}} {}",
            (total * share).floor()
        );
    }
    let _ = writeln!(out, "http_request_duration_seconds_count {total}");
    let _ = writeln!(
        out,
        "http_request_duration_seconds_sum {}",
        total * if slow { 0.3 } else { 0.06 }
    );
    out.push_str("# TYPE demo_queue_depth gauge\n");
    let _ = writeln!(
        out,
        "demo_queue_depth {}",
        (5.0 + 20.0 * sim.load(t)).round()
    );
    out
}

/// The repository's example config of the admin API, which the demo reads as it is (its address
/// and token variable aside), so the example is the demo's and is known to work.
pub const EXAMPLE: &str = include_str!("../../../examples/admin-api.toml");

/// The admin API as a mapped JSON source (from `EXAMPLE`), and the exposition as a Prometheus
/// source, of a demo site whose Pharos is at `base`.
pub fn sources(base: &str, like: &Backend) -> Result<Vec<SourceConfig>, String> {
    let base = base.trim_end_matches('/');
    let text = EXAMPLE
        .replace("https://admin.example.com/", &format!("{base}{PREFIX}/"))
        .replace("\"ADMIN_TOKEN\"", &format!("{:?}", like.token_env));
    let cfg =
        crate::config::Config::from_toml(&text, std::path::Path::new("examples/admin-api.toml"))
            .map_err(|e| e.to_string())?;
    let admin = SourceConfig {
        name: cfg.source_name,
        backend: Backend {
            kind: BackendKind::Json,
            ..cfg.backend
        },
        endpoints: cfg.endpoints,
        sections: cfg
            .site
            .sections
            .into_iter()
            .map(|mut s| {
                s.primary = false;
                s
            })
            .collect(),
    };
    let prom_url = reqwest::Url::parse(&format!("{base}/prom/")).map_err(|e| e.to_string())?;
    let metrics = SourceConfig {
        name: "metrics".into(),
        backend: Backend {
            base_url: prom_url.clone(),
            public_url: prom_url,
            kind: BackendKind::Prometheus,
            prom: PromOptions::default(),
            ..like.clone()
        },
        endpoints: vec![],
        sections: Vec::new(),
    };
    Ok(vec![admin, metrics])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sim::Incidents;

    #[test]
    fn its_answers_read_as_their_kinds_read_them() {
        let sim = Sim {
            seed: 3,
            incidents: Incidents::Fixed(vec![]),
        };
        let t = 1_790_000_000.0;
        let services = respond(&sim, "/api/v1/admin/health/services", t).expect("services");
        assert_eq!(services["services"].as_array().map(Vec::len), Some(5));
        let history =
            respond(&sim, "/api/v1/admin/health/services/auth/history", t).expect("history");
        assert_eq!(history["days"].as_array().map(Vec::len), Some(30));
        assert!(respond(&sim, "/api/v1/admin/health/services/nope/history", t).is_none());
        let deps = respond(&sim, "/api/v1/admin/health/dependencies", t).expect("dependencies");
        assert_eq!(deps["edges"][0], json!({"from": "gateway", "to": "auth"}));
        assert!(respond(&sim, "/nope", t).is_none());
        let text = exposition(&sim, t);
        let families = crate::collect::sources::prometheus::parse::parse(&text).expect("parses");
        assert_eq!(families.len(), 3);
        let later = exposition(&sim, t + 60.0);
        assert_ne!(text, later, "counters move with sim time");
    }
}
