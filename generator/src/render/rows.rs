//! Rows of the snapshot and day lists (the index, day pages, history pages).

use super::views::Badge;
use crate::store::{DaySummary, SnapshotMeta};

pub struct SnapRow {
    /// `s-000655`: its anchor on its day's page.
    pub id: String,
    pub href: String,
    pub time: String,
    pub status: Badge,
    pub failed: u32,
}

impl SnapRow {
    pub fn new(
        m: &SnapshotMeta,
        href: String,
        with_day: bool,
        zone: &crate::zone::Zone,
    ) -> SnapRow {
        SnapRow {
            id: format!("s-{}", m.slug.rsplit('/').next().unwrap_or_default()),
            href,
            time: if with_day {
                zone.human(m.taken_at_ms)
            } else {
                zone.clock(m.taken_at_ms)
            },
            status: m.overall.into(),
            failed: m.failed,
        }
    }
}

pub struct DayRow {
    pub href: String,
    pub day: String,
    pub worst: Badge,
    pub count: u32,
    pub span: String,
}

impl DayRow {
    pub fn new(d: &DaySummary, href: String, zone: &crate::zone::Zone) -> DayRow {
        DayRow {
            href,
            day: d.day.clone(),
            worst: d.worst.into(),
            count: d.count,
            span: format!("{} – {}", zone.clock(d.first_ms), zone.clock(d.last_ms)),
        }
    }
}
