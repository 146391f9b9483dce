//! The daily health report: one local day's uptime, parts, incidents, alerts, anomalies, biggest changes and latency, gathered from the store.

pub mod episodes;
pub mod mail;
pub mod png;
pub mod view;

pub use episodes::{Episode, episodes};

use std::path::{Path, PathBuf};

use askama::Template;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::Error;
use crate::config::Config;
use crate::content::Content;
use crate::store::{Store, StoreError};

/// `days` local days ending with `day`: `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub day: Date,
    pub days: i32,
    pub from_ms: i64,
    pub to_ms: i64,
    pub zone: String,
}

fn start_of(day: Date, tz: &TimeZone) -> i64 {
    day.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or_default()
}

impl Period {
    pub fn of(day: Date, tz: &TimeZone, zone: &str) -> Period {
        Period::span(day, 1, tz, zone)
    }

    /// The `days` local days that end with `last`.
    pub fn span(last: Date, days: i32, tz: &TimeZone, zone: &str) -> Period {
        let days = days.max(1);
        let first = last
            .checked_sub(jiff::Span::new().days(days - 1))
            .unwrap_or(last);
        Period {
            day: last,
            days,
            from_ms: start_of(first, tz),
            to_ms: start_of(last.tomorrow().unwrap_or(last), tz),
            zone: zone.to_owned(),
        }
    }

    /// The same span `days` earlier.
    pub fn back(&self, days: i32, tz: &TimeZone) -> Period {
        let d = self
            .day
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(self.day);
        Period::span(d, self.days, tz, &self.zone)
    }

    /// The report's name: its day, or `first--last` for a longer span.
    pub fn name(&self) -> String {
        if self.days == 1 {
            return self.day.to_string();
        }
        let first = self
            .day
            .checked_sub(jiff::Span::new().days(self.days - 1))
            .unwrap_or(self.day);
        format!("{first}--{}", self.day)
    }
}

/// The local calendar day of `ms` in `tz`.
pub fn local_day(ms: i64, tz: &TimeZone) -> Date {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
        .date()
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartDay {
    pub kind: &'static str,
    pub name: String,
    pub readings: usize,
    pub degraded: usize,
    pub down: usize,
}

impl PartDay {
    /// Readings not down, in percent.
    pub fn available(&self) -> Option<f64> {
        (self.readings > 0)
            .then(|| 100.0 * (self.readings - self.down) as f64 / self.readings as f64)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertDay {
    pub rule: String,
    pub metric: String,
    pub severity: String,
    pub fired_ms: i64,
    pub resolved_ms: Option<i64>,
}

/// A key metric's day against the day before and the same day a week before.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub metric: String,
    pub unit: model::Unit,
    pub mean: f64,
    pub prev_day: Option<f64>,
    pub prev_week: Option<f64>,
    /// Change against the day before in percent, signed so that positive is worse.
    pub worse_by: f64,
    /// The same change as it went: positive when the value rose.
    pub change: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub metric: String,
    pub mean: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub title: String,
    pub status: String,
    pub href: String,
}

/// Everything the report says; the page, the mail's HTML and its text are views of it.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyReport {
    pub site: String,
    pub period: Period,
    pub snapshots: usize,
    pub uptime: Option<f64>,
    pub uptime_prev_day: Option<f64>,
    pub uptime_prev_week: Option<f64>,
    /// The uptime target (`report.slo`, percent), when one is set.
    pub slo: Option<f64>,
    pub parts: Vec<PartDay>,
    /// What went wrong, when: every part's episodes, in time order.
    pub episodes: Vec<Episode>,
    pub incidents: Vec<Incident>,
    pub alerts: Vec<AlertDay>,
    /// Key metrics with points the detector flagged during the day, and how many.
    pub anomalies: Vec<(String, usize)>,
    pub regressions: Vec<Change>,
    pub improvements: Vec<Change>,
    pub latency: Vec<Latency>,
    /// Hourly p95 latency and hourly uptime, for the charts.
    pub latency_hours: Vec<(i64, f64)>,
    pub uptime_hours: Vec<(i64, f64)>,
    /// The site's day pages (UTC days) this local day touches.
    pub day_pages: Vec<String>,
}

/// The share of snapshots in which the backend said it was up (its own word, never Lookout's
/// failed readings); `None` when it said nothing in the period.
fn uptime(store: &Store, p: &Period) -> Result<Option<f64>, StoreError> {
    let (ok, total) = store
        .uptime_by_endpoint(p.from_ms, p.to_ms - 1)?
        .iter()
        .filter(|(e, _)| e == crate::store::AVAILABLE)
        .fold((0i64, 0i64), |(o, t), (_, u)| (o + u.ok, t + u.total));
    Ok((total > 0).then(|| 100.0 * ok as f64 / total as f64))
}

/// `(mean, max)` of a metric over the period, from its hourly rollups.
fn day_stats(store: &Store, metric: &str, p: &Period) -> Result<Option<(f64, f64)>, StoreError> {
    // `hourly_rows` takes its end as the last millisecond included: the period's end is the
    // next day's first, whose hour is not this day's.
    let rows = store.hourly_rows(metric, p.from_ms, p.to_ms - 1)?;
    let n: i64 = rows.iter().map(|r| r.1).sum();
    if n == 0 {
        return Ok(None);
    }
    let mean = rows.iter().map(|r| r.2 * r.1 as f64).sum::<f64>() / n as f64;
    let max = rows.iter().map(|r| r.4).fold(f64::NEG_INFINITY, f64::max);
    Ok(Some((mean, max)))
}

pub fn gather(
    config: &Config,
    store: &Store,
    content: &Content,
    period: &Period,
) -> Result<DailyReport, StoreError> {
    let tz = config.report.zone();
    let metas = store.range(period.from_ms, period.to_ms)?;
    // Parts as the newest snapshot of the day lists them, with every reading of the day.
    let mut parts = Vec::new();
    let mut all_episodes = Vec::new();
    let page_of = |t: i64| {
        metas
            .iter()
            .find(|m| m.taken_at_ms == t)
            .map(|m| crate::render::snapshot_page(&m.slug))
            .unwrap_or_default()
    };
    if let Some(last) = metas.last() {
        let snap = store.load(last.clone())?.snapshot;
        for (kind, list) in [("component", &snap.components), ("module", &snap.modules)] {
            for p in list {
                let metric = crate::collect::status_metric(kind, &p.name);
                let values = store.series(&metric, period.from_ms, period.to_ms)?;
                all_episodes.extend(episodes(&p.name, &values, &page_of));
                parts.push(PartDay {
                    kind,
                    name: p.name.clone(),
                    readings: values.len(),
                    degraded: values.iter().filter(|v| v.1 == 1.0).count(),
                    down: values.iter().filter(|v| v.1 >= 2.0).count(),
                });
            }
        }
    }
    parts.sort_by(|a, b| {
        (b.down, b.degraded, a.kind, &a.name).cmp(&(a.down, a.degraded, b.kind, &b.name))
    });
    all_episodes.sort_by(|a, b| (a.from_ms, &a.part).cmp(&(b.from_ms, &b.part)));
    let incidents = content
        .entries
        .iter()
        .filter(|e| e.start_ms < period.to_ms && e.end_ms.is_none_or(|end| end >= period.from_ms))
        .map(|e| Incident {
            title: e.title.clone(),
            status: e.status.clone(),
            href: crate::render::incident_page(e),
        })
        .collect();
    let alerts = store
        .alert_history(1000)?
        .into_iter()
        .filter(|h| h.fired_ms < period.to_ms && h.resolved_ms.is_none_or(|r| r >= period.from_ms))
        .map(|h| AlertDay {
            rule: h.rule,
            metric: h.metric,
            severity: h.severity,
            fired_ms: h.fired_ms,
            resolved_ms: h.resolved_ms,
        })
        .collect();
    // The span before (the day before, for a daily report) and the same span a week before.
    let (prev_day, prev_week) = (period.back(period.days, &tz), period.back(7, &tz));
    let mut anomalies = Vec::new();
    let mut changes = Vec::new();
    let profile = crate::collect::sources::profile_of(config.site.source_kind);
    for metric in crate::analysis::key_metrics(&profile) {
        // The detector warms up on the day before, then judges this day's points.
        let points = store.series(metric, prev_day.from_ms, period.to_ms)?;
        let flagged = crate::render::charts::anomalies(&points)
            .iter()
            .filter(|(t, _)| *t >= period.from_ms)
            .count();
        if flagged > 0 {
            anomalies.push((metric.to_owned(), flagged));
        }
        let Some((mean, _)) = day_stats(store, metric, period)? else {
            continue;
        };
        let before = day_stats(store, metric, &prev_day)?.map(|s| s.0);
        let week = day_stats(store, metric, &prev_week)?.map(|s| s.0);
        let better = store
            .metric_better(metric)?
            .unwrap_or(model::Better::Neither);
        let Some(b) = before.filter(|b| b.abs() > 1e-9) else {
            continue;
        };
        let pct = 100.0 * (mean - b) / b.abs();
        let worse_by = match better {
            model::Better::Lower => pct,
            model::Better::Higher => -pct,
            _ => continue,
        };
        changes.push(Change {
            metric: metric.to_owned(),
            // The unit the source gave it: a name like `*_rate` may hold a percent.
            unit: store
                .metric_unit(metric)?
                .unwrap_or_else(|| model::Unit::guess(metric)),
            mean,
            prev_day: before,
            prev_week: week,
            worse_by,
            change: pct,
        });
    }
    changes.sort_by(|a, b| b.worse_by.total_cmp(&a.worse_by));
    let regressions: Vec<Change> = changes
        .iter()
        .filter(|c| c.worse_by > 1.0)
        .take(5)
        .cloned()
        .collect();
    let improvements: Vec<Change> = changes
        .iter()
        .rev()
        .filter(|c| c.worse_by < -1.0)
        .take(5)
        .cloned()
        .collect();
    let mut latency = Vec::new();
    for metric in [
        "probe.latency_p50",
        "probe.latency_p95",
        "probe.latency_p99",
    ] {
        if let Some((mean, max)) = day_stats(store, metric, period)? {
            latency.push(Latency {
                metric: metric.to_owned(),
                mean,
                max,
            });
        }
    }
    let latency_hours = store
        .hourly_rows("probe.latency_p95", period.from_ms, period.to_ms - 1)?
        .iter()
        .map(|r| (r.0, r.2))
        .collect();
    let mut uptime_hours = Vec::new();
    let mut h = period.from_ms;
    while h < period.to_ms {
        let span = Period {
            from_ms: h,
            to_ms: h + 3_600_000,
            ..period.clone()
        };
        if let Some(u) = uptime(store, &span)? {
            uptime_hours.push((h, u));
        }
        h += 3_600_000;
    }
    // Every UTC day the span touches has a page on the site.
    let mut day_pages: Vec<String> = Vec::new();
    let mut t = period.from_ms;
    while t < period.to_ms {
        let page = crate::render::day_page(&model::time::day_of(t));
        if !day_pages.contains(&page) {
            day_pages.push(page);
        }
        t += 3_600_000;
    }
    Ok(DailyReport {
        site: config.site.title.clone(),
        period: period.clone(),
        snapshots: metas.len(),
        uptime: uptime(store, period)?,
        uptime_prev_day: uptime(store, &prev_day)?,
        uptime_prev_week: uptime(store, &prev_week)?,
        slo: config.report.slo,
        parts,
        episodes: all_episodes,
        incidents,
        alerts,
        anomalies,
        regressions,
        improvements,
        latency,
        latency_hours,
        uptime_hours,
        day_pages,
    })
}

/// What one `make` did.
#[derive(Debug)]
pub struct Made {
    pub day: String,
    pub page: PathBuf,
    /// The mail in the outbox; `None` when the report has no recipient (the page is all).
    pub eml: Option<PathBuf>,
    /// `None` when no SMTP server is configured (or sending was not asked for).
    pub flushed: Option<mail::Flushed>,
}

/// Where the outbox lives: beside the store, so a message survives whatever happens to the site.
pub fn outbox(data_dir: &Path) -> PathBuf {
    data_dir.join("outbox")
}

/// Links to the site's pages for this day: absolute with `site.public_url`, else from the root.
/// The report's links to the site: relative on the site's own page; absolute in the mail when
/// `site.public_url` says where the site is, and none there otherwise (a relative link in a
/// mail client leads nowhere).
fn links(config: &Config, r: &DailyReport, from_reports: bool) -> Vec<(String, String)> {
    let base = match (&config.site.public_url, from_reports) {
        (Some(u), false) => format!("{}/", u.trim_end_matches('/')),
        (_, true) => "../".to_owned(),
        (None, false) => return Vec::new(),
    };
    let mut out = vec![(
        "This report on the site".to_owned(),
        format!("{base}reports/{}.html", r.period.name()),
    )];
    for p in &r.day_pages {
        out.push((
            format!(
                "Snapshots of {}",
                p.trim_start_matches("history/").trim_end_matches(".html")
            ),
            format!("{base}{p}"),
        ));
    }
    out.push(("Alerts".to_owned(), format!("{base}alerts/index.html")));
    if from_reports {
        out.remove(0);
    }
    out
}

/// Makes the report of `day`: its page in the site (with its charts), its mail in the outbox,
/// and, with `send` and an SMTP server configured, sends everything the outbox holds.
#[allow(clippy::too_many_arguments)]
pub fn make(
    config: &Config,
    store: &mut Store,
    out_dir: &Path,
    data_dir: &Path,
    period: &Period,
    late: bool,
    to: &[String],
    send: bool,
    now_ms: i64,
) -> Result<Made, Error> {
    let tz = config.report.zone();
    let content = crate::content::load(&config.site.content_dir);
    // Alert episodes up to the newest snapshot (a fill or an import may not have been analysed).
    crate::analysis::analyze(
        store,
        &config.alerts,
        &crate::collect::sources::profile_of(config.site.source_kind),
    )?;
    let r = gather(config, store, &content, period)?;
    let words = view::words(&r, &tz, late);
    let chart = |points: &[(i64, f64)], unit| {
        let axes = png::Axes { unit, tz: &tz };
        png::line(points, (period.from_ms, period.to_ms), None, &axes).unwrap_or_else(png::empty)
    };
    let latency = chart(&r.latency_hours, model::Unit::Milliseconds);
    let uptime = chart(&r.uptime_hours, model::Unit::Percent);
    let io = |what: String| {
        move |source| Error::Io {
            context: what,
            source,
        }
    };

    // The site's page, its charts as files beside it.
    let name = period.name();
    let dir = out_dir.join("reports");
    let (lat_file, up_file) = (format!("{name}-latency.png"), format!("{name}-uptime.png"));
    let page_links = links(config, &r, true);
    let page = view::Html {
        w: &words,
        latency_src: &lat_file,
        uptime_src: &up_file,
        links: &page_links,
        site_nav: true,
        json_href: &format!("{name}.json"),
        link_base: "../",
        zone: &period.zone,
    }
    .render()
    .map_err(|e| Error::Failed(format!("report page: {e}")))?;
    std::fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
    for (file, bytes) in [(&lat_file, &latency), (&up_file, &uptime)] {
        crate::render::write_atomic(&dir.join(file), bytes, 0)
            .map_err(io(format!("cannot write {file}")))?;
    }
    crate::render::write_atomic(
        &dir.join(format!("{name}.json")),
        view::json(&words, &name).as_bytes(),
        0,
    )
    .map_err(io(format!("cannot write {name}.json")))?;
    let page_path = dir.join(format!("{name}.html"));
    crate::render::write_atomic(&page_path, page.as_bytes(), 0)
        .map_err(io(format!("cannot write {}", page_path.display())))?;

    // The mail: the same words, charts by Content-ID.
    let mail_links = links(config, &r, false);
    let html = view::Html {
        w: &words,
        latency_src: "cid:latency@lookout",
        uptime_src: "cid:uptime@lookout",
        links: &mail_links,
        site_nav: false,
        json_href: "",
        zone: &period.zone,
        link_base: &config
            .site
            .public_url
            .as_ref()
            .map(|u| format!("{}/", u.trim_end_matches('/')))
            .unwrap_or_default(),
    }
    .render()
    .map_err(|e| Error::Failed(format!("report mail: {e}")))?;
    let recipients: Vec<String> = if to.is_empty() {
        config.report.to.clone()
    } else {
        to.to_vec()
    };
    if recipients.is_empty() {
        store.record_report(&name, now_ms, late)?;
        return Ok(Made {
            day: name,
            page: page_path,
            eml: None,
            flushed: None,
        });
    }
    let message = mail::build(mail::Parts {
        from: &config.report.from,
        to: &recipients,
        subject: &words.subject,
        text: view::text(&words, &mail_links),
        html,
        images: vec![
            ("latency@lookout".into(), latency),
            ("uptime@lookout".into(), uptime),
        ],
        date_ms: now_ms,
    })?;
    let eml = mail::to_outbox(&outbox(data_dir), &format!("{name}-{now_ms}"), &message)?;
    store.record_report(&name, now_ms, late)?;
    let flushed = match (&config.smtp, send) {
        (Some(smtp), true) => Some(mail::flush(
            &outbox(data_dir),
            smtp,
            std::time::Duration::from_secs(2),
        )),
        _ => None,
    };
    Ok(Made {
        day: name,
        page: page_path,
        eml: Some(eml),
        flushed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_local_days_and_spans_of_them() {
        let berlin = TimeZone::get("Europe/Berlin").expect("tz");
        let day: Date = "2026-03-29".parse().expect("date");
        // The day summer time starts there has 23 hours.
        let p = Period::of(day, &berlin, "Europe/Berlin");
        assert_eq!(p.to_ms - p.from_ms, 23 * 3_600_000);
        assert_eq!(p.name(), "2026-03-29");
        assert_eq!(local_day(p.from_ms, &berlin), day);
        assert_eq!(local_day(p.to_ms - 1, &berlin), day);
        let week = Period::span(day, 7, &TimeZone::UTC, "UTC");
        assert_eq!(week.to_ms - week.from_ms, 7 * 86_400_000);
        assert_eq!(week.name(), "2026-03-23--2026-03-29");
        let before = week.back(7, &TimeZone::UTC);
        assert_eq!((before.to_ms, before.days), (week.from_ms, 7));
    }
}
