//! The simulated ingestion queue: jobs move pending -> processing -> completed/failed as sim time passes.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::sim::{Incident, Sim};

pub const MAX_QUEUE: usize = 10;
const STEP: f64 = 15.0;
const KEEP_FINISHED: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Processing,
    Completed,
    Failed,
    Skipped,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Processing => "processing",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: u64,
    pub repo_url: String,
    pub created: f64,
    pub started: Option<f64>,
    pub finished: Option<f64>,
    pub status: JobStatus,
    pub error: Option<String>,
    pub files: u64,
}

#[derive(Debug)]
pub struct Queue {
    jobs: VecDeque<Job>,
    next_id: u64,
    clock: f64,
    /// When the edge worker was last seen online.
    pub last_seen: f64,
}

#[derive(Debug, PartialEq)]
pub enum Enqueue {
    Queued {
        job_id: u64,
        position: usize,
        size: usize,
    },
    Full,
    WorkerOffline {
        last_seen_seconds_ago: u64,
    },
}

const REPOS: [&str; 6] = [
    "https://github.com/rust-lang/rust-analyzer",
    "https://github.com/tokio-rs/tokio",
    "https://github.com/serde-rs/serde",
    "https://github.com/askama-rs/askama",
    "https://github.com/octocat/Hello-World",
    "https://github.com/yewstack/yew",
];

const ERRORS: [&str; 4] = [
    "Repository clone timed out",
    "Repository not found or private",
    "Embedding service returned 503",
    "Out of memory while parsing graph",
];

impl Queue {
    pub fn new(start: f64) -> Queue {
        Queue {
            jobs: VecDeque::new(),
            next_id: 1,
            clock: start,
            last_seen: start,
        }
    }

    fn active(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| matches!(j.status, JobStatus::Pending | JobStatus::Processing))
            .count()
    }

    fn push(&mut self, repo_url: String, at: f64, status: JobStatus) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.jobs.push_back(Job {
            id,
            repo_url,
            created: at,
            started: None,
            finished: (status == JobStatus::Skipped).then_some(at),
            status,
            error: (status == JobStatus::Skipped).then(|| "queue full".to_owned()),
            files: 0,
        });
        id
    }

    /// Moves the queue forward to sim time `to` in fixed steps (deterministic for a seed).
    pub fn advance(&mut self, sim: &Sim, to: f64) {
        while self.clock + STEP <= to {
            self.clock += STEP;
            let t = self.clock;
            let step = (t / STEP).floor() as i64;
            let backlog = sim.has(t, Incident::IngestionBacklog);
            let offline = sim.has(t, Incident::WorkerOffline);
            let p = if backlog { STEP / 90.0 } else { STEP / 1800.0 };
            if sim.u01("arrive", step) < p {
                let repo = REPOS[(sim.hash("repo", step) % REPOS.len() as u64) as usize].to_owned();
                let status = if self.active() >= MAX_QUEUE {
                    JobStatus::Skipped
                } else {
                    JobStatus::Pending
                };
                self.push(repo, t, status);
            }
            if offline {
                continue;
            }
            self.last_seen = t;
            let slow = if backlog { 8.0 } else { 1.0 };
            if let Some(job) = self
                .jobs
                .iter_mut()
                .find(|j| j.status == JobStatus::Processing)
            {
                let started = job.started.unwrap_or(t);
                let duration = (60.0 + sim.u01("duration", job.id as i64) * 480.0) * slow;
                if t >= started + duration {
                    job.finished = Some(t);
                    job.files = 20 + sim.hash("files", job.id as i64) % 900;
                    if sim.u01("fail", job.id as i64) < 0.12 {
                        job.status = JobStatus::Failed;
                        job.error =
                            Some(ERRORS[(sim.hash("err", job.id as i64) % 4) as usize].to_owned());
                    } else {
                        job.status = JobStatus::Completed;
                    }
                }
            } else if let Some(job) = self
                .jobs
                .iter_mut()
                .find(|j| j.status == JobStatus::Pending)
            {
                job.status = JobStatus::Processing;
                job.started = Some(t);
            }
            while self.jobs.len() > KEEP_FINISHED + MAX_QUEUE {
                match self.jobs.iter().position(|j| j.finished.is_some()) {
                    Some(i) => {
                        self.jobs.remove(i);
                    }
                    None => break,
                }
            }
        }
    }

    pub fn enqueue(&mut self, sim: &Sim, repo_url: &str, t: f64) -> Enqueue {
        self.advance(sim, t);
        if sim.has(t, Incident::WorkerOffline) {
            return Enqueue::WorkerOffline {
                last_seen_seconds_ago: (t - self.last_seen).max(0.0) as u64,
            };
        }
        let active = self.active();
        if active >= MAX_QUEUE {
            return Enqueue::Full;
        }
        let job_id = self.push(repo_url.to_owned(), t, JobStatus::Pending);
        Enqueue::Queued {
            job_id,
            position: active + 1,
            size: active + 1,
        }
    }

    /// The job being processed, if any.
    pub fn processing(&self) -> Option<&Job> {
        self.jobs.iter().find(|j| j.status == JobStatus::Processing)
    }

    pub fn scheduled(&self) -> usize {
        self.active()
    }

    /// Newest first, as Pharos lists them.
    pub fn history_json(&self, limit: usize, t: f64) -> Value {
        let jobs: Vec<Value> = self
            .jobs
            .iter()
            .rev()
            .take(limit)
            .map(|j| {
                let duration = match (j.started, j.finished) {
                    (Some(s), Some(f)) => json!(((f - s) * 10.0).round() / 10.0),
                    _ => Value::Null,
                };
                let done = j.status == JobStatus::Completed;
                json!({
                    "repo_url": j.repo_url,
                    "status": j.status.as_str(),
                    "duration_seconds": duration,
                    "files_processed": if done { json!(j.files) } else { Value::Null },
                    "embeddings_generated": if done { json!(j.files * 12) } else { Value::Null },
                    "timestamp": super::endpoints::naive_iso(j.created),
                    "error": j.error,
                    "reason": if j.status == JobStatus::Skipped { json!("queue full") } else { Value::Null },
                    "age_seconds": ((t - j.created).max(0.0)).round(),
                })
            })
            .collect();
        json!({ "jobs": jobs })
    }
}

#[cfg(test)]
mod tests {
    use super::super::sim::Incidents;
    use super::*;

    #[test]
    fn jobs_move_through_their_states_and_the_queue_caps_at_ten() {
        let sim = Sim {
            seed: 1,
            incidents: Incidents::Fixed(vec![]),
        };
        let t0 = 1_790_000_000.0;
        let mut q = Queue::new(t0);
        let mut ids = Vec::new();
        for i in 0..MAX_QUEUE {
            match q.enqueue(&sim, "https://github.com/a/b", t0 + i as f64) {
                Enqueue::Queued {
                    job_id, position, ..
                } => {
                    assert_eq!(position, i + 1);
                    ids.push(job_id);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            q.enqueue(&sim, "https://github.com/a/b", t0 + 11.0),
            Enqueue::Full
        );
        q.advance(&sim, t0 + 30.0);
        assert!(q.processing().is_some());
        q.advance(&sim, t0 + 3.0 * 3600.0 * 2.0);
        let history = q.history_json(100, t0 + 6.0 * 3600.0);
        let statuses: Vec<&str> = history["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .filter_map(|j| j["status"].as_str())
            .collect();
        assert!(statuses.iter().all(|s| matches!(
            *s,
            "completed" | "failed" | "skipped" | "pending" | "processing"
        )));
        assert!(
            statuses
                .iter()
                .filter(|s| matches!(**s, "completed" | "failed"))
                .count()
                >= MAX_QUEUE
        );
    }

    #[test]
    fn offline_worker_refuses_with_last_seen() {
        let sim = Sim {
            seed: 1,
            incidents: Incidents::Fixed(vec![Incident::WorkerOffline]),
        };
        let mut q = Queue::new(1000.0);
        match q.enqueue(&sim, "https://github.com/a/b", 1600.0) {
            Enqueue::WorkerOffline {
                last_seen_seconds_ago,
            } => assert_eq!(last_seen_seconds_ago, 600),
            other => panic!("{other:?}"),
        }
    }
}
