//! CSV exports of every metric's history (raw per complete day, which never changes again, and hourly over the retention period) and the metrics page that links them.

use std::collections::HashSet;
use std::path::Path;

use model::Snapshot;

use super::views::Common;
use super::write::Writer;
use super::{BuildError, Ctx, paths, rel, render};
use crate::store::{DaySummary, Store};

pub const PAGE: &str = "metrics.html";
pub const JSON: &str = "data/metrics.json";

/// `data/csv/2026-11-21`: the folder of one complete day's raw CSVs.
fn day_dir(day: &str) -> String {
    format!("data/csv/{day}")
}

/// `data/csv/2026-11-21/cache.hit_rate.csv`: one metric's raw samples of one complete day.
pub fn day_csv(day: &str, metric: &str) -> String {
    format!("{}/{}.csv", day_dir(day), paths::slug(metric))
}

/// The folder of the hourly CSVs.
const HOURLY_DIR: &str = "data/csv/hourly";

/// `data/csv/hourly/cache.hit_rate.csv`: hourly count, mean, min and max.
pub fn hourly_csv(metric: &str) -> String {
    format!("{HOURLY_DIR}/{}.csv", paths::slug(metric))
}

fn csv_row(out: &mut String, t: i64, values: &[String]) {
    out.push_str(&model::time::format_iso(t));
    for v in values {
        out.push(',');
        out.push_str(v);
    }
    out.push('\n');
}

pub fn write_hourly(
    store: &Store,
    writer: &Writer,
    metric: &str,
    from_ms: i64,
    now_ms: i64,
) -> Result<(), BuildError> {
    let mut text = String::from("hour_start,count,mean,min,max\n");
    for (h, n, mean, min, max) in store.hourly_rows(metric, from_ms, now_ms + 1)? {
        csv_row(
            &mut text,
            h,
            &[
                n.to_string(),
                mean.to_string(),
                min.to_string(),
                max.to_string(),
            ],
        );
    }
    writer.put(&hourly_csv(metric), text.as_bytes())
}

/// Raw CSVs of complete days that are not on disk yet; a written day never changes again.
pub fn write_days(
    store: &Store,
    writer: &Writer,
    days: &[DaySummary],
    metrics: &[String],
    today: &str,
    most: usize,
) -> Result<usize, BuildError> {
    let mut written = 0;
    for d in days.iter().filter(|d| d.day.as_str() < today) {
        let Some(start) = model::time::parse_day(&d.day) else {
            continue;
        };
        let present = writer.files_in(&day_dir(&d.day));
        for m in metrics {
            let path = day_csv(&d.day, m);
            // On disk: left as it is, and kept in the manifest by a full build (which knows the
            // whole manifest and drops from it what it did not produce).
            if present.contains(&path) {
                writer.keep(std::slice::from_ref(&path));
                continue;
            }
            let mut text = String::from("timestamp,value\n");
            for (t, v) in store.series(m, start, start + 86_400_000)? {
                csv_row(&mut text, t, &[v.to_string()]);
            }
            writer.put_new(&path, text.as_bytes())?;
            written += 1;
            if written >= most {
                return Ok(written);
            }
        }
    }
    Ok(written)
}

/// `write_days` for every day on a full build, the metrics split over the machine's cores (a
/// day's turn at 170 metrics is 5,000 files a month), each worker with its own connection.
fn write_all_days(
    db: &Path,
    writer: &Writer,
    days: &[DaySummary],
    metrics: &[String],
    today: &str,
) -> Result<(), BuildError> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let chunk = metrics.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = metrics
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<(), BuildError> {
                    let store = Store::open_read_only(db)?;
                    write_days(&store, writer, days, part, today, usize::MAX).map(|_| ())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| BuildError::Worker)??;
        }
        Ok(())
    })
}

pub struct MetricRow {
    pub name: String,
    pub hourly_href: String,
    pub day_href: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "metrics.html")]
struct MetricsPage<'a> {
    c: Common<'a>,
    rows: Vec<MetricRow>,
    last_day: String,
}

/// The metrics page and its data file. A metric's day link is to the newest of `complete` days
/// (oldest first) whose file is written; the newest values are on the index, not here, so the
/// page changes only when the metrics or their files do.
pub fn render_page(
    ctx: &Ctx<'_>,
    writer: &Writer,
    now: Option<&Snapshot>,
    metrics: &[String],
    complete: &[&str],
) -> Result<(), BuildError> {
    let last: Vec<(&str, HashSet<String>)> = complete
        .iter()
        .rev()
        .take(2)
        .map(|d| (*d, writer.files_in(&day_dir(d))))
        .collect();
    let day_of = |m: &str| {
        last.iter()
            .map(|(d, present)| (day_csv(d, m), present))
            .find(|(p, present)| present.contains(p))
            .map(|(p, _)| p)
    };
    let days: Vec<Option<String>> = metrics.iter().map(|m| day_of(m)).collect();
    let rows = metrics
        .iter()
        .zip(&days)
        .map(|(m, d)| MetricRow {
            name: m.clone(),
            hourly_href: rel(PAGE, &hourly_csv(m)),
            day_href: d.as_ref().map(|d| rel(PAGE, d)),
        })
        .collect();
    let json = serde_json::json!({
        "hourly_refresh_s": HOURLY_REFRESH_MS / 1000,
        "metrics": metrics.iter().zip(&days).map(|(m, d)| {
            serde_json::json!({
                "name": m,
                "unit": now.and_then(|s| s.metric(m)).map(|x| x.unit.as_str()),
                "hourly_csv": hourly_csv(m),
                "last_day_csv": d,
            })
        }).collect::<Vec<_>>(),
    });
    writer.put(JSON, super::json_text(&json).as_bytes())?;
    let page = MetricsPage {
        c: ctx.common_json(PAGE, "Metrics".into(), false, JSON),
        rows,
        last_day: complete.last().copied().unwrap_or("").to_owned(),
    };
    writer.put(PAGE, render(PAGE, &page)?.as_bytes())
}

/// How often a metric's hourly CSV is rewritten (each at its own phase): with 170 metrics and a
/// snapshot every 5 minutes, about two a build.
pub const HOURLY_REFRESH_MS: i64 = 6 * 3_600_000;
/// Day files an incremental build writes at most.
const DAY_FILES_PER_BUILD: usize = 8;

/// Each metric's hourly CSV (every six hours, each at its own phase) and the raw CSVs of
/// complete days (written once).
pub(super) struct Csv;

impl super::kinds::PageKind for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn paths(&self, i: &super::kinds::Inputs<'_>) -> Vec<String> {
        i.metric_names.iter().map(|m| hourly_csv(m)).collect()
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let Some(now) = i.now_ms() else {
            return Ok(());
        };
        let previous = i.plan.previous_ms;
        let keep_from = now - i64::from(i.ctx.site.retention_days) * 86_400_000;
        let present = w.files_in(HOURLY_DIR);
        for m in i.metric_names {
            // Each metric's file at its own phase, and at once for a metric new since the last
            // one (the metrics page links it from its first snapshot on).
            let path = hourly_csv(m);
            if super::due_every(HOURLY_REFRESH_MS, Some(m), previous, now)
                || !present.contains(&path)
            {
                write_hourly(i.store, w, m, keep_from, now)?;
            }
        }
        let today = model::time::day_of(i.ctx.now_ms);
        if i.plan.full {
            write_all_days(i.store.path(), w, i.days, i.metric_names, &today)?;
        } else {
            // Day files are immutable: an incremental build looks only at the last two complete
            // days (not every file of every day) and writes a few, so a day's turn spreads its
            // files over the next builds; the metrics page links a day's file once it is there.
            let from = i.days.len().saturating_sub(3);
            let recent = i.days.get(from..).unwrap_or_default();
            write_days(
                i.store,
                w,
                recent,
                i.metric_names,
                &today,
                DAY_FILES_PER_BUILD,
            )?;
        }
        Ok(())
    }
}

/// The metrics page and its data file: every metric's newest value and CSV links.
pub(super) struct Metrics;

impl super::kinds::PageKind for Metrics {
    fn name(&self) -> &'static str {
        "metrics"
    }

    fn paths(&self, _: &super::kinds::Inputs<'_>) -> Vec<String> {
        vec![PAGE.to_owned(), JSON.to_owned()]
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let today = model::time::day_of(i.ctx.now_ms);
        let complete: Vec<&str> = i
            .days
            .iter()
            .map(|d| d.day.as_str())
            .filter(|d| *d < today.as_str())
            .collect();
        render_page(i.ctx, w, i.newest, i.metric_names, &complete)
    }
}
