//! Incident and maintenance pages from the content folder, and the short lists the index and part pages show.

use crate::content::{Content, Entry, Kind};

use super::views::Common;
use super::write::Writer;
use super::{BuildError, Ctx, rel, render};

pub const INDEX: &str = "incidents/index.html";
pub const JSON: &str = "data/incidents.json";

pub fn page(e: &Entry) -> String {
    format!("incidents/{}.html", e.slug)
}

pub fn paths_all(c: &Content) -> Vec<String> {
    let mut v: Vec<String> = c.entries.iter().map(page).collect();
    v.push(INDEX.to_owned());
    v
}

/// One entry as a list row or a page.
pub struct EntryView {
    pub title: String,
    pub href: String,
    pub kind: &'static str,
    pub status: String,
    /// Colour class: open incidents `down`, active maintenance `degraded`, the rest `unknown`.
    pub class: &'static str,
    pub affected: String,
    pub when: String,
    pub html: String,
}

pub fn view(e: &Entry, from: &str, now_ms: i64, zone: &crate::zone::Zone) -> EntryView {
    let class = match (e.kind, e.is_open(now_ms)) {
        (Kind::Incident, true) => "down",
        (Kind::Maintenance, true) => "degraded",
        _ => "unknown",
    };
    let when = match e.end_ms {
        Some(end) => format!("{} – {}", zone.human(e.start_ms), zone.human(end)),
        None => format!("since {}", zone.human(e.start_ms)),
    };
    EntryView {
        title: e.title.clone(),
        href: rel(from, &page(e)),
        kind: e.kind.as_str(),
        status: e.status.replace('_', " "),
        class,
        affected: e.affected.join(", "),
        when,
        html: e.html.clone(),
    }
}

/// Open incidents and active or upcoming maintenance, optionally only those naming `part`.
pub fn current(
    c: &Content,
    from: &str,
    now_ms: i64,
    part: Option<&str>,
    zone: &crate::zone::Zone,
) -> Vec<EntryView> {
    c.entries
        .iter()
        .filter(|e| e.is_open(now_ms) || e.is_upcoming(now_ms))
        .filter(|e| part.is_none_or(|p| e.affects(p)))
        .map(|e| view(e, from, now_ms, zone))
        .collect()
}

/// Every entry naming `part`, newest first (for part pages).
pub fn about(
    c: &Content,
    from: &str,
    now_ms: i64,
    part: &str,
    zone: &crate::zone::Zone,
) -> Vec<EntryView> {
    c.entries
        .iter()
        .filter(|e| e.affects(part))
        .take(20)
        .map(|e| view(e, from, now_ms, zone))
        .collect()
}

#[derive(askama::Template)]
#[template(path = "incidents.html")]
struct ListPage<'a> {
    c: Common<'a>,
    current: Vec<EntryView>,
    past: Vec<EntryView>,
    problems: &'a [String],
}

#[derive(askama::Template)]
#[template(path = "incident.html")]
struct OnePage<'a> {
    c: Common<'a>,
    e: EntryView,
    back: String,
}

pub fn render_incidents(ctx: &Ctx<'_>, writer: &Writer, now_ms: i64) -> Result<(), BuildError> {
    let c = ctx.content;
    let list = ListPage {
        c: ctx.common_json(INDEX, "Incidents and maintenance".into(), false, JSON),
        current: current(c, INDEX, now_ms, None, &ctx.site.zone),
        past: c
            .entries
            .iter()
            .filter(|e| !e.is_open(now_ms) && !e.is_upcoming(now_ms))
            .map(|e| view(e, INDEX, now_ms, &ctx.site.zone))
            .collect(),
        problems: &c.problems,
    };
    writer.put(INDEX, render(INDEX, &list)?.as_bytes())?;
    let json = serde_json::json!({
        "entries": c.entries.iter().map(|e| serde_json::json!({
            "kind": e.kind.as_str(),
            "title": e.title,
            "status": e.status,
            "open": e.is_open(now_ms),
            "affected": e.affected,
            "start_ms": e.start_ms,
            "end_ms": e.end_ms,
            "page": page(e),
            "html": e.html,
        })).collect::<Vec<_>>(),
        "problems": c.problems,
    });
    writer.put(JSON, super::json_text(&json).as_bytes())?;
    for e in &c.entries {
        let path = page(e);
        let p = OnePage {
            c: ctx.common_json(&path, e.title.clone(), false, JSON),
            e: view(e, &path, now_ms, &ctx.site.zone),
            back: rel(&path, INDEX),
        };
        writer.put(&path, render(&path, &p)?.as_bytes())?;
    }
    Ok(())
}

/// The incidents and maintenance list, a page per entry, and its data file.
pub(super) struct Incidents;

impl super::kinds::PageKind for Incidents {
    fn name(&self) -> &'static str {
        "incidents"
    }

    fn paths(&self, i: &super::kinds::Inputs<'_>) -> Vec<String> {
        let mut out = paths_all(i.ctx.content);
        out.push(JSON.to_owned());
        out
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        render_incidents(i.ctx, w, i.ctx.now_ms)
    }
}
