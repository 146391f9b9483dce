//! What each output folder was last built from, and the hash of every file written there.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

/// A file as the manifest records it: its content hash and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileEntry {
    pub hash: u64,
    pub size: u64,
}

type Entry = FileEntry;

#[derive(Debug, Clone, PartialEq)]
pub struct BuildState {
    /// Changes when the binary or the site config changes: then every page is re-rendered.
    pub fingerprint: String,
    /// Also written into the output folder; a mismatch means the folder was replaced or emptied.
    pub token: String,
    pub last_snapshot_id: i64,
    /// The site's files and their bytes after the build.
    pub files: u64,
    pub bytes: u64,
}

impl Store {
    pub fn build_state(&self, out_key: &str) -> Result<Option<BuildState>, StoreError> {
        self.conn()
            .query_row(
                "SELECT fingerprint, token, last_snapshot_id, files, bytes FROM builds WHERE out_dir = ?1",
                [out_key],
                |r| {
                    Ok(BuildState {
                        fingerprint: r.get(0)?,
                        token: r.get(1)?,
                        last_snapshot_id: r.get(2)?,
                        files: r.get::<_, i64>(3)?.max(0) as u64,
                        bytes: r.get::<_, i64>(4)?.max(0) as u64,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Hashes of files last written to `out_key`: all of them, or only `paths`.
    pub fn file_hashes(
        &self,
        out_key: &str,
        paths: Option<&[String]>,
    ) -> Result<HashMap<String, Entry>, StoreError> {
        let entry = |h: i64, s: i64| Entry {
            hash: h as u64,
            size: s.max(0) as u64,
        };
        let mut map = HashMap::new();
        match paths {
            None => {
                let mut st = self
                    .conn()
                    .prepare("SELECT path, hash, size FROM build_files WHERE out_dir = ?1")
                    .map_err(|e| self.err(e))?;
                let rows = st
                    .query_map([out_key], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
                    })
                    .map_err(|e| self.err(e))?;
                for row in rows {
                    let (p, h, s) = row.map_err(|e| self.err(e))?;
                    map.insert(p, entry(h, s));
                }
            }
            Some(list) => {
                let mut st = self
                    .conn()
                    .prepare_cached(
                        "SELECT hash, size FROM build_files WHERE out_dir = ?1 AND path = ?2",
                    )
                    .map_err(|e| self.err(e))?;
                for p in list {
                    let h: Option<(i64, i64)> = st
                        .query_row(params![out_key, p], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                        .map_err(|e| self.err(e))?;
                    if let Some((h, s)) = h {
                        map.insert(p.clone(), entry(h, s));
                    }
                }
            }
        }
        Ok(map)
    }

    /// Files recorded for `out_key` whose path is in `[from, to)` (paths sort by day, so this
    /// finds every page of days before a given one).
    pub fn manifest_range(
        &self,
        out_key: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT path FROM build_files WHERE out_dir = ?1 AND path >= ?2 AND path < ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![out_key, from, to], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Drops files from `out_key`'s manifest (they were deleted from the folder), and from its
    /// file count and size.
    pub fn forget_files(&mut self, out_key: &str, paths: &[String]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let tx = self.conn.transaction().map_err(e)?;
        let (mut files, mut bytes) = (0i64, 0i64);
        {
            let mut st = tx
                .prepare_cached(
                    "DELETE FROM build_files WHERE out_dir = ?1 AND path = ?2 RETURNING size",
                )
                .map_err(e)?;
            for p in paths {
                if let Some(size) = st
                    .query_row(params![out_key, p], |r| r.get::<_, i64>(0))
                    .optional()
                    .map_err(e)?
                {
                    files += 1;
                    bytes += size;
                }
            }
        }
        tx.execute(
            "UPDATE builds SET files = max(files - ?2, 0), bytes = max(bytes - ?3, 0) WHERE out_dir = ?1",
            params![out_key, files, bytes],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Records a finished build in one transaction: its state, the files whose hash or size
    /// changed (or that are new) and the files no longer in the folder's site; the folder's file
    /// count and size move by what they changed. Returns the count and size.
    pub fn record_build(
        &mut self,
        out_key: &str,
        state: &BuildState,
        changed: &[(String, Entry)],
        removed: &[String],
    ) -> Result<(u64, u64), StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let (mut files, mut bytes): (i64, i64) = tx
            .query_row(
                "SELECT files, bytes FROM builds WHERE out_dir = ?1",
                [out_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(e)?
            .unwrap_or((0, 0));
        {
            let mut size_of = tx
                .prepare_cached("SELECT size FROM build_files WHERE out_dir = ?1 AND path = ?2")
                .map_err(e)?;
            let mut old = |p: &str| -> Result<Option<i64>, StoreError> {
                size_of
                    .query_row(params![out_key, p], |r| r.get(0))
                    .optional()
                    .map_err(e)
            };
            let mut del = tx
                .prepare_cached("DELETE FROM build_files WHERE out_dir = ?1 AND path = ?2")
                .map_err(e)?;
            for p in removed {
                if let Some(size) = old(p)? {
                    files -= 1;
                    bytes -= size;
                }
                del.execute(params![out_key, p]).map_err(e)?;
            }
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO build_files (out_dir, path, hash, size) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(e)?;
            for (p, f) in changed {
                match old(p)? {
                    Some(size) => bytes -= size,
                    None => files += 1,
                }
                bytes += f.size as i64;
                put.execute(params![out_key, p, f.hash as i64, f.size as i64])
                    .map_err(e)?;
            }
        }
        let (files, bytes) = (files.max(0), bytes.max(0));
        tx.execute(
            "INSERT OR REPLACE INTO builds (out_dir, fingerprint, token, last_snapshot_id, files, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![out_key, state.fingerprint, state.token, state.last_snapshot_id, files, bytes],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok((files as u64, bytes as u64))
    }
}
