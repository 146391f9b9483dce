//! Per component, module and endpoint pages: status history, 30-day sparkline, 90-day bars, latency charts, recent readings and errors.

use model::trend::Window;
use model::{Snapshot, Status, Unit};
use serde::Serialize;

use super::charts::{self, Chart, Line, Series};
use super::views::{Badge, Common, DayBar, PartRow};
use super::write::Writer;
use super::{BuildError, Ctx, paths, ranges, rel, render};
use crate::store::{DayStatus, Store, Uptime};

const DAY: i64 = 86_400_000;

/// What kind of page, and the names its data is stored under.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: &'static str,
    pub name: String,
    /// The 0/1/2 status metric, for components and modules.
    pub status_metric: Option<String>,
    /// The endpoint whose readings the page lists.
    pub endpoint: Option<String>,
}

impl Target {
    pub fn path(&self) -> String {
        paths::part_page(self.kind, &self.name)
    }

    pub fn json_path(&self) -> String {
        format!("data/{}s/{}.json", self.kind, paths::slug(&self.name))
    }
}

/// Every page the newest snapshot calls for.
pub fn targets(s: &Snapshot) -> Vec<Target> {
    let mut out = Vec::new();
    for c in &s.components {
        out.push(Target {
            kind: "component",
            name: c.name.clone(),
            status_metric: Some(crate::collect::status_metric("component", &c.name)),
            endpoint: None,
        });
    }
    for m in &s.modules {
        let key = m.name.to_ascii_lowercase();
        out.push(Target {
            kind: "module",
            name: m.name.clone(),
            status_metric: Some(crate::collect::status_metric("module", &m.name)),
            endpoint: s
                .outcomes
                .iter()
                .any(|o| o.endpoint == format!("module.{key}"))
                .then(|| format!("module.{key}")),
        });
    }
    for o in &s.outcomes {
        out.push(Target {
            kind: "endpoint",
            name: o.endpoint.clone(),
            status_metric: None,
            endpoint: Some(o.endpoint.clone()),
        });
    }
    out
}

/// How often a part's page is redrawn when its state did not change.
pub const REFRESH_MS: i64 = 60 * 60_000;

/// What a part's page shows first: its status, message and what affects it (a component or
/// module, from its row), or its last reading's outcome (an endpoint).
pub fn state_of(t: &Target, s: &Snapshot, rows: &[PartRow<'_>]) -> Option<String> {
    match t.kind {
        "endpoint" => s
            .outcomes
            .iter()
            .find(|o| Some(&o.endpoint) == t.endpoint.as_ref())
            .map(|o| o.kind.as_str().to_owned()),
        _ => rows
            .iter()
            .find(|r| r.name == t.name)
            .map(|r| format!("{}|{}|{}|{}", r.status.class, r.word, r.message, r.because)),
    }
}

/// Whether a part's page is redrawn for this snapshot: whenever what it shows first changed
/// (so its head is never stale), and otherwise every `REFRESH_MS` at a phase of its own, so
/// the charts below spread over builds instead of bunching up.
pub fn due(
    t: &Target,
    (now, prev): (Option<String>, Option<Option<String>>),
    prev_ms: Option<i64>,
    now_ms: i64,
) -> bool {
    let Some(p) = prev_ms else { return true };
    if p == now_ms {
        return false;
    }
    if prev.is_none_or(|ps| ps != now) {
        return true;
    }
    super::due_every(REFRESH_MS, Some(&t.path()), prev_ms, now_ms)
}

pub struct RunRow {
    pub from: String,
    pub to: String,
    pub hours: i64,
    pub worst: Badge,
}

pub struct ReadingRow {
    pub time: String,
    pub href: String,
    pub ok: bool,
    pub kind: String,
    pub http_status: String,
    pub latency: String,
}

#[derive(askama::Template)]
#[template(path = "part.html")]
struct PartPage<'a> {
    c: Common<'a>,
    kind: &'static str,
    name: &'a str,
    row: Option<&'a PartRow<'a>>,
    /// `since 11:42 (18 Nov)`: when its status became what it is; empty when not known.
    since: String,
    as_of: String,
    uptime_30: String,
    spark: String,
    bars: Vec<DayBar>,
    runs: Vec<RunRow>,
    charts: Vec<Chart>,
    recent: Vec<ReadingRow>,
    errors: Vec<ReadingRow>,
    endpoint_href: Option<String>,
    json_href: String,
    incidents: Vec<super::incidents::EntryView>,
}

#[derive(Serialize)]
struct PartJson<'a> {
    kind: &'a str,
    name: &'a str,
    status: Option<&'a str>,
    as_of_ms: i64,
    uptime_30d_percent: Option<f64>,
    /// `(day start ms, percent)` for the last 90 days.
    days: Vec<(i64, f64)>,
}

fn bar(day_ms: i64, p: f64, detail: &str) -> DayBar {
    let class = match p {
        p if p >= 99.9 => "ok",
        p if p >= 99.0 => "fair",
        _ => "poor",
    };
    DayBar {
        title: format!(
            "{}: {p:.2}% {detail} ({class})",
            model::time::day_of(day_ms)
        ),
        class,
        height: (p.clamp(0.0, 100.0) as u32).max(8),
    }
}

/// Runs of hours where the status metric was degraded or worse, newest first.
fn runs(hours: &[(i64, f64)], zone: &crate::zone::Zone) -> Vec<RunRow> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < hours.len() {
        if hours[i].1 < 1.0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut worst = hours[i].1;
        while i + 1 < hours.len()
            && hours[i + 1].1 >= 1.0
            && hours[i + 1].0 == hours[i].0 + 3_600_000
        {
            i += 1;
            worst = worst.max(hours[i].1);
        }
        out.push(RunRow {
            from: zone.human(hours[start].0),
            to: zone.human(hours[i].0 + 3_600_000),
            hours: (hours[i].0 - hours[start].0) / 3_600_000 + 1,
            worst: if worst >= 2.0 {
                Status::Down
            } else {
                Status::Degraded
            }
            .into(),
        });
        i += 1;
    }
    out.reverse();
    out.truncate(30);
    out
}

fn reading(from: &str, o: &crate::store::OutcomeAt, ctx: &Ctx<'_>) -> ReadingRow {
    ReadingRow {
        time: ctx.site.zone.human(o.taken_at_ms),
        href: rel(from, &ctx.snapshot_link(&o.slug)),
        ok: o.kind == "ok",
        kind: o.kind.replace('_', " "),
        http_status: o.http_status.map(|s| s.to_string()).unwrap_or_default(),
        latency: format!("{:.1} ms", o.latency_ms),
    }
}

/// A day of timings as a line (thinned for drawing, anomalies marked, the 500 ms threshold).
pub fn latency_day(
    id: &str,
    title: String,
    label: &str,
    raw: &[(i64, f64)],
    now_ms: i64,
    zone: &crate::zone::Zone,
) -> Chart {
    charts::line(&Line {
        id: id.into(),
        title,
        unit: Unit::Milliseconds,
        from_ms: now_ms - Window::H24.millis(),
        to_ms: now_ms,
        series: vec![Series {
            label: label.into(),
            points: model::trend::lttb(raw, 300),
        }],
        threshold: Some(500.0),
        mark_anomalies: true,
        zone: zone.clone(),
    })
}

/// A latency histogram over fixed buckets that match the heatmap's colour scale.
pub fn histogram(id: &str, title: &str, values: &[f64]) -> Chart {
    const EDGES: [(f64, &str); 7] = [
        (25.0, "< 25 ms"),
        (50.0, "25–50 ms"),
        (100.0, "50–100 ms"),
        (250.0, "100–250 ms"),
        (500.0, "250–500 ms"),
        (1000.0, "500 ms–1 s"),
        (f64::INFINITY, "≥ 1 s"),
    ];
    let mut counts = [0u32; 7];
    for v in values {
        let i = EDGES.iter().position(|(e, _)| v < e).unwrap_or(6);
        counts[i] += 1;
    }
    let items: Vec<(String, f64)> = EDGES
        .iter()
        .zip(counts)
        .map(|((_, l), n)| ((*l).to_owned(), f64::from(n)))
        .collect();
    charts::bars(id, title, &items, Unit::Count)
}

pub fn render_part(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    t: &Target,
    row: Option<&PartRow<'_>>,
    now_ms: i64,
) -> Result<(), BuildError> {
    let path = t.path();
    let from90 = (now_ms.div_euclid(DAY) - 89) * DAY;
    let days: Vec<(i64, f64, String)> = match (&t.status_metric, &t.endpoint) {
        (Some(m), _) => store
            .status_by_day(m, from90, now_ms + 1)?
            .into_iter()
            .map(|d: DayStatus| {
                let detail = format!(
                    "available, {} degraded and {} down of {} readings",
                    d.degraded, d.down, d.count
                );
                (d.day_ms, d.available(), detail)
            })
            .collect(),
        (None, Some(e)) => store
            .uptime_by_day(Some(e), from90, now_ms + 1)?
            .into_iter()
            .filter_map(|(day, u): (i64, Uptime)| {
                let p = u.percent()?;
                Some((day, p, format!("of {} readings succeeded", u.total)))
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    let last30: Vec<&(i64, f64, String)> =
        days.iter().filter(|d| d.0 > now_ms - 30 * DAY).collect();
    let uptime_30 =
        (!last30.is_empty()).then(|| last30.iter().map(|d| d.1).sum::<f64>() / last30.len() as f64);
    let spark_pts: Vec<(f64, f64)> = last30
        .iter()
        .enumerate()
        .map(|(i, d)| (i as f64, d.1))
        .collect();
    let lo = spark_pts
        .iter()
        .map(|p| p.1)
        .fold(100.0, f64::min)
        .min(99.0);
    let spark = charts::sparkline(
        "spark30",
        &format!(
            "Daily availability over the last {} days, from {:.2}% to {:.2}%",
            spark_pts.len(),
            lo,
            spark_pts.iter().map(|p| p.1).fold(0.0, f64::max)
        ),
        &spark_pts,
        lo,
        100.0,
    );
    let runs = match &t.status_metric {
        Some(m) => {
            let worst: Vec<(i64, f64)> = store
                .hourly_rows(m, now_ms - 30 * DAY, now_ms + 1)?
                .into_iter()
                .map(|(hour, _, _, _, max)| (hour, max))
                .collect();
            runs(&worst, &ctx.site.zone)
        }
        None => Vec::new(),
    };
    let mut chart_list = Vec::new();
    let (mut recent, mut errors) = (Vec::new(), Vec::new());
    if let Some(e) = &t.endpoint {
        let metric = format!("probe.endpoint.{e}.latency_ms");
        let raw = store.series(&metric, now_ms - Window::H24.millis(), now_ms + 1)?;
        if !raw.is_empty() {
            chart_list.push(latency_day(
                "latency",
                format!("Read latency of {e}, last 24h"),
                "read latency",
                &raw,
                now_ms,
                &ctx.site.zone,
            ));
            let values: Vec<f64> = raw.iter().map(|p| p.1).collect();
            chart_list.push(histogram(
                "histogram",
                &format!(
                    "Read latencies of {e}, last 24h ({} readings)",
                    values.len()
                ),
                &values,
            ));
        }
        let week = ranges::points(store, &metric, now_ms, Window::D7)?;
        if !week.is_empty() {
            chart_list.push(charts::line(&Line {
                id: "latency-7d".into(),
                title: format!("Read latency of {e}, hourly means, last 7d"),
                unit: Unit::Milliseconds,
                from_ms: now_ms - Window::D7.millis(),
                to_ms: now_ms,
                series: vec![Series {
                    label: "hourly mean".into(),
                    points: week,
                }],
                threshold: Some(500.0),
                mark_anomalies: false,
                zone: ctx.site.zone.clone(),
            }));
        }
        recent = store
            .recent_outcomes(e, false, 20)?
            .iter()
            .map(|o| reading(&path, o, ctx))
            .collect();
        errors = store
            .recent_outcomes(e, true, 10)?
            .iter()
            .map(|o| reading(&path, o, ctx))
            .collect();
    }
    let page = PartPage {
        c: ctx.common_json(
            &path,
            format!("{} {}", t.kind, t.name),
            false,
            &t.json_path(),
        ),
        kind: t.kind,
        name: &t.name,
        row,
        since: match &t.status_metric {
            Some(m) => match store.held_since(m, now_ms)? {
                Some((t0, true)) => format!("since {}", ctx.site.zone.human(t0)),
                Some((t0, false)) => format!(
                    "since at least {} (its first reading)",
                    ctx.site.zone.human(t0)
                ),
                None => String::new(),
            },
            None => String::new(),
        },
        as_of: ctx.site.zone.human(now_ms),
        uptime_30: uptime_30.map_or_else(|| "—".to_owned(), |p| format!("{p:.2}%")),
        spark,
        bars: days.iter().map(|d| bar(d.0, d.1, &d.2)).collect(),
        runs,
        charts: chart_list,
        recent,
        errors,
        endpoint_href: t
            .endpoint
            .as_ref()
            .filter(|_| t.kind != "endpoint")
            .map(|e| rel(&path, &paths::part_page("endpoint", e))),
        json_href: rel(&path, &t.json_path()),
        incidents: super::incidents::about(ctx.content, &path, now_ms, &t.name, &ctx.site.zone),
    };
    writer.put(&path, render(&path, &page)?.as_bytes())?;
    let json = PartJson {
        kind: t.kind,
        name: &t.name,
        status: row.map(|r| r.status.class),
        as_of_ms: now_ms,
        uptime_30d_percent: uptime_30,
        days: days.iter().map(|d| (d.0, d.1)).collect(),
    };
    let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
    writer.put(&t.json_path(), text.as_bytes())
}

/// A page (and data file) per component, module and endpoint of the newest snapshot: redrawn
/// when its state changed, else at its own phase of `REFRESH_MS`. The costliest kind of an
/// incremental build, so it comes in two halves (`Parts(0)`, `Parts(1)`: every other target)
/// that the build's two threads share.
pub(super) struct Parts(pub usize);

/// How many halves `Parts` comes in.
pub(super) const PART_SHARDS: usize = 2;

impl Parts {
    fn mine<'t>(&self, targets: &'t [Target]) -> impl Iterator<Item = &'t Target> {
        let shard = self.0;
        targets
            .iter()
            .enumerate()
            .filter(move |(k, _)| k % PART_SHARDS == shard)
            .map(|(_, t)| t)
    }
}

impl super::kinds::PageKind for Parts {
    fn name(&self) -> &'static str {
        ["parts", "parts, second half"][self.0.min(PART_SHARDS - 1)]
    }

    fn paths(&self, i: &super::kinds::Inputs<'_>) -> Vec<String> {
        self.mine(i.part_targets)
            .flat_map(|t| [t.path(), t.json_path()])
            .collect()
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let (Some(meta), Some(now)) = (i.latest, i.newest) else {
            return Ok(());
        };
        let depends = &i.ctx.site.depends_on;
        let all: Vec<&model::PartHealth> = now.components.iter().chain(&now.modules).collect();
        let rows = super::views::part_rows(&all, depends);
        let prev_all: Vec<&model::PartHealth> = i
            .previous
            .iter()
            .flat_map(|p| p.components.iter().chain(&p.modules))
            .collect();
        let prev_rows = super::views::part_rows(&prev_all, depends);
        let (components, modules) = rows.split_at(now.components.len());
        for t in self.mine(i.part_targets) {
            let states = (
                state_of(t, now, &rows),
                i.previous.map(|p| state_of(t, p, &prev_rows)),
            );
            if i.plan.removed > 0 || due(t, states, i.plan.previous_ms, now.taken_at_ms) {
                let row = match t.kind {
                    "component" => components.iter().find(|r| r.name == t.name),
                    "module" => modules.iter().find(|r| r.name == t.name),
                    _ => None,
                };
                render_part(i.store, i.ctx, w, t, row, meta.taken_at_ms)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_adjacent_bad_hours_and_keep_the_worst() {
        let h = 3_600_000;
        let hours = [(0, 0.0), (h, 1.0), (2 * h, 2.0), (3 * h, 0.0), (5 * h, 1.0)];
        let r = runs(&hours, &crate::zone::Zone::utc());
        assert_eq!(r.len(), 2);
        assert_eq!((r[1].hours, r[1].worst.class), (2, "down"));
        assert_eq!((r[0].hours, r[0].worst.class), (1, "degraded"));
    }

    #[test]
    fn histogram_buckets_follow_the_colour_scale() {
        let c = histogram("h", "t", &[10.0, 30.0, 120.0, 600.0, 2000.0, 99.9]);
        let counts: Vec<&str> = c.rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(counts, ["1", "1", "1", "1", "0", "1", "1"]);
    }
}
