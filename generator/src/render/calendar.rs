//! The history calendar: months of days, each cell coloured by how much of the day was degraded or down (its minutes in words), linked to its page.

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
    /// How much of the day went wrong: `down` (2 % of it or more down), `degraded` (5 % or more
    /// degraded or down), `minor` (some, less), `healthy` (none), `none` (nothing recorded).
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
                        class: class_of(s),
                        label: format!("{date}: {}", in_words(s)),
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

/// The share of a day's snapshots that were `(degraded, down)`.
fn shares(s: &DaySummary) -> (f64, f64) {
    let n = f64::from(s.count.max(1));
    (f64::from(s.degraded) / n, f64::from(s.down) / n)
}

fn class_of(s: &DaySummary) -> &'static str {
    let (degraded, down) = shares(s);
    if down >= 0.02 {
        "down"
    } else if degraded + down >= 0.05 {
        "degraded"
    } else if s.degraded + s.down > 0 {
        "minor"
    } else {
        // Neither degraded nor down: healthy, or as unknown as its worst moment.
        s.worst.as_str()
    }
}

/// The minutes the snapshots cover: the span from the first to the last, plus one interval.
fn covered_minutes(s: &DaySummary) -> f64 {
    let span = (s.last_ms - s.first_ms).max(0) as f64 / 60_000.0;
    if s.count > 1 {
        span * f64::from(s.count) / f64::from(s.count - 1)
    } else {
        span
    }
}

/// `about 42 min degraded, 5 min down (288 snapshots)`; `all up (288 snapshots)`.
fn in_words(s: &DaySummary) -> String {
    let snaps = format!(
        "{} snapshot{}",
        s.count,
        if s.count == 1 { "" } else { "s" }
    );
    if s.degraded + s.down == 0 {
        return match s.worst {
            model::Status::Healthy => format!("up all day by the overall status ({snaps})"),
            w => format!(
                "never degraded or down, {} at times ({snaps})",
                w.label().to_lowercase()
            ),
        };
    }
    let (degraded, down) = shares(s);
    let minutes = covered_minutes(s);
    let part = |share: f64, n: u32, what: &str| {
        (n > 0).then(|| format!("about {:.0} min {what}", (share * minutes).max(1.0)))
    };
    let said: Vec<String> = [
        part(degraded, s.degraded, "degraded"),
        part(down, s.down, "down"),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!("{} ({snaps}, worst {})", said.join(", "), s.worst.label())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Status;

    #[test]
    fn months_start_on_monday_and_mark_recorded_days() {
        let day = |day: &str, degraded, down| DaySummary {
            day: day.into(),
            count: 288,
            worst: if down > 0 {
                Status::Down
            } else if degraded > 0 {
                Status::Degraded
            } else {
                Status::Healthy
            },
            first_ms: 0,
            last_ms: 287 * 300_000,
            degraded,
            down,
        };
        let days = vec![
            day("2026-11-03", 0, 12),
            day("2026-11-04", 2, 0),
            day("2026-11-05", 30, 1),
            day("2026-11-06", 0, 0),
        ];
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
        let class = |d: u32| {
            m[0].weeks
                .iter()
                .flatten()
                .find(|c| c.day == d)
                .map(|c| c.class)
        };
        // Ten minutes of a day degraded is not a bad day: it says so, lightly.
        assert_eq!(
            [class(4), class(5), class(6)],
            [Some("minor"), Some("degraded"), Some("healthy")]
        );
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
            Some("3 November 2026: about 60 min down (288 snapshots, worst Down)")
        );
        let minor = m[0].weeks.iter().flatten().find(|c| c.day == 4);
        assert_eq!(
            minor.map(|c| c.label.as_str()),
            Some("4 November 2026: about 10 min degraded (288 snapshots, worst Degraded)")
        );
        assert!(m[0].weeks.iter().all(|w| w.len() == 7));
    }
}
