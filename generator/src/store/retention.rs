//! Retention: raw snapshots older than the kept period are deleted; hourly and daily rollups stay.

use rusqlite::{TransactionBehavior, params};

use super::{Store, StoreError};

impl Store {
    /// Deletes snapshots taken before `cutoff_ms` with their outcomes, bodies and samples, and
    /// the day summaries left empty. Rollups, uptime and alert history are kept, so charts and
    /// uptime bars still reach back. Returns how many snapshots went.
    pub fn prune_before(&mut self, cutoff_ms: i64) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        // Children are deleted by index below; with the foreign-key check on, SQLite would look
        // for children of every deleted snapshot by scanning samples, which has no index by snapshot.
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF;")
            .map_err(e)?;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e)?;
            let ids: Vec<i64> = {
                let mut st = tx
                    .prepare("SELECT id FROM snapshots WHERE taken_at_ms < ?1")
                    .map_err(e)?;
                let rows = st.query_map([cutoff_ms], |r| r.get(0)).map_err(e)?;
                rows.collect::<Result<_, _>>().map_err(e)?
            };
            if ids.is_empty() {
                return Ok(0);
            }
            tx.execute(
                "DELETE FROM samples WHERE metric_id IN (SELECT id FROM metrics) AND taken_at_ms < ?1",
                [cutoff_ms],
            )
            .map_err(e)?;
            {
                let mut del = tx
                    .prepare("DELETE FROM outcomes WHERE snapshot_id = ?1")
                    .map_err(e)?;
                for id in &ids {
                    del.execute([id]).map_err(e)?;
                }
            }
            tx.execute("DELETE FROM snapshots WHERE taken_at_ms < ?1", [cutoff_ms])
                .map_err(e)?;
            tx.execute(
                "DELETE FROM days WHERE day NOT IN (SELECT DISTINCT day FROM snapshots)",
                params![],
            )
            .map_err(e)?;
            tx.commit().map_err(e)?;
            Ok(ids.len())
        })();
        let restore = self
            .conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(e);
        let n = result?;
        restore?;
        Ok(n)
    }
}
