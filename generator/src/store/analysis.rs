//! What the analysis stage keeps between runs: marks, alert states and history, detector states,
//! and the hourly rollups that trends read.

use std::collections::HashMap;

use model::alert::AlertState;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

/// One alert episode, fired and perhaps resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    pub rule: String,
    pub metric: String,
    pub severity: String,
    pub fired_ms: i64,
    pub resolved_ms: Option<i64>,
    pub peak: Option<f64>,
    pub snapshots: Vec<i64>,
}

/// A detector as saved: the newest point it saw, its state bytes, and its last verdict (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedDetector {
    pub last_ms: i64,
    pub state: Vec<u8>,
    pub last_score: Option<String>,
}

/// Everything one analysis pass changes, written in one transaction.
#[derive(Debug, Default)]
pub struct AnalysisWrite {
    pub marks: Vec<(&'static str, i64)>,
    pub states: Vec<AlertState>,
    /// Episodes to insert or update, keyed by (rule, metric, fired_ms).
    pub history: Vec<AlertRecord>,
    /// `(metric, last point's time, state bytes, last point's score as JSON)`.
    pub detectors: Vec<(String, i64, Vec<u8>, String)>,
}

impl Store {
    /// The last snapshot id a stage has processed (0 when it never ran).
    pub fn mark(&self, stage: &str) -> Result<i64, StoreError> {
        self.conn()
            .query_row(
                "SELECT last_id FROM analysis_marks WHERE stage = ?1",
                [stage],
                |r| r.get(0),
            )
            .optional()
            .map(|v| v.unwrap_or(0))
            .map_err(|e| self.err(e))
    }

    pub fn alert_states(&self) -> Result<Vec<AlertState>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT state FROM alert_states ORDER BY rule, metric")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(|e| self.err(e))?;
            // A state written by another version that no longer reads is started afresh.
            if let Ok(s) = serde_json::from_str(&text) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Every metric name ever stored.
    pub fn metric_names(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT name FROM metrics ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// A metric's values by snapshot id, for snapshots taken in `[from_ms, to_ms]`.
    pub fn values_by_snapshot(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<HashMap<i64, f64>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT s.snapshot_id, s.value FROM samples s JOIN metrics m ON m.id = s.metric_id
                 WHERE m.name = ?1 AND s.taken_at_ms >= ?2 AND s.taken_at_ms <= ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![metric, from_ms, to_ms], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<HashMap<_, _>, _>>()
            .map_err(|e| self.err(e))
    }

    /// Hourly means of a metric for hours in `[from_ms, to_ms)`: `(middle of the hour, mean)`.
    pub fn hourly_means(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT r.hour, r.sum / r.count FROM rollups r JOIN metrics m ON m.id = r.metric_id
                 WHERE m.name = ?1 AND r.hour >= ?2 AND r.hour < ?3 ORDER BY r.hour",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(
                params![
                    metric,
                    from_ms.div_euclid(3_600_000),
                    to_ms.div_euclid(3_600_000) + 1
                ],
                |r| Ok((r.get::<_, i64>(0)? * 3_600_000 + 1_800_000, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// A metric's detector: `(last point's time, state bytes, last score as JSON)`.
    /// Which direction is better for a stored metric.
    /// The unit a metric is stored in (its source's, not a guess from its name).
    pub fn metric_unit(&self, metric: &str) -> Result<Option<model::Unit>, StoreError> {
        self.conn()
            .query_row("SELECT unit FROM metrics WHERE name = ?1", [metric], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .map(|u| u.and_then(|u| model::Unit::parse(&u)))
            .map_err(|e| self.err(e))
    }

    pub fn metric_better(&self, metric: &str) -> Result<Option<model::Better>, StoreError> {
        self.conn()
            .query_row(
                "SELECT better FROM metrics WHERE name = ?1",
                [metric],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map(|b| b.and_then(|b| model::Better::parse(&b)))
            .map_err(|e| self.err(e))
    }

    /// A metric's saved detector.
    pub fn detector(&self, metric: &str) -> Result<Option<SavedDetector>, StoreError> {
        self.conn()
            .query_row(
                "SELECT last_ms, state, last_score FROM detectors WHERE metric = ?1",
                [metric],
                |r| {
                    Ok(SavedDetector {
                        last_ms: r.get(0)?,
                        state: r.get(1)?,
                        last_score: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Alert episodes, newest first.
    pub fn alert_history(&self, limit: u32) -> Result<Vec<AlertRecord>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT rule, metric, severity, fired_ms, resolved_ms, peak, snapshots FROM alert_history
                 ORDER BY fired_ms DESC, id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([limit], |r| {
                let snaps: String = r.get(6)?;
                Ok(AlertRecord {
                    rule: r.get(0)?,
                    metric: r.get(1)?,
                    severity: r.get(2)?,
                    fired_ms: r.get(3)?,
                    resolved_ms: r.get(4)?,
                    peak: r.get(5)?,
                    snapshots: serde_json::from_str(&snaps).unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Writes one analysis pass atomically: a crash before the commit leaves the marks where
    /// they were, so the next run redoes the same work and fires nothing twice.
    pub fn save_analysis(&mut self, w: &AnalysisWrite) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        {
            let mut mark = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO analysis_marks (stage, last_id) VALUES (?1, ?2)",
                )
                .map_err(e)?;
            for (stage, id) in &w.marks {
                mark.execute(params![stage, id]).map_err(e)?;
            }
            let mut state = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO alert_states (rule, metric, state) VALUES (?1, ?2, ?3)",
                )
                .map_err(e)?;
            for s in &w.states {
                let text = serde_json::to_string(s).map_err(|source| StoreError::Doc {
                    path: path.clone(),
                    id: 0,
                    source,
                })?;
                state.execute(params![s.rule, s.metric, text]).map_err(e)?;
            }
            let mut hist = tx
                .prepare_cached(
                    "INSERT INTO alert_history (rule, metric, severity, fired_ms, resolved_ms, peak, snapshots)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(rule, metric, fired_ms) DO UPDATE SET
                        resolved_ms = excluded.resolved_ms, peak = excluded.peak, snapshots = excluded.snapshots",
                )
                .map_err(e)?;
            for h in &w.history {
                let snaps = serde_json::to_string(&h.snapshots).unwrap_or_else(|_| "[]".into());
                hist.execute(params![
                    h.rule,
                    h.metric,
                    h.severity,
                    h.fired_ms,
                    h.resolved_ms,
                    h.peak,
                    snaps
                ])
                .map_err(e)?;
            }
            let mut det = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO detectors (metric, last_ms, state, last_score) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(e)?;
            for (metric, last, blob, score) in &w.detectors {
                det.execute(params![metric, last, blob, score]).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }
}

/// Successful and total readings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uptime {
    pub ok: i64,
    pub total: i64,
}

impl Uptime {
    /// Share of successful readings in percent; `None` without readings.
    pub fn percent(self) -> Option<f64> {
        (self.total > 0).then(|| self.ok as f64 / self.total as f64 * 100.0)
    }
}

impl Store {
    /// Uptime of every endpoint over `[from_ms, to_ms)`, by endpoint name: whole hours from the
    /// hourly table for spans up to a week, whole days from the daily table beyond.
    pub fn uptime_by_endpoint(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, Uptime)>, StoreError> {
        let (sql, unit) = if to_ms - from_ms <= 7 * 86_400_000 + 1 {
            (
                "SELECT endpoint, sum(ok), sum(total) FROM uptime WHERE hour >= ?1 AND hour < ?2
                 GROUP BY endpoint ORDER BY endpoint",
                3_600_000,
            )
        } else {
            (
                "SELECT endpoint, sum(ok), sum(total) FROM uptime_days WHERE day >= ?1 AND day < ?2
                 GROUP BY endpoint ORDER BY endpoint",
                86_400_000,
            )
        };
        let mut st = self.conn().prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(
                params![from_ms.div_euclid(unit), to_ms.div_euclid(unit) + 1],
                |r| {
                    Ok((
                        r.get(0)?,
                        Uptime {
                            ok: r.get(1)?,
                            total: r.get(2)?,
                        },
                    ))
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// One endpoint's (or, with `None`, all endpoints') uptime per UTC day in `[from_ms, to_ms)`.
    pub fn uptime_by_day(
        &self,
        endpoint: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, Uptime)>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT day, sum(ok), sum(total) FROM uptime_days
                 WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR endpoint = ?3)
                 GROUP BY day ORDER BY day",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(
                params![
                    from_ms.div_euclid(86_400_000),
                    to_ms.div_euclid(86_400_000) + 1,
                    endpoint
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? * 86_400_000,
                        Uptime {
                            ok: r.get(1)?,
                            total: r.get(2)?,
                        },
                    ))
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}
