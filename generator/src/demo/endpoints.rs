//! The JSON bodies of the simulated Pharos endpoints at a given sim time, in the fixtures' shapes.

use serde_json::{Map, Value, json};

use super::queue::Queue;
use super::sim::{Incident, Sim};

/// Pharos writes UTC without a zone suffix, with microseconds.
pub fn naive_iso(t: f64) -> String {
    let ms = (t * 1000.0).floor() as i64;
    let c = model::time::Civil::from_ms(ms);
    let micros = ((t * 1e6).floor() as i64).rem_euclid(1_000_000);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{micros:06}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

pub(super) fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

pub(super) fn envelope(status: &str, t: f64, mut rest: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), json!(status));
    m.insert("timestamp".into(), json!(naive_iso(t)));
    m.append(&mut rest);
    Value::Object(m)
}

pub(super) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

pub fn health(sim: &Sim, t: f64) -> Value {
    let redis_down = sim.has(t, Incident::RedisDown);
    let workers_down = sim.has(t, Incident::WorkerOffline);
    let model_down = sim.has(t, Incident::ModelUnavailable);
    let mut problems = Vec::new();
    if redis_down {
        problems.push("Redis unavailable");
    }
    if workers_down {
        problems.push("Celery workers unavailable");
    }
    if model_down {
        problems.push("NCF model unavailable");
    }
    let (status, message) = if problems.is_empty() {
        ("healthy", "All systems operational".to_owned())
    } else {
        (
            "degraded",
            format!(
                "System operational with degraded functionality: {}",
                problems.join("; ")
            ),
        )
    };
    envelope(
        status,
        t,
        obj(json!({
            "message": message,
            "components": {
                "database": {"status": "healthy", "message": "Connected"},
                "redis": if redis_down {
                    json!({"status": "unhealthy", "message": "Connection failed: Error 111 connecting to redis:6379. Connection refused."})
                } else {
                    json!({"status": "healthy", "message": "Connected"})
                },
                "celery": if workers_down {
                    json!({"status": "unhealthy", "message": "No workers responded to ping", "worker_count": 0})
                } else {
                    json!({"status": "healthy", "message": "4 workers online", "worker_count": 4})
                },
                "ncf_model": if model_down {
                    json!({"status": "unavailable", "message": "Model checkpoint could not be loaded"})
                } else {
                    json!({"status": "available", "message": "Model loaded"})
                },
                "api": {"status": "healthy", "message": "API responding"},
            },
            "modules": null,
            "error": null,
        })),
    )
}

pub fn health_ml(sim: &Sim, t: f64) -> Value {
    if sim.has(t, Incident::ModelUnavailable) {
        return envelope(
            "error",
            t,
            obj(
                json!({"error": "Model checkpoint could not be loaded: file not found", "http_status": 503}),
            ),
        );
    }
    let slow = sim.has(t, Incident::LatencyRegression);
    envelope(
        if slow { "degraded" } else { "healthy" },
        t,
        obj(json!({
            "checks": {
                "model_loaded": true,
                "checkpoint_valid": true,
                "inference_working": true,
                "latency_acceptable": !slow,
                "overall_healthy": !slow,
            },
            "http_status": if slow { 503 } else { 200 },
        })),
    )
}

pub fn model_health(sim: &Sim, t: f64) -> Value {
    if sim.has(t, Incident::ModelUnavailable) {
        return envelope(
            "warning",
            t,
            obj(json!({
                "model": {"available": false, "message": "NCF model not loaded. System will use content-based and graph-based recommendations."},
                "error": null,
            })),
        );
    }
    let trained = sim.last_restart(t);
    let days = (t / 86_400.0).floor();
    envelope(
        "ok",
        t,
        obj(json!({
            "model": {
                "available": true,
                "path": "/app/models/ncf_model.pt",
                "size_mb": round(38.0 + (days % 30.0) * 0.11, 2),
                "last_modified": naive_iso(trained),
                "num_users": 1200 + (days % 365.0) as u64 * 7,
                "num_items": 8400 + (days % 365.0) as u64 * 31,
                "embedding_dim": 64,
            },
            "error": null,
        })),
    )
}

/// Which modules an incident degrades, and why.
fn module_problem(sim: &Sim, name: &str, t: f64) -> Option<(&'static str, &'static str)> {
    let active = sim.active(t);
    for (i, _) in active {
        let hit = match (i, name) {
            (Incident::LatencyRegression, "search" | "resources") => {
                Some(("degraded", "p95 latency above 500 ms"))
            }
            (Incident::ErrorSpike, "annotations") => {
                Some(("unhealthy", "Handler errors above 20%"))
            }
            (Incident::ErrorSpike, "collections") => Some(("degraded", "Elevated error rate")),
            (Incident::RedisDown, "auth") => Some((
                "degraded",
                "Session cache unavailable; falling back to database",
            )),
            (Incident::WorkerOffline, "graph" | "scholarly") => {
                Some(("degraded", "Background workers offline"))
            }
            (Incident::CacheCollapse, "search") => Some(("degraded", "Cache hit rate below 50%")),
            (Incident::IngestionBacklog, "curation") => {
                Some(("degraded", "Ingestion backlog growing"))
            }
            (Incident::ModelUnavailable, "recommendations") => {
                Some(("degraded", "NCF model unavailable; using fallbacks"))
            }
            _ => None,
        };
        if hit.is_some() {
            return hit;
        }
    }
    None
}

pub fn module(sim: &Sim, name: &str, t: f64) -> Value {
    let (status, message) =
        module_problem(sim, name, t).unwrap_or(("healthy", "Module operational"));
    envelope(
        "ok",
        t,
        obj(json!({"module": name, "health": {"status": status, "message": message}})),
    )
}

pub fn uuid_from(a: u64, b: u64) -> String {
    let x = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &x[0..8],
        &x[8..12],
        &x[13..16],
        &x[17..20],
        &x[20..32]
    )
}

pub fn ingestion_health(sim: &Sim, t: f64) -> Value {
    let redis = if sim.has(t, Incident::RedisDown) {
        "unhealthy: Connection refused"
    } else {
        "healthy"
    };
    json!({
        "status": if redis == "healthy" { "healthy" } else { "unhealthy" },
        "services": {"redis": redis, "database": "healthy", "qdrant": "healthy"},
    })
}

pub fn worker_status(sim: &Sim, t: f64, queue: &Queue) -> Value {
    let status = if sim.has(t, Incident::WorkerOffline) {
        "Offline".to_owned()
    } else if let Some(job) = queue.processing() {
        format!("Training Graph on {}", job.repo_url)
    } else {
        "Idle".to_owned()
    };
    json!({ "status": status })
}

/// Simulated response time of one endpoint, in ms.
pub fn latency_ms(sim: &Sim, path: &str, t: f64) -> f64 {
    let base = 4.0 + 9.0 * sim.load(t) + 2.0 * sim.noise(path, t).abs();
    let slow = sim.has(t, Incident::LatencyRegression)
        && (path.contains("performance")
            || path.contains("search")
            || path.contains("resources")
            || path.contains("recommendation"));
    if slow { base * 45.0 } else { base }
}
