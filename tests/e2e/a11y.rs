//! Accessibility: axe-core (from npm) run in headless Chromium on the main pages, in light and dark colour schemes.

use std::path::{Path, PathBuf};
use std::process::Command;

use lookout::collect::Assembled;
use model::{EndpointOutcome, OutcomeKind, Snapshot, Status};
use serde_json::Value;

use crate::support::{NOW_MS, temp};

/// axe-core's version, pinned so a new rule set cannot change the verdict unnoticed.
const AXE_VERSION: &str = "4.14.1";

/// Browser tests run unless the browser or npm is missing; then they say SKIPPED, and under
/// `tests/run.sh` or CI (which set `LOOKOUT_REQUIRE_BROWSER`) they fail instead.
pub fn missing(what: &str) {
    let msg = format!(
        "{what} is missing: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) and Node.js with npm; tests/run.sh does this"
    );
    if std::env::var_os("LOOKOUT_REQUIRE_BROWSER").is_some() || std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED accessibility test: {msg}");
}

pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// `axe.min.js`, installed once with npm under target/.
fn axe() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-tools/axe");
    let js = dir.join("node_modules/axe-core/axe.min.js");
    let pkg = dir.join("node_modules/axe-core/package.json");
    let have = std::fs::read_to_string(&pkg)
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
    if !have {
        on_path("npm")?;
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(format!("axe-core@{AXE_VERSION}"))
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "npm install axe-core@{AXE_VERSION} failed");
    }
    js.is_file().then_some(js)
}

/// Runs axe on `page` (a file in the site) and returns `(dark scheme seen, violations)`.
fn run_axe(
    chromium: &Path,
    axe_js: &Path,
    page: &Path,
    dark: bool,
    profile: &Path,
) -> (bool, Vec<Value>) {
    let text = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let probe = format!(
        r#"<script src="file://{}"></script><script>
axe.run(document, {{resultTypes: ['violations']}}).then(function (r) {{
  var p = document.createElement('pre'); p.id = 'axe-result';
  p.textContent = JSON.stringify({{dark: matchMedia('(prefers-color-scheme: dark)').matches,
    violations: r.violations.map(function (v) {{ return {{id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(function (n) {{ return n.target.join(' ') + ' :: ' + (n.failureSummary || ''); }})}}; }})}});
  document.body.appendChild(p);
}}).catch(function (e) {{
  var p = document.createElement('pre'); p.id = 'axe-result';
  p.textContent = JSON.stringify({{error: String(e)}}); document.body.appendChild(p);
}});
</script>"#,
        axe_js.display()
    );
    // A copy beside the page, so its relative stylesheet loads exactly as the page's does.
    let copy = page.with_file_name("__axe__.html");
    std::fs::write(&copy, text.replace("</body>", &format!("{probe}</body>"))).expect("copy");
    let mut cmd = Command::new(chromium);
    cmd.args(crate::webdriver::CHROMIUM_FLAGS)
        .args(["--window-size=1280,900", "--virtual-time-budget=30000"])
        .arg(format!("--user-data-dir={}", profile.display()));
    if dark {
        cmd.arg("--force-dark-mode");
    }
    let out = cmd
        .arg("--dump-dom")
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("start chromium");
    let _ = std::fs::remove_file(&copy);
    let dom = String::from_utf8_lossy(&out.stdout);
    let raw = dom
        .split("<pre id=\"axe-result\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| {
            panic!(
                "no axe result for {}: {}",
                page.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let json = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let v: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert!(
        v["error"].is_null(),
        "axe failed on {}: {}",
        page.display(),
        v["error"]
    );
    (
        v["dark"].as_bool().unwrap_or(false),
        v["violations"].as_array().cloned().unwrap_or_default(),
    )
}

#[test]
fn axe_finds_no_violation_on_the_main_pages_in_light_and_dark() {
    let Some(chromium) = on_path("chromium") else {
        return missing("chromium");
    };
    let Some(axe_js) = axe() else {
        return missing("npm (for axe-core)");
    };
    let dir = temp("a11y");
    // Every kind the demo has: the sources table, the graph of mapped services, check now.
    let (cfg, data, site) = crate::support::site_of_every_kind(&dir);
    let latest: Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("data/latest.json")).expect("latest"),
    )
    .expect("json");
    let snapshot_page = latest["page"].as_str().expect("page").to_owned();
    // The daily report as the site shows it (the mail's HTML is the same template).
    let mut reports: Vec<String> = std::fs::read_dir(site.join("reports"))
        .expect("reports")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".html") && n != "index.html")
        .collect();
    reports.sort();
    let report_page = format!("reports/{}", reports.last().expect("a report page"));
    let profile = dir.join("chromium-profile");

    // The probe itself must be able to fail: a page with known problems.
    let bad = site.join("bad.html");
    std::fs::write(
        &bad,
        "<!doctype html><html><head><title>x</title></head><body><p style=\"color:#ddd;background:#fff\">faint</p><img src=\"x.png\"></body></html>",
    )
    .expect("bad page");
    let (_, v) = run_axe(&chromium, &axe_js, &bad, false, &profile);
    let ids: Vec<&str> = v.iter().filter_map(|x| x["id"].as_str()).collect();
    assert!(
        ids.contains(&"color-contrast") && ids.contains(&"image-alt"),
        "{ids:?}"
    );
    std::fs::remove_file(&bad).expect("rm");

    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(
        index.contains("id=\"check-h\"") && index.contains("admin/gateway"),
        "check now"
    );
    assert!(
        index.contains("href=\"sections/middleware-pipeline.html\""),
        "a source's section"
    );
    assert!(
        index.contains("href=\"sections/websocket.html\""),
        "the index links a section page"
    );
    assert_eq!(crate::support::broken_links(&site), Vec::<String>::new());
    for p in [
        "index.html",
        "sections/websocket.html",
        "sections/middleware-pipeline.html",
        "latency/reported-source.admin.latency.get__api_items.html",
    ] {
        let text = std::fs::read_to_string(site.join(p)).expect(p);
        let problems = crate::site::html5_problems(&text);
        assert!(problems.is_empty(), "{p}: {problems:?}");
    }
    // (Written after the link check: its images are the mail's, by Content-ID.)
    // The mail's HTML part, as the mail holds it (no site navigation, images by Content-ID),
    // beside the site's page so axe reads it with nothing else.
    {
        let config = lookout::config::Config::load(&cfg).expect("config");
        let store = lookout::store::Store::open(&data).expect("store");
        let tz = config.report.zone();
        let day: jiff::civil::Date = reports
            .last()
            .expect("a report")
            .trim_end_matches(".html")
            .parse()
            .expect("a day");
        let period = lookout::report::Period::of(day, &tz, &config.report.time_zone);
        let content = lookout::content::load(&config.site.content_dir);
        let r = lookout::report::gather(&config, &store, &content, &period).expect("gather");
        let words = lookout::report::view::words(&r, &tz, false);
        let html = askama::Template::render(&lookout::report::view::Html {
            w: &words,
            latency_src: "cid:latency@lookout",
            uptime_src: "cid:uptime@lookout",
            links: &[],
            site_nav: false,
            json_href: "",
            zone: &period.zone,
            link_base: "",
        })
        .expect("the mail's HTML");
        std::fs::write(site.join("reports/mail-part.html"), html).expect("mail part");
    }
    let pages = [
        "index.html",
        "modules/search.html",
        snapshot_page.as_str(),
        "alerts/index.html",
        "dependencies.html",
        "latency/index.html",
        "history/index.html",
        "ranges/24h.html",
        "sections/websocket.html",
        "sections/middleware-pipeline.html",
        report_page.as_str(),
        "reports/mail-part.html",
        "latency/reported-source.admin.latency.get__api_items.html",
    ];
    let mut failures = Vec::new();
    for dark in [false, true] {
        for p in pages {
            let (seen_dark, violations) =
                run_axe(&chromium, &axe_js, &site.join(p), dark, &profile);
            assert_eq!(seen_dark, dark, "{p}: colour scheme");
            if !violations.is_empty() {
                failures.push(format!(
                    "{p} ({}): {}",
                    if dark { "dark" } else { "light" },
                    serde_json::to_string_pretty(&violations).unwrap_or_default()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A stored snapshot of nothing but an overall status, at `ms`.
fn bare_snapshot(ms: i64, overall: Status) -> Assembled {
    Assembled {
        snapshot: Snapshot {
            taken_at_ms: ms,
            duration_ms: 3.0,
            overall,
            availability: None,
            reasons: vec![],
            components: vec![],
            modules: vec![],
            outcomes: vec![EndpointOutcome {
                endpoint: "health".into(),
                method: "GET".into(),
                path: "health".into(),
                http_status: Some(200),
                latency_ms: 3.0,
                bytes: 2,
                kind: OutcomeKind::Ok,
                detail: None,
                attempts: 1,
            }],
            metrics: vec![],
            facts: vec![],
            lists: Default::default(),
            sources: vec![],
            counters: vec![],
        },
        bodies: vec![None],
    }
}

const STATUSES: [Status; 5] = [
    Status::Healthy,
    Status::NotApplicable,
    Status::Unknown,
    Status::Degraded,
    Status::Down,
];

/// The history calendar with a cell of every status, and the current day (the newest
/// snapshot's) of each status in turn: its cells' names hold their visible text. The current
/// day is a 1st (a one-digit day, the first of a month: where a name of `2026-12-01` did not
/// hold the visible `1`), on a clock started then, not on the day the test runs.
#[test]
fn calendar_cells_of_every_status_on_the_current_day_pass_axe() {
    let Some(chromium) = on_path("chromium") else {
        return missing("chromium");
    };
    let Some(axe_js) = axe() else {
        return missing("npm (for axe-core)");
    };
    const DAY: i64 = 86_400_000;
    // 2026-12-01T12:00:00Z
    let now_ms = NOW_MS + 13 * DAY;
    let clock = lookout::clock::Clock::starting_at(now_ms);
    let dir = temp("a11y-calendar");
    let profile = dir.join("chromium-profile");
    let config = lookout::config::Config::defaults();
    let mut failures = Vec::new();
    for current in STATUSES {
        let (data, site) = (
            dir.join(format!("data-{current:?}")),
            dir.join(format!("site-{current:?}")),
        );
        let mut store = lookout::store::Store::open(&data).expect("store");
        // The days before: one of each status, so every cell colour is on the page.
        let mut batch: Vec<Assembled> = STATUSES
            .iter()
            .enumerate()
            .map(|(i, s)| bare_snapshot(now_ms - (5 - i as i64) * DAY, *s))
            .collect();
        // And a day mostly up, degraded for one snapshot of thirty: a light cell.
        batch.extend((0..30).map(|i| {
            let s = if i == 7 {
                Status::Degraded
            } else {
                Status::Healthy
            };
            bare_snapshot(now_ms - 6 * DAY + i * 300_000, s)
        }));
        batch.push(bare_snapshot(now_ms - 3_600_000, Status::Healthy));
        batch.push(bare_snapshot(now_ms, current));
        store.insert_batch(&batch).expect("insert");
        lookout::app::build(&config, &mut store, &site, false, clock).expect("build");
        let page = site.join("history/index.html");
        let html = std::fs::read_to_string(&page).expect("history page");
        let today = model::time::day_of(now_ms);
        assert_eq!(today, "2026-12-01");
        let cell = format!(
            "<td class=\"cal-{}\"><a href=\"../history/{today}.html\"",
            current.as_str()
        );
        assert!(
            html.contains(&cell),
            "{current:?}: no current-day cell {cell}"
        );
        for s in STATUSES.iter().map(|s| s.as_str()).chain(["minor"]) {
            assert!(html.contains(&format!("class=\"cal-{s}\"")), "{s} cell");
        }
        for dark in [false, true] {
            let (_, violations) = run_axe(&chromium, &axe_js, &page, dark, &profile);
            if !violations.is_empty() {
                failures.push(format!(
                    "current day {current:?} ({}): {}",
                    if dark { "dark" } else { "light" },
                    serde_json::to_string_pretty(&violations).unwrap_or_default()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
