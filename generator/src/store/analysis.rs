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

/// `(table: 0 hours, 1 days; window; first unit; end unit)`: what each window of `spans` ending
/// at `now_ms` reads. Windows up to a week count whole hours, longer ones whole days.
fn uptime_segments(now_ms: i64, spans: &[i64]) -> Vec<(usize, usize, i64, i64)> {
    const H: i64 = 3_600_000;
    let mut out = Vec::new();
    for (k, span) in spans.iter().enumerate() {
        if *span > 7 * 86_400_000 {
            let day = |ms: i64| ms.div_euclid(24 * H);
            out.push((1, k, day(now_ms - span), day(now_ms + 1) + 1));
            continue;
        }
        let (lo, hi) = (
            (now_ms - span).div_euclid(H),
            (now_ms + 1).div_euclid(H) + 1,
        );
        // The whole days in [lo, hi): from the first midnight on or after lo.
        let (d0, d1) = (-(-lo).div_euclid(24), hi.div_euclid(24));
        if d1 > d0 {
            out.extend([(0, k, lo, d0 * 24), (1, k, d0, d1), (0, k, d1 * 24, hi)]);
        } else {
            out.push((0, k, lo, hi));
        }
    }
    out.retain(|s| s.3 > s.2);
    out
}

/// Overlapping or touching ranges joined, in order.
fn merged(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The `(hour, mean)` pairs of a `hour_means` blob.
fn decode_means(blob: &[u8]) -> impl Iterator<Item = (i64, f64)> + '_ {
    blob.chunks_exact(16).map(|c| {
        let (h, m) = c.split_at(8);
        (
            i64::from_le_bytes(h.try_into().unwrap_or([0; 8])),
            f64::from_le_bytes(m.try_into().unwrap_or([0; 8])),
        )
    })
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

    /// `hourly_means`, with the completed hours (before `to_ms`'s hour) read from the metric's
    /// cache when it holds them; with `save`, the cache is renewed when an hour has completed
    /// since. Same answers as `hourly_means` (a test holds them to it).
    pub fn hourly_means_cached(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
        save: bool,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        const H: i64 = 3_600_000;
        let Some(id) = self.metric_id(metric)? else {
            return Ok(Vec::new());
        };
        let (from_h, to_h, now_h) = (
            from_ms.div_euclid(H),
            to_ms.div_euclid(H) + 1,
            to_ms.div_euclid(H),
        );
        let cached: Option<(i64, i64, Vec<u8>)> = self
            .conn()
            .prepare_cached("SELECT from_hour, to_hour, means FROM hour_means WHERE metric_id = ?1")
            .and_then(|mut st| {
                st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        let mut out: Vec<(i64, f64)> = Vec::new();
        let mut rest_from = from_h;
        if let Some((_, c_to, blob)) = cached.filter(|c| c.0 <= from_h && c.1 <= to_h) {
            out.extend(decode_means(&blob).filter(|(h, _)| *h >= from_h && *h < c_to));
            rest_from = rest_from.max(c_to);
        }
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT hour, sum / count FROM rollups WHERE metric_id = ?1 AND hour >= ?2 AND hour < ?3
                 ORDER BY hour",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![id, rest_from, to_h], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            out.push(row.map_err(|e| self.err(e))?);
        }
        if save && rest_from < now_h {
            let mut blob = Vec::with_capacity(out.len() * 16);
            for (h, m) in out.iter().filter(|(h, _)| *h < now_h) {
                blob.extend_from_slice(&h.to_le_bytes());
                blob.extend_from_slice(&m.to_le_bytes());
            }
            self.conn()
                .prepare_cached(
                    "INSERT OR REPLACE INTO hour_means (metric_id, from_hour, to_hour, means)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut st| st.execute(params![id, from_h, now_h, blob]))
                .map_err(|e| self.err(e))?;
        }
        Ok(out.into_iter().map(|(h, m)| (h * H + H / 2, m)).collect())
    }

    /// A stored metric's id.
    pub(super) fn metric_id(&self, metric: &str) -> Result<Option<i64>, StoreError> {
        self.conn()
            .prepare_cached("SELECT id FROM metrics WHERE name = ?1")
            .and_then(|mut st| st.query_row([metric], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
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
            .prepare_cached("SELECT better FROM metrics WHERE name = ?1")
            .and_then(|mut st| st.query_row([metric], |r| r.get::<_, String>(0)).optional())
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

    /// Uptime of every endpoint over each window `[now_ms - span, now_ms]` of `spans`, counted
    /// as `uptime_by_endpoint` counts it, by endpoint name. The whole UTC days inside a window of
    /// hours are read as days (a day's row is the sum of its hours'), and one ungrouped read of
    /// each table's ranges serves every window: four grouped queries cost a tenth of an
    /// incremental build, the week's 168 hours of every endpoint most of it.
    pub fn uptime_windows(
        &self,
        now_ms: i64,
        spans: &[i64],
    ) -> Result<Vec<(String, Vec<Uptime>)>, StoreError> {
        const SQL: [&str; 2] = [
            "SELECT hour, endpoint, ok, total FROM uptime WHERE hour >= ?1 AND hour < ?2",
            "SELECT day, endpoint, ok, total FROM uptime_days WHERE day >= ?1 AND day < ?2",
        ];
        let segments = uptime_segments(now_ms, spans);
        let mut out: Vec<(String, Vec<Uptime>)> = Vec::new();
        for (table, sql) in SQL.iter().enumerate() {
            let mine: Vec<&(usize, usize, i64, i64)> =
                segments.iter().filter(|s| s.0 == table).collect();
            let mut st = self.conn().prepare_cached(sql).map_err(|e| self.err(e))?;
            for (from, to) in merged(mine.iter().map(|s| (s.2, s.3)).collect()) {
                let mut rows = st.query(params![from, to]).map_err(|e| self.err(e))?;
                while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                    let at: i64 = r.get(0).map_err(|e| self.err(e))?;
                    let name = r
                        .get_ref(1)
                        .and_then(|v| v.as_str().map_err(rusqlite::Error::from))
                        .map_err(|e| self.err(e))?;
                    let (ok, total): (i64, i64) = (
                        r.get(2).map_err(|e| self.err(e))?,
                        r.get(3).map_err(|e| self.err(e))?,
                    );
                    let pos = match out.iter().position(|(n, _)| n == name) {
                        Some(p) => p,
                        None => {
                            out.push((name.to_owned(), vec![Uptime::default(); spans.len()]));
                            out.len() - 1
                        }
                    };
                    for &&(_, k, lo, hi) in &mine {
                        if (lo..hi).contains(&at) {
                            out[pos].1[k].ok += ok;
                            out[pos].1[k].total += total;
                        }
                    }
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
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
