//! `[[source.section]]`: a source's figures and tables shown together under one heading (a
//! WebSocket pool, a middleware pipeline), on the index or on a page of its own, with the
//! operator widgets of its tables.

use serde::Deserialize;

use super::ConfigError;
use super::{Endpoint, Mapping};

/// One section, checked against its source's endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The source's name, and whether it leads (its figures are not namespaced then).
    pub source: String,
    pub primary: bool,
    pub title: String,
    /// Its page, when it has one: `sections/<slug>.html`.
    pub slug: String,
    pub page: bool,
    /// A meter: the value and its capacity, metric names as the source names them.
    pub meter: Option<(String, String)>,
    /// Further figures, by metric name.
    pub figures: Vec<String>,
    /// Tables shown (their titles as configured), each with what an operator may do to it.
    pub tables: Vec<SectionTable>,
    /// A table drawn as request → its rows in order → handler, and the column saying whether a
    /// row is enabled.
    pub flow: Option<Flow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub table: String,
    pub enabled: Option<String>,
}

/// A table of the section and the mapping it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionTable {
    pub title: String,
    /// Where the browser reads the live list: the endpoint's URL on the source's public address.
    pub live_url: String,
    pub mapping: Mapping,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSection {
    title: String,
    #[serde(default)]
    page: bool,
    meter: Option<Vec<String>>,
    #[serde(default)]
    figures: Vec<String>,
    #[serde(default)]
    tables: Vec<String>,
    flow: Option<RawFlow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    table: String,
    enabled: Option<String>,
}

/// A title as a file name: lower-case letters and digits, `-` between words.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

fn metric_ok(m: &str) -> bool {
    !m.is_empty()
        && m.len() <= 200
        && m.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'|' | b'='))
}

/// The live URL of `url` (read at `base`) when browsers reach the source at `public`.
fn public_of(url: &reqwest::Url, base: &reqwest::Url, public: &reqwest::Url) -> String {
    let u = url.as_str();
    match u.strip_prefix(base.as_str()) {
        Some(rest) if base != public => format!("{}{rest}", public.as_str()),
        _ => u.to_owned(),
    }
}

/// Checks one source's sections against its endpoints' tables. `taken` holds the slugs already
/// used (by earlier sources), so every section page has its own file.
pub(super) fn check(
    raw: Vec<RawSection>,
    source: &str,
    backend: &super::Backend,
    endpoints: &[Endpoint],
    taken: &mut Vec<String>,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Vec<Section>, ConfigError> {
    let mut titles: Vec<&str> = endpoints
        .iter()
        .flat_map(|e| e.maps.iter().filter_map(|m| m.table.as_deref()))
        .collect();
    titles.sort_unstable();
    if let Some(w) = titles.windows(2).find(|w| w[0] == w[1]) {
        return Err(bad(
            "endpoint.map.table",
            format!("{:?} is used twice in one source", w[0]),
        ));
    }
    let mut out = Vec::new();
    let find = |title: &str| -> Result<SectionTable, ConfigError> {
        endpoints
            .iter()
            .find_map(|e| {
                e.maps
                    .iter()
                    .find(|m| m.table.as_deref() == Some(title))
                    .map(|m| SectionTable {
                        title: title.to_owned(),
                        live_url: public_of(&e.url, &backend.base_url, &backend.public_url),
                        mapping: m.clone(),
                    })
            })
            .ok_or_else(|| {
                bad(
                    "source.section.tables",
                    format!("{title:?} is no table of this source's [[source.endpoint.map]]"),
                )
            })
    };
    for s in raw {
        let title = s.title.trim().to_owned();
        let slug = slug(&title);
        if slug.is_empty() || title.chars().count() > 80 {
            return Err(bad(
                "source.section.title",
                format!("needs 1 to 80 characters with a letter or digit, got {title:?}"),
            ));
        }
        if taken.contains(&slug) {
            return Err(bad(
                "source.section.title",
                format!("{title:?} is used twice"),
            ));
        }
        taken.push(slug.clone());
        let meter = match s.meter {
            None => None,
            Some(v) if v.len() == 2 => Some((v[0].clone(), v[1].clone())),
            Some(_) => {
                return Err(bad(
                    "source.section.meter",
                    "names two metrics: the value and its capacity".into(),
                ));
            }
        };
        if let Some(m) = meter
            .iter()
            .flat_map(|(a, b)| [a, b])
            .chain(&s.figures)
            .find(|m| !metric_ok(m))
        {
            return Err(bad("source.section", format!("{m:?} is not a metric name")));
        }
        let mut tables = Vec::new();
        for t in &s.tables {
            tables.push(find(t)?);
        }
        let flow = match s.flow {
            None => None,
            Some(f) => {
                let t = find(&f.table)?;
                if let Some(c) = f
                    .enabled
                    .as_ref()
                    .filter(|c| !t.mapping.columns.contains(c))
                {
                    return Err(bad(
                        "source.section.flow.enabled",
                        format!("{c:?} is not a column of {:?}", f.table),
                    ));
                }
                if !tables.iter().any(|x| x.title == t.title) {
                    tables.push(t);
                }
                Some(Flow {
                    table: f.table,
                    enabled: f.enabled,
                })
            }
        };
        if meter.is_none() && s.figures.is_empty() && tables.is_empty() {
            return Err(bad(
                "source.section",
                format!("{title:?} shows nothing: give meter, figures, tables or flow"),
            ));
        }
        out.push(Section {
            source: source.to_owned(),
            primary: false,
            title,
            slug,
            page: s.page,
            meter,
            figures: s.figures,
            tables,
            flow,
        });
    }
    // Operations need the operator widgets, which only section pages load.
    for e in endpoints {
        for m in e.maps.iter().filter(|m| !m.ops.is_empty()) {
            let title = m.table.as_deref().unwrap_or_default();
            let shown = out
                .iter()
                .any(|s| s.page && s.tables.iter().any(|t| t.title == title));
            if !shown {
                return Err(bad(
                    "endpoint.map",
                    format!(
                        "the operations on {title:?} need the table in a [[source.section]] with page = true"
                    ),
                ));
            }
        }
    }
    Ok(out)
}
