//! The complete site on a week of demo data with incidents: every section with the stored values, valid HTML5, no broken link, no script.

use std::path::Path;

use html5ever::tendril::TendrilSink;
use serde_json::Value;

use crate::support::{NOW_MS, bin, broken_links, files_under, temp};

const DAY_MS: i64 = 86_400_000;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The HTML of the section headed by `id` (up to its closing tag).
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("section {id} missing"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// A metric of the newest snapshot, formatted the way the pages format it.
fn shown(latest: &Value, name: &str) -> String {
    let m = latest["snapshot"]["metrics"]
        .as_array()
        .and_then(|a| a.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("{name} not in latest.json"));
    let unit = model::Unit::parse(m["unit"].as_str().unwrap_or("")).unwrap_or(model::Unit::None);
    lookout::render::charts::with_unit(m["value"].as_f64().unwrap_or(f64::NAN), unit)
}

/// Parse errors an HTML5 parser reports for a page, plus ids used twice.
pub fn html5_problems(text: &str) -> Vec<String> {
    let dom = html5ever::parse_document(markup5ever_rcdom::RcDom::default(), Default::default())
        .one(text);
    let mut out: Vec<String> = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
    let mut ids = std::collections::HashSet::new();
    for part in text.split(" id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or("");
        if !ids.insert(id.to_owned()) {
            out.push(format!("duplicate id {id}"));
        }
    }
    out
}

#[test]
fn a_week_of_demo_data_fills_every_section_with_the_stored_values() {
    let dir = temp("site-week");
    let now = NOW_MS;
    let iso = model::time::format_iso;
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("maintenance")).expect("content");
    std::fs::write(
        content.join("redis-errors.md"),
        format!(
            "+++\ntitle = \"Redis connection resets\"\nstatus = \"identified\"\naffected = [\"redis\", \"Auth\"]\nstart = \"{}\"\n+++\nResets seen from **Redis**. <script>alert(1)</script>\n",
            iso(now - 2 * 3_600_000)
        ),
    )
    .expect("incident");
    std::fs::write(
        content.join("maintenance/db.md"),
        format!(
            "---\ntitle: Database upgrade\naffected: [database]\nstart: {}\nend: {}\n---\nPostgres upgrade.\n",
            iso(now - 3_600_000),
            iso(now + 3_600_000)
        ),
    )
    .expect("maintenance");
    std::fs::write(content.join("broken.md"), "no front matter").expect("broken");
    let cfg = dir.join("lookout.toml");
    std::fs::write(
        &cfg,
        format!(
            "[site]\ncontent_dir = \"{}\"\n[depends_on]\nauth = [\"database\", \"redis\"]\n",
            content.display()
        ),
    )
    .expect("config");
    let (data, site) = (dir.join("data"), dir.join("site"));
    let run = |args: &[&str]| {
        let out = bin()
            .args(["--config", cfg.to_str().unwrap_or_default()])
            .args(["--data-dir", data.to_str().unwrap_or_default()])
            .args(["--out", site.to_str().unwrap_or_default()])
            .args(args)
            .output()
            .expect("run lookout");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // Eight days, so the newest snapshot has one a week before it to compare with.
    run(&["fill", "--days", "8", "--step", "600", "--seed", "5"]);
    run(&["build"]);

    let latest: Value =
        serde_json::from_str(&read(&site.join("data/latest.json"))).expect("latest");
    let index = read(&site.join("index.html"));
    // Contents after the first screen: a link to every section, each to an id the page has.
    let contents = index
        .split("<nav class=\"contents\" aria-label=\"On this page\">")
        .nth(1)
        .and_then(|r| r.split("</nav>").next())
        .expect("the index's contents");
    let targets: Vec<&str> = contents
        .split("href=\"#")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .collect();
    assert!(
        targets.len() >= 10 && targets.contains(&"alerts-h"),
        "{targets:?}"
    );
    for t in &targets {
        assert!(
            index.contains(&format!("id=\"{t}\"")),
            "#{t} is on the page"
        );
    }

    // Health overview: the four headline figures, each saying where it comes from; what Pharos
    // does not measure says so instead of showing Lookout's own readings.
    let tiles = section(&index, "overall-h");
    for (label, source) in [
        ("Uptime (24h)", "own health word"),
        ("Request error rate", "not reported by Pharos"),
        ("Method calls", "per-method call counts"),
        ("Read latency p95", "own reads of Pharos"),
    ] {
        let at = tiles
            .find(&format!("<span class=\"tile-label\">{label}</span>"))
            .unwrap_or_else(|| panic!("tile {label}"));
        let tile = &tiles[at..tiles[at..].find("</li>").map_or(tiles.len(), |e| at + e)];
        assert!(tile.contains(source), "{label}: {tile}");
    }
    assert!(tiles.contains(&shown(&latest, "probe.latency_p95")));
    assert!(
        !tiles.contains("Error rate<"),
        "no error rate made of failed readings"
    );
    // Module grid: 13 modules, each linked to its page, with the no-JS filters.
    let grid = section(&index, "mod-h");
    let modules = latest["snapshot"]["modules"].as_array().expect("modules");
    assert_eq!(modules.len(), 13);
    for m in modules {
        let name = m["name"].as_str().unwrap_or_default();
        let href = format!("modules/{}.html", name.to_ascii_lowercase());
        assert!(
            grid.contains(&format!("href=\"{href}\">{name}</a>")),
            "{name}"
        );
        assert!(site.join(&href).is_file(), "{href}");
    }
    for f in ["#mods-healthy", "#mods-degraded", "#mods-down"] {
        assert!(grid.contains(&format!("href=\"{f}\"")), "{f}");
    }
    // Performance chart with its table, range selector and range pages.
    let perf = section(&index, "perf-h");
    assert!(
        perf.contains("<svg class=\"chart-svg chart-line\"")
            && perf.contains("<title id=\"perf-t\">")
    );
    assert!(perf.contains("Data table"));
    for r in ["1h", "6h", "24h", "7d"] {
        assert!(perf.contains(&format!("href=\"ranges/{r}.html\"")), "{r}");
        let page = read(&site.join(format!("ranges/{r}.html")));
        assert!(
            page.matches("<figure class=\"chart\"").count() >= 4,
            "charts on {r}"
        );
        let json: Value = serde_json::from_str(&read(&site.join(format!("data/ranges/{r}.json"))))
            .expect("range json");
        assert!(
            !json["charts"][0]["series"][0]["points"]
                .as_array()
                .expect("points")
                .is_empty()
        );
    }
    // Database, event bus, cache, workers, ML, engagement, recommendations, ingestion, operations.
    let db = section(&index, "db-h");
    for m in [
        "database.pool.checked_out",
        "database.pool.total_capacity",
        "database.pool.pool_usage_percent",
    ] {
        assert!(
            db.contains(&format!("<dd>{}</dd>", shown(&latest, m))),
            "{m}"
        );
    }
    assert!(db.contains("class=\"pool-out\""));
    let ev = section(&index, "ev-h");
    // Recent events come from the lists the source decoded into the snapshot.
    let events = latest["snapshot"]["lists"]["events"]
        .as_array()
        .expect("the snapshot carries the events it read");
    assert!(ev.contains("<h3>Recent events</h3>"));
    // Newest first (Pharos sends the oldest first).
    let newest = events
        .iter()
        .max_by_key(|e| e["timestamp"].as_str().and_then(model::time::parse_iso))
        .and_then(|e| e["name"].as_str())
        .expect("an event");
    let first_row = ev
        .split("<ol class=\"timeline\">")
        .nth(1)
        .and_then(|t| t.split("</li>").next())
        .expect("a timeline row");
    assert!(
        first_row.contains(newest),
        "{first_row} is not the newest, {newest}"
    );
    assert!(
        events
            .iter()
            .filter_map(|e| e["name"].as_str())
            .any(|n| ev.contains(n)),
        "an event of the snapshot's list on the timeline"
    );
    let jobs = latest["snapshot"]["lists"]["jobs"]
        .as_array()
        .expect("jobs");
    assert!(!jobs.is_empty() || !index.contains("<caption>Recent jobs</caption>"));
    for m in [
        "events.events_emitted",
        "events.events_delivered",
        "events.handler_errors",
        "events.handler_latency_p99",
    ] {
        assert!(
            ev.contains(&format!("<dd>{}</dd>", shown(&latest, m))),
            "{m}"
        );
    }
    assert!(ev.contains("Events by type") && ev.contains("class=\"timeline\""));
    let cache = section(&index, "cache-h");
    assert!(cache.contains(&format!(
        "Cache hit rate {}",
        shown(&latest, "cache.hit_rate")
    )));
    assert!(cache.contains(&format!(
        "<dd>{}</dd>",
        shown(&latest, "cache.invalidations")
    )));
    let workers = section(&index, "workers-h");
    assert!(workers.contains(&format!(
        "<dd>{}</dd>",
        shown(&latest, "workers.queue_length")
    )));
    assert!(workers.contains("Worker queue length, last 24h") && workers.contains("threshold 100"));
    let ml = section(&index, "ml-h");
    assert!(ml.contains(&shown(&latest, "model.num_items")) && ml.contains("model loaded"));
    let eng = section(&index, "eng-h");
    for m in [
        "engagement.active_users",
        "recommendations.ctr",
        "recommendations.diversity",
        "recommendations.novelty_percent",
    ] {
        assert!(
            eng.contains(&format!("<dd>{}</dd>", shown(&latest, m))),
            "{m}"
        );
    }
    assert!(eng.contains("Click-through rate by strategy"));
    let ing = section(&index, "ing-h");
    assert!(ing.contains(&format!(
        "Completed: <strong>{}</strong>",
        shown(&latest, "ingestion.jobs.completed")
    )));
    assert!(ing.contains("<caption>Recent jobs</caption>"));
    assert!(section(&index, "ops-h").contains("Sparse embedding generation"));

    // Incidents: open one on the index, its page, the parts it names, the feed; bad file listed.
    assert!(section(&index, "inc-h").contains("Redis connection resets"));
    let inc = read(&site.join("incidents/redis-errors.html"));
    assert!(inc.contains("<strong>Redis</strong>") && !inc.contains("<script>alert"));
    assert!(read(&site.join("components/redis.html")).contains("Redis connection resets"));
    assert!(read(&site.join("modules/auth.html")).contains("Redis connection resets"));
    assert!(read(&site.join("components/database.html")).contains("Database upgrade"));
    assert!(read(&site.join("feed.atom")).contains("Redis connection resets"));
    assert!(read(&site.join("incidents/index.html")).contains("broken.md"));

    // Part pages: 90-day bars, 30-day sparkline, status history, latency charts, readings.
    let search = read(&site.join("modules/search.html"));
    assert!(search.contains("class=\"spark\"") && search.contains("class=\"bars\""));
    assert!(search.contains("id=\"hist-h\"") && search.contains("Read latency of module.search"));
    let endpoint = read(&site.join("endpoints/module.search.html"));
    assert!(endpoint.contains("Recent readings") && endpoint.contains("id=\"histogram\""));
    let store = lookout::store::Store::open(&data).expect("store");
    let days = store.days().expect("days");
    let days_shown = endpoint.matches("class=\"bar bar-").count();
    assert_eq!(days_shown, days.len(), "one bar per day with readings");

    // Dependency graph, latency heatmap and its sorted variants, calendar, comparison.
    let graph = read(&site.join("dependencies.html"));
    assert!(graph.contains("Auth depends on database, redis"));
    let by_count = read(&site.join("latency/by-count.html"));
    assert!(by_count.contains("<strong aria-current=\"page\">by count</strong>"));
    for v in ["index", "by-p95", "by-p50"] {
        assert!(site.join(format!("latency/{v}.html")).is_file());
    }
    let history = read(&site.join("history/index.html"));
    assert!(history.contains("class=\"calendar\""));
    assert!(
        history.contains("cal-degraded") || history.contains("cal-down"),
        "a week of demo data has incidents"
    );
    let newest = read(&site.join(latest["page"].as_str().expect("page")));
    let cmp = section(&newest, "cmp-h");
    assert!(
        cmp.contains("a day before") && cmp.contains("a week before"),
        "{cmp}"
    );

    // Alerts happened during the week, and their history is downloadable.
    let alerts: Value =
        serde_json::from_str(&read(&site.join("alerts/history.json"))).expect("alerts");
    assert!(
        !alerts.as_array().is_none_or(Vec::is_empty),
        "demo incidents fire alerts"
    );

    // CSV: a complete day's raw file holds exactly the stored samples of that day.
    let full_day = &days[days.len() - 2].day;
    let start = model::time::parse_day(full_day).expect("day");
    let stored = store
        .series("cache.hit_rate", start, start + DAY_MS)
        .expect("series")
        .len();
    let csv = read(&site.join(format!("data/csv/{full_day}/cache.hit_rate.csv")));
    assert_eq!(
        csv.lines().count(),
        stored + 1,
        "header plus one line per sample"
    );
    assert!(read(&site.join("metrics.html")).contains("cache.hit_rate"));

    // Every page: valid HTML5, its data as JSON, no script, and no broken link anywhere.
    let pages: Vec<_> = files_under(&site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(pages.len() > 1000, "{} pages", pages.len());
    for p in &pages {
        let text = read(p);
        let problems = html5_problems(&text);
        assert!(problems.is_empty(), "{}: {problems:?}", p.display());
        // Data never needs JavaScript: the only script is the index's widget loader, and the
        // widgets' placeholders hold the same data statically.
        let scripts = text.matches("<script").count();
        if p.ends_with("index.html") && p.parent() == Some(site.as_path()) {
            assert_eq!(scripts, 1, "the widget loader only");
            assert!(text.contains("import init from \"./assets/widgets-"));
        } else if p.ends_with("404.html") {
            // Only the redirect of old snapshot addresses; its text says where to go without it.
            assert_eq!(scripts, 1, "the redirect only");
            assert!(text.contains("a row of its day's page in the history"));
        } else {
            assert_eq!(scripts, 0, "{} needs no JavaScript", p.display());
        }
        if !p.ends_with("404.html") {
            assert!(
                text.contains("type=\"application/json\""),
                "{} has no JSON",
                p.display()
            );
        }
    }
    assert_eq!(broken_links(&site), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}
