//! Every figure of a generated daily report recomputed from the site's day CSVs (the raw
//! samples) and the units the snapshot gives: unit, sign and rounding must agree.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{NOW_MS, lookout_at, temp, write_config};

/// One metric's samples on `day`, from `data/csv/<day>/<metric>.csv`.
fn samples(site: &Path, day: &str, metric: &str) -> Vec<f64> {
    let path = site.join(format!(
        "data/csv/{day}/{}.csv",
        lookout::render::slug(metric)
    ));
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1)?.parse().ok())
        .collect()
}

fn day_mean(site: &Path, day: &str, metric: &str) -> Option<f64> {
    let values = samples(site, day, metric);
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn day_before(day: &str, n: i64) -> String {
    let d: jiff::civil::Date = day.parse().expect("a day");
    d.checked_sub(jiff::Span::new().days(n))
        .expect("earlier")
        .to_string()
}

#[test]
fn every_report_figure_is_its_days_samples_with_their_unit_and_sign() {
    let dir = temp("report-figures");
    let (data, site) = (dir.join("data"), dir.join("site"));
    let cfg = write_config(
        &dir,
        "http://127.0.0.1:9",
        "[report]\ntime_zone = \"UTC\"\n",
    );
    for args in [
        &["fill", "--days", "9", "--step", "900", "--seed", "4"][..],
        &["build", "--full"],
    ] {
        let o = lookout_at(&cfg, &data, &site)
            .args(args)
            .output()
            .expect("lookout");
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let day = day_before(&model::time::day_of(NOW_MS), 1);
    let o = lookout_at(&cfg, &data, &site)
        .args(["report", "--date", &day])
        .output()
        .expect("report");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // No recipient: the page is made, and the command says nothing was sent.
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("no recipient") && said.contains("nothing was sent"),
        "{said}"
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(site.join(format!("reports/{day}.json")))
            .expect("the report's JSON"),
    )
    .expect("json");
    let latest: Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("data/latest.json")).expect("latest"),
    )
    .expect("json");
    let units: BTreeMap<String, model::Unit> = latest["snapshot"]["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .filter_map(|m| {
            Some((
                m["name"].as_str()?.to_owned(),
                model::Unit::parse(m["unit"].as_str()?)?,
            ))
        })
        .collect();
    let mut checked = 0;
    for s in report["sections"].as_array().expect("sections") {
        let title = s["title"].as_str().unwrap_or_default();
        if !title.starts_with("Biggest") {
            continue;
        }
        for row in s["rows"].as_array().expect("rows") {
            let cells: Vec<&str> = row
                .as_array()
                .expect("cells")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let metric = cells[0];
            let unit = units[metric];
            let mean = day_mean(&site, &day, metric).expect("the day's samples");
            let before = day_mean(&site, &day_before(&day, 1), metric).expect("the day before");
            let fmt = |v: Option<f64>| {
                v.map_or_else(
                    || "no data".to_owned(),
                    |v| model::metric::with_unit(v, unit),
                )
            };
            assert_eq!(cells[1], fmt(Some(mean)), "{metric}: the day's mean");
            assert_eq!(cells[2], fmt(Some(before)), "{metric}: the day before");
            assert_eq!(
                cells[3],
                fmt(day_mean(&site, &day_before(&day, 7), metric)),
                "{metric}: a week before"
            );
            let change = 100.0 * (mean - before) / before.abs();
            assert_eq!(
                cells[4],
                model::metric::change_pct(change),
                "{metric}: its change"
            );
            // A regression went the wrong way, an improvement the right one.
            let lower_better = latest["snapshot"]["metrics"]
                .as_array()
                .and_then(|a| a.iter().find(|m| m["name"] == metric))
                .is_some_and(|m| m["better"] == "lower");
            let worse = if lower_better {
                change > 0.0
            } else {
                change < 0.0
            };
            assert_eq!(
                worse,
                title.contains("regressions"),
                "{metric} in {title}: {change}"
            );
            checked += 1;
        }
    }
    // Lookout's read latency: the day's mean and its worst sample.
    let latency = report["sections"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|s| {
                s["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Read latency"))
            })
        })
        .expect("the read latency section");
    for row in latency["rows"].as_array().expect("rows") {
        let cells: Vec<&str> = row
            .as_array()
            .expect("cells")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let metric = format!("probe.latency_{}", cells[0]);
        let values = samples(&site, &day, &metric);
        let ms = |v: f64| model::metric::with_unit(v, model::Unit::Milliseconds);
        assert_eq!(
            cells[1],
            ms(values.iter().sum::<f64>() / values.len() as f64),
            "{metric}: mean"
        );
        assert_eq!(
            cells[2],
            ms(values.iter().copied().fold(f64::MIN, f64::max)),
            "{metric}: worst"
        );
        checked += 1;
    }
    assert!(checked >= 5, "the report compared {checked} rows");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `report.schedule`: the week's report on Monday, the month's on the 1st, each once, with the
/// uptime against `report.slo` and the error budget left.
#[test]
fn weekly_and_monthly_reports_come_on_their_days_with_the_error_budget() {
    let dir = temp("report-schedule-cadence");
    let (data, site) = (dir.join("data"), dir.join("site"));
    let cfg = write_config(
        &dir,
        "http://127.0.0.1:9",
        "[report]\nto = [\"ops@example.com\"]\ntime = \"06:30\"\ntime_zone = \"UTC\"\nschedule = [\"daily\", \"weekly\", \"monthly\"]\nslo = 99.5\n",
    );
    let o = lookout_at(&cfg, &data, &site)
        .args(["fill", "--days", "9", "--step", "1800", "--seed", "4"])
        .output()
        .expect("fill");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = lookout::config::Config::load(&cfg).expect("config");
    let paths = lookout::app::Paths {
        data_dir: data.clone(),
        out_dir: site.clone(),
    };
    let mut store = lookout::store::Store::open(&data).expect("store");
    let at = |day: &str| model::time::parse_iso(&format!("{day}T06:31:00Z")).expect("time");
    // Wednesday 18 November (the tests' day): the day's report only.
    let made =
        lookout::app::report_if_due(&config, &mut store, &paths, at("2026-11-18")).expect("due");
    assert_eq!(made.map(|m| m.day), Some("2026-11-17".to_owned()));
    // Monday 16 November: the day's and the week Monday 9 to Sunday 15.
    lookout::app::report_if_due(&config, &mut store, &paths, at("2026-11-16")).expect("monday");
    let week = site.join("reports/2026-11-09--2026-11-15.json");
    let w: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&week).expect("the week's report"))
            .expect("json");
    let summary = w["summary"].to_string();
    assert!(summary.contains("SLO 99.5 % "), "{summary}");
    assert!(summary.contains("error budget"), "{summary}");
    // Again on Monday: nothing twice.
    let again = lookout::app::report_if_due(&config, &mut store, &paths, at("2026-11-16") + 60_000)
        .expect("again");
    assert!(again.is_none());
    // Tuesday 1 December: the month of November (data from the 9th on).
    lookout::app::report_if_due(&config, &mut store, &paths, at("2026-12-01")).expect("the 1st");
    assert!(
        site.join("reports/2026-11-01--2026-11-30.html").is_file(),
        "the month's report"
    );
    assert!(
        !site.join("reports/2026-11-24--2026-11-30.html").is_file(),
        "a Tuesday makes no week"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
