//! A server replaying recorded answers of a real Pharos (`tests/fixtures/pharos-real/`), one
//! scenario at a time, as that backend answered them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

/// One recorded answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The recording sent a credential: asked without one, the backend would have refused.
    sent_token: bool,
}

/// Answers each request with the recording of the same method and path (query included).
pub struct Replay {
    server: Arc<tiny_http::Server>,
    pub base: String,
    worker: Option<std::thread::JoinHandle<()>>,
}

pub fn fixtures(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
}

/// The scenarios that were recorded with a refused credential or none: every answer of theirs
/// was recorded, and what was not would have been the auth middleware's 401.
fn is_auth_scenario(s: &str) -> bool {
    matches!(s, "no-token" | "bad-token" | "wrong-token-kind")
}

/// Which credential the recordings Lookout is served were sent with.
fn credential_of(scenario: &str) -> Option<&'static str> {
    match scenario {
        "no-token" => None,
        "bad-token" => Some("Bearer not-a-valid-token"),
        "wrong-token-kind" => Some("other kind"),
        _ => Some("Bearer <token>"),
    }
}

fn load(dir: &Path, credential: Option<&str>, into: &mut HashMap<(String, String), Answer>) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    // Of two calls to one endpoint (`_after-drain`, `_error`), the first recorded name wins: the
    // shorter one, with no suffix.
    files.sort_by_key(|p| std::cmp::Reverse(p.to_string_lossy().len()));
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture");
        let v: Value = serde_json::from_str(&text).expect("fixture json");
        let auth = v["request_headers"]["Authorization"].as_str();
        let matches = match (credential, auth) {
            (None, None) => true,
            (Some("other kind"), Some(a)) => a.starts_with("Bearer <") && a != "Bearer <token>",
            (Some(c), Some(a)) => c == a,
            _ => false,
        };
        // Answers recorded without a credential hold whoever asks (a public heartbeat POST),
        // unless the backend refused them for want of one.
        let refused = v["status"].as_u64() == Some(401);
        if !matches && (auth.is_some() || refused) {
            continue;
        }
        let kind = v["content_type"]
            .as_str()
            .unwrap_or("application/json")
            .to_owned();
        let body = match &v["body"] {
            Value::String(s) if !kind.contains("json") => s.clone().into_bytes(),
            b => serde_json::to_vec(b).expect("body"),
        };
        let mut headers: Vec<(String, String)> = v["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".into(), kind));
        }
        let key = (
            v["method"].as_str().unwrap_or("GET").to_owned(),
            v["path"].as_str().unwrap_or("").to_owned(),
        );
        into.insert(
            key,
            Answer {
                status: v["status"].as_u64().unwrap_or(0) as u16,
                headers,
                body,
                sent_token: auth.is_some(),
            },
        );
    }
}

impl Replay {
    /// Every file of one folder, whoever asks; 404 for anything not recorded.
    pub fn start(dir: &Path) -> Replay {
        let mut answers = HashMap::new();
        load(dir, Some("Bearer <token>"), &mut answers);
        Replay::serve(answers, 404)
    }

    /// One scenario of one version. Scenarios that recorded only what they changed (a busy
    /// worker, a full queue) are laid over `healthy`, recorded on the same process just before;
    /// a wrong kind of token over a bad one. An answer recorded with a token is refused (401)
    /// when Lookout does not send one.
    pub fn scenario(version: &str, scenario: &str) -> Replay {
        let root = fixtures("pharos-real").join(version);
        let credential = credential_of(scenario);
        let mut answers = HashMap::new();
        let under = match scenario {
            "no-token" | "bad-token" | "healthy" => None,
            "wrong-token-kind" => Some("bad-token"),
            _ => Some("healthy"),
        };
        if let Some(u) = under {
            load(&root.join(u), credential_of(u), &mut answers);
        }
        load(&root.join(scenario), credential, &mut answers);
        let unrecorded = if is_auth_scenario(scenario) { 401 } else { 404 };
        Replay::serve(answers, unrecorded)
    }

    fn serve(answers: HashMap<(String, String), Answer>, unrecorded: u16) -> Replay {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("replay server"));
        let base = format!("http://{}/", server.server_addr());
        let s = Arc::clone(&server);
        let worker = std::thread::spawn(move || {
            for req in s.incoming_requests() {
                let key = (req.method().as_str().to_owned(), req.url().to_owned());
                let has_token = req.headers().iter().any(|h| h.field.equiv("Authorization"));
                let refused = Answer {
                    status: 401,
                    headers: vec![
                        ("Content-Type".into(), "application/json".into()),
                        ("WWW-Authenticate".into(), "Bearer".into()),
                    ],
                    body: br#"{"detail":"Not authenticated"}"#.to_vec(),
                    sent_token: false,
                };
                let a = match answers.get(&key) {
                    Some(a) if a.sent_token && !has_token => refused,
                    Some(a) => a.clone(),
                    None if unrecorded == 401 => refused,
                    None => Answer {
                        status: 404,
                        headers: vec![("Content-Type".into(), "application/json".into())],
                        body: br#"{"detail":"Not Found"}"#.to_vec(),
                        sent_token: false,
                    },
                };
                let mut resp = tiny_http::Response::from_data(a.body).with_status_code(a.status);
                for (k, v) in &a.headers {
                    if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                        resp = resp.with_header(h);
                    }
                }
                let _ = req.respond(resp);
            }
        });
        Replay {
            server,
            base,
            worker: Some(worker),
        }
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
