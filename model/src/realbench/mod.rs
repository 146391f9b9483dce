//! A harder anomaly benchmark: 60 generated series in the shapes real services produce, with
//! the normal oddities that are not incidents (deploy regimes, weekends and holidays, bursts,
//! slow drift, restarts, counter resets) and labelled incident windows, scored by the weighted
//! rule of public anomaly benchmarks (`score`). The shapes follow how such series behave, not
//! what a detector assumes.

pub mod score;

use crate::rng::Rng;

const STEP_MS: i64 = 300_000;
const DAY: usize = 288;
/// Four weeks of 5-minute points.
const N: usize = 28 * DAY;
/// Monday 2026-01-05 00:00 UTC, so weekdays are known.
const T0: i64 = 1_767_571_200_000;

pub const CATEGORIES: [&str; 6] = [
    "cpu",
    "requests",
    "social",
    "latency",
    "temperature",
    "counter",
];

/// A series with its incident windows (`[start, end]` indices, inclusive) and the first points
/// no detector is judged on (its probation, 15 % as public benchmarks use).
#[derive(Debug, Clone)]
pub struct Series {
    pub category: &'static str,
    pub name: String,
    pub points: Vec<(i64, f64)>,
    pub windows: Vec<(usize, usize)>,
    pub probation: usize,
    pub counter: bool,
}

/// 0 at 04:00, 1 at 16:00: the day of a service's users.
fn day_shape(i: usize) -> f64 {
    let phase = (i % DAY) as f64 / DAY as f64;
    0.5 - 0.5 * (std::f64::consts::TAU * (phase - 1.0 / 6.0)).cos()
}

fn weekend(i: usize, holiday: usize) -> bool {
    let d = i / DAY;
    d % 7 >= 5 || d == holiday
}

/// Incident onsets: `count` of them after the probation, apart from each other.
fn onsets(rng: &mut Rng, count: usize, probation: usize, room: usize) -> Vec<usize> {
    let span = (N - probation - room) / count;
    (0..count)
        .map(|k| probation + k * span + rng.int(room, span.max(room + 1)))
        .collect()
}

/// A window as public benchmarks size it (a tenth of the series over its incidents), starting
/// a little before the onset.
fn window(onset: usize, count: usize) -> (usize, usize) {
    let len = N / 10 / count;
    let start = onset.saturating_sub(len / 10);
    (start, (start + len).min(N - 1))
}

// Each generator reads and writes the i-th point of several series at once.
#[allow(clippy::needless_range_loop)]
fn make(category: &'static str, seed: u64) -> Series {
    let mut rng = Rng(seed
        .wrapping_mul(104_729)
        .wrapping_add(category.len() as u64 * 31));
    let probation = N * 15 / 100;
    let count = 2 + (seed % 2) as usize;
    let at = onsets(&mut rng, count, probation, 2 * DAY);
    let mut v = vec![0.0; N];
    let mut counter = false;
    // How long each incident lasts, in points.
    let mut dur: Vec<usize> = at.iter().map(|_| rng.int(24, 72)).collect();
    let during =
        |i: usize, dur: &[usize]| at.iter().zip(dur).position(|(a, d)| i >= *a && i < a + d);
    match category {
        "cpu" => {
            // Deploys move the level now and then; that is normal, not an incident.
            let mut regime = rng.range(25.0, 45.0);
            let mut ar = 0.0;
            for i in 0..N {
                if rng.uniform() < 1.0 / (4.0 * DAY as f64) {
                    regime = (regime + rng.range(-8.0, 8.0)).clamp(15.0, 60.0);
                }
                ar = 0.8 * ar + rng.normal() * 1.5;
                let mut x = regime + 12.0 * day_shape(i) + ar;
                if rng.uniform() < 0.003 {
                    x += rng.range(5.0, 15.0);
                }
                if let Some(k) = during(i, &dur) {
                    // A runaway process: CPU climbs over an hour and stays up (even), or a
                    // stuck job holds it a notch above the day's peak (odd).
                    let rise = ((i - at[k]) as f64 / 12.0).min(1.0);
                    x += if k % 2 == 0 { 25.0 * rise } else { 12.0 };
                }
                v[i] = x.clamp(0.0, 100.0);
            }
        }
        "requests" | "counter" => {
            let holiday = rng.int(7, 26);
            let peak = rng.range(200.0, 3000.0);
            let mut total = 0.0;
            let mut next_reset = rng.int(DAY, 6 * DAY);
            counter = category == "counter";
            for i in 0..N {
                let week = if weekend(i, holiday) { 0.55 } else { 1.0 };
                let mut rate = peak * week * (0.25 + 0.75 * day_shape(i));
                if let Some(k) = during(i, &dur) {
                    rate *= if k % 2 == 0 {
                        rng.range(0.02, 0.2)
                    } else {
                        2.5
                    };
                }
                let x = (rate + rate.sqrt() * rng.normal()).max(0.0);
                if counter {
                    if i == next_reset {
                        // A restart: the counter starts again from zero; no incident.
                        total = 0.0;
                        next_reset += rng.int(DAY, 8 * DAY);
                    }
                    total += x.round();
                    v[i] = total;
                } else {
                    v[i] = x.round();
                }
            }
        }
        "social" => {
            // Mentions: a low hum with frequent bursts of every size (normal), and incidents
            // that are bigger and longer than any burst before.
            let mut burst = 0.0;
            let mut largest: f64 = 0.0;
            let mut viral = 0.0;
            let base = rng.range(5.0, 30.0);
            for i in 0..N {
                burst *= 0.8;
                if rng.uniform() < 0.01 {
                    let b = base * rng.pareto(1.6);
                    largest = largest.max(b);
                    burst += b;
                }
                viral *= 0.97;
                if at.contains(&i) {
                    viral = (largest * 3.0).max(base * 40.0);
                }
                let mean = base * (0.6 + 0.8 * day_shape(i)) + burst + viral;
                v[i] = (mean + mean.sqrt() * rng.normal()).max(0.0).round();
            }
        }
        "latency" => {
            // p95 in ms: heavy-tailed, drifting up as memory leaks, reset by weekly restarts.
            let base = rng.range(80.0, 300.0);
            let mut drift = 0.0;
            for i in 0..N {
                drift = if i % (7 * DAY) == 0 {
                    0.0
                } else {
                    drift + 0.4 / (7 * DAY) as f64
                };
                let noise = (0.25 * rng.normal()).exp()
                    * if rng.uniform() < 0.01 {
                        rng.pareto(2.0)
                    } else {
                        1.0
                    };
                let mut x = base * (1.0 + drift) * (0.9 + 0.2 * day_shape(i)) * noise;
                if during(i, &dur).is_some() {
                    x *= 3.0;
                }
                v[i] = x;
            }
        }
        "temperature" => {
            // A machine's sensor: smooth, autocorrelated, a daily swing and a slow seasonal
            // drift; incidents are the sensor failing (stuck, or dropping out).
            // A stuck sensor lasts longer than a dropout.
            for (k, d) in dur.iter_mut().enumerate() {
                if k % 2 == 0 {
                    *d *= 3;
                }
            }
            let mut ar = 0.0;
            let mut stuck = None;
            for i in 0..N {
                ar = 0.95 * ar + 0.08 * rng.normal();
                let season = 2.0 * (std::f64::consts::TAU * i as f64 / N as f64).sin();
                let x = 40.0 + 4.0 * day_shape(i) + season + ar;
                v[i] = match during(i, &dur) {
                    Some(k) if k % 2 == 0 => *stuck.get_or_insert(x),
                    Some(_) => -127.0,
                    None => {
                        stuck = None;
                        x
                    }
                };
            }
        }
        _ => {}
    }
    Series {
        category,
        name: format!("{category}-{seed}"),
        points: (0..N).map(|i| (T0 + i as i64 * STEP_MS, v[i])).collect(),
        windows: at.iter().map(|a| window(*a, count)).collect(),
        probation,
        counter,
    }
}

/// The benchmark: ten series of each category.
pub fn series() -> Vec<Series> {
    CATEGORIES
        .iter()
        .flat_map(|c| (0..10).map(move |seed| make(c, seed)))
        .collect()
}
