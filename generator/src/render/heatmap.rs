//! Latency heatmap: p50/p95/p99 and count per endpoint and backend method over the last hour, and the percentiles sources report per endpoint, in four sorted static variants, with drill-down pages for methods.

use model::trend::Window;
use model::{Snapshot, Unit};

use super::charts::{self, Chart};
use super::views::{Common, PageLink};
use super::write::Writer;
use super::{BuildError, Ctx, parts, paths, rel, render};
use crate::collect::sources::Profile;
use crate::store::Store;

/// How often the heatmap (an hour's percentiles) is redrawn.
pub const REFRESH_MS: i64 = 15 * 60_000;
/// The drill-down pages (a method's or a reported series' day, each stating its time): every
/// hour, with the heatmap.
pub const DRILL_REFRESH_MS: i64 = 60 * 60_000;
/// Fewer readings than this in the hour say "insufficient data" instead of percentiles.
const MIN_READINGS: usize = 5;
const SORTS: [(&str, &str); 4] = [
    ("p99", "latency/index.html"),
    ("p95", "latency/by-p95.html"),
    ("p50", "latency/by-p50.html"),
    ("count", "latency/by-count.html"),
];

pub const JSON: &str = "data/latency.json";

pub fn paths_all() -> Vec<String> {
    SORTS.iter().map(|(_, p)| (*p).to_owned()).collect()
}

/// `latency/method-search_hybrid_search.html`
pub fn method_page(name: &str) -> String {
    format!("latency/method-{}.html", paths::slug(name))
}

/// `latency/reported-source.admin.latency.GET__api_items.html`: a source's own percentiles.
pub fn reported_page(base: &str) -> String {
    format!("latency/reported-{}.html", paths::slug(base))
}

/// The kind of a row whose percentiles its source reported.
const REPORTED: &str = "reported by its source";

/// The drill-down pages of the newest snapshot's reported percentiles.
pub fn reported_pages(now: &Snapshot) -> Vec<String> {
    reported(now)
        .iter()
        .map(|r| reported_page(&r.name))
        .collect()
}

#[derive(Clone)]
pub struct Cell {
    pub text: String,
    /// fast (< 100 ms), slow (100–500 ms), very slow (> 500 ms): colour plus the word in a title.
    pub class: &'static str,
    pub word: &'static str,
}

#[derive(Clone)]
pub struct HeatRow {
    pub name: String,
    pub kind: &'static str,
    pub href: String,
    pub cells: Vec<Cell>,
    pub count: String,
    pub insufficient: bool,
    count_value: f64,
    sort: [f64; 4],
}

fn cell(v: f64) -> Cell {
    let (class, word) = match v {
        v if v < 100.0 => ("fast", "under 100 ms"),
        v if v <= 500.0 => ("slow", "100–500 ms"),
        _ => ("vslow", "over 500 ms"),
    };
    Cell {
        text: charts::with_unit(v, Unit::Milliseconds),
        class,
        word,
    }
}

fn row(name: &str, kind: &'static str, href: String, values: &[f64], count: f64) -> HeatRow {
    let p = |q| model::stats::percentile(values, q);
    match (p(50.0), p(95.0), p(99.0)) {
        (Some(a), Some(b), Some(c)) if values.len() >= MIN_READINGS => HeatRow {
            name: name.to_owned(),
            kind,
            href,
            cells: vec![cell(a), cell(b), cell(c)],
            count: charts::with_unit(count, Unit::Count),
            insufficient: false,
            count_value: count,
            sort: [c, b, a, count],
        },
        _ => HeatRow {
            name: name.to_owned(),
            kind,
            href,
            cells: Vec::new(),
            count: charts::with_unit(count, Unit::Count),
            insufficient: true,
            count_value: count,
            sort: [f64::NEG_INFINITY; 4],
        },
    }
}

#[derive(askama::Template)]
#[template(path = "heatmap.html")]
struct HeatPage<'a> {
    c: Common<'a>,
    sorts: Vec<PageLink>,
    sorted_by: &'static str,
    rows: &'a [HeatRow],
    as_of: String,
}

#[derive(askama::Template)]
#[template(path = "drill.html")]
struct DrillPage<'a> {
    c: Common<'a>,
    name: &'a str,
    back: String,
    charts: Vec<Chart>,
}

/// Rows for every endpoint and method of the newest snapshot, over the hour before it.
fn rows(store: &Store, now: &Snapshot, profile: &Profile) -> Result<Vec<HeatRow>, BuildError> {
    let from = now.taken_at_ms - Window::H1.millis();
    let mut out = Vec::new();
    for o in &now.outcomes {
        let pts = store.series(
            &format!("probe.endpoint.{}.latency_ms", o.endpoint),
            from,
            now.taken_at_ms + 1,
        )?;
        let values: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let href = paths::part_page("endpoint", &o.endpoint);
        out.push(row(
            &o.endpoint,
            "endpoint",
            href,
            &values,
            values.len() as f64,
        ));
    }
    out.extend(reported(now));
    let Some(methods) = profile.methods else {
        return Ok(out);
    };
    for m in &now.metrics {
        let Some(name) = methods.name_of(&m.name) else {
            continue;
        };
        let pts = store.series(&m.name, from, now.taken_at_ms + 1)?;
        let values: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let count = now.metric(&methods.count_of(name)).map_or(0.0, |c| c.value);
        out.push(row(name, "method", method_page(name), &values, count));
    }
    Ok(out)
}

/// Percentiles a source reports itself, per endpoint or series (a mapped latency summary's
/// `<endpoint>.<key>.p50/p95/p99`, a histogram's quantiles over the interval): the newest
/// values as the source gave them, beside Lookout's own readings.
fn reported(now: &Snapshot) -> Vec<HeatRow> {
    let ms = |name: String| {
        now.metric(&name)
            .filter(|m| m.unit == Unit::Milliseconds)
            .map(|m| m.value)
    };
    now.metrics
        .iter()
        .filter_map(|m| {
            let base = m.name.strip_suffix(".p95")?;
            let (p50, p95, p99) = (
                ms(format!("{base}.p50"))?,
                ms(m.name.clone())?,
                ms(format!("{base}.p99"))?,
            );
            let count = now
                .metric(&format!("{base}.count"))
                .map_or(0.0, |c| c.value);
            Some(HeatRow {
                name: base.to_owned(),
                kind: REPORTED,
                href: reported_page(base),
                cells: vec![cell(p50), cell(p95), cell(p99)],
                count: charts::with_unit(count, Unit::Count),
                insufficient: false,
                count_value: count,
                sort: [p99, p95, p50, count],
            })
        })
        .collect()
}

pub fn render_heatmap(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    now: Option<&Snapshot>,
    drill_downs: bool,
) -> Result<(), BuildError> {
    let mut all = match now {
        Some(s) => rows(store, s, &ctx.profile)?,
        None => Vec::new(),
    };
    for (i, (label, path)) in SORTS.iter().enumerate() {
        all.sort_by(|a, b| b.sort[i].total_cmp(&a.sort[i]).then(a.name.cmp(&b.name)));
        let hrefd: Vec<HeatRow> = all
            .iter()
            .map(|r| HeatRow {
                href: rel(path, &r.href),
                ..r.clone()
            })
            .collect();
        let page = HeatPage {
            c: ctx.common_json(path, "Latency".into(), false, JSON),
            sorts: SORTS
                .iter()
                .map(|(l, p)| PageLink {
                    href: rel(path, p),
                    label: format!("by {l}"),
                    current: p == path,
                })
                .collect(),
            sorted_by: label,
            rows: &hrefd,
            as_of: now.map_or_else(String::new, |s| ctx.site.zone.human(s.taken_at_ms)),
        };
        writer.put(path, render(path, &page)?.as_bytes())?;
    }
    let json = serde_json::json!({
        "window": "1h",
        "rows": all.iter().map(|r| serde_json::json!({
            "name": r.name,
            "kind": r.kind,
            "p50_ms": (!r.insufficient).then_some(r.sort[2]),
            "p95_ms": (!r.insufficient).then_some(r.sort[1]),
            "p99_ms": (!r.insufficient).then_some(r.sort[0]),
            "count": r.count_value,
        })).collect::<Vec<_>>(),
    });
    writer.put(JSON, super::json_text(&json).as_bytes())?;
    if let Some(s) = now.filter(|_| drill_downs) {
        for r in all.iter().filter(|r| r.kind == "method") {
            render_method(store, ctx, writer, s.taken_at_ms, &r.name)?;
        }
        for r in all.iter().filter(|r| r.kind == REPORTED) {
            render_reported(store, ctx, writer, s, &r.name)?;
        }
    }
    Ok(())
}

/// A reported series' drill-down: its p50, p95 and p99 over the last 24 hours as stored, and
/// how its p95 was spread.
fn render_reported(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    now: &Snapshot,
    base: &str,
) -> Result<(), BuildError> {
    let path = reported_page(base);
    let now_ms = now.taken_at_ms;
    // What the source itself keeps of the series (its histogram, its hourly trend) first.
    let mut list = reported_details(now, base, &ctx.site.zone);
    for q in ["p95", "p50", "p99"] {
        let raw = store.series(
            &format!("{base}.{q}"),
            now_ms - Window::H24.millis(),
            now_ms + 1,
        )?;
        if raw.is_empty() {
            continue;
        }
        if q == "p95" {
            let values: Vec<f64> = raw.iter().map(|p| p.1).collect();
            list.push(parts::histogram(
                "histogram",
                &format!(
                    "{q} of {base} as its source reported it, last 24h ({} readings)",
                    values.len()
                ),
                &values,
            ));
        }
        list.push(parts::latency_day(
            &format!("trend-{q}"),
            format!("{q} of {base} as reported, last 24h"),
            q,
            &raw,
            now_ms,
            &ctx.site.zone,
        ));
    }
    let page = DrillPage {
        c: ctx.common_json(&path, format!("Reported latency of {base}"), false, JSON),
        name: base,
        back: rel(&path, "latency/index.html"),
        charts: list,
    };
    writer.put(&path, render(&path, &page)?.as_bytes())
}

/// The source's own histogram (bars of its buckets) and hourly trend (a line of each value) of
/// the series `base`, as the newest snapshot read them.
fn reported_details(now: &Snapshot, base: &str, zone: &crate::zone::Zone) -> Vec<charts::Chart> {
    let mut out = Vec::new();
    for t in now.lists.tables.iter().filter(|t| t.of == base) {
        let num = |r: &[String], i: usize| r.get(i).and_then(|v| v.parse::<f64>().ok());
        if t.kind == "histogram" {
            let items: Vec<(String, f64)> = t
                .rows
                .iter()
                .filter_map(|r| Some((r.first()?.clone(), num(r, 1)?)))
                .collect();
            if !items.is_empty() {
                let title = format!(
                    "Histogram of {base} as its source keeps it ({})",
                    t.columns.get(1).map_or("count", String::as_str)
                );
                out.push(charts::bars(
                    "source-histogram",
                    &title,
                    &items,
                    Unit::Count,
                ));
            }
        } else if t.kind == "trend" {
            // One line per value (p50, p95, p99), over the hours the source reported.
            let series: Vec<charts::Series> = t
                .columns
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, q)| charts::Series {
                    label: q.clone(),
                    points: t
                        .rows
                        .iter()
                        .filter_map(|r| Some((model::time::parse_iso(r.first()?)?, num(r, i)?)))
                        .collect(),
                })
                .filter(|s| s.points.len() >= 2)
                .collect();
            let from = series
                .iter()
                .flat_map(|s| s.points.first())
                .map(|p| p.0)
                .min();
            if let Some(from_ms) = from {
                out.push(charts::line(&charts::Line {
                    id: "source-trend".into(),
                    title: format!("{base}, hourly, as its source reports it"),
                    unit: Unit::Milliseconds,
                    from_ms,
                    to_ms: now.taken_at_ms.max(from_ms + 3_600_000),
                    series,
                    threshold: None,
                    mark_anomalies: false,
                    zone: zone.clone(),
                }));
            }
        }
    }
    out
}

fn render_method(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    now_ms: i64,
    name: &str,
) -> Result<(), BuildError> {
    let path = method_page(name);
    let Some(methods) = ctx.profile.methods else {
        return Ok(());
    };
    let metric = methods.average_of(name);
    let raw = store.series(&metric, now_ms - Window::H24.millis(), now_ms + 1)?;
    let mut list = Vec::new();
    if !raw.is_empty() {
        let values: Vec<f64> = raw.iter().map(|p| p.1).collect();
        list.push(parts::histogram(
            "histogram",
            &format!(
                "Average time of {name} as reported, last 24h ({} readings)",
                values.len()
            ),
            &values,
        ));
        list.push(parts::latency_day(
            "trend",
            format!("Average time of {name}, last 24h"),
            "average",
            &raw,
            now_ms,
            &ctx.site.zone,
        ));
    }
    let page = DrillPage {
        c: ctx.common_json(&path, format!("Method {name}"), false, JSON),
        name,
        back: rel(&path, "latency/index.html"),
        charts: list,
    };
    writer.put(&path, render(&path, &page)?.as_bytes())
}

/// The latency heatmap (an hour's percentiles, in four sorts) with its drill-down pages:
/// redrawn every `REFRESH_MS`, stating its time.
pub(super) struct Heatmap;

impl super::kinds::PageKind for Heatmap {
    fn name(&self) -> &'static str {
        "heatmap"
    }

    fn paths(&self, i: &super::kinds::Inputs<'_>) -> Vec<String> {
        let mut out = paths_all();
        out.push(JSON.to_owned());
        if let Some(s) = i.newest {
            if let Some(methods) = i.ctx.profile.methods {
                out.extend(
                    s.metrics
                        .iter()
                        .filter_map(|m| methods.name_of(&m.name))
                        .map(method_page),
                );
            }
            out.extend(reported_pages(s));
        }
        out
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let due = |period| {
            i.newest
                .is_none_or(|s| super::due_every(period, None, i.plan.previous_ms, s.taken_at_ms))
        };
        if due(REFRESH_MS) {
            render_heatmap(i.store, i.ctx, w, i.newest, due(DRILL_REFRESH_MS))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Better, Metric, Status};

    #[test]
    fn colour_scale_and_insufficient_data() {
        assert_eq!(cell(99.0).class, "fast");
        assert_eq!(cell(100.0).class, "slow");
        assert_eq!(cell(500.0).class, "slow");
        assert_eq!(cell(501.0).class, "vslow");
        let r = row("x", "endpoint", String::new(), &[1.0, 2.0], 2.0);
        assert!(r.insufficient && r.cells.is_empty());
        let vals: Vec<f64> = (1..=100).map(f64::from).collect();
        let r = row("x", "endpoint", String::new(), &vals, 100.0);
        assert!(!r.insufficient);
        assert_eq!(r.cells.len(), 3);
        assert!(r.sort[0] >= r.sort[1] && r.sort[1] >= r.sort[2]);
    }

    #[test]
    fn a_sources_own_percentiles_are_rows_and_other_units_are_not() {
        let m = |name: &str, v: f64, unit| Metric::new(name, v, unit, Better::Lower);
        let mut now = crate::store::tests::assembled(0, Status::Healthy, 1.0).snapshot;
        now.metrics = vec![
            m("latency.GET__api.p50", 12.0, Unit::Milliseconds),
            m("latency.GET__api.p95", 250.0, Unit::Milliseconds),
            m("latency.GET__api.p99", 900.0, Unit::Milliseconds),
            m("latency.GET__api.count", 40.0, Unit::Count),
            // Seconds, or no p99: not a row.
            m("gc.p50", 0.1, Unit::Seconds),
            m("gc.p95", 0.2, Unit::Seconds),
            m("gc.p99", 0.3, Unit::Seconds),
            m("half.p95", 3.0, Unit::Milliseconds),
        ];
        let rows = reported(&now);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r.name.as_str(), r.count_value), ("latency.GET__api", 40.0));
        let classes: Vec<&str> = r.cells.iter().map(|c| c.class).collect();
        assert_eq!(classes, ["fast", "slow", "vslow"]);
        assert_eq!(r.sort[..3], [900.0, 250.0, 12.0]);
    }

    #[test]
    fn a_sources_own_histogram_and_trend_are_drawn_from_its_tables() {
        let mut now =
            crate::store::tests::assembled(1_790_000_000_000, Status::Healthy, 1.0).snapshot;
        let table = |kind: &str, columns: &[&str], rows: Vec<Vec<String>>| model::lists::Table {
            title: kind.into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows,
            kind: kind.into(),
            of: "latency.GET__api".into(),
        };
        let hour = |h: i64| model::time::format_iso(now.taken_at_ms - h * 3_600_000);
        now.lists.tables = vec![
            table(
                "histogram",
                &["range", "count"],
                vec![
                    vec!["0-25".into(), "7".into()],
                    vec!["25-50".into(), "x".into()],
                ],
            ),
            table(
                "trend",
                &["hour", "p95"],
                (0..3).rev().map(|h| vec![hour(h), "40".into()]).collect(),
            ),
        ];
        let charts = reported_details(&now, "latency.GET__api", &crate::zone::Zone::utc());
        assert_eq!(charts.len(), 2);
        assert_eq!(
            charts[0].rows.len(),
            1,
            "an unreadable count is left out: {:?}",
            charts[0].rows
        );
        assert!(charts[1].title.contains("hourly, as its source reports it"));
        assert!(reported_details(&now, "latency.other", &crate::zone::Zone::utc()).is_empty());
    }
}
