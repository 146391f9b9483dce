//! The Pharos contract: which endpoints to read and how each body becomes metrics, parts and facts.

use model::{Better, Unit};
use serde_json::Value;

use super::extract::{clip, seg, Node, Shape, Sink, Verdict};
use super::generic;
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
            ("health.ml", format!("{m}/health/ml"), false, Extractor::HealthMl),
            ("model_health", format!("{m}/model-health"), true, Extractor::ModelHealth),
            ("performance", format!("{m}/performance"), true, Extractor::Performance),
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
            ("database", format!("{m}/database"), true, Extractor::Database),
            ("db_pool", format!("{m}/db/pool"), true, Extractor::DbPool),
            ("events", format!("{m}/events"), true, Extractor::Events),
            (
                "events.history",
                format!("{m}/events/history?limit={}", b.events_limit),
                true,
                Extractor::EventsHistory,
            ),
            ("cache", format!("{m}/cache/stats"), true, Extractor::CacheStats),
            ("workers", format!("{m}/workers/status"), true, Extractor::Workers),
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
        Extractor::Health => health(&root, sink),
        Extractor::HealthMl => health_ml(&root, sink),
        Extractor::ModelHealth => model_health(&root, sink),
        Extractor::Module(name) => module(&root, name, sink),
        Extractor::Performance => performance(&root, sink),
        Extractor::RecommendationQuality => recommendation_quality(&root, sink),
        Extractor::UserEngagement => user_engagement(&root, sink),
        Extractor::Database => database(&root, sink),
        Extractor::DbPool => {
            let status = envelope(&root)?;
            pool(&root.get("pool"), "db.pool", sink)?;
            Ok(failure_from(status, &root))
        }
        Extractor::Events => events(&root, sink),
        Extractor::EventsHistory => events_history(&root, sink),
        Extractor::CacheStats => cache(&root, sink),
        Extractor::Workers => workers(&root, sink),
        Extractor::IngestionHealth => ingestion_health(&root, sink),
        Extractor::IngestionWorker => ingestion_worker(&root, sink),
        Extractor::IngestionJobs => ingestion_jobs(&root, sink),
        Extractor::Generic(name) => generic::extract(name, &root, sink),
    }
}

/// Every monitoring envelope has a status word; a timestamp may be there too.
fn envelope<'a>(root: &Node<'a>) -> Result<&'a str, Shape> {
    root.get("timestamp").opt_str()?;
    root.get("status").str()
}

/// `status: "error"` (or a non-null `error`) with HTTP 200 is the backend reporting failure.
fn failure_from(status: &str, root: &Node<'_>) -> Verdict {
    let err = root.get("error").opt_str().ok().flatten();
    let msg = root.get("message").opt_str().ok().flatten();
    if status.eq_ignore_ascii_case("error") || err.is_some() {
        let text = err.or(msg).unwrap_or("backend reports status \"error\"");
        Verdict::BackendFailure(clip(text, 300))
    } else {
        Verdict::Ok
    }
}

fn health(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let message = root.get("message").opt_str()?.unwrap_or("");
    sink.overall = Some((status.to_owned(), message.to_owned()));
    if root.get("components").opt_obj()?.is_some() {
        for (name, c) in root.get("components").entries()? {
            c.obj()?;
            let word = c.get("status").str()?;
            let msg = c.get("message").opt_str()?.unwrap_or("");
            sink.components.push(Sink::part(word, name, &clip(msg, 300)));
            if let Some(n) = c.get("worker_count").opt_num()? {
                sink.metric(format!("health.{}.worker_count", seg(name)), n, Unit::Count, Better::Higher);
            }
        }
    }
    if !root.get("modules").is_null() {
        for (name, m) in root.get("modules").entries()? {
            let (word, msg) = match m.v {
                Some(Value::String(s)) => (s.as_str(), ""),
                _ => (m.get("status").str()?, m.get("message").opt_str()?.unwrap_or("")),
            };
            sink.modules.push(Sink::part(word, &title_case(name), &clip(msg, 300)));
        }
    }
    Ok(failure_from(status, root))
}

fn health_ml(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let code = root.get("http_status").opt_num()?;
    if let Some(c) = code {
        sink.metric("ml.http_status", c, Unit::None, Better::Neither);
    }
    if root.get("checks").opt_obj()?.is_some() {
        for (name, v) in root.get("checks").entries()? {
            if let Some(b) = v.opt_bool()? {
                sink.metric(format!("ml.check.{}", seg(name)), f64::from(u8::from(b)), Unit::Bool, Better::Higher);
            }
        }
    }
    let message = root.get("error").opt_str()?.or(root.get("message").opt_str()?).unwrap_or("");
    sink.components.push(Sink::part(status, "ml", &clip(message, 300)));
    match failure_from(status, root) {
        Verdict::Ok if code.is_some_and(|c| c >= 500.0) => Ok(Verdict::BackendFailure(format!(
            "body reports HTTP {}{}",
            code.unwrap_or_default(),
            if message.is_empty() { String::new() } else { format!(": {}", clip(message, 300)) }
        ))),
        v => Ok(v),
    }
}

fn model_health(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let model = root.get("model");
    if model.opt_obj()?.is_some() {
        if let Some(a) = model.get("available").opt_bool()? {
            sink.metric("model.available", f64::from(u8::from(a)), Unit::Bool, Better::Higher);
        }
        sink.num(model.get("size_mb"), "model.size_mb", Unit::Megabytes, Better::Neither)?;
        sink.num(model.get("num_users"), "model.num_users", Unit::Count, Better::Neither)?;
        sink.num(model.get("num_items"), "model.num_items", Unit::Count, Better::Neither)?;
        sink.num(model.get("embedding_dim"), "model.embedding_dim", Unit::Count, Better::Neither)?;
        if let Some(t) = model.get("last_modified").opt_str()? {
            sink.fact("model.last_modified", clip(t, 64));
        }
        if let Some(m) = model.get("message").opt_str()? {
            sink.fact("model.message", clip(m, 300));
        }
    }
    Ok(failure_from(status, root))
}

fn module(root: &Node<'_>, requested: &str, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let name = root.get("module").str()?;
    if !name.eq_ignore_ascii_case(requested) {
        return Err(Shape(format!("`module` is {name:?}, expected {requested:?}")));
    }
    let h = root.get("health");
    h.obj()?;
    let word = h.get("status").str()?;
    let msg = h.get("message").opt_str()?.unwrap_or("");
    sink.modules.push(Sink::part(word, &title_case(requested), &clip(msg, 300)));
    Ok(failure_from(status, root))
}

fn performance(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let m = root.get("metrics");
    m.obj()?;
    sink.num(m.get("cache_hit_rate"), "performance.cache_hit_rate", Unit::Ratio, Better::Higher)?;
    sink.num(m.get("cache_hits"), "performance.cache_hits", Unit::Count, Better::Neither)?;
    sink.num(m.get("cache_misses"), "performance.cache_misses", Unit::Count, Better::Neither)?;
    sink.num(m.get("slow_query_count"), "performance.slow_query_count", Unit::Count, Better::Lower)?;
    if m.get("method_timings").opt_obj()?.is_some() {
        for (name, t) in m.get("method_timings").entries()? {
            t.obj()?;
            let n = seg(name);
            sink.num(t.get("average_ms"), &format!("performance.method.{n}.average_ms"), Unit::Milliseconds, Better::Lower)?;
            sink.num(t.get("count"), &format!("performance.method.{n}.count"), Unit::Count, Better::Neither)?;
        }
    }
    if let Some(warnings) = root.get("warnings").opt_arr()? {
        sink.metric("performance.warnings", warnings.len() as f64, Unit::Count, Better::Lower);
    }
    Ok(failure_from(status, root))
}

fn recommendation_quality(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    root.get("time_window_days").opt_num()?;
    let m = root.get("metrics");
    if m.opt_obj()?.is_some() {
        let p = "recommendations";
        sink.num(m.get("total_recommendations"), &format!("{p}.total"), Unit::Count, Better::Neither)?;
        sink.num(m.get("total_clicked"), &format!("{p}.clicked"), Unit::Count, Better::Higher)?;
        sink.num(m.get("ctr_overall"), &format!("{p}.ctr"), Unit::Ratio, Better::Higher)?;
        sink.num(m.get("user_satisfaction"), &format!("{p}.satisfaction"), Unit::None, Better::Higher)?;
        sink.num(m.get("feedback_count"), &format!("{p}.feedback_count"), Unit::Count, Better::Neither)?;
        sink.num(m.get("avg_diversity"), &format!("{p}.diversity"), Unit::None, Better::Higher)?;
        sink.num(m.get("novelty_percentage"), &format!("{p}.novelty_percent"), Unit::Percent, Better::Higher)?;
        if m.get("ctr_by_strategy").opt_obj()?.is_some() {
            for (name, v) in m.get("ctr_by_strategy").entries()? {
                sink.num(v, &format!("{p}.ctr.{}", seg(name)), Unit::Ratio, Better::Higher)?;
            }
        }
    }
    if let Some(msg) = root.get("message").opt_str()? {
        sink.fact("recommendations.message", clip(msg, 300));
    }
    Ok(failure_from(status, root))
}

fn user_engagement(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let m = root.get("metrics");
    if m.opt_obj()?.is_some() {
        let p = "engagement";
        sink.num(m.get("total_users"), &format!("{p}.total_users"), Unit::Count, Better::Neither)?;
        sink.num(m.get("active_users"), &format!("{p}.active_users"), Unit::Count, Better::Higher)?;
        sink.num(m.get("total_interactions"), &format!("{p}.interactions"), Unit::Count, Better::Higher)?;
        sink.num(m.get("positive_interactions"), &format!("{p}.positive_interactions"), Unit::Count, Better::Higher)?;
        sink.num(m.get("positive_rate"), &format!("{p}.positive_rate"), Unit::Ratio, Better::Higher)?;
        sink.num(m.get("avg_session_duration_seconds"), &format!("{p}.session_seconds"), Unit::Seconds, Better::Higher)?;
        if m.get("interactions_by_type").opt_obj()?.is_some() {
            for (name, v) in m.get("interactions_by_type").entries()? {
                sink.num(v, &format!("{p}.by_type.{}", seg(name)), Unit::Count, Better::Neither)?;
            }
        }
    }
    Ok(failure_from(status, root))
}

fn pool(p: &Node<'_>, prefix: &str, sink: &mut Sink) -> Result<(), Shape> {
    if p.opt_obj()?.is_none() {
        return Ok(());
    }
    let fields: [(&str, Unit, Better); 10] = [
        ("size", Unit::Count, Better::Neither),
        ("max_overflow", Unit::Count, Better::Neither),
        ("checked_in", Unit::Count, Better::Neither),
        ("checked_out", Unit::Count, Better::Lower),
        ("overflow", Unit::Count, Better::Lower),
        ("total_capacity", Unit::Count, Better::Neither),
        ("pool_usage_percent", Unit::Percent, Better::Lower),
        ("connections_available", Unit::Count, Better::Higher),
        ("max_connections", Unit::Count, Better::Neither),
        ("utilization_percent", Unit::Percent, Better::Lower),
    ];
    for (key, unit, better) in fields {
        sink.num(p.get(key), &format!("{prefix}.{key}"), unit, better)?;
    }
    if let Some(t) = p.get("database_type").opt_str()? {
        sink.fact(format!("{prefix}.database_type"), clip(t, 64));
    }
    Ok(())
}

fn database(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let db = root.get("database");
    if db.opt_obj()?.is_some() {
        if let Some(h) = db.get("healthy").opt_bool()? {
            sink.metric("database.healthy", f64::from(u8::from(h)), Unit::Bool, Better::Higher);
        }
        if let Some(t) = db.get("type").opt_str()? {
            sink.fact("database.type", clip(t, 64));
        }
        if let Some(m) = db.get("health_message").opt_str()? {
            sink.fact("database.message", clip(m, 300));
        }
    }
    pool(&root.get("connection_pool"), "database.pool", sink)?;
    if let Some(ws) = root.get("warnings").opt_arr()? {
        sink.metric("database.warnings", ws.len() as f64, Unit::Count, Better::Lower);
        for (i, _) in ws.iter().enumerate() {
            let w = root.get("warnings").index(i);
            let text = match w.v {
                Some(Value::String(s)) => s.clone(),
                _ => {
                    let level = w.get("level").opt_str()?.unwrap_or("warning");
                    let msg = w.get("message").opt_str()?.unwrap_or("");
                    format!("{level}: {msg}")
                }
            };
            sink.fact(format!("database.warning.{i}"), clip(&text, 300));
        }
    }
    Ok(failure_from(status, root))
}

fn events(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let m = root.get("metrics");
    if m.opt_obj()?.is_some() {
        let fields: [(&str, Unit, Better); 11] = [
            ("events_emitted", Unit::Count, Better::Neither),
            ("events_delivered", Unit::Count, Better::Neither),
            ("handler_errors", Unit::Count, Better::Lower),
            ("total_handler_time_ms", Unit::Milliseconds, Better::Neither),
            ("total_emission_time_ms", Unit::Milliseconds, Better::Neither),
            ("handler_latency_p50", Unit::Milliseconds, Better::Lower),
            ("handler_latency_p95", Unit::Milliseconds, Better::Lower),
            ("handler_latency_p99", Unit::Milliseconds, Better::Lower),
            ("emission_latency_p50", Unit::Milliseconds, Better::Lower),
            ("emission_latency_p95", Unit::Milliseconds, Better::Lower),
            ("emission_latency_p99", Unit::Milliseconds, Better::Lower),
        ];
        for (key, unit, better) in fields {
            sink.num(m.get(key), &format!("events.{key}"), unit, better)?;
        }
        let delivered = m.get("events_delivered").opt_num()?.unwrap_or(0.0);
        let errors = m.get("handler_errors").opt_num()?.unwrap_or(0.0);
        if delivered > 0.0 {
            sink.metric("events.handler_error_rate", errors / delivered * 100.0, Unit::Percent, Better::Lower);
        }
        if m.get("event_types").opt_obj()?.is_some() {
            for (name, v) in m.get("event_types").entries()? {
                sink.num(v, &format!("events.type.{}", seg(name)), Unit::Count, Better::Neither)?;
            }
        }
    }
    Ok(failure_from(status, root))
}

fn events_history(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let events = root.get("events").arr()?;
    let mut by_priority = [0u32; 4];
    for i in 0..events.len() {
        let e = root.get("events").index(i);
        e.obj()?;
        e.get("name").str()?;
        e.get("timestamp").opt_str()?;
        let p = e.get("priority").opt_str()?.unwrap_or("NORMAL");
        let slot = match p.to_ascii_uppercase().as_str() {
            "CRITICAL" => 0,
            "HIGH" => 1,
            "LOW" => 3,
            _ => 2,
        };
        by_priority[slot] += 1;
    }
    sink.metric("events.recent.count", events.len() as f64, Unit::Count, Better::Neither);
    for (slot, name) in ["critical", "high", "normal", "low"].iter().enumerate() {
        let better = if slot < 2 { Better::Lower } else { Better::Neither };
        sink.metric(format!("events.recent.{name}"), f64::from(by_priority[slot]), Unit::Count, better);
    }
    Ok(failure_from(status, root))
}

fn cache(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let c = root.get("cache_stats");
    if c.opt_obj()?.is_some() {
        sink.num(c.get("hit_rate"), "cache.hit_rate", Unit::Ratio, Better::Higher)?;
        sink.num(c.get("hits"), "cache.hits", Unit::Count, Better::Neither)?;
        sink.num(c.get("misses"), "cache.misses", Unit::Count, Better::Neither)?;
        sink.num(c.get("invalidations"), "cache.invalidations", Unit::Count, Better::Neither)?;
        sink.num(c.get("total_requests"), "cache.requests", Unit::Count, Better::Neither)?;
        c.get("hit_rate_percent").opt_num()?;
    }
    Ok(failure_from(status, root))
}

fn workers(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let w = root.get("workers");
    if w.opt_obj()?.is_some() {
        sink.num(w.get("worker_count"), "workers.count", Unit::Count, Better::Higher)?;
        sink.num(w.get("total_active_tasks"), "workers.active_tasks", Unit::Count, Better::Neither)?;
        sink.num(w.get("total_scheduled_tasks"), "workers.queue_length", Unit::Count, Better::Lower)?;
    }
    Ok(failure_from(status, root))
}

fn ingestion_health(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = root.get("status").str()?;
    let mut problems = Vec::new();
    for (name, v) in root.get("services").entries()? {
        let s = v.str()?;
        sink.fact(format!("ingestion.service.{}", seg(name)), clip(s, 200));
        if model::Status::from_word(s).is_problem() {
            problems.push(format!("{name}: {}", clip(s, 120)));
        }
    }
    sink.components.push(Sink::part(status, "ingestion", &problems.join("; ")));
    Ok(Verdict::Ok)
}

fn ingestion_worker(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = root.get("status").str()?;
    sink.fact("ingestion.worker", clip(status, 200));
    let lower = status.to_ascii_lowercase();
    let (word, online) = if lower.starts_with("error") {
        ("error", false)
    } else if lower.starts_with("offline") {
        ("down", false)
    } else if lower.starts_with("idle") || lower.starts_with("training") {
        ("healthy", true)
    } else {
        ("unknown", true)
    };
    sink.metric("ingestion.worker.online", f64::from(u8::from(online)), Unit::Bool, Better::Higher);
    sink.components.push(Sink::part(word, "ingestion_worker", &clip(status, 200)));
    Ok(Verdict::Ok)
}

fn ingestion_jobs(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let jobs = root.get("jobs").arr()?;
    let mut counts = [0u32; 5];
    let (mut dur_sum, mut dur_n) = (0.0, 0u32);
    for i in 0..jobs.len() {
        let j = root.get("jobs").index(i);
        j.obj()?;
        j.get("repo_url").opt_str()?;
        let st = j.get("status").str()?;
        let slot = match st {
            "pending" => 0,
            "processing" => 1,
            "completed" | "complete" => 2,
            "failed" | "dlq" => 3,
            _ => 4,
        };
        counts[slot] += 1;
        if slot == 2 {
            if let Some(d) = j.get("duration_seconds").opt_num()? {
                dur_sum += d;
                dur_n += 1;
            }
        }
    }
    let names = ["pending", "processing", "completed", "failed", "other"];
    for (slot, name) in names.iter().enumerate() {
        let better = match slot {
            0 | 3 => Better::Lower,
            2 => Better::Higher,
            _ => Better::Neither,
        };
        sink.metric(format!("ingestion.jobs.{name}"), f64::from(counts[slot]), Unit::Count, better);
    }
    if dur_n > 0 {
        sink.metric("ingestion.jobs.avg_duration_seconds", dur_sum / f64::from(dur_n), Unit::Seconds, Better::Lower);
    }
    Ok(Verdict::Ok)
}

/// `recommendations` -> `Recommendations`: how Pharos names its modules to people.
pub fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
