//! Health-shaped Pharos endpoints: overall health, ML health, model, modules, ingestion health and worker.

use model::{Better, Unit};
use serde_json::Value;

use super::{envelope, failure_from, title_case};
use crate::collect::extract::{Node, Shape, Sink, Verdict, clip, seg};

pub(super) fn health(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let message = root.get("message").opt_str()?.unwrap_or("");
    sink.overall = Some((status.to_owned(), message.to_owned()));
    if root.get("components").opt_obj()?.is_some() {
        for (name, c) in root.get("components").entries()? {
            c.obj()?;
            let word = c.get("status").str()?;
            let msg = c.get("message").opt_str()?.unwrap_or("");
            sink.components
                .push(Sink::part(word, name, &clip(msg, 300)));
            if let Some(n) = c.get("worker_count").opt_num()? {
                sink.metric(
                    format!("health.{}.worker_count", seg(name)),
                    n,
                    Unit::Count,
                    Better::Higher,
                );
            }
        }
    }
    if !root.get("modules").is_null() {
        for (name, m) in root.get("modules").entries()? {
            let (word, msg) = match m.v {
                Some(Value::String(s)) => (s.as_str(), ""),
                _ => (
                    m.get("status").str()?,
                    m.get("message").opt_str()?.unwrap_or(""),
                ),
            };
            sink.modules
                .push(Sink::part(word, &title_case(name), &clip(msg, 300)));
        }
    }
    Ok(failure_from(status, root))
}

pub(super) fn health_ml(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let code = root.get("http_status").opt_num()?;
    if let Some(c) = code {
        sink.metric("ml.http_status", c, Unit::None, Better::Neither);
    }
    if root.get("checks").opt_obj()?.is_some() {
        for (name, v) in root.get("checks").entries()? {
            if let Some(b) = v.opt_bool()? {
                sink.metric(
                    format!("ml.check.{}", seg(name)),
                    f64::from(u8::from(b)),
                    Unit::Bool,
                    Better::Higher,
                );
            }
        }
    }
    let message = root
        .get("error")
        .opt_str()?
        .or(root.get("message").opt_str()?)
        .unwrap_or("");
    sink.components
        .push(Sink::part(status, "ml", &clip(message, 300)));
    match failure_from(status, root) {
        Verdict::Ok if code.is_some_and(|c| c >= 500.0) => Ok(Verdict::BackendFailure(format!(
            "body reports HTTP {}{}",
            code.unwrap_or_default(),
            if message.is_empty() {
                String::new()
            } else {
                format!(": {}", clip(message, 300))
            }
        ))),
        v => Ok(v),
    }
}

pub(super) fn model_health(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = envelope(root)?;
    let model = root.get("model");
    if model.opt_obj()?.is_some() {
        if let Some(a) = model.get("available").opt_bool()? {
            sink.metric(
                "model.available",
                f64::from(u8::from(a)),
                Unit::Bool,
                Better::Higher,
            );
        }
        sink.num(
            model.get("size_mb"),
            "model.size_mb",
            Unit::Megabytes,
            Better::Neither,
        )?;
        sink.num(
            model.get("num_users"),
            "model.num_users",
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            model.get("num_items"),
            "model.num_items",
            Unit::Count,
            Better::Neither,
        )?;
        sink.num(
            model.get("embedding_dim"),
            "model.embedding_dim",
            Unit::Count,
            Better::Neither,
        )?;
        if let Some(t) = model.get("last_modified").opt_str()? {
            sink.fact("model.last_modified", clip(t, 64));
        }
        if let Some(m) = model.get("message").opt_str()? {
            sink.fact("model.message", clip(m, 300));
        }
    }
    Ok(failure_from(status, root))
}

pub(super) fn module(root: &Node<'_>, requested: &str, sink: &mut Sink) -> Result<Verdict, Shape> {
    if root.get("health").opt_obj()?.is_none() {
        return own_check(root, requested, sink);
    }
    let status = envelope(root)?;
    let name = root.get("module").str()?;
    if !name.eq_ignore_ascii_case(requested) {
        return Err(Shape(format!(
            "`module` is {name:?}, expected {requested:?}"
        )));
    }
    let h = root.get("health");
    let word = h.get("status").str()?;
    let msg = h.get("message").opt_str()?.unwrap_or("");
    let mut part = Sink::part(word, &title_case(requested), &clip(msg, 300));
    // Pharos answers "healthy" for any name, registered or not, when no check is registered:
    // that says nothing of the module, so it is unknown, never healthy.
    if msg.contains(super::routes::NO_CHECK) {
        part.status = model::Status::Unknown;
        part.word = super::routes::NO_CHECK.to_owned();
    }
    sink.modules.push(part);
    Ok(failure_from(status, root))
}

/// A module's own check (`/api/resources/health`, `/api/github/health`, ...). Its shape differs
/// by module and version; its status word is the module's, and the sub-checks that failed
/// (database, services, cache) say why.
fn own_check(root: &Node<'_>, name: &str, sink: &mut Sink) -> Result<Verdict, Shape> {
    let word = root.get("status").str()?;
    let mut why: Vec<String> = Vec::new();
    let db = root.get("database");
    match db.v {
        Some(Value::Bool(false)) => why.push("database check failed".into()),
        Some(Value::Object(_)) if db.get("healthy").opt_bool()? == Some(false) => why.push(
            db.get("message")
                .opt_str()?
                .unwrap_or("database check failed")
                .to_owned(),
        ),
        _ => {}
    }
    if root.get("services").opt_obj()?.is_some() {
        for (service, v) in root.get("services").entries()? {
            if v.opt_obj()?.is_some() && v.get("available").opt_bool()? == Some(false) {
                let m = v.get("message").opt_str()?.unwrap_or("unavailable");
                why.push(format!("{service}: {m}"));
            }
        }
    }
    if root.get("cache_available").opt_bool()? == Some(false) {
        why.push("cache unavailable".into());
    }
    for key in ["error", "message"] {
        if let Some(m) = root.get(key).opt_str()? {
            why.push(m.to_owned());
        }
    }
    let part = Sink::part(word, &title_case(name), &clip(&why.join("; "), 300));
    sink.modules.push(part);
    Ok(Verdict::Ok)
}

pub(super) fn ingestion_health(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = root.get("status").str()?;
    let mut problems = Vec::new();
    for (name, v) in root.get("services").entries()? {
        let s = v.str()?;
        sink.fact(format!("ingestion.service.{}", seg(name)), clip(s, 200));
        if model::Status::from_word(s).is_problem() {
            problems.push(format!("{name}: {}", clip(s, 120)));
        }
    }
    sink.components
        .push(Sink::part(status, "ingestion", &problems.join("; ")));
    Ok(Verdict::Ok)
}

pub(super) fn ingestion_worker(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let status = root.get("status").str()?;
    sink.fact("ingestion.worker", clip(status, 200));
    let lower = status.to_ascii_lowercase();
    let word = if lower.starts_with("error") {
        "error"
    } else if lower.starts_with("offline") {
        "down"
    } else if lower.starts_with("idle") || lower.starts_with("training") {
        "healthy"
    } else {
        "unknown"
    };
    sink.components
        .push(Sink::part(word, WORKER, &clip(status, 200)));
    Ok(Verdict::Ok)
}

/// The part both worker signals describe.
const WORKER: &str = "ingestion_worker";
/// Its fact naming the heartbeat's state, which tells the two parts apart in `settle_worker`.
const HEARTBEAT: &str = "ingestion.heartbeat";

/// `/api/v1/ingestion/health/worker` (newest version): the worker's heartbeat, `state` online,
/// degraded (older than the threshold) or offline (never seen, or expired).
pub(super) fn heartbeat(root: &Node<'_>, sink: &mut Sink) -> Result<Verdict, Shape> {
    let state = root.get("state").str()?;
    let ago = root.get("seconds_since_last_seen").opt_num()?;
    let threshold = root.get("threshold_seconds").opt_num()?;
    if let Some(a) = ago {
        sink.metric(
            "ingestion.worker.seen_ago_s",
            a,
            Unit::Seconds,
            Better::Lower,
        );
    }
    let word = match state {
        "online" => "healthy",
        "degraded" => "degraded",
        "offline" => "down",
        other => other,
    };
    let message = match (ago, threshold) {
        (Some(a), Some(t)) if a > t => {
            format!(
                "last heartbeat {a:.0} s ago, past the {t:.0} s threshold: new jobs are refused"
            )
        }
        (Some(a), Some(t)) => format!("heartbeat {a:.0} s ago (threshold {t:.0} s)"),
        (Some(a), None) => format!("heartbeat {a:.0} s ago"),
        (None, _) => "no heartbeat seen".to_owned(),
    };
    sink.fact(HEARTBEAT, clip(state, 40));
    sink.components.push(Sink::part(word, WORKER, &message));
    Ok(Verdict::Ok)
}

/// One worker part from its two signals. The newest version's own worker reports only by
/// heartbeat and never writes the status key, which reads "Offline" forever; a legacy worker
/// writes the key and sends no heartbeat. So a running worker by either signal is running, and
/// the heartbeat speaks when it is there and neither says so.
pub(super) fn settle_worker(sink: &mut Sink) {
    let has_beat = sink.facts.iter().any(|f| f.name == HEARTBEAT);
    let at: Vec<usize> = (0..sink.components.len())
        .filter(|&i| sink.components[i].name == WORKER)
        .collect();
    if let [first, second] = at[..]
        && has_beat
    {
        // `targets` reads the heartbeat before the status key.
        let key = sink.components.remove(second);
        let beat = &mut sink.components[first];
        if key.status == model::Status::Healthy {
            // A legacy worker at work: it runs, whatever the heartbeat says.
            beat.message = format!("{}; status key: {}", beat.message, key.message);
            if beat.status != model::Status::Healthy {
                beat.status = key.status;
                beat.word = key.word;
            }
        }
    }
    if let Some(w) = sink.components.iter().find(|c| c.name == WORKER) {
        // A heartbeat past its threshold is "degraded", and the newest version then refuses
        // new jobs (503 offline): not online.
        let online = match w.status {
            model::Status::Healthy => Some(1.0),
            model::Status::Degraded | model::Status::Down => Some(0.0),
            _ => None,
        };
        if let Some(v) = online {
            sink.metric("ingestion.worker.online", v, Unit::Bool, Better::Higher);
        }
    }
}
