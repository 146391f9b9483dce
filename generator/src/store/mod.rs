//! SQLite store (WAL): snapshots with their outcomes, raw bodies and samples; history queries.

mod analysis;
mod builds;
mod notices;
mod parts;
mod queries;
pub use queries::KeyValues;
mod retention;
mod schema;

pub use analysis::{AlertRecord, AnalysisWrite, Uptime};
pub use builds::{BuildState, FileEntry};
pub use parts::{DayStatus, OutcomeAt};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use model::{Snapshot, Status};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::collect::Assembled;

pub const DB_FILE: &str = "lookout.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} is a file, not a folder: --data-dir (or paths.data_dir) names the folder of the store"
    )]
    NotAFolder { path: PathBuf },
    #[error("cannot create data folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "database {path} is busy: another Lookout process is writing to it; try again when it is done"
    )]
    Busy { path: PathBuf },
    #[error(
        "database {path} has schema version {found}, newer than this Lookout understands ({supported}); upgrade Lookout"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: usize,
    },
    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("snapshot {id} in {path} cannot be read: {source}")]
    Doc {
        path: PathBuf,
        id: i64,
        source: serde_json::Error,
    },
}

/// Where a stored snapshot lives and what it says, without the full document.
/// The uptime table's row for the backend's own availability word (no endpoint has this name:
/// endpoint ids never start with `@`). Every other row counts readings, not uptime.
pub const AVAILABLE: &str = "@available";

#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotMeta {
    pub id: i64,
    pub slug: String,
    pub taken_at_ms: i64,
    pub overall: Status,
    pub failed: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub meta: SnapshotMeta,
    pub snapshot: Snapshot,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DaySummary {
    pub day: String,
    pub count: u32,
    pub worst: Status,
    pub first_ms: i64,
    pub last_ms: i64,
    /// Snapshots whose overall status was degraded, and down.
    pub degraded: u32,
    pub down: u32,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    metric_ids: HashMap<String, i64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Settings of every connection, for reading speed.
fn tune(conn: &Connection) -> rusqlite::Result<()> {
    // Without this, SQLite peeks at bound values while planning and re-prepares a cached
    // statement whenever they change: every `series` call of a build was parsed again (a
    // seventh of an incremental build's time). Our plans never depend on the values.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // A build uses a few dozen distinct statements; the default cache of 16 would evict.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/lookout.db` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        if data_dir.exists() && !data_dir.is_dir() {
            return Err(StoreError::NotAFolder {
                path: data_dir.to_owned(),
            });
        }
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.to_owned(),
            source,
        })?;
        Store::open_file(&data_dir.join(DB_FILE))
    }

    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            metric_ids: HashMap::new(),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// A second connection for reading only (build workers); the schema must already exist.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        conn.busy_timeout(Duration::from_secs(10))
            .and_then(|()| tune(&conn))
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        Ok(Store {
            conn,
            path: path.to_owned(),
            metric_ids: HashMap::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a writer waits for another before giving up with `Busy`.
    pub fn set_busy_timeout(&self, d: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(d).map_err(|e| self.err(e))
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        Store::busy_or(&self.path, source)
    }

    fn configure(&self) -> Result<(), StoreError> {
        // A writer waits this long for another; past it the caller gets `Busy`, never corruption.
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| self.err(e))?;
        tune(&self.conn).map_err(|e| self.err(e))?;
        // NORMAL in WAL mode keeps every committed transaction across a process kill.
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql_err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version as usize > schema::MIGRATIONS.len() {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                supported: schema::MIGRATIONS.len(),
            });
        }
        if version as usize == schema::MIGRATIONS.len() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Store::busy_or(&path, e))?;
        // Re-read inside the lock: another process may have migrated meanwhile.
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql_err)?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(sql_err)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql_err)?;
        }
        tx.commit().map_err(|e| Store::busy_or(&path, e))
    }

    /// SQLite's busy/locked errors become `Busy`, which says what to do; the rest keep their cause.
    fn busy_or(path: &Path, source: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::SqliteFailure(e, _) = &source
            && matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        {
            return StoreError::Busy {
                path: path.to_owned(),
            };
        }
        StoreError::Sqlite {
            path: path.to_owned(),
            source,
        }
    }

    /// Stores a snapshot with its outcomes, raw bodies and samples in one transaction.
    pub fn insert(&mut self, a: &Assembled) -> Result<SnapshotMeta, StoreError> {
        let mut metas = self.insert_batch(std::slice::from_ref(a))?;
        metas.pop().ok_or_else(|| StoreError::Sqlite {
            path: self.path.clone(),
            source: rusqlite::Error::QueryReturnedNoRows,
        })
    }

    /// Stores several snapshots in one transaction (filling history): each is still all or
    /// nothing, and the samples' pages are written once per batch instead of once per snapshot.
    pub fn insert_batch(&mut self, batch: &[Assembled]) -> Result<Vec<SnapshotMeta>, StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e)?;
            let mut metas = Vec::with_capacity(batch.len());
            for a in batch {
                metas.push(insert_one(&tx, &path, &mut self.metric_ids, a)?);
            }
            tx.commit().map_err(e)?;
            Ok(metas)
        })();
        if result.is_err() {
            // Ids handed out inside a rolled-back transaction are gone.
            self.metric_ids.clear();
        }
        result
    }
}

/// Writes one snapshot inside an open transaction: a time-derived unique slug, outcomes with raw
/// bodies, samples, and its day's summary.
fn insert_one(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    metric_ids: &mut HashMap<String, i64>,
    a: &Assembled,
) -> Result<SnapshotMeta, StoreError> {
    let e = |source| Store::busy_or(path, source);
    let s = &a.snapshot;
    let doc = serde_json::to_string(s).map_err(|source| StoreError::Doc {
        path: path.to_owned(),
        id: 0,
        source,
    })?;
    let base = model::time::snapshot_slug(s.taken_at_ms);
    let mut slug = base.clone();
    let mut n = 1;
    while tx
        .query_row("SELECT 1 FROM snapshots WHERE slug = ?1", [&slug], |_| {
            Ok(())
        })
        .optional()
        .map_err(e)?
        .is_some()
    {
        n += 1;
        slug = format!("{base}-{n}");
    }
    let day = model::time::day_of(s.taken_at_ms);
    let failed = s.failed_outcomes() as u32;
    tx.execute(
            "INSERT INTO snapshots (taken_at_ms, slug, day, overall, failed, outcome_count, sample_count, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
            params![s.taken_at_ms, slug, day, s.overall.as_str(), failed, s.outcomes.len() as i64, doc],
        )
        .map_err(e)?;
    let id = tx.last_insert_rowid();
    {
        let mut ins = tx
                .prepare_cached(
                    "INSERT INTO outcomes (snapshot_id, position, endpoint, kind, http_status, latency_ms, bytes, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(e)?;
        // Hourly successful/total readings per endpoint, kept with the outcomes for uptime.
        let mut up = tx
            .prepare_cached(
                "INSERT INTO uptime (hour, endpoint, ok, total) VALUES (?2, ?1, ?3, 1)
                 ON CONFLICT(hour, endpoint) DO UPDATE SET ok = ok + ?3, total = total + 1",
            )
            .map_err(e)?;
        let mut up_day = tx
            .prepare_cached(
                "INSERT INTO uptime_days (day, endpoint, ok, total) VALUES (?2, ?1, ?3, 1)
                 ON CONFLICT(day, endpoint) DO UPDATE SET ok = ok + ?3, total = total + 1",
            )
            .map_err(e)?;
        for (i, o) in s.outcomes.iter().enumerate() {
            let body = a.bodies.get(i).and_then(|b| b.as_deref());
            ins.execute(params![
                id,
                i as i64,
                o.endpoint,
                o.kind.as_str(),
                o.http_status,
                o.latency_ms,
                o.bytes as i64,
                body
            ])
            .map_err(e)?;
            let ok = i64::from(o.kind.is_ok());
            up.execute(params![o.endpoint, s.taken_at_ms.div_euclid(3_600_000), ok])
                .map_err(e)?;
            up_day
                .execute(params![
                    o.endpoint,
                    s.taken_at_ms.div_euclid(86_400_000),
                    ok
                ])
                .map_err(e)?;
        }
        // The backend's own word on its availability, counted beside the readings: uptime. A
        // further source's goes under its name (`@available:queue`).
        let further = s.sources.iter().skip(1).filter_map(|st| {
            st.availability
                .map(|a| (format!("{AVAILABLE}:{}", st.name), a))
        });
        let words = s
            .availability
            .map(|a| (AVAILABLE.to_owned(), a))
            .into_iter()
            .chain(further);
        // The same two statements as the readings', under the source's own row.
        for (row, a) in words {
            let ok = i64::from(a.is_up());
            up.execute(params![row, s.taken_at_ms.div_euclid(3_600_000), ok])
                .map_err(e)?;
            up_day
                .execute(params![row, s.taken_at_ms.div_euclid(86_400_000), ok])
                .map_err(e)?;
        }
    }
    let mut samples = 0i64;
    {
        let mut find = tx
            .prepare_cached("SELECT id FROM metrics WHERE name = ?1")
            .map_err(e)?;
        let mut add = tx
            .prepare_cached("INSERT INTO metrics (name, unit, better) VALUES (?1, ?2, ?3)")
            .map_err(e)?;
        let mut ins = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO samples (metric_id, taken_at_ms, snapshot_id, value) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(e)?;
        // Hourly rollups, kept with the samples so trends never scan raw history.
        let mut roll = tx
            .prepare_cached(
                "INSERT INTO rollups (metric_id, hour, count, sum, sumsq, min, max) VALUES (?1, ?2, 1, ?3, ?3 * ?3, ?3, ?3)
                 ON CONFLICT(metric_id, hour) DO UPDATE SET count = count + 1, sum = sum + ?3,
                    sumsq = sumsq + ?3 * ?3, min = min(min, ?3), max = max(max, ?3)",
            )
            .map_err(e)?;
        for m in &s.metrics {
            let metric_id = match metric_ids.get(&m.name) {
                Some(id) => *id,
                None => {
                    let found: Option<i64> = find
                        .query_row([&m.name], |r| r.get(0))
                        .optional()
                        .map_err(e)?;
                    let id = match found {
                        Some(id) => id,
                        None => {
                            add.execute(params![m.name, m.unit.as_str(), m.better.as_str()])
                                .map_err(e)?;
                            tx.last_insert_rowid()
                        }
                    };
                    metric_ids.insert(m.name.clone(), id);
                    id
                }
            };
            let added = ins
                .execute(params![metric_id, s.taken_at_ms, id, m.value])
                .map_err(e)? as i64;
            if added > 0 {
                roll.execute(params![
                    metric_id,
                    s.taken_at_ms.div_euclid(3_600_000),
                    m.value
                ])
                .map_err(e)?;
            }
            samples += added;
        }
    }
    tx.execute(
        "UPDATE snapshots SET sample_count = ?1 WHERE id = ?2",
        params![samples, id],
    )
    .map_err(e)?;
    // A late snapshot changes rollups of hours already cached for trends.
    tx.prepare_cached("DELETE FROM hour_means WHERE to_hour > ?1")
        .and_then(|mut st| st.execute([s.taken_at_ms.div_euclid(3_600_000)]))
        .map_err(e)?;
    let prev: Option<String> = tx
        .query_row("SELECT worst FROM days WHERE day = ?1", [&day], |r| {
            r.get(0)
        })
        .optional()
        .map_err(e)?;
    let worst = prev
        .and_then(|w| Status::parse(&w))
        .map_or(s.overall, |w| w.max(s.overall));
    tx.execute(
        "INSERT INTO days (day, count, worst, first_ms, last_ms, degraded, down)
             VALUES (?1, 1, ?2, ?3, ?3, ?4, ?5)
             ON CONFLICT(day) DO UPDATE SET count = count + 1, worst = ?2,
                first_ms = min(first_ms, ?3), last_ms = max(last_ms, ?3),
                degraded = degraded + ?4, down = down + ?5",
        params![
            day,
            worst.as_str(),
            s.taken_at_ms,
            i64::from(s.overall == Status::Degraded),
            i64::from(s.overall == Status::Down)
        ],
    )
    .map_err(e)?;
    Ok(SnapshotMeta {
        id,
        slug,
        taken_at_ms: s.taken_at_ms,
        overall: s.overall,
        failed,
    })
}

impl Store {
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
pub(crate) mod tests;
