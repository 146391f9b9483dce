//! Trends over a time window: change against the previous window, slope, direction and verdict.

use serde::{Deserialize, Serialize};

use crate::Better;

/// A `(milliseconds since epoch, value)` point, oldest first in every slice.
pub type Point = (i64, f64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Window {
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "6h")]
    H6,
    #[serde(rename = "24h")]
    H24,
    #[serde(rename = "7d")]
    D7,
}

pub const WINDOWS: [Window; 4] = [Window::H1, Window::H6, Window::H24, Window::D7];

impl Window {
    pub fn millis(self) -> i64 {
        match self {
            Window::H1 => 3_600_000,
            Window::H6 => 6 * 3_600_000,
            Window::H24 => 24 * 3_600_000,
            Window::D7 => 7 * 24 * 3_600_000,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Window::H1 => "1h",
            Window::H6 => "6h",
            Window::H24 => "24h",
            Window::D7 => "7d",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Flat,
}

impl Direction {
    /// An arrow plus a word, so the direction never relies on the glyph alone.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Flat => "→",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improving,
    Worsening,
    Stable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub window: Window,
    /// The newest value in the window.
    pub current: f64,
    pub mean: f64,
    /// Mean of the window of equal length just before this one, if it has points.
    pub previous_mean: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    /// Least-squares slope, in value units per hour.
    pub slope_per_hour: f64,
    pub direction: Direction,
    pub verdict: Verdict,
    pub points: usize,
}

fn mean(v: &[Point]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().map(|p| p.1).sum::<f64>() / v.len() as f64)
}

/// Median of a scratch copy; `None` when empty. NaNs are left out.
pub fn median(values: &mut Vec<f64>) -> Option<f64> {
    values.retain(|x| !x.is_nan());
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let m = *m;
    if values.len() % 2 == 1 {
        Some(m)
    } else {
        let lower = values[..mid]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        Some((lower + m) / 2.0)
    }
}

/// Noise level of a series: the robust spread of its successive differences, as a standard
/// deviation (differencing removes the trend; MAD ignores the odd outlier).
pub fn noise_sigma(points: &[Point]) -> f64 {
    let mut diffs: Vec<f64> = points.windows(2).map(|w| w[1].1 - w[0].1).collect();
    let Some(m) = median(&mut diffs) else {
        return 0.0;
    };
    let mut dev: Vec<f64> = diffs.iter().map(|d| (d - m).abs()).collect();
    median(&mut dev).unwrap_or(0.0) * 1.4826 / std::f64::consts::SQRT_2
}

/// Least-squares slope in units per millisecond; 0 for fewer than two distinct times.
pub fn slope(points: &[Point]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let t0 = points[0].0;
    let (mut st, mut sv) = (0.0, 0.0);
    for &(t, v) in points {
        st += (t - t0) as f64;
        sv += v;
    }
    let (mt, mv) = (st / n, sv / n);
    let (mut num, mut den) = (0.0, 0.0);
    for &(t, v) in points {
        let dt = (t - t0) as f64 - mt;
        num += dt * (v - mv);
        den += dt * dt;
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// The trend of `series` over `window` ending at `now_ms`; `None` when the window has no points.
pub fn trend(series: &[Point], now_ms: i64, window: Window, better: Better) -> Option<Trend> {
    let w = window.millis();
    let cur: Vec<Point> = series
        .iter()
        .copied()
        .filter(|p| p.0 > now_ms - w && p.0 <= now_ms && p.1.is_finite())
        .collect();
    let prev: Vec<Point> = series
        .iter()
        .copied()
        .filter(|p| p.0 > now_ms - 2 * w && p.0 <= now_ms - w && p.1.is_finite())
        .collect();
    let m = mean(&cur)?;
    let current = cur.last()?.1;
    let previous_mean = mean(&prev);
    let change = previous_mean.map(|p| m - p);
    let change_pct = previous_mean
        .filter(|p| *p != 0.0)
        .map(|p| (m - p) / p.abs() * 100.0);
    let slope_ms = slope(&cur);
    // The dead band scales with the series' own noise: a change smaller than what noise alone
    // would give (3 standard errors of the difference of two means) reads as flat.
    let sigma = noise_sigma(&cur);
    let floor = 1e-9 * m.abs().max(1.0);
    let movement = match (change, prev.len()) {
        (Some(c), n) if n > 0 => {
            let se = sigma * (1.0 / cur.len() as f64 + 1.0 / n as f64).sqrt();
            (c, 3.0 * se + floor)
        }
        _ => {
            // No earlier window: judge the slope across this window against its noise.
            let span = (cur.last()?.0 - cur[0].0) as f64;
            let se = if cur.len() > 2 {
                sigma * (12.0 / cur.len() as f64).sqrt()
            } else {
                f64::INFINITY
            };
            (slope_ms * span, 3.0 * se + floor)
        }
    };
    let direction = if movement.0.abs() <= movement.1 {
        Direction::Flat
    } else if movement.0 > 0.0 {
        Direction::Up
    } else {
        Direction::Down
    };
    let verdict = match (direction, better) {
        (Direction::Flat, _) | (_, Better::Neither) => Verdict::Stable,
        (Direction::Up, Better::Higher) | (Direction::Down, Better::Lower) => Verdict::Improving,
        _ => Verdict::Worsening,
    };
    Some(Trend {
        window,
        current,
        mean: m,
        previous_mean,
        change,
        change_pct,
        slope_per_hour: slope_ms * 3_600_000.0,
        direction,
        verdict,
        points: cur.len(),
    })
}

/// Largest-triangle-three-buckets downsampling: at most `threshold` points that keep the shape
/// (peaks and dips survive). First and last points are always kept.
pub fn lttb(points: &[Point], threshold: usize) -> Vec<Point> {
    let n = points.len();
    if threshold >= n || threshold < 3 {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(threshold);
    out.push(points[0]);
    let every = (n - 2) as f64 / (threshold - 2) as f64;
    let mut a = 0usize;
    for i in 0..threshold - 2 {
        let start = (i as f64 * every) as usize + 1;
        let end = (((i + 1) as f64 * every) as usize + 1).min(n - 1);
        let next_start = end;
        let next_end = (((i + 2) as f64 * every) as usize + 1).min(n);
        let next = &points[next_start..next_end.max(next_start + 1).min(n)];
        let avg_t = next.iter().map(|p| p.0 as f64).sum::<f64>() / next.len() as f64;
        let avg_v = next.iter().map(|p| p.1).sum::<f64>() / next.len() as f64;
        let (at, av) = (points[a].0 as f64, points[a].1);
        let mut best = start;
        let mut best_area = -1.0;
        for (j, p) in points
            .iter()
            .enumerate()
            .take(end.max(start + 1))
            .skip(start)
        {
            let area = ((at - avg_t) * (p.1 - av) - (at - p.0 as f64) * (avg_v - av)).abs();
            if area > best_area {
                best_area = area;
                best = j;
            }
        }
        out.push(points[best]);
        a = best;
    }
    out.push(points[n - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn series(n: i64, step: i64, f: impl Fn(i64) -> f64) -> Vec<Point> {
        (0..n).map(|i| (i * step, f(i))).collect()
    }

    /// Deterministic pseudo-noise in [-1, 1].
    fn jitter(i: i64) -> f64 {
        let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    #[test]
    fn change_against_the_previous_window() {
        // Two hours at one point a minute: 10 in the first hour, 12 in the second.
        let s = series(120, 60_000, |i| if i < 60 { 10.0 } else { 12.0 });
        let now = 119 * 60_000;
        let t = trend(&s, now, Window::H1, Better::Lower).expect("trend");
        assert_eq!(t.points, 60);
        assert!((t.mean - 12.0).abs() < 1e-9);
        assert!((t.previous_mean.expect("prev") - 10.0).abs() < 0.05);
        assert!((t.change_pct.expect("pct") - 20.0).abs() < 0.6);
        assert_eq!(t.direction, Direction::Up);
        assert_eq!(t.verdict, Verdict::Worsening, "up is worse for a latency");
        let t = trend(&s, now, Window::H1, Better::Higher).expect("trend");
        assert_eq!(t.verdict, Verdict::Improving);
    }

    #[test]
    fn jitter_reads_as_flat_and_real_moves_do_not() {
        let noisy = series(240, 60_000, |i| 100.0 + 5.0 * jitter(i));
        let t = trend(&noisy, 239 * 60_000, Window::H1, Better::Lower).expect("trend");
        assert_eq!(t.direction, Direction::Flat, "{t:?}");
        assert_eq!(t.verdict, Verdict::Stable);
        let moving = series(240, 60_000, |i| {
            100.0 + 5.0 * jitter(i) + if i >= 180 { 8.0 } else { 0.0 }
        });
        let t = trend(&moving, 239 * 60_000, Window::H1, Better::Lower).expect("trend");
        assert_eq!(t.direction, Direction::Up, "{t:?}");
    }

    #[test]
    fn slope_without_previous_window() {
        let s = series(60, 60_000, |i| i as f64);
        let t = trend(&s, 59 * 60_000, Window::H1, Better::Neither).expect("trend");
        assert!(t.previous_mean.is_none());
        assert!((t.slope_per_hour - 60.0).abs() < 1e-6);
        assert_eq!(t.direction, Direction::Up);
        assert_eq!(t.verdict, Verdict::Stable, "neither direction is better");
    }

    #[test]
    fn constant_empty_and_nan_series_are_safe() {
        let c = series(100, H, |_| 5.0);
        let t = trend(&c, 99 * H, Window::H24, Better::Lower).expect("trend");
        assert_eq!(t.direction, Direction::Flat);
        assert_eq!(t.change, Some(0.0));
        assert!(trend(&[], 0, Window::H1, Better::Lower).is_none());
        let z = series(100, H, |_| 0.0);
        let t = trend(&z, 99 * H, Window::H24, Better::Lower).expect("zeros");
        assert_eq!(t.change_pct, None, "no percentage against zero");
        let with_nan = vec![(0, f64::NAN), (1000, 1.0)];
        assert_eq!(
            trend(&with_nan, 1000, Window::H1, Better::Lower).map(|t| t.points),
            Some(1)
        );
    }

    #[test]
    fn lttb_keeps_peaks_and_bounds_the_count() {
        let mut s = series(1000, 1000, |i| (i % 7) as f64 * 0.01);
        s[500].1 = 50.0;
        s[700].1 = -40.0;
        let d = lttb(&s, 60);
        assert_eq!(d.len(), 60);
        assert_eq!(d[0], s[0]);
        assert_eq!(d[59], s[999]);
        assert!(d.contains(&s[500]) && d.contains(&s[700]), "spikes survive");
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(lttb(&s[..10], 60).len(), 10);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut vec![f64::NAN]), None);
    }
}
