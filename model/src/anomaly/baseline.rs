//! The design's z-score baseline (for comparison in the benchmarks) and the counter guess.

use super::Ring;

/// The baseline the design describes: a rolling mean and standard deviation over the last 60
/// points, |z| > 2 an anomaly (> 3 high). Kept for comparison in the labelled benchmark.
#[derive(Debug, Clone)]
pub struct ZScoreBaseline {
    ring: Ring<f64>,
    sum: f64,
    sumsq: f64,
}

impl Default for ZScoreBaseline {
    fn default() -> ZScoreBaseline {
        ZScoreBaseline {
            ring: Ring::new(60),
            sum: 0.0,
            sumsq: 0.0,
        }
    }
}

impl ZScoreBaseline {
    /// True when the point is more than 2 standard deviations from the recent mean.
    pub fn update(&mut self, v: f64) -> bool {
        if !v.is_finite() {
            return false;
        }
        let n = self.ring.len() as f64;
        let flagged = if self.ring.len() >= 30 {
            let mean = self.sum / n;
            let var = (self.sumsq / n - mean * mean).max(0.0);
            let sd = var.sqrt();
            sd > 0.0 && ((v - mean) / sd).abs() > 2.0
        } else {
            false
        };
        if self.ring.len() == self.ring.cap {
            let old = self.ring.buf[self.ring.next];
            self.sum -= old;
            self.sumsq -= old * old;
        }
        self.ring.push(v);
        self.sum += v;
        self.sumsq += v * v;
        flagged
    }
}

/// A series that almost never goes down is a counter (its few drops are resets).
pub fn looks_like_counter(values: &[f64]) -> bool {
    let steps: Vec<f64> = values
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| d.is_finite())
        .collect();
    if steps.len() < 10 {
        return false;
    }
    let ups = steps.iter().filter(|d| **d > 0.0).count();
    let downs = steps.iter().filter(|d| **d < 0.0).count();
    ups * 2 > steps.len() && downs * 50 <= steps.len()
}
