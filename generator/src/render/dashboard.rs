//! The index's operations sections (overview tiles, module grid, database, events, cache, workers, ML, engagement, ingestion) as view structs.

use std::collections::HashMap;

use model::trend::Window;
use model::{Snapshot, Unit};

use super::charts::{self, Chart, with_unit};
use super::ranges;
use super::views::{self, Badge, PartRow};
use crate::analysis::Analysis;
use crate::collect::lists::{EventItem, JobItem};
use crate::collect::sources::Capabilities;
use crate::store::{Store, StoreError, Uptime};

/// A labelled figure.
pub struct Kv {
    pub label: String,
    pub value: String,
}

fn kv(label: &str, value: String) -> Kv {
    Kv {
        label: label.to_owned(),
        value,
    }
}

/// One of the four headline figures, with its trend and anomaly mark.
pub struct Tile {
    pub label: &'static str,
    pub value: String,
    /// Where the figure comes from (`Pharos's health word`), or why there is none.
    pub source: String,
    pub trend: String,
    pub trend_class: &'static str,
    pub trend_title: String,
    pub anomaly: Option<String>,
}

pub struct ModuleRow<'a> {
    pub part: PartRow<'a>,
    pub href: String,
    pub latency: String,
    pub errors: String,
    pub trend: String,
    pub trend_class: &'static str,
    pub trend_title: String,
    pub alerts: usize,
}

pub struct PoolView {
    pub out: String,
    pub idle: String,
    pub capacity: String,
    pub usage: String,
    /// Widths of the bar's segments in percent of capacity.
    pub out_pct: f64,
    pub idle_pct: f64,
    pub warnings: String,
    pub stats: Vec<Kv>,
}

pub struct EventRow {
    pub time: String,
    pub name: String,
    pub priority: String,
    pub class: &'static str,
}

pub struct QueueSeg {
    pub label: &'static str,
    pub count: String,
    pub pct: f64,
    pub class: &'static str,
}

pub struct JobRow {
    pub repo: String,
    pub status: String,
    pub class: &'static str,
    pub duration: String,
    pub files: String,
    pub when: String,
    pub error: String,
}

pub struct Card {
    pub title: String,
    pub status: Badge,
    pub rows: Vec<Kv>,
}

/// Everything the index shows below the alert panel, beyond parts and key metrics.
#[derive(Default)]
pub struct Dashboard<'a> {
    pub tiles: Vec<Tile>,
    pub modules: Vec<ModuleRow<'a>>,
    pub module_counts: [usize; 4],
    pub perf: Option<Chart>,
    pub pool: Option<PoolView>,
    pub event_stats: Vec<Kv>,
    pub event_types: Option<Chart>,
    pub timeline: Vec<EventRow>,
    pub cache: Option<Chart>,
    pub cache_stats: Vec<Kv>,
    pub worker_stats: Vec<Kv>,
    pub queue_chart: Option<Chart>,
    pub ml: Vec<Card>,
    pub engagement: Vec<Kv>,
    pub engagement_types: Option<Chart>,
    pub recs: Vec<Kv>,
    pub ctr: Option<Chart>,
    pub ingest_worker: String,
    pub queue: Vec<QueueSeg>,
    pub jobs: Vec<JobRow>,
    pub ops: Vec<Kv>,
}

fn val(s: &Snapshot, name: &str) -> Option<String> {
    s.metric(name).map(|m| with_unit(m.value, m.unit))
}

fn push(out: &mut Vec<Kv>, s: &Snapshot, name: &str, label: &str) {
    if let Some(v) = val(s, name) {
        out.push(kv(label, v));
    }
}

fn anomaly_word(analysis: &Analysis, metric: &str) -> Option<String> {
    analysis
        .metrics
        .get(metric)
        .and_then(|a| a.anomaly)
        .filter(model::anomaly::Score::is_anomaly)
        .map(|s| views::anomaly_kind(&s))
}

/// Requests per second between two snapshots, from the method call counters.
fn request_rate(now: &Snapshot, prev: Option<&Snapshot>) -> Option<f64> {
    let prev = prev?;
    let total = |s: &Snapshot| -> Option<f64> {
        let v: Vec<f64> = s
            .metrics
            .iter()
            .filter(|m| m.name.starts_with("performance.method.") && m.name.ends_with(".count"))
            .map(|m| m.value)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum())
    };
    let dt = (now.taken_at_ms - prev.taken_at_ms) as f64 / 1000.0;
    let d = total(now)? - total(prev)?;
    // A counter that went down was reset: no honest rate for this pair.
    (dt > 0.0 && d >= 0.0).then(|| d / dt)
}

/// The headline figures, each naming its source; what no source measures says so.
pub fn tiles(
    now: &Snapshot,
    prev: Option<&Snapshot>,
    analysis: &Analysis,
    source: &str,
    caps: Capabilities,
) -> Vec<Tile> {
    let not_reported = format!("not reported by {source}");
    let tile = |label: &'static str, metric: &str, value: Option<String>, from: String| {
        let (trend, trend_class, trend_title) = views::trend_cells(
            analysis
                .metrics
                .get(metric)
                .and_then(|a| a.trend(Window::H1)),
        );
        let missing = value.is_none();
        Tile {
            label,
            value: value.unwrap_or_else(|| "—".to_owned()),
            source: if missing { not_reported.clone() } else { from },
            trend,
            trend_class,
            trend_title,
            anomaly: anomaly_word(analysis, metric),
        }
    };
    vec![
        tile(
            "Uptime (24h)",
            "",
            analysis.uptime_overall.percent[0]
                .filter(|_| caps.availability)
                .map(|p| format!("{p:.2}%")),
            format!("{source}'s own health word, over 24 h"),
        ),
        // No kind here measures its request errors yet: said, never guessed from Lookout's reads.
        tile("Request error rate", "", None, String::new()),
        tile(
            "Method calls",
            "",
            request_rate(now, prev).map(|r| format!("{r:.1}/s")),
            format!("{source}'s per-method call counts"),
        ),
        tile(
            "Read latency p95",
            "probe.latency_p95",
            val(now, "probe.latency_p95"),
            format!("Lookout's own reads of {source}"),
        ),
    ]
}

/// The lower-case key Pharos uses for a module in metric and endpoint names.
pub fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
}

pub fn build<'a>(
    store: &Store,
    now: &'a Snapshot,
    tiles: Vec<Tile>,
    analysis: &Analysis,
    modules: Vec<PartRow<'a>>,
    events: Option<Vec<EventItem>>,
    jobs: Option<Vec<JobItem>>,
) -> Result<Dashboard<'a>, StoreError> {
    let now_ms = now.taken_at_ms;
    let errors_24h: HashMap<String, Uptime> = store
        .uptime_by_endpoint(now_ms - 86_400_000, now_ms + 1)?
        .into_iter()
        .collect();
    let mut d = Dashboard {
        tiles,
        ..Dashboard::default()
    };
    for part in modules {
        let key = key_of(part.name);
        let metric = format!("probe.endpoint.module.{key}.latency_ms");
        let trend = crate::analysis::trends(store, &metric, now_ms)?;
        let (trend, trend_class, trend_title) =
            views::trend_cells(trend.iter().find(|t| t.window == Window::H1));
        let alerts = analysis
            .firing()
            .filter(|(_, s)| s.metric == format!("status.module.{key}") || s.metric == metric)
            .count();
        let slot = match part.status.class {
            "healthy" => 1,
            "degraded" => 2,
            "down" => 3,
            _ => 0,
        };
        d.module_counts[slot] += 1;
        d.modules.push(ModuleRow {
            href: super::paths::part_page("module", part.name),
            latency: val(now, &metric).unwrap_or_else(|| "—".to_owned()),
            errors: errors_24h
                .get(&format!("module.{key}"))
                .map_or_else(|| "—".to_owned(), |u| (u.total - u.ok).to_string()),
            trend,
            trend_class,
            trend_title,
            alerts,
            part,
        });
    }
    d.perf = ranges::chart(store, &ranges::PERFORMANCE, now_ms, Window::H24)?;
    d.queue_chart = ranges::chart(store, &ranges::QUEUE, now_ms, Window::H24)?;

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
    d.timeline = events
        .unwrap_or_default()
        .into_iter()
        .take(12)
        .map(|e| {
            let p = e.priority.unwrap_or_else(|| "NORMAL".to_owned());
            EventRow {
                time: e
                    .timestamp
                    .as_deref()
                    .and_then(model::time::parse_iso)
                    .map_or_else(|| "—".to_owned(), model::time::format_human),
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

    ml_cards(now, &mut d);
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

    ingestion(now, jobs, &mut d);
    Ok(d)
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
    if let Some(w) = now.fact("ingestion.worker") {
        d.ingest_worker = w.to_owned();
    }
    let segs = [
        ("pending", "Pending", "unknown"),
        ("processing", "Processing", "degraded"),
        ("completed", "Completed", "healthy"),
        ("failed", "Failed", "down"),
    ];
    let counts: Vec<Option<f64>> = segs
        .iter()
        .map(|(k, _, _)| now.metric(&format!("ingestion.jobs.{k}")).map(|m| m.value))
        .collect();
    let total: f64 = counts.iter().flatten().sum();
    if counts.iter().any(Option::is_some) {
        d.queue = segs
            .iter()
            .zip(&counts)
            .map(|((_, label, class), c)| QueueSeg {
                label,
                count: c.map_or_else(|| "—".to_owned(), |c| with_unit(c, Unit::Count)),
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
                    .map_or_else(|| "—".to_owned(), model::time::format_human),
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
