//! How much the detector weighs its evidence: `lookout detect --profile` and `--threshold`.

use super::THRESHOLD;

/// The evidence weights `lookout detect --profile` offers, measured on `realbench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Fewer false alarms, more misses.
    Quiet,
    Balanced,
    /// Fewer misses, more false alarms.
    Sensitive,
}

impl Profile {
    pub fn sensitivity(self) -> f64 {
        match self {
            Profile::Quiet => 0.8,
            Profile::Balanced => 1.0,
            Profile::Sensitive => 1.25,
        }
    }

    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "quiet" => Some(Profile::Quiet),
            "balanced" => Some(Profile::Balanced),
            "sensitive" => Some(Profile::Sensitive),
            _ => None,
        }
    }
}

/// The sensitivity that makes a score of `threshold` (in (0, 1)) read as `THRESHOLD` does:
/// `lookout detect --threshold`, kept consistent with the rest after an event.
pub fn sensitivity_for(threshold: f64) -> f64 {
    let t = threshold.clamp(1e-6, 1.0 - 1e-6);
    // score_of(e) = e^2 / (1 + e^2): the evidence at a score is sqrt(s / (1 - s)).
    let e_at = |s: f64| (s / (1.0 - s)).sqrt();
    e_at(THRESHOLD) / e_at(t)
}
