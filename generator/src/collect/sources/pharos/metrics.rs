//! Metric-shaped Pharos endpoints: performance, recommendations, engagement, database, events, cache, workers, jobs.

use model::{Better, Unit};
use serde_json::Value;

use super::{envelope, failure_from};
use crate::collect::extract::{Node, Shape, Sink, Verdict, clip, seg};

pub(super) fn performance(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let m = root.get("metrics");
    m.obj()?;
    sink.num(
        m.get("cache_hit_rate"),
        "performance.cache_hit_rate",
        Unit::Ratio,
        Better::Higher,
    )?;
    sink.num(
        m.get("cache_hits"),
        "performance.cache_hits",
        Unit::Count,
        Better::Neither,
    )?;
    sink.num(
        m.get("cache_misses"),
        "performance.cache_misses",
        Unit::Count,
        Better::Neither,
    )?;
    sink.num(
        m.get("slow_query_count"),
        "performance.slow_query_count",
        Unit::Count,
        Better::Lower,
    )?;
    if m.get("method_timings").opt_obj()?.is_some() {
        for (name, t) in m.get("method_timings").entries()? {
            t.obj()?;
            let n = seg(name);
            sink.num(
                t.get("average_ms"),
                &format!("performance.method.{n}.average_ms"),
                Unit::Milliseconds,
                Better::Lower,
            )?;
            sink.num(
                t.get("count"),
                &format!("performance.method.{n}.count"),
                Unit::Count,
                Better::Neither,
            )?;
        }
    }
    if let Some(warnings) = root.get("warnings").opt_arr()? {
        sink.metric(
            "performance.warnings",
            warnings.len() as f64,
            Unit::Count,
            Better::Lower,
        );
    }
    Ok(failure_from(status, root))
}

pub(super) fn recommendation_quality(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    root.get("time_window_days").opt_num()?;
    let m = root.get("metrics");
    if m.opt_obj()?.is_some() {
        let p = "recommendations";
        sink.num(
            m.get("total_recommendations"),
            &format!("{p}.total"),
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            m.get("total_clicked"),
            &format!("{p}.clicked"),
            Unit::Count,
            Better::Higher,
        )?;
        sink.num(
            m.get("ctr_overall"),
            &format!("{p}.ctr"),
            Unit::Ratio,
            Better::Higher,
        )?;
        sink.num(
            m.get("user_satisfaction"),
            &format!("{p}.satisfaction"),
            Unit::None,
            Better::Higher,
        )?;
        sink.num(
            m.get("feedback_count"),
            &format!("{p}.feedback_count"),
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            m.get("avg_diversity"),
            &format!("{p}.diversity"),
            Unit::None,
            Better::Higher,
        )?;
        sink.num(
            m.get("novelty_percentage"),
            &format!("{p}.novelty_percent"),
            Unit::Percent,
            Better::Higher,
        )?;
        if m.get("ctr_by_strategy").opt_obj()?.is_some() {
            for (name, v) in m.get("ctr_by_strategy").entries()? {
                sink.num(
                    v,
                    &format!("{p}.ctr.{}", seg(name)),
                    Unit::Ratio,
                    Better::Higher,
                )?;
            }
        }
    }
    if let Some(msg) = root.get("message").opt_str()? {
        sink.fact("recommendations.message", clip(msg, 300));
    }
    Ok(failure_from(status, root))
}

pub(super) fn user_engagement(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let m = root.get("metrics");
    if m.opt_obj()?.is_some() {
        let p = "engagement";
        sink.num(
            m.get("total_users"),
            &format!("{p}.total_users"),
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            m.get("active_users"),
            &format!("{p}.active_users"),
            Unit::Count,
            Better::Higher,
        )?;
        sink.num(
            m.get("total_interactions"),
            &format!("{p}.interactions"),
            Unit::Count,
            Better::Higher,
        )?;
        sink.num(
            m.get("positive_interactions"),
            &format!("{p}.positive_interactions"),
            Unit::Count,
            Better::Higher,
        )?;
        sink.num(
            m.get("positive_rate"),
            &format!("{p}.positive_rate"),
            Unit::Ratio,
            Better::Higher,
        )?;
        sink.num(
            m.get("avg_session_duration_seconds"),
            &format!("{p}.session_seconds"),
            Unit::Seconds,
            Better::Higher,
        )?;
        if m.get("interactions_by_type").opt_obj()?.is_some() {
            for (name, v) in m.get("interactions_by_type").entries()? {
                sink.num(
                    v,
                    &format!("{p}.by_type.{}", seg(name)),
                    Unit::Count,
                    Better::Neither,
                )?;
            }
        }
    }
    Ok(failure_from(status, root))
}

pub(super) fn pool(p: &Node<'_>, prefix: &str, sink: &mut Sink) -> Result<(), Shape> {
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

pub(super) fn database(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let db = root.get("database");
    if db.opt_obj()?.is_some() {
        if let Some(h) = db.get("healthy").opt_bool()? {
            sink.metric(
                "database.healthy",
                f64::from(u8::from(h)),
                Unit::Bool,
                Better::Higher,
            );
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
        sink.metric(
            "database.warnings",
            ws.len() as f64,
            Unit::Count,
            Better::Lower,
        );
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

pub(super) fn events(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let m = root.get("metrics");
    if m.opt_obj()?.is_some() {
        let fields: [(&str, Unit, Better); 11] = [
            ("events_emitted", Unit::Count, Better::Neither),
            ("events_delivered", Unit::Count, Better::Neither),
            ("handler_errors", Unit::Count, Better::Lower),
            ("total_handler_time_ms", Unit::Milliseconds, Better::Neither),
            (
                "total_emission_time_ms",
                Unit::Milliseconds,
                Better::Neither,
            ),
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
            sink.metric(
                "events.handler_error_rate",
                errors / delivered * 100.0,
                Unit::Percent,
                Better::Lower,
            );
        }
        if m.get("event_types").opt_obj()?.is_some() {
            for (name, v) in m.get("event_types").entries()? {
                sink.num(
                    v,
                    &format!("events.type.{}", seg(name)),
                    Unit::Count,
                    Better::Neither,
                )?;
            }
        }
    }
    Ok(failure_from(status, root))
}

pub(super) fn events_history(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
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
    sink.metric(
        "events.recent.count",
        events.len() as f64,
        Unit::Count,
        Better::Neither,
    );
    for (slot, name) in ["critical", "high", "normal", "low"].iter().enumerate() {
        let better = if slot < 2 {
            Better::Lower
        } else {
            Better::Neither
        };
        sink.metric(
            format!("events.recent.{name}"),
            f64::from(by_priority[slot]),
            Unit::Count,
            better,
        );
    }
    Ok(failure_from(status, root))
}

pub(super) fn cache(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let c = root.get("cache_stats");
    if c.opt_obj()?.is_some() {
        // A hit rate of no requests is Pharos' placeholder 0, not a rate: left out.
        let requests = c.get("total_requests").opt_num()?;
        let hits = c.get("hits").opt_num()?.unwrap_or(0.0);
        let misses = c.get("misses").opt_num()?.unwrap_or(0.0);
        c.get("hit_rate").opt_num()?;
        if requests.unwrap_or(hits + misses) > 0.0 {
            sink.num(
                c.get("hit_rate"),
                "cache.hit_rate",
                Unit::Ratio,
                Better::Higher,
            )?;
        }
        sink.num(c.get("hits"), "cache.hits", Unit::Count, Better::Neither)?;
        sink.num(
            c.get("misses"),
            "cache.misses",
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            c.get("invalidations"),
            "cache.invalidations",
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            c.get("total_requests"),
            "cache.requests",
            Unit::Count,
            Better::Neither,
        )?;
        c.get("hit_rate_percent").opt_num()?;
    }
    Ok(failure_from(status, root))
}

pub(super) fn workers(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let w = root.get("workers");
    if w.opt_obj()?.is_some() {
        sink.num(
            w.get("worker_count"),
            "workers.count",
            Unit::Count,
            Better::Higher,
        )?;
        sink.num(
            w.get("total_active_tasks"),
            "workers.active_tasks",
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            w.get("total_scheduled_tasks"),
            "workers.queue_length",
            Unit::Count,
            Better::Lower,
        )?;
    }
    Ok(failure_from(status, root))
}

pub(super) fn ingestion_jobs(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let jobs = root.get("jobs").arr()?;
    let mut counts = [0u32; 5];
    let (mut dur_sum, mut dur_n) = (0.0, 0u32);
    for i in 0..jobs.len() {
        let j = root.get("jobs").index(i);
        j.obj()?;
        j.get("repo_url").opt_str()?;
        let st = j.get("status").str()?;
        let slot = model::lists::JobState::of(st) as usize;
        counts[slot] += 1;
        if slot == 2
            && let Some(d) = j.get("duration_seconds").opt_num()?
        {
            dur_sum += d;
            dur_n += 1;
        }
    }
    let names = ["pending", "processing", "completed", "failed", "other"];
    for (slot, name) in names.iter().enumerate() {
        let better = match slot {
            0 | 3 => Better::Lower,
            2 => Better::Higher,
            _ => Better::Neither,
        };
        sink.metric(
            format!("ingestion.jobs.{name}"),
            f64::from(counts[slot]),
            Unit::Count,
            better,
        );
    }
    if dur_n > 0 {
        sink.metric(
            "ingestion.jobs.avg_duration_seconds",
            dur_sum / f64::from(dur_n),
            Unit::Seconds,
            Better::Lower,
        );
    }
    Ok(Verdict::Ok)
}
