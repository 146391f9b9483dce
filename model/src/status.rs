//! Health status of a part (component, module, endpoint) and of the whole system.

use serde::{Deserialize, Serialize};

/// Ordered from best to worst so that `max` gives the worst of several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Healthy,
    /// The backend says the part does not apply (e.g. an optional service that is not configured).
    NotApplicable,
    Unknown,
    Degraded,
    Down,
}

impl Status {
    /// Maps the status words Pharos (and most JSON health endpoints) use.
    /// Unknown words read as `Unknown`, never as healthy.
    pub fn from_word(word: &str) -> Status {
        let w = word.trim().to_ascii_lowercase();
        let head = w.split([':', ' ']).next().unwrap_or("");
        match head {
            "ok" | "healthy" | "up" | "pass" | "available" | "idle" | "operational" | "green" => {
                Status::Healthy
            }
            "degraded" | "warning" | "warn" | "partial" | "yellow" | "slow" => Status::Degraded,
            "unhealthy" | "error" | "down" | "fail" | "failed" | "unavailable" | "offline"
            | "critical" | "red" => Status::Down,
            "not_applicable" | "not" | "n/a" | "disabled" => Status::NotApplicable,
            _ => Status::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
            Status::Degraded => "degraded",
            Status::Down => "down",
        }
    }

    /// Human label; pages show it next to the colour so status never relies on colour alone.
    pub fn label(self) -> &'static str {
        match self {
            Status::Healthy => "Healthy",
            Status::NotApplicable => "Not applicable",
            Status::Unknown => "Unknown",
            Status::Degraded => "Degraded",
            Status::Down => "Down",
        }
    }

    /// A shape that carries the status without colour (screen readers get the label).
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Healthy => "●",
            Status::NotApplicable => "○",
            Status::Unknown => "?",
            Status::Degraded => "▲",
            Status::Down => "■",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Healthy,
            Status::NotApplicable,
            Status::Unknown,
            Status::Degraded,
            Status::Down,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// True when the status should be counted against the system.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Degraded | Status::Down)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_map_to_statuses() {
        assert_eq!(Status::from_word("healthy"), Status::Healthy);
        assert_eq!(Status::from_word("OK"), Status::Healthy);
        assert_eq!(Status::from_word("degraded"), Status::Degraded);
        assert_eq!(Status::from_word("warning"), Status::Degraded);
        assert_eq!(
            Status::from_word("unhealthy: connection refused"),
            Status::Down
        );
        assert_eq!(Status::from_word("Error: boom"), Status::Down);
        assert_eq!(Status::from_word("not configured"), Status::NotApplicable);
        assert_eq!(Status::from_word("not_applicable"), Status::NotApplicable);
        assert_eq!(Status::from_word("Training Graph on x"), Status::Unknown);
    }

    #[test]
    fn worst_is_max_and_round_trips() {
        let worst = [Status::Healthy, Status::Down, Status::Degraded]
            .into_iter()
            .max();
        assert_eq!(worst, Some(Status::Down));
        for s in [Status::Healthy, Status::Down, Status::NotApplicable] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nope"), None);
    }
}

/// What a source says of its own availability, in Statuspage's words. Only a source's own word
/// (its health status, or an explicit liveness check) gives one; failed readings never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Operational,
    Maintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

impl Availability {
    /// A health word's status as availability; `None` where the word says nothing of it.
    pub fn from_status(s: Status) -> Option<Availability> {
        match s {
            Status::Healthy => Some(Availability::Operational),
            Status::Degraded => Some(Availability::DegradedPerformance),
            Status::Down => Some(Availability::MajorOutage),
            Status::Unknown | Status::NotApplicable => None,
        }
    }

    /// Up for uptime: serving, perhaps slowly. An outage, partial or major, is down.
    pub fn is_up(self) -> bool {
        !matches!(
            self,
            Availability::PartialOutage | Availability::MajorOutage
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Operational => "operational",
            Availability::Maintenance => "maintenance",
            Availability::DegradedPerformance => "degraded_performance",
            Availability::PartialOutage => "partial_outage",
            Availability::MajorOutage => "major_outage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Availability::Operational => "Operational",
            Availability::Maintenance => "Under maintenance",
            Availability::DegradedPerformance => "Degraded performance",
            Availability::PartialOutage => "Partial outage",
            Availability::MajorOutage => "Major outage",
        }
    }
}

#[cfg(test)]
mod availability_tests {
    use super::*;

    #[test]
    fn only_outages_count_as_down() {
        assert_eq!(
            Availability::from_status(Status::Degraded),
            Some(Availability::DegradedPerformance)
        );
        assert!(Availability::DegradedPerformance.is_up());
        assert!(Availability::Maintenance.is_up());
        assert!(!Availability::PartialOutage.is_up());
        assert!(!Availability::MajorOutage.is_up());
        assert_eq!(Availability::from_status(Status::Unknown), None);
        assert_eq!(Availability::from_status(Status::NotApplicable), None);
    }
}
