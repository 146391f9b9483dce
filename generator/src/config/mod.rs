//! `lookout.toml`: raw TOML is checked once into a typed `Config`; later stages trust it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

pub(crate) mod alerts;
mod backend;
mod mapping;
mod notify;
pub mod ops;
mod report;
pub mod sections;
mod site;

pub use alerts::default_rules;
pub use mapping::{Detail, Mapping, unit_of};
pub use notify::{Notify, Webhook, WebhookFormat, WebhookUrl};
pub use report::{Cadence, Report, Security, Smtp};

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
    /// A Prometheus / OpenMetrics text exposition (`base_url` + `metrics_path`).
    Prometheus,
    /// A black-box HTTP check of `url`.
    Http,
    /// A black-box TCP connect to `address`.
    Tcp,
}

impl BackendKind {
    /// Its word in config (`kind = "pharos"`), which is also its source kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Pharos => "pharos",
            BackendKind::Json => "json",
            BackendKind::Prometheus => "prometheus",
            BackendKind::Http => "http",
            BackendKind::Tcp => "tcp",
        }
    }
}

/// A black-box check: what to ask, and what answer passes.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// `GET`, `HEAD` or `POST`.
    pub method: String,
    /// Statuses that pass; empty: any 2xx or 3xx.
    pub expect_status: Vec<u16>,
    /// Text the body must contain.
    pub body_contains: Option<String>,
    /// A dot path into a JSON body and the value it must have there.
    pub json_equals: Option<(String, String)>,
    /// A PEM file of certificates to trust besides the system's (an internal CA).
    pub ca_file: Option<PathBuf>,
}

/// What a Prometheus source reads of its exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct PromOptions {
    /// Below `base_url` (default `metrics`).
    pub metrics_path: String,
    /// Family names to keep (`*` and `?` globs); empty keeps every family.
    pub include: Vec<String>,
    /// Series kept per snapshot; the rest are counted and left out, said on the site.
    pub max_series: usize,
    /// A family whose samples are parts (1 healthy, 0 down), named by `part_label`
    /// (`node_scrape_collector_success` by `collector`, `up` by `job`).
    pub parts: Option<(String, String)>,
    /// The request counter family, its status-code label, and the request latency histogram:
    /// together the service's request rate, error rate and latency.
    pub requests: String,
    pub status_label: String,
    pub latency: String,
}

impl Default for PromOptions {
    fn default() -> PromOptions {
        PromOptions {
            metrics_path: "metrics".into(),
            include: Vec::new(),
            max_series: 300,
            parts: None,
            requests: "http_requests".into(),
            status_label: "code".into(),
            latency: "http_request_duration_seconds".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    pub base_url: Url,
    /// The address browsers use for it (the widgets'); `base_url` unless configured.
    pub public_url: Url,
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
    /// How many metrics, parts and list items of it a snapshot keeps.
    pub limits: crate::collect::guard::Limits,
    /// The modules named in config, or the contract's 13 when none are: with none named, the
    /// backend's route list decides and these are read only when it cannot be.
    pub modules: Vec<String>,
    /// `backend.modules` was set: exactly those are read.
    pub modules_named: bool,
    /// For `kind = "prometheus"`.
    pub prom: PromOptions,
    /// For `kind = "http"` and `"tcp"`.
    pub check: CheckOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub name: String,
    /// A path below `base_url`, or a full URL.
    pub url: Url,
    pub auth: bool,
    /// Its top-level `status` is the source's own word on its health (availability, uptime).
    pub health: bool,
    /// How its arrays are read (`[[endpoint.map]]`); empty: flattened by JSON path.
    pub maps: Vec<Mapping>,
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
    /// `site.snapshot_pages`: snapshots of the newest this many days have a page of their own
    /// (`None`: all); older ones are rows of their day's page, their page URLs redirected there.
    pub snapshot_pages: Option<u32>,
    /// Incidents and maintenance windows, as Markdown files with front matter.
    pub content_dir: PathBuf,
    /// Where the ingestion widget sends requests: the Pharos backend's `public_url` (its
    /// `base_url` unless set), empty for other backends. Public by design (browsers call it; it
    /// must allow the site's origin).
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
    /// Every source's sections (`[[source.section]]`), in the order of the sources.
    pub sections: Vec<sections::Section>,
    /// A newest snapshot older than this (three intervals, at least 30 s) means the
    /// generator stopped: the live first screen says stale.
    pub stale_after_s: u64,
    /// `site.time_zone`: the zone every page's times are written in (UTC by default).
    pub zone: crate::zone::Zone,
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

/// One more source of a site (a `[[source]]` beyond the first): its name, backend and endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    pub name: String,
    pub backend: Backend,
    pub endpoints: Vec<Endpoint>,
    /// Its figures and tables shown together (`[[source.section]]`); the site keeps them all.
    pub sections: Vec<sections::Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The first source: `[backend]` (the short form), or the first `[[source]]`.
    pub backend: Backend,
    pub endpoints: Vec<Endpoint>,
    /// Its name (`pharos`, `backend`, or the `[[source]]`'s own).
    pub source_name: String,
    /// Every further `[[source]]`, read in the same snapshot, its figures namespaced by name.
    pub more_sources: Vec<SourceConfig>,
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
    backend: Option<backend::RawBackend>,
    #[serde(default)]
    endpoint: Vec<backend::RawEndpoint>,
    #[serde(default)]
    source: Vec<backend::RawSource>,
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
        if let Some(message) = toml::from_str::<toml::Value>(text)
            .ok()
            .and_then(|v| control_character(&v, &mut Vec::new()))
        {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message,
            });
        }
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
        // `[backend]` is the short form of one source; without it, the first `[[source]]` leads.
        let mut raw_sources = raw.source;
        let led_by_source = raw.backend.is_none() && !raw_sources.is_empty();
        let mut slugs = Vec::new();
        let mut lead_sections = Vec::new();
        let (backend, endpoints, source_name, more_sources) = if raw.backend.is_some()
            || raw_sources.is_empty()
        {
            let (b, e) = backend::check(raw.backend.unwrap_or_default(), raw.endpoint, "", &bad)?;
            let name = match b.kind {
                BackendKind::Pharos => "pharos",
                BackendKind::Json => "backend",
                BackendKind::Prometheus => "metrics",
                BackendKind::Http => "check",
                BackendKind::Tcp => "connect",
            };
            let more = backend::check_sources(raw_sources, name, &mut slugs, &bad)?;
            (b, e, name.to_owned(), more)
        } else {
            let rest = raw_sources.split_off(1);
            let mut first = backend::check_sources(raw_sources, "", &mut slugs, &bad)?;
            let more = backend::check_sources(rest, &first[0].name, &mut slugs, &bad)?;
            if !raw.endpoint.is_empty() {
                return Err(bad(
                        "endpoint",
                        "[[endpoint]] belongs to [backend]; with [[source]] tables only, give each its [[source.endpoint]]".into(),
                    ));
            }
            let lead = first.remove(0);
            lead_sections = lead.sections;
            for s in &mut lead_sections {
                s.primary = true;
            }
            (lead.backend, lead.endpoints, lead.name, more)
        };
        let kind = backend.kind;
        let public_url = backend.public_url.clone();
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
        let mut site = site::check(
            raw.site.unwrap_or_default(),
            raw.depends_on,
            kind,
            &public_url,
            &bad,
        )?;
        let (report, smtp) = report::check(
            raw.report.unwrap_or_default(),
            raw.smtp,
            site.zone.name(),
            &bad,
        )?;
        if led_by_source || !more_sources.is_empty() {
            // Several sources, or a named one: each figure says which source by its name.
            site.source_name = source_name.clone();
        }
        site.sections = lead_sections;
        site.stale_after_s = (3 * interval_s).max(30);
        site.sections
            .extend(more_sources.iter().flat_map(|s| s.sections.iter().cloned()));
        let p = raw.paths.unwrap_or_default();
        Ok(Config {
            backend,
            endpoints,
            source_name,
            more_sources,
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

/// The first string of the config holding a control character (a CR or LF in a name would
/// forge log lines; an ESC would drive the terminal), as an error; only a tab, and a line
/// break in free text (a confirmation, a description), are allowed.
fn control_character(v: &toml::Value, at: &mut Vec<String>) -> Option<String> {
    match v {
        toml::Value::String(s) => {
            let free_text = at
                .last()
                .is_some_and(|k| matches!(k.as_str(), "confirm" | "description" | "text" | "body"));
            s.chars()
                .find(|c| c.is_control() && *c != '\t' && !(free_text && *c == '\n'))
                .map(|c| format!("`{}` holds the control character {:?}", at.join("."), c))
        }
        toml::Value::Array(items) => items.iter().find_map(|i| control_character(i, at)),
        toml::Value::Table(t) => t.iter().find_map(|(k, v)| {
            if k.chars().any(char::is_control) {
                return Some(format!("the key {k:?} holds a control character"));
            }
            at.push(k.clone());
            let found = control_character(v, at);
            at.pop();
            found
        }),
        _ => None,
    }
}
