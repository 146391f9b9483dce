//! Removing the pages of pruned snapshots and days, so that no page or link outlives its data.

use std::path::Path;

use super::BuildError;
use crate::store::Store;

/// Deletes the snapshot pages and data files of days before `paged_from` (they left the days
/// whose snapshots have pages: `site.snapshot_pages`). Returns the days they were of.
pub fn remove_unpaged(
    store: &mut Store,
    out: &Path,
    out_key: &str,
    paged_from: &str,
) -> Result<std::collections::BTreeSet<String>, BuildError> {
    let mut gone =
        store.manifest_range(out_key, "snapshots/", &format!("snapshots/{paged_from}"))?;
    gone.extend(store.manifest_range(
        out_key,
        "data/snapshots/",
        &format!("data/snapshots/{paged_from}"),
    )?);
    let days = gone
        .iter()
        .filter_map(|p| p.strip_prefix("snapshots/"))
        .filter_map(|p| p.split_once('/'))
        .map(|(day, _)| day.to_owned())
        .collect();
    remove(store, out, out_key, &gone)?;
    Ok(days)
}

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
    remove(store, out, out_key, &gone)?;
    Ok(gone.len())
}

/// Deletes `gone` from the folder and the manifest.
fn remove(store: &mut Store, out: &Path, out_key: &str, gone: &[String]) -> Result<(), BuildError> {
    if gone.is_empty() {
        return Ok(());
    }
    for rel in gone {
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
    store.forget_files(out_key, gone)?;
    Ok(())
}
