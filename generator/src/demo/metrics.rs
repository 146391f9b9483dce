//! Metric-shaped bodies of the simulated Pharos: performance, recommendations, engagement, database, events, cache, workers.

use serde_json::{Map, Value, json};

use super::endpoints::{envelope, naive_iso, obj, round, uuid_from};
use super::queue::Queue;
use super::sim::{Incident, Sim};

const METHODS: [(&str, f64, f64); 8] = [
    ("search.hybrid_search", 45.0, 2.0),
    ("search.semantic_search", 80.0, 1.0),
    ("recommendations.generate", 120.0, 0.8),
    ("resources.list_resources", 12.0, 4.0),
    ("graph.get_neighbors", 60.0, 0.6),
    ("annotations.create", 25.0, 0.5),
    ("collections.get", 10.0, 1.5),
    ("quality.score_resource", 35.0, 0.3),
];

pub fn hit_rate(sim: &Sim, t: f64) -> f64 {
    if sim.has(t, Incident::CacheCollapse) {
        (0.12 + 0.04 * sim.noise("hit", t)).clamp(0.01, 0.3)
    } else {
        (0.89 + 0.015 * sim.noise("hit", t) - 0.04 * (1.0 - sim.load(t))).clamp(0.6, 0.99)
    }
}

fn cache_counts(sim: &Sim, t: f64) -> (f64, f64, f64) {
    let total = sim.counter(40.0, t);
    let collapse =
        sim.incident_seconds(Incident::CacheCollapse, sim.last_restart(t), t) * 40.0 * 0.75;
    let misses = (total * 0.11 + collapse.min(total * 0.5)).floor();
    (total, (total - misses).max(0.0), misses)
}

pub fn performance(sim: &Sim, t: f64) -> Value {
    let load = sim.load(t);
    let slow = sim.has(t, Incident::LatencyRegression);
    let mut timings = Map::new();
    for (name, base, rate) in METHODS {
        let factor = if slow && (name.starts_with("search") || name.starts_with("resources")) {
            9.0
        } else {
            1.0
        };
        let avg = base * (0.8 + 0.4 * load) * factor * (1.0 + 0.05 * sim.noise(name, t)).max(0.5);
        timings.insert(
            name.into(),
            json!({"average_ms": round(avg, 2), "count": sim.counter(rate, t) as u64}),
        );
    }
    let (_, hits, misses) = cache_counts(sim, t);
    let slow_queries = if slow {
        25.0 + 10.0 * sim.noise("slowq", t).abs()
    } else {
        (sim.noise("slowq", t).abs() * 1.2).floor()
    };
    let warnings = if slow {
        json!(["Average response time above 500 ms for search.hybrid_search"])
    } else {
        Value::Null
    };
    envelope(
        "ok",
        t,
        obj(json!({
            "metrics": {
                "cache_hit_rate": round(hit_rate(sim, t), 4),
                "cache_hits": hits as u64,
                "cache_misses": misses as u64,
                "slow_query_count": slow_queries as u64,
                "method_timings": timings,
            },
            "warnings": warnings,
        })),
    )
}

pub fn recommendation_quality(sim: &Sim, t: f64, days: u32) -> Value {
    let d = f64::from(days);
    let total = (5200.0 * d * (1.0 + 0.02 * sim.noise("recs", t))).floor();
    let model_down = sim.has(t, Incident::ModelUnavailable);
    let ctr = (0.081 + 0.004 * sim.noise("ctr", t)).clamp(0.01, 0.5);
    let mut by = Map::new();
    for (name, k) in [
        ("collaborative", 1.15),
        ("content_based", 0.92),
        ("graph_based", 0.85),
        ("hybrid", 1.08),
    ] {
        if model_down && name == "collaborative" {
            continue;
        }
        by.insert(name.into(), json!(round(ctr * k, 4)));
    }
    envelope(
        "ok",
        t,
        obj(json!({
            "time_window_days": days,
            "metrics": {
                "total_recommendations": total as u64,
                "total_clicked": (total * ctr).floor() as u64,
                "ctr_overall": round(ctr, 4),
                "ctr_by_strategy": by,
                "user_satisfaction": round((0.78 + 0.01 * sim.noise("sat", t)).clamp(0.0, 1.0), 3),
                "feedback_count": (total * 0.013).floor() as u64,
                "avg_diversity": round(0.62 + 0.01 * sim.noise("div", t), 3),
                "novelty_percentage": round(23.5 + 0.8 * sim.noise("nov", t), 2),
            },
            "message": null,
        })),
    )
}

pub fn user_engagement(sim: &Sim, t: f64, days: u32) -> Value {
    let total_users = 1500 + ((t / 86_400.0).floor() as u64 % 365) * 4;
    let active =
        (total_users as f64 * (0.18 + 0.2 * sim.load(t)) * (f64::from(days) / 7.0).min(1.5))
            .floor();
    let interactions = (active * 14.0 * f64::from(days) / 7.0).floor();
    let positive = (interactions * 0.71).floor();
    envelope(
        "ok",
        t,
        obj(json!({
            "time_window_days": days,
            "metrics": {
                "total_users": total_users,
                "active_users": active as u64,
                "total_interactions": interactions as u64,
                "positive_interactions": positive as u64,
                "positive_rate": round(if interactions > 0.0 { positive / interactions } else { 0.0 }, 4),
                "interactions_by_type": {
                    "view": (interactions * 0.6).floor() as u64,
                    "click": (interactions * 0.25).floor() as u64,
                    "bookmark": (interactions * 0.1).floor() as u64,
                    "annotate": (interactions * 0.05).floor() as u64,
                },
                "avg_session_duration_seconds": round(310.0 + 25.0 * sim.noise("session", t), 1),
            },
        })),
    )
}

fn pool_figures(sim: &Sim, t: f64) -> Map<String, Value> {
    let size = 20.0;
    let max_overflow = 10.0;
    let busy = if sim.has(t, Incident::LatencyRegression) {
        26.0
    } else {
        2.0 + 9.0 * sim.load(t)
    };
    let checked_out = (busy + 1.5 * sim.noise("pool", t))
        .clamp(0.0, size + max_overflow)
        .round();
    let checked_in = (size - checked_out).max(0.0) + (sim.noise("idle", t).abs()).floor().min(2.0);
    let capacity = size + max_overflow;
    obj(json!({
        "database_type": "postgresql",
        "size": size as u64,
        "max_overflow": max_overflow as u64,
        "checked_in": checked_in as u64,
        "checked_out": checked_out as u64,
        "overflow": (checked_in + checked_out - size) as i64,
        "total_capacity": capacity as u64,
        "pool_usage_percent": round(checked_out / capacity * 100.0, 1),
        "connections_available": (capacity - checked_out) as u64,
    }))
}

pub fn database(sim: &Sim, t: f64) -> Value {
    let pool = pool_figures(sim, t);
    let usage = pool
        .get("pool_usage_percent")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let warnings = if usage > 80.0 {
        json!([{"level": "warning", "message": format!("Connection pool usage at {usage:.0}%"), "recommendation": "Increase pool size or reduce long-running queries"}])
    } else {
        json!([])
    };
    envelope(
        "ok",
        t,
        obj(json!({
            "database": {"type": "postgresql", "healthy": true, "health_message": "Database connection healthy"},
            "connection_pool": pool,
            "warnings": warnings,
            "error": null,
        })),
    )
}

pub fn db_pool(sim: &Sim, t: f64) -> Value {
    let mut pool = pool_figures(sim, t);
    let out = pool
        .get("checked_out")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    pool.insert("max_connections".into(), json!(100));
    pool.insert(
        "utilization_percent".into(),
        json!(round(out / 100.0 * 100.0, 1)),
    );
    envelope("ok", t, obj(json!({ "pool": pool })))
}

const EVENT_TYPES: [(&str, f64); 4] = [
    ("resource.created", 0.3),
    ("annotation.added", 0.2),
    ("search.performed", 0.35),
    ("recommendation.served", 0.15),
];

pub fn events(sim: &Sim, t: f64) -> Value {
    let emitted = sim.counter(3.0, t);
    let delivered = (emitted * 0.9995).floor();
    let spike = sim.incident_seconds(Incident::ErrorSpike, sim.last_restart(t), t);
    let errors = (sim.counter(0.002, t) + spike * 0.6).floor();
    let factor = if sim.has(t, Incident::LatencyRegression) {
        3.0
    } else {
        1.0
    };
    let p50 = (1.8 + 0.6 * sim.load(t) + 0.1 * sim.noise("hp50", t)).max(0.2) * factor;
    let tail = if sim.has(t, Incident::ErrorSpike) {
        4.0
    } else {
        1.0
    };
    let mut types = Map::new();
    for (name, share) in EVENT_TYPES {
        types.insert(name.into(), json!((emitted * share).floor() as u64));
    }
    envelope(
        "ok",
        t,
        obj(json!({
            "metrics": {
                "events_emitted": emitted as u64,
                "events_delivered": delivered as u64,
                "handler_errors": errors as u64,
                "total_handler_time_ms": round(delivered * p50 * 1.3, 1),
                "total_emission_time_ms": round(emitted * 0.31, 1),
                "event_types": types,
                "handler_latency_p50": round(p50, 3),
                "handler_latency_p95": round(p50 * 3.2, 3),
                "handler_latency_p99": round(p50 * 6.5 * tail, 3),
                "emission_latency_p50": round(0.21 + 0.02 * sim.noise("ep50", t).abs(), 3),
                "emission_latency_p95": round(0.55 + 0.05 * sim.noise("ep95", t).abs(), 3),
                "emission_latency_p99": round(1.2 + 0.1 * sim.noise("ep99", t).abs(), 3),
            },
            "error": null,
        })),
    )
}

pub fn events_history(sim: &Sim, t: f64, limit: usize) -> Value {
    let rate = 3.0 * sim.load(t);
    let events: Vec<Value> = (0..limit)
        .map(|i| {
            let at = t - i as f64 / rate;
            let k = (at * 1000.0) as i64;
            let (name, _) = EVENT_TYPES[(sim.hash("ev-name", k) % 4) as usize];
            let p = sim.u01("ev-prio", k);
            let priority = match p {
                p if p < 0.01 => "CRITICAL",
                p if p < 0.08 => "HIGH",
                p if p < 0.9 => "NORMAL",
                _ => "LOW",
            };
            let h = sim.hash("ev-id", k);
            let ms = (at * 1000.0) as i64;
            let stamp = format!("{}+00:00", naive_iso(ms as f64 / 1000.0));
            json!({
                "name": name,
                "data": {"id": h % 100_000},
                "timestamp": stamp,
                "priority": priority,
                "correlation_id": uuid_from(h, sim.hash("ev-id2", k)),
            })
        })
        .collect();
    envelope(
        "ok",
        t,
        obj(json!({"count": events.len(), "events": events})),
    )
}

pub fn cache_stats(sim: &Sim, t: f64) -> Value {
    if sim.has(t, Incident::RedisDown) {
        return envelope(
            "error",
            t,
            obj(json!({
                "cache_stats": {"hit_rate": 0.0, "hit_rate_percent": 0.0, "hits": 0, "misses": 0, "invalidations": 0, "total_requests": 0},
                "error": "Redis connection failed: Connection refused",
            })),
        );
    }
    let (total, hits, misses) = cache_counts(sim, t);
    let hr = hit_rate(sim, t);
    envelope(
        "ok",
        t,
        obj(json!({
            "cache_stats": {
                "hit_rate": round(hr, 4),
                "hit_rate_percent": round(hr * 100.0, 2),
                "hits": hits as u64,
                "misses": misses as u64,
                "invalidations": sim.counter(0.4, t) as u64,
                "total_requests": total as u64,
            },
            "error": null,
        })),
    )
}

pub fn workers(sim: &Sim, t: f64, queue: &Queue) -> Value {
    if sim.has(t, Incident::WorkerOffline) {
        return envelope(
            "error",
            t,
            obj(json!({
                "workers": null,
                "error": "No workers responded within 1.0 s",
                "message": "Could not connect to Celery workers. Ensure Redis and workers are running.",
            })),
        );
    }
    let load = sim.load(t);
    let backlog = sim
        .active(t)
        .into_iter()
        .find(|(i, _)| *i == Incident::IngestionBacklog);
    let scheduled = match backlog {
        Some((_, since)) => 110.0 + (t - since) / 12.0 + 5.0 * sim.noise("sched", t).abs(),
        None => (4.0 * load + 2.0 * sim.noise("sched", t).abs()).floor(),
    } + queue.scheduled() as f64;
    let mut active = Map::new();
    let mut sched = Map::new();
    let mut stats = Map::new();
    let mut total_active = 0u64;
    for w in 1..=4u64 {
        let name = format!("celery@worker-{w}");
        let a = ((load * 3.0 + sim.noise(&name, t)).round().clamp(0.0, 4.0)) as u64;
        total_active += a;
        active.insert(name.clone(), json!(a));
        sched.insert(name.clone(), json!((scheduled / 4.0).floor() as u64));
        stats.insert(
            name,
            json!({"pool": {"max-concurrency": 4}, "total": sim.counter(0.5, t) as u64}),
        );
    }
    envelope(
        "ok",
        t,
        obj(json!({
            "workers": {
                "worker_count": 4,
                "total_active_tasks": total_active,
                "total_scheduled_tasks": scheduled as u64,
                "active_tasks": active,
                "scheduled_tasks": sched,
                "stats": stats,
            },
            "error": null,
            "message": null,
        })),
    )
}
