//! Each source kind's own sections of the index, one module per kind; `sections` is the registry.

mod pharos;

use model::Snapshot;

use super::dashboard::Dashboard;
use crate::collect::lists::{EventItem, JobItem};
use crate::store::{Store, StoreError};

/// Fills `d` with the sections of the kind named `kind` (none for a kind without its own).
pub fn sections(
    kind: &str,
    store: &Store,
    now: &Snapshot,
    lists: (Option<Vec<EventItem>>, Option<Vec<JobItem>>),
    d: &mut Dashboard<'_>,
) -> Result<(), StoreError> {
    match kind {
        "pharos" => pharos::sections(store, now, lists.0, lists.1, d),
        _ => Ok(()),
    }
}
