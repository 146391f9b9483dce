//! The index's generic sections (overview tiles, module grid, read latency) and the view structs a
//! source's profile fills with its own sections (`render/profiles/`).

use std::collections::HashMap;

use model::Snapshot;
use model::trend::Window;

use super::charts::{Chart, with_unit};
use super::ranges;
use super::views::{self, Badge, PartRow};
use crate::analysis::Analysis;
use crate::collect::sources::{Capabilities, Methods};
use crate::store::{Store, StoreError, Uptime};

/// A labelled figure.
pub struct Kv {
    pub label: String,
    pub value: String,
}

pub(super) fn kv(label: &str, value: String) -> Kv {
    Kv {
        label: label.to_owned(),
        value,
    }
}

/// One of the four headline figures, with its trend and anomaly mark.
#[derive(serde::Serialize)]
pub struct Tile {
    pub label: &'static str,
    /// The metric it shows, which the live first screen updates it from; empty when it is
    /// worked out from more than one snapshot (uptime, method calls).
    pub metric: String,
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
    /// The queue service's and the worker's state, in words.
    pub ingest_parts: Vec<Kv>,
    /// What the backend's job history holds and does not (the queue length, outcomes).
    pub ingest_note: String,
    /// What the job history holds, for the live panel: `finished`, `submitted` or empty (all).
    pub ingest_history: &'static str,
    pub queue: Vec<QueueSeg>,
    pub jobs: Vec<JobRow>,
    pub ops: Vec<Kv>,
    /// Section id -> why it was not read in this snapshot, and the age of what it shows.
    pub notes: Vec<(&'static str, String)>,
    /// The site's zone, for the times the sections write.
    pub zone: crate::zone::Zone,
}

impl Dashboard<'_> {
    /// The note of section `id`, if it was not read in this snapshot.
    pub fn note(&self, id: &str) -> Option<&str> {
        self.notes
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, n)| n.as_str())
    }
}

pub(super) fn val(s: &Snapshot, name: &str) -> Option<String> {
    s.metric(name).map(|m| with_unit(m.value, m.unit))
}

pub(super) fn push(out: &mut Vec<Kv>, s: &Snapshot, name: &str, label: &str) {
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

/// Operations per second between two snapshots, from the source's per-operation call counters.
fn request_rate(now: &Snapshot, prev: Option<&Snapshot>, methods: Option<Methods>) -> Option<f64> {
    let (prev, methods) = (prev?, methods?);
    let total = |s: &Snapshot| -> Option<f64> {
        let v: Vec<f64> = s
            .metrics
            .iter()
            .filter(|m| m.name.starts_with(methods.prefix) && m.name.ends_with(methods.count))
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
    methods: Option<Methods>,
) -> Vec<Tile> {
    let not_reported = format!("not reported by {source}");
    let tile = |label: &'static str, metric: &str, value: Option<String>, from: String| {
        let unit = now
            .metric(metric)
            .map_or(model::Unit::Milliseconds, |m| m.unit);
        let (trend, trend_class, trend_title) = views::trend_cells(
            analysis
                .metrics
                .get(metric)
                .and_then(|a| a.trend(Window::H1)),
            unit,
        );
        let missing = value.is_none();
        Tile {
            label,
            metric: metric.to_owned(),
            value: value.unwrap_or_else(|| "—".to_owned()),
            source: if missing { not_reported.clone() } else { from },
            trend,
            trend_class,
            trend_title,
            anomaly: anomaly_word(analysis, metric),
        }
    };
    use crate::collect::rates::{ERROR_RATE, LATENCY_P95, RATE};
    let counters = format!("{source}'s request counters, over the last interval");
    // The service's own request figures where its kind measures them; never guessed from
    // Lookout's reads.
    let measured = |m: &str| val(now, m).filter(|_| caps.request_error_rate);
    let mut tiles = vec![
        tile(
            "Uptime (24h)",
            "",
            analysis.uptime_overall.percent[0]
                .filter(|_| caps.availability)
                .map(|p| format!("{p:.2}%")),
            format!("{source}'s own health word, over 24 h"),
        ),
        tile(
            "Request error rate",
            ERROR_RATE,
            measured(ERROR_RATE),
            counters.clone(),
        ),
        match methods {
            Some(_) => tile(
                "Method calls",
                "",
                request_rate(now, prev, methods).map(|r| format!("{r:.1}/s")),
                format!("{source}'s per-method call counts"),
            ),
            None => tile("Request rate", RATE, measured(RATE), counters.clone()),
        },
    ];
    if let Some(p95) = measured(LATENCY_P95) {
        let from = format!("{source}'s latency histogram, over the last interval");
        tiles.push(tile("Response time p95", LATENCY_P95, Some(p95), from));
    }
    tiles.push(tile(
        "Read latency p95",
        "probe.latency_p95",
        val(now, "probe.latency_p95"),
        format!("Lookout's own reads of {source}"),
    ));
    tiles
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
    zone: &crate::zone::Zone,
) -> Result<Dashboard<'a>, StoreError> {
    let now_ms = now.taken_at_ms;
    let errors_24h: HashMap<String, Uptime> = store
        .uptime_by_endpoint(now_ms - 86_400_000, now_ms + 1)?
        .into_iter()
        .collect();
    let mut d = Dashboard {
        tiles,
        zone: zone.clone(),
        ..Dashboard::default()
    };
    for part in modules {
        let key = key_of(part.name);
        let metric = format!("probe.endpoint.module.{key}.latency_ms");
        let trend = crate::analysis::trend_h1(store, &metric, now_ms)?;
        let (trend, trend_class, trend_title) =
            views::trend_cells(trend.as_ref(), model::Unit::Milliseconds);
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
    d.perf = ranges::chart(store, &ranges::PERFORMANCE, now_ms, Window::H24, zone)?;
    Ok(d)
}
