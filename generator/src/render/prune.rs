//! Removing the pages of pruned snapshots and days, so that no page or link outlives its data.

use std::path::Path;

use super::BuildError;
use crate::store::Store;

/// Deletes every recorded file of days before `oldest_day` (snapshot pages and JSON, day pages
/// and JSON, day CSVs) and history pages past `page_count`. Returns how many files went.
pub fn remove_pruned(
    store: &mut Store,
    out: &Path,
    out_key: &str,
    oldest_day: &str,
    page_count: usize,
) -> Result<usize, BuildError> {
    let mut gone = Vec::new();
    for (from, prefix) in [
        ("snapshots/", "snapshots/"),
        ("data/snapshots/", "data/snapshots/"),
        ("history/0", "history/"),
        ("data/days/", "data/days/"),
        ("data/csv/0", "data/csv/"),
    ] {
        gone.extend(store.manifest_range(out_key, from, &format!("{prefix}{oldest_day}"))?);
    }
    gone.extend(
        store
            .manifest_range(out_key, "history/page-", "history/page.")?
            .into_iter()
            .filter(|p| {
                p.trim_start_matches("history/page-")
                    .trim_end_matches(".html")
                    .parse::<usize>()
                    .is_ok_and(|n| n > page_count)
            }),
    );
    if gone.is_empty() {
        return Ok(0);
    }
    for rel in &gone {
        let path = out.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(BuildError::Write { path, source }),
        }
        // A day's folder goes with its last file; a folder still in use refuses, which is fine.
        if let Some(parent) = path.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
    store.forget_files(out_key, &gone)?;
    Ok(gone.len())
}
