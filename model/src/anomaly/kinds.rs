//! What kind an anomaly is: a stuck value (runs of repeats), a level shift or a trend change.

use super::{AnomalyKind, Detector, FLAT_K, FLAT_MIN};

impl Detector {
    /// Counts a repeat of the value before; the length of a run that just ended, if one did.
    pub(super) fn repeat(&mut self, value: f64) -> Option<usize> {
        let same = self.last_value == Some(value);
        self.last_value = Some(value);
        if same {
            self.run += 1;
            None
        } else {
            Some(std::mem::take(&mut self.run))
        }
    }

    /// Whether a run of `run` repeats is beyond what this series does.
    pub(super) fn stuck_at(&self, run: usize) -> bool {
        run >= FLAT_MIN.max(FLAT_K * self.longest_run)
    }

    /// Evidence of a stuck value: its run against twice the longest the series has made (at
    /// least `FLAT_MIN`), only for a series that varies (a constant gauge is no stuck sensor).
    pub(super) fn flat_evidence(&self) -> f64 {
        let varies = self.scale > 1e-6 * self.level.abs().max(1.0);
        if !varies || self.run < FLAT_MIN {
            return 0.0;
        }
        self.run as f64 / FLAT_MIN.max(FLAT_K * self.longest_run) as f64
    }

    /// A drift that a line explains much better than one step is a trend change.
    pub(super) fn shift_kind(&self, t: i64, d: f64) -> AnomalyKind {
        let mut pts: Vec<(f64, f64)> = self
            .recent
            .ordered()
            .map(|&(pt, v)| (pt as f64, v - self.season_at(pt)))
            .collect();
        pts.push((t as f64, d));
        let n = pts.len();
        if n < 8 {
            return AnomalyKind::LevelShift;
        }
        let mean_t = pts.iter().map(|p| p.0).sum::<f64>() / n as f64;
        let mean_v = pts.iter().map(|p| p.1).sum::<f64>() / n as f64;
        let (mut num, mut den) = (0.0, 0.0);
        for p in &pts {
            num += (p.0 - mean_t) * (p.1 - mean_v);
            den += (p.0 - mean_t) * (p.0 - mean_t);
        }
        let b = if den > 0.0 { num / den } else { 0.0 };
        let sse_line: f64 = pts
            .iter()
            .map(|p| (p.1 - (mean_v + b * (p.0 - mean_t))).powi(2))
            .sum();
        // Best single step, by prefix sums.
        let mut prefix = vec![(0.0, 0.0); n + 1];
        for (i, p) in pts.iter().enumerate() {
            prefix[i + 1] = (prefix[i].0 + p.1, prefix[i].1 + p.1 * p.1);
        }
        let sse = |a: usize, b: usize| {
            let k = (b - a) as f64;
            let s = prefix[b].0 - prefix[a].0;
            (prefix[b].1 - prefix[a].1) - s * s / k
        };
        let sse_step = (2..n - 1)
            .map(|i| sse(0, i) + sse(i, n))
            .fold(f64::INFINITY, f64::min);
        if sse_line < 0.7 * sse_step {
            AnomalyKind::TrendChange
        } else {
            AnomalyKind::LevelShift
        }
    }
}
