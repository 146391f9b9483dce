//! Sections (`[[source.section]]`): a source's meter, figures and tables under one heading, on
//! the index and, with `page = true`, on a page of their own (`sections/<slug>.html`) that loads
//! the operator widgets for its tables' actions, switches and order.

use askama::Template;
use model::Snapshot;

use super::views::Common;
use super::widgets::Bundle;
use super::write::Writer;
use super::{BuildError, Ctx, render};
use crate::config::sections::Section;

pub fn page(slug: &str) -> String {
    format!("sections/{slug}.html")
}

/// Every section page the site has.
pub fn paths_all(site: &crate::config::Site) -> Vec<String> {
    site.sections
        .iter()
        .filter(|s| s.page)
        .map(|s| page(&s.slug))
        .collect()
}

/// One section as a page shows it.
#[derive(Debug)]
pub struct SectionView {
    pub title: String,
    pub id: String,
    pub source: String,
    /// Its page, relative to the site's root; empty when it has none.
    pub href: String,
    pub meter: Option<MeterView>,
    pub figures: Vec<FigureView>,
    pub tables: Vec<TableView>,
    pub flow: Vec<StepView>,
}

#[derive(Debug)]
pub struct MeterView {
    pub label: String,
    /// `None` when the source did not report the value or its capacity.
    pub value: Option<(f64, f64)>,
    pub text: String,
}

#[derive(Debug)]
pub struct FigureView {
    pub label: String,
    pub name: String,
    pub value: String,
    pub unit: String,
}

#[derive(Debug)]
pub struct TableView {
    pub title: String,
    pub id: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Not in this snapshot (its endpoint was not read).
    pub missing: bool,
    /// The operator widget's description of the table (JSON), empty without operations.
    pub spec: String,
}

#[derive(Debug)]
pub struct StepView {
    pub name: String,
    /// `None` when no column says.
    pub enabled: Option<bool>,
    pub details: String,
}

/// A metric name as the snapshot holds it: a further source's are namespaced.
fn full_name(s: &Section, metric: &str) -> String {
    if s.primary {
        metric.to_owned()
    } else {
        crate::collect::metric_name(&s.source, metric)
    }
}

/// `websocket.msg_in_rate` → `msg in rate`.
fn label(metric: &str) -> String {
    metric
        .rsplit('.')
        .next()
        .unwrap_or(metric)
        .replace('_', " ")
}

fn table_title(s: &Section, t: &str) -> String {
    if s.primary {
        t.to_owned()
    } else {
        format!("{}: {t}", s.source)
    }
}

fn spec(t: &crate::config::sections::SectionTable) -> String {
    let m = &t.mapping;
    if m.ops.is_empty() {
        return String::new();
    }
    serde_json::json!({
        "title": t.title, "url": t.live_url, "items": m.items, "key": m.key,
        "columns": m.columns, "actions": m.ops.actions, "toggle": m.ops.toggle,
        "reorder": m.ops.reorder,
    })
    .to_string()
}

/// Every section of the site with the newest snapshot's figures and tables.
pub fn views(site: &crate::config::Site, now: &Snapshot) -> Vec<SectionView> {
    let metric = |name: &str| now.metrics.iter().find(|m| m.name == name);
    site.sections
        .iter()
        .map(|s| {
            let meter = s.meter.as_ref().map(|(v, max)| {
                let (v, max) = (metric(&full_name(s, v)), metric(&full_name(s, max)));
                let value = v.zip(max).map(|(a, b)| (a.value, b.value));
                let text = match value {
                    Some((a, b)) if b > 0.0 => format!(
                        "{} of {} ({:.0} %)",
                        model::metric::format_value(a, model::Unit::Count),
                        model::metric::format_value(b, model::Unit::Count),
                        100.0 * a / b
                    ),
                    _ => "not reported".to_owned(),
                };
                MeterView {
                    label: s.meter.as_ref().map(|m| label(&m.0)).unwrap_or_default(),
                    value: value.filter(|(_, b)| *b > 0.0),
                    text,
                }
            });
            let figures = s
                .figures
                .iter()
                .map(|f| {
                    let m = metric(&full_name(s, f));
                    FigureView {
                        label: label(f),
                        name: full_name(s, f),
                        value: m.map_or_else(|| "not reported".to_owned(), |m| m.display_value()),
                        unit: m.map(|m| m.unit.symbol().to_owned()).unwrap_or_default(),
                    }
                })
                .collect();
            let tables: Vec<TableView> = s
                .tables
                .iter()
                .map(|t| {
                    let shown = table_title(s, &t.title);
                    let found = now.lists.tables.iter().find(|x| x.title == shown);
                    TableView {
                        id: crate::config::sections::slug(&t.title),
                        title: t.title.clone(),
                        columns: found.map_or_else(
                            || {
                                t.mapping
                                    .key
                                    .iter()
                                    .chain(&t.mapping.columns)
                                    .cloned()
                                    .collect()
                            },
                            |x| x.columns.clone(),
                        ),
                        rows: found.map(|x| x.rows.clone()).unwrap_or_default(),
                        missing: found.is_none(),
                        spec: spec(t),
                    }
                })
                .collect();
            let flow = s
                .flow
                .as_ref()
                .map(|f| flow(f, &tables))
                .unwrap_or_default();
            SectionView {
                title: s.title.clone(),
                id: s.slug.clone(),
                source: s.source.clone(),
                href: if s.page { page(&s.slug) } else { String::new() },
                meter,
                figures,
                tables,
                flow,
            }
        })
        .collect()
}

/// The flow table's rows in order, each step's other columns as its details.
fn flow(f: &crate::config::sections::Flow, tables: &[TableView]) -> Vec<StepView> {
    let Some(t) = tables.iter().find(|t| t.title == f.table) else {
        return Vec::new();
    };
    let enabled_at = f
        .enabled
        .as_ref()
        .and_then(|c| t.columns.iter().position(|x| x == c));
    t.rows
        .iter()
        .map(|r| StepView {
            name: r.first().cloned().unwrap_or_default(),
            enabled: enabled_at.and_then(|i| r.get(i)).map(|v| v != "false"),
            details: t
                .columns
                .iter()
                .zip(r)
                .enumerate()
                .filter(|(i, _)| *i > 0 && Some(*i) != enabled_at)
                .map(|(_, (c, v))| format!("{c} {v}"))
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "section.html")]
struct SectionPage<'a> {
    c: Common<'a>,
    s: &'a SectionView,
    /// The operator bundle, when a table has operations.
    bundle: Option<Bundle>,
}

/// The pages of the sections that have one.
pub fn render_pages(
    ctx: &Ctx<'_>,
    writer: &Writer,
    views: &[SectionView],
) -> Result<(), BuildError> {
    for s in views.iter().filter(|s| !s.href.is_empty()) {
        let page = SectionPage {
            c: ctx.common_json(&s.href, s.title.clone(), true, super::paths::LATEST_JSON),
            s,
            bundle: s
                .tables
                .iter()
                .any(|t| !t.spec.is_empty())
                .then(|| ctx.operator.clone()),
        };
        writer.put(&s.href, render(&s.href, &page)?.as_bytes())?;
    }
    Ok(())
}

/// A page per section of the newest snapshot's dashboard.
pub(super) struct Sections;

impl super::kinds::PageKind for Sections {
    fn name(&self) -> &'static str {
        "sections"
    }

    fn paths(&self, i: &super::kinds::Inputs<'_>) -> Vec<String> {
        paths_all(i.ctx.site)
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        render_pages(i.ctx, w, i.sections)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example's sections over a snapshot that has the WebSocket figures but not the
    /// connections table, and the pipeline with a step switched off.
    #[test]
    fn figures_name_their_source_and_what_was_not_read_says_so() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let text = std::fs::read_to_string(dir.join("admin-api.toml")).expect("example");
        let text = format!("[backend]\n{text}");
        let cfg = crate::config::Config::from_toml(&text, std::path::Path::new("t.toml"))
            .expect("config");
        let mut snap =
            crate::store::tests::assembled(1_790_000_000_000, model::Status::Healthy, 9.0).snapshot;
        let m = |n: &str, v: f64, u| {
            model::Metric::new(
                crate::collect::metric_name("admin", n),
                v,
                u,
                model::Better::Lower,
            )
        };
        snap.metrics
            .push(m("websocket.active", 7.0, model::Unit::Count));
        snap.metrics
            .push(m("websocket.max", 50.0, model::Unit::Count));
        snap.metrics
            .push(m("websocket.msg_in_rate", 8.6, model::Unit::PerSecond));
        snap.lists.tables.push(model::lists::Table {
            title: "admin: Middleware pipeline".into(),
            columns: ["name", "id", "order", "enabled", "avg_ms"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                ["auth", "2", "1", "true", "1.0"].map(String::from).to_vec(),
                ["compress", "4", "2", "false", "0.0"]
                    .map(String::from)
                    .to_vec(),
            ],
            kind: String::new(),
            of: String::new(),
        });
        let v = views(&cfg.site, &snap);
        let ws = &v[0];
        assert_eq!(ws.href, "sections/websocket.html");
        assert_eq!(
            ws.meter.as_ref().map(|m| (m.value, m.text.as_str())),
            Some((Some((7.0, 50.0)), "7 of 50 (14 %)"))
        );
        assert_eq!(
            (ws.figures[0].value.as_str(), ws.figures[0].unit.as_str()),
            ("8.60", "/s")
        );
        assert_eq!(
            ws.figures[1].value, "not reported",
            "msg_out_rate was not in the snapshot"
        );
        assert!(ws.tables[0].missing && ws.tables[0].rows.is_empty());
        assert!(ws.tables[0].spec.contains("\"label\":\"Disconnect\""));
        assert!(
            ws.tables[1].spec.is_empty(),
            "the errors have no operations"
        );
        let pipe = &v[1];
        assert_eq!(
            pipe.flow
                .iter()
                .map(|s| (s.name.as_str(), s.enabled))
                .collect::<Vec<_>>(),
            [("auth", Some(true)), ("compress", Some(false))]
        );
        assert_eq!(pipe.flow[1].details, "id 4 · order 2 · avg_ms 0.0");
        assert_eq!(
            paths_all(&cfg.site),
            [
                "sections/websocket.html",
                "sections/middleware-pipeline.html"
            ]
        );
    }
}
