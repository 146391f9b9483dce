//! The detector's tuning: rest after an event, excursion memory, correlated residuals, stuck
//! values, heavy tails. Each was measured on `realbench` with `labelled` still passing; check
//! them on real labelled series before trusting the margins.

/// Points of rest after a reported event, and how much stronger evidence must be to be a new one.
pub(super) const REST: usize = 48;
pub(super) const REST_STRONGER: f64 = 2.0;
/// How far beyond the largest recent excursion a spike must go, and how fast that one fades
/// (a half-life of about 2,000 points: a week at five minutes).
pub(super) const PEAK_MARGIN: f64 = 1.0;
pub(super) const PEAK_DECAY: f64 = 0.999_65;
/// What a reported excursion counts for in that memory (an incident must not raise the bar
/// for the next one as much as the ordinary tail does).
pub(super) const REPORTED_SHARE: f64 = 0.5;
/// The largest lag-1 correlation the CUSUM's scale allows for (widening it at most twice): a
/// seasonal misfit also correlates residuals, and a CUSUM widened for it would miss real shifts.
pub(super) const RHO_MAX: f64 = 0.6;
/// A run of repeats is stuck at twice the longest the series made, and at least this long.
pub(super) const FLAT_MIN: usize = 12;
pub(super) const FLAT_K: usize = 2;
/// A tail this many typical spreads wide is heavy; a lone spike there needs no confirmation
/// this far beyond the bar ...
pub(super) const HEAVY: f64 = 3.5;
pub(super) const LONE_OK: f64 = 3.0;
/// ... or this many times as far out as the largest unreported excursion, remembered with a
/// half-life of about 35,000 points (four months at five minutes): a power-law tail makes new
/// records often, a lone extreme beyond twice anything the series did unreported is news.
pub(super) const LONE_PEAK: f64 = 2.0;
pub(super) const CALM_DECAY: f64 = 0.999_98;
/// A series is heavy-tailed too when its unreported points went beyond this many tails more
/// than once lately (decayed as `PEAK_DECAY`): a 99th percentile of 256 points can sit just
/// below a tail that throws 1 % of its points far out. At 1.5 tails a Gaussian series does so
/// about once in 10,000 points, so it stays light; one missed spike does not make it heavy.
pub(super) const OVER_K: f64 = 1.5;
pub(super) const OVER_HEAVY: f64 = 1.5;
