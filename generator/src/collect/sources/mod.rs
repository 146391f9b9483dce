//! Source kinds: what a snapshot asks of a backend, how each answer becomes readings, and which
//! headline figures the kind really measures. One folder per kind; `REGISTRY` lists them.

pub mod http;
pub mod json;
pub mod pharos;
pub mod prometheus;
pub mod tcp;

use super::Target;
use super::extract::{Shape, Sink, Verdict};
use crate::config::Config;

/// A kind's own reading options, carried by its targets to `decode` (which sees no config).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum KindOptions {
    #[default]
    None,
    Prometheus(std::sync::Arc<crate::config::PromOptions>),
    Check(std::sync::Arc<crate::config::CheckOptions>),
    Json(std::sync::Arc<Vec<crate::config::Mapping>>),
    /// A mapped item's follow-up (`histogram`, `trend`).
    Detail(std::sync::Arc<json::detail::DetailTarget>),
}

/// Which headline figures a kind really measures. A figure it does not measure is shown as
/// "not reported by <source>", never filled in from Lookout's own readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Its own word on its availability (a health status).
    pub availability: bool,
    /// The share of its requests that failed.
    pub request_error_rate: bool,
    /// Requests served per second.
    pub request_rate: bool,
    /// Percentiles of its requests' latency.
    pub request_latency: bool,
}

/// Groups of `(metric, label)`: the figures a kind's dashboard leads with, in people's words.
pub type KeyGroups = &'static [(&'static str, &'static [(&'static str, &'static str)])];

/// A chart of the range pages: its metrics (`(name, label)`), unit and alert threshold.
#[derive(Debug)]
pub struct ChartSpec {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: model::Unit,
    pub metrics: &'static [(&'static str, &'static str)],
    pub threshold: Option<f64>,
}

/// Per-operation series a kind reports (`<prefix><name><average>`, `<prefix><name><count>`),
/// drawn in the latency heatmap with a page each.
#[derive(Debug, Clone, Copy)]
pub struct Methods {
    pub prefix: &'static str,
    pub average: &'static str,
    pub count: &'static str,
}

impl Methods {
    /// The operation a metric is the average time of, if it is one.
    pub fn name_of(self, metric: &str) -> Option<&str> {
        metric.strip_prefix(self.prefix)?.strip_suffix(self.average)
    }

    pub fn average_of(self, name: &str) -> String {
        format!("{}{name}{}", self.prefix, self.average)
    }

    pub fn count_of(self, name: &str) -> String {
        format!("{}{name}{}", self.prefix, self.count)
    }
}

/// What a kind's site shows, as data: its key metric groups, live cards, range charts and
/// per-operation series. Generic stages name no backend metric; they read this.
#[derive(Debug, Clone, Copy, Default)]
pub struct Profile {
    pub key_groups: KeyGroups,
    /// Metrics the live cards widget follows.
    pub cards: &'static [&'static str],
    /// Charts of the range pages, after Lookout's own.
    pub charts: &'static [&'static ChartSpec],
    pub methods: Option<Methods>,
}

/// The profile of the kind named `kind` (empty for an unknown one).
pub fn profile_of(kind: &str) -> Profile {
    of(kind).map(|s| s.profile()).unwrap_or_default()
}

/// Why an answer could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Undecodable {
    /// Not the syntax the kind reads (invalid JSON, say).
    Syntax(String),
    /// The right syntax, not the shape the endpoint answers.
    Shape(String),
}

impl From<Shape> for Undecodable {
    fn from(s: Shape) -> Undecodable {
        Undecodable::Shape(s.0)
    }
}

/// A kind of backend.
pub trait Source: Sync {
    /// Its name in config (`kind = "pharos"`) and on each of its targets.
    fn kind(&self) -> &'static str;
    /// Every request one snapshot makes of it, in a stable order.
    fn targets(&self, config: &Config) -> Vec<Target>;
    /// One answer's body as readings. A wrong shape anywhere fails the whole answer.
    fn decode(&self, target: &Target, body: &[u8], sink: &mut Sink)
    -> Result<Verdict, Undecodable>;
    fn capabilities(&self) -> Capabilities;
    /// Requests that depend on what the first ones answered (a route list naming the checks to
    /// read). Asked once per snapshot, after every `targets` answer is in.
    fn follow_up(&self, _config: &Config, _first: &[super::RawReading]) -> Vec<Target> {
        Vec::new()
    }
    /// Reads a whole reading (status, timing, certificate, or no answer at all) where the kind
    /// is a black-box check, whose finding is the answer itself; `None` for the kinds that
    /// read bodies (`decode`).
    fn decode_reading(
        &self,
        _r: &super::RawReading,
        _taken_at_ms: i64,
        _sink: &mut Sink,
    ) -> Option<Verdict> {
        None
    }
    /// Reconciles what several answers said of one part once all are decoded (two signals of
    /// one worker's liveness, say), and names the parts whose answer could not be read.
    fn settle(&self, _sink: &mut Sink, _outcomes: &[model::EndpointOutcome]) {}
    /// Whether it knows each endpoint's shape well enough that a 5xx body of that shape is the
    /// backend's own word (Pharos); a kind that takes any JSON cannot tell an error page apart.
    fn reads_error_bodies(&self) -> bool {
        false
    }
    /// Its dashboard as data; a kind without one shows its figures by their names.
    fn profile(&self) -> Profile {
        Profile::default()
    }
}

/// Every kind. Adding one: its folder, and one line here.
pub const REGISTRY: &[&dyn Source] = &[
    &pharos::Pharos,
    &json::Json,
    &prometheus::Prometheus,
    &http::Http,
    &tcp::Tcp,
];

/// The kind named `kind`.
pub fn of(kind: &str) -> Option<&'static dyn Source> {
    REGISTRY.iter().copied().find(|s| s.kind() == kind)
}

/// Every target of every kind the config reads.
pub fn targets(config: &Config) -> Vec<Target> {
    REGISTRY.iter().flat_map(|s| s.targets(config)).collect()
}

/// Parses a JSON body, for the kinds that read JSON.
pub fn json_body(body: &[u8]) -> Result<serde_json::Value, Undecodable> {
    serde_json::from_slice(body).map_err(|e| Undecodable::Syntax(e.to_string()))
}
