//! Ingestion panel logic, free of the browser: URL checks, request addresses, what each answer means.

use crate::json::Json;

/// A repository URL the backend can take: http(s), a host with a dot, a path; no spaces or
/// credentials. Returns it trimmed.
pub fn validate_repo_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Err("Enter a repository URL, e.g. https://github.com/org/repo.".into());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("The URL must start with https:// (or http://).")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.contains('@') {
        return Err("The URL must not carry a user name or password.".into());
    }
    if !host.contains('.') || host.starts_with('.') || host.ends_with('.') {
        return Err(format!("{host:?} is not a host name."));
    }
    if path.trim_matches('/').is_empty() {
        return Err("The URL needs the repository's path, e.g. /org/repo.".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("The URL must not contain spaces.".into());
    }
    Ok(url.to_owned())
}

/// `POST {api}/api/v1/ingestion/ingest/{url}`: the repository URL goes in raw, as the path's tail.
pub fn ingest_address(api: &str, repo: &str) -> String {
    format!(
        "{}/api/v1/ingestion/ingest/{repo}",
        api.trim_end_matches('/')
    )
}

pub fn history_address(api: &str, limit: u32) -> String {
    format!(
        "{}/api/v1/ingestion/jobs/history?limit={limit}",
        api.trim_end_matches('/')
    )
}

/// What an ingest request's answer means for the person who sent it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Dispatched { job_id: String, position: String },
    Refused(String),
}

fn detail_text(body: &Json) -> String {
    let detail = body.get("detail");
    match detail.get("error").str() {
        Some(e) if detail.is_object() => e,
        _ => detail.text(),
    }
}

/// What the panel says of an answer to a POST sent with a token (`sent_token`) or without.
pub fn outcome(status: u16, body: &str, sent_token: bool) -> Outcome {
    let v = Json::parse(body);
    let detail = detail_text(&v);
    let or_unknown = |s: String| if s.is_empty() { "?".to_owned() } else { s };
    match status {
        200..=299 => Outcome::Dispatched {
            job_id: or_unknown(v.get("job_id").text()),
            position: or_unknown(v.get("queue_position").text()),
        },
        400 | 422 => Outcome::Refused(format!(
            "The backend refused this URL (HTTP {status}){}",
            if detail.is_empty() { ".".into() } else { format!(": {detail}") }
        )),
        401 | 403 => Outcome::Refused(format!(
            "The token was refused (HTTP {status}). Check it and send again."
        )),
        429 => Outcome::Refused(
            "The ingestion queue is full (HTTP 429). Try again when some jobs have finished."
                .into(),
        ),
        503 => {
            let seen = v
                .get("detail")
                .get("last_seen_seconds_ago")
                .num()
                .map(|s| format!(" It was last seen {} s ago.", s.round()))
                .unwrap_or_default();
            Outcome::Refused(format!(
                "The ingestion worker is offline (HTTP 503){}.{seen}",
                if detail.is_empty() { String::new() } else { format!(": {detail}") }
            ))
        }
        // Pharos answers a refused token before its CORS layer runs: the browser then sees a
        // network error, never the 401.
        0 if sent_token => Outcome::Refused(
            "No answer the browser may read: the token may have been refused (Pharos sends its 401 without CORS headers), or the backend does not allow this site's origin. Check the token, and see the README's Pharos section."
                .into(),
        ),
        0 => Outcome::Refused(
            "The backend could not be reached (network error, or it does not allow this site's origin)."
                .into(),
        ),
        _ => Outcome::Refused(format!(
            "The backend answered HTTP {status}{}",
            if detail.is_empty() { ".".into() } else { format!(": {detail}") }
        )),
    }
}

/// One row of the job history, as the backend lists it.
pub type Job = model::lists::JobItem;

pub fn jobs(body: &str) -> Result<Vec<Job>, String> {
    crate::json::jobs(body)
}

/// Counts by state for the queue bar: pending, processing, completed, failed.
pub fn queue_counts(jobs: &[Job]) -> [usize; 4] {
    let mut c = [0; 4];
    for j in jobs {
        if let Some(n) = c.get_mut(model::lists::JobState::of(&j.status) as usize) {
            *n += 1;
        }
    }
    c
}

/// Which states a backend's history shows, from the site's `data-history`: `finished` (the
/// older Pharos: completed and failed only), `submitted` (the newest: pending records only), or
/// all of them.
pub fn exposed(history: Option<&str>) -> [bool; 4] {
    model::lists::history_shows(history.unwrap_or_default())
}

/// The queue legend: each state's count, or "not exposed" where the history cannot show it (a
/// history that lists waiting and finished jobs together shows every state).
pub fn queue_legend(counts: [usize; 4], exposed: [bool; 4]) -> Vec<String> {
    let mixed = model::lists::lists_every_state(counts.map(|c| c as f64));
    let exposed = if mixed { [true; 4] } else { exposed };
    ["Pending", "Processing", "Completed", "Failed"]
        .iter()
        .zip(counts.iter().zip(exposed))
        .map(|(label, (n, shown))| {
            if shown {
                format!("{label}: {n}")
            } else {
                format!("{label}: not exposed")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn urls_are_checked_before_sending() {
        assert_eq!(
            validate_repo_url(" https://github.com/octocat/Hello-World "),
            Ok("https://github.com/octocat/Hello-World".into())
        );
        for bad in [
            "",
            "github.com/a/b",
            "ftp://x.org/a",
            "https://localhost/a",
            "https://github.com/",
            "https://u:p@github.com/a",
            "https://github.com/a b",
        ] {
            assert!(validate_repo_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ingest_address("http://h:1/", "https://github.com/a/b"),
            "http://h:1/api/v1/ingestion/ingest/https://github.com/a/b"
        );
    }

    #[wasm_bindgen_test]
    fn states_a_history_cannot_show_are_not_exposed_never_zero() {
        assert_eq!(
            queue_legend([0, 0, 2, 1], exposed(Some("finished"))),
            [
                "Pending: not exposed",
                "Processing: not exposed",
                "Completed: 2",
                "Failed: 1"
            ]
        );
        assert_eq!(
            queue_legend([3, 0, 0, 0], exposed(Some("submitted")))[..2],
            ["Pending: 3", "Processing: not exposed"]
        );
        assert_eq!(queue_legend([1, 2, 3, 4], exposed(None))[3], "Failed: 4");
        // Waiting and finished jobs listed together: every state is shown.
        assert_eq!(
            queue_legend([1, 0, 2, 0], exposed(Some("finished")))[..2],
            ["Pending: 1", "Processing: 0"]
        );
    }

    #[wasm_bindgen_test]
    fn every_answer_gets_a_clear_message() {
        assert_eq!(
            outcome(
                200,
                r#"{"status":"dispatched","job_id":7,"queue_position":2}"#,
                true
            ),
            Outcome::Dispatched {
                job_id: "7".into(),
                position: "2".into()
            }
        );
        let msg = |s, b| match outcome(s, b, true) {
            Outcome::Refused(m) => m,
            Outcome::Dispatched { .. } => String::new(),
        };
        assert!(msg(401, r#"{"detail":"Invalid token"}"#).contains("token was refused"));
        assert!(msg(429, r#"{"detail":"Queue full"}"#).contains("queue is full"));
        assert!(
            msg(400, r#"{"detail":"Invalid repository URL"}"#).contains("Invalid repository URL")
        );
        let offline = msg(
            503,
            r#"{"detail":{"error":"Edge worker offline","last_seen_seconds_ago":95.2}}"#,
        );
        assert!(
            offline.contains("offline") && offline.contains("95 s ago"),
            "{offline}"
        );
        // With a token, a network error may be its refusal (Pharos' 401 carries no CORS).
        assert!(msg(0, "").contains("token may have been refused"));
        assert!(
            matches!(outcome(0, "", false), Outcome::Refused(m) if m.contains("could not be reached"))
        );
    }

    #[wasm_bindgen_test]
    fn job_history_and_queue_counts() {
        let j = jobs(
            r#"{"jobs":[{"repo_url":"https://x.org/a","status":"failed","error":"boom"},
            {"status":"pending"},{"status":"complete","duration_seconds":3}]}"#,
        )
        .unwrap_or_default();
        assert_eq!(queue_counts(&j), [1, 0, 1, 1]);
        assert!(jobs("[]").is_err());
    }
}
