//! `[[endpoint.map]]`: an array read item by item, each named by its key fields: metrics
//! `<endpoint>.<key>.<field>`, a part per item from its status word, and the parts it needs as
//! `depends.<key>` facts (the dependency graph reads them).

use model::{Better, Unit};
use serde_json::Value;

use crate::collect::extract::{Shape, Sink, clip, seg};
use crate::config::{Mapping, unit_of};

/// Items read per array: one huge answer must not flood the store.
const MAX_ITEMS: usize = 500;

/// The value at a dot path (`a.b.0`); the whole value for an empty path.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.').try_fold(v, |cur, key| match cur {
        Value::Object(m) => m.get(key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Every mapping of one endpoint's answer (asked at `url`) into the sink.
pub fn read(
    endpoint: &str,
    url: &reqwest::Url,
    body: &Value,
    maps: &[Mapping],
    sink: &mut Sink,
) -> Result<(), Shape> {
    let prefix = seg(endpoint);
    for m in maps {
        let items = match at(body, &m.items) {
            Some(Value::Array(a)) if !m.key.is_empty() => a,
            // An object read as one item: its values are `<endpoint>.<field>`.
            Some(o @ Value::Object(_)) if m.key.is_empty() => {
                one(&prefix, "", o, m, sink);
                continue;
            }
            Some(Value::Array(_)) => {
                return Err(Shape("an array needs `key` to name its items".into()));
            }
            _ if m.key.is_empty() => return Err(Shape(format!("{:?} is not an object", m.items))),
            _ => {
                let at = if m.items.is_empty() {
                    "the body"
                } else {
                    m.items.as_str()
                };
                return Err(Shape(format!("{at} is not an array")));
            }
        };
        let mut table = m.table.as_ref().map(|title| model::lists::Table {
            title: clip(title, 80),
            columns: m.key.iter().chain(&m.columns).cloned().collect(),
            rows: Vec::new(),
            kind: String::new(),
            of: String::new(),
        });
        for item in items.iter().take(MAX_ITEMS) {
            // An item without its key fields cannot be named: skipped, not guessed.
            let Some(key) = key_of(m, item) else {
                continue;
            };
            one(&prefix, &key, item, m, sink);
            if let Some(u) = m.check.as_deref().and_then(|t| item_url(url, t, item)) {
                sink.fact(format!("check.{key}"), u);
            }
            if let Some(t) = table.as_mut().filter(|t| t.rows.len() < m.rows) {
                let mut row = vec![key.clone()];
                row.extend(m.columns.iter().map(|c| cell(at(item, c))));
                t.rows.push(row);
            }
        }
        sink.lists.tables.extend(table);
    }
    Ok(())
}

/// An item's name: its key fields' values joined by a space; `None` when one is missing.
pub fn key_of(m: &Mapping, item: &Value) -> Option<String> {
    let key = m
        .key
        .iter()
        .map(|k| at(item, k).and_then(text))
        .collect::<Option<Vec<_>>>()?;
    Some(clip(&key.join(" "), 120))
}

/// A table cell: text, an array's items joined, empty for what is not there.
fn cell(v: Option<&Value>) -> String {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(text).collect::<Vec<_>>().join(", "),
        Some(v) => text(v).unwrap_or_default(),
        None => String::new(),
    }
    .chars()
    .take(200)
    .collect()
}

/// An item's URL (its check, its details): the template's placeholders filled
/// (percent-encoded), resolved against the endpoint's URL; `None` when a field is missing.
pub fn item_url(base: &reqwest::Url, template: &str, item: &Value) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        out.push_str(&rest[..open]);
        let v = at(item, &rest[open + 1..close]).and_then(text)?;
        out.extend(percent_encoding::utf8_percent_encode(
            &v,
            percent_encoding::NON_ALPHANUMERIC,
        ));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    base.join(&out).ok().map(|u| u.to_string())
}

fn one(prefix: &str, key: &str, item: &Value, m: &Mapping, sink: &mut Sink) {
    if let Some(word) = m
        .status
        .as_deref()
        .and_then(|f| at(item, f))
        .and_then(Value::as_str)
    {
        let message = m
            .message
            .as_deref()
            .and_then(|f| at(item, f))
            .and_then(text)
            .unwrap_or_default();
        sink.components
            .push(Sink::part(word, key, &clip(&message, 300)));
    }
    let unit_of_item = m.unit.or_else(|| {
        m.unit_field
            .as_deref()
            .and_then(|f| at(item, f))
            .and_then(Value::as_str)
            .and_then(unit_of)
    });
    for field in &m.values {
        let Some(x) = at(item, field).and_then(Value::as_f64) else {
            continue;
        };
        let name = if key.is_empty() {
            format!("{prefix}.{}", seg(field))
        } else {
            format!("{prefix}.{}.{}", seg(key), seg(field))
        };
        let unit = m.units.get(field).copied().or(unit_of_item);
        sink.metric(
            name,
            x,
            unit.unwrap_or_else(|| Unit::guess(field)),
            Better::guess(field),
        );
    }
    if let Some(Value::Array(needs)) = m.depends.as_deref().and_then(|f| at(item, f)) {
        let names: Vec<String> = needs
            .iter()
            .filter_map(text)
            .map(|n| clip(&n, 120))
            .collect();
        sink.fact(format!("depends.{key}"), names.join(","));
    }
}

#[cfg(test)]
mod tests;
