//! Several sources in one snapshot: each further source's readings are assembled on their own,
//! then joined to the first's with their names in front, so nothing of one passes for another's.

use model::{Snapshot, SourceState, Status};

use super::Assembled;
use super::extract::seg;

/// A source's state as its own snapshot says it.
pub fn state_of(name: &str, kind: &str, s: &Snapshot) -> SourceState {
    SourceState {
        name: name.to_owned(),
        kind: kind.to_owned(),
        overall: s.overall,
        availability: s.availability,
        reasons: s.reasons.iter().take(3).cloned().collect(),
        readings: s.outcomes.len(),
        failed: s.failed_outcomes(),
    }
}

/// The name a further source's metric takes: its statuses keep their kind of place so part pages
/// and the default rules find them (`status.component.queue_db`, `status.source.queue`); its
/// own figures go under `source.<name>.`; Lookout's reads of it under its endpoints' new ids.
pub fn metric_name(source: &str, metric: &str) -> String {
    let key = seg(source);
    if metric == "status.overall" {
        return format!("status.source.{key}");
    }
    if metric == "status.available" {
        return format!("status.available.{key}");
    }
    for kind in ["status.component.", "status.module."] {
        if let Some(part) = metric.strip_prefix(kind) {
            return format!("{kind}{key}_{part}");
        }
    }
    if let Some(rest) = metric.strip_prefix("probe.endpoint.") {
        return format!("probe.endpoint.{source}:{rest}");
    }
    if let Some(rest) = metric.strip_prefix("probe.") {
        return format!("probe.source.{key}.{rest}");
    }
    format!("source.{key}.{metric}")
}

/// Joins `from`, the snapshot of the source `name`, to `into`. The overall status is the worst
/// of the two; `into`'s availability stays its own (each source's is in `sources`).
pub fn join(into: &mut Assembled, name: &str, from: Assembled) {
    let s = from.snapshot;
    let t = &mut into.snapshot;
    t.outcomes.extend(s.outcomes.into_iter().map(|mut o| {
        o.endpoint = format!("{name}:{}", o.endpoint);
        o
    }));
    into.bodies.extend(from.bodies);
    let renamed = |parts: Vec<model::PartHealth>| {
        parts.into_iter().map(|mut p| {
            p.name = format!("{name}/{}", p.name);
            p
        })
    };
    t.components.extend(renamed(s.components));
    t.modules.extend(renamed(s.modules));
    t.metrics.extend(s.metrics.into_iter().map(|mut m| {
        m.name = metric_name(name, &m.name);
        m
    }));
    t.lists
        .tables
        .extend(s.lists.tables.into_iter().map(|mut tb| {
            tb.title = format!("{name}: {}", tb.title);
            if !tb.of.is_empty() {
                tb.of = metric_name(name, &tb.of);
            }
            tb
        }));
    t.counters.extend(s.counters.into_iter().map(|mut c| {
        c.name = metric_name(name, &c.name);
        c
    }));
    t.facts.extend(s.facts.into_iter().map(|mut f| {
        f.name = format!("source.{}.{}", seg(name), f.name);
        f
    }));
    t.reasons
        .extend(s.reasons.into_iter().map(|r| format!("{name}: {r}")));
    t.overall = worst(t.overall, s.overall);
}

/// The worse of two statuses; a part that does not apply never outweighs one that is known.
fn worst(a: Status, b: Status) -> Status {
    match (a, b) {
        (Status::NotApplicable, x) | (x, Status::NotApplicable) => x,
        (x, y) => x.max(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_further_source_keeps_its_figures_apart() {
        assert_eq!(
            metric_name("queue", "status.overall"),
            "status.source.queue"
        );
        assert_eq!(
            metric_name("queue", "status.component.stats"),
            "status.component.queue_stats"
        );
        // The part is renamed `queue/stats`: its status metric is the one its page reads.
        assert_eq!(
            format!(
                "status.component.{}",
                seg(&"queue/stats".to_ascii_lowercase())
            ),
            metric_name("queue", "status.component.stats")
        );
        assert_eq!(
            metric_name("queue", "probe.endpoint.custom.stats.latency_ms"),
            "probe.endpoint.queue:custom.stats.latency_ms"
        );
        assert_eq!(
            metric_name("queue", "probe.latency_p95"),
            "probe.source.queue.latency_p95"
        );
        assert_eq!(
            metric_name("queue", "stats.depth"),
            "source.queue.stats.depth"
        );
        assert_eq!(worst(Status::Healthy, Status::Unknown), Status::Unknown);
        assert_eq!(worst(Status::Down, Status::NotApplicable), Status::Down);
        assert_eq!(worst(Status::Degraded, Status::Healthy), Status::Degraded);
    }
}
