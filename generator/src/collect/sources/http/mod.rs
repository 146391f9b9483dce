//! Black-box HTTP checks (`kind = "http"`): one request to a URL; its status, body and timing
//! are the checked service's availability and response time, and an HTTPS answer's certificate
//! says how many days it has left.

pub mod cert;

use model::{Better, Unit};
use serde_json::Value;

use super::{Capabilities, KeyGroups, KindOptions, Profile, Source, Undecodable};
use crate::collect::extract::{Sink, Verdict, clip};
use crate::collect::{RawReading, Target, TransportFailure};
use crate::config::{BackendKind, CheckOptions, Config};

#[derive(Debug)]
pub struct Http;

const KIND: &str = "http";

/// What a check measures, in people's words.
const KEY_GROUPS: KeyGroups = &[(
    "Check",
    &[
        ("check.up", "Passed"),
        ("check.response_ms", "Response time"),
        ("check.status_code", "HTTP status"),
        ("check.cert_days_left", "Certificate days left"),
    ],
)];

impl Source for Http {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn targets(&self, config: &Config) -> Vec<Target> {
        let b = &config.backend;
        if b.kind != BackendKind::Http {
            return Vec::new();
        }
        let url = b.base_url.clone();
        let mut t = Target::new(KIND, "check".into(), url.path().to_owned(), url);
        t.health = true;
        t.send_token = false;
        t.options = KindOptions::Check(std::sync::Arc::new(b.check.clone()));
        vec![t]
    }

    /// Never asked: a check reads the whole reading (`decode_reading`).
    fn decode(&self, _: &Target, _: &[u8], _: &mut Sink) -> Result<Verdict, Undecodable> {
        Ok(Verdict::Ok)
    }

    fn decode_reading(&self, r: &RawReading, taken_at_ms: i64, sink: &mut Sink) -> Option<Verdict> {
        let opts = match &r.target.options {
            KindOptions::Check(o) => o.as_ref(),
            _ => return None,
        };
        let name = part_name(&r.target);
        let outcome = judge(opts, r);
        let passed = outcome.is_ok();
        let message = match &outcome {
            Ok(m) | Err(m) => m.clone(),
        };
        finding(sink, &name, passed, &message);
        if let Some(s) = r.http_status {
            sink.metric(
                "check.status_code",
                f64::from(s),
                Unit::None,
                Better::Neither,
            );
            sink.metric(
                "check.response_ms",
                r.latency_ms,
                Unit::Milliseconds,
                Better::Lower,
            );
        }
        if let Some(at) = r.tls_not_after_ms {
            let days = (at - taken_at_ms) as f64 / 86_400_000.0;
            sink.metric("check.cert_days_left", days, Unit::None, Better::Higher);
        }
        Some(Verdict::Ok)
    }

    /// Its own finding on availability and the response time of one request; no request counts.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            availability: true,
            ..Capabilities::default()
        }
    }

    fn profile(&self) -> Profile {
        Profile {
            key_groups: KEY_GROUPS,
            ..Profile::default()
        }
    }
}

/// A black-box check's finding (this kind's and `tcp`'s): the source's own word, its one part,
/// and `check.up`.
pub(super) fn finding(sink: &mut Sink, part: &str, passed: bool, message: &str) {
    let word = if passed { "healthy" } else { "down" };
    sink.overall = Some((word.to_owned(), message.to_owned()));
    sink.components
        .push(Sink::part(word, part, &clip(message, 300)));
    sink.metric(
        "check.up",
        f64::from(u8::from(passed)),
        Unit::Bool,
        Better::Higher,
    );
}

/// The part a check shows as: the host it asks.
fn part_name(t: &Target) -> String {
    t.url.host_str().unwrap_or("check").to_owned()
}

/// Whether the answer passes: `Ok(summary)` or `Err(why not)`.
fn judge(opts: &CheckOptions, r: &RawReading) -> Result<String, String> {
    let status = match (&r.body, r.http_status) {
        (Err(TransportFailure::Timeout(m)), _) => return Err(format!("no answer: {m}")),
        (Err(TransportFailure::Unreachable(m)), _) => return Err(format!("unreachable: {m}")),
        (_, Some(s)) => s,
        (_, None) => return Err("no HTTP status".into()),
    };
    let ok_status = if opts.expect_status.is_empty() {
        (200..400).contains(&status)
    } else {
        opts.expect_status.contains(&status)
    };
    if !ok_status {
        let want = if opts.expect_status.is_empty() {
            "2xx or 3xx".to_owned()
        } else {
            opts.expect_status
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        };
        return Err(format!("HTTP {status}, expected {want}"));
    }
    let body = match &r.body {
        Ok(b) => String::from_utf8_lossy(b),
        Err(TransportFailure::TooLarge(cap))
            if opts.body_contains.is_some() || opts.json_equals.is_some() =>
        {
            return Err(format!(
                "body larger than the {cap}-byte cap: its content not checked"
            ));
        }
        Err(_) => return Ok(format!("HTTP {status}")),
    };
    if let Some(text) = &opts.body_contains
        && !body.contains(text.as_str())
    {
        return Err(format!(
            "HTTP {status}, but the body lacks {:?}",
            clip(text, 80)
        ));
    }
    if let Some((path, want)) = &opts.json_equals {
        let got = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| at_path(&v, path).map(text_of));
        match got {
            Some(g) if g == *want => {}
            Some(g) => return Err(format!("{path} is {:?}, expected {want:?}", clip(&g, 80))),
            None => return Err(format!("the body has no {path}")),
        }
    }
    Ok(format!("HTTP {status}"))
}

/// `a.b.0.c` into a JSON value.
fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, key| match cur {
        Value::Object(m) => m.get(key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
