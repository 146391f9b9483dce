//! The report as people read it: rows of text for the mail's plain part, and a borrowed view for the HTML template (mail and site page).

use askama::Template;

use super::DailyReport;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "no data".to_owned(), |v| format!("{v:.2} %"))
}

fn when(ms: i64, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

fn value(v: f64, unit: model::Unit) -> String {
    model::metric::with_unit(v, unit)
}

/// One table row: cells already in words.
pub struct Row {
    pub cells: Vec<String>,
    /// `bad`, `warn` or empty: how the row is marked (always with words too).
    pub mark: &'static str,
}

/// A section: heading, column names, rows, and what to say when there are none.
pub struct Section {
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub empty: &'static str,
}

/// Everything the template and the text part show, in words.
pub struct Words {
    pub subject: String,
    pub headline: String,
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
}

pub fn words(r: &DailyReport, tz: &jiff::tz::TimeZone, late: bool) -> Words {
    let day = r.period.name().replace("--", " to ");
    let before = if r.period.days == 1 {
        "day before"
    } else {
        "period before"
    };
    let down: usize = r.parts.iter().filter(|p| p.down > 0).count();
    let subject = format!(
        "{}{}: {} for {day}: uptime {}{}",
        if late { "[late] " } else { "" },
        r.site,
        if r.period.days == 1 {
            "daily report"
        } else {
            "report"
        },
        pct(r.uptime),
        if r.alerts.is_empty() {
            String::new()
        } else {
            format!(", {} alert(s)", r.alerts.len())
        }
    );
    let mut summary = vec![
        format!(
            "Uptime {} ({before} {}, a week before {}), over {} snapshots.",
            pct(r.uptime),
            pct(r.uptime_prev_day),
            pct(r.uptime_prev_week),
            r.snapshots
        ),
        format!(
            "{} part(s) down at some point, {} alert episode(s), {} incident(s), anomalies in {} metric(s).",
            down,
            r.alerts.len(),
            r.incidents.len(),
            r.anomalies.len()
        ),
    ];
    if late {
        summary.insert(
            0,
            "This report is late: Lookout was not running when it was due.".into(),
        );
    }
    let parts = Section {
        title: "Components and modules",
        columns: vec![
            "Part",
            "Kind",
            "Available",
            "Degraded readings",
            "Down readings",
        ],
        rows: r
            .parts
            .iter()
            .map(|p| Row {
                cells: vec![
                    p.name.clone(),
                    p.kind.to_owned(),
                    pct(p.available()),
                    p.degraded.to_string(),
                    p.down.to_string(),
                ],
                mark: if p.down > 0 {
                    "bad"
                } else if p.degraded > 0 {
                    "warn"
                } else {
                    ""
                },
            })
            .collect(),
        empty: "No snapshot on this day.",
    };
    let incidents = Section {
        title: "Incidents and maintenance",
        columns: vec!["Title", "Status"],
        rows: r
            .incidents
            .iter()
            .map(|i| Row {
                cells: vec![i.title.clone(), i.status.clone()],
                mark: "",
            })
            .collect(),
        empty: "None.",
    };
    let alerts = Section {
        title: "Alerts fired and resolved",
        columns: vec!["Severity", "Rule", "Metric", "Fired", "Resolved", "Lasted"],
        rows: r
            .alerts
            .iter()
            .map(|a| Row {
                cells: vec![
                    a.severity.clone(),
                    a.rule.clone(),
                    a.metric.clone(),
                    when(a.fired_ms, tz),
                    a.resolved_ms
                        .map_or_else(|| "still firing".into(), |t| when(t, tz)),
                    a.resolved_ms
                        .map(|t| {
                            model::alert::human_duration(
                                ((t - a.fired_ms) / 60_000).max(1) * 60_000,
                            )
                        })
                        .unwrap_or_default(),
                ],
                mark: if a.severity == "critical" {
                    "bad"
                } else {
                    "warn"
                },
            })
            .collect(),
        empty: "No alert fired.",
    };
    let change_rows = |list: &[super::Change], mark| {
        list.iter()
            .map(|c| Row {
                cells: vec![
                    c.metric.clone(),
                    value(c.mean, c.unit),
                    c.prev_day.map(|v| value(v, c.unit)).unwrap_or_default(),
                    c.prev_week
                        .map(|v| value(v, c.unit))
                        .unwrap_or_else(|| "no data".into()),
                    model::metric::change_pct(c.change),
                ],
                mark,
            })
            .collect()
    };
    let columns = || {
        if r.period.days == 1 {
            vec!["Metric", "Day mean", "Day before", "Week before", "Change"]
        } else {
            vec!["Metric", "Mean", "Period before", "Week before", "Change"]
        }
    };
    let regressions = Section {
        title: "Biggest regressions",
        columns: columns(),
        rows: change_rows(&r.regressions, "bad"),
        empty: "Nothing got worse by more than 1 %.",
    };
    let improvements = Section {
        title: "Biggest improvements",
        columns: columns(),
        rows: change_rows(&r.improvements, ""),
        empty: "Nothing got better by more than 1 %.",
    };
    let anomalies = Section {
        title: "Anomalies",
        columns: vec!["Metric", "Points flagged"],
        rows: r
            .anomalies
            .iter()
            .map(|(m, n)| Row {
                cells: vec![m.clone(), n.to_string()],
                mark: "warn",
            })
            .collect(),
        empty: "The detector flagged nothing.",
    };
    let latency = Section {
        title: "Read latency (Lookout's own reads of the backend)",
        columns: vec!["Percentile", "Day mean", "Worst hour"],
        rows: r
            .latency
            .iter()
            .map(|l| Row {
                cells: vec![
                    l.metric.trim_start_matches("probe.latency_").to_owned(),
                    value(l.mean, model::Unit::Milliseconds),
                    value(l.max, model::Unit::Milliseconds),
                ],
                mark: "",
            })
            .collect(),
        empty: "No latency measured.",
    };
    Words {
        subject,
        headline: format!("{}: {day} ({})", r.site, r.period.zone),
        summary,
        sections: vec![
            parts,
            incidents,
            alerts,
            regressions,
            improvements,
            anomalies,
            latency,
        ],
    }
}

/// The plain-text part: the same words, as aligned lines.
pub fn text(w: &Words, links: &[(String, String)]) -> String {
    let mut out = format!(
        "{}\n{}\n\n",
        w.headline,
        "=".repeat(w.headline.chars().count())
    );
    for s in &w.summary {
        out.push_str(s);
        out.push('\n');
    }
    for sec in &w.sections {
        out.push_str(&format!(
            "\n{}\n{}\n",
            sec.title,
            "-".repeat(sec.title.len())
        ));
        if sec.rows.is_empty() {
            out.push_str(sec.empty);
            out.push('\n');
        }
        for r in &sec.rows {
            out.push_str("- ");
            out.push_str(
                &sec.columns
                    .iter()
                    .zip(&r.cells)
                    .map(|(c, v)| format!("{c}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            out.push('\n');
        }
    }
    if !links.is_empty() {
        out.push_str("\nOn the site\n-----------\n");
        for (label, href) in links {
            out.push_str(&format!("- {label}: {href}\n"));
        }
    }
    out
}

/// The HTML: for mail (images by Content-ID) and, the same, as the site's page (images as files).
#[derive(Template)]
#[template(path = "report.html")]
pub struct Html<'a> {
    pub w: &'a Words,
    /// `src` of the two charts: `cid:...` in mail, a file name on the site.
    pub latency_src: &'a str,
    pub uptime_src: &'a str,
    pub links: &'a [(String, String)],
    /// On the site: a way back to the status page and the list of reports.
    pub site_nav: bool,
    /// On the site: the report's data beside the page.
    pub json_href: &'a str,
}

/// The report's data as JSON: the same words, by section.
pub fn json(w: &Words, day: &str) -> String {
    let sections: Vec<serde_json::Value> = w
        .sections
        .iter()
        .map(|s| {
            serde_json::json!({
                "title": s.title,
                "columns": s.columns,
                "rows": s.rows.iter().map(|r| &r.cells).collect::<Vec<_>>(),
            })
        })
        .collect();
    format!(
        "{}\n",
        serde_json::json!({"day": day, "subject": w.subject, "summary": w.summary, "sections": sections})
    )
}
