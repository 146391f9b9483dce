//! Every recorded scenario of both Pharos versions, replayed: what the site says of the overall,
//! each component, each module and the ingestion section, stated scenario by scenario.

use std::path::Path;

use lookout::clock::Clock;
use model::Snapshot;

use crate::recorded::Replay;
use crate::support::{NOW_MS, TOKEN, temp};

fn snapshot_of(version: &str, scenario: &str) -> (Snapshot, std::path::PathBuf) {
    let dir = temp(&format!("replay-{version}-{scenario}"));
    let snap = snapshot_into(&dir, version, scenario, NOW_MS, "");
    (snap, dir)
}

/// One snapshot of `scenario` into the data folder of `dir` at `at_ms` (the token sent but in
/// `no-token`), with `extra` config after `[backend]`, then a build into `dir/site`.
fn snapshot_into(dir: &Path, version: &str, scenario: &str, at_ms: i64, extra: &str) -> Snapshot {
    let replay = Replay::scenario(version, scenario);
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{}\"\n{extra}", replay.base),
        Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = match scenario {
        "no-token" => None,
        _ => lookout::collect::Token::new(TOKEN.into()),
    };
    let clock = Clock::starting_at(at_ms);
    let (_, snap) =
        lookout::app::snapshot(&config, &mut store, token.as_ref(), clock).expect("snapshot");
    lookout::app::build(&config, &mut store, &dir.join("site"), false, clock).expect("build");
    snap
}

/// The text of the index section `id` (`ing`), tags dropped and spaces squeezed; empty when the
/// page has no such section.
fn section_text(site: &Path, id: &str) -> String {
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    let Some(start) = index.find(&format!("<section aria-labelledby=\"{id}-h\">")) else {
        return String::new();
    };
    let rest = &index[start..];
    let body = &rest[..rest.find("</section>").unwrap_or(rest.len())];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Components every recording of both versions shows alike: Celery and the ML service are not
/// installed, the model is not trained, and the cache's Redis client never connects (item 17
/// of the recordings' README: it concerns the cache, not the queue store).
const BASE: &str = "api=Healthy celery=NotApplicable database=Healthy ncf_model=NotApplicable \
                    redis=Down ml=NotApplicable";
/// The older version's route groups: resources' own check fails on a SQL bug inside the
/// backend, which the placeholder answer hid; groups without a check of their own are unknown.
const OLD: &str = "Annotations=Unknown Authority=Unknown Citations=Unknown Curation=Unknown \
                   Discovery=Unknown Graph=Unknown Taxonomy=Unknown Auth=Healthy \
                   Collections=Healthy Quality=Healthy Resources=Down Scholarly=Healthy \
                   Search=Healthy";
/// The newest version's: 9 of the contract's 13 gone, others added.
const NEW: &str = "Admin=Unknown Ai-planning=Unknown Chunks=Unknown Citations=Unknown \
                   Discovery=Unknown Graph=Unknown Mcp=Unknown Patterns=Unknown Github=Healthy \
                   Resources=Healthy Search=Healthy";
/// The newest with Redis down or unconfigured: GitHub's check reports its cache unreachable.
const NEW_NO_CACHE: &str = "Admin=Unknown Ai-planning=Unknown Chunks=Unknown \
                            Citations=Unknown Discovery=Unknown Graph=Unknown Mcp=Unknown \
                            Patterns=Unknown Github=Degraded Resources=Healthy Search=Healthy";
/// The reads a refused or missing token stops in both versions (the route list included).
const REFUSED: &str = "model_health:401 performance:401 recommendation_quality:401 \
                       user_engagement:401 database:401 db_pool:401 events:401 \
                       events.history:401 cache:401 workers:401";

/// One scenario's expected page: the ingestion and worker parts, the modules, the readings that
/// failed (endpoint:HTTP status), and what the ingestion section says.
struct Row {
    version: &'static str,
    scenario: &'static str,
    ingestion: &'static str,
    worker: &'static str,
    modules: &'static str,
    failed: &'static str,
    says: &'static [&'static str],
}

const OLD_HISTORY: &str = "lists finished jobs only";
const NEW_HISTORY: &str = "one pending record per submission";

#[rustfmt::skip]
const TABLE: &[Row] = &[
    Row { version: "a89b45bb", scenario: "healthy", ingestion: "Healthy", worker: "Healthy", modules: OLD, failed: "",
          says: &["Worker online: Idle", OLD_HISTORY, "Pending: not exposed", "Completed: 2", "2026-12-01 19:31:11 UTC"] },
    Row { version: "a89b45bb", scenario: "load", ingestion: "Healthy", worker: "Healthy", modules: OLD, failed: "",
          says: &["Worker online: Idle", "Completed: 2"] },
    Row { version: "a89b45bb", scenario: "worker-offline", ingestion: "Healthy", worker: "Down", modules: OLD, failed: "",
          says: &["Worker offline: Offline", "Completed: 0", "Failed: 0"] },
    Row { version: "a89b45bb", scenario: "worker-busy", ingestion: "Healthy", worker: "Healthy", modules: OLD, failed: "",
          says: &["Worker online: Training Graph on https://github.com/octocat/linguist", "Completed: 2", "Failed: 1",
                  "Processing: not exposed", "could not read Username"] },
    Row { version: "a89b45bb", scenario: "queue-full", ingestion: "Healthy", worker: "Down", modules: OLD, failed: "",
          says: &["Worker offline: Offline", "Completed: 6", "Failed: 2", "Pending: not exposed"] },
    Row { version: "a89b45bb", scenario: "cors", ingestion: "Healthy", worker: "Down", modules: OLD, failed: "",
          says: &["Worker offline: Offline"] },
    Row { version: "a89b45bb", scenario: "queue-store-down", ingestion: "Down", worker: "Unknown", modules: OLD,
          failed: "ingestion.health:200 ingestion.worker:503 ingestion.jobs:503",
          says: &["Queue service Down: redis: unhealthy", "Invalid Redis credentials (ingestion.worker, ingestion.jobs)",
                  "Worker Unknown: not read: HTTP 503"] },
    Row { version: "a89b45bb", scenario: "queue-store-unconfigured", ingestion: "NotApplicable", worker: "Unknown", modules: OLD,
          failed: "ingestion.health:200 ingestion.worker:503 ingestion.jobs:503",
          says: &["Queue service Not applicable", "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set"] },
    // The older version leaves the ingestion reads public, so a refused token stops the rest.
    Row { version: "a89b45bb", scenario: "no-token", ingestion: "Healthy", worker: "Healthy", modules: "",
          failed: "REFUSED routes:401", says: &["Worker online: Idle", "Completed: 2"] },
    Row { version: "a89b45bb", scenario: "bad-token", ingestion: "Healthy", worker: "Healthy", modules: "",
          failed: "REFUSED routes:401", says: &["Worker online: Idle"] },
    Row { version: "a89b45bb", scenario: "wrong-token-kind", ingestion: "Healthy", worker: "Healthy", modules: "",
          failed: "REFUSED routes:401", says: &["Worker online: Idle"] },
    // The newest: `/model-health` always answers 500; the worker reports by heartbeat only.
    Row { version: "current", scenario: "healthy", ingestion: "Healthy", worker: "Healthy", modules: NEW, failed: "model_health:500",
          says: &["Worker online: heartbeat 17 s ago", NEW_HISTORY, "Pending: 2", "Completed: not exposed",
                  "https://github.com/octocat/Spoon-Knife pending", "not recorded"] },
    Row { version: "current", scenario: "load", ingestion: "Healthy", worker: "Healthy", modules: NEW, failed: "model_health:500",
          says: &["Worker online: heartbeat"] },
    Row { version: "current", scenario: "worker-offline", ingestion: "Healthy", worker: "Down", modules: NEW, failed: "model_health:500",
          says: &["Worker offline: no heartbeat seen", "Pending: 0"] },
    Row { version: "current", scenario: "worker-stale", ingestion: "Healthy", worker: "Degraded", modules: NEW, failed: "model_health:500",
          says: &["Worker late: last heartbeat 305 s ago, past the 300 s threshold: new jobs are refused"] },
    Row { version: "current", scenario: "worker-busy", ingestion: "Healthy", worker: "Healthy", modules: NEW, failed: "model_health:500",
          says: &["Worker online: heartbeat", "Pending: 8"] },
    // A legacy worker writes the status key and sends no heartbeat: it runs.
    Row { version: "current", scenario: "worker-busy-legacy-worker", ingestion: "Healthy", worker: "Healthy", modules: NEW,
          failed: "model_health:500", says: &["status key: Training Graph on https://github.com/octocat/test-repo1", "Pending: 12"] },
    Row { version: "current", scenario: "queue-full", ingestion: "Healthy", worker: "Healthy", modules: NEW, failed: "model_health:500",
          says: &["Worker online: heartbeat", "Pending: 23"] },
    Row { version: "current", scenario: "cors", ingestion: "Healthy", worker: "Healthy", modules: NEW, failed: "model_health:500",
          says: &["Worker online"] },
    Row { version: "current", scenario: "cors-origin-allowed", ingestion: "Healthy", worker: "Healthy", modules: NEW,
          failed: "model_health:500", says: &["Worker online"] },
    Row { version: "current", scenario: "queue-store-down", ingestion: "Down", worker: "Unknown", modules: NEW_NO_CACHE,
          failed: "model_health:500 ingestion.health:503 ingestion.heartbeat:500 ingestion.worker:503 ingestion.jobs:503",
          says: &["Queue service Down: redis: unhealthy", "Redis unavailable", "Worker Unknown: not read"] },
    Row { version: "current", scenario: "queue-store-unconfigured", ingestion: "NotApplicable", worker: "Unknown",
          modules: NEW_NO_CACHE,
          failed: "model_health:500 ingestion.health:503 ingestion.heartbeat:503 ingestion.worker:503 ingestion.jobs:503",
          says: &["REDIS_URL must be set in CLOUD mode (ingestion.jobs)"] },
    // The newest protects worker/status and jobs/history; its heartbeat stays public.
    Row { version: "current", scenario: "no-token", ingestion: "Healthy", worker: "Healthy", modules: "",
          failed: "REFUSED ingestion.worker:401 ingestion.jobs:401 routes:401",
          says: &["Not read in this snapshot: token missing (ingestion.worker, ingestion.jobs)", "Worker online: heartbeat"] },
    Row { version: "current", scenario: "bad-token", ingestion: "Healthy", worker: "Healthy", modules: "",
          failed: "REFUSED ingestion.worker:401 ingestion.jobs:401 routes:401",
          says: &["Invalid authentication token (ingestion.worker, ingestion.jobs)"] },
    Row { version: "current", scenario: "wrong-token-kind", ingestion: "Healthy", worker: "Healthy", modules: "",
          failed: "REFUSED ingestion.worker:401 ingestion.jobs:401 routes:401",
          says: &["Invalid authentication token (ingestion.worker, ingestion.jobs)"] },
];

fn parts(ps: &[model::PartHealth]) -> String {
    ps.iter()
        .map(|p| format!("{}={:?}", p.name, p.status))
        .collect::<Vec<_>>()
        .join(" ")
}

fn failed(snap: &Snapshot) -> String {
    snap.outcomes
        .iter()
        .filter(|o| !o.kind.is_ok())
        .map(|o| format!("{}:{}", o.endpoint, o.http_status.unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every scenario of both versions, as the first snapshot of a new site.
#[test]
fn every_recorded_scenario_of_both_versions_reads_as_the_backend_said() {
    let mut recorded = 0;
    for v in ["a89b45bb", "current"] {
        for e in std::fs::read_dir(crate::recorded::fixtures("pharos-real").join(v)).expect("dir") {
            recorded += usize::from(e.expect("entry").path().is_dir());
        }
    }
    assert_eq!(recorded, TABLE.len(), "one row per recorded scenario");
    let mut wrong = Vec::new();
    for row in TABLE {
        let (snap, dir) = snapshot_of(row.version, row.scenario);
        let at = format!("{}/{}", row.version, row.scenario);
        let comps = format!(
            "{BASE} ingestion={} ingestion_worker={}",
            row.ingestion, row.worker
        );
        let want_failed = row.failed.replace("REFUSED", REFUSED);
        let checks = [
            (
                "overall",
                format!("{:?}", snap.overall),
                "Degraded".to_owned(),
            ),
            ("components", parts(&snap.components), squeeze(&comps)),
            ("modules", parts(&snap.modules), squeeze(row.modules)),
            ("failed", failed(&snap), squeeze(&want_failed)),
        ];
        for (what, got, want) in checks {
            if got != want {
                wrong.push(format!("{at} {what}:\n  got  {got}\n  want {want}"));
            }
        }
        // The edge check lets every real answer through untouched: no figure refused as out of
        // range, nothing dropped by a limit.
        for f in &snap.facts {
            if f.value.contains("out of range")
                || f.name.ends_with(lookout::collect::guard::DROPPED)
            {
                wrong.push(format!(
                    "{at}: the edge check took {} = {}",
                    f.name, f.value
                ));
            }
        }
        // The live panel is told what the version's history can show.
        // The heartbeat route is under the public `/api/v1/ingestion/health` in both versions, so
        // the version is known with or without a token.
        let history = if row.version == "current" {
            "submitted"
        } else {
            "finished"
        };
        let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
        let attr = format!("data-history=\"{history}\"");
        if !index.contains(&attr) {
            wrong.push(format!("{at}: the ingestion panel lacks {attr}"));
        }
        let ing = section_text(&dir.join("site"), "ing");
        for says in row.says {
            if !ing.contains(says) {
                wrong.push(format!("{at}: ingestion lacks {says:?}: {ing}"));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The token goes missing between two snapshots of the newest version: the sections it guards
/// say so and keep their last figures with their age; the modules seen before stay, unknown.
#[test]
fn a_token_gone_missing_keeps_the_last_figures_with_their_age_and_the_parts_unknown() {
    let dir = temp("replay-token-gone");
    let before = snapshot_into(&dir, "current", "healthy", NOW_MS, "");
    let after = snapshot_into(&dir, "current", "no-token", NOW_MS + 120_000, "");
    assert_eq!(before.modules.len(), 11);
    assert_eq!(after.modules.len(), 11, "{:?}", after.modules);
    for m in &after.modules {
        assert_eq!(
            (m.status, m.word.as_str()),
            (model::Status::Unknown, "not read"),
            "{}",
            m.name
        );
        assert!(
            m.message
                .starts_with("not read in this snapshot; last reported"),
            "{}: {}",
            m.name,
            m.message
        );
    }
    let resources = after
        .modules
        .iter()
        .find(|m| m.name == "Resources")
        .expect("resources");
    assert!(
        resources.message.contains("last reported Healthy"),
        "{}",
        resources.message
    );
    let site = dir.join("site");
    let db = section_text(&site, "db");
    assert!(
        db.contains("Not read in this snapshot: token missing (database, db_pool)."),
        "{db}"
    );
    assert!(
        db.contains("The figures below were read 2 min earlier"),
        "{db}"
    );
    assert!(db.contains("Checked out"), "the last pool figures: {db}");
    let ing = section_text(&site, "ing");
    assert!(
        ing.contains("token missing (ingestion.worker, ingestion.jobs)"),
        "{ing}"
    );
    assert!(ing.contains("Pending: 2"), "the last job history: {ing}");
    // A figure read now is never replaced by an older one: the health read is public.
    assert!(ing.contains("Worker online: heartbeat"), "{ing}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `live_source = "backend"`, the live widget is told each module's own check, so it asks
/// what the site read (resources' failing check), not the placeholder that says nothing.
#[test]
fn the_backend_live_widget_asks_each_modules_own_check() {
    let dir = temp("replay-live-modules");
    let live = "[site]\nlive_source = \"backend\"\n";
    snapshot_into(&dir, "a89b45bb", "healthy", NOW_MS, live);
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    let modules = index
        .split("data-modules=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("data-modules");
    let pairs: Vec<&str> = modules.split(',').collect();
    assert!(
        pairs.contains(&"Resources=/api/resources/health"),
        "{modules}"
    );
    assert!(
        pairs.contains(&"Search=/api/search/search/health"),
        "{modules}"
    );
    assert!(pairs.contains(&"Graph="), "no check of its own: {modules}");
    assert_eq!(pairs.len(), 13, "{modules}");
    let _ = std::fs::remove_dir_all(&dir);
}
