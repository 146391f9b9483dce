//! `kind = "prometheus"` end to end: a real node exporter process scraped by the binary, and a
//! client library's exposition whose counters move between two snapshots.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lookout::clock::Clock;

use crate::support::{NOW_MS, temp};

/// The binary at a clock of our choosing (`support::bin` sets its own).
fn lookout_at_time(config: &Path, data: &Path, site: &Path, ms: i64) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lookout"));
    c.arg("--now")
        .arg(model::time::format_iso(ms))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(site);
    c
}

/// Debian's node exporter, on a free loopback port; killed when dropped.
struct NodeExporter {
    child: Child,
    base: String,
}

impl NodeExporter {
    fn start() -> NodeExporter {
        let Some(bin) = crate::a11y::on_path("prometheus-node-exporter") else {
            // Never a silent pass: tests/run.sh installs it.
            panic!(
                "prometheus-node-exporter is missing: apt-get install prometheus-node-exporter (tests/run.sh does this)"
            );
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new(bin)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node exporter");
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "node exporter did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        NodeExporter {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two snapshots of a real exporter by the binary, 30 s apart on the injected clock, then the
/// site: its gauges, its collectors as parts, its counters as rates.
#[test]
fn a_real_node_exporter_scraped_by_the_binary() {
    let exporter = NodeExporter::start();
    let dir = temp("prom-node");
    let config = dir.join("lookout.toml");
    std::fs::write(
        &config,
        format!(
            "[backend]\nkind = \"prometheus\"\nbase_url = \"{}\"\nmax_series = 2000\npart_metric = \"node_scrape_collector_success\"\npart_label = \"collector\"\n",
            exporter.base
        ),
    )
    .expect("config");
    let (data, site) = (dir.join("data"), dir.join("site"));
    for i in 0..2 {
        let out = lookout_at_time(&config, &data, &site, NOW_MS + i * 30_000)
            .arg("snapshot")
            .output()
            .expect("snapshot");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = lookout_at_time(&config, &data, &site, NOW_MS + 60_000)
        .arg("build")
        .output()
        .expect("build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let latest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("data/latest.json")).expect("latest"),
    )
    .expect("json");
    let page = latest["page"].as_str().expect("page");
    let snapshot = std::fs::read_to_string(site.join(page)).expect("snapshot page");
    assert!(snapshot.contains("<code>node_load1</code>"), "a gauge");
    // A counter's rate over the 30 s between the two snapshots.
    assert!(
        snapshot.contains("<code>node_context_switches_total.per_s</code>"),
        "a counter's rate"
    );
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(index.contains("cpu"), "the cpu collector as a part");
    let part = std::fs::read_to_string(site.join("components/cpu.html")).expect("cpu page");
    assert!(part.contains("Healthy"), "the collector succeeded");
    // An exporter says nothing of the service's requests: not reported, not 0.
    assert!(
        index.contains("not reported by the metrics endpoint"),
        "{}",
        &index[..index.len().min(400)]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server answering a client library's recorded exposition, then the same with 398 more
/// requests of which 8 failed: the index's request figures are those counters' over the interval.
#[test]
fn request_counters_give_the_request_rate_and_error_rate() {
    let first = std::fs::read_to_string(crate::recorded::fixtures(
        "prometheus/python-client-0.21.1-openmetrics.txt",
    ))
    .expect("fixture");
    let second = first
        .replace(
            "http_requests_total{code=\"200\",path=\"/api/items\"} 1200.0",
            "http_requests_total{code=\"200\",path=\"/api/items\"} 1590.0",
        )
        .replace(
            "http_requests_total{code=\"500\",path=\"/api/items\"} 12.0",
            "http_requests_total{code=\"500\",path=\"/api/items\"} 20.0",
        );
    assert_ne!(first, second);
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("server"));
    let base = format!("http://{}", server.server_addr());
    let s = Arc::clone(&server);
    let answers = [first, second];
    let worker = std::thread::spawn(move || {
        for (i, req) in s.incoming_requests().enumerate() {
            let body = answers[i.min(1)].clone();
            let kind = tiny_http::Header::from_bytes(
                "Content-Type",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )
            .expect("header");
            let _ = req.respond(tiny_http::Response::from_string(body).with_header(kind));
        }
    });
    let dir = temp("prom-requests");
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nkind = \"prometheus\"\nbase_url = \"{base}\"\n"),
        Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    for i in 0..2 {
        let clock = Clock::starting_at(NOW_MS + i * 20_000);
        lookout::app::snapshot(&config, &mut store, None, clock).expect("snapshot");
    }
    let clock = Clock::starting_at(NOW_MS + 40_000);
    lookout::app::build(&config, &mut store, &dir.join("site"), false, clock).expect("build");
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    let tile = |label: &str| {
        index
            .split(&format!("<span class=\"tile-label\">{label}</span>"))
            .nth(1)
            .and_then(|t| t.split("</li>").next())
            .unwrap_or_else(|| panic!("no {label} tile"))
            .to_owned()
    };
    // 8 of 398 requests failed over the 20 s: 2.01 %, 19.9 requests a second.
    let errors = tile("Request error rate");
    assert!(errors.contains("2.01"), "{errors}");
    assert!(errors.contains("request counters"), "{errors}");
    let rate = tile("Request rate");
    assert!(rate.contains("19.9"), "{rate}");
    server.unblock();
    let _ = worker.join();
    let _ = std::fs::remove_dir_all(&dir);
}
