//! The index page (status, alerts, parts, key metrics, uptime), `data/latest.json`, and the badge list.

use super::kinds::{Inputs, PageKind};
use super::views::{self, Badge, SnapRow};
use super::write::Writer;
use super::{BuildError, Ctx, badges, dashboard, paths, ranges, render, snapshot_json_text};
use crate::analysis::Analysis;
use crate::store::{SnapshotMeta, Store};

/// One source of a site of several: its status, what it says of its availability, its uptime.
pub struct SourceRow {
    pub name: String,
    pub kind: String,
    pub status: Badge,
    pub availability: &'static str,
    pub uptime_24h: String,
    pub why: String,
    pub readings: String,
    /// `since 22:17 UTC`: when its status became what it is; empty when not known.
    pub since: String,
}

/// `since <time>` of a status metric as of `at_ms`, empty when it has no samples.
fn since(
    store: &Store,
    metric: &str,
    at_ms: i64,
    zone: &crate::zone::Zone,
) -> Result<String, BuildError> {
    Ok(match store.held_since(metric, at_ms)? {
        Some((t, true)) => format!("since {}", zone.human(t)),
        Some((t, false)) => format!("since at least {}", zone.human(t)),
        None => String::new(),
    })
}

/// The sources of `now`, the first with the site's own uptime, the others with theirs.
fn source_rows(
    store: &Store,
    now: &model::Snapshot,
    analysis: &Analysis,
    zone: &crate::zone::Zone,
) -> Result<Vec<SourceRow>, BuildError> {
    now.sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // A further source's own status metric; the first's is the site's only when alone.
            let metric = if i == 0 {
                (now.sources.len() == 1).then(|| "status.overall".to_owned())
            } else {
                Some(crate::collect::metric_name(&s.name, "status.overall"))
            };
            let uptime = if i == 0 {
                analysis.uptime_overall.percent[0]
            } else {
                analysis
                    .uptime_sources
                    .iter()
                    .find(|u| u.endpoint == s.name)
                    .and_then(|u| u.percent[0])
            };
            Ok(SourceRow {
                since: match metric {
                    Some(m) => since(store, &m, now.taken_at_ms, zone)?,
                    None => String::new(),
                },
                name: s.name.clone(),
                kind: s.kind.clone(),
                status: s.overall.into(),
                availability: s.availability.map_or("not reported", |a| a.label()),
                uptime_24h: uptime
                    .map_or_else(|| "not reported".to_owned(), |p| views::pct(Some(p))),
                why: s.reasons.first().cloned().unwrap_or_default(),
                readings: format!(
                    "{} of {} readings succeeded",
                    s.readings - s.failed,
                    s.readings
                ),
            })
        })
        .collect()
}

/// What each source's limits dropped (`collect::guard`), said beside its readings.
fn dropped(now: &model::Snapshot) -> String {
    let dropped = crate::collect::guard::DROPPED;
    now.facts
        .iter()
        .filter(|f| f.name.ends_with(dropped))
        .map(|f| {
            let of = f.name.strip_suffix(dropped).unwrap_or_default();
            let of = of
                .strip_prefix("source.")
                .unwrap_or(of)
                .trim_end_matches('.');
            if of.is_empty() {
                f.value.clone()
            } else {
                format!("{of}: {}", f.value)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `(path, label, status)` of every badge the newest snapshot gives.
pub(super) fn badge_list(newest: Option<&model::Snapshot>) -> Vec<(String, String, model::Status)> {
    let Some(s) = newest else {
        return Vec::new();
    };
    let mut out = vec![(badges::OVERALL.to_owned(), "status".to_owned(), s.overall)];
    for (kind, parts) in [("component", &s.components), ("module", &s.modules)] {
        out.extend(
            parts
                .iter()
                .map(|p| (badges::path(kind, &p.name), p.name.clone(), p.status)),
        );
    }
    out
}

pub(super) fn render_index(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    (latest, newest): (Option<&SnapshotMeta>, Option<&model::Snapshot>),
    total: u64,
    analysis: &Analysis,
    sections: &[super::sections::SectionView],
) -> Result<(), BuildError> {
    let path = paths::INDEX;
    let (Some(meta), Some(now)) = (latest, newest) else {
        let page = views::EmptyPage {
            c: ctx.common(path, "Status".into(), true),
        };
        writer.put(path, render(path, &page)?.as_bytes())?;
        return writer.put(paths::LATEST_JSON, b"{\"snapshot\":null}\n");
    };
    let doc = store.doc(meta.id)?;
    let (prev_meta, _) = store.neighbours(meta)?;
    let prev = match prev_meta {
        Some(p) => Some(store.load(p)?.snapshot),
        None => None,
    };
    let recent = store.recent(12)?;
    let (taken, taken_iso) = views::taken(meta.taken_at_ms, &ctx.site.zone);
    let failed = now.failed_outcomes();
    let headline = match now.overall {
        model::Status::Healthy => "All systems operational".to_owned(),
        model::Status::Degraded => "Degraded performance".to_owned(),
        model::Status::Down => "Major outage".to_owned(),
        _ => "Status unknown".to_owned(),
    };
    let (firing, pending, resolved, muted) =
        views::alert_rows(analysis, ctx.content, &ctx.site.zone);
    // Components and modules go through the dependency graph together.
    let all: Vec<&model::PartHealth> = now.components.iter().chain(&now.modules).collect();
    let mut parts = views::part_rows(&all, &ctx.site.depends_on);
    let (uptime, uptime_bars) = views::uptime_rows(analysis, &ctx.site.source_name);
    let mut components: Vec<_> = parts.drain(..now.components.len()).collect();
    for c in &mut components {
        c.href = paths::part_page("component", c.name);
    }
    // Parts in trouble first (a down service before the healthy ones), each group in the order
    // its source gave.
    let rank = |class: &str| match class {
        "down" => 0,
        "degraded" => 1,
        "unknown" => 2,
        "healthy" => 3,
        _ => 4,
    };
    components.sort_by_key(|c| rank(c.status.class));
    // The lists the source decoded into the snapshot: no raw body is read again here.
    let events = now.lists.events.clone();
    let jobs = now.lists.jobs.clone();
    let caps = crate::collect::sources::of(ctx.site.source_kind)
        .map(|s| s.capabilities())
        .unwrap_or_default();
    let tiles = dashboard::tiles(
        now,
        prev.as_ref(),
        analysis,
        &ctx.site.source_name,
        caps,
        ctx.profile.methods,
    );
    let mut d = dashboard::build(store, now, tiles, analysis, parts, &ctx.site.zone)?;
    super::profiles::sections(ctx.site.source_kind, store, now, (events, jobs), &mut d)?;
    let tiles_json = serde_json::to_string(&d.tiles).unwrap_or_default();
    let page = views::IndexPage {
        c: ctx.common_json(path, "Status".into(), true, paths::LATEST_JSON),
        overall: Badge::from(now.overall),
        headline,
        reasons: &now.reasons,
        taken,
        taken_iso,
        snapshot_href: ctx.snapshot_link(&meta.slug),
        ok_count: now.outcomes.len() - failed,
        dropped: dropped(now),
        total_count: now.outcomes.len(),
        components,
        d,
        ranges: ranges::selector(path, None),
        widget_js: ctx.bundle.js.clone(),
        widget_wasm: ctx.bundle.wasm.clone(),
        api_base: &ctx.site.api_base,
        depends_json: serde_json::to_string(&ctx.site.depends_on).unwrap_or_default(),
        live_modules: ctx.site.live_from_backend.then(|| live_modules(now)),
        checks: checks(now),
        // A section's tables are shown with it.
        tables: now
            .lists
            .tables
            .iter()
            .filter(|t| {
                // A detail belongs to its series' drill-down page.
                t.kind.is_empty()
                    && !ctx.site.sections.iter().any(|s| {
                        s.tables.iter().any(|x| {
                            t.title == x.title || t.title == format!("{}: {}", s.source, x.title)
                        })
                    })
            })
            .collect(),
        sections,
        tiles_json,
        stale_after_s: ctx.site.stale_after_s,
        groups: views::key_groups(now, prev.as_ref(), analysis, &ctx.profile),
        cards: ctx.profile.cards.join(","),
        failures: now
            .outcomes
            .iter()
            .filter(|o| !o.kind.is_ok())
            .map(Into::into)
            .collect(),
        recent: recent
            .iter()
            .map(|m| SnapRow::new(m, ctx.snapshot_link(&m.slug), true, &ctx.site.zone))
            .collect(),
        snapshot_count: total,
        incidents: super::incidents::current(
            ctx.content,
            path,
            meta.taken_at_ms,
            None,
            &ctx.site.zone,
        ),
        muted,
        firing,
        pending,
        resolved,
        uptime,
        uptime_bars,
        sources: source_rows(store, now, analysis, &ctx.site.zone)?,
        overall_since: since(store, "status.overall", now.taken_at_ms, &ctx.site.zone)?,
    };
    writer.put(path, with_contents(&render(path, &page)?).as_bytes())?;
    writer.put(
        paths::RULES_JSON,
        super::alerts::rules_json(analysis, ctx.content).as_bytes(),
    )?;
    writer.put(
        paths::LATEST_JSON,
        snapshot_json_text(meta, &doc).as_bytes(),
    )
}

/// The page with its contents: after the first screen, a list of links to every section the
/// page has (its `h2`s, whatever this snapshot made appear), so a reader jumps to the detail.
fn with_contents(html: &str) -> String {
    let mut items = String::new();
    for part in html.split("<h2 id=\"").skip(1) {
        let Some((id, rest)) = part.split_once("\">") else {
            continue;
        };
        // The heading's own words (a link's too), before the count beside them; escaped as
        // the page has them.
        let head = rest.split("</h2>").next().unwrap_or("");
        let head = head.split("<span class=\"count\"").next().unwrap_or("");
        let mut title = String::new();
        let mut in_tag = false;
        for c in head.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => title.push(c),
                _ => {}
            }
        }
        let title = title.trim();
        if !title.is_empty() && !id.contains(['"', '<']) {
            items.push_str(&format!("<li><a href=\"#{id}\">{title}</a></li>"));
        }
    }
    if items.is_empty() {
        return html.to_owned();
    }
    let nav =
        format!("\n<nav class=\"contents\" aria-label=\"On this page\"><ul>{items}</ul></nav>");
    match html.find("</section>") {
        Some(at) => {
            let end = at + "</section>".len();
            format!("{}{nav}{}", &html[..end], &html[end..])
        }
        None => html.to_owned(),
    }
}

/// `Name=/path` of each module's check as this snapshot read it (empty path: it has none), for
/// the live widget that asks the backend itself. Names and paths with a separator are left out.
fn live_modules(now: &model::Snapshot) -> String {
    now.modules
        .iter()
        .filter_map(|m| {
            let id = format!("module.{}", m.name.to_ascii_lowercase());
            let path = now
                .outcomes
                .iter()
                .find(|o| o.endpoint == id)
                .map_or("", |o| o.path.as_str());
            let clean = |s: &str| !s.contains([',', '=', '"']);
            (clean(&m.name) && clean(path)).then(|| format!("{}={path}", m.name))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `part=url` of each part a source said can be asked to check itself (`check.<part>` facts; a
/// further source's `source.<name>.check.<part>` are its `<name>/<part>`), for the check-now
/// widget. A name or URL holding a separator is left out.
fn checks(now: &model::Snapshot) -> String {
    now.facts
        .iter()
        .filter_map(|f| {
            let part = match f.name.strip_prefix("check.") {
                Some(p) => p.to_owned(),
                None => {
                    let (src, p) = f.name.strip_prefix("source.")?.split_once(".check.")?;
                    format!("{src}/{p}")
                }
            };
            let clean = |s: &str| !s.contains([',', '=', '"']);
            (clean(&part) && clean(&f.value)).then(|| format!("{part}={}", f.value))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The index (the first screen), the newest snapshot's data file and the alert rules.
pub(super) struct Index;

impl PageKind for Index {
    fn name(&self) -> &'static str {
        "index"
    }

    fn paths(&self, _: &Inputs<'_>) -> Vec<String> {
        [paths::INDEX, paths::LATEST_JSON, paths::RULES_JSON]
            .map(str::to_owned)
            .to_vec()
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        render_index(
            i.store,
            i.ctx,
            w,
            (i.latest, i.newest),
            i.total,
            i.analysis,
            i.sections,
        )
    }
}

/// A status badge for the whole and for each part.
pub(super) struct Badges;

impl PageKind for Badges {
    fn name(&self) -> &'static str {
        "badges"
    }

    fn paths(&self, i: &Inputs<'_>) -> Vec<String> {
        i.badges.iter().map(|(p, _, _)| p.clone()).collect()
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        for (path, label, status) in i.badges {
            w.put(path, badges::svg(label, *status).as_bytes())?;
        }
        Ok(())
    }
}
