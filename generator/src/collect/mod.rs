//! Collect stage: read every endpoint (HTTP), then turn the raw readings into a typed `Snapshot`.

mod assemble;
mod carry;
mod extract;
pub mod guard;
mod http;
mod merge;
pub use merge::metric_name;

/// The metric holding a part's status (`status.component.redis`): 0 healthy, 1 degraded, 2 down.
/// A further source's part `queue/stats` is `status.component.queue_stats`, as `merge` names it.
pub fn status_metric(kind: &str, part: &str) -> String {
    format!("status.{kind}.{}", extract::seg(&part.to_ascii_lowercase()))
}
pub mod rates;
pub mod sources;

pub use assemble::{Assembled, assemble, assemble_within};
pub use carry::{NOT_READ, carry_unread};
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
    /// Protected: answers 401 without the token.
    pub needs_auth: bool,
    /// Sent the token when one is configured (every endpoint of a backend that takes one: a
    /// version may protect what another left public).
    pub send_token: bool,
    /// This answer carries the source's own word on its health (availability, overall status).
    pub health: bool,
    /// The kind that reads it (`sources::of`).
    pub source: &'static str,
    /// Not every version of the backend has it: a 404 means "not in this version", not a failure.
    pub optional: bool,
    /// Its raw body is stored with the snapshot (false for large discovery answers such as a
    /// route list, read for what it leads to and not worth keeping every minute).
    pub keep_body: bool,
    /// What its kind's config says of how to read the answer.
    pub options: sources::KindOptions,
}

impl Target {
    /// A target of `source` at `url`, token sent when configured, body kept; the flags that
    /// differ are set by the caller.
    pub fn new(source: &'static str, endpoint: String, path: String, url: reqwest::Url) -> Target {
        Target {
            endpoint,
            path,
            url,
            needs_auth: false,
            send_token: true,
            health: false,
            source,
            optional: false,
            keep_body: true,
            options: sources::KindOptions::None,
        }
    }
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
    /// The server certificate's expiry, for an HTTPS check (`kind = "http"`).
    pub tls_not_after_ms: Option<i64>,
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

/// One snapshot of every endpoint of every source. Never fails: each endpoint's failure is
/// recorded in its outcome. Further sources are read after the first, each with its own policy
/// and token (read from its `token_env`), and joined with their names in front.
pub async fn collect(
    config: &crate::config::Config,
    client: &reqwest::Client,
    token: Option<&Token>,
    clock: crate::clock::Clock,
) -> Assembled {
    let policy = FetchPolicy::from_backend(&config.backend);
    let taken_at_ms = clock.now_ms();
    let started = std::time::Instant::now();
    let readings = read_all(client, config, token, &policy).await;
    let mut out = assemble_within(
        taken_at_ms,
        started.elapsed().as_secs_f64() * 1000.0,
        readings,
        &config.backend.limits,
    );
    // Said on the site too, not only in a log: the sections those endpoints feed are empty.
    if token.is_none()
        && let Some(why) = token_missing(config)
    {
        out.snapshot.reasons.push(why);
    }
    if config.more_sources.is_empty() {
        return out;
    }
    let mut more = Vec::with_capacity(config.more_sources.len());
    for s in &config.more_sources {
        let policy = FetchPolicy::from_backend(&s.backend);
        // Its own timeouts; the first source's client if this one could not be built.
        let own = policy.client().ok();
        // The same variable as the first source's: the token it was given (the demo's own, or
        // one a caller passed), not a second read of the environment.
        let token = if s.backend.token_env == config.backend.token_env {
            token.cloned()
        } else {
            Token::from_env(&s.backend.token_env)
        };
        let t0 = std::time::Instant::now();
        let readings = read_all(
            own.as_ref().unwrap_or(client),
            &source_config(config, s),
            token.as_ref(),
            &policy,
        )
        .await;
        more.push(assemble_within(
            taken_at_ms,
            t0.elapsed().as_secs_f64() * 1000.0,
            readings,
            &s.backend.limits,
        ));
    }
    out.snapshot.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    join_sources(config, out, more)
}

/// Every target of the config, then the requests their answers lead to (`follow_ups`).
async fn read_all(
    client: &reqwest::Client,
    config: &crate::config::Config,
    token: Option<&Token>,
    policy: &FetchPolicy,
) -> Vec<RawReading> {
    let mut readings = fetch_all(client, targets(config), token, policy).await;
    let more = follow_ups(config, &readings);
    if !more.is_empty() {
        readings.extend(fetch_all(client, more, token, policy).await);
    }
    readings
}

/// The requests the first answers lead to, of every kind (Pharos' module checks come from its
/// route list).
pub fn follow_ups(config: &crate::config::Config, first: &[RawReading]) -> Vec<Target> {
    sources::REGISTRY
        .iter()
        .flat_map(|s| s.follow_up(config, first))
        .collect()
}

/// What to say when the token is not set but endpoints need it, or `None` when none does.
pub fn token_missing(config: &crate::config::Config) -> Option<String> {
    let n = targets(config).iter().filter(|t| t.needs_auth).count();
    (n > 0).then(|| {
        format!(
            "token not set: ${} is empty, so {n} endpoints that need it were not read",
            config.backend.token_env
        )
    })
}

/// The config as one further source sees it: its backend and endpoints in the first's place.
pub fn source_config(
    config: &crate::config::Config,
    s: &crate::config::SourceConfig,
) -> crate::config::Config {
    crate::config::Config {
        backend: s.backend.clone(),
        endpoints: s.endpoints.clone(),
        more_sources: Vec::new(),
        ..config.clone()
    }
}

/// The first source's snapshot with every further one's (`more`, in `config.more_sources`'
/// order) joined to it, and each source's state recorded.
pub fn join_sources(
    config: &crate::config::Config,
    mut first: Assembled,
    more: Vec<Assembled>,
) -> Assembled {
    if more.is_empty() {
        return first;
    }
    let kind = |b: &crate::config::Backend| b.kind.as_str();
    let mut states = vec![merge::state_of(
        &config.source_name,
        kind(&config.backend),
        &first.snapshot,
    )];
    for (s, part) in config.more_sources.iter().zip(more) {
        states.push(merge::state_of(&s.name, kind(&s.backend), &part.snapshot));
        merge::join(&mut first, &s.name, part);
    }
    first.snapshot.sources = states;
    first
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hostile;
