//! Typed readers for Pharos' list bodies (recent events, ingestion jobs), decoded into the snapshot.

use serde::Deserialize;

pub use model::lists::{EventItem, JobItem};

#[derive(Deserialize)]
struct Events {
    events: Vec<EventItem>,
}

#[derive(Deserialize)]
struct Jobs {
    jobs: Vec<JobItem>,
}

/// The events of a stored `/events/history` body; `None` when the body is not that shape.
pub fn recent_events(body: &[u8]) -> Option<Vec<EventItem>> {
    serde_json::from_slice::<Events>(body)
        .ok()
        .map(|e| e.events)
}

/// The jobs of a stored `jobs/history` body; `None` when the body is not that shape.
pub fn job_history(body: &[u8]) -> Option<Vec<JobItem>> {
    serde_json::from_slice::<Jobs>(body).ok().map(|j| j.jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/pharos")
            .join(name);
        let text = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        // Fixtures wrap the body with the request and status that produced it.
        let v: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
        v["body"].to_string().into_bytes()
    }

    #[test]
    fn reads_fixture_lists_and_refuses_other_shapes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pharos");
        let mut seen = (false, false);
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.contains("events_history") || name.contains("events-history") {
                let ev = recent_events(&fixture(&name));
                assert!(
                    ev.is_some_and(|v| v.iter().all(|e| !e.name.is_empty())),
                    "{name}"
                );
                seen.0 = true;
            }
            if name.contains("jobs") {
                let jobs = job_history(&fixture(&name));
                assert!(jobs.is_some(), "{name}");
                seen.1 = true;
            }
        }
        assert!(
            seen.0 && seen.1,
            "fixtures for both lists exist in {}",
            dir.display()
        );
        assert_eq!(recent_events(b"{\"events\": 3}"), None);
        assert_eq!(job_history(b"<html>"), None);
        let j =
            job_history(br#"{"jobs":[{"status":"failed","error":"<b>x</b>","repo_url":null}]}"#)
                .unwrap_or_default();
        assert_eq!(j[0].error.as_deref(), Some("<b>x</b>"));
    }
}
