//! What was already sent: notifications per channel and alert episode, and daily reports per day; what keeps both from repeating across restarts.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::notify::plan::{Item, Kind, Sent};

fn kind_of(s: &str) -> Option<Kind> {
    [Kind::Fired, Kind::Resolved, Kind::Repeat]
        .into_iter()
        .find(|k| k.as_str() == s)
}

impl Store {
    /// What `channel` was told, newest time per episode and kind.
    pub fn notices(&self, channel: &str) -> Result<Sent, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT rule, metric, episode, kind, sent_ms FROM notices WHERE channel = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([channel], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?),
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: Sent = HashMap::new();
        for row in rows {
            let (key, kind, at) = row.map_err(|e| self.err(e))?;
            if let Some(k) = kind_of(&kind) {
                out.entry(key).or_default().insert(k, at);
            }
        }
        Ok(out)
    }

    /// Remembers that `channel` was told `kind` about these episodes at `at_ms`.
    pub fn record_notices(
        &mut self,
        channel: &str,
        kind: Kind,
        items: &[Item],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |source| Store::busy_or(&path, source);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO notices (channel, rule, metric, episode, kind, sent_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for i in items {
                st.execute(params![
                    channel,
                    i.rule,
                    i.metric,
                    i.fired_ms,
                    kind.as_str(),
                    at_ms
                ])
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// When the report of `day` (local, `YYYY-MM-DD`) was made, and whether it was late.
    pub fn report_made(&self, day: &str) -> Result<Option<(i64, bool)>, StoreError> {
        self.conn()
            .query_row(
                "SELECT made_ms, late FROM reports WHERE day = ?1",
                [day],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn record_report(&mut self, day: &str, made_ms: i64, late: bool) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO reports (day, made_ms, late) VALUES (?1, ?2, ?3)",
                params![day, made_ms, late],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}
