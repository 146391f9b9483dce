//! A hostile backend: the demo's answers, each snapshot bent by another fault (the largest
//! floats, NaN as text, 300-character and control-character names, 3,000 keys, deep nesting,
//! garbage, HTML, huge strings, injected markup). Every snapshot is stored, every build
//! finishes, and nothing hostile reaches a file of the site or its name.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lookout::demo::{DemoRequest, Incidents};
use lookout::http::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::support::{TOKEN, clock, demo_backend, files_under, temp};

const KINDS: usize = 20;
const INJECTED: &str = "\u{1b}]0;pwn\u{7}\u{1b}[2J<script>alert(1)</script>\0\r\nX-Forged: 1";

fn map_numbers(v: &mut Value, f: &dyn Fn(f64) -> Value) {
    match v {
        Value::Number(n) => *v = f(n.as_f64().unwrap_or(0.0)),
        Value::Array(a) => a.iter_mut().for_each(|x| map_numbers(x, f)),
        Value::Object(o) => o.values_mut().for_each(|x| map_numbers(x, f)),
        _ => {}
    }
}

fn map_strings(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| map_strings(x, f)),
        Value::Object(o) => o.values_mut().for_each(|x| map_strings(x, f)),
        _ => {}
    }
}

fn map_keys(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| map_keys(x, f)),
        Value::Object(o) => {
            let old = std::mem::take(o);
            for (k, mut x) in old {
                map_keys(&mut x, f);
                o.insert(f(&k), x);
            }
        }
        _ => {}
    }
}

fn widen(v: &mut Value) {
    match v {
        Value::Array(a) => {
            let copy = a.clone();
            for _ in 0..300 {
                a.extend(copy.iter().cloned());
            }
        }
        Value::Object(o) => {
            o.values_mut().for_each(widen);
            for i in 0..3000 {
                o.insert(format!("k{i}"), Value::from(i));
            }
        }
        _ => {}
    }
}

/// The answer `body` bent by fault `kind` (0 is none), with its status.
fn bend(kind: usize, status: u16, body: &[u8]) -> (u16, Vec<u8>) {
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return (status, body.to_vec());
    };
    let num = |x: f64| Value::from(x);
    match kind {
        1 => map_numbers(&mut v, &|_| num(1e308)),
        2 => map_numbers(&mut v, &|_| num(f64::MAX)),
        3 => map_numbers(&mut v, &|_| num(-f64::MAX)),
        4 => map_numbers(&mut v, &|_| num(5e-324)),
        5 => map_numbers(&mut v, &|_| Value::from("NaN")),
        6 => map_numbers(&mut v, &|x| serde_json::json!({ "v": x })),
        7 => map_keys(&mut v, &|k| format!("{k}{}", "k".repeat(300))),
        8 => map_keys(&mut v, &|k| format!("{k}{INJECTED}")),
        9 => map_strings(&mut v, &|_| INJECTED.to_owned()),
        10 => widen(&mut v),
        11 => {
            for _ in 0..400 {
                v = Value::Array(vec![v]);
            }
        }
        12 => return (200, b"{\"status\": \"ok\", <html>".to_vec()),
        13 => return (200, Vec::new()),
        14 => return (200, b"<!doctype html><h1>Welcome to nginx</h1>".to_vec()),
        15 => {
            return (
                500,
                format!("{{\"detail\":\"{}\"}}", INJECTED.replace('\0', "")).into_bytes(),
            );
        }
        16 => map_strings(&mut v, &|_| "x".repeat(100_000)),
        17 => map_strings(&mut v, &|s| {
            format!("{s} / ../../{}", "n a m e ".repeat(40))
        }),
        18 => map_strings(&mut v, &|s| format!("\u{202e}{s}\u{200b}\u{feff}")),
        19 => map_numbers(&mut v, &|x| num(-x * 1e12)),
        _ => {}
    }
    (status, serde_json::to_vec(&v).unwrap_or_default())
}

/// `f` on a thread, failing (not hanging the suite) when it takes more than `limit`.
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let t = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    let got = rx
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} did not finish in {limit:?}"));
    (got, t.elapsed())
}

fn no_hostile_bytes(site: &Path) {
    let files = files_under(site);
    for f in &files {
        let name = f.file_name().map_or(0, |n| n.len());
        assert!(name <= 120, "a long file name: {}", f.display());
        let text_like = f
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x, "html" | "json" | "csv" | "svg" | "atom" | "txt"));
        if !text_like {
            continue;
        }
        let bytes = std::fs::read(f).expect("read");
        assert!(
            !bytes.iter().any(|b| *b == 0 || *b == 0x1b || *b == 0x07),
            "a control character in {}",
            f.display()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("\\u001b") && !text.contains("\\u0000"),
            "{}",
            f.display()
        );
        // Data files carry the backend's words as data (widgets show them as text); markup
        // files must have them escaped.
        let markup = f.extension().is_some_and(|x| x != "json" && x != "csv");
        assert!(
            !(markup && text.contains("<script>alert(1)")),
            "markup injected into {}",
            f.display()
        );
    }
}

#[test]
fn a_hostile_backend_never_stops_a_snapshot_or_a_build() {
    let dir = temp("hostile");
    let (demo, _unused) = demo_backend(Incidents::Fixed(vec![]));
    let round = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&round);
    let server = lookout::http::start(
        ([127, 0, 0, 1], 0).into(),
        Arc::new(move |req: HttpRequest| {
            let reply = demo.respond(
                DemoRequest {
                    method: &req.method,
                    target: &req.target,
                    authorization: req.header("Authorization"),
                    origin: None,
                    body: &req.body,
                },
                demo.sim_now(),
            );
            let (status, body) = bend(r.load(Ordering::SeqCst) % KINDS, reply.status, &reply.body);
            HttpResponse::new(status, "application/json", body)
        }),
    )
    .expect("hostile server");
    let config = lookout::config::Config::from_toml(
        &format!(
            "[backend]\nbase_url = \"http://{}/\"\ntimeout_ms = 5000\nretries = 0\n",
            server.addr
        ),
        Path::new("t.toml"),
    )
    .expect("config");
    let config = Arc::new(config);
    let (data, site) = (dir.join("data"), dir.join("site"));
    let token = lookout::collect::Token::new(TOKEN.into());
    // Each build's work: the files it wrote and how much the site grew (no timing: a loaded CI
    // machine makes any time bound flaky; the time limit only catches a build that hangs).
    let build = |full: bool, what: String, limit: Duration| {
        let (config, data, site) = (Arc::clone(&config), data.clone(), site.clone());
        within(limit, &what, move || {
            let mut store = lookout::store::Store::open(&data).expect("store");
            let r = lookout::app::build(&config, &mut store, &site, full, clock()).expect("build");
            (r.written, r.site_bytes)
        })
        .0
    };
    let mut normal = (0usize, 0u64);
    let mut worst = ((0usize, 0u64), 0);
    let mut site_bytes = 0u64;
    let rounds = 3 * KINDS;
    for i in 0..rounds {
        round.store(i, Ordering::SeqCst);
        let mut store = lookout::store::Store::open(&data).expect("store");
        let (meta, snap) =
            lookout::app::snapshot(&config, &mut store, token.as_ref(), clock()).expect("snapshot");
        drop(store);
        let kind = i % KINDS;
        if matches!(kind, 1..=3) {
            assert!(
                snap.metrics.iter().all(|m| m.value.abs() <= 1e15),
                "fault {kind}: a number beyond the edge's range was stored"
            );
            assert!(
                snap.facts.iter().any(|f| f.value.contains("out of range")),
                "fault {kind}: the refused number is kept as text"
            );
        }
        if kind == 10 {
            // The source's own limit, and Lookout's figures of it (status, read latency) beside.
            assert!(snap.metrics.len() <= 2100, "{}", snap.metrics.len());
            assert!(
                snap.facts
                    .iter()
                    .any(|f| f.name == lookout::collect::guard::DROPPED),
                "the source says what its limits dropped"
            );
        }
        if matches!(kind, 12..=14) {
            assert!(meta.failed > 0, "fault {kind}: recorded as failed readings");
        }
        let (written, bytes) = build(
            false,
            format!("the build after fault {kind}"),
            Duration::from_secs(120),
        );
        let work = (written, bytes.saturating_sub(site_bytes));
        site_bytes = bytes;
        // The first round's builds make the site; later rounds show what one snapshot costs.
        if i >= KINDS {
            if kind == 0 {
                normal = (normal.0.max(work.0), normal.1.max(work.1));
            } else if work.0 > worst.0.0 || work.1 > worst.0.1 {
                worst = ((work.0.max(worst.0.0), work.1.max(worst.0.1)), kind);
            }
        }
    }
    let store = lookout::store::Store::open(&data).expect("store");
    assert_eq!(
        store.count().expect("count"),
        rounds as u64,
        "every snapshot stored"
    );
    assert!(store.check().expect("check").is_empty());
    drop(store);
    build(true, "the full build".into(), Duration::from_secs(300));
    // No fault makes a build explode: at most ten times a normal build's files and growth.
    assert!(normal.0 > 0, "a normal build writes files");
    assert!(
        worst.0.0 <= (normal.0 * 10).max(100) && worst.0.1 <= (normal.1 * 10).max(5 << 20),
        "fault {} wrote {} files and grew the site {} bytes, a normal build {normal:?}",
        worst.1,
        worst.0.0,
        worst.0.1
    );
    no_hostile_bytes(&site);
    let files = files_under(&site).len();
    assert!(files < 6000, "{files} files: the limits bound the site");
    let _ = std::fs::remove_dir_all(&dir);
}
