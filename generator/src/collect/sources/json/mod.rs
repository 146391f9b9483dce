//! Any JSON monitoring endpoint (`[[endpoint]]`): numbers and booleans become metrics named by
//! their JSON path, a top-level `status` becomes a part; with `[[endpoint.map]]`, arrays are read
//! item by item, named by a field (`map`).

pub mod detail;
pub mod map;

use model::{Better, Unit};
use serde_json::Value;

use super::{Capabilities, Source, Undecodable, json_body};
use crate::collect::Target;
use crate::collect::extract::{Node, Shape, Sink, Verdict, clip, seg};
use crate::config::Config;

/// JSON endpoints flattened by path (`kind = "json"`, and the `[[endpoint]]`s of any backend).
#[derive(Debug)]
pub struct Json;

const KIND: &str = "json";
const PREFIX: &str = "custom.";

impl Source for Json {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn targets(&self, config: &Config) -> Vec<Target> {
        config
            .endpoints
            .iter()
            .map(|e| Target {
                needs_auth: e.auth,
                // Only where asked: an endpoint may be a full URL on another host.
                send_token: e.auth,
                // Only on a JSON backend: a Pharos backend's health word is its own endpoint's.
                health: e.health && config.backend.kind == crate::config::BackendKind::Json,
                options: if e.maps.is_empty() {
                    super::KindOptions::None
                } else {
                    super::KindOptions::Json(std::sync::Arc::new(e.maps.clone()))
                },
                ..Target::new(
                    KIND,
                    format!("{PREFIX}{}", e.name),
                    e.url.to_string(),
                    e.url.clone(),
                )
            })
            .collect()
    }

    fn follow_up(&self, config: &Config, first: &[crate::collect::RawReading]) -> Vec<Target> {
        detail::targets(config, first)
    }

    fn decode(
        &self,
        target: &Target,
        body: &[u8],
        sink: &mut Sink,
    ) -> Result<Verdict, Undecodable> {
        let value = json_body(body)?;
        let name = target
            .endpoint
            .strip_prefix(PREFIX)
            .unwrap_or(&target.endpoint);
        let root = Node::root(&value);
        let verdict = match &target.options {
            super::KindOptions::Json(maps) => {
                map::read(name, &target.url, &value, maps, sink)?;
                status_part(name, &root, sink)
            }
            super::KindOptions::Detail(d) => {
                detail::read(d, &value, sink)?;
                Verdict::Ok
            }
            _ => extract(name, &root, sink)?,
        };
        if target.health {
            // Its status word is the source's own word on how it is.
            if let Some(word) = root.get("status").opt_str().ok().flatten() {
                let message = root.get("message").opt_str().ok().flatten().unwrap_or("");
                sink.overall = Some((word.to_owned(), clip(message, 300)));
            }
        }
        Ok(verdict)
    }

    /// Generic JSON says nothing certain about requests: what it reports is shown under its own
    /// names, and no headline figure is inferred from it. Its availability is its own word only
    /// where an endpoint is marked `health = true`.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            availability: true,
            ..Capabilities::default()
        }
    }
}

/// Caps keep one huge or deeply nested body from flooding the store.
const MAX_DEPTH: usize = 8;
const MAX_ARRAY_ITEMS: usize = 20;
const MAX_METRICS: usize = 500;

pub fn extract(name: &str, root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let Some(body) = root.v else {
        return Err(Shape("the body is empty".into()));
    };
    let prefix = seg(name);
    let mut count = 0;
    flatten(body, &prefix, 0, sink, &mut count);
    if count == 0 && !matches!(body, Value::Object(_) | Value::Array(_)) {
        return Err(Shape(format!(
            "the body is a bare {}, expected an object or array",
            match body {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => "null",
            }
        )));
    }
    Ok(status_part(name, root, sink))
}

/// A top-level `status` as the endpoint's part; `status: "error"` or an `error` field as the
/// backend reporting failure.
fn status_part(name: &str, root: &Node<'_>, sink: &mut Sink) -> Verdict {
    let status = root.get("status").opt_str().ok().flatten();
    if let Some(word) = status {
        let message = root.get("message").opt_str().ok().flatten().unwrap_or("");
        sink.components
            .push(Sink::part(word, name, &clip(message, 300)));
    }
    let error = match root.get("error").v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("message").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    if status.is_some_and(|s| s.eq_ignore_ascii_case("error")) || error.is_some() {
        let msg = error.unwrap_or_else(|| "backend reports status \"error\"".into());
        return Verdict::BackendFailure(clip(&msg, 300));
    }
    Verdict::Ok
}

fn flatten(v: &Value, path: &str, depth: usize, sink: &mut Sink, count: &mut usize) {
    if *count >= MAX_METRICS || depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                sink.metric(path, x, Unit::guess(path), Better::guess(path));
                *count += 1;
            }
        }
        Value::Bool(b) => {
            sink.metric(
                path,
                f64::from(u8::from(*b)),
                Unit::Bool,
                Better::guess(path),
            );
            *count += 1;
        }
        Value::Object(m) => {
            for (k, child) in m {
                flatten(child, &format!("{path}.{}", seg(k)), depth + 1, sink, count);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().take(MAX_ARRAY_ITEMS).enumerate() {
                flatten(child, &format!("{path}.{i}"), depth + 1, sink, count);
            }
        }
        Value::String(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_numbers_and_booleans_by_path() {
        let body: Value = serde_json::from_str(
            r#"{"status":"ok","queue":{"depth":12,"latency_ms":3.5,"ready":true,
                "shards":[{"lag":1},{"lag":2}]},"name":"x","nothing":null}"#,
        )
        .expect("json");
        let mut sink = Sink::default();
        let v = extract("q", &Node::root(&body), &mut sink).expect("shape");
        assert_eq!(v, Verdict::Ok);
        let names: Vec<_> = sink.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "q.queue.depth",
                "q.queue.latency_ms",
                "q.queue.ready",
                "q.queue.shards.0.lag",
                "q.queue.shards.1.lag"
            ]
        );
        assert_eq!(sink.metrics[1].unit, Unit::Milliseconds);
        assert_eq!(sink.metrics[1].better, Better::Lower);
        assert_eq!(sink.components[0].name, "q");
        assert_eq!(sink.components[0].status, model::Status::Healthy);
    }

    #[test]
    fn error_body_is_a_backend_failure_and_bare_values_are_shape_errors() {
        let body: Value =
            serde_json::from_str(r#"{"status":"error","error":"disk full"}"#).expect("json");
        let mut sink = Sink::default();
        assert_eq!(
            extract("d", &Node::root(&body), &mut sink),
            Ok(Verdict::BackendFailure("disk full".into()))
        );
        let bare = Value::String("hello".into());
        assert!(extract("d", &Node::root(&bare), &mut Sink::default()).is_err());
    }

    #[test]
    fn metric_count_is_capped() {
        let big: Vec<Value> = (0..5000).map(Value::from).collect();
        let body = serde_json::json!({"a": big, "b": {"c": (0..600).map(|i| (format!("k{i}"), Value::from(i))).collect::<serde_json::Map<_,_>>()}});
        let mut sink = Sink::default();
        extract("x", &Node::root(&body), &mut sink).expect("shape");
        assert!(sink.metrics.len() <= MAX_METRICS);
        assert_eq!(
            sink.metrics
                .iter()
                .filter(|m| m.name.starts_with("x.a."))
                .count(),
            MAX_ARRAY_ITEMS
        );
    }

    #[test]
    fn a_health_endpoint_gives_the_sources_own_word() {
        let config = crate::config::Config::from_toml(
            "[backend]\nkind = \"json\"\nbase_url = \"http://127.0.0.1:9/\"\n\
             [[endpoint]]\nname = \"h\"\nurl = \"/h\"\nhealth = true\n\
             [[endpoint]]\nname = \"m\"\nurl = \"/m\"\n",
            std::path::Path::new("t.toml"),
        )
        .expect("config");
        let targets = Json.targets(&config);
        assert_eq!(
            targets.iter().map(|t| t.health).collect::<Vec<_>>(),
            [true, false]
        );
        let reading = |t: &Target, body: &str| crate::collect::RawReading {
            target: t.clone(),
            http_status: Some(200),
            latency_ms: 1.0,
            attempts: 1,
            tls_not_after_ms: None,
            body: Ok(body.as_bytes().to_vec()),
        };
        let a = crate::collect::assemble(
            0,
            1.0,
            vec![
                reading(
                    &targets[0],
                    r#"{"status":"degraded","message":"slow disk"}"#,
                ),
                reading(&targets[1], r#"{"depth":3}"#),
            ],
        );
        assert_eq!(
            a.snapshot.availability,
            Some(model::Availability::DegradedPerformance)
        );
        assert_eq!(a.snapshot.overall, model::Status::Degraded);
        // Without one, a JSON source says nothing of its availability.
        let a = crate::collect::assemble(0, 1.0, vec![reading(&targets[1], r#"{"status":"ok"}"#)]);
        assert_eq!(a.snapshot.availability, None);
    }
}
