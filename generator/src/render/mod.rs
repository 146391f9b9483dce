//! Render stage: stored snapshots -> static site, incrementally, each file written atomically.

mod alerts;
mod assets;
mod badges;
mod calendar;
pub mod charts;
mod dashboard;
mod data;
mod exports;
mod feed;
mod graph;
mod heatmap;
mod incidents;
mod index;
mod kinds;
mod links;
mod pages;
mod parts;
mod paths;
mod plan;
mod profiles;
mod prune;
mod ranges;
mod redirects;
mod reports;
mod rows;
mod sections;
mod uptime;
mod views;
mod widgets;
mod write;

pub use incidents::page as incident_page;
pub use links::{broken_links, files_under};
pub use paths::{day_page, history_page, slug, snapshot_json, snapshot_page};
pub use write::{TMP_SUFFIX, write_atomic};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use askama::Template;

use crate::analysis::Analysis;
use crate::config::Site;
use crate::content::Content;
use crate::store::{BuildState, Store, StoreError};
use pages::snapshot_json_text;
use plan::Plan;
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
    /// Re-render every page even if nothing seems to have changed, except the snapshot pages
    /// the folder has from a build with the same binary and config (`Plan::keep_built`).
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
    /// Files written that no page kind declared (each would be rewritten on every build).
    pub undeclared: Vec<String>,
    /// The site after the build: its files and their bytes (as the manifest counts them).
    pub site_files: u64,
    pub site_bytes: u64,
}

impl std::fmt::Display for BuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} build: {} snapshot pages, {} day pages rendered; {} files written, {} unchanged, in {:.1} ms; site: {} files, {:.1} MB",
            if self.full { "full" } else { "incremental" },
            self.snapshot_pages,
            self.day_pages,
            self.written,
            self.unchanged,
            self.elapsed.as_secs_f64() * 1000.0,
            self.site_files,
            self.site_bytes as f64 / 1e6
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
    /// The first day whose snapshots have pages of their own (`None`: every day's).
    paged_from: Option<String>,
}

impl Ctx<'_> {
    /// Where the snapshot `slug` is read: its page, or its row on its day's page.
    fn snapshot_link(&self, slug: &str) -> String {
        paths::snapshot_link(slug, self.paged_from.as_deref())
    }

    /// Whether the snapshot `slug` has a page of its own.
    fn paged(&self, slug: &str) -> bool {
        self.paged_from
            .as_deref()
            .is_none_or(|from| slug.get(..10).is_some_and(|day| day >= from))
    }

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
    // Every site setting (title, zone, sections, dependencies...) shapes pages.
    let text = format!("{}|{exe}|{css_version}|{site:?}", env!("CARGO_PKG_VERSION"));
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
        paged_from: paths::paged_from(site.snapshot_pages, latest.as_ref().map(|m| m.taken_at_ms)),
    };
    let days = store.days()?;
    // A full build asked for with the same binary and config into the same folder keeps the
    // snapshot pages that folder has (each is rendered from immutable inputs).
    let keep_built = state
        .as_ref()
        .is_some_and(|s| s.fingerprint == fp && s.token == marker.trim());
    let plan = plan_of(
        store,
        &days,
        site,
        state.as_ref(),
        (full, keep_built),
        out,
        &out_key,
    )?;
    let metric_names = store.metric_names()?;
    let total = store.count()?;
    let previous = match &latest {
        Some(m) => match store.neighbours(m)?.0 {
            Some(p) => Some(store.load(p)?.snapshot),
            None => None,
        },
        None => None,
    };
    let sections = newest
        .as_ref()
        .map(|s| sections::views(site, s))
        .unwrap_or_default();
    let part_targets = newest.as_ref().map(parts::targets).unwrap_or_default();
    let badges = index::badge_list(newest.as_ref());
    let shared = kinds::Shared {
        ctx: &ctx,
        plan: &plan,
        analysis,
        latest: latest.as_ref(),
        newest: newest.as_ref(),
        previous: previous.as_ref(),
        days: &days,
        total,
        metric_names: &metric_names,
        sections: &sections,
        part_targets: &part_targets,
        badges: &badges,
        progress: opts.progress,
    };
    let writer = if full {
        Writer::new(out, store.file_hashes(&out_key, None)?)
    } else {
        let declared = kinds::declared(&shared.with(store));
        Writer::new(out, store.file_hashes(&out_key, Some(&declared))?)
            .declared(declared.into_iter().collect())
    };
    lap.mark("prepare");
    kinds::run(shared, store, store.path(), &writer)?;
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
        // Counted by `record_build` from what changed.
        files: 0,
        bytes: 0,
    };
    let written = writer.written.load(Ordering::Relaxed);
    let unchanged = writer.unchanged.load(Ordering::Relaxed);
    let snapshot_pages = writer.snapshots.load(Ordering::Relaxed);
    let (changed, removed, undeclared) = writer.changes(full);
    if !undeclared.is_empty() {
        tracing::warn!(
            "{} files written by no registered page kind (rewritten on every build): {}",
            undeclared.len(),
            undeclared.join(", ")
        );
    }
    if token != marker.trim() {
        let w = Writer::new(out, HashMap::new());
        w.put(MARKER, token.as_bytes())?;
    }
    let (site_files, site_bytes) = store.record_build(&out_key, &new_state, &changed, &removed)?;
    write::end(out);
    Ok(BuildReport {
        full,
        snapshot_pages,
        day_pages: plan.days.len(),
        undeclared,
        written,
        unchanged,
        elapsed: started.elapsed(),
        site_files,
        site_bytes,
    })
}

/// The build's plan from what the store says changed since `state` (the last build into `out`);
/// the pages of days pruned since are removed here, before anything links to them anew.
fn plan_of(
    store: &mut Store,
    days: &[crate::store::DaySummary],
    site: &Site,
    state: Option<&BuildState>,
    (full, keep_built): (bool, bool),
    out: &Path,
    out_key: &str,
) -> Result<Plan, BuildError> {
    let per_page = site.days_per_page.max(1);
    let mut plan = match state {
        Some(s) if !full || keep_built => {
            let previous_ms = store.meta(s.last_snapshot_id)?.map(|m| m.taken_at_ms);
            let fresh = store.inserted_after(s.last_snapshot_id)?;
            let mut touched = Vec::new();
            for m in &fresh {
                let (p, n) = store.neighbours(m)?;
                touched.extend([Some(m.clone()), p, n].into_iter().flatten());
            }
            if full {
                Plan::full_keeping(days, per_page, touched)
            } else {
                Plan::incremental(days, &fresh, touched, per_page, previous_ms)
            }
        }
        _ => Plan::full(days, per_page),
    };
    let Some(first) = days.first() else {
        return Ok(plan);
    };
    let removed = prune::remove_pruned(store, out, out_key, &first.day, plan.page_count)?;
    if removed > 0 && !full {
        let oldest = store.day_metas(&first.day)?.into_iter().next();
        plan.pruned(removed, days, oldest);
    }
    // Days whose snapshots just lost their own pages: their day pages list them instead, and
    // the first snapshot with a page links to the last of them.
    let newest = days.last().map(|d| d.last_ms);
    if let Some(from) = paths::paged_from(site.snapshot_pages, newest) {
        let unpaged = prune::remove_unpaged(store, out, out_key, &from)?;
        if !unpaged.is_empty() && !plan.full {
            plan.days.extend(unpaged);
            if let Some(m) = store.day_metas(&from)?.into_iter().next()
                && !plan.snapshots.iter().any(|s| s.id == m.id)
            {
                plan.snapshots.insert(0, m);
            }
        }
    }
    Ok(plan)
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
mod tests_budget;
#[cfg(test)]
mod tests_exports;
#[cfg(test)]
mod tests_kinds;
