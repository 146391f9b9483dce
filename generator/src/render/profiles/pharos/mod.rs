//! Pharos' own sections of the index: database pool, event bus, cache, workers, ML models,
//! engagement and recommendation quality, ingestion, operations. Its metric names live here and
//! in the source's profile, nowhere else in render.

use model::trend::Window;
use model::{Snapshot, Unit};

use crate::collect::lists::{EventItem, JobItem};
use crate::render::charts::{self, with_unit};
use crate::render::dashboard::{
    Card, Dashboard, EventRow, JobRow, Kv, PoolView, QueueSeg, kv, push, val,
};
use crate::render::ranges;
use crate::store::{Store, StoreError};

mod unread;

/// Fills `d` with what Pharos reported in `now`; a section it could not read now says why and
/// shows its last known figures.
pub fn sections(
    store: &Store,
    now: &Snapshot,
    events: Option<Vec<EventItem>>,
    jobs: Option<Vec<JobItem>>,
    d: &mut Dashboard<'_>,
) -> Result<(), StoreError> {
    fill(store, now, events, jobs, d)?;
    unread::notes(store, now, d, |then, into| {
        fill(
            store,
            then,
            then.lists.events.clone(),
            then.lists.jobs.clone(),
            into,
        )
    })
}

/// Fills `d` with what Pharos reported in `now`.
fn fill(
    store: &Store,
    now: &Snapshot,
    events: Option<Vec<EventItem>>,
    jobs: Option<Vec<JobItem>>,
    d: &mut Dashboard<'_>,
) -> Result<(), StoreError> {
    let zone = d.zone.clone();
    let now_ms = now.taken_at_ms;
    d.queue_chart = ranges::chart(
        store,
        &crate::collect::sources::pharos::profile::QUEUE,
        now_ms,
        Window::H24,
        &zone,
    )?;

    if let (Some(out), Some(cap)) = (
        now.metric("database.pool.checked_out")
            .or(now.metric("db.pool.checked_out")),
        now.metric("database.pool.total_capacity")
            .or(now.metric("db.pool.total_capacity")),
    ) {
        let idle = now
            .metric("database.pool.checked_in")
            .or(now.metric("db.pool.checked_in"))
            .map_or(0.0, |m| m.value);
        let c = cap.value.max(1.0);
        let mut stats = Vec::new();
        push(
            &mut stats,
            now,
            "db.pool.max_connections",
            "Server max connections",
        );
        push(
            &mut stats,
            now,
            "db.pool.utilization_percent",
            "Server utilisation",
        );
        push(&mut stats, now, "database.pool.overflow", "Overflow in use");
        push(
            &mut stats,
            now,
            "database.pool.connections_available",
            "Available",
        );
        d.pool = Some(PoolView {
            out: with_unit(out.value, Unit::Count),
            idle: with_unit(idle, Unit::Count),
            capacity: with_unit(cap.value, Unit::Count),
            usage: val(now, "database.pool.pool_usage_percent")
                .or(val(now, "db.pool.pool_usage_percent"))
                .unwrap_or_else(|| format!("{:.1}%", out.value / c * 100.0)),
            out_pct: (out.value / c * 100.0).clamp(0.0, 100.0),
            idle_pct: (idle / c * 100.0).clamp(0.0, 100.0),
            warnings: val(now, "database.warnings").unwrap_or_else(|| "—".to_owned()),
            stats,
        });
    }

    for (name, label) in [
        ("events.events_emitted", "Emitted"),
        ("events.events_delivered", "Delivered"),
        ("events.handler_errors", "Handler errors"),
        ("events.handler_error_rate", "Handler error rate"),
        ("events.handler_latency_p50", "Handler p50"),
        ("events.handler_latency_p95", "Handler p95"),
        ("events.handler_latency_p99", "Handler p99"),
        ("events.emission_latency_p50", "Emission p50"),
        ("events.emission_latency_p95", "Emission p95"),
        ("events.emission_latency_p99", "Emission p99"),
    ] {
        push(&mut d.event_stats, now, name, label);
    }
    let mut types: Vec<(String, f64)> = now
        .metrics
        .iter()
        .filter_map(|m| Some((m.name.strip_prefix("events.type.")?.to_owned(), m.value)))
        .collect();
    types.sort_by(|a, b| b.1.total_cmp(&a.1));
    if !types.is_empty() {
        d.event_types = Some(charts::bars(
            "event-types",
            "Events by type",
            &types,
            Unit::Count,
        ));
    }
    // Pharos sends the oldest first: the timeline shows the newest 12, newest first (events
    // without a readable time keep their order, after the dated ones).
    let mut events = events.unwrap_or_default();
    events.reverse();
    events.sort_by_key(|e| {
        std::cmp::Reverse(e.timestamp.as_deref().and_then(model::time::parse_iso))
    });
    d.timeline = events
        .into_iter()
        .take(12)
        .map(|e| {
            let p = e.priority.unwrap_or_else(|| "NORMAL".to_owned());
            EventRow {
                time: e
                    .timestamp
                    .as_deref()
                    .and_then(model::time::parse_iso)
                    .map_or_else(|| "not recorded".to_owned(), |t| zone.human(t)),
                class: match p.to_ascii_uppercase().as_str() {
                    "CRITICAL" => "down",
                    "HIGH" => "degraded",
                    _ => "unknown",
                },
                priority: p.to_ascii_lowercase(),
                name: e.name,
            }
        })
        .collect();

    if let (Some(h), Some(m)) = (now.metric("cache.hits"), now.metric("cache.misses")) {
        let title = match now.metric("cache.hit_rate") {
            Some(r) => format!("Cache hit rate {}", with_unit(r.value, r.unit)),
            None => "Cache hits and misses".to_owned(),
        };
        d.cache = Some(charts::donut(
            "cache",
            &title,
            &[("hits".into(), h.value), ("misses".into(), m.value)],
            Unit::Count,
        ));
    }
    for (name, label) in [
        ("cache.hit_rate", "Hit rate"),
        ("cache.hits", "Hits"),
        ("cache.misses", "Misses"),
        ("cache.invalidations", "Invalidations"),
        ("cache.requests", "Requests"),
    ] {
        push(&mut d.cache_stats, now, name, label);
    }
    for (name, label) in [
        ("workers.count", "Workers"),
        ("workers.active_tasks", "Active tasks"),
        ("workers.queue_length", "Scheduled (queue length)"),
    ] {
        push(&mut d.worker_stats, now, name, label);
    }

    ml_cards(now, d);
    for (name, label) in [
        ("engagement.total_users", "Users"),
        ("engagement.active_users", "Active users"),
        ("engagement.interactions", "Interactions"),
        ("engagement.positive_interactions", "Positive interactions"),
        ("engagement.positive_rate", "Positive rate"),
        ("engagement.session_seconds", "Average session"),
    ] {
        push(&mut d.engagement, now, name, label);
    }
    let by_type: Vec<(String, f64)> = now
        .metrics
        .iter()
        .filter_map(|m| {
            Some((
                m.name.strip_prefix("engagement.by_type.")?.to_owned(),
                m.value,
            ))
        })
        .collect();
    if !by_type.is_empty() {
        d.engagement_types = Some(charts::bars(
            "engagement-types",
            "Interactions by type",
            &by_type,
            Unit::Count,
        ));
    }
    for (name, label) in [
        ("recommendations.ctr", "CTR overall"),
        ("recommendations.total", "Recommendations"),
        ("recommendations.clicked", "Clicked"),
        ("recommendations.satisfaction", "Satisfaction"),
        ("recommendations.feedback_count", "Feedback"),
        ("recommendations.diversity", "Diversity"),
        ("recommendations.novelty_percent", "Novelty"),
    ] {
        push(&mut d.recs, now, name, label);
    }
    let ctr: Vec<(String, f64)> = now
        .metrics
        .iter()
        .filter_map(|m| {
            Some((
                m.name.strip_prefix("recommendations.ctr.")?.to_owned(),
                m.value,
            ))
        })
        .collect();
    if !ctr.is_empty() {
        d.ctr = Some(charts::bars(
            "ctr",
            "Click-through rate by strategy",
            &ctr,
            Unit::Ratio,
        ));
    }

    ingestion(now, jobs, d);
    Ok(())
}

fn ml_cards(now: &Snapshot, d: &mut Dashboard<'_>) {
    if let Some(a) = now.metric("model.available") {
        let mut rows = Vec::new();
        push(&mut rows, now, "model.size_mb", "Size");
        push(&mut rows, now, "model.num_users", "Users");
        push(&mut rows, now, "model.num_items", "Items");
        push(
            &mut rows,
            now,
            "model.embedding_dim",
            "Embedding dimensions",
        );
        if let Some(f) = now.fact("model.last_modified") {
            rows.push(kv("Last modified", f.to_owned()));
        }
        d.ml.push(Card {
            title: "Recommendation model".into(),
            status: if a.value != 0.0 {
                model::Status::Healthy
            } else {
                model::Status::Down
            }
            .into(),
            rows,
        });
    }
    let checks: Vec<&model::Metric> = now
        .metrics
        .iter()
        .filter(|m| m.name.starts_with("ml.check."))
        .collect();
    if !checks.is_empty() {
        let all = checks.iter().all(|m| m.value != 0.0);
        d.ml.push(Card {
            title: "ML health checks".into(),
            status: if all {
                model::Status::Healthy
            } else {
                model::Status::Degraded
            }
            .into(),
            rows: checks
                .iter()
                .map(|m| {
                    let name = m.name.trim_start_matches("ml.check.").replace('_', " ");
                    Kv {
                        label: name,
                        value: if m.value != 0.0 {
                            "✓ pass"
                        } else {
                            "✗ fail"
                        }
                        .to_owned(),
                    }
                })
                .collect(),
        });
    }
}

fn ingestion(now: &Snapshot, jobs: Option<Vec<JobItem>>, d: &mut Dashboard<'_>) {
    let zone = d.zone.clone();
    // The queue service and the worker as the source settled them (the worker from its
    // heartbeat or its status key, whichever says it runs), each with the backend's words.
    for (part, label) in [
        ("ingestion", "Queue service"),
        ("ingestion_worker", "Worker"),
    ] {
        if let Some(p) = now.components.iter().find(|c| c.name == part) {
            let state = match (part, p.status) {
                ("ingestion_worker", model::Status::Healthy) => "online",
                ("ingestion_worker", model::Status::Degraded) => "late",
                ("ingestion_worker", model::Status::Down) => "offline",
                (_, s) => s.label(),
            };
            let value = if p.message.is_empty() {
                state.to_owned()
            } else {
                format!("{state}: {}", p.message)
            };
            d.ingest_parts.push(kv(label, value));
        }
    }
    // What each version's job history holds: the older lists finished jobs only, the newest
    // one pending record per submission that never changes. Neither exposes the queue length.
    let count = |k: &str| {
        now.metric(&format!("ingestion.jobs.{k}"))
            .map_or(0.0, |m| m.value)
    };
    // A history that lists waiting and finished jobs together shows every state, whatever the
    // version (the simulator does).
    let mixed = model::lists::lists_every_state(
        ["pending", "processing", "completed", "failed"].map(count),
    );
    let version = now
        .fact(crate::collect::sources::pharos::VERSION)
        .filter(|_| !mixed);
    d.ingest_history = match version {
        Some("older") => "finished",
        Some("newest") => "submitted",
        _ => "",
    };
    let exposed = model::lists::history_shows(d.ingest_history);
    d.ingest_note = match version {
        Some("older") => "Queue length: not exposed by this Pharos version. Its job history \
             lists finished jobs only (completed and failed); queued and running jobs are not \
             exposed."
            .to_owned(),
        Some("newest") => "Queue length: not exposed by this Pharos version. Its job history \
             holds one pending record per submission, which never changes; outcomes and times \
             are not exposed."
            .to_owned(),
        _ => "Queue length: not exposed by Pharos; the counts are of the jobs its history lists."
            .to_owned(),
    };
    let segs = [
        ("pending", "Pending", "unknown"),
        ("processing", "Processing", "degraded"),
        ("completed", "Completed", "healthy"),
        ("failed", "Failed", "down"),
    ];
    let counts: Vec<Option<f64>> = segs
        .iter()
        .zip(exposed)
        .map(|((k, _, _), shown)| {
            now.metric(&format!("ingestion.jobs.{k}"))
                .filter(|_| shown)
                .map(|m| m.value)
        })
        .collect();
    let total: f64 = counts.iter().flatten().sum();
    let read = now.metric("ingestion.jobs.pending").is_some();
    if read {
        d.queue = segs
            .iter()
            .zip(&counts)
            .map(|((_, label, class), c)| QueueSeg {
                label,
                count: c.map_or_else(|| "not exposed".to_owned(), |c| with_unit(c, Unit::Count)),
                pct: if total > 0.0 {
                    c.unwrap_or(0.0) / total * 100.0
                } else {
                    0.0
                },
                class,
            })
            .collect();
    }
    d.jobs = jobs
        .unwrap_or_default()
        .into_iter()
        .take(15)
        .map(|j| {
            let class = model::lists::JobState::of(&j.status).class();
            JobRow {
                repo: j.repo_url.unwrap_or_else(|| "—".to_owned()),
                class,
                duration: j
                    .duration_seconds
                    .map_or_else(|| "—".to_owned(), |s| with_unit(s, Unit::Seconds)),
                files: j
                    .files_processed
                    .map_or_else(|| "—".to_owned(), |f| with_unit(f, Unit::Count)),
                when: j
                    .timestamp
                    .as_deref()
                    .and_then(model::time::parse_iso)
                    .map_or_else(|| "not recorded".to_owned(), |t| zone.human(t)),
                error: j.error.or(j.reason).unwrap_or_default(),
                status: j.status,
            }
        })
        .collect();
    if now
        .outcomes
        .iter()
        .any(|o| o.endpoint.starts_with("ingestion"))
    {
        d.ops.push(kv(
            "Sparse embedding generation",
            "Pharos has no endpoint that reports past runs, so the last run is not known here; \
             start one from the operations widget."
                .to_owned(),
        ));
    }
}
