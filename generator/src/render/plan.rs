//! What a build renders, as a value: which snapshot pages, days and history pages changed since
//! the last build, worked out from what the store says changed (no I/O here, so it has tests).

use std::collections::{BTreeSet, HashMap};

use crate::store::{DaySummary, SnapshotMeta};

/// How often the history list's newest page is redrawn when no day was added.
pub const LISTS_REFRESH_MS: i64 = 3_600_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub full: bool,
    /// Snapshot pages to render on an incremental build, oldest first (a full build renders all).
    pub snapshots: Vec<SnapshotMeta>,
    /// Days whose page and data file change.
    pub days: BTreeSet<String>,
    /// History list pages (1-based) that change.
    pub history_pages: BTreeSet<usize>,
    pub page_count: usize,
    pub per_page: usize,
    /// When the previous build's newest snapshot was taken (`None` on a full build): decides
    /// which periodic pages are due.
    pub previous_ms: Option<i64>,
    /// Pages of pruned days removed before this build.
    pub removed: usize,
    /// A full build that keeps the snapshot pages the last build wrote with the same binary and
    /// config (still on disk) and renders only the others; `snapshots` then holds the ones
    /// new snapshots touched, which are rendered whatever the last build wrote.
    pub keep_built: bool,
}

impl Plan {
    /// Every page of the site.
    pub fn full(days: &[DaySummary], per_page: usize) -> Plan {
        let per_page = per_page.max(1);
        let page_count = pages_of(days.len(), per_page);
        Plan {
            full: true,
            snapshots: Vec::new(),
            days: days.iter().map(|d| d.day.clone()).collect(),
            history_pages: (1..=page_count).collect(),
            page_count,
            per_page,
            previous_ms: None,
            removed: 0,
            keep_built: false,
        }
    }

    /// `full`, keeping the snapshot pages already built except those in `touched` (the
    /// snapshots stored since the last build with their neighbours).
    pub fn full_keeping(days: &[DaySummary], per_page: usize, touched: Vec<SnapshotMeta>) -> Plan {
        Plan {
            keep_built: true,
            snapshots: touched,
            ..Plan::full(days, per_page)
        }
    }

    /// The pages that `fresh` (the snapshots stored since the last build) change: their own pages,
    /// their neighbours' (`touched`: each fresh one with its neighbours), their days, the days
    /// next to a day that did not exist before, and the history pages holding those days plus
    /// the last one (its counts move).
    pub fn incremental(
        days: &[DaySummary],
        fresh: &[SnapshotMeta],
        touched: Vec<SnapshotMeta>,
        per_page: usize,
        previous_ms: Option<i64>,
    ) -> Plan {
        let per_page = per_page.max(1);
        let page_count = pages_of(days.len(), per_page);
        let mut by_id: HashMap<i64, SnapshotMeta> = HashMap::new();
        for m in touched {
            by_id.insert(m.id, m);
        }
        let mut snapshots: Vec<SnapshotMeta> = by_id.into_values().collect();
        snapshots.sort_by_key(|m| (m.taken_at_ms, m.id));
        let mut changed: BTreeSet<String> = snapshots
            .iter()
            .map(|m| model::time::day_of(m.taken_at_ms))
            .collect();
        let mut fresh_per_day: HashMap<String, u32> = HashMap::new();
        for m in fresh {
            *fresh_per_day
                .entry(model::time::day_of(m.taken_at_ms))
                .or_default() += 1;
        }
        // A day that did not exist before changes its neighbours' "earlier/later day" links.
        for (i, d) in days.iter().enumerate() {
            if fresh_per_day.get(&d.day) == Some(&d.count) {
                if let Some(p) = i.checked_sub(1).and_then(|j| days.get(j)) {
                    changed.insert(p.day.clone());
                }
                if let Some(n) = days.get(i + 1) {
                    changed.insert(n.day.clone());
                }
            }
        }
        let new_day = days
            .iter()
            .any(|d| fresh_per_day.get(&d.day) == Some(&d.count));
        if fresh.is_empty() {
            changed.clear();
        }
        // The list's newest page counts the newest day's snapshots: redrawn hourly (it says
        // when), or when a day is added, not on every snapshot.
        let now_ms = fresh.iter().map(|m| m.taken_at_ms).max();
        let lists_due = new_day
            || now_ms.is_some_and(|now| super::due_every(LISTS_REFRESH_MS, None, previous_ms, now));
        let mut plan = Plan {
            full: false,
            snapshots,
            days: changed,
            history_pages: BTreeSet::new(),
            page_count,
            per_page,
            previous_ms,
            removed: 0,
            keep_built: false,
        };
        plan.history_pages = plan.pages_of_changed_days(days, lists_due);
        plan
    }

    /// After `removed` pages of pruned days went: the oldest kept day and its first snapshot
    /// (`oldest`) lose their "earlier" links and every history page shifts.
    pub fn pruned(&mut self, removed: usize, days: &[DaySummary], oldest: Option<SnapshotMeta>) {
        self.removed = removed;
        if removed == 0 || self.full {
            return;
        }
        if let Some(first) = days.first() {
            self.days.insert(first.day.clone());
        }
        if let Some(m) = oldest
            && !self.snapshots.iter().any(|s| s.id == m.id)
        {
            self.snapshots.insert(0, m);
        }
        self.history_pages = (1..=self.page_count).collect();
    }

    /// The list pages holding a changed day other than the newest, and the newest page when
    /// `newest` says it is due.
    fn pages_of_changed_days(&self, days: &[DaySummary], newest: bool) -> BTreeSet<usize> {
        let mut pages: BTreeSet<usize> = BTreeSet::new();
        if newest {
            pages.insert(self.page_count);
        }
        let last = days.len().saturating_sub(1);
        for (i, d) in days.iter().enumerate() {
            if i < last && self.days.contains(&d.day) {
                pages.insert(i / self.per_page + 1);
            }
        }
        pages
    }
}

fn pages_of(days: usize, per_page: usize) -> usize {
    days.div_ceil(per_page).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Status;

    const DAY: i64 = 86_400_000;
    /// 2026-01-01.
    const T0: i64 = 1_767_225_600_000;

    fn meta(id: i64, at: i64) -> SnapshotMeta {
        SnapshotMeta {
            id,
            slug: format!("s{id}"),
            taken_at_ms: at,
            overall: Status::Healthy,
            failed: 0,
        }
    }

    fn day(n: i64, count: u32) -> DaySummary {
        DaySummary {
            day: model::time::day_of(T0 + n * DAY),
            count,
            worst: Status::Healthy,
            first_ms: T0 + n * DAY,
            last_ms: T0 + n * DAY + 1,
            degraded: 0,
            down: 0,
        }
    }

    #[test]
    fn a_new_snapshot_changes_itself_its_neighbour_its_day_and_the_last_history_page() {
        let days: Vec<DaySummary> = (0..10).map(|n| day(n, 5)).collect();
        let (older, new) = (meta(49, T0 + 9 * DAY + 10), meta(50, T0 + 9 * DAY + 20));
        let fresh = vec![new.clone()];
        let p = Plan::incremental(&days, &fresh, vec![new, older], 3, Some(1));
        assert!(!p.full);
        assert_eq!(
            p.snapshots.iter().map(|m| m.id).collect::<Vec<_>>(),
            [49, 50]
        );
        assert_eq!(p.days, BTreeSet::from([days[9].day.clone()]));
        assert_eq!(p.page_count, 4);
        assert_eq!(p.history_pages, BTreeSet::from([4]));
    }

    #[test]
    fn the_newest_list_page_waits_for_the_hour_unless_a_day_was_added() {
        let days: Vec<DaySummary> = (0..10).map(|n| day(n, 5)).collect();
        let at = T0 + 9 * DAY + 20 * 60_000;
        let (older, new) = (meta(49, at - 300_000), meta(50, at));
        let fresh = vec![new.clone()];
        let p = Plan::incremental(&days, &fresh, vec![new, older], 3, Some(at - 300_000));
        assert_eq!(p.days, BTreeSet::from([days[9].day.clone()]));
        assert!(p.history_pages.is_empty(), "{:?}", p.history_pages);
    }

    #[test]
    fn the_first_snapshot_of_a_day_changes_the_day_before_too() {
        let mut days: Vec<DaySummary> = (0..4).map(|n| day(n, 5)).collect();
        days.push(day(4, 1));
        let (older, new) = (meta(20, T0 + 3 * DAY + 10), meta(21, T0 + 4 * DAY));
        let fresh = vec![new.clone()];
        let p = Plan::incremental(&days, &fresh, vec![new, older], 2, Some(1));
        assert_eq!(
            p.days,
            BTreeSet::from([days[3].day.clone(), days[4].day.clone()])
        );
        // Days 3 and 4 are on pages 2 and 3 (two a page).
        assert_eq!(p.history_pages, BTreeSet::from([2, 3]));
    }

    #[test]
    fn nothing_new_changes_no_day_and_pruning_redraws_the_oldest_and_every_list_page() {
        let days: Vec<DaySummary> = (0..6).map(|n| day(n, 5)).collect();
        let mut p = Plan::incremental(&days, &[], Vec::new(), 2, Some(1));
        assert!(p.days.is_empty() && p.snapshots.is_empty());
        assert!(p.history_pages.is_empty());
        p.pruned(4, &days, Some(meta(7, T0)));
        assert_eq!(p.days, BTreeSet::from([days[0].day.clone()]));
        assert_eq!(p.snapshots[0].id, 7);
        assert_eq!(p.history_pages, BTreeSet::from([1, 2, 3]));
    }

    #[test]
    fn a_full_plan_holds_every_day_and_page() {
        let days: Vec<DaySummary> = (0..5).map(|n| day(n, 5)).collect();
        let p = Plan::full(&days, 2);
        assert!(p.full && p.previous_ms.is_none());
        assert_eq!(p.days.len(), 5);
        assert_eq!(p.history_pages, BTreeSet::from([1, 2, 3]));
        assert_eq!(Plan::full(&[], 2).page_count, 1);
    }
}
