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
    let status = envelope(root)?;
    let name = root.get("module").str()?;
    if !name.eq_ignore_ascii_case(requested) {
        return Err(Shape(format!(
            "`module` is {name:?}, expected {requested:?}"
        )));
    }
    let h = root.get("health");
    h.obj()?;
    let word = h.get("status").str()?;
    let msg = h.get("message").opt_str()?.unwrap_or("");
    let mut part = Sink::part(word, &title_case(requested), &clip(msg, 300));
    // Pharos answers "healthy" for any name, registered or not, when no check is registered:
    // that says nothing of the module, so it is unknown, never healthy.
    if msg.contains("no health check registered") {
        part.status = model::Status::Unknown;
        part.word = "no health check registered".to_owned();
    }
    sink.modules.push(part);
    Ok(failure_from(status, root))
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
    let (word, online) = if lower.starts_with("error") {
        ("error", false)
    } else if lower.starts_with("offline") {
        ("down", false)
    } else if lower.starts_with("idle") || lower.starts_with("training") {
        ("healthy", true)
    } else {
        ("unknown", true)
    };
    sink.metric(
        "ingestion.worker.online",
        f64::from(u8::from(online)),
        Unit::Bool,
        Better::Higher,
    );
    sink.components
        .push(Sink::part(word, "ingestion_worker", &clip(status, 200)));
    Ok(Verdict::Ok)
}
