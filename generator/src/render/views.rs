//! Small borrowed view structs for the templates; values are formatted here so templates stay dumb.

use askama::Template;
use model::time::{format_human, format_iso, time_of_day};
use model::{EndpointOutcome, Metric, PartHealth, Snapshot, Status};

use crate::store::{DaySummary, SnapshotMeta};

/// What every page's layout needs.
pub struct Common<'a> {
    pub site_title: &'a str,
    pub page_title: String,
    pub root: String,
    pub css_version: &'a str,
    pub version: &'static str,
    pub generated: &'a str,
}

pub struct Badge {
    pub class: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
}

impl From<Status> for Badge {
    fn from(s: Status) -> Badge {
        Badge {
            class: s.as_str(),
            label: s.label(),
            symbol: s.symbol(),
        }
    }
}

pub struct PartRow<'a> {
    pub name: &'a str,
    pub status: Badge,
    pub word: &'a str,
    pub message: &'a str,
}

impl<'a> From<&'a PartHealth> for PartRow<'a> {
    fn from(p: &'a PartHealth) -> PartRow<'a> {
        PartRow {
            name: &p.name,
            status: p.status.into(),
            word: &p.word,
            message: &p.message,
        }
    }
}

pub struct KeyRow {
    pub name: String,
    pub label: String,
    pub value: String,
    pub unit: &'static str,
    pub previous: String,
}

pub struct KeyGroup {
    pub title: String,
    pub rows: Vec<KeyRow>,
}

pub struct OutcomeRow<'a> {
    pub endpoint: &'a str,
    pub path: &'a str,
    pub kind_label: &'static str,
    pub kind_class: &'static str,
    pub http_status: String,
    pub latency: String,
    pub bytes: u64,
    pub attempts: u32,
    pub detail: &'a str,
}

impl<'a> From<&'a EndpointOutcome> for OutcomeRow<'a> {
    fn from(o: &'a EndpointOutcome) -> OutcomeRow<'a> {
        OutcomeRow {
            endpoint: &o.endpoint,
            path: &o.path,
            kind_label: o.kind.label(),
            kind_class: if o.kind.is_ok() { "ok" } else { "bad" },
            http_status: o.http_status.map(|s| s.to_string()).unwrap_or_default(),
            latency: format!("{:.1} ms", o.latency_ms),
            bytes: o.bytes,
            attempts: o.attempts,
            detail: o.detail.as_deref().unwrap_or(""),
        }
    }
}

pub struct MetricRow<'a> {
    pub name: &'a str,
    pub value: String,
    pub unit: &'static str,
    pub better: &'static str,
}

impl<'a> From<&'a Metric> for MetricRow<'a> {
    fn from(m: &'a Metric) -> MetricRow<'a> {
        MetricRow {
            name: &m.name,
            value: m.display_value(),
            unit: m.unit.symbol(),
            better: m.better.as_str(),
        }
    }
}

pub struct SnapRow {
    pub href: String,
    pub time: String,
    pub status: Badge,
    pub failed: u32,
}

impl SnapRow {
    pub fn new(m: &SnapshotMeta, href: String, with_day: bool) -> SnapRow {
        SnapRow {
            href,
            time: if with_day {
                format_human(m.taken_at_ms)
            } else {
                time_of_day(m.taken_at_ms)
            },
            status: m.overall.into(),
            failed: m.failed,
        }
    }
}

pub struct DayRow {
    pub href: String,
    pub day: String,
    pub worst: Badge,
    pub count: u32,
    pub span: String,
}

impl DayRow {
    pub fn new(d: &DaySummary, href: String) -> DayRow {
        DayRow {
            href,
            day: d.day.clone(),
            worst: d.worst.into(),
            count: d.count,
            span: format!("{} – {}", time_of_day(d.first_ms), time_of_day(d.last_ms)),
        }
    }
}

pub struct PageLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage<'a> {
    pub c: Common<'a>,
    pub overall: Badge,
    pub headline: String,
    pub reasons: &'a [String],
    pub taken: String,
    pub taken_iso: String,
    pub snapshot_href: String,
    pub ok_count: usize,
    pub total_count: usize,
    pub components: Vec<PartRow<'a>>,
    pub modules: Vec<PartRow<'a>>,
    pub groups: Vec<KeyGroup>,
    pub failures: Vec<OutcomeRow<'a>>,
    pub recent: Vec<SnapRow>,
    pub snapshot_count: u64,
}

#[derive(Template)]
#[template(path = "empty.html")]
pub struct EmptyPage<'a> {
    pub c: Common<'a>,
}

#[derive(Template)]
#[template(path = "snapshot.html")]
pub struct SnapshotPage<'a> {
    pub c: Common<'a>,
    pub overall: Badge,
    pub reasons: &'a [String],
    pub taken: String,
    pub taken_iso: String,
    pub duration: String,
    pub ok_count: usize,
    pub total_count: usize,
    pub parts: Vec<PartRow<'a>>,
    pub outcomes: Vec<OutcomeRow<'a>>,
    pub metrics: Vec<MetricRow<'a>>,
    pub facts: Vec<(&'a str, &'a str)>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub day: String,
    pub day_href: String,
    pub json_href: String,
}

#[derive(Template)]
#[template(path = "day.html")]
pub struct DayPage<'a> {
    pub c: Common<'a>,
    pub day: &'a str,
    pub worst: Badge,
    pub rows: Vec<SnapRow>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "history.html")]
pub struct HistoryPage<'a> {
    pub c: Common<'a>,
    pub rows: Vec<DayRow>,
    pub pages: Vec<PageLink>,
    pub total_snapshots: u64,
    pub total_days: usize,
}

#[derive(Template)]
#[template(path = "404.html")]
pub struct NotFoundPage<'a> {
    pub c: Common<'a>,
}

/// The key metrics of the index, grouped as the design lists them.
const KEY_GROUPS: &[(&str, &[(&str, &str)])] = &[
    (
        "Latency",
        &[
            ("probe.latency_p50", "API p50 (measured)"),
            ("probe.latency_p95", "API p95 (measured)"),
            ("probe.latency_p99", "API p99 (measured)"),
            ("events.handler_latency_p50", "Event handler p50"),
            ("events.handler_latency_p95", "Event handler p95"),
            ("events.handler_latency_p99", "Event handler p99"),
        ],
    ),
    (
        "Errors",
        &[
            ("probe.error_rate", "Failed readings"),
            ("events.handler_error_rate", "Event handler error rate"),
            ("events.handler_errors", "Event handler errors"),
            ("performance.slow_query_count", "Slow queries"),
        ],
    ),
    (
        "Cache",
        &[
            ("cache.hit_rate", "Hit rate"),
            ("cache.hits", "Hits"),
            ("cache.misses", "Misses"),
            ("cache.invalidations", "Invalidations"),
        ],
    ),
    (
        "Database pool",
        &[
            ("db.pool.pool_usage_percent", "Pool usage"),
            ("db.pool.checked_out", "Checked out"),
            ("db.pool.checked_in", "Idle"),
            ("db.pool.total_capacity", "Capacity"),
        ],
    ),
    (
        "Event bus",
        &[
            ("events.events_emitted", "Emitted"),
            ("events.events_delivered", "Delivered"),
            ("events.emission_latency_p95", "Emission p95"),
        ],
    ),
    (
        "Workers",
        &[
            ("workers.count", "Workers"),
            ("workers.active_tasks", "Active tasks"),
            ("workers.queue_length", "Queue length"),
            ("ingestion.worker.online", "Ingestion worker online"),
        ],
    ),
    (
        "Ingestion queue",
        &[
            ("ingestion.jobs.pending", "Pending"),
            ("ingestion.jobs.processing", "Processing"),
            ("ingestion.jobs.completed", "Completed"),
            ("ingestion.jobs.failed", "Failed"),
        ],
    ),
];

pub fn key_groups(now: &Snapshot, prev: Option<&Snapshot>) -> Vec<KeyGroup> {
    let fmt = |s: Option<&Snapshot>, name: &str| {
        s.and_then(|s| s.metric(name))
            .map_or_else(|| "—".to_owned(), Metric::display_value)
    };
    let mut groups: Vec<KeyGroup> = KEY_GROUPS
        .iter()
        .map(|(title, rows)| KeyGroup {
            title: (*title).to_owned(),
            rows: rows
                .iter()
                .filter_map(|(name, label)| {
                    let m = now.metric(name)?;
                    Some(KeyRow {
                        name: (*name).to_owned(),
                        label: (*label).to_owned(),
                        value: m.display_value(),
                        unit: m.unit.symbol(),
                        previous: fmt(prev, name),
                    })
                })
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    if groups.iter().all(|g| g.rows.len() <= 1) {
        // Not a Pharos backend (or it answered almost nothing): show what there is.
        groups = vec![KeyGroup {
            title: "Metrics".to_owned(),
            rows: now
                .metrics
                .iter()
                .filter(|m| !m.name.starts_with("probe.") || m.name == "probe.error_rate")
                .take(24)
                .map(|m| KeyRow {
                    name: m.name.clone(),
                    label: m.name.clone(),
                    value: m.display_value(),
                    unit: m.unit.symbol(),
                    previous: fmt(prev, &m.name),
                })
                .collect(),
        }];
    }
    groups
}

pub fn taken(ms: i64) -> (String, String) {
    (format_human(ms), format_iso(ms))
}
