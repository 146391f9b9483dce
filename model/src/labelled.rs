//! A labelled anomaly benchmark: 35 generated series in 7 shapes with known anomaly windows, and
//! the precision/recall/delay of the shipped detector against the z-score baseline.

use crate::anomaly::{Detector, DetectorConfig, ZScoreBaseline};
use crate::rng::Rng;

const STEP_MS: i64 = 300_000;
const DAY_POINTS: usize = 288;
const T0: i64 = 1_790_000_000_000 - 1_790_000_000_000 % 86_400_000;

/// A labelled series: values at fixed steps (None is a gap) and anomaly windows by index.
#[derive(Debug, Clone)]
pub struct LabelledSeries {
    pub category: &'static str,
    pub name: String,
    pub points: Vec<(i64, f64)>,
    /// `[start, end]` indices into `points`, inclusive.
    pub windows: Vec<(usize, usize)>,
    pub counter: bool,
}

pub const CATEGORIES: [&str; 7] = [
    "spikes",
    "level_shift",
    "trend_change",
    "heavy_tail",
    "counter",
    "gaps",
    "constant",
];

fn daily(i: usize, amplitude: f64) -> f64 {
    amplitude * (std::f64::consts::TAU * (i % DAY_POINTS) as f64 / DAY_POINTS as f64).sin()
}

/// Anomaly start positions spread over the series, well after warm-up and apart from each other.
fn places(rng: &mut Rng, n: usize, count: usize, first: usize, room: usize) -> Vec<usize> {
    let span = (n - first - room) / count;
    (0..count)
        .map(|k| first + k * span + rng.int(0, span.saturating_sub(room).max(1)))
        .collect()
}

fn make(category: &'static str, seed: u64) -> LabelledSeries {
    let mut rng = Rng(seed.wrapping_mul(7919).wrapping_add(category.len() as u64));
    let n = 7 * DAY_POINTS;
    let mut v = vec![0.0; n];
    let mut present = vec![true; n];
    let mut windows = Vec::new();
    let mut counter = false;
    let warm = 2 * DAY_POINTS;
    match category {
        "spikes" => {
            for (i, x) in v.iter_mut().enumerate() {
                *x = 50.0 + daily(i, 10.0) + rng.normal();
            }
            for (k, at) in places(&mut rng, n, 5, warm, 20).into_iter().enumerate() {
                let size = 7.0 + 5.0 * rng.uniform();
                v[at] += if k % 2 == 0 { size } else { -size };
                windows.push((at, at));
            }
        }
        "level_shift" => {
            let mut shift = 0.0;
            let starts = places(&mut rng, n, 3, warm, 40);
            for (i, x) in v.iter_mut().enumerate() {
                if let Some(k) = starts.iter().position(|s| *s == i) {
                    shift += if k % 2 == 0 { 4.0 } else { -4.0 };
                }
                *x = 20.0 + daily(i, 3.0) + shift + rng.normal();
            }
            windows.extend(starts.iter().map(|s| (*s, s + 24)));
        }
        "trend_change" => {
            let starts = places(&mut rng, n, 2, warm, 160);
            let mut drift = 0.0;
            for (i, x) in v.iter_mut().enumerate() {
                if starts.iter().any(|s| i > *s && i <= s + 120) {
                    drift += 0.08;
                }
                *x = 100.0 + daily(i, 5.0) + drift + rng.normal();
            }
            windows.extend(starts.iter().map(|s| (*s, s + 120)));
        }
        "heavy_tail" => {
            let starts = places(&mut rng, n, 4, warm, 40);
            let mut shift = 0.0;
            for (i, x) in v.iter_mut().enumerate() {
                if starts[3] == i {
                    shift = 10.0;
                }
                *x = 10.0 + shift + rng.t3();
            }
            for s in &starts[..3] {
                v[*s] += 30.0 + 10.0 * rng.uniform();
                windows.push((*s, *s));
            }
            windows.push((starts[3], starts[3] + 24));
        }
        "counter" => {
            counter = true;
            let starts = places(&mut rng, n, 3, warm, 40);
            let resets = [warm + 100, warm + 2 * DAY_POINTS + 50, n - 200];
            let mut total = 0.0;
            for (i, x) in v.iter_mut().enumerate() {
                let mut rate = 20.0 + daily(i, 8.0) + 1.5 * rng.normal();
                if let Some(s) = starts.iter().find(|s| i >= **s && i < *s + 8) {
                    // Even starts burst, odd ones stall.
                    rate *= if s.is_multiple_of(2) { 4.0 } else { 0.05 };
                }
                if resets.contains(&i) {
                    total = 0.0;
                }
                total += rate.max(0.0) * STEP_MS as f64 / 1000.0;
                *x = total.floor();
            }
            windows.extend(starts.iter().map(|s| (*s, s + 8)));
        }
        "gaps" => {
            for (i, x) in v.iter_mut().enumerate() {
                *x = 200.0 + daily(i, 30.0) + 2.0 * rng.normal();
            }
            let holes = [
                (warm + 40, 30),
                (warm + DAY_POINTS + 10, 100),
                (n - DAY_POINTS, 60),
            ];
            for (at, len) in holes {
                for p in present.iter_mut().skip(at).take(len) {
                    *p = false;
                }
            }
            let mut spots = places(&mut rng, n, 3, warm, 20);
            for s in &mut spots {
                while !present[*s] {
                    *s += 1;
                }
                v[*s] += 18.0 + 6.0 * rng.uniform();
                windows.push((*s, *s));
            }
        }
        "constant" => {
            // A gauge that sits still, with the odd harmless blip of one (an integer queue length).
            for x in &mut v {
                *x = if rng.uniform() < 0.02 { 8.0 } else { 7.0 };
            }
            if seed % 5 != 4 {
                let at = rng.int(warm, n - 50);
                for x in v.iter_mut().skip(at) {
                    *x = 12.0;
                }
                windows.push((at, at + 5));
            }
        }
        _ => {}
    }
    let mut points = Vec::with_capacity(n);
    let mut index_map = vec![usize::MAX; n];
    for i in 0..n {
        if present[i] {
            index_map[i] = points.len();
            points.push((T0 + i as i64 * STEP_MS, v[i]));
        }
    }
    let windows = windows
        .into_iter()
        .map(|(a, b)| (index_map[a], index_map[b.min(n - 1)].min(points.len() - 1)))
        .collect();
    LabelledSeries {
        category,
        name: format!("{category}-{seed}"),
        points,
        windows,
        counter,
    }
}

/// The whole benchmark: five series of each category.
pub fn series() -> Vec<LabelledSeries> {
    CATEGORIES
        .iter()
        .flat_map(|c| (0..5).map(move |seed| make(c, seed)))
        .collect()
}

/// Results for one detector on one category.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Quality {
    pub events: usize,
    pub true_events: usize,
    pub windows: usize,
    pub detected: usize,
    pub delay_points: usize,
}

impl Quality {
    pub fn precision(&self) -> f64 {
        if self.events == 0 {
            1.0
        } else {
            self.true_events as f64 / self.events as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.windows == 0 {
            1.0
        } else {
            self.detected as f64 / self.windows as f64
        }
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Mean points from a window's start to its first flag, over detected windows.
    pub fn mean_delay(&self) -> f64 {
        if self.detected == 0 {
            f64::NAN
        } else {
            self.delay_points as f64 / self.detected as f64
        }
    }
}

/// Flags found within this many points after a window still count for it.
const TOLERANCE: usize = 12;

/// Adds one series' flags to `q`. Flags are grouped into events (runs with gaps of at most 3).
fn evaluate(flags: &[bool], windows: &[(usize, usize)], q: &mut Quality) {
    let inside = |i: usize| windows.iter().any(|&(a, b)| i >= a && i <= b + TOLERANCE);
    let mut i = 0;
    while i < flags.len() {
        if !flags[i] {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut j = i + 1;
        while j < flags.len() && j <= end + 4 {
            if flags[j] {
                end = j;
            }
            j += 1;
        }
        q.events += 1;
        if (start..=end).any(|k| flags[k] && inside(k)) {
            q.true_events += 1;
        }
        i = end + 1;
    }
    for &(a, b) in windows {
        q.windows += 1;
        if let Some(first) =
            (a..=(b + TOLERANCE).min(flags.len().saturating_sub(1))).find(|k| flags[*k])
        {
            q.detected += 1;
            q.delay_points += first - a;
        }
    }
}

/// Flags of the shipped detector on one series.
pub fn detector_flags(s: &LabelledSeries) -> Vec<bool> {
    let mut d = Detector::new(DetectorConfig {
        counter: s.counter,
        ..DetectorConfig::default()
    });
    s.points
        .iter()
        .map(|&(t, v)| d.update(t, v).is_anomaly())
        .collect()
}

/// Flags of the z-score baseline on one series (raw values, as the design has it).
pub fn baseline_flags(s: &LabelledSeries) -> Vec<bool> {
    let mut z = ZScoreBaseline::default();
    s.points.iter().map(|&(_, v)| z.update(v)).collect()
}

/// `(category, shipped, baseline)` for every category.
pub fn run() -> Vec<(&'static str, Quality, Quality)> {
    let all = series();
    CATEGORIES
        .iter()
        .map(|c| {
            let (mut ours, mut base) = (Quality::default(), Quality::default());
            for s in all.iter().filter(|s| s.category == *c) {
                evaluate(&detector_flags(s), &s.windows, &mut ours);
                evaluate(&baseline_flags(s), &s.windows, &mut base);
            }
            (*c, ours, base)
        })
        .collect()
}

/// The benchmark as a Markdown table.
pub fn report() -> String {
    let mut out = String::from(
        "| category | detector P | R | F1 | delay (points) | z-score P | R | F1 | delay |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (c, o, b) in run() {
        out.push_str(&format!(
            "| {c} | {:.2} | {:.2} | {:.2} | {:.1} | {:.2} | {:.2} | {:.2} | {:.1} |\n",
            o.precision(),
            o.recall(),
            o.f1(),
            o.mean_delay(),
            b.precision(),
            b.recall(),
            b.f1(),
            b.mean_delay()
        ));
    }
    out
}
