//! The command line: help for every command, init, config errors, and the demo command itself.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

#[test]
fn every_command_has_help() {
    for cmd in [
        "demo", "init", "snapshot", "build", "serve", "run", "fill", "check", "bench",
    ] {
        let out = bin().args([cmd, "--help"]).output().expect("help");
        assert!(out.status.success(), "{cmd}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage: lookout"), "{cmd}: {text}");
    }
}

#[test]
fn init_writes_a_valid_config_and_refuses_to_overwrite() {
    let dir = temp("init");
    let path = dir.join("lookout.toml");
    let out = bin().current_dir(&dir).arg("init").output().expect("init");
    assert!(out.status.success());
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains("token_env") && text.starts_with('#'));
    let again = bin()
        .current_dir(&dir)
        .arg("init")
        .output()
        .expect("init again");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    // The written config is picked up and valid: `check` runs with it.
    let check = bin()
        .current_dir(&dir)
        .arg("check")
        .output()
        .expect("check");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_config_names_the_key_and_exits_2() {
    let dir = temp("badcfg");
    let p = dir.join("bad.toml");
    std::fs::write(&p, "[backend]\ntimeout_ms = 0\n").expect("w");
    let out = bin()
        .args(["--config"])
        .arg(&p)
        .arg("snapshot")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`backend.timeout_ms`") && err.contains("bad.toml"),
        "{err}"
    );
    std::fs::write(&p, "[site]\ntitel = \"x\"\n").expect("w");
    let out = bin()
        .args(["--config"])
        .arg(&p)
        .arg("build")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("titel"));
    let missing = bin()
        .args(["--config", "/nonexistent/lookout.toml", "build"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read config file"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `lookout demo`: fills history, serves the site, snapshots on its interval, stops cleanly on Ctrl-C.
#[test]
fn demo_command_serves_a_live_site_and_stops_on_ctrl_c() {
    let dir = temp("demo");
    let cfg = dir.join("lookout.toml");
    std::fs::write(&cfg, "[demo]\nport = 0\nhistory_days = 1\nhistory_step_seconds = 900\n[serve]\nbind = \"127.0.0.1:0\"\n").expect("cfg");
    let mut child = bin()
        .current_dir(&dir)
        .args(["demo", "--interval", "1"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("stderr.txt")).expect("stderr file"))
        .spawn()
        .expect("spawn demo");
    let stderr = || std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let started = Instant::now();
    let mut url = None;
    let mut seen = Vec::new();
    while let Some(Ok(line)) = lines.next() {
        seen.push(line.clone());
        if let Some(rest) = line.split("Lookout demo is running: ").nth(1) {
            url = Some(rest.trim().to_owned());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{seen:?}");
    }
    let url = url.unwrap_or_else(|| panic!("no URL printed: {seen:?}\n{}", stderr()));
    assert!(
        seen.iter().any(|l| l.starts_with("stored 96 snapshots")),
        "{seen:?}"
    );
    let addr: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("addr");
    let index = raw_http(addr, "GET", "/", &[]);
    assert_eq!(index.status, 200);
    assert!(String::from_utf8_lossy(&index.body).contains("All history (96 snapshots)"));
    // Yesterday's daily report was made, and the page shows it; every page has its icon.
    assert!(
        seen.iter().any(|l| l.starts_with("daily report for ")),
        "{seen:?}"
    );
    let reports = String::from_utf8_lossy(&raw_http(addr, "GET", "/reports/index.html", &[]).body)
        .into_owned();
    assert!(!reports.contains("No report yet"), "{reports}");
    assert_eq!(
        raw_http(addr, "GET", "/assets/favicon.svg", &[]).status,
        200
    );
    assert!(String::from_utf8_lossy(&index.body).contains("href=\"assets/favicon.svg\""));
    // Two live snapshots arrive (one per second here); the token to type is printed before.
    let mut live = 0;
    let mut token_line = None;
    while live < 2 {
        match lines.next() {
            Some(Ok(l)) => {
                if l.contains("incremental build") {
                    live += 1;
                }
                if let Some(t) = l
                    .split("API token (type it into the pages' token fields): ")
                    .nth(1)
                {
                    token_line = Some(t.trim().to_owned());
                }
            }
            _ => panic!("demo stopped early: {}", stderr()),
        }
    }
    let token = token_line.expect("the demo's token is printed");
    assert!(token.len() >= 16, "{token}");
    let index = String::from_utf8_lossy(&raw_http(addr, "GET", "/", &[]).body).into_owned();
    let sources = index
        .split("id=\"sources-h\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no Sources section"));
    // One demo, every kind: Pharos, the ML API (JSON), the admin API (mapped JSON) and a
    // Prometheus exposition, each with its own row.
    for name in ["pharos", "ml-api", "admin", "metrics"] {
        assert!(
            sources.contains(&format!("<th scope=\"row\">{name} ")),
            "{name}: {sources}"
        );
    }
    // The admin API's services and their dependencies are parts of the graph; the exposition's
    // counters are rates over the interval.
    let graph = String::from_utf8_lossy(&raw_http(addr, "GET", "/dependencies.html", &[]).body)
        .into_owned();
    assert!(
        graph.contains("admin/gateway") && graph.contains("admin/users-db"),
        "the graph"
    );
    let metrics =
        String::from_utf8_lossy(&raw_http(addr, "GET", "/metrics.html", &[]).body).into_owned();
    // Its WebSocket pool and middleware pipeline: sections of the index, each with its page.
    assert!(
        index.contains("href=\"sections/websocket.html\">WebSocket</a>")
            && index.contains("href=\"sections/middleware-pipeline.html\">Middleware pipeline</a>"),
        "the admin API's sections"
    );
    let ws = String::from_utf8_lossy(&raw_http(addr, "GET", "/sections/websocket.html", &[]).body)
        .into_owned();
    assert!(
        ws.contains("<meter min=\"0\" max=\"50\"")
            && ws.contains("WebSocket connections")
            && ws.contains("data-lookout-widget=\"operate\""),
        "the WebSocket page: {ws}"
    );
    // The admin API's own per-endpoint percentiles are rows of the latency heatmap.
    let latency = String::from_utf8_lossy(&raw_http(addr, "GET", "/latency/index.html", &[]).body)
        .into_owned();
    assert!(
        latency.contains("source.admin.latency.POST__api_items")
            && latency.contains("reported by its source"),
        "the heatmap"
    );
    let drill = raw_http(
        addr,
        "GET",
        "/latency/reported-source.admin.latency.post__api_items.html",
        &[],
    );
    assert_eq!(drill.status, 200, "its drill-down page");
    let drill = String::from_utf8_lossy(&drill.body).into_owned();
    assert!(drill.contains("p95 of source.admin.latency.POST__api_items"));
    // The admin API's own histogram and hourly trend of that endpoint, asked per endpoint.
    assert!(
        drill.contains("Histogram of source.admin.latency.POST__api_items as its source keeps it")
            && drill.contains("<th scope=\"row\">1000+</th>")
            && drill
                .contains("source.admin.latency.POST__api_items, hourly, as its source reports it"),
        "the backend's own detail: {drill}"
    );
    for m in [
        "source.metrics.service.requests.rate",
        "source.metrics.service.requests.latency.p95",
        "source.admin.latency.GET__api_items.p95",
    ] {
        assert!(metrics.contains(m), "{m} on the metrics page");
    }
    // The ML API's health endpoint is its own word on its availability.
    let ml = sources
        .split("<th scope=\"row\">ml-api ")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_default();
    assert!(!ml.contains("<td>not reported</td>"), "{ml}");
    // The history list is redrawn hourly or when a day is added, and says as of when: its
    // count is the filled history's or a later one.
    let history = String::from_utf8_lossy(&raw_http(addr, "GET", "/history/index.html", &[]).body)
        .into_owned();
    let counted: u32 = history
        .split(" snapshots over ")
        .next()
        .and_then(|h| h.rsplit('>').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count: {history}"));
    assert!((96..=99).contains(&counted), "{counted}");
    assert!(history.contains(" days, as of "), "{history}");
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "demo did not stop on Ctrl-C: {}",
            stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopping")), "{rest:?}");
    let check = bin()
        .current_dir(&dir)
        .arg("check")
        .output()
        .expect("check");
    assert!(check.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A token from the environment is used by the backend but never printed; the backend alone
/// writes no data folder and takes no lock.
#[test]
fn backend_only_never_prints_a_token_from_the_environment() {
    let dir = temp("backend-only");
    let mut child = bin()
        .current_dir(&dir)
        .args(["demo", "--backend-only", "--port", "0"])
        .env("LOOKOUT_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn backend");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    let addr: std::net::SocketAddr = first
        .trim_start_matches("demo backend listening on http://")
        .parse()
        .unwrap_or_else(|e| panic!("{first}: {e}"));
    assert!(
        !first.contains(TOKEN) && !second.contains(TOKEN),
        "{second}"
    );
    assert!(second.contains("$LOOKOUT_TOKEN"), "{second}");
    let auth = format!("Bearer {TOKEN}");
    let ok = raw_http(
        addr,
        "GET",
        "/api/monitoring/cache/stats",
        &[("Authorization", &auth)],
    );
    assert_eq!(ok.status, 200);
    let _ = child.kill();
    let _ = child.wait();
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("temp dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "--backend-only wrote {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn detect_scores_a_csv_file_and_a_stored_metric() {
    let dir = temp("detect");
    let input = dir.join("series.csv");
    let mut csv = String::from("timestamp,value\n");
    for i in 0..400 {
        let v = if i == 300 {
            90.0
        } else {
            10.0 + f64::from(i % 4) * 0.5
        };
        csv.push_str(&format!(
            "2026-11-{:02} {:02}:{:02}:00,{v}\n",
            1 + i / 1440,
            (i / 60) % 24,
            i % 60
        ));
    }
    std::fs::write(&input, csv).expect("csv");
    let out_path = dir.join("scores.csv");
    let out = bin()
        .args(["detect", "--input"])
        .arg(&input)
        .args(["--output"])
        .arg(&out_path)
        .output()
        .expect("detect");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scores = std::fs::read_to_string(&out_path).expect("scores");
    let rows: Vec<&str> = scores.lines().collect();
    assert_eq!(rows.len(), 401);
    assert!(
        rows[301].starts_with("2026-11-01 05:00:00,90,") && rows[301].ends_with(",spike"),
        "{}",
        rows[301]
    );
    // A threshold and a profile: the spike stays, a threshold out of range is bad input.
    for args in [["--threshold", "0.9"], ["--profile", "quiet"]] {
        let o = bin()
            .args(["detect", "--input"])
            .arg(&input)
            .args(args)
            .output()
            .expect("detect");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            text.lines().nth(301).is_some_and(|r| r.ends_with(",spike")),
            "{args:?}"
        );
    }
    let wrong = bin()
        .args(["detect", "--input"])
        .arg(&input)
        .args(["--threshold", "1.5"])
        .output()
        .expect("detect");
    assert_eq!(wrong.status.code(), Some(2));

    let bad = bin()
        .args(["detect", "--input"])
        .arg(&out_path)
        .output()
        .expect("bad header");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("timestamp,value"));

    let data = dir.join("data");
    let fill = bin()
        .args(["--data-dir"])
        .arg(&data)
        .args(["fill", "--days", "2"])
        .output()
        .expect("fill");
    assert!(fill.status.success());
    let stored = bin()
        .args(["--data-dir"])
        .arg(&data)
        .args([
            "detect",
            "--metric",
            "events.events_emitted",
            "--since",
            "3d",
        ])
        .output()
        .expect("detect metric");
    assert!(
        stored.status.success(),
        "{}",
        String::from_utf8_lossy(&stored.stderr)
    );
    assert!(String::from_utf8_lossy(&stored.stderr).contains("(scored as a counter)"));
    // One row per stored value (a snapshot whose reading failed has none), after the header.
    let values = lookout::store::Store::open(&data)
        .expect("store")
        .series("events.events_emitted", 0, i64::MAX)
        .expect("series")
        .len();
    assert!(values > 500, "{values} of 576 snapshots");
    assert_eq!(
        String::from_utf8_lossy(&stored.stdout).lines().count(),
        1 + values
    );
    let _ = std::fs::remove_dir_all(&dir);
}
