//! The alerts pages (all, and one per severity, so filtering needs no JavaScript) and the
//! history as CSV and JSON downloads.

use askama::Template;
use model::alert::Phase;

use super::views::{Common, PageLink, alert_value, severity_icon};
use super::write::Writer;
use super::{BuildError, Ctx, render};
use crate::analysis::Analysis;
use crate::store::{AlertRecord, Store};

pub const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

pub fn page(filter: Option<&str>) -> String {
    match filter {
        None => "alerts/index.html".to_owned(),
        Some(f) => format!("alerts/{f}.html"),
    }
}

/// `data/rules.json`: the rules in force, their states as of this build (so the live panel starts
/// where the generator is) and the metrics a maintenance window mutes now.
pub fn rules_json(a: &Analysis, content: &crate::content::Content) -> String {
    let states: Vec<&model::alert::AlertState> = a.alerts.iter().map(|(_, s)| s).collect();
    let mut muted: Vec<&str> = a
        .alerts
        .iter()
        .filter(|(_, s)| content.muting(&s.metric, a.now_ms).is_some())
        .map(|(_, s)| s.metric.as_str())
        .collect();
    muted.dedup();
    let mut text =
        serde_json::json!({ "rules": a.rules, "states": states, "muted": muted }).to_string();
    text.push('\n');
    text
}

pub const CSV: &str = "alerts/history.csv";
pub const JSON: &str = "alerts/history.json";

pub struct ActiveRow {
    pub name: String,
    pub state: String,
    pub severity: &'static str,
    pub icon: &'static str,
    pub metric: String,
    pub value: String,
    pub since: String,
    pub rule: String,
    pub flapping: bool,
}

pub struct HistoryRow {
    pub name: String,
    pub severity: String,
    pub icon: &'static str,
    pub metric: String,
    pub fired: String,
    pub resolved: String,
    pub lasted: String,
    pub peak: String,
    pub first_href: Option<String>,
    pub snapshots: String,
}

#[derive(Template)]
#[template(path = "alerts.html")]
pub struct AlertsPage<'a> {
    pub c: Common<'a>,
    pub filter: &'a str,
    pub filters: Vec<PageLink>,
    pub active: Vec<ActiveRow>,
    pub history: Vec<HistoryRow>,
}

fn duration(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        s if s >= 86_400 => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// All alert pages and downloads; rewritten on every build, skipped where unchanged.
pub fn render_alerts(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    analysis: &Analysis,
) -> Result<(), BuildError> {
    let history = store.alert_history(u32::MAX)?;
    let zone = &ctx.site.zone;
    let now = analysis.now_ms;
    // Each alert's first snapshot, looked up once for the four pages that list it.
    let firsts = history
        .iter()
        .map(|h| match h.snapshots.first() {
            Some(id) => store
                .meta(*id)
                .map(|m| m.map(|m| ctx.snapshot_link(&m.slug))),
            None => Ok(None),
        })
        .collect::<Result<Vec<_>, _>>()?;
    for filter in std::iter::once(None).chain(SEVERITIES.iter().map(|s| Some(*s))) {
        let path = page(filter);
        let root = super::paths::root_of(&path);
        let keep = |sev: &str| filter.is_none_or(|f| f == sev);
        let active = analysis
            .alerts
            .iter()
            .filter(|(r, s)| {
                matches!(s.phase, Phase::Firing | Phase::Pending) && keep(r.severity.as_str())
            })
            .map(|(r, s)| ActiveRow {
                name: r.name.clone(),
                state: match ctx.content.muting(&s.metric, analysis.now_ms) {
                    Some(m) => format!("{} (muted by maintenance: {})", s.phase.as_str(), m.title),
                    None => s.phase.as_str().to_owned(),
                },
                severity: r.severity.as_str(),
                icon: severity_icon(r.severity.as_str()),
                metric: s.metric.clone(),
                value: alert_value(s.last_value),
                since: s
                    .fired_ms
                    .or(s.since_ms)
                    .map(|t| zone.human(t))
                    .unwrap_or_default(),
                rule: r.describe(),
                flapping: s.flapping,
            })
            .collect();
        let mut rows = Vec::new();
        for (h, first) in history.iter().zip(&firsts) {
            if !keep(&h.severity) {
                continue;
            }
            let first_href = first.as_ref().map(|link| format!("{root}{link}"));
            rows.push(HistoryRow {
                name: h.rule.clone(),
                severity: h.severity.clone(),
                icon: severity_icon(&h.severity),
                metric: h.metric.clone(),
                fired: zone.human(h.fired_ms),
                resolved: h
                    .resolved_ms
                    .map_or_else(|| "still firing".to_owned(), |t| zone.human(t)),
                lasted: duration(h.resolved_ms.unwrap_or(now) - h.fired_ms),
                peak: alert_value(h.peak),
                first_href,
                snapshots: format!("({} snapshots)", h.snapshots.len()),
            });
        }
        let filters = std::iter::once((None, "All"))
            .chain(SEVERITIES.iter().map(|s| (Some(*s), *s)))
            .map(|(f, label)| PageLink {
                href: format!("{root}{}", page(f)),
                label: label.to_owned(),
                current: f == filter,
            })
            .collect();
        let title = match filter {
            None => "Alerts".to_owned(),
            Some(f) => format!("Alerts: {f}"),
        };
        let p = AlertsPage {
            c: ctx.common_json(&path, title, false, JSON),
            filter: filter.unwrap_or(""),
            filters,
            active,
            history: rows,
        };
        writer.put(&path, render(&path, &p)?.as_bytes())?;
    }
    writer.put(
        super::feed::FEED,
        super::feed::atom(&ctx.site.title, &history, &ctx.content.entries, now, zone).as_bytes(),
    )?;
    writer.put(CSV, csv(&history).as_bytes())?;
    writer.put(JSON, json(&history).as_bytes())
}

/// One CSV field: quoted when needed, and text that a spreadsheet would run as a formula is
/// defused with a leading apostrophe (metric names can come from any backend).
fn field(text: &str) -> String {
    let t = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if t.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

pub fn csv(history: &[AlertRecord]) -> String {
    let mut out = String::from(
        "rule,metric,severity,fired_at,resolved_at,duration_seconds,peak,snapshot_ids\n",
    );
    for h in history {
        let ids: Vec<String> = h.snapshots.iter().map(i64::to_string).collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            field(&h.rule),
            field(&h.metric),
            field(&h.severity),
            model::time::format_iso(h.fired_ms),
            h.resolved_ms
                .map(model::time::format_iso)
                .unwrap_or_default(),
            h.resolved_ms
                .map(|r| ((r - h.fired_ms) / 1000).to_string())
                .unwrap_or_default(),
            h.peak.map(|p| p.to_string()).unwrap_or_default(),
            ids.join(" ")
        ));
    }
    out
}

pub fn json(history: &[AlertRecord]) -> String {
    let rows: Vec<serde_json::Value> = history
        .iter()
        .map(|h| {
            serde_json::json!({
                "rule": h.rule, "metric": h.metric, "severity": h.severity,
                "fired_at": model::time::format_iso(h.fired_ms),
                "resolved_at": h.resolved_ms.map(model::time::format_iso),
                "peak": h.peak, "snapshot_ids": h.snapshots,
            })
        })
        .collect();
    let mut s = serde_json::Value::Array(rows).to_string();
    s.push('\n');
    s
}

/// The alert pages (all, and one per severity) with their CSV and JSON.
pub(super) struct Alerts;

impl super::kinds::PageKind for Alerts {
    fn name(&self) -> &'static str {
        "alerts"
    }

    fn paths(&self, _: &super::kinds::Inputs<'_>) -> Vec<String> {
        let mut out: Vec<String> = SEVERITIES.iter().map(|s| page(Some(s))).collect();
        out.extend([
            page(None),
            CSV.to_owned(),
            JSON.to_owned(),
            super::feed::FEED.to_owned(),
        ]);
        out
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        render_alerts(i.store, i.ctx, w, i.analysis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let h = AlertRecord {
            rule: "Error, \"high\"".into(),
            metric: "=HYPERLINK(\"x\")".into(),
            severity: "critical".into(),
            fired_ms: 1_790_000_000_000,
            resolved_ms: Some(1_790_000_600_000),
            peak: Some(-4.5),
            snapshots: vec![3, 4],
        };
        let text = csv(&[h]);
        let line = text.lines().nth(1).expect("row");
        assert!(
            line.starts_with("\"Error, \"\"high\"\"\",\"'=HYPERLINK(\"\"x\"\")\",critical,"),
            "{line}"
        );
        assert!(line.ends_with(",600,-4.5,3 4"), "{line}");
    }

    /// The live alert panel reads this file's shape (widgets/src/json.rs); the fixture it is
    /// tested on in the browser must be what the generator writes.
    #[test]
    fn rules_json_is_the_widgets_fixture() {
        use model::alert::{AlertState, Condition, Observation, Rule};
        let mut rules = crate::config::alerts::default_rules();
        rules.push(Rule {
            name: "Latency anomaly".into(),
            metric: "probe.latency_*".into(),
            condition: Condition::Anomaly {
                min_score: 0.7,
                min_severity: model::anomaly::Severity::High,
            },
            ..rules[0].clone()
        });
        let mut firing = AlertState::new(&rules[0].name, "probe.error_rate");
        for (t, v) in [(1_000, 9.0), (2_000, 12.5), (130_000, 14.0)] {
            firing.observe(
                &rules[0],
                &Observation {
                    t_ms: t,
                    snapshot_id: t / 1000,
                    value: Some(v),
                    anomaly: None,
                },
            );
        }
        let a = Analysis {
            alerts: vec![(rules[0].clone(), firing)],
            rules,
            now_ms: 3_000,
            ..Analysis::default()
        };
        let text = rules_json(&a, &crate::content::Content::default());
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../widgets/src/fixtures/rules.json"
        );
        if std::env::var_os("LOOKOUT_BLESS").is_some() {
            std::fs::write(fixture, &text).expect("write fixture");
        }
        assert_eq!(
            std::fs::read_to_string(fixture).unwrap_or_default(),
            text,
            "data/rules.json changed shape: check widgets/src/json.rs reads it, then run this test with LOOKOUT_BLESS=1"
        );
    }
}
