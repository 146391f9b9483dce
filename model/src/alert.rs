//! Alert rules and their state machine: inactive -> pending -> firing -> resolved, with `for`,
//! hysteresis, `keep_firing_for`, a missing-data policy and flapping detection.

use serde::{Deserialize, Serialize};

use crate::anomaly::Severity as AnomalySeverity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Info,
    Warning,
    Critical,
}

impl AlertSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Info => "info",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<AlertSeverity> {
        [
            AlertSeverity::Info,
            AlertSeverity::Warning,
            AlertSeverity::Critical,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
}

impl Op {
    pub fn parse(s: &str) -> Option<Op> {
        match s.trim() {
            ">" => Some(Op::Gt),
            ">=" => Some(Op::Ge),
            "<" => Some(Op::Lt),
            "<=" => Some(Op::Le),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Gt => value > threshold,
            Op::Ge => value >= threshold,
            Op::Lt => value < threshold,
            Op::Le => value <= threshold,
        }
    }
}

/// What to do when a snapshot has no value for the metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingData {
    /// Leave the state as it is.
    Keep,
    /// Count it as the condition not holding.
    Resolve,
    /// Count it as the condition holding (no data is itself a problem).
    Fire,
}

impl MissingData {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingData::Keep => "keep",
            MissingData::Resolve => "resolve",
            MissingData::Fire => "fire",
        }
    }

    pub fn parse(s: &str) -> Option<MissingData> {
        [MissingData::Keep, MissingData::Resolve, MissingData::Fire]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    Threshold {
        op: Op,
        threshold: f64,
        /// Once firing, the alert clears only past this value (hysteresis).
        clear: Option<f64>,
    },
    /// Fires on the anomaly detector's verdict for the metric.
    Anomaly {
        min_score: f64,
        min_severity: AnomalySeverity,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    /// Exact metric name or a glob (`*`, `?`).
    pub metric: String,
    pub condition: Condition,
    pub for_ms: i64,
    pub keep_firing_for_ms: i64,
    pub severity: AlertSeverity,
    pub missing: MissingData,
}

impl Rule {
    pub fn matches(&self, metric: &str) -> bool {
        glob(&self.metric, metric)
    }

    /// One line for people: `probe.error_rate > 5 for 2m`.
    pub fn describe(&self) -> String {
        let cond = match &self.condition {
            Condition::Threshold { op, threshold, .. } => {
                format!("{} {} {threshold}", self.metric, op.as_str())
            }
            Condition::Anomaly { min_severity, .. } => format!(
                "{} anomaly ({} or worse)",
                self.metric,
                min_severity.as_str()
            ),
        };
        if self.for_ms > 0 {
            format!("{cond} for {}", human_duration(self.for_ms))
        } else {
            cond
        }
    }
}

pub fn human_duration(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `*` matches any run of characters, `?` one character; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Inactive,
    Pending,
    Firing,
    Resolved,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Inactive => "inactive",
            Phase::Pending => "pending",
            Phase::Firing => "firing",
            Phase::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        [
            Phase::Inactive,
            Phase::Pending,
            Phase::Firing,
            Phase::Resolved,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One observation of the metric in one snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub t_ms: i64,
    pub snapshot_id: i64,
    /// `None` when the snapshot had no value for the metric.
    pub value: Option<f64>,
    /// The anomaly verdict on this value, for anomaly rules.
    pub anomaly: Option<crate::anomaly::Score>,
}

/// Transitions worth telling someone about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Pending,
    Fired,
    Resolved,
    /// Started flapping: reported once, and fire/resolve are not reported while it lasts.
    FlappingStarted,
    FlappingStopped,
}

/// Flapping: this many fire/resolve transitions within the window.
pub const FLAP_TRANSITIONS: usize = 4;
pub const FLAP_WINDOW_MS: i64 = 3_600_000;
/// Snapshots remembered per episode (first ones and the newest).
const KEEP_SNAPSHOTS: usize = 20;

/// The state of one rule on one metric. Serializable so the store can keep it across restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    pub rule: String,
    pub metric: String,
    pub phase: Phase,
    /// When the condition started holding (pending) or the alert fired.
    pub since_ms: Option<i64>,
    pub fired_ms: Option<i64>,
    pub resolved_ms: Option<i64>,
    /// Last time the condition held while firing.
    pub last_true_ms: Option<i64>,
    pub peak: Option<f64>,
    pub last_value: Option<f64>,
    pub snapshots: Vec<i64>,
    pub transitions: Vec<i64>,
    pub flapping: bool,
    /// The last observation this state has seen; older ones are ignored (no double counting).
    pub seen_ms: Option<i64>,
}

impl AlertState {
    pub fn new(rule: &str, metric: &str) -> AlertState {
        AlertState {
            rule: rule.to_owned(),
            metric: metric.to_owned(),
            phase: Phase::Inactive,
            since_ms: None,
            fired_ms: None,
            resolved_ms: None,
            last_true_ms: None,
            peak: None,
            last_value: None,
            snapshots: Vec::new(),
            transitions: Vec::new(),
            flapping: false,
            seen_ms: None,
        }
    }

    fn holds(&self, rule: &Rule, obs: &Observation) -> Option<bool> {
        let Some(v) = obs.value else {
            return match rule.missing {
                MissingData::Keep => None,
                MissingData::Resolve => Some(false),
                MissingData::Fire => Some(true),
            };
        };
        Some(match &rule.condition {
            Condition::Threshold {
                op,
                threshold,
                clear,
            } => {
                if self.phase == Phase::Firing {
                    // Hysteresis: stay firing until the value is past the clear threshold.
                    match clear {
                        Some(c) => op.holds(v, *c),
                        None => op.holds(v, *threshold),
                    }
                } else {
                    op.holds(v, *threshold)
                }
            }
            Condition::Anomaly {
                min_score,
                min_severity,
            } => obs.anomaly.is_some_and(|s| {
                s.score >= *min_score && s.severity.is_some_and(|sev| sev >= *min_severity)
            }),
        })
    }

    fn worse(rule: &Rule, a: f64, b: f64) -> f64 {
        match rule.condition {
            Condition::Threshold {
                op: Op::Lt | Op::Le,
                ..
            } => a.min(b),
            _ => a.max(b),
        }
    }

    fn record(&mut self, snapshot: i64) {
        if self.snapshots.len() < KEEP_SNAPSHOTS {
            self.snapshots.push(snapshot);
        } else if let Some(last) = self.snapshots.last_mut() {
            *last = snapshot;
        }
    }

    /// Advances the state by one observation; returns what changed. Observations at or before
    /// the last one seen are ignored, so replaying after a restart never fires twice.
    pub fn observe(&mut self, rule: &Rule, obs: &Observation) -> Vec<Event> {
        if self.seen_ms.is_some_and(|s| obs.t_ms <= s) {
            return Vec::new();
        }
        self.seen_ms = Some(obs.t_ms);
        if obs.value.is_some() {
            self.last_value = obs.value;
        }
        let Some(cond) = self.holds(rule, obs) else {
            return Vec::new();
        };
        let t = obs.t_ms;
        let mut events = Vec::new();
        match (self.phase, cond) {
            (Phase::Inactive | Phase::Resolved, true) => {
                self.since_ms = Some(t);
                self.peak = obs.value;
                self.snapshots = vec![obs.snapshot_id];
                self.fired_ms = None;
                self.resolved_ms = None;
                if rule.for_ms <= 0 {
                    self.fire(t, &mut events);
                } else {
                    self.phase = Phase::Pending;
                    events.push(Event::Pending);
                }
            }
            (Phase::Pending, true) => {
                self.bump(rule, obs);
                if t - self.since_ms.unwrap_or(t) >= rule.for_ms {
                    self.fire(t, &mut events);
                }
            }
            (Phase::Pending, false) => {
                self.phase = Phase::Inactive;
                self.since_ms = None;
                self.peak = None;
                self.snapshots.clear();
            }
            (Phase::Firing, true) => {
                self.bump(rule, obs);
                self.last_true_ms = Some(t);
            }
            (Phase::Firing, false) => {
                self.record(obs.snapshot_id);
                if t - self.last_true_ms.unwrap_or(t) >= rule.keep_firing_for_ms {
                    self.phase = Phase::Resolved;
                    self.resolved_ms = Some(t);
                    self.transitions.push(t);
                    events.push(Event::Resolved);
                }
            }
            (Phase::Inactive | Phase::Resolved, false) => {}
        }
        self.transitions.retain(|x| t - x < FLAP_WINDOW_MS);
        let flapping = self.transitions.len() >= FLAP_TRANSITIONS;
        if flapping != self.flapping {
            self.flapping = flapping;
            events.push(if flapping {
                Event::FlappingStarted
            } else {
                Event::FlappingStopped
            });
        }
        if self.flapping {
            events.retain(|e| !matches!(e, Event::Fired | Event::Resolved | Event::Pending));
        }
        events
    }

    fn bump(&mut self, rule: &Rule, obs: &Observation) {
        if let Some(v) = obs.value {
            self.peak = Some(self.peak.map_or(v, |p| AlertState::worse(rule, p, v)));
        }
        self.record(obs.snapshot_id);
    }

    fn fire(&mut self, t: i64, events: &mut Vec<Event>) {
        self.phase = Phase::Firing;
        self.fired_ms = Some(t);
        self.last_true_ms = Some(t);
        self.transitions.push(t);
        events.push(Event::Fired);
    }
}

#[cfg(test)]
mod tests;
