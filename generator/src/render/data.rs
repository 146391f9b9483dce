//! The analysis as data files: the newest analysis, and every metric's trends (hourly).

use super::kinds::{Inputs, PageKind};
use super::write::Writer;
use super::{BuildError, due_every, paths};

pub(super) struct AnalysisJson;

impl PageKind for AnalysisJson {
    fn name(&self) -> &'static str {
        "analysis"
    }

    fn paths(&self, _: &Inputs<'_>) -> Vec<String> {
        vec![paths::ANALYSIS_JSON.to_owned()]
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        w.put(
            paths::ANALYSIS_JSON,
            crate::analysis::to_json(i.analysis).as_bytes(),
        )
    }
}

pub(super) struct TrendsJson;

impl PageKind for TrendsJson {
    fn name(&self) -> &'static str {
        "trends"
    }

    fn paths(&self, _: &Inputs<'_>) -> Vec<String> {
        vec![paths::TRENDS_JSON.to_owned()]
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        // Every metric's trends move hourly: rewritten when a snapshot starts a new hour.
        match i.now_ms() {
            Some(now) if due_every(3_600_000, None, i.plan.previous_ms, now) => w.put(
                paths::TRENDS_JSON,
                crate::analysis::all_trends_json(i.store, now)?.as_bytes(),
            ),
            _ => Ok(()),
        }
    }
}
