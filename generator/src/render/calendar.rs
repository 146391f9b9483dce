//! The history calendar: months of days, each cell the day's worst status, linked to its page.

use crate::store::DaySummary;

/// A month of the history calendar, weeks from Monday; blank cells pad the first and last week.
pub struct Month {
    pub title: String,
    pub weeks: Vec<Vec<CalCell>>,
}

pub struct CalCell {
    /// Day of the month; 0 for a blank.
    pub day: u32,
    pub href: String,
    /// The day's worst status, or `none` when nothing was recorded.
    pub class: &'static str,
    pub label: String,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Every month with recorded days, newest first; `href` maps a day to its page.
pub fn months(days: &[DaySummary], href: impl Fn(&str) -> String) -> Vec<Month> {
    use model::time::{civil_from_days, days_from_civil};
    let by_day: std::collections::HashMap<&str, &DaySummary> =
        days.iter().map(|d| (d.day.as_str(), d)).collect();
    let mut months: Vec<(i32, u32)> = days
        .iter()
        .filter_map(|d| {
            let z = model::time::parse_day(&d.day)?.div_euclid(86_400_000);
            let (y, m, _) = civil_from_days(z);
            Some((y, m))
        })
        .collect();
    months.dedup();
    months.reverse();
    months
        .into_iter()
        .map(|(y, m)| {
            let first = days_from_civil(y, m, 1);
            let next = if m == 12 {
                days_from_civil(y + 1, 1, 1)
            } else {
                days_from_civil(y, m + 1, 1)
            };
            // 1970-01-01 was a Thursday: Monday-first index 3.
            let lead = (first + 3).rem_euclid(7) as usize;
            let mut cells: Vec<CalCell> = (0..lead)
                .map(|_| CalCell {
                    day: 0,
                    href: String::new(),
                    class: "none",
                    label: String::new(),
                })
                .collect();
            for z in first..next {
                let (_, _, d) = civil_from_days(z);
                let key = format!("{y:04}-{m:02}-{d:02}");
                // The accessible name starts with the visible text (the day's number), as
                // WCAG 2.5.3 asks: "1 December 2026", never "2026-12-01" for a cell reading "1".
                let date = format!("{d} {} {y}", MONTHS[(m - 1) as usize]);
                let cell = match by_day.get(key.as_str()) {
                    Some(s) => CalCell {
                        day: d,
                        href: href(&key),
                        class: s.worst.as_str(),
                        label: format!(
                            "{date}: worst status {}, {} snapshot{}",
                            s.worst.label(),
                            s.count,
                            if s.count == 1 { "" } else { "s" }
                        ),
                    },
                    None => CalCell {
                        day: d,
                        href: String::new(),
                        class: "none",
                        label: format!("{date}: no snapshots"),
                    },
                };
                cells.push(cell);
            }
            while !cells.len().is_multiple_of(7) {
                cells.push(CalCell {
                    day: 0,
                    href: String::new(),
                    class: "none",
                    label: String::new(),
                });
            }
            let mut weeks = Vec::new();
            let mut it = cells.into_iter().peekable();
            while it.peek().is_some() {
                weeks.push(it.by_ref().take(7).collect());
            }
            Month {
                title: format!("{} {y}", MONTHS[(m - 1) as usize]),
                weeks,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Status;

    #[test]
    fn months_start_on_monday_and_mark_recorded_days() {
        let days = vec![DaySummary {
            day: "2026-11-03".into(),
            count: 5,
            worst: Status::Down,
            first_ms: 0,
            last_ms: 0,
        }];
        let m = months(&days, |d| format!("{d}.html"));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].title, "November 2026");
        // 1 November 2026 is a Sunday: six blanks lead the first week.
        let first: Vec<u32> = m[0].weeks[0].iter().map(|c| c.day).collect();
        assert_eq!(first, [0, 0, 0, 0, 0, 0, 1]);
        let third = m[0]
            .weeks
            .iter()
            .flatten()
            .find(|c| c.day == 3)
            .map(|c| (c.class, c.href.as_str()));
        assert_eq!(third, Some(("down", "2026-11-03.html")));
        // Every cell's name starts with the number it shows (axe label-content-name-mismatch).
        for c in m[0].weeks.iter().flatten().filter(|c| c.day > 0) {
            assert!(
                c.label.starts_with(&format!("{} November 2026: ", c.day)),
                "{}",
                c.label
            );
        }
        let recorded = m[0].weeks.iter().flatten().find(|c| c.day == 3);
        assert_eq!(
            recorded.map(|c| c.label.as_str()),
            Some("3 November 2026: worst status Down, 5 snapshots")
        );
        assert!(m[0].weeks.iter().all(|w| w.len() == 7));
    }
}
