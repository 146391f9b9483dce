//! `lookout.toml`: raw TOML is checked once into a typed `Config`; later stages trust it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

pub(crate) mod alerts;
mod notify;
mod report;
mod site;

pub use alerts::default_rules;
pub use notify::{Notify, Webhook, WebhookFormat, WebhookUrl};
pub use report::{Report, Security, Smtp};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: `{key}` {reason}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        reason: String,
    },
}

/// Which backend contract to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Every Pharos endpoint, extracted into typed metrics.
    Pharos,
    /// Only the `[[endpoint]]` entries, flattened by JSON path.
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    pub base_url: Url,
    pub kind: BackendKind,
    /// Name of the environment variable holding the bearer token; the token itself never enters `Config`.
    pub token_env: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub retry_backoff: Duration,
    pub max_body_bytes: u64,
    /// Requests in flight at once: few enough that Lookout's own reads do not make the backend
    /// slow (a burst of 28 on a single-process server timed the burst, not the service).
    pub concurrency: usize,
    pub time_window_days: u32,
    pub events_limit: u32,
    pub jobs_limit: u32,
    pub modules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub name: String,
    /// A path below `base_url`, or a full URL.
    pub url: Url,
    pub auth: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub title: String,
    /// Days listed on one history page.
    pub days_per_page: usize,
    /// Part -> parts it needs (lower-case names); a broken need degrades the part on the pages.
    pub depends_on: std::collections::BTreeMap<String, Vec<String>>,
    /// Raw snapshots (and their pages) older than this many days are pruned; rollups stay.
    pub retention_days: u32,
    /// Incidents and maintenance windows, as Markdown files with front matter.
    pub content_dir: PathBuf,
    /// Where the ingestion widget sends requests: the Pharos backend's base URL, empty for other
    /// backends. Public by design (browsers call it; it must allow the site's origin).
    pub api_base: String,
    /// Where the live health widget reads: the site's `data/latest.json` (false), or the Pharos
    /// backend's own `/health` and module endpoints (true; the backend must allow the origin).
    pub live_from_backend: bool,
    /// Where the site is published (`https://status.example.com`), for links in mail.
    pub public_url: Option<String>,
    /// The backend's name on the pages, where a figure says where it comes from.
    pub source_name: String,
    /// Its kind (`collect::sources::of`), whose capabilities say which figures it measures.
    pub source_kind: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub port: u16,
    pub seed: u64,
    pub speed: f64,
    pub cors_origins: Vec<String>,
    pub history_days: u32,
    pub history_step: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub backend: Backend,
    pub endpoints: Vec<Endpoint>,
    pub site: Site,
    pub interval: Duration,
    pub serve_bind: SocketAddr,
    pub demo: Demo,
    pub data_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Alert rules: the defaults (unless turned off) and the `[[alert]]` entries.
    pub alerts: Vec<model::alert::Rule>,
    pub notify: Notify,
    pub report: Report,
    /// `None`: reports are written to the outbox folder only.
    pub smtp: Option<Smtp>,
}

pub const PHAROS_MODULES: [&str; 13] = [
    "auth",
    "resources",
    "search",
    "collections",
    "annotations",
    "taxonomy",
    "graph",
    "recommendations",
    "quality",
    "scholarly",
    "authority",
    "curation",
    "monitoring",
];

pub const DEFAULT_DEMO_PORT: u16 = 8765;
pub const DEFAULT_TOKEN_ENV: &str = "LOOKOUT_TOKEN";

// ---- raw TOML, as written by people ----

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    backend: Option<RawBackend>,
    #[serde(default)]
    endpoint: Vec<RawEndpoint>,
    site: Option<site::RawSite>,
    schedule: Option<RawSchedule>,
    serve: Option<RawServe>,
    demo: Option<RawDemo>,
    paths: Option<RawPaths>,
    alerts: Option<alerts::RawAlerts>,
    notify: Option<notify::RawNotify>,
    report: Option<report::RawReport>,
    smtp: Option<report::RawSmtp>,
    #[serde(default)]
    webhook: Vec<notify::RawWebhook>,
    depends_on: Option<std::collections::BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    alert: Vec<alerts::RawAlert>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackend {
    base_url: Option<String>,
    kind: Option<String>,
    token_env: Option<String>,
    connect_timeout_ms: Option<u64>,
    timeout_ms: Option<u64>,
    retries: Option<u32>,
    retry_backoff_ms: Option<u64>,
    max_body_bytes: Option<u64>,
    concurrency: Option<u32>,
    time_window_days: Option<u32>,
    events_limit: Option<u32>,
    jobs_limit: Option<u32>,
    modules: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoint {
    name: String,
    url: String,
    #[serde(default)]
    auth: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    interval_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServe {
    bind: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDemo {
    port: Option<u16>,
    seed: Option<u64>,
    speed: Option<f64>,
    cors_origins: Option<Vec<String>>,
    history_days: Option<u32>,
    history_step_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    data_dir: Option<PathBuf>,
    out: Option<PathBuf>,
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::from_toml(&text, path)
    }

    /// The defaults: the demo backend on loopback.
    pub fn defaults() -> Config {
        #[allow(clippy::unwrap_used)] // the empty document always checks
        Config::check(Raw::default(), Path::new("<defaults>")).unwrap()
    }

    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        Config::check(raw, path)
    }

    fn check(raw: Raw, path: &Path) -> Result<Config, ConfigError> {
        let bad = |key: &'static str, reason: String| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            reason,
        };
        let b = raw.backend.unwrap_or_default();
        let base_text = b
            .base_url
            .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_DEMO_PORT}"));
        let mut base_url = Url::parse(&base_text).map_err(|e| {
            bad(
                "backend.base_url",
                format!("is not a URL ({e}): {base_text:?}"),
            )
        })?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(bad(
                "backend.base_url",
                "must start with http:// or https://".into(),
            ));
        }
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(bad(
                "backend.base_url",
                "must not hold credentials; put the token in the environment variable named by backend.token_env".into(),
            ));
        }
        if !base_url.path().ends_with('/') {
            let p = format!("{}/", base_url.path());
            base_url.set_path(&p);
        }
        let kind = match b.kind.as_deref().unwrap_or("pharos") {
            "pharos" => BackendKind::Pharos,
            "json" => BackendKind::Json,
            other => {
                return Err(bad(
                    "backend.kind",
                    format!("must be \"pharos\" or \"json\", not {other:?}"),
                ));
            }
        };
        let token_env = b.token_env.unwrap_or_else(|| DEFAULT_TOKEN_ENV.to_owned());
        if token_env.is_empty()
            || !token_env
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            return Err(bad(
                "backend.token_env",
                "must be the NAME of an environment variable (letters, digits, _), not a token"
                    .into(),
            ));
        }
        let ms = |key: &'static str, v: Option<u64>, default: u64, min: u64, max: u64| {
            let v = v.unwrap_or(default);
            if (min..=max).contains(&v) {
                Ok(Duration::from_millis(v))
            } else {
                Err(bad(
                    key,
                    format!("must be between {min} and {max}, got {v}"),
                ))
            }
        };
        let connect_timeout = ms(
            "backend.connect_timeout_ms",
            b.connect_timeout_ms,
            2_000,
            1,
            600_000,
        )?;
        let timeout = ms("backend.timeout_ms", b.timeout_ms, 10_000, 1, 600_000)?;
        let retry_backoff = ms(
            "backend.retry_backoff_ms",
            b.retry_backoff_ms,
            200,
            0,
            60_000,
        )?;
        let retries = b.retries.unwrap_or(2);
        if retries > 10 {
            return Err(bad(
                "backend.retries",
                format!("must be at most 10, got {retries}"),
            ));
        }
        let max_body_bytes = b.max_body_bytes.unwrap_or(4 * 1024 * 1024);
        if max_body_bytes < 1024 {
            return Err(bad(
                "backend.max_body_bytes",
                format!("must be at least 1024, got {max_body_bytes}"),
            ));
        }
        let time_window_days = b.time_window_days.unwrap_or(7);
        if !(1..=90).contains(&time_window_days) {
            return Err(bad(
                "backend.time_window_days",
                format!("must be 1..=90 (Pharos' range), got {time_window_days}"),
            ));
        }
        let events_limit = b.events_limit.unwrap_or(50);
        if !(1..=1000).contains(&events_limit) {
            return Err(bad(
                "backend.events_limit",
                format!("must be 1..=1000, got {events_limit}"),
            ));
        }
        let concurrency = b.concurrency.unwrap_or(4);
        if !(1..=64).contains(&concurrency) {
            return Err(bad(
                "backend.concurrency",
                format!("must be 1..=64, got {concurrency}"),
            ));
        }
        let jobs_limit = b.jobs_limit.unwrap_or(50);
        if !(1..=100).contains(&jobs_limit) {
            return Err(bad(
                "backend.jobs_limit",
                format!("must be 1..=100, got {jobs_limit}"),
            ));
        }
        let modules = match b.modules {
            Some(m) => {
                if let Some(badname) = m.iter().find(|n| {
                    n.is_empty()
                        || !n
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                }) {
                    return Err(bad(
                        "backend.modules",
                        format!("holds a name that is not a plain path segment: {badname:?}"),
                    ));
                }
                m.into_iter().map(|n| n.to_ascii_lowercase()).collect()
            }
            None => PHAROS_MODULES.iter().map(|s| (*s).to_owned()).collect(),
        };

        let mut endpoints = Vec::new();
        for e in raw.endpoint {
            if e.name.is_empty()
                || !e
                    .name
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
            {
                return Err(bad(
                    "endpoint.name",
                    format!("must be letters, digits, - or _, got {:?}", e.name),
                ));
            }
            if endpoints.iter().any(|x: &Endpoint| x.name == e.name) {
                return Err(bad("endpoint.name", format!("{:?} is used twice", e.name)));
            }
            let url = base_url
                .join(e.url.trim_start_matches('/'))
                .map_err(|err| {
                    bad(
                        "endpoint.url",
                        format!("{:?} is not a URL or path: {err}", e.url),
                    )
                })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(bad(
                    "endpoint.url",
                    format!("{:?} must be http or https", e.url),
                ));
            }
            endpoints.push(Endpoint {
                name: e.name,
                url,
                auth: e.auth,
            });
        }
        if kind == BackendKind::Json && endpoints.is_empty() {
            return Err(bad(
                "endpoint",
                "backend.kind = \"json\" needs at least one [[endpoint]]".into(),
            ));
        }

        let interval_s = raw
            .schedule
            .unwrap_or_default()
            .interval_seconds
            .unwrap_or(60);
        if interval_s < 10 {
            return Err(bad(
                "schedule.interval_seconds",
                format!("must be at least 10, got {interval_s}"),
            ));
        }

        let bind_text = raw
            .serve
            .unwrap_or_default()
            .bind
            .unwrap_or_else(|| "127.0.0.1:8000".to_owned());
        let serve_bind: SocketAddr = bind_text.parse().map_err(|e| {
            bad(
                "serve.bind",
                format!("is not an address like 127.0.0.1:8000 ({e}): {bind_text:?}"),
            )
        })?;

        let d = raw.demo.unwrap_or_default();
        let speed = d.speed.unwrap_or(1.0);
        if !(speed.is_finite() && (0.01..=100_000.0).contains(&speed)) {
            return Err(bad(
                "demo.speed",
                format!("must be between 0.01 and 100000, got {speed}"),
            ));
        }
        let history_days = d.history_days.unwrap_or(7);
        if history_days > 90 {
            return Err(bad(
                "demo.history_days",
                format!("must be at most 90, got {history_days}"),
            ));
        }
        let history_step = Duration::from_secs(d.history_step_seconds.unwrap_or(300));
        if history_step < Duration::from_secs(10) {
            return Err(bad(
                "demo.history_step_seconds",
                "must be at least 10".into(),
            ));
        }
        let cors_origins = d.cors_origins.unwrap_or_else(|| {
            vec![
                format!("http://{serve_bind}"),
                format!("http://localhost:{}", serve_bind.port()),
            ]
        });
        let demo = Demo {
            port: d.port.unwrap_or(DEFAULT_DEMO_PORT),
            seed: d.seed.unwrap_or(42),
            speed,
            cors_origins,
            history_days,
            history_step,
        };
        let alerts = alerts::check(raw.alerts.unwrap_or_default(), raw.alert, &bad)?;
        let notify = notify::check(raw.notify.unwrap_or_default(), raw.webhook, &bad)?;
        let (report, smtp) = report::check(raw.report.unwrap_or_default(), raw.smtp, &bad)?;
        let site = site::check(
            raw.site.unwrap_or_default(),
            raw.depends_on,
            kind,
            &base_url,
            &bad,
        )?;
        let p = raw.paths.unwrap_or_default();
        Ok(Config {
            backend: Backend {
                base_url,
                kind,
                token_env,
                connect_timeout,
                timeout,
                retries,
                retry_backoff,
                max_body_bytes,
                concurrency: concurrency as usize,
                time_window_days,
                events_limit,
                jobs_limit,
                modules,
            },
            endpoints,
            site,
            interval: Duration::from_secs(interval_s),
            serve_bind,
            demo,
            data_dir: p.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            out_dir: p.out.unwrap_or_else(|| PathBuf::from("site")),
            alerts,
            notify,
            report,
            smtp,
        })
    }
}

/// The commented example that `lookout init` writes. Every key is shown with its default.
pub const EXAMPLE: &str = include_str!("../../../lookout.example.toml");

#[cfg(test)]
mod tests;
