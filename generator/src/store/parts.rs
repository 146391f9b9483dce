//! Queries behind the per-part pages: daily status shares and hourly worst status from rollups, an endpoint's recent readings.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// How a part fared on one UTC day, from the rollups of its 0/1/2 status metric.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DayStatus {
    pub day_ms: i64,
    pub count: i64,
    pub degraded: i64,
    pub down: i64,
}

impl DayStatus {
    /// Share of readings the part was not down, in percent.
    pub fn available(&self) -> f64 {
        if self.count == 0 {
            return 100.0;
        }
        (self.count - self.down) as f64 / self.count as f64 * 100.0
    }
}

/// `(hour start ms, count, mean, min, max)` of one metric's hour.
pub type HourRow = (i64, i64, f64, f64, f64);

/// One reading of an endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeAt {
    pub taken_at_ms: i64,
    pub slug: String,
    pub kind: String,
    pub http_status: Option<u16>,
    pub latency_ms: f64,
}

impl Store {
    /// When a metric took the value it holds at `at_ms`: its first sample since it last held
    /// another, and whether one was seen (`false`: it held it from its first sample on).
    /// The hourly rollups say which hours held another value (a status usually holds for days:
    /// a walk back over raw samples cost every part page 2 ms); only those hours' samples are read.
    pub fn held_since(&self, metric: &str, at_ms: i64) -> Result<Option<(i64, bool)>, StoreError> {
        let one = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<Option<i64>, StoreError> {
            self.conn()
                .prepare_cached(sql)
                .and_then(|mut st| st.query_row(p, |r| r.get::<_, Option<i64>>(0)).optional())
                .map(Option::flatten)
                .map_err(|e| self.err(e))
        };
        let Some(id) = self.metric_id(metric)? else {
            return Ok(None);
        };
        let cur: Option<f64> = self
            .conn()
            .prepare_cached(
                "SELECT value FROM samples WHERE metric_id = ?1 AND taken_at_ms <= ?2
                 ORDER BY taken_at_ms DESC LIMIT 1",
            )
            .and_then(|mut st| st.query_row(params![id, at_ms], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        let Some(cur) = cur else { return Ok(None) };
        let mut other = None;
        {
            let mut hours = self
                .conn()
                .prepare_cached(
                    "SELECT hour FROM rollups WHERE metric_id = ?1 AND hour <= ?2
                       AND (min != ?3 OR max != ?3) ORDER BY hour DESC",
                )
                .map_err(|e| self.err(e))?;
            let mut rows = hours
                .query(params![id, at_ms.div_euclid(3_600_000), cur])
                .map_err(|e| self.err(e))?;
            // The hour's other value may come after `at_ms` (an hour still running): go on back.
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                let hour: i64 = r.get(0).map_err(|e| self.err(e))?;
                other = one(
                    "SELECT max(taken_at_ms) FROM samples WHERE metric_id = ?1
                     AND taken_at_ms >= ?2 AND taken_at_ms < ?3 AND value != ?4",
                    &[
                        &id,
                        &(hour * 3_600_000),
                        &((hour + 1) * 3_600_000).min(at_ms + 1),
                        &cur,
                    ],
                )?;
                if other.is_some() {
                    break;
                }
            }
        }
        let first = one(
            "SELECT min(taken_at_ms) FROM samples WHERE metric_id = ?1
             AND taken_at_ms > ?2 AND taken_at_ms <= ?3",
            &[&id, &other.unwrap_or(i64::MIN), &at_ms],
        )?;
        Ok(first.map(|t| (t, other.is_some())))
    }

    /// Per UTC day in `[from_ms, to_ms)`: readings, degraded and down counts of a status metric.
    /// Values are 0, 1 or 2, so each hour's sum and sum of squares give both counts exactly.
    pub fn status_by_day(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<DayStatus>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT r.hour / 24, sum(r.count), sum(r.sum), sum(r.sumsq) FROM rollups r
                 JOIN metrics m ON m.id = r.metric_id
                 WHERE m.name = ?1 AND r.hour >= ?2 AND r.hour < ?3
                 GROUP BY r.hour / 24 ORDER BY 1",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(
                params![
                    metric,
                    from_ms.div_euclid(3_600_000),
                    to_ms.div_euclid(3_600_000) + 1
                ],
                |r| {
                    let (sum, sumsq): (f64, f64) = (r.get(2)?, r.get(3)?);
                    // n1 + 2 n2 = sum, n1 + 4 n2 = sumsq
                    let down = ((sumsq - sum) / 2.0).round() as i64;
                    let degraded = (sum - 2.0 * down as f64).round() as i64;
                    Ok(DayStatus {
                        day_ms: r.get::<_, i64>(0)? * 86_400_000,
                        count: r.get(1)?,
                        degraded: degraded.max(0),
                        down: down.max(0),
                    })
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// A metric's hourly rollups in `[from_ms, to_ms)`: `(hour start, count, mean, min, max)`.
    pub fn hourly_rows(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<HourRow>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(
                "SELECT r.hour, r.count, r.sum / r.count, r.min, r.max FROM rollups r
                 JOIN metrics m ON m.id = r.metric_id
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
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? * 3_600_000,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                    ))
                },
            )
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// An endpoint's newest readings; with `failed_only`, only those that did not succeed
    /// (read through a partial index, so the cost does not grow with history).
    pub fn recent_outcomes(
        &self,
        endpoint: &str,
        failed_only: bool,
        limit: u32,
    ) -> Result<Vec<OutcomeAt>, StoreError> {
        let sql = if failed_only {
            "SELECT s.taken_at_ms, s.slug, o.kind, o.http_status, o.latency_ms
             FROM outcomes o INDEXED BY outcomes_failed JOIN snapshots s ON s.id = o.snapshot_id
             WHERE o.endpoint = ?1 AND o.kind != 'ok' ORDER BY o.snapshot_id DESC LIMIT ?2"
        } else {
            // CROSS JOIN keeps snapshots as the outer loop, newest first, so only the last few
            // snapshots are read; a plain join scans every outcome ever stored.
            "SELECT s.taken_at_ms, s.slug, o.kind, o.http_status, o.latency_ms
             FROM snapshots s CROSS JOIN outcomes o ON o.snapshot_id = s.id
             WHERE o.endpoint = ?1 ORDER BY s.id DESC LIMIT ?2"
        };
        let mut st = self.conn().prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![endpoint, limit], |r| {
                Ok(OutcomeAt {
                    taken_at_ms: r.get(0)?,
                    slug: r.get(1)?,
                    kind: r.get(2)?,
                    http_status: r.get(3)?,
                    latency_ms: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The newest of the last `within` snapshots in which every one of `endpoints` was read,
    /// for a section to show its last known figures when its answer failed now. Bounded, so a
    /// reading that never succeeds costs the same on every build however long the history.
    pub fn last_read(&self, endpoints: &[&str], within: u32) -> Result<Option<i64>, StoreError> {
        let marks: Vec<String> = (3..3 + endpoints.len()).map(|i| format!("?{i}")).collect();
        let marks = marks.join(",");
        let sql = format!(
            "SELECT s.id FROM (SELECT id FROM snapshots ORDER BY id DESC LIMIT ?1) s
             CROSS JOIN outcomes o ON o.snapshot_id = s.id
             WHERE o.endpoint IN ({marks}) AND o.kind = 'ok'
             GROUP BY s.id HAVING COUNT(*) = ?2 ORDER BY s.id DESC LIMIT 1"
        );
        let mut st = self.conn().prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(endpoints.len() + 2);
        let n = endpoints.len() as i64;
        args.push(&within);
        args.push(&n);
        for e in endpoints {
            args.push(e);
        }
        st.query_row(args.as_slice(), |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }
}
