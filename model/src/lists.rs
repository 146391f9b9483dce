//! Pharos' list items (recent events, ingestion jobs) and what a job's status word means, shared by the generator and the widgets.

use serde::{Deserialize, Serialize};

/// The lists a source reported in a snapshot; `None` where it did not (or could not) say.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Lists {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<JobItem>>,
    /// Arrays a mapping shows as they are (connections, pipeline steps), row by row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
}

/// One table a source reported: its title, column names and rows of text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// What it details, when it belongs to one series (`histogram` or `trend` of the metrics
    /// `of.*`, such as one endpoint's percentiles); empty for a table shown on its own.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub of: String,
}

/// One event of `/events/history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventItem {
    pub name: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
}

/// One job of `/api/v1/ingestion/jobs/history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobItem {
    #[serde(default)]
    pub repo_url: Option<String>,
    pub status: String,
    #[serde(default)]
    pub duration_seconds: Option<f64>,
    #[serde(default)]
    pub files_processed: Option<f64>,
    #[serde(default)]
    pub embeddings_generated: Option<f64>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Which job states (pending, processing, completed, failed) a backend's history can show,
/// by what it holds: `finished` (the older Pharos: completed and failed only), `submitted` (the
/// newest: one pending record per submission), anything else every state. The site and the
/// live panel say "not exposed" for the others, never 0.
pub fn history_shows(history: &str) -> [bool; 4] {
    match history {
        "finished" => [false, false, true, true],
        "submitted" => [true, false, false, false],
        _ => [true; 4],
    }
}

/// A history listing waiting and finished jobs together (counts in the queue bar's order)
/// shows every state, whatever it was said to hold.
pub fn lists_every_state(counts: [f64; 4]) -> bool {
    counts[0] + counts[1] > 0.0 && counts[2] + counts[3] > 0.0
}

/// A job's state, from the status words Pharos uses; the order is the queue bar's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Processing,
    Completed,
    Failed,
    Other,
}

impl JobState {
    pub fn of(status: &str) -> JobState {
        match status {
            "pending" => JobState::Pending,
            "processing" => JobState::Processing,
            "completed" | "complete" => JobState::Completed,
            "failed" | "dlq" => JobState::Failed,
            _ => JobState::Other,
        }
    }

    /// The status class pages colour a job with.
    pub fn class(self) -> &'static str {
        match self {
            JobState::Completed => "healthy",
            JobState::Failed => "down",
            JobState::Processing => "degraded",
            JobState::Pending | JobState::Other => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_map_to_states() {
        assert_eq!(JobState::of("complete"), JobState::Completed);
        assert_eq!(JobState::of("dlq").class(), "down");
        assert_eq!(JobState::of("skipped"), JobState::Other);
        assert_eq!(JobState::of("processing") as usize, 1);
    }
}
