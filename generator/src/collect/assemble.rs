//! Turns raw readings into a typed `Snapshot`: classify each outcome, extract metrics, roll up health.

use model::{
    Availability, Better, EndpointOutcome, OutcomeKind, PartHealth, Snapshot, Status, Unit,
};
use serde_json::Value;

use super::extract::{Sink, Verdict, clip};
use super::guard::{self, Limits};
use super::sources::{self, Undecodable};
use super::{RawReading, TransportFailure};

/// A snapshot plus the raw bodies, aligned with `snapshot.outcomes`, for the store.
#[derive(Debug)]
pub struct Assembled {
    pub snapshot: Snapshot,
    pub bodies: Vec<Option<Vec<u8>>>,
}

pub fn assemble(taken_at_ms: i64, duration_ms: f64, readings: Vec<RawReading>) -> Assembled {
    assemble_within(taken_at_ms, duration_ms, readings, &Limits::default())
}

/// `assemble`, keeping the source's counts within `limits` (what they drop is said).
pub fn assemble_within(
    taken_at_ms: i64,
    duration_ms: f64,
    readings: Vec<RawReading>,
    limits: &Limits,
) -> Assembled {
    let mut sink = Sink::default();
    let mut outcomes = Vec::with_capacity(readings.len());
    let mut bodies = Vec::with_capacity(readings.len());
    // Which outcome carries the source's own word on its health (its target says so).
    let mut health_at = None;
    for r in readings {
        if r.target.health {
            health_at = Some(outcomes.len());
        }
        let (kind, detail, bytes) = classify(&r, taken_at_ms, &mut sink);
        outcomes.push(EndpointOutcome {
            endpoint: r.target.endpoint,
            method: "GET".to_owned(),
            path: r.target.path,
            http_status: r.http_status,
            latency_ms: r.latency_ms,
            bytes,
            kind,
            // Backend text reaches the terminal (`lookout snapshot`) and the pages.
            detail: detail.map(|d| guard::clean(&d, guard::TEXT_MAX)),
            attempts: r.attempts,
        });
        bodies.push(r.body.ok().filter(|_| r.target.keep_body));
    }
    if let Some(said) = guard::limit(&mut sink, limits) {
        tracing::warn!("{said}; raise backend.max_metrics, max_parts or max_items to keep more");
    }
    for source in sources::REGISTRY {
        source.settle(&mut sink, &outcomes);
    }
    probe_metrics(&outcomes, duration_ms, &mut sink);
    let health = Health(health_at.map(|i| &outcomes[i]));
    let (overall, reasons) = roll_up(&sink, &outcomes, health);
    let availability = availability(&sink, &outcomes, health);
    status_metrics(overall, availability, &mut sink);
    Assembled {
        snapshot: Snapshot {
            taken_at_ms,
            duration_ms,
            overall,
            availability,
            reasons,
            components: sink.components,
            modules: sink.modules,
            outcomes,
            metrics: sink.metrics,
            facts: sink.facts,
            lists: sink.lists,
            sources: vec![],
            counters: sink.counters,
        },
        bodies,
    }
}

fn classify(
    r: &RawReading,
    taken_at_ms: i64,
    sink: &mut Sink,
) -> (OutcomeKind, Option<String>, u64) {
    // A black-box check reads the whole reading: its finding is the answer itself.
    if let Some(source) = sources::of(r.target.source) {
        let mut local = Sink::default();
        if source.decode_reading(r, taken_at_ms, &mut local).is_some() {
            merge(sink, local);
            if let Ok(b) = &r.body {
                return (OutcomeKind::Ok, None, b.len() as u64);
            }
        }
    }
    let body = match &r.body {
        Ok(b) => b,
        Err(TransportFailure::Timeout(m)) => return (OutcomeKind::Timeout, Some(clip(m, 300)), 0),
        Err(TransportFailure::Unreachable(m)) => {
            return (OutcomeKind::Unreachable, Some(clip(m, 300)), 0);
        }
        Err(TransportFailure::TooLarge(cap)) => {
            return (
                OutcomeKind::TooLarge,
                Some(format!("body larger than the {cap}-byte cap")),
                0,
            );
        }
    };
    let bytes = body.len() as u64;
    let status = r.http_status.unwrap_or(0);
    if status == 404 && r.target.optional {
        let why = "not in this version of the backend (HTTP 404)".to_owned();
        return (OutcomeKind::NotAvailable, Some(why), bytes);
    }
    if !(200..300).contains(&status) {
        // A 5xx whose body has the endpoint's own shape is the backend saying how it is (the
        // newest Pharos answers an unhealthy ingestion with 503 and the object): its health
        // words count, like a failure reported inside a 200.
        if status >= 500
            && let Some(detail) = failure_body(r, body, status, sink)
        {
            return (OutcomeKind::BackendFailure, Some(detail), bytes);
        }
        return (
            OutcomeKind::HttpError,
            Some(http_detail(status, body)),
            bytes,
        );
    }
    let Some(source) = sources::of(r.target.source) else {
        let why = format!("no source kind {:?} reads this", r.target.source);
        return (OutcomeKind::UnexpectedShape, Some(why), bytes);
    };
    // A fresh sink per reading: a body that fails half-way contributes nothing.
    let mut local = Sink::default();
    match source.decode(&r.target, body, &mut local) {
        Err(Undecodable::Syntax(msg)) => (OutcomeKind::InvalidJson, Some(clip(&msg, 300)), bytes),
        Err(Undecodable::Shape(msg)) => {
            (OutcomeKind::UnexpectedShape, Some(clip(&msg, 300)), bytes)
        }
        Ok(Verdict::Ok) => {
            merge(sink, local);
            (OutcomeKind::Ok, None, bytes)
        }
        Ok(Verdict::BackendFailure(msg)) => {
            words_only(&mut local);
            let kind = if missing_feature(&msg) {
                // "No module named 'celery'": the feature is not installed, which is no failure.
                for p in local.components.iter_mut().chain(local.modules.iter_mut()) {
                    p.status = Status::NotApplicable;
                }
                OutcomeKind::NotAvailable
            } else {
                OutcomeKind::BackendFailure
            };
            merge(sink, local);
            (kind, Some(msg), bytes)
        }
    }
}

/// What a failure's body is worth: its health words. Its numbers and lists are placeholders
/// (Pharos answers zeros beside an error), so a failed reading leaves a gap in every series.
fn words_only(sink: &mut Sink) {
    sink.metrics.clear();
    sink.counters.clear();
    sink.lists = model::lists::Lists::default();
}

/// Decodes a 5xx body of the endpoint's shape: its parts are kept, its numbers dropped (they are
/// placeholders beside a failure). `None` when the body is not that shape.
fn failure_body(r: &RawReading, body: &[u8], status: u16, sink: &mut Sink) -> Option<String> {
    let source = sources::of(r.target.source).filter(|s| s.reads_error_bodies())?;
    let mut local = Sink::default();
    let verdict = source.decode(&r.target, body, &mut local).ok()?;
    words_only(&mut local);
    let said = match verdict {
        Verdict::BackendFailure(msg) => format!(": {msg}"),
        Verdict::Ok => String::new(),
    };
    merge(sink, local);
    Some(format!("HTTP {status}{said}"))
}

/// The backend's words for a feature that is not there: not installed, not configured, not
/// applicable, a model not trained yet. Such an answer is neither a failure nor down; the
/// backend's message stays with the part.
pub fn missing_feature(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "no module named",
        "not installed",
        "not configured",
        "not applicable",
        "not_applicable",
        "not trained",
    ]
    .iter()
    .any(|w| t.contains(w))
}

fn merge(into: &mut Sink, mut from: Sink) {
    // The one door every answer's readings pass: checked here, before anything uses them.
    guard::reading(&mut from);
    for p in from.components.iter_mut().chain(from.modules.iter_mut()) {
        if p.status.is_problem() && missing_feature(&p.message) {
            p.status = Status::NotApplicable;
        }
    }
    into.metrics.extend(from.metrics);
    into.components.extend(from.components);
    into.modules.extend(from.modules);
    into.facts.extend(from.facts);
    into.counters.extend(from.counters);
    if from.lists.events.is_some() {
        into.lists.events = from.lists.events;
    }
    if from.lists.jobs.is_some() {
        into.lists.jobs = from.lists.jobs;
    }
    into.lists.tables.extend(from.lists.tables);
    if from.overall.is_some() {
        into.overall = from.overall;
    }
}

/// `HTTP 401: Not authenticated`, with FastAPI's `detail` (string or object) when there is one.
fn http_detail(status: u16, body: &[u8]) -> String {
    let detail = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        let d = v.get("detail")?;
        match d {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("error")
                .or_else(|| o.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| Some(d.to_string())),
            other => Some(other.to_string()),
        }
    });
    match detail {
        Some(d) => format!("HTTP {status}: {}", clip(&d, 300)),
        None if status == 0 => "no HTTP status".to_owned(),
        None => format!("HTTP {status}"),
    }
}

/// What Lookout itself observed: response times and the share of failed readings.
fn probe_metrics(outcomes: &[EndpointOutcome], duration_ms: f64, sink: &mut Sink) {
    let answered: Vec<f64> = outcomes
        .iter()
        .filter(|o| o.http_status.is_some())
        .map(|o| o.latency_ms)
        .collect();
    for (p, name) in [(50.0, "p50"), (95.0, "p95"), (99.0, "p99")] {
        if let Some(v) = model::stats::percentile(&answered, p) {
            sink.metric(
                format!("probe.latency_{name}"),
                v,
                Unit::Milliseconds,
                Better::Lower,
            );
        }
    }
    // Per endpoint too, so endpoint pages and the latency heatmap read rollups like any metric.
    for o in outcomes.iter().filter(|o| o.http_status.is_some()) {
        sink.metric(
            format!("probe.endpoint.{}.latency_ms", o.endpoint),
            o.latency_ms,
            Unit::Milliseconds,
            Better::Lower,
        );
    }
    let failed = outcomes.iter().filter(|o| !o.kind.is_ok()).count();
    if !outcomes.is_empty() {
        sink.metric(
            "probe.error_rate",
            failed as f64 / outcomes.len() as f64 * 100.0,
            Unit::Percent,
            Better::Lower,
        );
    }
    sink.metric(
        "probe.endpoints_failed",
        failed as f64,
        Unit::Count,
        Better::Lower,
    );
    sink.metric(
        "probe.duration_ms",
        duration_ms,
        Unit::Milliseconds,
        Better::Lower,
    );
}

/// 0 healthy, 1 degraded, 2 down; parts that are unknown or do not apply get no number.
fn status_value(s: Status) -> Option<f64> {
    match s {
        Status::Healthy => Some(0.0),
        Status::Degraded => Some(1.0),
        Status::Down => Some(2.0),
        Status::Unknown | Status::NotApplicable => None,
    }
}

/// Statuses as metrics, so alert rules, trends and history treat them like any other reading.
/// `status.available` is the backend's own word on its availability (1 up, 0 an outage), absent
/// when it said nothing: uptime counts only what the backend said.
fn status_metrics(overall: Status, availability: Option<Availability>, sink: &mut Sink) {
    let mut add = Vec::new();
    add.extend(status_value(overall).map(|v| ("status.overall".to_owned(), v)));
    if let Some(a) = availability {
        sink.metric(
            "status.available",
            f64::from(u8::from(a.is_up())),
            Unit::Bool,
            Better::Higher,
        );
    }
    for (kind, parts) in [("component", &sink.components), ("module", &sink.modules)] {
        for p in parts {
            if let Some(v) = status_value(p.status) {
                add.push((super::status_metric(kind, &p.name), v));
            }
        }
    }
    for (name, v) in add {
        sink.metric(name, v, Unit::None, Better::Lower);
    }
}

fn transport_failure(k: OutcomeKind) -> bool {
    matches!(k, OutcomeKind::Unreachable | OutcomeKind::Timeout)
}

/// The outcome of the source's health endpoint, when it has one.
#[derive(Clone, Copy)]
struct Health<'a>(Option<&'a EndpointOutcome>);

impl Health<'_> {
    fn asked(self) -> bool {
        self.0.is_some()
    }

    /// Its answer was read (a failure reported in the body counts: its words were read).
    fn read(self) -> bool {
        self.0
            .is_some_and(|o| matches!(o.kind, OutcomeKind::Ok | OutcomeKind::BackendFailure))
    }

    /// Asked and did not answer at all (refused, reset, timed out).
    fn unreachable(self) -> bool {
        self.0.is_some_and(|o| transport_failure(o.kind))
    }
}

/// The backend's own word on its availability: its health word when it was read; a major
/// outage when it answered nothing at all; otherwise unknown.
fn availability(
    sink: &Sink,
    outcomes: &[EndpointOutcome],
    health: Health<'_>,
) -> Option<Availability> {
    if health.read() {
        return sink
            .overall
            .as_ref()
            .and_then(|(word, _)| Availability::from_status(Status::from_word(word)));
    }
    let silent = !outcomes.is_empty() && outcomes.iter().all(|o| transport_failure(o.kind));
    if health.unreachable() || silent {
        return Some(Availability::MajorOutage);
    }
    None
}

fn part_reason(kind: &str, p: &PartHealth) -> String {
    if p.message.is_empty() {
        format!("{kind} {}: {}", p.name, p.word)
    } else {
        format!("{kind} {}: {} ({})", p.name, p.word, p.message)
    }
}

/// The overall status: the backend's own word, raised by problem parts (at most to degraded)
/// and by failed readings; down when the health endpoint itself could not be read.
fn roll_up(sink: &Sink, outcomes: &[EndpointOutcome], health: Health<'_>) -> (Status, Vec<String>) {
    let mut reasons: Vec<(Status, String)> = Vec::new();
    // Unknown until something the backend said makes it known: its word, or its parts.
    let mut overall = Status::Unknown;
    let mut summary = None;
    if let Some((word, message)) = &sink.overall {
        let s = Status::from_word(word);
        overall = s;
        if s != Status::Healthy && !message.is_empty() {
            summary = Some(format!("Backend reports {word}: {}", clip(message, 300)));
        }
    }
    if health.asked() && !health.read() {
        // Not answering at all is an outage; an answer Lookout could not read says nothing.
        overall = if health.unreachable() {
            Status::Down
        } else {
            Status::Unknown
        };
        let why = health
            .0
            .map(|o| {
                o.detail
                    .clone()
                    .unwrap_or_else(|| o.kind.label().to_owned())
            })
            .unwrap_or_default();
        reasons.push((
            overall,
            format!("The health endpoint could not be read: {why}"),
        ));
    }
    for (kind, parts) in [("Component", &sink.components), ("Module", &sink.modules)] {
        for p in parts.iter().filter(|p| p.status.is_problem()) {
            overall = overall.max(Status::Degraded);
            reasons.push((p.status, part_reason(kind, p)));
        }
    }
    // Failed readings are Lookout's, not the backend's: listed, never counted against its status.
    // Only a backend that answers nothing at all is down.
    let failed: Vec<&EndpointOutcome> = outcomes.iter().filter(|o| !o.kind.is_ok()).collect();
    if !failed.is_empty() {
        if failed.len() == outcomes.len() && failed.iter().all(|o| transport_failure(o.kind)) {
            overall = Status::Down;
        } else if !health.asked() && failed.len() == outcomes.len() {
            overall = Status::Unknown;
        }
        let list: Vec<String> = failed
            .iter()
            .take(6)
            .map(|o| format!("{} ({})", o.endpoint, o.kind.label()))
            .collect();
        let more = failed.len().saturating_sub(6);
        reasons.push((
            Status::Unknown,
            format!(
                "{} of {} readings failed: {}{}",
                failed.len(),
                outcomes.len(),
                list.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        ));
    }
    // A health word Lookout could not read stays unknown, whatever other parts were read.
    let word_read = health.read() || !health.asked();
    if overall == Status::Unknown && !sink.components.is_empty() && word_read {
        overall = Status::Healthy;
    }
    // A source that says nothing of health (no word, no parts: an exporter's metrics, plain
    // JSON), read without a failure, has no status to give: it is left out of the roll-up
    // rather than making the whole site read "unknown".
    if overall == Status::Unknown
        && sink.overall.is_none()
        && !health.asked()
        && sink.components.is_empty()
        && sink.modules.is_empty()
        && failed.is_empty()
    {
        overall = Status::NotApplicable;
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.0));
    // The backend's own summary leads; the parts that explain it follow, worst first.
    let list = summary
        .into_iter()
        .chain(reasons.into_iter().map(|(_, r)| r))
        .collect();
    (overall, list)
}
