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
    /// Per row, where its first cell links from the site's root (a snapshot page); none when
    /// empty.
    pub links: Vec<String>,
}

impl Section {
    /// Where row `i`'s first cell links (from the site's root); empty for none.
    pub fn link(&self, i: &usize) -> &str {
        self.links.get(*i).map_or("", String::as_str)
    }
}

/// Everything the template and the text part show, in words.
pub struct Words {
    pub subject: String,
    pub headline: String,
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
}

/// Uptime against the SLO: how much of the period's error budget is left (or overspent).
pub fn budget(r: &DailyReport) -> Option<String> {
    let (slo, up) = (r.slo?, r.uptime?);
    let minutes = (r.period.to_ms - r.period.from_ms) as f64 / 60_000.0;
    let allowed = (100.0 - slo) / 100.0 * minutes;
    let used = (100.0 - up).max(0.0) / 100.0 * minutes;
    let min = |m: f64| model::alert::human_duration((m * 60_000.0).round() as i64);
    let verdict = if up >= slo { "met" } else { "missed" };
    Some(if used <= allowed {
        format!(
            "SLO {slo} % {verdict}: {} of its {} error budget left.",
            min(allowed - used),
            min(allowed)
        )
    } else {
        format!(
            "SLO {slo} % {verdict}: the {} error budget is overspent by {}.",
            min(allowed),
            min(used - allowed)
        )
    })
}

/// The summary's line on what went wrong: the episodes in words, or that nothing did.
fn what_went_wrong(r: &DailyReport, tz: &jiff::tz::TimeZone) -> String {
    if r.episodes.is_empty() && r.alerts.is_empty() {
        return "Nothing went wrong: every part was up in every reading, and no alert fired."
            .into();
    }
    let mut said: Vec<String> = r
        .episodes
        .iter()
        .take(3)
        .map(|e| {
            let to = e.to_ms.map_or_else(|| "the end".into(), |t| when(t, tz));
            format!("{} {} {}–{}", e.part, e.what, when(e.from_ms, tz), to)
        })
        .collect();
    if r.episodes.len() > 3 {
        said.push(format!("and {} more", r.episodes.len() - 3));
    }
    let alerts = match r.alerts.len() {
        0 => "no alert fired".to_owned(),
        1 => "1 alert episode".to_owned(),
        n => format!("{n} alert episodes"),
    };
    if said.is_empty() {
        format!("Every part was up in every reading; {alerts}.")
    } else {
        format!("{}; {alerts}.", said.join(", "))
    }
}

pub fn words(r: &DailyReport, tz: &jiff::tz::TimeZone, late: bool) -> Words {
    let day = r.period.name().replace("--", " to ");
    let before = if r.period.days == 1 {
        "day before"
    } else {
        "period before"
    };
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
        what_went_wrong(r, tz),
    ];
    if let Some(line) = budget(r) {
        summary.insert(1, line);
    }
    if !r.incidents.is_empty() || !r.anomalies.is_empty() {
        summary.push(format!(
            "{} incident{} or maintenance window{} on the site; anomalies in {} key metric{}.",
            r.incidents.len(),
            if r.incidents.len() == 1 { "" } else { "s" },
            if r.incidents.len() == 1 { "" } else { "s" },
            r.anomalies.len(),
            if r.anomalies.len() == 1 { "" } else { "s" },
        ));
    }
    if late {
        summary.insert(
            0,
            "This report is late: Lookout was not running when it was due.".into(),
        );
    }
    // Parts up in every reading fold into one line: the table is what went wrong.
    let (troubled, fine): (Vec<&super::PartDay>, Vec<&super::PartDay>) =
        r.parts.iter().partition(|p| p.degraded + p.down > 0);
    let mut part_rows: Vec<Row> = troubled
        .iter()
        .map(|p| Row {
            cells: vec![
                p.name.clone(),
                p.kind.to_owned(),
                pct(p.available()),
                p.degraded.to_string(),
                p.down.to_string(),
            ],
            mark: if p.down > 0 { "bad" } else { "warn" },
        })
        .collect();
    if !fine.is_empty() {
        part_rows.push(Row {
            cells: vec![
                format!(
                    "{} other part{}",
                    fine.len(),
                    if fine.len() == 1 { "" } else { "s" }
                ),
                "up in every reading".into(),
                "100 %".into(),
                "0".into(),
                "0".into(),
            ],
            mark: "",
        });
    }
    let timeline = Section {
        title: "What went wrong, when",
        columns: vec!["From", "To", "Part", "What"],
        links: r.episodes.iter().map(|e| e.href.clone()).collect(),
        rows: r
            .episodes
            .iter()
            .map(|e| Row {
                cells: vec![
                    when(e.from_ms, tz),
                    e.to_ms
                        .map_or_else(|| "still at the end".into(), |t| when(t, tz)),
                    e.part.clone(),
                    format!(
                        "{}{}",
                        e.what,
                        e.to_ms
                            .map(|t| format!(
                                " for {}",
                                model::alert::human_duration((t - e.from_ms).max(60_000))
                            ))
                            .unwrap_or_default()
                    ),
                ],
                mark: if e.what == "down" { "bad" } else { "warn" },
            })
            .collect(),
        empty: "Nothing went wrong: every part was up in every reading.",
    };
    let parts = Section {
        title: "Components and modules",
        columns: vec![
            "Part",
            "Kind",
            "Available",
            "Degraded readings",
            "Down readings",
        ],
        rows: part_rows,
        empty: "No snapshot on this day.",
        links: Vec::new(),
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
        links: Vec::new(),
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
        links: Vec::new(),
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
        links: Vec::new(),
    };
    let improvements = Section {
        title: "Biggest improvements",
        columns: columns(),
        rows: change_rows(&r.improvements, ""),
        empty: "Nothing got better by more than 1 %.",
        links: Vec::new(),
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
        links: Vec::new(),
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
        links: Vec::new(),
    };
    Words {
        subject,
        headline: format!("{}: {day} ({})", r.site, r.period.zone),
        summary,
        sections: vec![
            timeline,
            alerts,
            regressions,
            improvements,
            parts,
            incidents,
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
    /// The zone the report's times are in.
    pub zone: &'a str,
    /// What a link to a site page starts with: `../` on the site, `site.public_url` in mail,
    /// empty (no link) in mail without one.
    pub link_base: &'a str,
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
