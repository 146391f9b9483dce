//! Site build: escaping of every backend string, incremental builds, pagination, links.

use super::*;
use crate::analysis::Analysis;
use crate::collect::Assembled;
use crate::content::Content;
use crate::store::tests::{assembled, temp_dir};
use model::{
    Better, EndpointOutcome, Fact, Metric, OutcomeKind, PartHealth, Snapshot, Status, Unit,
};
use std::path::Path;

const PAYLOAD: &str = "<script>alert(\"x&y\")</script>'\"";
const T0: i64 = 1_790_000_000_000;

/// Build options on a clock that reads `T0`: no page may hang on the day a test runs.
pub(super) fn opts() -> BuildOptions {
    BuildOptions {
        clock: crate::clock::Clock::starting_at(T0),
        ..BuildOptions::default()
    }
}

/// A `[depends_on]` as a config would give it.
fn dependencies() -> std::collections::BTreeMap<String, Vec<String>> {
    let pairs: [(&str, &[&str]); 9] = [
        ("auth", &["database", "redis"]),
        ("resources", &["database"]),
        ("search", &["database", "redis"]),
        ("collections", &["database"]),
        ("recommendations", &["database", "ncf_model"]),
        ("graph", &["database", "celery"]),
        ("scholarly", &["database", "celery"]),
        ("curation", &["ingestion"]),
        ("ingestion_worker", &["redis"]),
    ];
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

pub(super) fn site(days_per_page: usize) -> Site {
    Site {
        title: format!("Status {PAYLOAD}"),
        days_per_page,
        depends_on: dependencies(),
        retention_days: 30,
        content_dir: std::path::PathBuf::from("content"),
        api_base: "http://127.0.0.1:8765".into(),
        live_from_backend: false,
        public_url: None,
        source_name: "Pharos".into(),
        source_kind: "pharos",
        sections: Vec::new(),
        stale_after_s: 600,
        snapshot_pages: None,
        zone: crate::zone::Zone::utc(),
    }
}

fn hostile() -> Assembled {
    let part = |n: &str| PartHealth {
        name: format!("{n}{PAYLOAD}"),
        status: Status::Degraded,
        word: PAYLOAD.into(),
        message: PAYLOAD.into(),
    };
    Assembled {
        snapshot: Snapshot {
            taken_at_ms: T0,
            duration_ms: 1.0,
            overall: Status::Degraded,
            availability: None,
            reasons: vec![PAYLOAD.into()],
            components: vec![part("c")],
            modules: vec![part("m")],
            outcomes: vec![EndpointOutcome {
                endpoint: PAYLOAD.into(),
                method: PAYLOAD.into(),
                path: PAYLOAD.into(),
                http_status: Some(500),
                latency_ms: 1.0,
                bytes: 1,
                kind: OutcomeKind::HttpError,
                detail: Some(PAYLOAD.into()),
                attempts: 1,
            }],
            metrics: vec![Metric::new(
                format!("x.{PAYLOAD}"),
                1.0,
                Unit::Count,
                Better::Lower,
            )],
            facts: vec![Fact {
                name: PAYLOAD.into(),
                value: PAYLOAD.into(),
            }],
            lists: Default::default(),
            sources: vec![],
            counters: vec![],
        },
        bodies: vec![None],
    }
}

fn html_files(root: &Path) -> Vec<PathBuf> {
    files_under(root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect()
}

#[test]
fn every_backend_and_config_string_is_escaped() {
    let dir = temp_dir("render-esc");
    let mut store = Store::open(&dir.join("data")).expect("store");
    store.insert(&hostile()).expect("insert");
    let out = dir.join("site");
    build(
        &mut store,
        &site(30),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("build");
    let files = html_files(&out);
    assert!(files.len() >= 5, "{files:?}");
    let mut escaped_seen = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        assert!(
            !text.contains("<script>alert"),
            "raw payload in {}",
            f.display()
        );
        assert!(
            !text.contains("\"x&y\""),
            "unescaped quotes/ampersand in {}",
            f.display()
        );
        escaped_seen += text
            .matches("&#60;script&#62;alert(&#34;x&#38;y&#34;)&#60;/script&#62;&#39;&#34;")
            .count();
    }
    // Title on every page, plus every field on the snapshot page and index.
    assert!(escaped_seen >= files.len() + 10, "{escaped_seen}");
    let snap_page =
        std::fs::read_to_string(out.join(paths::snapshot_page(&model::time::snapshot_slug(T0))))
            .expect("page");
    assert!(
        snap_page.matches("&#60;script&#62;").count() >= 12,
        "every string field shows, escaped"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn incremental_build_renders_only_what_changed() {
    let dir = temp_dir("render-inc");
    let mut store = Store::open(&dir.join("data")).expect("store");
    for i in 0..50 {
        store
            .insert(&assembled(T0 + i * 3_600_000, Status::Healthy, 1.0))
            .expect("insert");
    }
    let out = dir.join("site");
    let s = site(30);
    let first = build(
        &mut store,
        &s,
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("full");
    assert!(first.full);
    assert_eq!(first.snapshot_pages, 50);
    let oldest = out.join(paths::snapshot_page(&model::time::snapshot_slug(T0)));
    let before = std::fs::metadata(&oldest)
        .expect("meta")
        .modified()
        .expect("mtime");

    let again = build(
        &mut store,
        &s,
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("noop");
    assert!(!again.full);
    assert_eq!(again.snapshot_pages, 0);
    assert!(
        again.written <= 1,
        "only the dated index may change: {again}"
    );

    store
        .insert(&assembled(T0 + 50 * 3_600_000, Status::Down, 9.0))
        .expect("new");
    let inc = build(
        &mut store,
        &s,
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("inc");
    assert!(!inc.full);
    assert_eq!(
        inc.snapshot_pages, 2,
        "the new page and its predecessor (next link)"
    );
    // This snapshot's pages, its neighbour, day, history, index, data, ranges, hourly CSVs
    // and changed parts: bounded, however long the history, and a small share of the site.
    assert!(inc.written <= 30, "{inc}");
    assert!(
        inc.written + inc.unchanged < 60,
        "only what can change is even compared: {inc}"
    );
    assert_eq!(
        std::fs::metadata(&oldest)
            .expect("meta")
            .modified()
            .expect("mtime"),
        before
    );
    let latest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(paths::LATEST_JSON)).expect("latest"),
    )
    .expect("json");
    assert_eq!(latest["snapshot"]["overall"], "down");
    let prev_page = std::fs::read_to_string(out.join(paths::snapshot_page(
        &model::time::snapshot_slug(T0 + 49 * 3_600_000),
    )))
    .expect("prev");
    assert!(prev_page.contains(&format!(
            "{}.html",
            model::time::snapshot_slug(T0 + 50 * 3_600_000)
                .split('/')
                .nth(1)
                .unwrap_or("")
        )));

    // An emptied output folder is noticed and rebuilt in full.
    std::fs::remove_dir_all(&out).expect("rm");
    let rebuilt = build(
        &mut store,
        &s,
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("rebuild");
    assert!(rebuilt.full);
    assert!(oldest.is_file());
    // A changed site config re-renders everything.
    let changed = build(
        &mut store,
        &site(7),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("config change");
    assert!(changed.full);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn history_pages_have_fixed_oldest_first_boundaries_and_links_resolve() {
    let dir = temp_dir("render-hist");
    let mut store = Store::open(&dir.join("data")).expect("store");
    for d in 0..5 {
        for h in 0..3 {
            store
                .insert(&assembled(
                    T0 + d * 86_400_000 + h * 3_600_000,
                    Status::Healthy,
                    1.0,
                ))
                .expect("insert");
        }
    }
    let out = dir.join("site");
    build(
        &mut store,
        &site(2),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("build");
    let days = store.days().expect("days");
    let p1 = std::fs::read_to_string(out.join(paths::history_page(1))).expect("page 1");
    assert!(
        p1.contains(&days[0].day)
            && p1.contains(&days[1].day)
            && !p1.contains(&format!("{}.html", days[2].day))
    );
    let index = std::fs::read_to_string(out.join(paths::HISTORY_INDEX)).expect("index");
    assert!(index.contains(&format!("{}.html", days[4].day)));
    // Newest first within the page.
    let day_page = std::fs::read_to_string(out.join(paths::day_page(&days[0].day))).expect("day");
    let times: Vec<usize> = store
        .day_metas(&days[0].day)
        .expect("metas")
        .iter()
        .map(|m| {
            day_page
                .find(&model::time::time_of_day(m.taken_at_ms))
                .expect("listed")
        })
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "newest first: {times:?}"
    );
    assert_eq!(broken_links(&out), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_new_day_updates_the_previous_days_link_and_nothing_older() {
    let dir = temp_dir("render-newday");
    let mut store = Store::open(&dir.join("data")).expect("store");
    for d in 0..3 {
        store
            .insert(&assembled(T0 + d * 86_400_000, Status::Healthy, 1.0))
            .expect("insert");
    }
    let out = dir.join("site");
    build(
        &mut store,
        &site(30),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("full");
    let days = store.days().expect("days");
    let last = out.join(paths::day_page(&days[2].day));
    let first_mtime = std::fs::metadata(out.join(paths::day_page(&days[0].day)))
        .and_then(|m| m.modified())
        .expect("mtime");

    // Same day: the day before is left alone.
    store
        .insert(&assembled(
            T0 + 2 * 86_400_000 + 60_000,
            Status::Healthy,
            1.0,
        ))
        .expect("same day");
    let r = build(
        &mut store,
        &site(30),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("inc");
    assert_eq!(r.day_pages, 1, "{r}");

    // A new day: its page, and the previous day's "later day" link.
    store
        .insert(&assembled(T0 + 5 * 86_400_000, Status::Down, 1.0))
        .expect("new day");
    let r = build(
        &mut store,
        &site(30),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("inc");
    assert_eq!(r.day_pages, 2, "{r}");
    let new_day = model::time::day_of(T0 + 5 * 86_400_000);
    let prev = std::fs::read_to_string(&last).expect("prev day");
    assert!(
        prev.contains(&format!("href=\"../history/{new_day}.html\"")),
        "later-day link"
    );
    let untouched = std::fs::metadata(out.join(paths::day_page(&days[0].day)))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(untouched, first_mtime);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_metrics_trends_are_written_when_an_hour_turns() {
    let dir = temp_dir("render-trends");
    let mut store = Store::open(&dir.join("data")).expect("store");
    for i in 0..30 {
        store
            .insert(&assembled(T0 + i * 600_000, Status::Healthy, i as f64))
            .expect("insert");
    }
    let out = dir.join("site");
    build(
        &mut store,
        &site(30),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("build");
    let path = out.join(paths::TRENDS_JSON);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("trends")).expect("json");
    let windows: Vec<&str> = doc["trends"]["probe.latency_p95"]
        .as_array()
        .expect("latency trends")
        .iter()
        .filter_map(|t| t["window"].as_str())
        .collect();
    assert_eq!(windows, vec!["1h", "6h", "24h", "7d"]);
    assert!(
        doc["trends"]["cache.hit_rate"].is_array(),
        "every metric, not only the key ones"
    );
    let written = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    // Same hour (T0 + 4h50m -> + 4h55m stays in the hour): not rewritten.
    let last = T0 + 29 * 600_000;
    let same_hour = last + 60_000;
    assert_eq!(same_hour.div_euclid(3_600_000), last.div_euclid(3_600_000));
    store
        .insert(&assembled(same_hour, Status::Healthy, 1.0))
        .expect("insert");
    build(
        &mut store,
        &site(30),
        &Analysis::default(),
        &Content::default(),
        &out,
        opts(),
    )
    .expect("build");
    assert_eq!(
        std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        written
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pruned_days_lose_their_pages_and_every_link_still_resolves() {
    let dir = temp_dir("render-prune");
    let mut store = Store::open(&dir.join("data")).expect("store");
    const DAY: i64 = 86_400_000;
    let day0 = (T0 / DAY) * DAY;
    for d in 0..5 {
        for h in 0..4 {
            store
                .insert(&assembled(
                    day0 + d * DAY + h * 3_600_000,
                    Status::Healthy,
                    1.0,
                ))
                .expect("insert");
        }
    }
    let out = dir.join("site");
    let s = site(2);
    let run = |store: &mut Store| {
        build(
            store,
            &s,
            &Analysis::default(),
            &Content::default(),
            &out,
            opts(),
        )
        .expect("build")
    };
    run(&mut store);
    let old_day = model::time::day_of(day0);
    let old_page = out.join(paths::snapshot_page(&model::time::snapshot_slug(day0)));
    assert!(old_page.is_file());
    assert!(out.join(paths::day_page(&old_day)).is_file());
    assert!(
        out.join(paths::history_page(3)).is_file(),
        "5 days at 2 per page"
    );

    assert_eq!(store.prune_before(day0 + 2 * DAY).expect("prune"), 8);
    store
        .insert(&assembled(day0 + 5 * DAY, Status::Healthy, 1.0))
        .expect("new");
    let r = run(&mut store);
    assert!(!r.full);
    assert!(!old_page.exists(), "pruned snapshot page removed");
    assert!(
        !out.join(paths::snapshot_json(&model::time::snapshot_slug(day0)))
            .exists()
    );
    assert!(!out.join(paths::day_page(&old_day)).exists());
    assert!(!out.join(paths::day_json(&old_day)).exists());
    assert!(
        !out.join(paths::history_page(3)).exists(),
        "4 days now fit on 2 pages"
    );
    let oldest = std::fs::read_to_string(out.join(paths::snapshot_page(
        &model::time::snapshot_slug(day0 + 2 * DAY),
    )))
    .expect("oldest kept");
    assert!(
        !oldest.contains("rel=\"prev\""),
        "no link back into pruned history"
    );
    assert_eq!(broken_links(&out), Vec::<String>::new());
}

#[test]
fn maintenance_mutes_the_alerts_of_the_parts_it_names() {
    let dir = temp_dir("render-mute");
    let mut store = Store::open(&dir.join("data")).expect("store");
    store
        .insert(&assembled(T0, Status::Degraded, 1.0))
        .expect("insert");
    let mut rule = crate::config::default_rules()
        .into_iter()
        .next()
        .expect("a default rule");
    rule.name = "Database down".into();
    rule.metric = "status.component.database".into();
    let mut state = model::alert::AlertState::new(&rule.name, &rule.metric);
    state.phase = model::alert::Phase::Firing;
    state.fired_ms = Some(T0 - 60_000);
    state.last_value = Some(2.0);
    let analysis = Analysis {
        alerts: vec![(rule, state)],
        now_ms: T0,
        ..Analysis::default()
    };
    let window = |start: i64, end: i64| Content {
        entries: vec![crate::content::Entry {
            kind: crate::content::Kind::Maintenance,
            slug: "db".into(),
            title: "DB upgrade".into(),
            status: "scheduled".into(),
            affected: vec!["database".into()],
            start_ms: start,
            end_ms: Some(end),
            html: String::new(),
            source: "db.md".into(),
        }],
        problems: vec![],
    };
    let out = dir.join("site");
    let mut index_with = |content: &Content| {
        build(
            &mut store,
            &site(30),
            &analysis,
            content,
            &out,
            BuildOptions {
                full: true,
                ..opts()
            },
        )
        .expect("build");
        std::fs::read_to_string(out.join("index.html")).expect("index")
    };
    let muted = index_with(&window(T0 - 3_600_000, T0 + 3_600_000));
    assert!(
        muted.contains("0 firing, 0 pending"),
        "muted alerts are not firing"
    );
    assert!(muted.contains("muted by maintenance: DB upgrade"));
    let alerts_page = std::fs::read_to_string(out.join("alerts/index.html")).expect("alerts");
    assert!(alerts_page.contains("firing (muted by maintenance: DB upgrade)"));
    let after = index_with(&window(T0 - 7_200_000, T0 - 3_600_000));
    assert!(
        after.contains("1 firing, 0 pending"),
        "a finished window mutes nothing"
    );
    assert!(after.contains("<strong>Firing: Database down</strong>"));
}
