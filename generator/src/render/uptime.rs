//! Uptime on the pages: the backend's own word first, then each endpoint's share of successful readings, and one bar per day.

use crate::analysis::Analysis;

pub struct UptimeRow {
    pub name: String,
    pub href: String,
    pub cells: Vec<String>,
}

pub struct DayBar {
    pub title: String,
    /// ok (>= 99.9 %), fair (>= 99 %), poor: colour and a text label in the title.
    pub class: &'static str,
    /// Bar height in percent of the row (a floor keeps a bad day visible).
    pub height: u32,
}

pub(super) fn pct(p: Option<f64>) -> String {
    p.map_or_else(
        || "—".to_owned(),
        |p| {
            if p >= 99.995 {
                "100%".to_owned()
            } else {
                format!("{p:.2}%")
            }
        },
    )
}

/// The backend's uptime (its own word) first, then each endpoint's share of successful readings.
pub fn uptime_rows(analysis: &Analysis, source: &str) -> (Vec<UptimeRow>, Vec<DayBar>) {
    let mut rows = vec![UptimeRow {
        name: format!("{source}, by its own health word"),
        href: String::new(),
        cells: analysis
            .uptime_overall
            .percent
            .iter()
            .map(|p| pct(*p))
            .collect(),
    }];
    rows.extend(analysis.uptime.iter().map(|u| UptimeRow {
        name: u.endpoint.clone(),
        href: super::paths::part_page("endpoint", &u.endpoint),
        cells: u.percent.iter().map(|p| pct(*p)).collect(),
    }));
    let bars = analysis
        .uptime_days
        .iter()
        .map(|(day, p)| {
            let class = match p {
                p if *p >= 99.9 => "ok",
                p if *p >= 99.0 => "fair",
                _ => "poor",
            };
            DayBar {
                title: format!(
                    "{}: up {} of the time by its own word ({class})",
                    model::time::day_of(*day),
                    pct(Some(*p))
                ),
                class,
                height: (p.clamp(0.0, 100.0) as u32).max(8),
            }
        })
        .collect();
    (rows, bars)
}
