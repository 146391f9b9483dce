//! Online anomaly detection: each point is scored from the points before it only, in fixed memory.
//!
//! Robust level (median) and scale (MAD and a tail quantile) of deseasonalised values, a daily
//! seasonal profile, and a two-sided CUSUM for level shifts and trend changes. Counters are
//! scored by their rate, and a counter reset is skipped rather than scored.

use serde::{Deserialize, Serialize};

use crate::trend::median;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    Spike,
    Drop,
    LevelShift,
    TrendChange,
    /// The same value again and again, far longer than the series ever repeats itself: a
    /// stuck sensor, a stalled counter.
    Stuck,
}

impl AnomalyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::Spike => "spike",
            AnomalyKind::Drop => "drop",
            AnomalyKind::LevelShift => "level_shift",
            AnomalyKind::TrendChange => "trend_change",
            AnomalyKind::Stuck => "stuck",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Low, Severity::Medium, Severity::High]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The verdict on one point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// In [0, 1): 0.5 is the anomaly threshold; full precision, never rounded to a flag.
    pub score: f64,
    pub kind: Option<AnomalyKind>,
    pub severity: Option<Severity>,
    /// What the detector expected instead, when it had an expectation.
    pub expected: Option<f64>,
}

impl Score {
    pub const NONE: Score = Score {
        score: 0.0,
        kind: None,
        severity: None,
        expected: None,
    };

    pub fn is_anomaly(&self) -> bool {
        self.score >= THRESHOLD
    }
}

/// Evidence `e` (1 = at the threshold) to a score in [0, 1) that keeps growing with `e`.
pub fn score_of(e: f64) -> f64 {
    let e = e.max(0.0);
    e * e / (1.0 + e * e)
}

fn severity_of(e: f64) -> Option<Severity> {
    match e {
        e if e >= 3.0 => Some(Severity::High),
        e if e >= 1.5 => Some(Severity::Medium),
        e if e >= 1.0 => Some(Severity::Low),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// The series is a monotonic counter: score its rate per second.
    pub counter: bool,
    /// Length of the seasonal cycle in ms (0 turns seasonality off).
    pub season_ms: i64,
    /// Points seen before any score is given.
    pub warmup: usize,
    /// How much the evidence is weighed (`Profile`): 1 as shipped, below 1 for fewer false
    /// alarms, above for fewer misses. The threshold stays `THRESHOLD`, for alerts, pages and
    /// widgets alike; the rest after an event follows.
    pub sensitivity: f64,
}

/// The one operating threshold: a score at or above it is an anomaly (`Score::is_anomaly`).
pub const THRESHOLD: f64 = 0.5;

mod profile;
pub use profile::{Profile, sensitivity_for};

impl Default for DetectorConfig {
    fn default() -> DetectorConfig {
        DetectorConfig {
            counter: false,
            season_ms: 86_400_000,
            warmup: 60,
            sensitivity: 1.0,
        }
    }
}

/// Fixed-size ring buffer.
#[derive(Debug, Clone)]
struct Ring<T> {
    buf: Vec<T>,
    cap: usize,
    next: usize,
}

impl<T: Copy> Ring<T> {
    fn new(cap: usize) -> Ring<T> {
        Ring {
            buf: Vec::with_capacity(cap),
            cap,
            next: 0,
        }
    }

    fn push(&mut self, x: T) {
        if self.buf.len() < self.cap {
            self.buf.push(x);
        } else {
            self.buf[self.next] = x;
        }
        self.next = (self.next + 1) % self.cap;
    }

    fn len(&self) -> usize {
        self.buf.len()
    }

    /// Oldest to newest.
    fn ordered(&self) -> impl Iterator<Item = &T> {
        let split = if self.buf.len() < self.cap {
            0
        } else {
            self.next
        };
        self.buf[split..].iter().chain(&self.buf[..split])
    }

    fn keep_last(&mut self, k: usize) {
        let last: Vec<T> = self.ordered().copied().collect();
        let from = last.len().saturating_sub(k);
        self.buf.clear();
        self.next = 0;
        for x in &last[from..] {
            self.push(*x);
        }
    }
}

const RECENT: usize = 64;
const RESID: usize = 256;
const BUCKETS: usize = 48;
const PER_BUCKET: usize = 24;
/// CUSUM allowance and decision threshold, in robust standard deviations.
const CUSUM_K: f64 = 0.75;
const CUSUM_H: f64 = 10.0;
/// A point beyond this many tail scales is a spike.
const SPIKE_K: f64 = 2.2;
mod tuning;
use tuning::*;

/// The online detector for one series. Memory is fixed whatever the series' length.
#[derive(Debug, Clone)]
pub struct Detector {
    cfg: DetectorConfig,
    n: usize,
    first_t: Option<i64>,
    last_t: Option<i64>,
    last_raw: Option<f64>,
    /// Recent `(time, value)` points; the level is the median of their deseasonalised values.
    recent: Ring<(i64, f64)>,
    resid: Ring<f64>,
    /// Per time-of-day bucket: raw values during the first season, deviations from the level after.
    buckets: Vec<Ring<f64>>,
    shape: Vec<f64>,
    bucket_dirty: Vec<u8>,
    /// A whole season has been seen and the buckets hold deviations.
    season_ready: bool,
    /// The seasonal profile stands out from the noise, so it is used.
    seasonal: bool,
    level: f64,
    scale: f64,
    cusum_scale: f64,
    tail: f64,
    since_level: usize,
    since_scale: usize,
    s_pos: f64,
    s_neg: f64,
    /// Points left in the rest after a reported event, and that event's evidence: one event
    /// is reported once, not on each of its points.
    rest: usize,
    rest_e: f64,
    /// The largest excursion from the expected value lately (forgetting over about a week of
    /// points): a spike no larger than what the series has done before is not news.
    peak: f64,
    /// The largest excursion not reported (forgetting over weeks): what the series does as a
    /// matter of course, which a lone extreme must clearly beat.
    calm_peak: f64,
    /// How many unreported excursions lately went beyond `OVER_K` tails (decayed): a series
    /// that keeps doing so is heavy-tailed whatever its 99th percentile says.
    over: f64,
    /// A lone spike of a heavy-tailed series waiting for a second point to confirm it.
    pending: bool,
    /// The value before, how many times in a row it has come again, and the longest such run
    /// the series has made without being reported.
    last_value: Option<f64>,
    run: usize,
    longest_run: usize,
    scratch: Vec<f64>,
}

impl Detector {
    pub fn new(cfg: DetectorConfig) -> Detector {
        let buckets = if cfg.season_ms > 0 { BUCKETS } else { 0 };
        Detector {
            cfg,
            n: 0,
            first_t: None,
            last_t: None,
            last_raw: None,
            recent: Ring::new(RECENT),
            resid: Ring::new(RESID),
            buckets: (0..buckets).map(|_| Ring::new(PER_BUCKET)).collect(),
            shape: vec![0.0; buckets],
            bucket_dirty: vec![0; buckets],
            season_ready: false,
            seasonal: false,
            level: 0.0,
            scale: 0.0,
            cusum_scale: 0.0,
            tail: 0.0,
            since_level: 0,
            since_scale: 0,
            s_pos: 0.0,
            s_neg: 0.0,
            rest: 0,
            rest_e: 0.0,
            peak: 0.0,
            calm_peak: 0.0,
            over: 0.0,
            pending: false,
            last_value: None,
            run: 0,
            longest_run: 0,
            scratch: Vec::with_capacity(RESID),
        }
    }

    fn bucket(&self, t: i64) -> Option<usize> {
        (self.cfg.season_ms > 0).then(|| {
            let phase = t.rem_euclid(self.cfg.season_ms);
            // phase < season, so phase * 48 fits in i64 for any season under ~6 million years.
            ((phase * BUCKETS as i64 / self.cfg.season_ms) as usize).min(BUCKETS - 1)
        })
    }

    /// The seasonal offset at `t`, when a learnt profile is in use.
    fn season_at(&self, t: i64) -> f64 {
        match self.bucket(t) {
            Some(b) if self.seasonal && self.buckets[b].len() >= 3 => self.shape[b],
            _ => 0.0,
        }
    }

    /// Expected value at `t` from what came before.
    fn expected(&mut self, t: i64) -> f64 {
        if self.season_ready || self.cfg.season_ms == 0 {
            self.level + self.season_at(t)
        } else {
            // Before a whole season is known, a robust local line follows a cycle closely.
            self.local_line(t).unwrap_or(self.level)
        }
    }

    /// Line through the last 16 points: median of 8 pair slopes, median intercept.
    fn local_line(&mut self, t: i64) -> Option<f64> {
        if self.recent.len() < 16 {
            return None;
        }
        let pts: Vec<(i64, f64)> = self.recent.ordered().copied().collect();
        let last = &pts[pts.len() - 16..];
        self.scratch.clear();
        for i in 0..8 {
            let (a, b) = (last[i], last[i + 8]);
            if b.0 > a.0 {
                self.scratch.push((b.1 - a.1) / (b.0 - a.0) as f64);
            }
        }
        let slope = median(&mut self.scratch).unwrap_or(0.0);
        let t_last = last[15].0;
        self.scratch.clear();
        self.scratch
            .extend(last.iter().map(|p| p.1 - slope * (p.0 - t_last) as f64));
        let intercept = median(&mut self.scratch)?;
        Some(intercept + slope * (t - t_last) as f64)
    }

    fn refresh_level(&mut self) {
        // Order does not matter for a median, so the ring is read as it lies.
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend(self.recent.buf.iter().map(|&(t, v)| v - self.season_at(t)));
        if let Some(m) = median(&mut scratch) {
            self.level = m;
        }
        self.scratch = scratch;
        self.since_level = 0;
    }

    fn refresh_scale(&mut self) {
        let floor = 1e-9 * self.level.abs().max(1.0);
        self.scratch.clear();
        if self.resid.len() >= 16 {
            self.scratch.extend(self.resid.buf.iter().map(|r| r.abs()));
        } else {
            let level = self.level;
            self.scratch
                .extend(self.recent.ordered().map(|p| (p.1 - level).abs()));
        }
        let n = self.scratch.len();
        if n == 0 {
            return;
        }
        let mad = median(&mut self.scratch).unwrap_or(0.0) * 1.4826;
        let q = ((n as f64 * 0.99) as usize).min(n - 1);
        let (_, q99, _) = self.scratch.select_nth_unstable_by(q, f64::total_cmp);
        let q99 = *q99;
        self.scale = mad.max(floor);
        // The tail forgets slowly: a quiet stretch should not make the next ordinary blip a spike.
        self.tail = q99.max(2.6 * self.scale).max(floor).max(0.9 * self.tail);
        // Residuals of a smooth series follow each other (a sensor, CPU under load): their sum
        // wanders far more than independent noise would, so the CUSUM's scale widens by the
        // long-run factor of a lag-1 correlation, or it reads every slow wander as a shift.
        let rho = lag1(&self.resid).clamp(0.0, RHO_MAX);
        self.cusum_scale = self.scale.max(self.tail / 2.6) * ((1.0 + rho) / (1.0 - rho)).sqrt();
        if self.season_ready {
            let (lo, hi) = self
                .shape
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                    (lo.min(*x), hi.max(*x))
                });
            self.seasonal = hi - lo > 4.0 * self.scale;
        }
        self.since_scale = 0;
    }

    fn refresh_bucket(&mut self, b: usize) {
        self.scratch.clear();
        self.scratch.extend(self.buckets[b].buf.iter().copied());
        self.shape[b] = median(&mut self.scratch).unwrap_or(0.0);
        self.bucket_dirty[b] = 0;
    }

    /// After the first whole season: the raw bucket values become deviations from their centre.
    fn complete_season(&mut self) {
        for b in 0..self.buckets.len() {
            self.refresh_bucket(b);
        }
        self.scratch.clear();
        self.scratch.extend(self.shape.iter().copied());
        let center = median(&mut self.scratch).unwrap_or(0.0);
        for ring in &mut self.buckets {
            for x in &mut ring.buf {
                *x -= center;
            }
        }
        for s in &mut self.shape {
            *s -= center;
        }
        self.season_ready = true;
        self.refresh_scale();
        self.refresh_level();
    }

    /// Scores `(t, value)` against what came before, then learns from it.
    pub fn update(&mut self, t: i64, raw: f64) -> Score {
        if !raw.is_finite() {
            return Score::NONE;
        }
        let value = if self.cfg.counter {
            let prev = self.last_raw.zip(self.last_t);
            self.last_raw = Some(raw);
            self.last_t = Some(t);
            match prev {
                None => return Score::NONE,
                Some((p, pt)) => {
                    let dt = (t - pt) as f64 / 1000.0;
                    // A counter that went down was reset (a restart): not an anomaly, no rate.
                    if raw < p || dt <= 0.0 {
                        return Score::NONE;
                    }
                    (raw - p) / dt
                }
            }
        } else {
            self.last_t = Some(t);
            raw
        };
        let first = *self.first_t.get_or_insert(t);
        if !self.season_ready && self.cfg.season_ms > 0 && t - first >= self.cfg.season_ms {
            self.complete_season();
        }
        let expected = self.expected(t);
        let r = value - expected;
        let ended = self.repeat(value);
        let mut out = Score::NONE;
        if self.n >= self.cfg.warmup {
            out = self.score(t, value, r, expected);
        }
        // Runs of the warm-up are how the series is; later ones only unless they were stuck.
        if let Some(run) = ended
            && (self.n < self.cfg.warmup || !self.stuck_at(run))
        {
            self.longest_run = self.longest_run.max(run);
        }
        self.learn(t, value, r, out.is_anomaly());
        out
    }

    fn score(&mut self, t: i64, value: f64, r: f64, expected: f64) -> Score {
        let mut e_spike = r.abs() / (SPIKE_K * self.tail).max(PEAK_MARGIN * self.peak);
        // A heavy-tailed series (its tail far wider than its typical spread, or its ordinary
        // points going beyond the tail again and again) throws lone extremes as a matter of
        // course: a spike there is one when the next point confirms it, unless it is far beyond
        // the bar or beyond anything the series did unreported.
        let heavy = self.tail > HEAVY * self.scale || self.over >= OVER_HEAVY;
        if heavy && e_spike < LONE_OK && r.abs() <= LONE_PEAK * self.calm_peak {
            let confirmed = self.pending && e_spike >= 0.5;
            self.pending = e_spike >= 1.0 && !self.pending;
            e_spike = if confirmed {
                e_spike.max(1.0)
            } else {
                e_spike.min(0.99)
            };
        } else {
            self.pending = false;
        }
        let z = (r / self.cusum_scale).clamp(-4.0, 4.0);
        self.s_pos = (self.s_pos + z - CUSUM_K).max(0.0);
        self.s_neg = (self.s_neg - z - CUSUM_K).max(0.0);
        let e_shift = self.s_pos.max(self.s_neg) / CUSUM_H;
        let e_flat = self.flat_evidence();
        let e = e_spike.max(e_shift).max(e_flat) * self.cfg.sensitivity;
        let mut kind = None;
        if e >= 1.0 {
            kind = Some(if e_flat >= e_spike.max(e_shift) {
                AnomalyKind::Stuck
            } else if e_spike >= e_shift {
                if r > 0.0 {
                    AnomalyKind::Spike
                } else {
                    AnomalyKind::Drop
                }
            } else {
                self.shift_kind(t, value - self.season_at(t))
            });
            if e_shift >= 1.0 {
                // The level moved: start the baseline again from the newest points.
                self.s_pos = 0.0;
                self.s_neg = 0.0;
                self.recent.keep_last(4);
                self.since_level = usize::MAX / 2;
            }
        }
        let e = self.rested(e);
        Score {
            score: score_of(e),
            kind: kind.filter(|_| e >= 1.0),
            severity: severity_of(e),
            expected: Some(expected),
        }
    }

    /// `e` as reported: below the threshold while resting after an event, unless it is a much
    /// stronger one; an event reported starts a rest.
    fn rested(&mut self, e: f64) -> f64 {
        if self.rest > 0 {
            self.rest -= 1;
            if e < REST_STRONGER * self.rest_e {
                return e.min(0.99);
            }
        }
        if e >= 1.0 {
            self.rest = REST;
            self.rest_e = e;
        }
        e
    }

    fn learn(&mut self, t: i64, value: f64, r: f64, reported: bool) {
        // Learnt after the warm-up (the first points' distance from a level not yet known is no
        // excursion of the series), and only from what was not reported: an incident does not
        // raise the bar for the next one, the ordinary tail of a heavy-tailed series does.
        if self.n >= self.cfg.warmup {
            let seen = if reported {
                REPORTED_SHARE * r.abs()
            } else {
                r.abs()
            };
            self.peak = (self.peak * PEAK_DECAY).max(seen);
            let calm = if reported { 0.0 } else { r.abs() };
            self.calm_peak = (self.calm_peak * CALM_DECAY).max(calm);
            self.over = self.over * PEAK_DECAY + f64::from(u8::from(calm > OVER_K * self.tail));
        }
        self.n += 1;
        self.recent.push((t, value));
        if self.n > 1 {
            self.resid.push(r);
        }
        if let Some(b) = self.bucket(t) {
            // Raw values until the first season is complete, then deviations from the level.
            let entry = if self.season_ready {
                value - self.level
            } else {
                value
            };
            self.buckets[b].push(entry);
            self.bucket_dirty[b] = self.bucket_dirty[b].saturating_add(1);
            if self.season_ready && (self.bucket_dirty[b] >= 8 || self.buckets[b].len() <= 3) {
                self.refresh_bucket(b);
            }
        }
        self.since_level += 1;
        self.since_scale += 1;
        let warming = self.n <= self.cfg.warmup;
        if warming || self.since_level >= 16 || self.recent.len() < 16 {
            self.refresh_level();
        }
        if warming || self.since_scale >= 64 {
            self.refresh_scale();
        }
    }
}

/// Lag-1 autocorrelation of the ring, oldest to newest (0 when too short or constant); read in
/// place, without a copy.
fn lag1(r: &Ring<f64>) -> f64 {
    let n = r.len();
    if n < 16 {
        return 0.0;
    }
    let mean = r.buf.iter().sum::<f64>() / n as f64;
    let var: f64 = r.buf.iter().map(|x| (x - mean) * (x - mean)).sum();
    if var <= 0.0 {
        return 0.0;
    }
    let cov: f64 = r
        .ordered()
        .zip(r.ordered().skip(1))
        .map(|(a, b)| (a - mean) * (b - mean))
        .sum();
    cov / var
}

mod baseline;
mod kinds;
pub use baseline::{ZScoreBaseline, looks_like_counter};

mod persist;

#[cfg(test)]
mod tests;
