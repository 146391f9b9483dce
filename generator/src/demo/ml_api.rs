//! The demo's second backend, of another shape than Pharos: the design's ML API
//! (`/ml-api/health`, `/metrics/current`, `/metrics/history`, `/metrics/summary`,
//! `/alerts/active`, `/alerts/history`), read as a JSON source by `examples/ml-api.toml`.
//! It measures its own requests (rate, latency, error rate), which Lookout shows under its names.

use serde_json::{Value, json};

use super::sim::{Incident, Sim};

/// Where the ML API lives on the demo server.
pub const PREFIX: &str = "/ml-api";

/// The repository's example config of the ML API, which the demo reads as it is (its address
/// aside), so the example is known to work against it.
pub const EXAMPLE: &str = include_str!("../../../examples/ml-api.toml");

/// The ML API as a source (from `EXAMPLE`) of a demo site whose Pharos is at `base`
/// (`http://127.0.0.1:8765`).
pub fn source(
    base: &str,
    like: &crate::config::Backend,
) -> Result<crate::config::SourceConfig, String> {
    let text = EXAMPLE.replace(
        "https://ml.example.com/",
        &format!("{}{PREFIX}/", base.trim_end_matches('/')),
    );
    let cfg = crate::config::Config::from_toml(&text, std::path::Path::new("examples/ml-api.toml"))
        .map_err(|e| e.to_string())?;
    Ok(crate::config::SourceConfig {
        name: cfg.source_name,
        backend: crate::config::Backend {
            token_env: like.token_env.clone(),
            ..cfg.backend
        },
        endpoints: cfg.endpoints,
        sections: Vec::new(),
    })
}

/// The models it serves: `(name, base MAE)`.
const MODELS: [(&str, f64); 3] = [("recommender", 0.21), ("ranker", 0.34), ("embedder", 0.12)];

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
            "model_metrics": MODELS.iter().map(|(name, mae)| json!({
                "name": name,
                "predictions_count": sim.counter(3.0, t),
                "mae": round(mae * if slow { 1.4 } else { 1.0 } + 0.01 * sim.noise(name, t), 3),
                "confidence": round(0.9 - 0.05 * load, 3),
                "last_updated": model::time::format_iso(((t / 3600.0).floor() * 3_600_000.0) as i64),
            })).collect::<Vec<_>>(),
        }),
        "/metrics/history" => {
            // Hourly, the last 24 hours, oldest first.
            let now_hour = (t / 3600.0).floor() * 3600.0;
            let points: Vec<Value> = (0..24)
                .rev()
                .map(|h| {
                    let at = now_hour - f64::from(h) * 3600.0;
                    let load = sim.load(at);
                    json!({
                        "timestamp": model::time::format_iso((at * 1000.0) as i64),
                        "requests_per_minute": round(600.0 * load, 1),
                        "p95_response_time_ms": round(80.0 + 60.0 * load, 1),
                        "error_rate_percent": if sim.has(at, Incident::ErrorSpike) { 6.5 } else { 0.2 },
                    })
                })
                .collect();
            json!({"points": points})
        }
        "/metrics/summary" => json!({
            "period": "24h",
            "total_requests": (600.0 * 60.0 * 24.0 * 0.5) as u64,
            "avg_response_time_ms": round(p95 * 0.45, 1),
            "p95_response_time_ms": round(p95, 1),
            "error_rate_percent": round(error_rate, 2),
        }),
        "/alerts/history" => {
            // Resolved alerts, newest first: one error spike a day.
            let alerts: Vec<Value> = (1..=7)
                .map(|d| {
                    let at = t - f64::from(d) * 86_400.0;
                    json!({"id": format!("err-rate-{d}"), "severity": "critical",
                        "message": "error rate above 5 %",
                        "started_at": model::time::format_iso((at * 1000.0) as i64),
                        "resolved_at": model::time::format_iso(((at + 900.0) * 1000.0) as i64)})
                })
                .collect();
            json!({"alerts": alerts})
        }
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
        for path in [
            "health",
            "metrics/current",
            "metrics/history",
            "metrics/summary",
            "alerts/active",
            "alerts/history",
        ] {
            assert!(respond(&calm, &format!("/{path}"), t).is_some(), "{path}");
        }
        let ml = source(
            "http://127.0.0.1:9",
            &crate::config::Config::defaults().backend,
        )
        .expect("the example");
        assert_eq!(ml.name, "ml-api");
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
