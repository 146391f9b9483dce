//! Helpers shared by the end-to-end tests: temp folders, raw HTTP, link checking, the binary.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lookout::clock::Clock;
use lookout::demo::{self, Demo, DemoOptions, DemoServer, Incidents};

pub const TOKEN: &str = "e2e-secret-token-7f3a";

/// The time the tests act at: no outcome may hang on the day or hour they happen to run.
/// 2026-11-18T12:00:00Z: a Wednesday at noon UTC (13:00 in Berlin), days away from a month's
/// end and from summer time.
pub const NOW_MS: i64 = 1_795_003_200_000;

/// The tests' clock: it read `NOW` when the first test asked for it and runs on from there, so
/// commands run one after another get later times, as they would in real life, on any date.
pub fn clock() -> Clock {
    static ORIGIN: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(|| Clock::starting_at(NOW_MS))
}

/// `clock()`'s time now, as `--now` takes it (to the millisecond).
pub fn now_arg() -> String {
    let ms = clock().now_ms();
    format!(
        "{}.{:03}Z",
        model::time::format_iso(ms).trim_end_matches('Z'),
        ms.rem_euclid(1000)
    )
}

/// The system clock, for tests whose pages are read by a browser that judges freshness by its
/// own clock. Only differences of time matter there: their demo backends run without incidents.
pub fn live_clock() -> Clock {
    Clock::system()
}

/// The binary, its clock started at the tests' clock's time now.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lookout"));
    c.arg("--now").arg(now_arg());
    c
}

pub fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "lookout-e2e-{name}-{}-{}",
        std::process::id(),
        Clock::system().now_ms()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A demo backend on a free loopback port, with no random incidents unless asked.
pub fn demo_backend(incidents: Incidents) -> (Arc<Demo>, DemoServer) {
    demo_for("http://127.0.0.1:8000", 11, incidents, clock())
}

/// A demo backend for a browser test: simulated time is the system's.
pub fn live_demo_backend(incidents: Incidents) -> (Arc<Demo>, DemoServer) {
    demo_for("http://127.0.0.1:8000", 11, incidents, live_clock())
}

/// A demo backend that pages served from `origin` may call (CORS), its values from `seed`, its
/// simulated time from `clock`.
pub fn demo_for(
    origin: &str,
    seed: u64,
    incidents: Incidents,
    clock: Clock,
) -> (Arc<Demo>, DemoServer) {
    let now = clock.now_ms() as f64 / 1000.0;
    let d = Arc::new(Demo::new(
        DemoOptions {
            seed,
            speed: 1.0,
            token: TOKEN.into(),
            cors_origins: vec![origin.to_owned()],
            incidents,
            sleep: false,
            clock,
        },
        now - 3600.0,
    ));
    let server = demo::serve(Arc::clone(&d), 0).expect("demo backend");
    (d, server)
}

/// What the scheduled generator does once: a snapshot of `base_url`, then the site in `site`.
pub fn snapshot_and_build(
    base_url: &str,
    data: &Path,
    site: &Path,
    clock: Clock,
) -> (lookout::config::Config, lookout::store::Store) {
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{base_url}\"\n"),
        Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(data).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    lookout::app::snapshot(&config, &mut store, token.as_ref(), clock).expect("snapshot");
    lookout::app::build(&config, &mut store, site, false, clock).expect("build");
    (config, store)
}

/// The binary, on a config, data folder and output folder (the token in `E2E_TOKEN`).
pub fn lookout_at(config: &Path, data: &Path, out: &Path) -> Command {
    let mut c = bin();
    c.arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(out)
        .env("E2E_TOKEN", TOKEN);
    c
}

pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `request_target` exactly as written (no client normalises `..` away).
pub fn raw_http(addr: SocketAddr, method: &str, target: &str, extra: &[(&str, &str)]) -> HttpReply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw.get(split + 4..).unwrap_or(&[]).to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpReply {
        status,
        headers,
        body,
    }
}

pub use lookout::render::{broken_links, files_under};

/// A config file pointing at `base_url`, with the token in `E2E_TOKEN`.
pub fn write_config(dir: &Path, base_url: &str, extra: &str) -> PathBuf {
    let p = dir.join("lookout.toml");
    std::fs::write(
        &p,
        format!("[backend]\nbase_url = \"{base_url}\"\ntoken_env = \"E2E_TOKEN\"\ntimeout_ms = 5000\n{extra}"),
    )
    .expect("config");
    p
}

/// The demo's other kinds as further sources of a filled site (`lookout fill` reads them from
/// the simulator by path): the admin API as mapped JSON, with its services' dependencies and
/// check-now URLs, and the Prometheus exposition.
/// A site of every kind the demo has, in `dir`: two days of history, built, with the last
/// day's report. `(config, data folder, site)`.
pub fn site_of_every_kind(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (cfg, data, site) = (dir.join("lookout.toml"), dir.join("data"), dir.join("site"));
    std::fs::write(&cfg, format!("[backend]\n{}", demo_kinds_toml())).expect("cfg");
    for args in [
        vec!["fill", "--days", "2", "--step", "900", "--seed", "9"],
        vec!["build"],
        vec!["report"],
    ] {
        let out = bin()
            .args(["--config", cfg.to_str().unwrap_or_default()])
            .args(["--data-dir", data.to_str().unwrap_or_default()])
            .args(["--out", site.to_str().unwrap_or_default()])
            .args(&args)
            .output()
            .expect("lookout");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (cfg, data, site)
}

pub fn demo_kinds_toml() -> String {
    format!(
        "{}\n[[source]]\nname = \"metrics\"\nkind = \"prometheus\"\nbase_url = \"http://127.0.0.1:8765/prom/\"\n",
        lookout::demo::admin_api::EXAMPLE.replace(
            "https://admin.example.com/",
            "http://127.0.0.1:8765/admin-api/"
        )
    )
}
