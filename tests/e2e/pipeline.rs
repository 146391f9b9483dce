//! Demo backend -> `lookout snapshot` -> `lookout build`: pages show the snapshot's values.

use lookout::demo::Incidents;
use serde_json::Value;

use crate::support::*;

#[test]
fn snapshot_and_build_show_the_backends_values_with_links_intact_and_no_token() {
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let dir = temp("pipeline");
    let config = write_config(&dir, &server.base_url(), "");
    let data = dir.join("data");
    let out = dir.join("site");
    let snap = bin()
        .args(["--config"])
        .arg(&config)
        .args(["--data-dir"])
        .arg(&data)
        .arg("snapshot")
        .env("E2E_TOKEN", TOKEN)
        .output()
        .expect("snapshot");
    let snap_out =
        String::from_utf8_lossy(&snap.stdout).into_owned() + &String::from_utf8_lossy(&snap.stderr);
    assert!(snap.status.success(), "{snap_out}");
    assert!(
        snap_out.contains("healthy (0 of 30 readings failed)"),
        "{snap_out}"
    );
    let build = bin()
        .args(["--config"])
        .arg(&config)
        .args(["--data-dir"])
        .arg(&data)
        .args(["--out"])
        .arg(&out)
        .arg("build")
        .output()
        .expect("build");
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let latest: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("data/latest.json")).expect("latest"),
    )
    .expect("json");
    let s = &latest["snapshot"];
    let page_rel = latest["page"].as_str().expect("page");
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    let page = std::fs::read_to_string(out.join(page_rel)).expect("snapshot page");
    assert!(index.contains("All systems operational"));

    // Every key metric the index shows is the stored value, formatted; every metric is on the permanent page.
    let metrics = s["metrics"].as_array().expect("metrics");
    assert!(metrics.len() > 80, "{}", metrics.len());
    let value_of = |name: &str| {
        let m = metrics
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        let unit = lookout_unit(&m["unit"]);
        model::metric::format_value(m["value"].as_f64().expect("value"), unit)
    };
    for key in [
        "cache.hit_rate",
        "events.events_emitted",
        "db.pool.checked_out",
        "workers.count",
        "probe.latency_p95",
    ] {
        let shown = value_of(key);
        assert!(
            index.contains(&format!("{shown}<span class=\"unit\">")),
            "{key} = {shown} not on index"
        );
    }
    for m in metrics {
        let name = m["name"].as_str().expect("name");
        assert!(
            page.contains(&format!("<code>{name}</code>")),
            "{name} not on snapshot page"
        );
    }
    for o in s["outcomes"].as_array().expect("outcomes") {
        // The simulator is the contract's version: it has neither the newest version's
        // heartbeat route nor a route list, and says so with 404.
        let absent =
            ["ingestion.heartbeat", "routes"].contains(&o["endpoint"].as_str().unwrap_or(""));
        assert_eq!(
            o["kind"],
            if absent { "not_available" } else { "ok" },
            "{o}"
        );
        assert!(page.contains(o["endpoint"].as_str().expect("endpoint")));
    }
    let modules: Vec<&str> = s["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(modules.len(), 13);
    for m in modules {
        assert!(
            index.contains(&format!(">{m}</a>")),
            "module {m} not on index"
        );
    }
    assert!(
        out.join(
            latest["page"]
                .as_str()
                .expect("p")
                .replace("snapshots/", "data/snapshots/")
                .replace(".html", ".json")
        )
        .is_file()
    );
    assert!(out.join("404.html").is_file() && out.join("history/index.html").is_file());
    assert_eq!(broken_links(&out), Vec::<String>::new());
    let check = || {
        bin()
            .args(["--data-dir"])
            .arg(&data)
            .args(["--out"])
            .arg(&out)
            .arg("check")
            .output()
            .expect("check")
    };
    let ok = check();
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success() && said.contains("every internal link resolves"),
        "{said}"
    );
    std::fs::remove_file(out.join("history/index.html")).expect("break a link");
    let check = check();
    assert_eq!(
        check.status.code(),
        Some(1),
        "a broken link fails the check"
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("broken link:"));

    // The token never reaches the site, the store's documents, or the output.
    for f in files_under(&out) {
        let bytes = std::fs::read(&f).expect("read");
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "token in {}",
            f.display()
        );
    }
    assert!(!snap_out.contains(TOKEN));
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

fn lookout_unit(v: &Value) -> model::Unit {
    model::Unit::parse(v.as_str().unwrap_or("none")).unwrap_or(model::Unit::None)
}

#[test]
fn without_the_token_protected_endpoints_are_recorded_as_401() {
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let dir = temp("notoken");
    let config = lookout::config::Config::from_toml(
        &format!(
            "[backend]\nbase_url = \"{}\"\ntoken_env = \"E2E_TOKEN_UNSET_X\"\n",
            server.base_url()
        ),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir).expect("store");
    let (_, snap) = lookout::app::snapshot(&config, &mut store, None, clock()).expect("snapshot");
    let p = snap
        .outcomes
        .iter()
        .find(|o| o.endpoint == "performance")
        .expect("performance");
    assert_eq!(p.kind, model::OutcomeKind::HttpError);
    assert_eq!(p.detail.as_deref(), Some("HTTP 401: Not authenticated"));
    let h = snap
        .outcomes
        .iter()
        .find(|o| o.endpoint == "health")
        .expect("health");
    assert_eq!(h.kind, model::OutcomeKind::Ok, "public paths need no token");
    let failed: Vec<_> = snap
        .outcomes
        .iter()
        .filter(|o| !o.kind.is_ok())
        .map(|o| (o.endpoint.clone(), o.detail.clone()))
        .collect();
    assert_eq!(
        failed.len(),
        11,
        "the ten token-protected monitoring GETs, and the route list, a path the simulator does \
         not know, which it refuses without a token as the older Pharos does: {failed:?}"
    );
    assert!(failed.iter().any(|(e, _)| e == "routes"));
    // The site says why, naming the variable, not only the log.
    assert!(
        snap.reasons.iter().any(|r| r
            == "token not set: $E2E_TOKEN_UNSET_X is empty, so 12 endpoints that need it were not read"),
        "{:?}",
        snap.reasons
    );
    // And so does the command, on stderr.
    let cfg = write_config(&dir, &server.base_url(), "");
    let out = lookout_at(&cfg, &dir.join("cli-data"), &dir.join("cli-site"))
        .env_remove("E2E_TOKEN")
        .arg("snapshot")
        .output()
        .expect("snapshot");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("token not set: $E2E_TOKEN is empty"), "{err}");
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_incidents_reach_the_index_as_reasons() {
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![
        lookout::demo::Incident::RedisDown,
        lookout::demo::Incident::WorkerOffline,
    ]));
    let dir = temp("incident");
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{}\"\n", server.base_url()),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    let (_, snap) =
        lookout::app::snapshot(&config, &mut store, token.as_ref(), clock()).expect("snapshot");
    assert_eq!(snap.overall, model::Status::Degraded);
    lookout::app::build(&config, &mut store, &dir.join("site"), false, clock()).expect("build");
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    assert!(index.contains("Redis unavailable"));
    assert!(index.contains("Component redis: unhealthy"));
    assert!(
        index.contains("workers (Backend reports failure)"),
        "workers/status error body is a failed reading"
    );
    assert!(index.contains("Degraded performance"));
    // One snapshot into the incident: "Workers degraded" (celery down) and "Component down"
    // (redis, celery) hold, and are pending until their `for` has passed. Failed readings raise
    // no alert: they are Lookout's, not the backend's.
    let panel = index
        .split("id=\"alerts-h\">")
        .nth(1)
        .unwrap_or("")
        .split("</p>")
        .next()
        .unwrap_or("");
    // The counts are inside the live panel's placeholder, so the widget replaces them.
    assert!(
        panel.contains("<p class=\"count\">0 firing, ")
            && panel.ends_with("pending, as of the snapshot"),
        "alert panel: {panel}"
    );
    assert!(index.contains("<strong>Component down</strong>"));
    assert!(index.contains("<strong>Workers degraded</strong>"));
    assert!(!index.contains("Error rate above"));
    // Search reports itself healthy: no dependency graph is built in, so nothing marks it.
    assert!(!index.contains("affected:"), "no invented dependency");
    let analysis: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("site/data/analysis.json")).expect("analysis.json"),
    )
    .expect("json");
    let phases: Vec<&str> = analysis["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["phase"].as_str())
        .collect();
    assert!(
        phases.len() >= 2 && phases.iter().all(|p| *p == "pending"),
        "{phases:?}"
    );
    assert!(analysis["uptime"]["all"][0].as_f64().is_some());
    // The alerts pages: active alerts, filtered per severity without JavaScript.
    let all = std::fs::read_to_string(dir.join("site/alerts/index.html")).expect("alerts page");
    assert!(all.contains("Workers degraded") && all.contains("Component down"));
    let warning =
        std::fs::read_to_string(dir.join("site/alerts/warning.html")).expect("warning page");
    assert!(
        !warning.contains("Workers degraded"),
        "critical alerts are not on the warning page"
    );
    assert!(
        dir.join("site/alerts/history.csv").is_file()
            && dir.join("site/alerts/history.json").is_file()
    );
    // Badges say the status in words.
    let redis =
        std::fs::read_to_string(dir.join("site/badges/component/redis.svg")).expect("badge");
    assert!(redis.contains(">down</text>") && redis.contains("<title>redis: down</title>"));
    assert!(dir.join("site/badges/overall.svg").is_file());
    let feed = std::fs::read_to_string(dir.join("site/feed.atom")).expect("feed");
    assert!(
        feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert_eq!(broken_links(&dir.join("site")), Vec::<String>::new());
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_takes_a_snapshot_and_builds_then_stops_on_sigterm() {
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let dir = temp("run");
    let config = write_config(
        &dir,
        &server.base_url(),
        "[schedule]\ninterval_seconds = 10\n",
    );
    let once = bin()
        .args(["--config"])
        .arg(&config)
        .args(["--data-dir"])
        .arg(dir.join("data"))
        .args(["--out"])
        .arg(dir.join("site"))
        .args(["run", "--once"])
        .env("E2E_TOKEN", TOKEN)
        .output()
        .expect("run --once");
    assert!(
        once.status.success(),
        "{}",
        String::from_utf8_lossy(&once.stderr)
    );
    assert!(dir.join("site/index.html").is_file());
    assert!(!String::from_utf8_lossy(&once.stderr).contains(TOKEN));

    let mut looping = bin()
        .args(["--config"])
        .arg(&config)
        .args(["--data-dir"])
        .arg(dir.join("data"))
        .args(["--out"])
        .arg(dir.join("site"))
        .arg("run")
        .env("E2E_TOKEN", TOKEN)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run");
    // The first snapshot is taken at once; then it waits for the next 10 s tick.
    let started = std::time::Instant::now();
    let store_count = || {
        lookout::store::Store::open(&dir.join("data"))
            .and_then(|s| s.count())
            .unwrap_or(0)
    };
    while store_count() < 2 {
        assert!(
            started.elapsed().as_secs() < 20,
            "no snapshot from `lookout run`"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = looping.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = looping.wait().expect("wait");
    assert!(
        status.success(),
        "SIGTERM stops `lookout run` cleanly: {status:?}"
    );
    let leftovers: Vec<_> = files_under(&dir.join("site"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(lookout::render::TMP_SUFFIX))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
