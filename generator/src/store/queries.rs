//! Read queries over stored snapshots: latest, by id, by time range, by day, one metric's series.

use model::Status;
use rusqlite::{OptionalExtension, params};

use super::{DaySummary, SnapshotMeta, Store, StoreError, Stored};

const META_COLS: &str = "id, slug, taken_at_ms, overall, failed";

fn meta_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SnapshotMeta> {
    let overall: String = r.get(3)?;
    Ok(SnapshotMeta {
        id: r.get(0)?,
        slug: r.get(1)?,
        taken_at_ms: r.get(2)?,
        overall: Status::parse(&overall).unwrap_or(Status::Unknown),
        failed: r.get(4)?,
    })
}

/// Values of some metrics by snapshot (see `Store::key_values`).
#[derive(Debug, Clone, Default)]
pub struct KeyValues {
    pub units: Vec<Option<model::Unit>>,
    pub by_snapshot: std::collections::HashMap<i64, Vec<f64>>,
}

impl KeyValues {
    /// The `k`-th metric's value and unit in snapshot `id`.
    pub fn get(&self, id: i64, k: usize) -> Option<(f64, model::Unit)> {
        let v = *self.by_snapshot.get(&id)?.get(k)?;
        Some((v, (*self.units.get(k)?)?)).filter(|_| !v.is_nan())
    }
}

impl Store {
    /// How many snapshots are stored, from the per-day summary (a table scan would grow with history).
    pub fn count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(sum(count), 0) FROM days", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    fn metas_where(
        &self,
        clause: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<SnapshotMeta>, StoreError> {
        let sql = format!("SELECT {META_COLS} FROM snapshots {clause}");
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st.query_map(args, meta_from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Every snapshot, oldest first.
    pub fn all_metas(&self) -> Result<Vec<SnapshotMeta>, StoreError> {
        self.metas_where("ORDER BY taken_at_ms, id", [])
    }

    /// Snapshots taken in `[from_ms, to_ms)`, oldest first.
    pub fn range(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SnapshotMeta>, StoreError> {
        self.metas_where(
            "WHERE taken_at_ms >= ?1 AND taken_at_ms < ?2 ORDER BY taken_at_ms, id",
            params![from_ms, to_ms],
        )
    }

    /// Snapshots stored after `id` (by insertion), oldest first.
    pub fn inserted_after(&self, id: i64) -> Result<Vec<SnapshotMeta>, StoreError> {
        // A rowid range (cheap however long the history), then time order for the few found.
        let mut metas = self.metas_where("WHERE id > ?1", [id])?;
        metas.sort_by_key(|m| (m.taken_at_ms, m.id));
        Ok(metas)
    }

    pub fn day_metas(&self, day: &str) -> Result<Vec<SnapshotMeta>, StoreError> {
        self.metas_where("WHERE day = ?1 ORDER BY taken_at_ms, id", [day])
    }

    pub fn meta(&self, id: i64) -> Result<Option<SnapshotMeta>, StoreError> {
        Ok(self.metas_where("WHERE id = ?1", [id])?.pop())
    }

    /// The snapshots just before and just after one, in time order.
    pub fn neighbours(
        &self,
        m: &SnapshotMeta,
    ) -> Result<(Option<SnapshotMeta>, Option<SnapshotMeta>), StoreError> {
        let prev = self
            .metas_where(
                "WHERE (taken_at_ms, id) < (?1, ?2) ORDER BY taken_at_ms DESC, id DESC LIMIT 1",
                params![m.taken_at_ms, m.id],
            )?
            .pop();
        let next = self
            .metas_where(
                "WHERE (taken_at_ms, id) > (?1, ?2) ORDER BY taken_at_ms, id LIMIT 1",
                params![m.taken_at_ms, m.id],
            )?
            .pop();
        Ok((prev, next))
    }

    /// The newest snapshot taken in `[from_ms, to_ms]`, if any: "the one a day before".
    pub fn newest_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Option<SnapshotMeta>, StoreError> {
        Ok(self
            .metas_where(
                "WHERE taken_at_ms >= ?1 AND taken_at_ms <= ?2 ORDER BY taken_at_ms DESC, id DESC LIMIT 1",
                params![from_ms, to_ms],
            )?
            .pop())
    }

    /// The newest snapshot's metadata.
    pub fn latest_meta(&self) -> Result<Option<SnapshotMeta>, StoreError> {
        Ok(self
            .metas_where("ORDER BY taken_at_ms DESC, id DESC LIMIT 1", [])?
            .pop())
    }

    /// The newest `n` snapshots, newest first.
    pub fn recent(&self, n: u32) -> Result<Vec<SnapshotMeta>, StoreError> {
        self.metas_where("ORDER BY taken_at_ms DESC, id DESC LIMIT ?1", [n])
    }

    pub fn latest(&self) -> Result<Option<Stored>, StoreError> {
        match self.latest_meta()? {
            Some(m) => self.load(m).map(Some),
            None => Ok(None),
        }
    }

    pub fn get(&self, id: i64) -> Result<Option<Stored>, StoreError> {
        match self.meta(id)? {
            Some(m) => self.load(m).map(Some),
            None => Ok(None),
        }
    }

    /// The stored JSON document of a snapshot, as written.
    pub fn doc(&self, id: i64) -> Result<String, StoreError> {
        self.conn
            .prepare_cached("SELECT doc FROM snapshots WHERE id = ?1")
            .and_then(|mut st| st.query_row([id], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    pub fn load(&self, meta: SnapshotMeta) -> Result<Stored, StoreError> {
        let doc = self.doc(meta.id)?;
        let snapshot = serde_json::from_str(&doc).map_err(|source| StoreError::Doc {
            path: self.path.clone(),
            id: meta.id,
            source,
        })?;
        Ok(Stored { meta, snapshot })
    }

    /// Every stored value of each of `names` by snapshot id (NaN where a snapshot lacks one),
    /// with their units: one scan per metric, for the comparison columns of a full build.
    pub fn key_values(&self, names: &[&str]) -> Result<KeyValues, StoreError> {
        let mut out = KeyValues {
            units: Vec::with_capacity(names.len()),
            by_snapshot: std::collections::HashMap::new(),
        };
        let mut find = self
            .conn
            .prepare_cached("SELECT id, unit FROM metrics WHERE name = ?1")
            .map_err(|e| self.err(e))?;
        let mut scan = self
            .conn
            .prepare_cached("SELECT snapshot_id, value FROM samples WHERE metric_id = ?1")
            .map_err(|e| self.err(e))?;
        for (k, name) in names.iter().enumerate() {
            let found: Option<(i64, String)> = find
                .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(|e| self.err(e))?;
            out.units
                .push(found.as_ref().and_then(|f| model::Unit::parse(&f.1)));
            let Some((id, _)) = found else { continue };
            let rows = scan
                .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)))
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (snapshot, value) = row.map_err(|e| self.err(e))?;
                out.by_snapshot
                    .entry(snapshot)
                    .or_insert_with(|| vec![f64::NAN; names.len()])[k] = value;
            }
        }
        Ok(out)
    }

    /// One metric's `(taken_at_ms, value)` points in `[from_ms, to_ms)`, oldest first.
    pub fn series(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT s.taken_at_ms, s.value FROM samples s JOIN metrics m ON m.id = s.metric_id
                 WHERE m.name = ?1 AND s.taken_at_ms >= ?2 AND s.taken_at_ms < ?3
                 ORDER BY s.taken_at_ms, s.snapshot_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![metric, from_ms, to_ms], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Every day with snapshots, oldest first.
    pub fn days(&self) -> Result<Vec<DaySummary>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT day, count, worst, first_ms, last_ms, degraded, down FROM days ORDER BY day")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                let worst: String = r.get(2)?;
                Ok(DaySummary {
                    day: r.get(0)?,
                    count: r.get(1)?,
                    worst: Status::parse(&worst).unwrap_or(Status::Unknown),
                    first_ms: r.get(3)?,
                    last_ms: r.get(4)?,
                    degraded: r.get(5)?,
                    down: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The raw body an endpoint answered in a snapshot.
    pub fn raw_body(
        &self,
        snapshot_id: i64,
        endpoint: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT body FROM outcomes WHERE snapshot_id = ?1 AND endpoint = ?2",
                params![snapshot_id, endpoint],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Runs SQLite's own consistency check and the store's: every snapshot holds all it says it holds.
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let ok: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if ok != "ok" {
            problems.push(format!("integrity_check: {ok}"));
        }
        let mut st = self
            .conn
            .prepare(
                // One pass over each table, counted by snapshot: samples have no index by
                // snapshot, so a count per snapshot scanned them all once per snapshot.
                "SELECT s.id, s.outcome_count, s.sample_count,
                    coalesce(o.n, 0), coalesce(x.n, 0)
                 FROM snapshots s
                 LEFT JOIN (SELECT snapshot_id, count(*) AS n FROM outcomes
                            GROUP BY snapshot_id) o ON o.snapshot_id = s.id
                 LEFT JOIN (SELECT snapshot_id, count(*) AS n FROM samples
                            GROUP BY snapshot_id) x ON x.snapshot_id = s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (id, oc, sc, o, s) = row.map_err(|e| self.err(e))?;
            if oc != o || sc != s {
                problems.push(format!(
                    "snapshot {id}: {o}/{oc} outcomes, {s}/{sc} samples"
                ));
            }
        }
        let day_total: i64 = self
            .conn
            .query_row("SELECT coalesce(sum(count), 0) FROM days", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if day_total != count {
            problems.push(format!(
                "days count {day_total} snapshots, store holds {count}"
            ));
        }
        Ok(problems)
    }
}
