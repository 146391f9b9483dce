//! What each output folder was last built from, and the hash of every file written there.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct BuildState {
    /// Changes when the binary or the site config changes: then every page is re-rendered.
    pub fingerprint: String,
    /// Also written into the output folder; a mismatch means the folder was replaced or emptied.
    pub token: String,
    pub last_snapshot_id: i64,
}

impl Store {
    pub fn build_state(&self, out_key: &str) -> Result<Option<BuildState>, StoreError> {
        self.conn()
            .query_row(
                "SELECT fingerprint, token, last_snapshot_id FROM builds WHERE out_dir = ?1",
                [out_key],
                |r| {
                    Ok(BuildState {
                        fingerprint: r.get(0)?,
                        token: r.get(1)?,
                        last_snapshot_id: r.get(2)?,
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
    ) -> Result<HashMap<String, u64>, StoreError> {
        let mut map = HashMap::new();
        match paths {
            None => {
                let mut st = self
                    .conn()
                    .prepare("SELECT path, hash FROM build_files WHERE out_dir = ?1")
                    .map_err(|e| self.err(e))?;
                let rows = st
                    .query_map([out_key], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                    })
                    .map_err(|e| self.err(e))?;
                for row in rows {
                    let (p, h) = row.map_err(|e| self.err(e))?;
                    map.insert(p, h as u64);
                }
            }
            Some(list) => {
                let mut st = self
                    .conn()
                    .prepare_cached("SELECT hash FROM build_files WHERE out_dir = ?1 AND path = ?2")
                    .map_err(|e| self.err(e))?;
                for p in list {
                    let h: Option<i64> = st
                        .query_row(params![out_key, p], |r| r.get(0))
                        .optional()
                        .map_err(|e| self.err(e))?;
                    if let Some(h) = h {
                        map.insert(p.clone(), h as u64);
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

    /// Drops files from `out_key`'s manifest (they were deleted from the folder).
    pub fn forget_files(&mut self, out_key: &str, paths: &[String]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx
                .prepare_cached("DELETE FROM build_files WHERE out_dir = ?1 AND path = ?2")
                .map_err(e)?;
            for p in paths {
                st.execute(params![out_key, p]).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Records a finished build in one transaction: its state, the files whose hash changed
    /// (or that are new) and the files no longer in the folder's site.
    pub fn record_build(
        &mut self,
        out_key: &str,
        state: &BuildState,
        changed: &[(String, u64)],
        removed: &[String],
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        {
            let mut st = tx
                .prepare_cached("DELETE FROM build_files WHERE out_dir = ?1 AND path = ?2")
                .map_err(e)?;
            for p in removed {
                st.execute(params![out_key, p]).map_err(e)?;
            }
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO build_files (out_dir, path, hash) VALUES (?1, ?2, ?3)",
                )
                .map_err(e)?;
            for (p, h) in changed {
                st.execute(params![out_key, p, *h as i64]).map_err(e)?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO builds (out_dir, fingerprint, token, last_snapshot_id) VALUES (?1, ?2, ?3, ?4)",
            params![out_key, state.fingerprint, state.token, state.last_snapshot_id],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }
}
