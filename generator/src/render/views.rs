//! Small borrowed view structs for the templates; values are formatted here so templates stay dumb.

use askama::Template;
use model::time::format_iso;
use model::{EndpointOutcome, Metric, PartHealth, Snapshot, Status};

use model::anomaly::Score;
use model::trend::{Direction, Verdict, Window};

use crate::analysis::Analysis;

pub use super::rows::{DayRow, SnapRow};

/// What every page's layout needs.
pub struct Common<'a> {
    pub site_title: &'a str,
    pub page_title: String,
    pub root: String,
    pub css_version: &'a str,
    pub version: &'static str,
    pub generated: &'a str,
    /// This page's data as JSON, from the site root; empty when there is none.
    pub json: String,
    /// The site's zone as column heads name it (`UTC`, `Europe/Berlin`).
    pub zone: &'a str,
    /// Its offsets for the widgets (`data-tz`), empty for UTC.
    pub tz: &'a str,
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
    /// `affected: redis is down`, when a part it depends on (by config or by its source) is
    /// in trouble. The part's status stays the one its source reports.
    pub because: String,
    /// The part's own page, from the site root; empty where pages do not link to it.
    pub href: String,
    /// The parts it needs (`needs auth, search`), empty when it needs none.
    pub needs: String,
}

/// Parts with the status their source reports, marked when a dependency is in trouble, in the
/// order given.
pub fn part_rows<'a>(
    parts: &[&'a PartHealth],
    depends_on: &std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<PartRow<'a>> {
    let propagated = model::rollup::propagate(parts, depends_on);
    parts
        .iter()
        .zip(propagated)
        .map(|(p, r)| PartRow {
            name: &p.name,
            status: p.status.into(),
            word: &p.word,
            message: &p.message,
            because: if r.because.is_empty() {
                String::new()
            } else {
                format!("affected: {}", r.because.join(", "))
            },
            href: String::new(),
            needs: depends_on
                .get(&p.name.to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .map(|d| format!("needs {}", d.join(", ")))
                .unwrap_or_default(),
        })
        .collect()
}

pub struct KeyRow {
    pub name: String,
    pub label: String,
    /// Arrow and change over the last hour (`↑ +12.3%`), empty when unknown.
    pub trend: String,
    /// improving / worsening / stable, for colour; the title says it in words.
    pub trend_class: &'static str,
    pub trend_title: String,
    /// `spike, high` when the newest value is anomalous.
    pub anomaly: Option<String>,
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
    /// What the sources' limits dropped from this snapshot, in words; empty when nothing.
    pub dropped: String,
    pub ok_count: usize,
    pub total_count: usize,
    pub components: Vec<PartRow<'a>>,
    pub d: super::dashboard::Dashboard<'a>,
    pub ranges: Vec<PageLink>,
    /// The widget bundle, loaded as a module; the page reads the same without it.
    pub widget_js: String,
    pub widget_wasm: String,
    pub depends_json: String,
    pub api_base: &'a str,
    /// Set when the live health widget reads the backend directly: the modules it asks one by one.
    pub live_modules: Option<String>,
    /// `part=url,...`: the parts that can be asked to check themselves now.
    pub checks: String,
    /// Arrays a source shows as they are (connections, pipeline steps).
    pub tables: Vec<&'a model::lists::Table>,
    pub sections: &'a [super::sections::SectionView],
    /// The headline figures as the live first screen takes them (JSON), and when it goes stale.
    pub tiles_json: String,
    pub stale_after_s: u64,
    /// `since 22:17 UTC`: how long the overall status has held; empty when not known.
    pub overall_since: String,
    pub groups: Vec<KeyGroup>,
    /// The source profile's live cards, comma-separated (after Lookout's own two).
    pub cards: String,
    pub failures: Vec<OutcomeRow<'a>>,
    pub recent: Vec<SnapRow>,
    pub snapshot_count: u64,
    pub incidents: Vec<super::incidents::EntryView>,
    pub firing: Vec<AlertRow>,
    pub pending: Vec<AlertRow>,
    pub resolved: Vec<AlertRow>,
    /// Firing or pending, but silenced by a maintenance window naming their part.
    pub muted: Vec<AlertRow>,
    pub uptime: Vec<UptimeRow>,
    pub uptime_bars: Vec<DayBar>,
    /// Every source of a site of several, each with its own status (empty for one source).
    pub sources: Vec<super::index::SourceRow>,
}

#[derive(Template)]
#[template(path = "empty.html")]
pub struct EmptyPage<'a> {
    pub c: Common<'a>,
}

/// A snapshot's key metrics against earlier snapshots; each cell says the change from it.
pub struct Compare {
    pub cols: Vec<String>,
    pub rows: Vec<CompareRow>,
}

pub struct CompareRow {
    pub name: String,
    pub now: String,
    pub cells: Vec<String>,
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
    pub compare: Compare,
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
    pub calendar: Vec<super::calendar::Month>,
    pub rows: Vec<DayRow>,
    pub pages: Vec<PageLink>,
    pub total_snapshots: u64,
    pub total_days: usize,
    /// When the counts were taken (the list is redrawn hourly or when a day is added).
    pub as_of: String,
}

#[derive(Template)]
#[template(path = "404.html")]
pub struct NotFoundPage<'a> {
    pub c: Common<'a>,
}

fn span_words(w: Window) -> &'static str {
    match w {
        Window::H1 => "hour",
        Window::H6 => "6 hours",
        Window::H24 => "day",
        Window::D7 => "week",
    }
}

/// An anomaly's kind in words (`level shift`), `unusual` when the detector gave none.
pub fn anomaly_kind(s: &Score) -> String {
    s.kind
        .map_or("unusual", model::anomaly::AnomalyKind::as_str)
        .replace('_', " ")
}

/// A trend as arrow and change, a class for colour and a title in words.
/// A trend's arrow, class and words. A count (jobs pending, events) changes by so many, not by
/// a percentage: from 3 to 0 reads "−3", never "−100 %".
pub fn trend_cells(
    t: Option<&model::trend::Trend>,
    unit: model::Unit,
) -> (String, &'static str, String) {
    match t {
        Some(t) => {
            let counted = matches!(unit, model::Unit::Count | model::Unit::None);
            let pct = if counted {
                t.change
                    .map(|c| {
                        let sign = if c > 0.0 {
                            "+"
                        } else if c < 0.0 {
                            "\u{2212}"
                        } else {
                            ""
                        };
                        format!(" {sign}{}", model::metric::format_value(c.abs(), unit))
                    })
                    .unwrap_or_default()
            } else {
                t.change_pct
                    .map(|p| format!(" {}", model::metric::change_pct(p)))
                    .unwrap_or_default()
            };
            let class = match t.verdict {
                Verdict::Improving => "improving",
                Verdict::Worsening => "worsening",
                Verdict::Stable => "stable",
            };
            let word = match t.direction {
                Direction::Up => "up",
                Direction::Down => "down",
                Direction::Flat => "flat",
            };
            (
                format!("{}{pct}", t.direction.arrow()),
                class,
                format!(
                    "{word}{pct} against the {} before ({class})",
                    span_words(t.window)
                ),
            )
        }
        None => (String::new(), "stable", "no trend yet".to_owned()),
    }
}

/// One key metric's row: value, previous value, the last hour's trend and any anomaly.
fn key_row(m: &Metric, label: &str, prev: Option<&Snapshot>, analysis: &Analysis) -> KeyRow {
    let previous = prev
        .and_then(|s| s.metric(&m.name))
        .map_or_else(|| "—".to_owned(), Metric::display_value);
    let a = analysis.metrics.get(&m.name);
    let (trend, trend_class, trend_title) =
        trend_cells(a.and_then(|a| a.trend(Window::H1)), m.unit);
    let anomaly = a
        .and_then(|a| a.anomaly)
        .filter(Score::is_anomaly)
        .map(|s| {
            let kind = anomaly_kind(&s);
            let sev = s.severity.map_or("", model::anomaly::Severity::as_str);
            format!("{kind}, {sev}")
        });
    KeyRow {
        name: m.name.clone(),
        label: label.to_owned(),
        value: m.display_value(),
        unit: m.unit.symbol(),
        previous,
        trend,
        trend_class,
        trend_title,
        anomaly,
    }
}

pub fn key_groups(
    now: &Snapshot,
    prev: Option<&Snapshot>,
    analysis: &Analysis,
    profile: &crate::collect::sources::Profile,
) -> Vec<KeyGroup> {
    let mut groups: Vec<KeyGroup> = crate::analysis::key_groups(profile)
        .map(|(title, rows)| KeyGroup {
            title: (*title).to_owned(),
            rows: rows
                .iter()
                .filter_map(|(name, label)| Some(key_row(now.metric(name)?, label, prev, analysis)))
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    // Every JSON endpoint's own figures, under its name (`queue.depth` of `[[endpoint]] queue`;
    // a further source's under `source.<name>.`, its endpoint ids `<name>:custom.<endpoint>`).
    for o in &now.outcomes {
        let (source, id) = match o.endpoint.split_once(':') {
            Some((s, id)) => (Some(s), id),
            None => (None, o.endpoint.as_str()),
        };
        let Some(name) = id.strip_prefix("custom.") else {
            continue;
        };
        let seg = crate::collect::seg;
        let (prefix, title) = match source {
            Some(s) => (
                format!("source.{}.{}.", seg(s), seg(name)),
                format!("{s}: {name}"),
            ),
            None => (format!("{}.", seg(name)), name.to_owned()),
        };
        let rows: Vec<KeyRow> = now
            .metrics
            .iter()
            .filter(|m| m.name.starts_with(&prefix))
            .take(24)
            .map(|m| key_row(m, &words_of(&m.name[prefix.len()..]), prev, analysis))
            .collect();
        if !rows.is_empty() {
            groups.push(KeyGroup { title, rows });
        }
    }
    groups
}

/// A metric's name below its group in words (`cache_metrics.hit_rate` → `cache metrics · hit
/// rate`); the row's title keeps the whole name.
pub(super) fn words_of(rest: &str) -> String {
    rest.split('.')
        .map(|p| {
            p.replace('_', " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(super) use super::uptime::pct;
pub use super::uptime::{DayBar, UptimeRow, uptime_rows};

/// An alert for the panel: what, how bad, since when.
pub struct AlertRow {
    pub name: String,
    pub severity: &'static str,
    pub icon: &'static str,
    pub metric: String,
    pub rule: String,
    pub value: String,
    pub since: String,
    pub flapping: bool,
}

/// An alert's value or peak for people; empty when unknown.
pub(super) fn alert_value(v: Option<f64>) -> String {
    v.map(|v| model::metric::format_value(v, model::Unit::None))
        .unwrap_or_default()
}

/// The shape shown beside an alert severity (the word is always shown too).
pub(super) fn severity_icon(s: &str) -> &'static str {
    match s {
        "critical" => "✖",
        "warning" => "⚠",
        _ => "ℹ",
    }
}

/// Firing, pending, resolved in the last day, and muted (firing or pending inside a maintenance
/// window that names the alert's part; the window's title goes in `rule`).
#[allow(clippy::type_complexity)]
pub fn alert_rows(
    analysis: &Analysis,
    content: &crate::content::Content,
    zone: &crate::zone::Zone,
) -> (Vec<AlertRow>, Vec<AlertRow>, Vec<AlertRow>, Vec<AlertRow>) {
    let muting = |a: &&(model::alert::Rule, model::alert::AlertState)| {
        content.muting(&a.1.metric, analysis.now_ms)
    };
    let row = |(rule, st): &(model::alert::Rule, model::alert::AlertState), since: Option<i64>| {
        AlertRow {
            name: rule.name.clone(),
            severity: rule.severity.as_str(),
            icon: severity_icon(rule.severity.as_str()),
            metric: st.metric.clone(),
            rule: rule.describe(),
            value: st
                .last_value
                .map_or_else(String::new, |v| alert_value(Some(v))),
            since: since.map(|t| zone.human(t)).unwrap_or_default(),
            flapping: st.flapping,
        }
    };
    let mut firing: Vec<AlertRow> = analysis
        .firing()
        .filter(|a| muting(a).is_none())
        .map(|a| row(a, a.1.fired_ms))
        .collect();
    firing.sort_by_key(|r| std::cmp::Reverse(r.severity == "critical"));
    let pending = analysis
        .pending()
        .filter(|a| muting(a).is_none())
        .map(|a| row(a, a.1.since_ms))
        .collect();
    let muted = analysis
        .firing()
        .chain(analysis.pending())
        .filter_map(|a| {
            let m = muting(&a)?;
            Some(AlertRow {
                rule: format!("muted by maintenance: {}", m.title),
                ..row(a, a.1.fired_ms.or(a.1.since_ms))
            })
        })
        .collect();
    let day_ago = analysis.now_ms - 86_400_000;
    let resolved = analysis
        .history
        .iter()
        .filter(|h| h.resolved_ms.is_some_and(|r| r >= day_ago))
        .take(10)
        .map(|h| AlertRow {
            name: h.rule.clone(),
            severity: match h.severity.as_str() {
                "critical" => "critical",
                "warning" => "warning",
                _ => "info",
            },
            icon: severity_icon(&h.severity),
            metric: h.metric.clone(),
            rule: String::new(),
            value: h.peak.map_or_else(String::new, |v| alert_value(Some(v))),
            since: format!(
                "{} – {}",
                zone.human(h.fired_ms),
                h.resolved_ms.map(|t| zone.human(t)).unwrap_or_default()
            ),
            flapping: false,
        })
        .collect();
    (firing, pending, resolved, muted)
}

pub fn taken(ms: i64, zone: &crate::zone::Zone) -> (String, String) {
    (zone.human(ms), format_iso(ms))
}
