//! Analysis stage: stored snapshots -> trends, anomaly verdicts and alert states, incrementally.

mod alerts;
mod detectors;

use std::collections::HashMap;

use model::alert::{AlertState, Event, Rule};
use model::anomaly::Score;
use model::trend::{Trend, WINDOWS, Window};

use crate::collect::sources::Profile;
use crate::store::{AlertRecord, AnalysisWrite, Store, StoreError};

/// Lookout's own figures of its reads: on every site, whatever the source, labelled as such.
pub const OWN_GROUP: (&str, &[(&str, &str)]) = (
    "Lookout's reads",
    &[
        ("probe.latency_p50", "Read latency p50"),
        ("probe.latency_p95", "Read latency p95"),
        ("probe.latency_p99", "Read latency p99"),
        (
            "probe.error_rate",
            "Failed readings (Lookout's, not the backend's errors)",
        ),
    ],
);

/// The key metric groups: Lookout's own, then the source's profile.
pub fn key_groups(
    profile: &Profile,
) -> impl Iterator<Item = (&'static str, &'static [(&'static str, &'static str)])> {
    std::iter::once(OWN_GROUP).chain(profile.key_groups.iter().copied())
}

/// Every key metric's name.
pub fn key_metrics(profile: &Profile) -> impl Iterator<Item = &'static str> {
    key_groups(profile).flat_map(|(_, rows)| rows.iter().map(|(name, _)| *name))
}

/// What the analysis says about one metric.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct MetricAnalysis {
    pub trends: Vec<Trend>,
    /// The detector's verdict on the newest value.
    pub anomaly: Option<Score>,
}

impl MetricAnalysis {
    pub fn trend(&self, w: Window) -> Option<&Trend> {
        self.trends.iter().find(|t| t.window == w)
    }
}

/// Uptime windows, as the design names them.
pub const UPTIME_WINDOWS: [(&str, i64); 4] = [
    ("24h", 86_400_000),
    ("7d", 7 * 86_400_000),
    ("30d", 30 * 86_400_000),
    ("90d", 90 * 86_400_000),
];

/// Successful readings / readings, per window of `UPTIME_WINDOWS`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct UptimeFigures {
    pub endpoint: String,
    pub percent: [Option<f64>; 4],
}

/// The analysis the site is built from.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub metrics: HashMap<String, MetricAnalysis>,
    /// The rules in force (the widgets' alert panel runs them too).
    pub rules: Vec<Rule>,
    pub alerts: Vec<(Rule, AlertState)>,
    pub history: Vec<AlertRecord>,
    /// Every endpoint's share of successful readings (Lookout's reads, not the backend's uptime).
    pub uptime: Vec<UptimeFigures>,
    /// The backend's uptime by its own word (`status.available`); `None` where it said nothing.
    pub uptime_overall: UptimeFigures,
    /// Each further source's uptime by its own word, named by the source (`endpoint` = its name).
    pub uptime_sources: Vec<UptimeFigures>,
    /// The backend's uptime per UTC day over the last 90 days: `(day start, percent)`.
    pub uptime_days: Vec<(i64, f64)>,
    /// Transitions found by this pass (for notifications), oldest first.
    pub events: Vec<(i64, String, String, Event)>,
    pub now_ms: i64,
}

impl Analysis {
    pub fn firing(&self) -> impl Iterator<Item = &(Rule, AlertState)> {
        self.alerts
            .iter()
            .filter(|(_, s)| s.phase == model::alert::Phase::Firing)
    }

    pub fn pending(&self) -> impl Iterator<Item = &(Rule, AlertState)> {
        self.alerts
            .iter()
            .filter(|(_, s)| s.phase == model::alert::Phase::Pending)
    }
}

const STAGE: &str = "analysis";

/// The analysis as JSON for `data/analysis.json` (widgets and scripts read it).
pub fn to_json(a: &Analysis) -> String {
    let alerts: Vec<serde_json::Value> = a
        .alerts
        .iter()
        .filter(|(_, s)| s.phase != model::alert::Phase::Inactive)
        .map(|(rule, s)| {
            serde_json::json!({
                "rule": rule.name,
                "description": rule.describe(),
                "severity": rule.severity,
                "metric": s.metric,
                "phase": s.phase,
                "since_ms": s.since_ms,
                "fired_ms": s.fired_ms,
                "resolved_ms": s.resolved_ms,
                "peak": s.peak,
                "value": s.last_value,
                "flapping": s.flapping,
            })
        })
        .collect();
    let history: Vec<serde_json::Value> = a
        .history
        .iter()
        .map(|h| {
            serde_json::json!({
                "rule": h.rule, "metric": h.metric, "severity": h.severity, "fired_ms": h.fired_ms,
                "resolved_ms": h.resolved_ms, "peak": h.peak, "snapshots": h.snapshots,
            })
        })
        .collect();
    let metrics: std::collections::BTreeMap<&String, &MetricAnalysis> = a.metrics.iter().collect();
    let windows: Vec<&str> = UPTIME_WINDOWS.iter().map(|w| w.0).collect();
    let doc = serde_json::json!({
        "now_ms": a.now_ms,
        "metrics": metrics,
        "alerts": alerts,
        "alert_history": history,
        "uptime": {
            "windows": windows,
            "all": a.uptime_overall.percent,
            "sources": a.uptime_sources,
            "endpoints": a.uptime,
            "days": a.uptime_days,
        },
    });
    let mut text = doc.to_string();
    text.push('\n');
    text
}

/// Brings the analysis up to date with every snapshot stored since the last pass, saves its
/// state, and returns what the site shows. Cost depends on what is new, not on history length.
pub fn analyze(
    store: &mut Store,
    rules: &[Rule],
    profile: &Profile,
) -> Result<Analysis, StoreError> {
    let last = store.mark(STAGE)?;
    let fresh = store.inserted_after(last)?;
    let latest = store.latest_meta()?;
    let now_ms = latest.as_ref().map_or(0, |m| m.taken_at_ms);
    let mut write = AnalysisWrite::default();

    let names = alerts::names_if_needed(store, rules)?;
    let anomaly_metrics = alerts::anomaly_metrics(&names, rules);
    let mut watched: Vec<String> = key_metrics(profile).map(str::to_owned).collect();
    for m in anomaly_metrics {
        if !watched.contains(&m) {
            watched.push(m);
        }
    }
    let scores = detectors::advance(store, &watched, &fresh, &mut write)?;
    let (states, events, history) =
        alerts::advance(store, rules, &names, &fresh, &scores.per_snapshot)?;
    write.states = states.iter().map(|(_, s)| s.clone()).collect();
    write.history = history;
    if let Some(max) = fresh.iter().map(|m| m.id).max() {
        write.marks.push((STAGE, max.max(last)));
    }
    store.save_analysis(&write)?;

    let mut metrics = HashMap::new();
    for name in key_metrics(profile) {
        let trends = trends_with(store, name, now_ms, true)?;
        let anomaly = scores.latest.get(name).copied();
        if !trends.is_empty() || anomaly.is_some() {
            metrics.insert(name.to_owned(), MetricAnalysis { trends, anomaly });
        }
    }
    let (uptime, uptime_overall, uptime_sources) = uptime(store, now_ms)?;
    let uptime_days = store
        .uptime_by_day(
            Some(crate::store::AVAILABLE),
            now_ms - 90 * 86_400_000,
            now_ms + 1,
        )?
        .into_iter()
        .filter_map(|(day, u)| u.percent().map(|p| (day, p)))
        .collect();
    Ok(Analysis {
        metrics,
        rules: rules.to_vec(),
        alerts: states,
        history: store.alert_history(50)?,
        events,
        now_ms,
        uptime,
        uptime_overall,
        uptime_sources,
        uptime_days,
    })
}

/// Every stored metric's trends over all four windows, as JSON (`data/trends.json`). This costs
/// a pass over every metric, so the build writes it when an hour turns, not on every snapshot.
pub fn all_trends_json(store: &Store, now_ms: i64) -> Result<String, StoreError> {
    let mut out = std::collections::BTreeMap::new();
    for name in store.metric_names()? {
        let t = trends(store, &name, now_ms)?;
        if !t.is_empty() {
            out.insert(name, t);
        }
    }
    let mut text = serde_json::json!({ "now_ms": now_ms, "trends": out }).to_string();
    text.push('\n');
    Ok(text)
}

/// Uptime of every endpoint and of all together, over each window ending at `now_ms`.
/// The figures of `name` in `list`, added empty the first time.
fn figures<'a>(list: &'a mut Vec<UptimeFigures>, name: &str) -> &'a mut UptimeFigures {
    let pos = match list.iter().position(|f| f.endpoint == name) {
        Some(p) => p,
        None => {
            list.push(UptimeFigures {
                endpoint: name.to_owned(),
                percent: [None; 4],
            });
            list.len() - 1
        }
    };
    &mut list[pos]
}

/// Each endpoint's reading success, the first source's uptime, and each further source's.
type UptimeSets = (Vec<UptimeFigures>, UptimeFigures, Vec<UptimeFigures>);

fn uptime(store: &Store, now_ms: i64) -> Result<UptimeSets, StoreError> {
    let mut by_endpoint: Vec<UptimeFigures> = Vec::new();
    let mut sources: Vec<UptimeFigures> = Vec::new();
    let mut overall = UptimeFigures {
        endpoint: "all".to_owned(),
        percent: [None; 4],
    };
    let spans: Vec<i64> = UPTIME_WINDOWS.iter().map(|w| w.1).collect();
    let rows = store.uptime_windows(now_ms, &spans)?;
    for i in 0..spans.len() {
        let mut all = crate::store::Uptime::default();
        for (endpoint, u) in rows.iter().map(|(e, u)| (e, u[i])) {
            // The backend's own availability word is the uptime; each endpoint's row counts
            // Lookout's readings of it, shown on its page as readings, never as uptime.
            if endpoint == crate::store::AVAILABLE {
                all = u;
                continue;
            }
            // A further source's own word: its uptime, under its name.
            match endpoint
                .strip_prefix(crate::store::AVAILABLE)
                .and_then(|r| r.strip_prefix(':'))
            {
                Some(name) => figures(&mut sources, name).percent[i] = u.percent(),
                None => figures(&mut by_endpoint, endpoint).percent[i] = u.percent(),
            }
        }
        overall.percent[i] = all.percent();
    }
    Ok((by_endpoint, overall, sources))
}

/// The last hour's trend of one metric, from raw samples (what a table cell of the index shows).
pub fn trend_h1(store: &Store, metric: &str, now_ms: i64) -> Result<Option<Trend>, StoreError> {
    let better = store
        .metric_better(metric)?
        .unwrap_or(model::Better::Neither);
    h1(store, metric, now_ms, better)
}

fn h1(
    store: &Store,
    metric: &str,
    now_ms: i64,
    better: model::Better,
) -> Result<Option<Trend>, StoreError> {
    let raw = store.series(metric, now_ms - 2 * Window::H1.millis(), now_ms + 1)?;
    Ok(model::trend::trend(&raw, now_ms, Window::H1, better))
}

/// Trends of one metric: the last hour from raw samples, longer windows from hourly rollups.
pub fn trends(store: &Store, metric: &str, now_ms: i64) -> Result<Vec<Trend>, StoreError> {
    trends_with(store, metric, now_ms, false)
}

/// `trends`; with `save`, the metric's cache of completed hours is renewed when an hour has
/// completed since (the analysis does this for the metrics it follows on every snapshot).
fn trends_with(
    store: &Store,
    metric: &str,
    now_ms: i64,
    save: bool,
) -> Result<Vec<Trend>, StoreError> {
    let better = store
        .metric_better(metric)?
        .unwrap_or(model::Better::Neither);
    let mut out: Vec<Trend> = h1(store, metric, now_ms, better)?.into_iter().collect();
    let hourly =
        store.hourly_means_cached(metric, now_ms - 2 * Window::D7.millis(), now_ms + 1, save)?;
    for w in WINDOWS.into_iter().filter(|w| *w != Window::H1) {
        if let Some(t) = model::trend::trend(&hourly, now_ms, w, better) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
