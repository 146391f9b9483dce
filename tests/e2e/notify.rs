//! Alert notifications to real webhooks (tiny_http in this process): grouped fires, one resolve, nothing twice across restarts, Slack bodies, the test command, a dead channel retried.

use std::path::Path;
use std::sync::{Arc, Mutex};

use lookout::demo::Incidents;
use serde_json::Value;

use crate::support::*;

/// A webhook receiver: every POST body, by path.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("receiver");
        let url = format!("http://{}", server.server_addr());
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&got);
        std::thread::spawn(move || {
            for mut req in server.incoming_requests() {
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                if let Ok(mut g) = sink.lock() {
                    g.push((req.url().to_owned(), v));
                }
                let _ = req.respond(tiny_http::Response::from_string("ok"));
            }
        });
        Receiver { url, got }
    }

    fn on(&self, path: &str) -> Vec<Value> {
        self.got
            .lock()
            .map(|g| {
                g.iter()
                    .filter(|(p, _)| p == path)
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn lookout(config: &Path, data: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    lookout_at(config, data, out)
        .args(args)
        .output()
        .expect("run lookout")
}

fn rules(threshold: &str, hooks: &str) -> String {
    format!(
        "[alerts]\ndefaults = false\n\
         [[alert]]\nname = \"Slow probe\"\nmetric = \"probe.latency_p95\"\nop = \">\"\nthreshold = {threshold}\nfor = \"0s\"\nseverity = \"warning\"\n\
         [[alert]]\nname = \"Probe errors\"\nmetric = \"probe.error_rate\"\nop = \">=\"\nthreshold = {threshold}\nfor = \"0s\"\nseverity = \"critical\"\n\
         {hooks}"
    )
}

#[test]
fn webhooks_get_one_grouped_fire_one_resolve_and_nothing_twice() {
    let dir = temp("notify");
    let rx = Receiver::start();
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let hooks = format!(
        "[[webhook]]\nurl = \"{0}/generic\"\n[[webhook]]\nurl = \"{0}/slack\"\nformat = \"slack\"\n",
        rx.url
    );
    let (data, out) = (dir.join("data"), dir.join("site"));
    // Both rules hold from the first snapshot (any value is >= 0).
    let firing = write_config(&dir, &server.base_url(), &rules("0", &hooks));
    for step in [["snapshot"], ["build"], ["notify"]] {
        let o = lookout(&firing, &data, &out, &step);
        assert!(
            o.status.success(),
            "{step:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let generic = rx.on("/generic");
    assert_eq!(
        generic.len(),
        1,
        "one message for alerts that fired together: {generic:?}"
    );
    assert_eq!(generic[0]["kind"], "fired");
    assert_eq!(generic[0]["count"], 2);
    assert_eq!(
        generic[0]["alerts"][0]["severity"], "critical",
        "worst first"
    );
    assert_eq!(generic[0]["alerts"][1]["rule"], "Slow probe");
    let slack = rx.on("/slack");
    assert_eq!(slack.len(), 1);
    assert!(
        slack[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("2 alerts firing"))
    );
    assert!(slack[0]["blocks"].is_array());

    // A restart (a new process): nothing new to say, nothing sent.
    let o = lookout(&firing, &data, &out, &["notify"]);
    assert!(o.status.success());
    assert_eq!(rx.on("/generic").len(), 1, "no duplicate after a restart");

    // The thresholds rise: the next snapshot resolves both, in one message.
    let calm = write_config(&dir, &server.base_url(), &rules("1000000000", &hooks));
    for step in [["snapshot"], ["build"], ["notify"], ["notify"]] {
        let o = lookout(&calm, &data, &out, &step);
        assert!(
            o.status.success(),
            "{step:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let generic = rx.on("/generic");
    assert_eq!(generic.len(), 2, "{generic:?}");
    assert_eq!(generic[1]["kind"], "resolved");
    assert_eq!(generic[1]["count"], 2);
    assert!(generic[1]["alerts"][0]["resolved_at"].is_string());
    assert_eq!(rx.on("/slack").len(), 2);

    // The test command: a marked sample on every channel, not recorded.
    let o = lookout(
        &calm,
        &data,
        &out,
        &["notify", "test", "--rule", "Slow probe"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let generic = rx.on("/generic");
    assert_eq!(generic.len(), 3);
    assert_eq!(generic[2]["test"], true);
    assert_eq!(generic[2]["alerts"][0]["rule"], "Slow probe");
    let unknown = lookout(&calm, &data, &out, &["notify", "test", "--rule", "nope"]);
    assert_eq!(unknown.status.code(), Some(2), "no such rule: bad input");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Slow probe"));

    // A channel that cannot be reached: the others still get theirs, the command says what
    // was not delivered, and it goes out once the channel answers.
    let dead = format!("{hooks}[[webhook]]\nurl_env = \"E2E_LATE_URL\"\n");
    let firing_dead = write_config(&dir, &server.base_url(), &rules("0", &dead));
    for step in [["snapshot"], ["build"]] {
        assert!(lookout(&firing_dead, &data, &out, &step).status.success());
    }
    let o = lookout(&firing_dead, &data, &out, &["notify"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a delivery failure, not bad input"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E2E_LATE_URL"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        rx.on("/generic").len(),
        4,
        "the reachable channel got the new fire"
    );
    let t = lookout(
        &firing_dead,
        &data,
        &out,
        &["notify", "test", "--rule", "Slow probe"],
    );
    assert_eq!(t.status.code(), Some(1), "a channel failed its test");
    assert!(
        String::from_utf8_lossy(&t.stdout).contains("webhook 3: FAILED"),
        "{}",
        String::from_utf8_lossy(&t.stdout)
    );
    assert_eq!(
        rx.on("/generic").len(),
        5,
        "the reachable channel got the test"
    );
    let late = lookout_at(&firing_dead, &data, &out)
        .arg("notify")
        .env("E2E_LATE_URL", format!("{}/late", rx.url))
        .output()
        .expect("notify");
    assert!(
        late.status.success(),
        "{}",
        String::from_utf8_lossy(&late.stderr)
    );
    let on_late = rx.on("/late");
    assert_eq!(on_late.len(), 1, "delivered once the channel answers");
    assert_eq!(on_late[0]["kind"], "fired");
    assert_eq!(rx.on("/generic").len(), 5, "and nothing again elsewhere");
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
