//! Deterministic simulated time: daily load cycle, noise, growing counters with restarts, incidents.

use std::f64::consts::TAU;

const DAY: f64 = 86_400.0;
const HOUR: f64 = 3_600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Incident {
    LatencyRegression,
    ErrorSpike,
    RedisDown,
    WorkerOffline,
    CacheCollapse,
    IngestionBacklog,
    ModelUnavailable,
}

pub const ALL_INCIDENTS: [Incident; 7] = [
    Incident::LatencyRegression,
    Incident::ErrorSpike,
    Incident::RedisDown,
    Incident::WorkerOffline,
    Incident::CacheCollapse,
    Incident::IngestionBacklog,
    Incident::ModelUnavailable,
];

impl Incident {
    pub fn parse(s: &str) -> Option<Incident> {
        ALL_INCIDENTS.into_iter().find(|i| i.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Incident::LatencyRegression => "latency-regression",
            Incident::ErrorSpike => "error-spike",
            Incident::RedisDown => "redis-down",
            Incident::WorkerOffline => "worker-offline",
            Incident::CacheCollapse => "cache-collapse",
            Incident::IngestionBacklog => "ingestion-backlog",
            Incident::ModelUnavailable => "model-unavailable",
        }
    }
}

/// Which incidents happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incidents {
    /// Drawn from the seed: a few a day, 10 to 60 minutes each.
    Random,
    /// Exactly these, all the time (tests).
    Fixed(Vec<Incident>),
}

#[derive(Debug, Clone)]
pub struct Sim {
    pub seed: u64,
    pub incidents: Incidents,
}

/// splitmix64's finaliser: a good 64-bit mix.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a tag, so call sites can name their random streams.
pub fn tag(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

impl Sim {
    pub fn hash(&self, stream: &str, x: i64) -> u64 {
        mix(self.seed ^ mix(tag(stream) ^ mix(x as u64)))
    }

    /// Uniform in [0, 1).
    pub fn u01(&self, stream: &str, x: i64) -> f64 {
        (self.hash(stream, x) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly standard normal, with heavier tails now and then (real metrics have them).
    pub fn gauss(&self, stream: &str, x: i64) -> f64 {
        let s: f64 = (0..4)
            .map(|i| self.u01(stream, x.wrapping_mul(4).wrapping_add(i)))
            .sum();
        let g = (s - 2.0) * 1.732;
        if self.u01("tail", x ^ tag(stream) as i64) < 0.01 {
            g * 4.0
        } else {
            g
        }
    }

    /// Noise that changes every 10 simulated seconds.
    pub fn noise(&self, stream: &str, t: f64) -> f64 {
        self.gauss(stream, (t / 10.0).floor() as i64)
    }

    /// Daily traffic cycle in [0.1, 1.0], busiest mid-afternoon UTC.
    pub fn load(&self, t: f64) -> f64 {
        (0.55 + 0.45 * (TAU * (t / DAY - 0.375)).sin()).clamp(0.1, 1.0)
    }

    /// Integral of `load` from 0 to t (seconds), ignoring the clamp (load never reaches it).
    fn load_integral(t: f64) -> f64 {
        0.55 * t - 0.45 * DAY / TAU * (TAU * (t / DAY - 0.375)).cos()
    }

    /// When the simulated backend last restarted (a deploy); counters start again from zero then.
    pub fn last_restart(&self, t: f64) -> f64 {
        let day = (t / DAY).floor() as i64;
        for d in (day - 6..=day).rev() {
            if self.u01("deploy", d) < 0.5 {
                let at = d as f64 * DAY + 10.0 * HOUR + self.u01("deploy-at", d) * 6.0 * HOUR;
                if at <= t {
                    return at;
                }
            }
        }
        (day - 7) as f64 * DAY
    }

    /// A counter that grows with traffic at `per_second` at peak, reset at each restart.
    pub fn counter(&self, per_second: f64, t: f64) -> f64 {
        let r = self.last_restart(t);
        (per_second * (Sim::load_integral(t) - Sim::load_integral(r)))
            .max(0.0)
            .floor()
    }

    /// The random incident starting in hour slot `k`, if any: (kind, start, end).
    fn slot(&self, k: i64) -> Option<(Incident, f64, f64)> {
        if self.u01("incident", k) >= 0.08 {
            return None;
        }
        let kind =
            ALL_INCIDENTS[(self.hash("incident-kind", k) % ALL_INCIDENTS.len() as u64) as usize];
        let start = k as f64 * HOUR + self.u01("incident-start", k) * HOUR;
        let end = start + 600.0 + self.u01("incident-len", k) * 3000.0;
        Some((kind, start, end))
    }

    /// Incidents active at `t`, with the time each started.
    pub fn active(&self, t: f64) -> Vec<(Incident, f64)> {
        match &self.incidents {
            Incidents::Fixed(list) => list.iter().map(|i| (*i, t - 3600.0)).collect(),
            Incidents::Random => {
                let k = (t / HOUR).floor() as i64;
                let mut out: Vec<(Incident, f64)> = (k - 1..=k)
                    .filter_map(|s| self.slot(s))
                    .filter(|(_, a, b)| *a <= t && t < *b)
                    .map(|(i, a, _)| (i, a))
                    .collect();
                out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                out.dedup_by_key(|x| x.0);
                out
            }
        }
    }

    pub fn has(&self, t: f64, i: Incident) -> bool {
        self.active(t).iter().any(|(x, _)| *x == i)
    }

    /// Seconds of incident `i` between `from` and `to` (for counters that grow faster during it).
    pub fn incident_seconds(&self, i: Incident, from: f64, to: f64) -> f64 {
        if to <= from {
            return 0.0;
        }
        match &self.incidents {
            Incidents::Fixed(list) => {
                if list.contains(&i) {
                    to - from
                } else {
                    0.0
                }
            }
            Incidents::Random => {
                let (a, b) = ((from / HOUR).floor() as i64 - 1, (to / HOUR).floor() as i64);
                (a..=b)
                    .filter_map(|k| self.slot(k))
                    .filter(|(kind, _, _)| *kind == i)
                    .map(|(_, s, e)| (e.min(to) - s.max(from)).max(0.0))
                    .sum()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> Sim {
        Sim {
            seed: 7,
            incidents: Incidents::Random,
        }
    }

    #[test]
    fn deterministic_for_a_seed() {
        let (a, b) = (sim(), sim());
        let other = Sim { seed: 8, ..sim() };
        assert_eq!(a.noise("x", 1000.0), b.noise("x", 1000.0));
        assert_ne!(a.noise("x", 1000.0), other.noise("x", 1000.0));
    }

    #[test]
    fn counters_grow_between_restarts_and_reset_at_them() {
        let s = sim();
        let t0 = 1_790_000_000.0;
        let mut prev = s.counter(3.0, t0);
        let mut resets = 0;
        for i in 1..(14 * 24 * 6) {
            let t = t0 + f64::from(i) * 600.0;
            let v = s.counter(3.0, t);
            if v < prev {
                resets += 1;
                assert!(s.last_restart(t) > t - 600.0, "drop without restart at {t}");
            }
            prev = v;
        }
        assert!((1..=14).contains(&resets), "{resets} resets in two weeks");
    }

    #[test]
    fn incidents_come_and_go() {
        let s = sim();
        let t0 = 1_790_000_000.0;
        let mut seen = std::collections::HashSet::new();
        let mut active_steps = 0;
        let steps = 30 * 24 * 12;
        for i in 0..steps {
            let a = s.active(t0 + f64::from(i) * 300.0);
            active_steps += usize::from(!a.is_empty());
            seen.extend(a.into_iter().map(|x| x.0));
        }
        assert_eq!(
            seen.len(),
            ALL_INCIDENTS.len(),
            "every kind occurs in a month: {seen:?}"
        );
        let share = active_steps as f64 / f64::from(steps);
        assert!(share > 0.01 && share < 0.2, "incident share {share}");
        let secs = s.incident_seconds(Incident::RedisDown, t0, t0 + 30.0 * DAY);
        assert!(secs > 0.0);
    }

    #[test]
    fn load_has_a_daily_cycle() {
        let s = sim();
        let day0 = 1_790_035_200.0 - 1_790_035_200.0 % DAY;
        let night = s.load(day0 + 3.0 * HOUR);
        let afternoon = s.load(day0 + 15.0 * HOUR);
        assert!(afternoon > 0.9 && night < 0.3, "{night} {afternoon}");
    }
}
