//! The demo's second backend, of another shape than Pharos: the design's ML API
//! (`/ml-api/health`, `/ml-api/metrics/current`, `/ml-api/alerts/active`), read as a JSON source.
//! It measures its own requests (rate, latency, error rate), which Lookout shows under its names.

use serde_json::{Value, json};

use super::sim::{Incident, Sim};

/// Where the ML API lives on the demo server.
pub const PREFIX: &str = "/ml-api";

/// The endpoints a demo site reads of it: `(name, path below its base URL)`.
pub const ENDPOINTS: [(&str, &str); 3] = [
    ("health", "health"),
    ("metrics", "metrics/current"),
    ("alerts", "alerts/active"),
];

/// The ML API as a source of a demo site whose Pharos is at `base` (`http://127.0.0.1:8765`):
/// a JSON source named `ml-api` with the first source's policy.
pub fn source(
    base: &str,
    like: &crate::config::Backend,
) -> Result<crate::config::SourceConfig, String> {
    let base_url = reqwest::Url::parse(&format!("{}{PREFIX}/", base.trim_end_matches('/')))
        .map_err(|e| e.to_string())?;
    let endpoints = ENDPOINTS
        .iter()
        .map(|(name, path)| {
            Ok(crate::config::Endpoint {
                name: (*name).to_owned(),
                url: base_url.join(path).map_err(|e| e.to_string())?,
                auth: false,
                health: *name == "health",
                maps: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(crate::config::SourceConfig {
        name: "ml-api".to_owned(),
        backend: crate::config::Backend {
            base_url,
            kind: crate::config::BackendKind::Json,
            ..like.clone()
        },
        endpoints,
        sections: Vec::new(),
    })
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// The answer to `path` (below `PREFIX`) at simulated time `t`, or `None` for an unknown path.
pub fn respond(sim: &Sim, path: &str, t: f64) -> Option<Value> {
    let load = sim.load(t);
    let slow = sim.has(t, Incident::LatencyRegression);
    let errors = sim.has(t, Incident::ErrorSpike);
    let p95 = 80.0 + 60.0 * load + if slow { 400.0 } else { 0.0 } + 8.0 * sim.noise("ml-p95", t);
    let error_rate = if errors { 6.5 } else { 0.2 } + 0.05 * sim.noise("ml-err", t).abs();
    let ts = model::time::format_iso((t * 1000.0) as i64);
    Some(match path {
        "/health" => {
            let (status, message) = if errors {
                ("degraded", "prediction errors above 5 %")
            } else {
                ("healthy", "serving predictions")
            };
            json!({"status": status, "message": message, "timestamp": ts})
        }
        "/metrics/current" => json!({
            "timestamp": ts,
            "api_metrics": {
                "requests_per_minute": round(600.0 * load + 20.0 * sim.noise("ml-rpm", t), 1),
                "avg_response_time_ms": round(p95 * 0.45, 1),
                "p95_response_time_ms": round(p95, 1),
                "p99_response_time_ms": round(p95 * 1.6, 1),
                "error_rate_percent": round(error_rate, 2),
            },
            "system_metrics": {
                "uptime_seconds": (t - sim.last_restart(t)).max(0.0).floor(),
                "memory_percent": round(52.0 + 6.0 * load, 1),
                "cpu_percent": round(18.0 + 50.0 * load, 1),
                "disk_percent": 61.0,
            },
            "cache_metrics": {
                "hit_rate": round(0.82 - 0.1 * load, 3),
                "hits": sim.counter(8.0, t),
                "misses": sim.counter(2.0, t),
                "size": 4096,
            },
        }),
        "/alerts/active" => {
            let mut alerts = Vec::new();
            if errors {
                alerts.push(json!({"id": "err-rate", "severity": "critical",
                    "message": "error rate above 5 %", "since": ts}));
            }
            if slow {
                alerts.push(json!({"id": "p95", "severity": "warning",
                    "message": "p95 response time above 400 ms", "since": ts}));
            }
            json!({"count": alerts.len(), "alerts": alerts})
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sim::Incidents;

    #[test]
    fn answers_its_three_endpoints_and_reports_its_incidents() {
        let calm = Sim {
            seed: 1,
            incidents: Incidents::Fixed(vec![]),
        };
        let bad = Sim {
            seed: 1,
            incidents: Incidents::Fixed(vec![Incident::ErrorSpike]),
        };
        let t = 1_790_000_000.0;
        for (_, path) in ENDPOINTS {
            assert!(respond(&calm, &format!("/{path}"), t).is_some(), "{path}");
        }
        assert!(respond(&calm, "/nope", t).is_none());
        assert_eq!(
            respond(&calm, "/health", t).map(|v| v["status"].clone()),
            Some(json!("healthy"))
        );
        assert_eq!(
            respond(&bad, "/health", t).map(|v| v["status"].clone()),
            Some(json!("degraded"))
        );
        let rate = |s: &Sim| {
            respond(s, "/metrics/current", t)
                .and_then(|v| v["api_metrics"]["error_rate_percent"].as_f64())
        };
        assert!(rate(&bad) > Some(5.0) && rate(&calm) < Some(1.0));
        assert_eq!(
            respond(&bad, "/alerts/active", t).map(|v| v["count"].clone()),
            Some(json!(1))
        );
    }
}
