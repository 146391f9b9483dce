//! After every Pharos answer of a snapshot is decoded: which version answered, and the parts
//! whose answer could not be read (unknown, with why, rather than gone).

use model::{EndpointOutcome, OutcomeKind, PartHealth, Status};

use super::title_case;
use crate::collect::extract::{Sink, clip};

/// The fact naming the version: `older` (no heartbeat route, the contract's) or `newest`.
pub const VERSION: &str = "pharos.version";

/// Tells the two versions in the field apart by the newest one's heartbeat route, public in
/// both (it is under `/api/v1/ingestion/health`): the older answers 404 there. A 401 or 403 (a
/// proxy's, say) or no answer says nothing.
pub(super) fn version(sink: &mut Sink, outcomes: &[EndpointOutcome]) {
    let Some(o) = outcomes
        .iter()
        .find(|o| o.endpoint == "ingestion.heartbeat")
    else {
        return;
    };
    let v = match (o.kind, o.http_status) {
        (OutcomeKind::NotAvailable, Some(404)) => "older",
        (_, Some(401 | 403) | None) => return,
        (_, Some(_)) => "newest",
    };
    sink.fact(VERSION, v);
}

/// The part an endpoint's answer describes, when it describes one.
fn part_of(endpoint: &str) -> Option<(bool, String)> {
    if let Some(m) = endpoint.strip_prefix("module.") {
        return Some((true, title_case(m)));
    }
    match endpoint {
        "ingestion.health" => Some((false, "ingestion".into())),
        "ingestion.worker" => Some((false, "ingestion_worker".into())),
        "health.ml" => Some((false, "ml".into())),
        _ => None,
    }
}

/// A part whose answer failed is shown unknown with the reason: a queue store down must not
/// make the ingestion worker vanish from the page.
pub(super) fn unread_parts(sink: &mut Sink, outcomes: &[EndpointOutcome]) {
    for o in outcomes.iter().filter(|o| !o.kind.is_ok()) {
        let Some((module, name)) = part_of(&o.endpoint) else {
            continue;
        };
        let list = if module {
            &mut sink.modules
        } else {
            &mut sink.components
        };
        if list.iter().any(|p| p.name == name) {
            continue;
        }
        let why = o.detail.as_deref().unwrap_or("no answer");
        list.push(PartHealth {
            name,
            status: Status::Unknown,
            word: "not read".to_owned(),
            message: clip(&format!("not read: {why}"), 300),
        });
    }
}
