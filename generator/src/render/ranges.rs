//! Time-range charts (1h, 6h, 24h, 7d): which metrics each chart shows, where its points come from, and the range pages.

use model::Unit;
use model::trend::{WINDOWS, Window};

use super::charts::{self, Chart, Line, Series};
use super::views::{Common, PageLink};
use super::write::Writer;
use super::{BuildError, Ctx, paths, rel, render};
use crate::store::{Store, StoreError};

pub use crate::collect::sources::ChartSpec;

pub const PERFORMANCE: ChartSpec = ChartSpec {
    id: "perf",
    title: "Read latency (Lookout's own reads, not the backend's request latency)",
    unit: Unit::Milliseconds,
    metrics: &[
        ("probe.latency_p50", "p50"),
        ("probe.latency_p95", "p95"),
        ("probe.latency_p99", "p99"),
    ],
    // No rule watches Lookout's own read times, so no threshold line is drawn.
    threshold: None,
};
const ERRORS: ChartSpec = ChartSpec {
    id: "errors",
    title: "Failed readings",
    unit: Unit::Percent,
    metrics: &[("probe.error_rate", "failed readings")],
    threshold: None,
};
/// Lookout's own range charts; the source's profile adds its own after these.
const OWN_CHARTS: [&ChartSpec; 2] = [&PERFORMANCE, &ERRORS];

/// A metric's points over a window: raw samples (thinned with LTTB) up to a day, hourly means beyond.
pub fn points(
    store: &Store,
    metric: &str,
    now_ms: i64,
    w: Window,
) -> Result<Vec<(i64, f64)>, StoreError> {
    let from = now_ms - w.millis();
    if w.millis() <= Window::H24.millis() {
        let raw = store.series(metric, from, now_ms + 1)?;
        Ok(model::trend::lttb(&raw, 360))
    } else {
        store.hourly_means(metric, from, now_ms + 1)
    }
}

/// The chart of `spec` over `w`, or `None` when none of its metrics has a point.
pub fn chart(
    store: &Store,
    spec: &ChartSpec,
    now_ms: i64,
    w: Window,
    zone: &crate::zone::Zone,
) -> Result<Option<Chart>, StoreError> {
    let mut series = Vec::new();
    for (metric, label) in spec.metrics {
        let pts = points(store, metric, now_ms, w)?;
        if !pts.is_empty() {
            series.push(Series {
                label: (*label).to_owned(),
                points: pts,
            });
        }
    }
    if series.is_empty() {
        return Ok(None);
    }
    Ok(Some(charts::line(&Line {
        id: spec.id.to_owned(),
        title: format!("{}, last {}", spec.title, w.label()),
        unit: spec.unit,
        from_ms: now_ms - w.millis(),
        to_ms: now_ms,
        series,
        threshold: spec.threshold,
        mark_anomalies: true,
        zone: zone.clone(),
    })))
}

/// Links to the four range pages, as seen from `from`.
pub fn selector(from: &str, current: Option<Window>) -> Vec<PageLink> {
    WINDOWS
        .iter()
        .map(|w| PageLink {
            href: rel(from, &paths::range_page(w.label())),
            label: w.label().to_owned(),
            current: current == Some(*w),
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "range.html")]
struct RangePage<'a> {
    c: Common<'a>,
    label: &'static str,
    as_of: String,
    ranges: Vec<PageLink>,
    charts: Vec<Chart>,
}

/// Whether a window's page must be redrawn when the newest snapshot moves from `prev_ms` to
/// `now_ms`: the hour's every time, 6 hours' every quarter hour, a day's every half hour, a
/// week's every two hours (each about 1-4 % of its span). Each page says the time it shows.
pub fn due(w: Window, prev_ms: Option<i64>, now_ms: i64) -> bool {
    if prev_ms == Some(now_ms) {
        return false;
    }
    let step = match w {
        Window::H1 => return true,
        Window::H6 => 900_000,
        Window::H24 => 1_800_000,
        Window::D7 => 7_200_000,
    };
    super::due_every(step, None, prev_ms, now_ms)
}

/// `data/ranges/24h.json`
pub fn json_path(label: &str) -> String {
    format!("data/ranges/{label}.json")
}

pub fn render_range(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    now_ms: i64,
    w: Window,
) -> Result<(), BuildError> {
    let path = paths::range_page(w.label());
    let mut list = Vec::new();
    for spec in OWN_CHARTS.iter().chain(ctx.profile.charts) {
        if let Some(c) = chart(store, spec, now_ms, w, &ctx.site.zone)? {
            list.push(c);
        }
    }
    let page = RangePage {
        c: ctx.common_json(
            &path,
            format!("Last {}", w.label()),
            false,
            &json_path(w.label()),
        ),
        label: w.label(),
        as_of: ctx.site.zone.human(now_ms),
        ranges: selector(&path, Some(w)),
        charts: list,
    };
    writer.put(&path, render(&path, &page)?.as_bytes())?;
    let json = serde_json::json!({
        "range": w.label(),
        "to_ms": now_ms,
        "charts": page.charts.iter().map(|c| serde_json::json!({
            "id": c.id,
            "title": c.title,
            "series": c.series.iter().map(|(l, p)| serde_json::json!({"label": l, "points": p})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    writer.put(&json_path(w.label()), super::json_text(&json).as_bytes())
}

/// A page (and data file) per time range: the last hour, 6 hours, day and week.
pub(super) struct Ranges;

impl super::kinds::PageKind for Ranges {
    fn name(&self) -> &'static str {
        "ranges"
    }

    fn paths(&self, _: &super::kinds::Inputs<'_>) -> Vec<String> {
        WINDOWS
            .iter()
            .flat_map(|w| [paths::range_page(w.label()), json_path(w.label())])
            .collect()
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let Some(now) = i.now_ms() else {
            return Ok(());
        };
        for win in WINDOWS {
            if due(win, i.plan.previous_ms, now) {
                render_range(i.store, i.ctx, w, now, win)?;
            }
        }
        Ok(())
    }
}
