//! The list of daily reports (`reports/index.html`): the report pages `lookout report` wrote into the site, newest first.

use askama::Template;

use super::views::Common;
use super::write::Writer;
use super::{BuildError, Ctx, render};

pub const INDEX: &str = "reports/index.html";
pub const JSON: &str = "data/reports.json";

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage<'a> {
    c: Common<'a>,
    days: Vec<String>,
}

pub fn render_reports(ctx: &Ctx<'_>, writer: &Writer) -> Result<(), BuildError> {
    let mut days: Vec<String> = std::fs::read_dir(writer.root().join("reports"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter_map(|n| n.strip_suffix(".html").map(str::to_owned))
                .filter(|n| n != "index" && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    days.sort_unstable_by(|a, b| b.cmp(a));
    let page = ReportsPage {
        c: ctx.common_json(INDEX, "Daily reports".into(), false, JSON),
        days,
    };
    let list: Vec<serde_json::Value> = page
        .days
        .iter()
        .map(|d| serde_json::json!({"day": d, "page": format!("reports/{d}.html"), "json": format!("reports/{d}.json")}))
        .collect();
    writer.put(
        JSON,
        format!("{}\n", serde_json::json!({ "reports": list })).as_bytes(),
    )?;
    writer.put(INDEX, render(INDEX, &page)?.as_bytes())
}

/// The list of daily reports (the reports themselves are written by `lookout report`).
pub(super) struct Reports;

impl super::kinds::PageKind for Reports {
    fn name(&self) -> &'static str {
        "reports"
    }

    fn paths(&self, _: &super::kinds::Inputs<'_>) -> Vec<String> {
        vec![INDEX.to_owned(), JSON.to_owned()]
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        render_reports(i.ctx, w)
    }
}
