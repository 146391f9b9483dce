//! Per-item follow-ups of a mapped endpoint (`histogram`, `trend`): one request per item of the
//! first answer, each read into a table that details the item's metrics (its drill-down page
//! draws them).

use std::sync::Arc;

use serde_json::Value;

use super::map::{at, item_url, key_of};
use crate::collect::extract::{Shape, Sink, clip, seg};
use crate::collect::{RawReading, Target};
use crate::config::{Config, Detail};

/// Items of one answer asked for their details: a long list must not become a flood of requests.
const MAX_ITEMS: usize = 20;
/// Rows kept of one detail.
const MAX_ROWS: usize = 200;

/// What one follow-up asks and for which item.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailTarget {
    /// `histogram` or `trend`.
    pub kind: &'static str,
    /// The item's metrics' common name (`latency.GET__api_items`).
    pub of: String,
    /// The item's key as the source wrote it (`GET /api/items`).
    pub key: String,
    pub detail: Detail,
}

/// The follow-ups the first answers of `config`'s mapped endpoints lead to.
pub fn targets(config: &Config, first: &[RawReading]) -> Vec<Target> {
    let mut out = Vec::new();
    for e in &config.endpoints {
        let id = format!("{}{}", super::PREFIX, e.name);
        let Some(body) = first
            .iter()
            .find(|r| r.target.source == super::KIND && r.target.endpoint == id)
            .filter(|r| r.http_status.is_some_and(|s| (200..300).contains(&s)))
            .and_then(|r| r.body.as_ref().ok())
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        else {
            continue;
        };
        for m in &e.maps {
            let asks = [("histogram", &m.histogram), ("trend", &m.trend)];
            let Some(Value::Array(items)) = at(&body, &m.items) else {
                continue;
            };
            for item in items.iter().take(MAX_ITEMS) {
                let Some(key) = key_of(m, item) else {
                    continue;
                };
                for (kind, d) in asks.iter().filter_map(|(k, d)| Some((*k, d.as_ref()?))) {
                    let Some(url) = item_url(&e.url, &d.url, item).and_then(|u| u.parse().ok())
                    else {
                        continue;
                    };
                    let t = DetailTarget {
                        kind,
                        of: format!("{}.{}", seg(&e.name), seg(&key)),
                        key: key.clone(),
                        detail: d.clone(),
                    };
                    out.push(Target {
                        needs_auth: e.auth,
                        send_token: e.auth,
                        // A backend that keeps no detail of an item says so with a 404.
                        optional: true,
                        options: super::super::KindOptions::Detail(Arc::new(t.clone())),
                        ..Target::new(
                            super::KIND,
                            format!("{id}.{kind}.{}", seg(&key)),
                            url_path(&url),
                            url,
                        )
                    });
                }
            }
        }
    }
    out
}

fn url_path(u: &reqwest::Url) -> String {
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    }
}

/// One follow-up's answer as a table of the item's rows.
pub fn read(t: &DetailTarget, body: &Value, sink: &mut Sink) -> Result<(), Shape> {
    let Some(Value::Array(items)) = at(body, &t.detail.items) else {
        return Err(Shape(format!("{:?} is not an array", t.detail.items)));
    };
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => clip(s, 80),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let rows = items
        .iter()
        .take(MAX_ROWS)
        .map(|item| {
            let mut row = vec![text(at(item, &t.detail.key))];
            row.extend(t.detail.values.iter().map(|v| text(at(item, v))));
            row
        })
        .collect();
    sink.lists.tables.push(model::lists::Table {
        title: clip(&format!("{} of {}", t.kind, t.key), 160),
        columns: std::iter::once(&t.detail.key)
            .chain(&t.detail.values)
            .cloned()
            .collect(),
        rows,
        kind: t.kind.to_owned(),
        of: t.of.clone(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::extract::Sink;

    fn config() -> Config {
        Config::from_toml(
            "[backend]\nkind = \"json\"\nbase_url = \"http://127.0.0.1:9/\"\n[[endpoint]]\nname = \"latency\"\nurl = \"api/latency/summary\"\nauth = true\n\
             [[endpoint.map]]\nitems = \"endpoints\"\nkey = [\"method\", \"path\"]\nvalues = [\"p95\"]\n\
             histogram = { url = \"endpoints/{path}/histogram?method={method}\" }\ntrend = { url = \"endpoints/{path}/trend\", values = [\"p95\"] }\n",
            std::path::Path::new("t.toml"),
        )
        .expect("config")
    }

    fn reading(config: &Config, status: u16, body: &str) -> RawReading {
        RawReading {
            target: crate::collect::targets(config).remove(0),
            http_status: Some(status),
            latency_ms: 1.0,
            attempts: 1,
            body: Ok(body.as_bytes().to_vec()),
            tls_not_after_ms: None,
        }
    }

    #[test]
    fn each_item_is_asked_for_its_details_and_they_become_its_tables() {
        let c = config();
        let first = reading(
            &c,
            200,
            r#"{"endpoints":[{"method":"GET","path":"/api/items","p95":40},{"path":"no method"}]}"#,
        );
        let t = targets(&c, std::slice::from_ref(&first));
        let urls: Vec<&str> = t.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:9/api/latency/endpoints/%2Fapi%2Fitems/histogram?method=GET",
                "http://127.0.0.1:9/api/latency/endpoints/%2Fapi%2Fitems/trend",
            ],
            "one request per detail of each named item"
        );
        assert!(t.iter().all(|t| t.optional && t.send_token));
        assert_eq!(t[0].endpoint, "custom.latency.histogram.GET__api_items");
        // A failed first answer leads to nothing.
        assert!(targets(&c, &[reading(&c, 500, "{}")]).is_empty());

        let crate::collect::sources::KindOptions::Detail(d) = &t[0].options else {
            panic!("a detail target");
        };
        let mut sink = Sink::default();
        let body = serde_json::json!({"buckets": [{"range": "0-25", "count": 7}, {"range": "25-50", "count": 3}]});
        read(d, &body, &mut sink).expect("read");
        let table = &sink.lists.tables[0];
        assert_eq!(
            (table.kind.as_str(), table.of.as_str()),
            ("histogram", "latency.GET__api_items")
        );
        assert_eq!(table.rows, [["0-25", "7"], ["25-50", "3"]]);
        assert!(read(d, &serde_json::json!({"buckets": 3}), &mut sink).is_err());
    }
}
