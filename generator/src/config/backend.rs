//! `[backend]` (and each `[[source]]`): where a source lives, how it is read, its endpoints.

use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

use super::{
    Backend, BackendKind, CheckOptions, ConfigError, DEFAULT_DEMO_PORT, DEFAULT_TOKEN_ENV,
    Endpoint, PHAROS_MODULES, PromOptions, SourceConfig,
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackend {
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
    public_url: Option<String>,
    metrics_path: Option<String>,
    include: Option<Vec<String>>,
    max_series: Option<u32>,
    max_metrics: Option<u32>,
    max_parts: Option<u32>,
    max_items: Option<u32>,
    part_metric: Option<String>,
    part_label: Option<String>,
    requests_metric: Option<String>,
    status_label: Option<String>,
    latency_metric: Option<String>,
    url: Option<String>,
    address: Option<String>,
    method: Option<String>,
    expect_status: Option<Vec<u16>>,
    body_contains: Option<String>,
    json_path: Option<String>,
    json_equals: Option<String>,
    ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEndpoint {
    name: String,
    url: String,
    #[serde(default)]
    auth: bool,
    #[serde(default)]
    health: bool,
    #[serde(default)]
    map: Vec<super::mapping::RawMap>,
}

/// Checks one source's table and its endpoints. `within` names the table in errors (empty for
/// `[backend]`, `[[source]] "name"` for the others).
pub(super) fn check(
    b: RawBackend,
    raw_endpoints: Vec<RawEndpoint>,
    within: &str,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<(Backend, Vec<Endpoint>), ConfigError> {
    let bad = |key: &'static str, reason: String| {
        if within.is_empty() {
            bad(key, reason)
        } else {
            bad(key, format!("{reason} (in {within})"))
        }
    };
    let prom = prom_options(&b, &bad)?;
    let check = check_options(&b, &bad)?;
    // A check's address is its `url` (or `address`); `base_url` is the other kinds'.
    let base_text = match (b.kind.as_deref(), &b.url, &b.address) {
        (Some("http"), Some(u), _) => u.clone(),
        (Some("http"), None, _) => {
            return Err(bad("url", "kind = \"http\" needs the url to check".into()));
        }
        (Some("tcp"), _, Some(a)) => format!("tcp://{a}"),
        (Some("tcp"), _, None) => {
            return Err(bad(
                "address",
                "kind = \"tcp\" needs the host:port to connect to".into(),
            ));
        }
        _ => b
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_DEMO_PORT}")),
    };
    let mut base_url = Url::parse(&base_text).map_err(|e| {
        bad(
            "backend.base_url",
            format!("is not a URL ({e}): {base_text:?}"),
        )
    })?;
    let tcp = b.kind.as_deref() == Some("tcp");
    if tcp && (base_url.host_str().is_none() || base_url.port().is_none()) {
        return Err(bad(
            "address",
            format!("must be host:port, got {base_text:?}"),
        ));
    }
    if !tcp && !matches!(base_url.scheme(), "http" | "https") {
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
    // A check's URL is asked as written; the other kinds join paths below a folder.
    if !matches!(b.kind.as_deref(), Some("http" | "tcp")) && !base_url.path().ends_with('/') {
        let p = format!("{}/", base_url.path());
        base_url.set_path(&p);
    }
    // What browsers call (the widgets), when it is not the address Lookout reads: a proxy, a
    // public name for a backend read on a private one.
    let public_url = match b.public_url.as_deref() {
        None => base_url.clone(),
        Some(u) => {
            let mut url = Url::parse(u)
                .ok()
                .filter(|x| matches!(x.scheme(), "http" | "https"))
                .filter(|x| x.username().is_empty() && x.password().is_none())
                .ok_or_else(|| {
                    bad(
                        "backend.public_url",
                        format!("{u:?} is not an http(s) URL without credentials"),
                    )
                })?;
            if !url.path().ends_with('/') {
                let p = format!("{}/", url.path());
                url.set_path(&p);
            }
            url
        }
    };
    let kind = match b.kind.as_deref().unwrap_or("pharos") {
        "pharos" => BackendKind::Pharos,
        "json" => BackendKind::Json,
        "prometheus" => BackendKind::Prometheus,
        "http" => BackendKind::Http,
        "tcp" => BackendKind::Tcp,
        other => {
            return Err(bad(
                "backend.kind",
                format!(
                    "must be \"pharos\", \"json\", \"prometheus\", \"http\" or \"tcp\", not {other:?}"
                ),
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
            "must be the NAME of an environment variable (letters, digits, _), not a token".into(),
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
    let ranged = |v: Option<u32>, default: u32, max: u32, key: &'static str| {
        let v = v.unwrap_or(default);
        if (1..=max).contains(&v) {
            Ok(v)
        } else {
            Err(bad(key, format!("must be 1..={max}, got {v}")))
        }
    };
    let time_window_days = ranged(b.time_window_days, 7, 90, "backend.time_window_days")?;
    let events_limit = ranged(b.events_limit, 50, 1000, "backend.events_limit")?;
    let concurrency = ranged(b.concurrency, 4, 64, "backend.concurrency")?;
    let jobs_limit = ranged(b.jobs_limit, 50, 100, "backend.jobs_limit")?;
    let limits = crate::collect::guard::Limits {
        metrics: ranged(b.max_metrics, 2000, 1_000_000, "backend.max_metrics")? as usize,
        parts: ranged(b.max_parts, 500, 100_000, "backend.max_parts")? as usize,
        items: ranged(b.max_items, 200, 100_000, "backend.max_items")? as usize,
    };
    let modules_named = b.modules.is_some();
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
    for e in raw_endpoints {
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
        let maps = super::mapping::check(e.map, &bad)?;
        endpoints.push(Endpoint {
            name: e.name,
            url,
            auth: e.auth,
            health: e.health,
            maps,
        });
    }
    if endpoints.iter().filter(|e| e.health).count() > 1 {
        return Err(bad(
            "endpoint.health",
            "at most one endpoint is the source's health check".into(),
        ));
    }
    if kind == BackendKind::Json && endpoints.is_empty() {
        return Err(bad(
            "endpoint",
            "backend.kind = \"json\" needs at least one [[endpoint]]".into(),
        ));
    }

    Ok((
        Backend {
            prom,
            check,
            base_url,
            public_url,
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
            limits,
            modules,
            modules_named,
        },
        endpoints,
    ))
}

/// A `[[source]]` table: a named backend with its own kind, address, token and endpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    name: String,
    kind: Option<String>,
    base_url: Option<String>,
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
    public_url: Option<String>,
    metrics_path: Option<String>,
    include: Option<Vec<String>>,
    max_series: Option<u32>,
    max_metrics: Option<u32>,
    max_parts: Option<u32>,
    max_items: Option<u32>,
    part_metric: Option<String>,
    part_label: Option<String>,
    requests_metric: Option<String>,
    status_label: Option<String>,
    latency_metric: Option<String>,
    url: Option<String>,
    address: Option<String>,
    method: Option<String>,
    expect_status: Option<Vec<u16>>,
    body_contains: Option<String>,
    json_path: Option<String>,
    json_equals: Option<String>,
    ca_file: Option<std::path::PathBuf>,
    #[serde(default)]
    endpoint: Vec<RawEndpoint>,
    #[serde(default)]
    section: Vec<super::sections::RawSection>,
}

/// Checks every `[[source]]` in order; names are slugs, unique, and not `taken` (the primary's).
pub(super) fn check_sources(
    raw: Vec<RawSource>,
    taken: &str,
    slugs: &mut Vec<String>,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Vec<SourceConfig>, ConfigError> {
    let mut out: Vec<SourceConfig> = Vec::new();
    for s in raw {
        let name = s.name.trim().to_owned();
        if name.is_empty()
            || !name
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
        {
            return Err(bad(
                "source.name",
                format!("must be lower-case letters, digits, - or _, got {name:?}"),
            ));
        }
        if name == taken || out.iter().any(|o| o.name == name) {
            return Err(bad("source.name", format!("{name:?} is used twice")));
        }
        let b = RawBackend {
            base_url: s.base_url,
            kind: s.kind,
            token_env: s.token_env,
            connect_timeout_ms: s.connect_timeout_ms,
            timeout_ms: s.timeout_ms,
            retries: s.retries,
            retry_backoff_ms: s.retry_backoff_ms,
            max_body_bytes: s.max_body_bytes,
            max_metrics: s.max_metrics,
            max_parts: s.max_parts,
            max_items: s.max_items,
            concurrency: s.concurrency,
            time_window_days: s.time_window_days,
            events_limit: s.events_limit,
            jobs_limit: s.jobs_limit,
            modules: s.modules,
            public_url: s.public_url,
            metrics_path: s.metrics_path,
            include: s.include,
            max_series: s.max_series,
            part_metric: s.part_metric,
            part_label: s.part_label,
            requests_metric: s.requests_metric,
            status_label: s.status_label,
            latency_metric: s.latency_metric,
            url: s.url,
            address: s.address,
            method: s.method,
            expect_status: s.expect_status,
            body_contains: s.body_contains,
            json_path: s.json_path,
            json_equals: s.json_equals,
            ca_file: s.ca_file,
        };
        let (backend, endpoints) = check(b, s.endpoint, &format!("[[source]] {name:?}"), bad)?;
        let sections = super::sections::check(s.section, &name, &backend, &endpoints, slugs, bad)?;
        out.push(SourceConfig {
            name,
            backend,
            endpoints,
            sections,
        });
    }
    Ok(out)
}

/// The Prometheus keys, checked: names are metric or label names, the path a plain path.
fn prom_options(
    b: &RawBackend,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<PromOptions, ConfigError> {
    let d = PromOptions::default();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':')
    };
    let named = |v: &Option<String>, key: &'static str, default: &str| match v {
        None => Ok(default.to_owned()),
        Some(n) if name_ok(n) => Ok(n.clone()),
        Some(n) => Err(bad(key, format!("{n:?} is not a metric or label name"))),
    };
    let metrics_path = match &b.metrics_path {
        None => d.metrics_path.clone(),
        Some(p) if !p.contains(['?', '#', ' ']) => p.trim_start_matches('/').to_owned(),
        Some(p) => {
            return Err(bad(
                "backend.metrics_path",
                format!("{p:?} is not a plain path"),
            ));
        }
    };
    let include = b.include.clone().unwrap_or_default();
    if let Some(g) = include.iter().find(|g| {
        g.is_empty()
            || !g
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"_:*?".contains(&c))
    }) {
        return Err(bad(
            "backend.include",
            format!("{g:?} is not a family name or glob"),
        ));
    }
    let max_series = b.max_series.unwrap_or(d.max_series as u32);
    if !(1..=5000).contains(&max_series) {
        return Err(bad(
            "backend.max_series",
            format!("must be 1..=5000, got {max_series}"),
        ));
    }
    let parts = match (&b.part_metric, &b.part_label) {
        (None, None) => None,
        (Some(m), Some(l)) => Some((
            named(&Some(m.clone()), "backend.part_metric", "")?,
            named(&Some(l.clone()), "backend.part_label", "")?,
        )),
        _ => {
            let why = "part_metric and part_label go together".to_owned();
            return Err(bad("backend.part_label", why));
        }
    };
    Ok(PromOptions {
        metrics_path,
        include,
        max_series: max_series as usize,
        parts,
        requests: named(&b.requests_metric, "backend.requests_metric", &d.requests)?,
        status_label: named(&b.status_label, "backend.status_label", &d.status_label)?,
        latency: named(&b.latency_metric, "backend.latency_metric", &d.latency)?,
    })
}

/// The check keys, checked: a known method, statuses 100..=599, a JSON path and value together.
fn check_options(
    b: &RawBackend,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<CheckOptions, ConfigError> {
    let method = b
        .method
        .clone()
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if !matches!(method.as_str(), "GET" | "HEAD" | "POST") {
        return Err(bad(
            "method",
            format!("must be GET, HEAD or POST, got {method:?}"),
        ));
    }
    let expect_status = b.expect_status.clone().unwrap_or_default();
    if let Some(s) = expect_status.iter().find(|s| !(100..=599).contains(*s)) {
        return Err(bad("expect_status", format!("{s} is not an HTTP status")));
    }
    let json_equals = match (&b.json_path, &b.json_equals) {
        (None, None) => None,
        (Some(p), Some(v)) if !p.is_empty() => Some((p.clone(), v.clone())),
        _ => {
            return Err(bad(
                "json_path",
                "json_path and json_equals go together".into(),
            ));
        }
    };
    if let Some(f) = &b.ca_file
        && !f.is_file()
    {
        return Err(bad("ca_file", format!("{} is not a file", f.display())));
    }
    Ok(CheckOptions {
        method,
        expect_status,
        body_contains: b.body_contains.clone(),
        json_equals,
        ca_file: b.ca_file.clone(),
    })
}
