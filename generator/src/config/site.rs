//! `[site]` and `[depends_on]`: how the site looks and reads, checked into `Site`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::Url;
use serde::Deserialize;

use super::{BackendKind, ConfigError, Site};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    title: Option<String>,
    days_per_page: Option<usize>,
    retention_days: Option<u32>,
    content_dir: Option<PathBuf>,
    live_source: Option<String>,
    public_url: Option<String>,
    time_zone: Option<String>,
    snapshot_pages: Option<toml::Value>,
}

pub(super) fn check(
    s: RawSite,
    depends: Option<BTreeMap<String, Vec<String>>>,
    kind: BackendKind,
    public_url: &Url,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Site, ConfigError> {
    let api_base = if kind == BackendKind::Pharos {
        public_url.as_str().trim_end_matches('/').to_owned()
    } else {
        String::new()
    };
    let title = s.title.unwrap_or_else(|| "Lookout status".to_owned());
    if title.trim().is_empty() {
        return Err(bad("site.title", "must not be empty".into()));
    }
    let days_per_page = s.days_per_page.unwrap_or(30);
    if !(1..=366).contains(&days_per_page) {
        return Err(bad(
            "site.days_per_page",
            format!("must be 1..=366, got {days_per_page}"),
        ));
    }

    let retention_days = s.retention_days.unwrap_or(30);
    if !(1..=3650).contains(&retention_days) {
        return Err(bad(
            "site.retention_days",
            format!("must be 1..=3650, got {retention_days}"),
        ));
    }
    let snapshot_pages = match s.snapshot_pages {
        None => None,
        Some(toml::Value::String(v)) if v == "all" => None,
        Some(toml::Value::Integer(n)) if (1..=i64::from(retention_days)).contains(&n) => {
            Some(n as u32)
        }
        Some(other) => {
            let got = match other {
                toml::Value::String(s) => format!("{s:?}"),
                toml::Value::Integer(n) => n.to_string(),
                v => format!("a {}", v.type_str()),
            };
            let why = format!(
                "must be \"all\" or a number of days 1..={retention_days} (the retention), got {got}"
            );
            return Err(bad("site.snapshot_pages", why));
        }
    };
    let content_dir = s.content_dir.unwrap_or_else(|| PathBuf::from("content"));
    let live_from_backend = match s.live_source.as_deref() {
        None | Some("site") => false,
        Some("backend") if !api_base.is_empty() => true,
        Some("backend") => {
            let why = "\"backend\" needs backend.kind = \"pharos\" (its /health shape)";
            return Err(bad("site.live_source", why.into()));
        }
        Some(other) => {
            let why = format!("must be \"site\" or \"backend\", got {other:?}");
            return Err(bad("site.live_source", why));
        }
    };

    let depends_on = match depends {
        // None built in: a dependency drawn by Lookout would be a claim no source made.
        None => Default::default(),
        Some(map) => {
            let mut out = BTreeMap::new();
            for (part, needs) in map {
                let part = part.trim().to_ascii_lowercase();
                let needs: Vec<String> = needs
                    .iter()
                    .map(|n| n.trim().to_ascii_lowercase())
                    .collect();
                if part.is_empty() || needs.iter().any(String::is_empty) {
                    return Err(bad("depends_on", "holds an empty part name".into()));
                }
                if needs.contains(&part) {
                    return Err(bad("depends_on", format!("{part:?} depends on itself")));
                }
                out.insert(part, needs);
            }
            out
        }
    };
    let public_url = match s.public_url {
        None => None,
        Some(u) => {
            let url = Url::parse(&u)
                .ok()
                .filter(|x| matches!(x.scheme(), "http" | "https"))
                .ok_or_else(|| bad("site.public_url", format!("{u:?} is not an http(s) URL")))?;
            Some(url.as_str().trim_end_matches('/').to_owned())
        }
    };
    let zone = match s.time_zone.as_deref() {
        None => crate::zone::Zone::utc(),
        Some(z) => crate::zone::Zone::named(z).map_err(|why| bad("site.time_zone", why))?,
    };
    Ok(Site {
        zone,
        source_name: match kind {
            BackendKind::Pharos => "Pharos".to_owned(),
            BackendKind::Json => "the backend".to_owned(),
            BackendKind::Prometheus => "the metrics endpoint".to_owned(),
            BackendKind::Http | BackendKind::Tcp => "the check".to_owned(),
        },
        source_kind: kind.as_str(),
        sections: Vec::new(),
        stale_after_s: 600,
        snapshot_pages,
        public_url,
        title,
        days_per_page,
        depends_on,
        retention_days,
        content_dir,
        api_base,
        live_from_backend,
    })
}
