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

/// What every page kind reads: the settings, the plan and what the store said, read once.
pub(super) struct Inputs<'a> {
    pub store: &'a Store,
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

/// Every page kind, in the order a build renders them: snapshot and day pages before the lists
/// and the index that link them, so a reader of a half-done build meets no link to a new page
/// that is not there yet.
pub(super) const KINDS: [&dyn PageKind; 19] = [
    &assets::Assets,
    &pages::Snapshots,
    &pages::Days,
    &pages::History,
    &index::Index,
    &sections::Sections,
    &alerts::Alerts,
    &incidents::Incidents,
    &reports::Reports,
    &exports::Csv,
    &exports::Metrics,
    &graph::Graph,
    &parts::Parts,
    &heatmap::Heatmap,
    &ranges::Ranges,
    &index::Badges,
    &data::AnalysisJson,
    &data::TrendsJson,
    &redirects::Redirects,
];

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
    }
}
