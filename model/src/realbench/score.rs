//! The weighted score of public anomaly benchmarks (the "standard" profile): the first flag in
//! an incident window earns up to 1 (more the earlier it comes, by a scaled sigmoid of its place
//! in the window), a missed window costs 1, each flag outside every window costs up to 0.11
//! (less right after a window); flags in the probation are not judged. Normalised so that a
//! detector that never flags scores 0 and one that flags each window's first point scores 100.
//! Baselines: the rolling z-score of the design, and a windowed Gaussian (the public benchmark's
//! simplest).

use super::Series;
use crate::anomaly::{Detector, DetectorConfig, Profile};

const A_TP: f64 = 1.0;
const A_FN: f64 = 1.0;
const A_FP: f64 = 0.11;

fn scaled_sigmoid(y: f64) -> f64 {
    2.0 / (1.0 + (5.0 * y).exp()) - 1.0
}

/// `(raw, null, perfect)` of one series' flags.
pub fn raw_score(s: &Series, flags: &[bool]) -> (f64, f64, f64) {
    let mut raw = 0.0;
    let mut hit = vec![false; s.windows.len()];
    for (i, f) in flags.iter().enumerate() {
        if !*f || i < s.probation {
            continue;
        }
        if let Some(w) = s.windows.iter().position(|&(a, b)| i >= a && i <= b) {
            if !hit[w] {
                hit[w] = true;
                let (a, b) = s.windows[w];
                let y = (i as f64 - b as f64) / (b - a + 1) as f64;
                raw += A_TP * scaled_sigmoid(y);
            }
            continue;
        }
        // Outside: less costly right after a window, as the benchmark has it.
        let prev = s.windows.iter().filter(|w| w.1 < i).max_by_key(|w| w.1);
        raw += A_FP
            * match prev {
                Some(&(a, b)) => scaled_sigmoid((i - b) as f64 / (b - a + 1) as f64),
                None => -1.0,
            };
    }
    raw -= A_FN * hit.iter().filter(|h| !**h).count() as f64;
    let null = -A_FN * s.windows.len() as f64;
    // Each window found at its first point.
    let perfect: f64 = s
        .windows
        .iter()
        .map(|&(a, b)| A_TP * scaled_sigmoid((a as f64 - b as f64) / (b - a + 1) as f64))
        .sum();
    (raw, null, perfect)
}

/// The normalised score (0 null, 100 perfect) of summed raw scores.
pub fn normalised(parts: &[(f64, f64, f64)]) -> f64 {
    let (r, n, p) = parts.iter().fold((0.0, 0.0, 0.0), |acc, x| {
        (acc.0 + x.0, acc.1 + x.1, acc.2 + x.2)
    });
    if p - n <= 0.0 {
        return 0.0;
    }
    100.0 * (r - n) / (p - n)
}

/// The values a baseline sees: a counter's rate per step (a reset skipped), else the values.
fn values(s: &Series) -> Vec<f64> {
    if !s.counter {
        return s.points.iter().map(|p| p.1).collect();
    }
    let mut out = vec![0.0; s.points.len()];
    for i in 1..s.points.len() {
        let d = s.points[i].1 - s.points[i - 1].1;
        out[i] = if d >= 0.0 { d } else { out[i - 1] };
    }
    out
}

/// Scores of a rolling Gaussian over the last `window` values: `|z|` (a threshold on it is one
/// on the tail probability, without the rounding of a probability near 1).
pub fn gaussian_scores(s: &Series, window: usize, min: usize) -> Vec<f64> {
    let v = values(s);
    let (mut sum, mut sumsq) = (0.0, 0.0);
    let mut out = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        let n = i.min(window);
        let score = if n >= min {
            let mean = sum / n as f64;
            let sd = (sumsq / n as f64 - mean * mean).max(0.0).sqrt();
            if sd > 0.0 {
                ((v[i] - mean) / sd).abs()
            } else if v[i] != mean {
                f64::INFINITY
            } else {
                0.0
            }
        } else {
            0.0
        };
        out.push(score);
        sum += v[i];
        sumsq += v[i] * v[i];
        if i >= window {
            sum -= v[i - window];
            sumsq -= v[i - window] * v[i - window];
        }
    }
    out
}

/// The shipped detector's scores.
pub fn detector_scores(s: &Series) -> Vec<f64> {
    profile_scores(s, Profile::Balanced)
}

/// The detector's scores with the evidence weighed as `profile` says.
pub fn profile_scores(s: &Series, profile: Profile) -> Vec<f64> {
    let mut d = Detector::new(DetectorConfig {
        counter: s.counter,
        sensitivity: profile.sensitivity(),
        ..DetectorConfig::default()
    });
    s.points
        .iter()
        .map(|&(t, v)| d.update(t, v).score)
        .collect()
}

/// The detectors compared: name, scores of a series, own threshold, thresholds tried.
pub type Scorer = (&'static str, fn(&Series) -> Vec<f64>, f64, &'static [f64]);

const SCORES: [f64; 12] = [
    0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
];
const ZS: [f64; 14] = [
    1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 10.0, 15.0, 20.0,
];

pub const DETECTORS: [Scorer; 5] = [
    ("lookout", detector_scores, 0.5, &SCORES),
    (
        "lookout quiet",
        |s| profile_scores(s, Profile::Quiet),
        0.5,
        &SCORES,
    ),
    (
        "lookout sensitive",
        |s| profile_scores(s, Profile::Sensitive),
        0.5,
        &SCORES,
    ),
    // The design's baseline: 60 points, |z| > 2.
    ("z-score", |s| gaussian_scores(s, 60, 30), 2.0, &ZS),
    // The public benchmark's: a week of points; no threshold of its own, so its best.
    (
        "windowed Gaussian",
        |s| gaussian_scores(s, 2016, 288),
        f64::NAN,
        &ZS,
    ),
];

/// One detector's results: per category, its score at its own threshold and at the one best
/// threshold over the whole benchmark (one for all series, as the benchmark rules).
#[derive(Debug, Clone)]
pub struct Result {
    pub name: &'static str,
    pub own: Option<Vec<(&'static str, f64)>>,
    pub best_threshold: f64,
    pub best: Vec<(&'static str, f64)>,
}

fn by_category(all: &[Series], scores: &[Vec<f64>], threshold: f64) -> Vec<(&'static str, f64)> {
    super::CATEGORIES
        .iter()
        .map(|c| {
            let parts: Vec<(f64, f64, f64)> = all
                .iter()
                .zip(scores)
                .filter(|(s, _)| s.category == *c)
                .map(|(s, sc)| {
                    let flags: Vec<bool> = sc.iter().map(|x| *x >= threshold).collect();
                    raw_score(s, &flags)
                })
                .collect();
            (*c, normalised(&parts))
        })
        .collect()
}

/// Every detector on every series.
pub fn run() -> Vec<Result> {
    let all = super::series();
    DETECTORS
        .iter()
        .map(|(name, scorer, own, grid)| {
            let scores: Vec<Vec<f64>> = all.iter().map(scorer).collect();
            let total = |t: f64| -> f64 {
                let parts: Vec<(f64, f64, f64)> = all
                    .iter()
                    .zip(&scores)
                    .map(|(s, sc)| {
                        let flags: Vec<bool> = sc.iter().map(|x| *x >= t).collect();
                        raw_score(s, &flags)
                    })
                    .collect();
                normalised(&parts)
            };
            let best_threshold = grid
                .iter()
                .copied()
                .max_by(|a, b| total(*a).total_cmp(&total(*b)))
                .unwrap_or(0.5);
            Result {
                name,
                own: own.is_finite().then(|| by_category(&all, &scores, *own)),
                best_threshold,
                best: by_category(&all, &scores, best_threshold),
            }
        })
        .collect()
}

/// The results as a Markdown table: a row per category, a column per detector and threshold.
pub fn report(results: &[Result]) -> String {
    let mut head = String::from("| category |");
    let mut rule = String::from("|---|");
    for r in results {
        if r.own.is_some() {
            head.push_str(&format!(" {} (own) |", r.name));
            rule.push_str("---|");
        }
        head.push_str(&format!(" {} (best, {}) |", r.name, r.best_threshold));
        rule.push_str("---|");
    }
    let mut out = format!("{head}\n{rule}\n");
    for (i, c) in super::CATEGORIES.iter().enumerate() {
        out.push_str(&format!("| {c} |"));
        for r in results {
            if let Some(own) = &r.own {
                out.push_str(&format!(" {:.1} |", own[i].1));
            }
            out.push_str(&format!(" {:.1} |", r.best[i].1));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(windows: Vec<(usize, usize)>) -> Series {
        Series {
            category: "cpu",
            name: "t".into(),
            points: (0..1000).map(|i| (i as i64, 0.0)).collect(),
            windows,
            probation: 100,
            counter: false,
        }
    }

    #[test]
    fn the_weighted_rule_rewards_early_hits_and_charges_misses_and_false_alarms() {
        let s = one(vec![(200, 299), (600, 699)]);
        let mut flags = vec![false; 1000];
        assert_eq!(normalised(&[raw_score(&s, &flags)]), 0.0, "null detector");
        flags[200] = true;
        flags[600] = true;
        assert!(
            (normalised(&[raw_score(&s, &flags)]) - 100.0).abs() < 1e-9,
            "perfect"
        );
        let early = normalised(&[raw_score(&s, &flags)]);
        flags[200] = false;
        flags[290] = true;
        let late = normalised(&[raw_score(&s, &flags)]);
        assert!(late < early, "{late} < {early}");
        flags[50] = true; // probation: not judged
        assert_eq!(normalised(&[raw_score(&s, &flags)]), late);
        flags[900] = true;
        assert!(
            normalised(&[raw_score(&s, &flags)]) < late,
            "a false alarm costs"
        );
    }

    #[test]
    fn the_shipped_threshold_beats_the_windowed_gaussian_at_its_best_in_every_category() {
        let results = run();
        println!("{}", report(&results));
        let own = results[0].own.as_ref().expect("the shipped threshold");
        let wg = &results[4];
        assert_eq!(wg.name, "windowed Gaussian");
        for ((c, ours), (_, theirs)) in own.iter().zip(&wg.best) {
            assert!(ours - theirs >= 20.0, "{c}: {ours:.1} against {theirs:.1}");
        }
    }

    #[test]
    fn the_benchmark_has_sixty_series_with_windows_after_probation() {
        let all = super::super::series();
        assert_eq!(all.len(), 60);
        for s in &all {
            assert!(!s.windows.is_empty(), "{}", s.name);
            assert!(
                s.windows
                    .iter()
                    .all(|w| w.0 >= s.probation && w.1 < s.points.len())
            );
            assert!(s.points.iter().all(|p| p.1.is_finite()), "{}", s.name);
        }
    }
}
