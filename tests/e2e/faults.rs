//! Collector faults against a real misbehaving server: each is recorded, the rest still succeed.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lookout::demo::Incidents;
use lookout::http::{HttpRequest, HttpResponse};
use model::OutcomeKind;

use crate::support::*;

struct FaultServer {
    addr: SocketAddr,
    hits_500: Arc<AtomicUsize>,
    hits_flaky: Arc<AtomicUsize>,
    _server: lookout::http::HttpServer,
}

fn fault_server() -> FaultServer {
    let hits_500 = Arc::new(AtomicUsize::new(0));
    let hits_flaky = Arc::new(AtomicUsize::new(0));
    let (h500, flaky) = (Arc::clone(&hits_500), Arc::clone(&hits_flaky));
    let json = |status, body: String| HttpResponse::new(status, "application/json", body);
    let server = lookout::http::start(
        (Ipv4Addr::LOCALHOST, 0).into(),
        Arc::new(move |req: HttpRequest| match req.target.as_str() {
            "/slow" => {
                std::thread::sleep(Duration::from_millis(1500));
                json(200, "{}".into())
            }
            "/err500" => {
                h500.fetch_add(1, Ordering::SeqCst);
                json(500, "{\"detail\":\"boom\"}".into())
            }
            "/flaky" => {
                if flaky.fetch_add(1, Ordering::SeqCst) == 0 {
                    json(503, "{}".into())
                } else {
                    json(200, "{\"status\":\"ok\",\"depth\":4}".into())
                }
            }
            "/garbage" => json(200, "{\"status\": \"ok\", <html>".into()),
            "/huge" => json(200, format!("{{\"pad\":\"{}\"}}", "x".repeat(200_000))),
            "/bare" => json(200, "\"just a string\"".into()),
            _ => json(404, "{}".into()),
        }),
    )
    .expect("fault server");
    FaultServer {
        addr: server.addr,
        hits_500,
        hits_flaky,
        _server: server,
    }
}

fn closed_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

#[test]
fn each_fault_is_recorded_while_every_other_endpoint_succeeds() {
    let (_demo, backend) = demo_backend(Incidents::Fixed(vec![]));
    let faults = fault_server();
    let f = faults.addr;
    let refused = closed_port();
    let toml = format!(
        "[backend]\nbase_url = \"{}\"\ntimeout_ms = 500\nretries = 2\nretry_backoff_ms = 10\nmax_body_bytes = 65536\n\
         [[endpoint]]\nname = \"slow\"\nurl = \"http://{f}/slow\"\n\
         [[endpoint]]\nname = \"err500\"\nurl = \"http://{f}/err500\"\n\
         [[endpoint]]\nname = \"flaky\"\nurl = \"http://{f}/flaky\"\n\
         [[endpoint]]\nname = \"garbage\"\nurl = \"http://{f}/garbage\"\n\
         [[endpoint]]\nname = \"huge\"\nurl = \"http://{f}/huge\"\n\
         [[endpoint]]\nname = \"bare\"\nurl = \"http://{f}/bare\"\n\
         [[endpoint]]\nname = \"refused\"\nurl = \"http://127.0.0.1:{refused}/x\"\n",
        backend.base_url()
    );
    let config = lookout::config::Config::from_toml(&toml, std::path::Path::new("faults.toml"))
        .expect("config");
    let dir = temp("faults");
    let mut store = lookout::store::Store::open(&dir).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    let (meta, snap) = lookout::app::snapshot(&config, &mut store, token.as_ref(), clock())
        .expect("snapshot never fails");

    let kind = |name: &str| {
        snap.outcomes
            .iter()
            .find(|o| o.endpoint == format!("custom.{name}"))
            .unwrap_or_else(|| panic!("{name} not recorded"))
    };
    assert_eq!(kind("slow").kind, OutcomeKind::Timeout);
    assert_eq!(kind("slow").attempts, 1, "timeouts are not retried");
    assert_eq!(kind("err500").kind, OutcomeKind::HttpError);
    assert_eq!(kind("err500").http_status, Some(500));
    assert_eq!(kind("err500").attempts, 3);
    assert_eq!(
        faults.hits_500.load(Ordering::SeqCst),
        3,
        "bounded retries on 5xx"
    );
    assert_eq!(kind("flaky").kind, OutcomeKind::Ok);
    assert_eq!(kind("flaky").attempts, 2);
    assert_eq!(faults.hits_flaky.load(Ordering::SeqCst), 2);
    assert_eq!(snap.metric("flaky.depth").map(|m| m.value), Some(4.0));
    assert_eq!(kind("garbage").kind, OutcomeKind::InvalidJson);
    assert_eq!(kind("huge").kind, OutcomeKind::TooLarge);
    assert_eq!(kind("bare").kind, OutcomeKind::UnexpectedShape);
    assert_eq!(kind("refused").kind, OutcomeKind::Unreachable);
    assert_eq!(kind("refused").attempts, 3, "connect errors are retried");
    let pharos_failed: Vec<_> = snap
        .outcomes
        .iter()
        .filter(|o| !o.endpoint.starts_with("custom.") && !o.kind.is_ok())
        .collect();
    assert!(pharos_failed.is_empty(), "{pharos_failed:?}");
    assert_eq!(meta.failed, 6);
    assert!(snap.metric("cache.hit_rate").is_some());
    // Stored as one snapshot with every outcome.
    let stored = store.get(meta.id).expect("get").expect("stored");
    assert_eq!(stored.snapshot.outcomes.len(), 30 + 7);
    assert!(store.check().expect("check").is_empty());
    backend.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_backend_that_is_not_there_gives_a_down_snapshot_not_an_error() {
    let config = lookout::config::Config::from_toml(
        &format!(
            "[backend]\nbase_url = \"http://127.0.0.1:{}\"\nretries = 0\n",
            closed_port()
        ),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let dir = temp("down");
    let mut store = lookout::store::Store::open(&dir).expect("store");
    let (meta, snap) =
        lookout::app::snapshot(&config, &mut store, None, clock()).expect("snapshot");
    assert_eq!(snap.overall, model::Status::Down);
    assert_eq!(meta.failed as usize, snap.outcomes.len());
    assert!(
        snap.outcomes
            .iter()
            .all(|o| o.kind == OutcomeKind::Unreachable)
    );
    lookout::app::build(&config, &mut store, &dir.join("site"), false, clock())
        .expect("build still works");
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    assert!(index.contains("Major outage") && index.contains("health endpoint could not be read"));
    let _ = std::fs::remove_dir_all(&dir);
}
