//! `[[endpoint.map]]`: how a JSON endpoint's arrays become named metrics, parts and
//! dependencies, instead of metrics named by array index.

use serde::Deserialize;

use super::ConfigError;

/// The most rows a table keeps.
pub const MAX_ROWS: usize = 50;

/// One array of an answer, read item by item.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// Dot path to the array (`endpoints`, `data.services`); empty: the body itself. Without
    /// `key`, an object read as one item.
    pub items: String,
    /// Fields that name an item, joined by a space (`["method", "path"]`: `GET /api/x`).
    pub key: Vec<String>,
    /// A status word field: each item is a part.
    pub status: Option<String>,
    /// Its message field.
    pub message: Option<String>,
    /// Number fields (dot paths in the item) read as metrics `<endpoint>.<key>.<field>`.
    pub values: Vec<String>,
    /// The values' unit, fixed (`ms`, `percent`...) or read from a field of the item; `units`
    /// gives single values theirs.
    pub unit: Option<model::Unit>,
    pub units: std::collections::BTreeMap<String, model::Unit>,
    pub unit_field: Option<String>,
    /// A field listing the names of the parts the item needs (the dependency graph).
    pub depends: Option<String>,
    /// Where a person can ask the item to check itself now (POST, with the tab's token): a URL
    /// relative to the endpoint's, with `{field}` placeholders (`services/{id}/check`).
    pub check: Option<String>,
    /// Shows the items as a table of this title, the key then `columns` (fields, arrays
    /// joined), at most `rows` rows (50 unless given), in the answer's order.
    pub table: Option<String>,
    pub columns: Vec<String>,
    pub rows: usize,
    /// What an operator may do to the table's items from its section page.
    pub ops: super::ops::Ops,
    /// Asked per item: its histogram (buckets and counts) and its hourly trend, shown on the
    /// drill-down page of its percentiles.
    pub histogram: Option<Detail>,
    pub trend: Option<Detail>,
}

/// One request per item for what details it: `url` (relative to the endpoint's, `{field}`
/// placeholders), whose array `items` has rows named by `key` with the fields `values`.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub url: String,
    pub items: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDetail {
    url: String,
    items: Option<String>,
    key: Option<String>,
    values: Option<Vec<String>>,
}

/// A detail checked, with the defaults of its kind (`(items, key, values)`).
fn detail(
    raw: Option<RawDetail>,
    (items, key, values): (&str, &str, &[&str]),
    what: &'static str,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Option<Detail>, ConfigError> {
    let Some(r) = raw else {
        return Ok(None);
    };
    if !template_ok(&r.url) {
        return Err(bad(
            what,
            format!(
                "{:?} is not a relative URL with {{field}} placeholders",
                r.url
            ),
        ));
    }
    let d = Detail {
        url: r.url,
        items: r.items.unwrap_or_else(|| items.to_owned()),
        key: r.key.unwrap_or_else(|| key.to_owned()),
        values: r
            .values
            .unwrap_or_else(|| values.iter().map(|v| (*v).to_owned()).collect()),
    };
    if let Some(f) = std::iter::once(&d.items)
        .chain([&d.key])
        .chain(&d.values)
        .find(|f| !path_ok(f))
    {
        return Err(bad(what, format!("{f:?} is not a field path")));
    }
    Ok(Some(d))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMap {
    #[serde(default)]
    items: String,
    key: Option<KeyFields>,
    status: Option<String>,
    message: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    unit: Option<String>,
    #[serde(default)]
    units: std::collections::BTreeMap<String, String>,
    unit_field: Option<String>,
    depends: Option<String>,
    check: Option<String>,
    table: Option<String>,
    #[serde(default)]
    columns: Vec<String>,
    rows: Option<usize>,
    #[serde(default)]
    action: Vec<super::ops::RawAction>,
    toggle: Option<super::ops::RawToggle>,
    reorder: Option<super::ops::RawReorder>,
    histogram: Option<RawDetail>,
    trend: Option<RawDetail>,
}

/// `key = "name"` or `key = ["method", "path"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyFields {
    One(String),
    Many(Vec<String>),
}

/// A unit by its config word or its symbol (`ms`, `%`).
pub fn unit_of(word: &str) -> Option<model::Unit> {
    use model::Unit;
    Unit::parse(word).or(match word {
        "ms" => Some(Unit::Milliseconds),
        "s" => Some(Unit::Seconds),
        "min" => Some(Unit::Minutes),
        "%" | "pct" => Some(Unit::Percent),
        "B" => Some(Unit::Bytes),
        "MB" => Some(Unit::Megabytes),
        "/s" | "rps" => Some(Unit::PerSecond),
        _ => None,
    })
}

pub(super) fn path_ok(p: &str) -> bool {
    !p.is_empty()
        && p.split('.').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        })
}

/// `services/{id}/check`: a relative path whose placeholders are field paths.
pub(super) fn template_ok(t: &str) -> bool {
    if t.is_empty() || t.contains("://") || t.starts_with("//") || t.contains(['"', ' ', '#']) {
        return false;
    }
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return false;
        };
        if !path_ok(&rest[open + 1..open + close]) {
            return false;
        }
        rest = &rest[open + close + 1..];
    }
    !rest.contains('}')
}

pub(super) fn check(
    raw: Vec<RawMap>,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Vec<Mapping>, ConfigError> {
    let mut out = Vec::new();
    for m in raw {
        let key = match m.key {
            Some(KeyFields::One(k)) => vec![k],
            Some(KeyFields::Many(k)) => k,
            None => Vec::new(),
        };
        let fields = key
            .iter()
            .chain(&m.values)
            .chain(m.status.iter())
            .chain(m.message.iter())
            .chain(m.unit_field.iter())
            .chain(m.depends.iter())
            .chain(&m.columns);
        if let Some(f) = fields.clone().find(|f| !path_ok(f)) {
            return Err(bad("endpoint.map", format!("{f:?} is not a field path")));
        }
        let per_item = m.status.is_some()
            || m.depends.is_some()
            || m.table.is_some()
            || m.check.is_some()
            || m.unit_field.is_some();
        if key.is_empty() && per_item {
            let why = "names no field: status, depends, check and table need items named by key";
            return Err(bad("endpoint.map.key", why.into()));
        }
        let mut units = std::collections::BTreeMap::new();
        for (field, u) in m.units {
            if !m.values.contains(&field) {
                return Err(bad(
                    "endpoint.map.units",
                    format!("{field:?} is not one of `values`"),
                ));
            }
            let unit = unit_of(&u).ok_or_else(|| {
                bad(
                    "endpoint.map.units",
                    format!("{u:?} is not a unit (ms, s, percent, /s...)"),
                )
            })?;
            units.insert(field, unit);
        }
        if !m.items.is_empty() && !path_ok(&m.items) {
            return Err(bad(
                "endpoint.map.items",
                format!("{:?} is not a path", m.items),
            ));
        }
        let unit = match m.unit.as_deref() {
            None => None,
            Some(u) => Some(unit_of(u).ok_or_else(|| {
                bad(
                    "endpoint.map.unit",
                    format!("{u:?} is not a unit (ms, s, percent, bytes...)"),
                )
            })?),
        };
        if let Some(t) = &m.check
            && !template_ok(t)
        {
            let why = format!("{t:?} is not a relative URL with {{field}} placeholders");
            return Err(bad("endpoint.map.check", why));
        }
        if m.table.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(bad("endpoint.map.table", "needs a title".into()));
        }
        if m.status.is_none() && m.values.is_empty() && m.depends.is_none() && m.table.is_none() {
            let why = "reads nothing: give status, values, depends or table".to_owned();
            return Err(bad("endpoint.map", why));
        }
        let rows = m.rows.unwrap_or(MAX_ROWS);
        if !(1..=MAX_ROWS).contains(&rows) {
            return Err(bad(
                "endpoint.map.rows",
                format!("must be 1 to {MAX_ROWS}, got {rows}"),
            ));
        }
        let raw_ops = super::ops::RawOps {
            action: m.action,
            toggle: m.toggle,
            reorder: m.reorder,
        };
        let ops = super::ops::check(raw_ops, m.table.is_some(), bad)?;
        let histogram = detail(
            m.histogram,
            ("buckets", "range", &["count"]),
            "endpoint.map.histogram",
            bad,
        )?;
        let trend = detail(
            m.trend,
            ("points", "hour", &["p50", "p95", "p99"]),
            "endpoint.map.trend",
            bad,
        )?;
        if key.is_empty() && (histogram.is_some() || trend.is_some()) {
            return Err(bad(
                "endpoint.map.key",
                "names no field: histogram and trend are asked per item".into(),
            ));
        }
        out.push(Mapping {
            items: m.items,
            key,
            status: m.status,
            message: m.message,
            values: m.values,
            unit,
            units,
            unit_field: m.unit_field,
            depends: m.depends,
            check: m.check,
            table: m.table,
            columns: m.columns,
            rows,
            ops,
            histogram,
            trend,
        });
    }
    Ok(out)
}
