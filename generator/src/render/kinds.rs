//! The site's page kinds as data: each knows the files it may write on an incremental build (so
//! the build looks up their last hashes without listing the folder) and renders what is due.
//! `build` plans, then runs `KINDS` in order; a page kind is one module and one line here.

use crate::analysis::Analysis;
use crate::store::{DaySummary, SnapshotMeta, Store};

use super::plan::Plan;
use super::sections::SectionView;
use super::write::Writer;
use super::{BuildError, Ctx, alerts, assets, data, exports, graph, heatmap, incidents, index};
use super::{pages, parts, ranges, redirects, reports, sections};

/// What every page kind reads: the store it reads through, and the settings, the plan and what
/// the store said, read once (`Shared`, reached through `Deref`: `i.ctx`, `i.plan`...).
pub(super) struct Inputs<'a> {
    pub store: &'a Store,
    shared: Shared<'a>,
}

impl<'a> std::ops::Deref for Inputs<'a> {
    type Target = Shared<'a>;
    fn deref(&self) -> &Shared<'a> {
        &self.shared
    }
}

/// `Inputs` without the store: what the build's threads share (each reads through a connection
/// of its own, since a SQLite connection serves one thread at a time).
#[derive(Clone, Copy)]
pub(super) struct Shared<'a> {
    pub ctx: &'a Ctx<'a>,
    pub plan: &'a Plan,
    pub analysis: &'a Analysis,
    pub latest: Option<&'a SnapshotMeta>,
    pub newest: Option<&'a model::Snapshot>,
    /// The snapshot before the newest, for what changed between them.
    pub previous: Option<&'a model::Snapshot>,
    pub days: &'a [DaySummary],
    pub total: u64,
    pub metric_names: &'a [String],
    pub sections: &'a [SectionView],
    pub part_targets: &'a [parts::Target],
    pub badges: &'a [(String, String, model::Status)],
    pub progress: bool,
}

impl<'a> Shared<'a> {
    /// The inputs of a thread reading through `store`.
    pub fn with<'b>(&self, store: &'b Store) -> Inputs<'b>
    where
        'a: 'b,
    {
        Inputs {
            store,
            shared: *self,
        }
    }
}

impl Inputs<'_> {
    /// When the newest snapshot was taken (`None` for an empty store).
    pub fn now_ms(&self) -> Option<i64> {
        self.latest.map(|m| m.taken_at_ms)
    }
}

pub(super) trait PageKind: Sync {
    /// A short name, for logs and tests.
    fn name(&self) -> &'static str;
    /// Every file this kind may write on this (incremental) build, due or not; a file it writes
    /// and does not list here would be rewritten on every build.
    fn paths(&self, i: &Inputs<'_>) -> Vec<String>;
    /// Writes the kind's files that are due.
    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError>;
}

/// Every page kind, in the order a build renders them, in three phases (`PHASES`): the assets
/// and the snapshot and day pages; then the other leaves (part, range and drill-down pages,
/// exports, data files); then the lists and the index that link them. So a reader of a half-done
/// build meets no link to a new page that is not there yet. Within a phase the kinds are shared
/// out between two threads, the costliest first.
pub(super) const KINDS: [&dyn PageKind; 20] = [
    &assets::Assets,
    &pages::Snapshots,
    &pages::Days,
    // Leaves.
    &parts::Parts(0),
    &parts::Parts(1),
    &data::TrendsJson,
    &exports::Csv,
    &alerts::Alerts,
    &ranges::Ranges,
    &heatmap::Heatmap,
    &graph::Graph,
    &incidents::Incidents,
    &reports::Reports,
    &data::AnalysisJson,
    &redirects::Redirects,
    // Lists and the index.
    &index::Index,
    &exports::Metrics,
    &pages::History,
    &sections::Sections,
    &index::Badges,
];

/// The phases of `KINDS`, run one after another; the first on one thread (the snapshot pages
/// of a full build have threads of their own).
pub(super) const PHASES: [std::ops::Range<usize>; 3] = [0..3, 3..15, 15..20];

/// Renders every kind, phase by phase; `db` is the store's file, which a second thread opens
/// read-only to render its share of a phase.
pub(super) fn run(
    shared: Shared<'_>,
    store: &Store,
    db: &std::path::Path,
    w: &Writer,
) -> Result<(), BuildError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut helper: Option<Store> = None;
    for (p, range) in PHASES.into_iter().enumerate() {
        let kinds = &KINDS[range];
        if p == 0 || threads < 2 {
            let i = shared.with(store);
            for k in kinds {
                timed(*k, &i, w)?;
            }
            continue;
        }
        let ro = match helper.take() {
            Some(s) => s,
            None => Store::open_read_only(db)?,
        };
        let next = std::sync::atomic::AtomicUsize::new(0);
        let take = |i: &Inputs<'_>| -> Result<(), BuildError> {
            while let Some(k) = kinds.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                timed(*k, i, w)?;
            }
            Ok(())
        };
        let (back, theirs, mine) = std::thread::scope(|s| {
            let h = s.spawn(|| {
                let r = take(&shared.with(&ro));
                (ro, r)
            });
            let mine = take(&shared.with(store));
            match h.join() {
                Ok((ro, theirs)) => (Some(ro), theirs, mine),
                Err(_) => (None, Err(BuildError::Worker), mine),
            }
        });
        mine?;
        theirs?;
        helper = back;
    }
    Ok(())
}

/// Renders one kind, logging (at debug level) how long it took.
fn timed(k: &dyn PageKind, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
    let t = std::time::Instant::now();
    k.render(i, w)?;
    tracing::debug!(
        "build stage {}: {:.1} ms",
        k.name(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

/// Every file the kinds may write on this build.
pub(super) fn declared(i: &Inputs<'_>) -> Vec<String> {
    KINDS.iter().flat_map(|k| k.paths(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_is_registered_once() {
        let names: HashSet<&str> = KINDS.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), KINDS.len());
        let halves = KINDS
            .iter()
            .filter(|k| k.name().starts_with("parts"))
            .count();
        assert_eq!(
            halves,
            super::parts::PART_SHARDS,
            "every half of the part pages"
        );
    }

    #[test]
    fn the_phases_cover_every_kind_once_in_order() {
        let mut at = 0;
        for r in PHASES {
            assert_eq!(r.start, at, "phases follow each other");
            assert!(r.end > r.start);
            at = r.end;
        }
        assert_eq!(at, KINDS.len(), "the last phase ends with the last kind");
        let first: Vec<&str> = KINDS[PHASES[0].clone()].iter().map(|k| k.name()).collect();
        assert_eq!(
            first,
            ["assets", "snapshots", "days"],
            "leaf pages the lists link come first"
        );
        let last: Vec<&str> = KINDS[PHASES[2].clone()].iter().map(|k| k.name()).collect();
        assert!(last.contains(&"index") && last.contains(&"history"));
    }
}
