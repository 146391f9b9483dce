//! One snapshot: every endpoint's outcome, the health of every part, and every metric read at one time.

use serde::{Deserialize, Serialize};

use crate::{Metric, Status};

/// How reading one endpoint went. Anything but `Ok` and `NotAvailable` is a failed reading,
/// recorded and shown, never fatal, and never taken for the service's own downtime or errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Ok,
    /// HTTP status outside 2xx.
    HttpError,
    Timeout,
    /// Connection refused, reset, DNS failure: the backend could not be reached.
    Unreachable,
    /// The body was larger than the configured cap.
    TooLarge,
    InvalidJson,
    /// Valid JSON, but not the shape the endpoint is known to answer.
    UnexpectedShape,
    /// HTTP 200 whose body says the backend failed (`status: "error"`, an `http_status` of 5xx...).
    BackendFailure,
    /// The backend answered that the feature is not there (not installed, not configured, not
    /// applicable): neither a failure nor down.
    NotAvailable,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "ok",
            OutcomeKind::HttpError => "http_error",
            OutcomeKind::Timeout => "timeout",
            OutcomeKind::Unreachable => "unreachable",
            OutcomeKind::TooLarge => "too_large",
            OutcomeKind::InvalidJson => "invalid_json",
            OutcomeKind::UnexpectedShape => "unexpected_shape",
            OutcomeKind::BackendFailure => "backend_failure",
            OutcomeKind::NotAvailable => "not_available",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "OK",
            OutcomeKind::HttpError => "HTTP error",
            OutcomeKind::Timeout => "Timeout",
            OutcomeKind::Unreachable => "Unreachable",
            OutcomeKind::TooLarge => "Body too large",
            OutcomeKind::InvalidJson => "Unreadable body",
            OutcomeKind::UnexpectedShape => "Unexpected shape",
            OutcomeKind::BackendFailure => "Backend reports failure",
            OutcomeKind::NotAvailable => "Not available",
        }
    }

    /// The reading worked: an answer, or the backend's word that the feature is not there.
    pub fn is_ok(self) -> bool {
        matches!(self, OutcomeKind::Ok | OutcomeKind::NotAvailable)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointOutcome {
    /// Stable short id (`health`, `module.search`, `ingestion.jobs`).
    pub endpoint: String,
    pub method: String,
    /// Path and query as requested, relative to the backend's base URL.
    pub path: String,
    pub http_status: Option<u16>,
    pub latency_ms: f64,
    pub bytes: u64,
    pub kind: OutcomeKind,
    /// Why the reading failed, or what the backend said about itself.
    pub detail: Option<String>,
    pub attempts: u32,
}

/// Health of one component or module as the backend reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartHealth {
    pub name: String,
    pub status: Status,
    /// The backend's own word, kept because `Status` folds several words together.
    pub word: String,
    pub message: String,
}

/// A text reading that is not a number (worker state, database type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Milliseconds since the Unix epoch, UTC.
    pub taken_at_ms: i64,
    /// How long the whole collection took.
    pub duration_ms: f64,
    pub overall: Status,
    /// What the backend says of its own availability; `None` when it said nothing readable
    /// (unknown, not down).
    #[serde(default)]
    pub availability: Option<crate::Availability>,
    /// Why `overall` is what it is, worst first.
    pub reasons: Vec<String>,
    pub components: Vec<PartHealth>,
    pub modules: Vec<PartHealth>,
    pub outcomes: Vec<EndpointOutcome>,
    pub metrics: Vec<Metric>,
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// Lists the source reported (recent events, jobs), decoded by its kind.
    #[serde(default)]
    pub lists: crate::lists::Lists,
    /// Each source's own state when a site reads several (the first is the one `overall`,
    /// `availability` and the unprefixed figures belong to); empty for a single source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceState>,
    /// Cumulative values a source reported (counters, histogram buckets), kept so the next
    /// snapshot can turn them into rates over the interval between the two.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counters: Vec<Counter>,
}

/// One cumulative value: a counter series (`http_requests_total.code_200`), or a histogram
/// bucket (`<series>|le=0.5`), its sum (`<series>|sum`) or count (`<series>|count`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    pub name: String,
    pub value: f64,
}

/// One source's state in a snapshot of several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    pub name: String,
    /// Its kind (`pharos`, `json`).
    pub kind: String,
    pub overall: Status,
    pub availability: Option<crate::Availability>,
    /// Why, worst first (the first few).
    pub reasons: Vec<String>,
    pub readings: usize,
    pub failed: usize,
}

impl Snapshot {
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }

    pub fn fact(&self, name: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    pub fn failed_outcomes(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.kind.is_ok()).count()
    }
}
