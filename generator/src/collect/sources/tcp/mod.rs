//! Black-box TCP checks (`kind = "tcp"`): a connect to `host:port` within the connect timeout
//! is the service up, and its time the response time.

use model::{Better, Unit};

use super::{Capabilities, KeyGroups, Profile, Source, Undecodable};
use crate::collect::extract::{Sink, Verdict};
use crate::collect::{RawReading, Target, TransportFailure};
use crate::config::{BackendKind, Config};

#[derive(Debug)]
pub struct Tcp;

const KIND: &str = "tcp";

const KEY_GROUPS: KeyGroups = &[(
    "Check",
    &[
        ("check.up", "Connected"),
        ("check.response_ms", "Connect time"),
    ],
)];

impl Source for Tcp {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn targets(&self, config: &Config) -> Vec<Target> {
        let b = &config.backend;
        if b.kind != BackendKind::Tcp {
            return Vec::new();
        }
        let url = b.base_url.clone();
        let address = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port().unwrap_or(0)
        );
        let mut t = Target::new(KIND, "connect".into(), address, url);
        t.health = true;
        t.send_token = false;
        vec![t]
    }

    fn decode(&self, _: &Target, _: &[u8], _: &mut Sink) -> Result<Verdict, Undecodable> {
        Ok(Verdict::Ok)
    }

    fn decode_reading(
        &self,
        r: &RawReading,
        _taken_at_ms: i64,
        sink: &mut Sink,
    ) -> Option<Verdict> {
        if r.target.source != KIND {
            return None;
        }
        let (up, message) = match &r.body {
            Ok(_) => (true, format!("connected in {:.0} ms", r.latency_ms)),
            Err(TransportFailure::Timeout(m)) => (false, format!("no connection: {m}")),
            Err(TransportFailure::Unreachable(m)) => (false, format!("refused: {m}")),
            Err(TransportFailure::TooLarge(_)) => (true, "connected".to_owned()),
        };
        super::http::finding(sink, &r.target.path, up, &message);
        if up {
            sink.metric(
                "check.response_ms",
                r.latency_ms,
                Unit::Milliseconds,
                Better::Lower,
            );
        }
        Some(Verdict::Ok)
    }

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
