//! Render stage: stored snapshots -> static site, incrementally, each file written atomically.

mod alerts;
mod badges;
mod calendar;
pub mod charts;
mod dashboard;
mod exports;
mod feed;
mod fixed;
mod graph;
mod heatmap;
mod incidents;
mod index;
mod links;
mod pages;
mod parts;
mod paths;
mod profiles;
mod prune;
mod ranges;
mod reports;
mod sections;
mod uptime;
mod views;
mod widgets;
mod write;

pub use incidents::page as incident_page;
pub use links::{broken_links, files_under};
pub use paths::{day_page, history_page, slug, snapshot_json, snapshot_page};
pub use write::{TMP_SUFFIX, write_atomic};

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use askama::Template;
use model::trend::WINDOWS;

use crate::analysis::Analysis;
use crate::config::Site;
use crate::content::Content;
use crate::store::{BuildState, SnapshotMeta, Store, StoreError};
use pages::{
    render_all_snapshots, render_day, render_history, render_snapshot, snapshot_json_text,
};
use views::Common;
use write::Writer;

pub const STYLE_CSS: &str = include_str!("../../../assets/style.css");
/// The site's icon (browsers ask for one on every page).
const FAVICON: &str = include_str!("../../../assets/favicon.svg");
/// Marks an output folder with the build that filled it; a missing or foreign marker forces a full build.
pub const MARKER: &str = ".lookout-build";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot render {page}: {source}")]
    Render { page: String, source: askama::Error },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a build worker stopped unexpectedly")]
    Worker,
    #[error(
        "{out} holds the site of the data folder {owner}; build into another folder, or delete {out}/.lookout-owner to hand it over"
    )]
    Owned { out: PathBuf, owner: String },
}

#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Re-render every page even if nothing seems to have changed.
    pub full: bool,
    /// Show a progress bar while many snapshot pages render (set when stderr is a terminal).
    pub progress: bool,
    /// The time the build runs at (its "generated" stamp; "now" of an empty store).
    pub clock: crate::clock::Clock,
}

#[derive(Debug, Clone)]
pub struct BuildReport {
    pub full: bool,
    pub snapshot_pages: usize,
    pub day_pages: usize,
    pub written: usize,
    pub unchanged: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for BuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} build: {} snapshot pages, {} day pages rendered; {} files written, {} unchanged, in {:.1} ms",
            if self.full { "full" } else { "incremental" },
            self.snapshot_pages,
            self.day_pages,
            self.written,
            self.unchanged,
            self.elapsed.as_secs_f64() * 1000.0
        )
    }
}

/// Logs (at debug level) how long each stage of a build took.
struct Lap(Instant);

impl Lap {
    fn mark(&mut self, stage: &str) {
        tracing::debug!(
            "build stage {stage}: {:.1} ms",
            self.0.elapsed().as_secs_f64() * 1000.0
        );
        self.0 = Instant::now();
    }
}

/// Settings that shape every page; a change forces a full build.
struct Ctx<'a> {
    site: &'a Site,
    bundle: widgets::Bundle,
    /// The operator bundle, for section pages with operations.
    operator: widgets::Bundle,
    content: &'a Content,
    now_ms: i64,
    css_version: String,
    generated: String,
    /// `data-tz`: the zone's offsets from a year before this one to the end of the next, so the
    /// attribute (and every page holding it) changes once a year, not on every build.
    tz: String,
    /// The source kind's dashboard as data (key metric groups, live cards).
    profile: crate::collect::sources::Profile,
}

impl Ctx<'_> {
    fn common(&self, path: &str, page_title: String, dated: bool) -> Common<'_> {
        Common {
            site_title: &self.site.title,
            page_title,
            root: paths::root_of(path),
            css_version: &self.css_version,
            version: env!("CARGO_PKG_VERSION"),
            generated: if dated { &self.generated } else { "" },
            json: String::new(),
            zone: self.site.zone.name(),
            tz: &self.tz,
        }
    }

    /// `common` for a page whose data is also published at `json` (a path from the root).
    fn common_json(&self, path: &str, page_title: String, dated: bool, json: &str) -> Common<'_> {
        Common {
            json: json.to_owned(),
            ..self.common(path, page_title, dated)
        }
    }
}

/// Pretty JSON with a final newline, for the data files beside the pages.
fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn render<T: Template>(page: &str, t: &T) -> Result<String, BuildError> {
    t.render().map_err(|source| BuildError::Render {
        page: page.to_owned(),
        source,
    })
}

fn fingerprint(site: &Site, css_version: &str) -> String {
    // The binary carries the templates, so a rebuilt binary may render differently.
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{mtime}", m.len())
        })
        .unwrap_or_default();
    let text = format!(
        "{}|{exe}|{}|{}|{css_version}|{:?}",
        env!("CARGO_PKG_VERSION"),
        site.title,
        site.days_per_page,
        site.depends_on
    );
    format!("{:016x}", write::hash(text.as_bytes()))
}

/// Builds the site from the store into `out`. Pages that cannot have changed are not re-rendered;
/// files whose bytes did not change are not touched.
pub fn build(
    store: &mut Store,
    site: &Site,
    analysis: &Analysis,
    content: &Content,
    out: &Path,
    opts: BuildOptions,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let mut lap = Lap(started);
    std::fs::create_dir_all(out).map_err(|source| BuildError::Write {
        path: out.to_owned(),
        source,
    })?;
    let out_key = std::fs::canonicalize(out)
        .unwrap_or_else(|_| out.to_owned())
        .to_string_lossy()
        .into_owned();
    let latest = store.latest_meta()?;
    // Loaded once: the index, the JSON and the badges all show the newest snapshot.
    let newest = match &latest {
        Some(m) => Some(store.load(m.clone())?.snapshot),
        None => None,
    };
    let merged = graph::with_reported_dependencies(site, newest.as_ref());
    let site = &merged;
    let css_version = format!("{:08x}", write::hash(STYLE_CSS.as_bytes()) as u32);
    let fp = fingerprint(site, &css_version);
    let state = store.build_state(&out_key)?;
    let marker = std::fs::read_to_string(out.join(MARKER)).unwrap_or_default();
    let full = opts.full
        || state
            .as_ref()
            .is_none_or(|s| s.fingerprint != fp || s.token != marker.trim());
    write::claim(out, store.path().parent().unwrap_or(store.path()))?;
    if write::begin(out, full)? {
        tracing::info!(
            "the last build into {} was stopped; its temp files are removed",
            out.display()
        );
    }
    let ctx = Ctx {
        site,
        bundle: widgets::bundle(),
        operator: widgets::operator_bundle(),
        content,
        // Incidents and maintenance are judged as of the newest snapshot, like everything shown.
        now_ms: latest
            .as_ref()
            .map_or_else(|| opts.clock.now_ms(), |m| m.taken_at_ms),
        css_version,
        generated: site.zone.human(opts.clock.now_ms()),
        tz: {
            let year = model::time::Civil::from_ms(opts.clock.now_ms()).year;
            let start = |y: i32| model::time::days_from_civil(y, 1, 1) * 86_400_000;
            site.zone.table(start(year - 1), start(year + 2))
        },
        profile: crate::collect::sources::profile_of(site.source_kind),
    };
    let days = store.days()?;
    let badge_paths = index::badge_list(newest.as_ref());
    // When the previous build's newest snapshot was taken: decides which range pages are due.
    let previous_ms = match state.as_ref() {
        Some(s) if !full => store.meta(s.last_snapshot_id)?.map(|m| m.taken_at_ms),
        _ => None,
    };

    // Decide what to render.
    let (mut snapshots, mut changed_days): (Vec<SnapshotMeta>, BTreeSet<String>) = if full {
        (Vec::new(), days.iter().map(|d| d.day.clone()).collect())
    } else {
        let last = state.as_ref().map_or(0, |s| s.last_snapshot_id);
        let fresh = store.inserted_after(last)?;
        let mut set: HashMap<i64, SnapshotMeta> = HashMap::new();
        for m in &fresh {
            let (p, n) = store.neighbours(m)?;
            for x in [Some(m.clone()), p, n].into_iter().flatten() {
                set.insert(x.id, x);
            }
        }
        let mut list: Vec<SnapshotMeta> = set.into_values().collect();
        list.sort_by_key(|m| (m.taken_at_ms, m.id));
        let mut changed: BTreeSet<String> = list
            .iter()
            .map(|m| model::time::day_of(m.taken_at_ms))
            .collect();
        let mut fresh_per_day: HashMap<String, u32> = HashMap::new();
        for m in &fresh {
            *fresh_per_day
                .entry(model::time::day_of(m.taken_at_ms))
                .or_default() += 1;
        }
        // A day that did not exist before changes its neighbours' "earlier/later day" links.
        for (i, d) in days.iter().enumerate() {
            if fresh_per_day.get(&d.day) == Some(&d.count) {
                if let Some(p) = i.checked_sub(1).and_then(|j| days.get(j)) {
                    changed.insert(p.day.clone());
                }
                if let Some(n) = days.get(i + 1) {
                    changed.insert(n.day.clone());
                }
            }
        }
        if fresh.is_empty() {
            changed.clear();
        }
        (list, changed)
    };
    let per_page = site.days_per_page.max(1);
    let page_count = days.len().div_ceil(per_page).max(1);
    // Pages of pruned days go; the oldest kept snapshot and day lose their "earlier" links, and
    // the history pages shift, so they are redrawn.
    let removed = match days.first() {
        Some(d) => prune::remove_pruned(store, out, &out_key, &d.day, page_count)?,
        None => 0,
    };
    if removed > 0
        && !full
        && let Some(first) = days.first()
    {
        changed_days.insert(first.day.clone());
        if let Some(m) = store.day_metas(&first.day)?.into_iter().next()
            && !snapshots.iter().any(|s| s.id == m.id)
        {
            snapshots.insert(0, m);
        }
    }
    let mut pages: BTreeSet<usize> = BTreeSet::new();
    pages.insert(page_count);
    for (i, d) in days.iter().enumerate() {
        if full || removed > 0 || changed_days.contains(&d.day) {
            pages.insert(i / per_page + 1);
        }
    }

    let mut fixed = fixed::pages(&ctx, site, content);
    let metric_names = store.metric_names()?;
    fixed.push(exports::PAGE.to_owned());
    fixed.extend(metric_names.iter().map(|m| exports::hourly_csv(m)));
    if let (Some(s), Some(methods)) = (newest.as_ref(), ctx.profile.methods) {
        fixed.extend(
            s.metrics
                .iter()
                .filter_map(|m| methods.name_of(&m.name))
                .map(heatmap::method_page),
        );
    }
    if let Some(s) = newest.as_ref() {
        fixed.extend(heatmap::reported_pages(s));
    }
    let part_targets = newest.as_ref().map(parts::targets).unwrap_or_default();
    fixed.extend(part_targets.iter().flat_map(|t| [t.path(), t.json_path()]));
    fixed.extend(badge_paths.iter().map(|(p, _, _)| p.clone()));
    let known = if full {
        store.file_hashes(&out_key, None)?
    } else {
        fixed.extend(
            snapshots
                .iter()
                .flat_map(|m| [paths::snapshot_page(&m.slug), paths::snapshot_json(&m.slug)]),
        );
        fixed.extend(changed_days.iter().map(|d| paths::day_page(d)));
        fixed.extend(changed_days.iter().map(|d| paths::day_json(d)));
        fixed.extend(pages.iter().map(|n| paths::history_page(*n)));
        store.file_hashes(&out_key, Some(&fixed))?
    };
    let writer = Writer::new(out, known);

    lap.mark("prepare");
    writer.put(paths::STYLE, STYLE_CSS.as_bytes())?;
    writer.put(paths::FAVICON, FAVICON.as_bytes())?;
    writer.put(&ctx.bundle.js, widgets::JS.as_bytes())?;
    writer.put(&ctx.bundle.wasm, widgets::WASM)?;
    writer.put(&ctx.operator.js, widgets::OPERATOR_JS.as_bytes())?;
    writer.put(&ctx.operator.wasm, widgets::OPERATOR_WASM)?;
    let nf = views::NotFoundPage {
        c: Common {
            root: "/".to_owned(),
            ..ctx.common(paths::NOT_FOUND, "Not found".into(), false)
        },
    };
    writer.put(paths::NOT_FOUND, render(paths::NOT_FOUND, &nf)?.as_bytes())?;

    let snapshot_pages = if full {
        let all = store.all_metas()?;
        render_all_snapshots(store.path(), &ctx, &writer, &all, opts.progress)?;
        all.len()
    } else {
        for m in &snapshots {
            let (p, n) = store.neighbours(m)?;
            let doc = store.doc(m.id)?;
            render_snapshot(store, &ctx, &writer, m, &doc, p.as_ref(), n.as_ref())?;
        }
        snapshots.len()
    };

    lap.mark("snapshot pages");
    for (i, d) in days.iter().enumerate() {
        if changed_days.contains(&d.day) {
            let prev = i.checked_sub(1).and_then(|j| days.get(j));
            render_day(store, &ctx, &writer, d, prev, days.get(i + 1))?;
        }
    }
    let total = store.count()?;
    for n in &pages {
        render_history(&ctx, &writer, &days, *n, page_count, per_page, total)?;
    }
    lap.mark("history pages");
    let section_views = newest
        .as_ref()
        .map(|s| sections::views(site, s))
        .unwrap_or_default();
    index::render_index(
        store,
        &ctx,
        &writer,
        (latest.as_ref(), newest.as_ref()),
        total,
        analysis,
        &section_views,
    )?;
    sections::render_pages(&ctx, &writer, &section_views)?;
    lap.mark("index and sections");
    alerts::render_alerts(store, &ctx, &writer, analysis)?;
    lap.mark("alerts");
    incidents::render_incidents(&ctx, &writer, ctx.now_ms)?;
    reports::render_reports(&ctx, &writer)?;
    lap.mark("incidents and reports");
    let today = model::time::day_of(ctx.now_ms);
    if let Some(now) = latest.as_ref().map(|m| m.taken_at_ms) {
        let keep_from = now - i64::from(site.retention_days) * 86_400_000;
        for m in &metric_names {
            // Each metric's file at its own phase of the hour, and at once for a metric new
            // since the last one (the metrics page links it from its first snapshot on).
            if due_every(3_600_000, Some(m), previous_ms, now)
                || !out.join(exports::hourly_csv(m)).exists()
            {
                exports::write_hourly(store, &writer, m, keep_from, now)?;
            }
        }
        // Day files are immutable: looked for only when a day has just completed (or on a full
        // build), not on every build, which would stat every file of every day.
        if due_every(86_400_000, None, previous_ms, now) {
            exports::write_days(store, &writer, out, &days, &metric_names, &today)?;
        }
    }
    let last_complete = days
        .iter()
        .rev()
        .find(|d| d.day < today)
        .map(|d| d.day.as_str());
    lap.mark("csv");
    exports::render_page(&ctx, &writer, newest.as_ref(), &metric_names, last_complete)?;
    lap.mark("metrics page");
    if let (Some(meta), Some(now_s)) = (latest.as_ref(), newest.as_ref()) {
        let prev_s = match store.neighbours(meta)?.0 {
            Some(p) => Some(store.load(p)?.snapshot),
            None => None,
        };
        let all: Vec<&model::PartHealth> = now_s.components.iter().chain(&now_s.modules).collect();
        let rows = views::part_rows(&all, &site.depends_on);
        let prev_all: Vec<&model::PartHealth> = prev_s
            .iter()
            .flat_map(|p| p.components.iter().chain(&p.modules))
            .collect();
        let prev_rows = views::part_rows(&prev_all, &site.depends_on);
        graph::render_graph(&ctx, &writer, &rows)?;
        lap.mark("graph");
        for t in &part_targets {
            let states = (
                parts::state_of(t, now_s, &rows),
                prev_s.as_ref().map(|p| parts::state_of(t, p, &prev_rows)),
            );
            if removed > 0 || parts::due(t, states, previous_ms, now_s.taken_at_ms) {
                let row = match t.kind {
                    "component" => rows[..now_s.components.len()]
                        .iter()
                        .find(|r| r.name == t.name),
                    "module" => rows[now_s.components.len()..]
                        .iter()
                        .find(|r| r.name == t.name),
                    _ => None,
                };
                parts::render_part(store, &ctx, &writer, t, row, meta.taken_at_ms)?;
            }
        }
    }
    lap.mark("part pages");
    // The heatmap is an hour's percentiles: redrawn every quarter hour, stating its time.
    if newest
        .as_ref()
        .is_none_or(|s| due_every(heatmap::REFRESH_MS, None, previous_ms, s.taken_at_ms))
    {
        heatmap::render_heatmap(store, &ctx, &writer, newest.as_ref())?;
    }
    lap.mark("heatmap");
    if let Some(now) = latest.as_ref().map(|m| m.taken_at_ms) {
        for w in WINDOWS {
            if ranges::due(w, previous_ms, now) {
                ranges::render_range(store, &ctx, &writer, now, w)?;
            }
        }
    }
    for (path, label, status) in &badge_paths {
        writer.put(path, badges::svg(label, *status).as_bytes())?;
    }
    writer.put(
        paths::ANALYSIS_JSON,
        crate::analysis::to_json(analysis).as_bytes(),
    )?;
    // Every metric's trends move hourly: rewritten when a snapshot starts a new hour.
    if let Some(now) = latest.as_ref().map(|m| m.taken_at_ms)
        && due_every(3_600_000, None, previous_ms, now)
    {
        writer.put(
            paths::TRENDS_JSON,
            crate::analysis::all_trends_json(store, now)?.as_bytes(),
        )?;
    }

    lap.mark("ranges and trends");
    let token = if full || marker.trim().is_empty() {
        format!(
            "{:016x}",
            write::hash(
                format!("{}:{}:{}", opts.clock.now_ms(), std::process::id(), out_key).as_bytes()
            )
        )
    } else {
        marker.trim().to_owned()
    };
    let new_state = BuildState {
        fingerprint: fp,
        token: token.clone(),
        last_snapshot_id: store
            .conn()
            .query_row("SELECT coalesce(max(id), 0) FROM snapshots", [], |r| {
                r.get(0)
            })
            .map_err(|source| StoreError::Sqlite {
                path: store.path().to_owned(),
                source,
            })?,
    };
    let written = writer.written.load(Ordering::Relaxed);
    let unchanged = writer.unchanged.load(Ordering::Relaxed);
    let files = writer.into_files();
    if token != marker.trim() {
        let w = Writer::new(out, HashMap::new());
        w.put(MARKER, token.as_bytes())?;
    }
    store.record_build(&out_key, &new_state, &files, full)?;
    write::end(out);
    Ok(BuildReport {
        full,
        snapshot_pages,
        day_pages: changed_days.len(),
        written,
        unchanged,
        elapsed: started.elapsed(),
    })
}

/// Whether work repeating every `period_ms` is due now that the newest snapshot moved from
/// `prev_ms` (the previous build's; `None` on a full build) to `now_ms`. A `key` gives the work a
/// phase of its own, so many such pieces spread over builds instead of bunching up.
pub(crate) fn due_every(
    period_ms: i64,
    key: Option<&str>,
    prev_ms: Option<i64>,
    now_ms: i64,
) -> bool {
    let Some(p) = prev_ms else { return true };
    let phase = key.map_or(0, |k| (write::hash(k.as_bytes()) % period_ms as u64) as i64);
    (p + phase).div_euclid(period_ms) != (now_ms + phase).div_euclid(period_ms)
}

/// A link from the page at `from` to the page at `to`, both relative to the site root.
pub(crate) fn rel(from: &str, to: &str) -> String {
    format!("{}{to}", paths::root_of(from))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_exports;
