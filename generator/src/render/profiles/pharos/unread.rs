//! A Pharos section whose answer failed in this snapshot says why, and shows its last known
//! figures with their age instead of vanishing.

use model::{EndpointOutcome, Snapshot};

use crate::render::dashboard::Dashboard;
use crate::store::{Store, StoreError};

/// Each section of the index (its id in the template) and the endpoints it is drawn from.
const SECTIONS: [(&str, &[&str]); 8] = [
    ("perf", &["performance"]),
    ("db", &["database", "db_pool"]),
    ("ev", &["events", "events.history"]),
    ("cache", &["cache"]),
    ("workers", &["workers"]),
    ("ml", &["health.ml", "model_health"]),
    ("eng", &["user_engagement", "recommendation_quality"]),
    (
        "ing",
        &["ingestion.health", "ingestion.worker", "ingestion.jobs"],
    ),
];

/// How far back a section's last reading is looked for (2 hours at the default interval).
const LOOK_BACK: u32 = 120;

/// Why one answer was not read, in the reader's words.
fn why(now: &Snapshot, o: &EndpointOutcome) -> String {
    let token_unset = now.reasons.iter().any(|r| r.starts_with("token not set"));
    if o.http_status == Some(401) && token_unset {
        "token missing".to_owned()
    } else {
        o.detail.clone().unwrap_or_else(|| "no answer".to_owned())
    }
}

/// `token missing (a, b); HTTP 503: … (c)`: each reason once, with the answers it stopped.
fn grouped(now: &Snapshot, failed: &[&EndpointOutcome]) -> String {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for o in failed {
        let w = why(now, o);
        match groups.iter_mut().find(|(g, _)| *g == w) {
            Some((_, eps)) => eps.push(&o.endpoint),
            None => groups.push((w, vec![&o.endpoint])),
        }
    }
    groups
        .iter()
        .map(|(w, eps)| format!("{w} ({})", eps.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Adds a note to each section whose answer failed now, and puts back its figures from the
/// newest snapshot that read it (`fill` draws a dashboard from a snapshot).
pub fn notes(
    store: &Store,
    now: &Snapshot,
    d: &mut Dashboard<'_>,
    fill: impl Fn(&Snapshot, &mut Dashboard<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    for (id, endpoints) in SECTIONS {
        let failed: Vec<&EndpointOutcome> = now
            .outcomes
            .iter()
            .filter(|o| endpoints.contains(&o.endpoint.as_str()) && !o.kind.is_ok())
            .collect();
        if failed.is_empty() {
            continue;
        }
        let asked: Vec<&str> = endpoints
            .iter()
            .copied()
            .filter(|e| now.outcomes.iter().any(|o| o.endpoint == *e))
            .collect();
        let mut note = format!("Not read in this snapshot: {}.", grouped(now, &failed));
        let last = match store.last_read(&asked, LOOK_BACK)? {
            Some(sid) => store.get(sid)?,
            None => None,
        };
        match last.filter(|l| l.snapshot.taken_at_ms < now.taken_at_ms) {
            Some(l) => {
                let mut then = Dashboard {
                    zone: d.zone.clone(),
                    ..Dashboard::default()
                };
                fill(&l.snapshot, &mut then)?;
                take(id, &mut then, d);
                let age = age(now.taken_at_ms - l.snapshot.taken_at_ms);
                note.push_str(&format!(
                    " The figures below were read {age} earlier, at {}.",
                    d.zone.human(l.snapshot.taken_at_ms)
                ));
            }
            None => note.push_str(" No earlier reading of it is kept."),
        }
        d.notes.push((id, note));
    }
    Ok(())
}

/// `45 s`, `12 min`, `3 h 5 min`.
fn age(ms: i64) -> String {
    // Rounded to the nearest unit: two snapshots a minute apart are "1 min", whatever
    // milliseconds their reads took.
    let s = (ms + 500).div_euclid(1000).max(0);
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3570 => format!("{} min", (s + 30) / 60),
        s => {
            let m = (s + 30) / 60;
            format!("{} h {} min", m / 60, m % 60)
        }
    }
}

/// Moves section `id`'s figures from `from` into `into`.
fn take(id: &str, from: &mut Dashboard<'_>, into: &mut Dashboard<'_>) {
    let f = from;
    let d = into;
    match id {
        "db" => d.pool = f.pool.take(),
        "ev" => {
            d.event_stats = std::mem::take(&mut f.event_stats);
            d.event_types = f.event_types.take();
            d.timeline = std::mem::take(&mut f.timeline);
        }
        "cache" => {
            d.cache = f.cache.take();
            d.cache_stats = std::mem::take(&mut f.cache_stats);
        }
        "workers" => d.worker_stats = std::mem::take(&mut f.worker_stats),
        "ml" => d.ml = std::mem::take(&mut f.ml),
        "eng" => {
            d.engagement = std::mem::take(&mut f.engagement);
            d.engagement_types = f.engagement_types.take();
            d.recs = std::mem::take(&mut f.recs);
            d.ctr = f.ctr.take();
        }
        "ing" => {
            d.queue = std::mem::take(&mut f.queue);
            d.jobs = std::mem::take(&mut f.jobs);
            d.ingest_note = std::mem::take(&mut f.ingest_note);
        }
        // Performance is drawn from the store's ranges, whatever this snapshot read.
        _ => {}
    }
}
