//! Collect stage: read every endpoint (HTTP), then turn the raw readings into a typed `Snapshot`.

mod assemble;
mod extract;
mod http;
pub mod sources;

pub use assemble::{Assembled, assemble};
pub use extract::seg;
pub use http::{FetchPolicy, fetch_all};
pub use sources::pharos::lists;
pub use sources::targets;

use std::fmt;

/// One endpoint to read.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Stable id (`health`, `module.search`, `custom.queue`); its kind decodes the answer by it.
    pub endpoint: String,
    /// Path and query relative to the backend's base URL, or a full URL for extra endpoints.
    pub path: String,
    pub url: reqwest::Url,
    pub needs_auth: bool,
    /// This answer carries the source's own word on its health (availability, overall status).
    pub health: bool,
    /// The kind that reads it (`sources::of`).
    pub source: &'static str,
}

/// Why no body could be read.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportFailure {
    Timeout(String),
    Unreachable(String),
    TooLarge(u64),
}

/// One endpoint's raw answer, before any parsing.
#[derive(Debug, Clone)]
pub struct RawReading {
    pub target: Target,
    pub http_status: Option<u16>,
    pub latency_ms: f64,
    pub attempts: u32,
    pub body: Result<Vec<u8>, TransportFailure>,
}

/// The bearer token, read from the environment. Never printed, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(value: String) -> Option<Token> {
        let v = value.trim().to_owned();
        (!v.is_empty()).then_some(Token(v))
    }

    /// Reads the variable named in the config; an unset or empty variable means no token.
    pub fn from_env(var: &str) -> Option<Token> {
        std::env::var(var).ok().and_then(Token::new)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// One snapshot of every endpoint. Never fails: each endpoint's failure is recorded in its outcome.
pub async fn collect(
    config: &crate::config::Config,
    client: &reqwest::Client,
    token: Option<&Token>,
    clock: crate::clock::Clock,
) -> Assembled {
    let policy = FetchPolicy::from_backend(&config.backend);
    let taken_at_ms = clock.now_ms();
    let started = std::time::Instant::now();
    let readings = fetch_all(client, targets(config), token, &policy).await;
    assemble(
        taken_at_ms,
        started.elapsed().as_secs_f64() * 1000.0,
        readings,
    )
}

#[cfg(test)]
mod tests;
