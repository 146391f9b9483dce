//! Reads all targets, a bounded number at a time, with timeouts, bounded retries and a body size cap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{RawReading, Target, Token, TransportFailure};
use crate::config::Backend;

#[derive(Debug, Clone)]
pub struct FetchPolicy {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub retry_backoff: Duration,
    pub max_body_bytes: u64,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// A black-box check's: keep the server certificate (its expiry), trust these CAs too.
    pub tls_info: bool,
    pub ca_file: Option<std::path::PathBuf>,
}

impl FetchPolicy {
    pub fn from_backend(b: &Backend) -> FetchPolicy {
        FetchPolicy {
            connect_timeout: b.connect_timeout,
            timeout: b.timeout,
            retries: b.retries,
            retry_backoff: b.retry_backoff,
            max_body_bytes: b.max_body_bytes,
            concurrency: b.concurrency,
            tls_info: b.kind == crate::config::BackendKind::Http,
            ca_file: b.check.ca_file.clone(),
        }
    }

    pub fn client(&self) -> Result<reqwest::Client, reqwest::Error> {
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(concat!("lookout/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(3))
            .tls_info(self.tls_info);
        if let Some(path) = &self.ca_file {
            // Checked to be a file when the config was read; a file that is not PEM fails here.
            let pem = std::fs::read(path).unwrap_or_default();
            for cert in reqwest::Certificate::from_pem_bundle(&pem)? {
                b = b.add_root_certificate(cert);
            }
        }
        b.build()
    }
}

/// Reads every target, `policy.concurrency` at a time; the result is in the order of
/// `targets`. Never fails as a whole. A reading's latency is timed from its own start, not from
/// when it was queued.
pub async fn fetch_all(
    client: &reqwest::Client,
    targets: Vec<Target>,
    token: Option<&Token>,
    policy: &FetchPolicy,
) -> Vec<RawReading> {
    let mut set = JoinSet::new();
    let n = targets.len();
    let permits = Arc::new(Semaphore::new(policy.concurrency.max(1)));
    for (i, target) in targets.into_iter().enumerate() {
        let client = client.clone();
        let token = token.filter(|_| target.send_token).cloned();
        let policy = policy.clone();
        let permits = Arc::clone(&permits);
        set.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire_owned().await.ok();
            (i, fetch_one(&client, target, token.as_ref(), &policy).await)
        });
    }
    let mut out: Vec<Option<RawReading>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        // A panicking fetch would be a bug of ours; the reading is then simply missing.
        if let Ok((i, reading)) = joined {
            out[i] = Some(reading);
        }
    }
    out.into_iter().flatten().collect()
}

async fn fetch_one(
    client: &reqwest::Client,
    target: Target,
    token: Option<&Token>,
    policy: &FetchPolicy,
) -> RawReading {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let started = Instant::now();
        let (status, body, tls_not_after_ms) = if target.url.scheme() == "tcp" {
            (None, connect(&target, policy).await, None)
        } else {
            attempt_once(client, &target, token, policy).await
        };
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        // A check's 5xx is its answer, not a reading to try again.
        let check = matches!(target.options, super::sources::KindOptions::Check(_));
        let retryable = match (&status, &body) {
            (_, Err(TransportFailure::Unreachable(_))) => true,
            (Some(s), _) => *s >= 500 && !check,
            _ => false,
        };
        if retryable && attempt <= policy.retries {
            let backoff = policy.retry_backoff * 2u32.saturating_pow(attempt - 1);
            tokio::time::sleep(backoff).await;
            continue;
        }
        return RawReading {
            target,
            http_status: status,
            latency_ms,
            attempts: attempt,
            tls_not_after_ms,
            body,
        };
    }
}

/// A TCP connect within the timeout: an empty body when it connected.
async fn connect(target: &Target, policy: &FetchPolicy) -> Result<Vec<u8>, TransportFailure> {
    let host = target.url.host_str().unwrap_or_default().to_owned();
    let port = target.url.port().unwrap_or(0);
    match tokio::time::timeout(
        policy.connect_timeout,
        tokio::net::TcpStream::connect((host, port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(Vec::new()),
        Ok(Err(e)) => Err(TransportFailure::Unreachable(e.to_string())),
        Err(_) => Err(TransportFailure::Timeout("connect timed out".into())),
    }
}

type Answer = (Option<u16>, Result<Vec<u8>, TransportFailure>, Option<i64>);

async fn attempt_once(
    client: &reqwest::Client,
    target: &Target,
    token: Option<&Token>,
    policy: &FetchPolicy,
) -> Answer {
    let method = match &target.options {
        super::sources::KindOptions::Check(c) => {
            reqwest::Method::from_bytes(c.method.as_bytes()).unwrap_or(reqwest::Method::GET)
        }
        _ => reqwest::Method::GET,
    };
    let mut req = client
        .request(method, target.url.clone())
        .header("accept", "application/json");
    if let Some(t) = token {
        req = req.bearer_auth(t.expose());
    }
    let mut resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return (None, Err(classify(&e)), None),
    };
    let not_after = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.peer_certificate())
        .and_then(super::sources::http::cert::not_after_ms);
    let (status, body) = read_body(&mut resp, policy).await;
    (status, body, not_after)
}

async fn read_body(
    resp: &mut reqwest::Response,
    policy: &FetchPolicy,
) -> (Option<u16>, Result<Vec<u8>, TransportFailure>) {
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|len| len > policy.max_body_bytes)
    {
        return (
            Some(status),
            Err(TransportFailure::TooLarge(policy.max_body_bytes)),
        );
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if (body.len() + chunk.len()) as u64 > policy.max_body_bytes {
                    return (
                        Some(status),
                        Err(TransportFailure::TooLarge(policy.max_body_bytes)),
                    );
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return (Some(status), Ok(body)),
            Err(e) => return (Some(status), Err(classify(&e))),
        }
    }
}

fn classify(e: &reqwest::Error) -> TransportFailure {
    // The URL is left out of messages: a query string could carry something private.
    let text = error_chain(e);
    if e.is_timeout() {
        TransportFailure::Timeout(text)
    } else {
        TransportFailure::Unreachable(text)
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        let s = match s.find(" for url (") {
            Some(i) => s[..i].to_owned(),
            None => s,
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}
