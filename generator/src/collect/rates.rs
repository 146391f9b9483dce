//! Cumulative values between two snapshots: per-second rates, histogram quantiles over the
//! interval, and the service's own request figures.
//!
//! A counter's total says nothing of now; its increase over the interval does. A histogram's
//! buckets since the process started would give its lifetime latency, so quantiles come from the
//! buckets' increase, as `histogram_quantile(rate(...))` does. A series new in this snapshot has
//! no rate yet: unknown, not 0.

use std::collections::HashMap;

use model::{Better, Metric, Snapshot, Unit};

/// The service's request counters (all requests, those that failed) and latency histogram, as
/// a source kind that measures them names them; the headline figures read what they give.
pub const REQUESTS: &str = "service.requests.total";
pub const ERRORS: &str = "service.requests.errors";
pub const LATENCY: &str = "service.requests.latency";
/// Requests per second, the percentage that failed, and the latency p95 (ms).
pub const RATE: &str = "service.requests.rate";
pub const ERROR_RATE: &str = "service.requests.error_rate";
pub const LATENCY_P95: &str = "service.requests.latency.p95";

/// The increase from `old` to `cur`; a counter that went down was reset, and counts from 0.
fn increase(old: f64, cur: f64) -> f64 {
    if cur >= old { cur - old } else { cur }
}

/// Adds to `now` the figures its counters give against `prev`'s.
pub fn derive(now: &mut Snapshot, prev: Option<&Snapshot>) {
    let Some(prev) = prev else { return };
    if now.counters.is_empty() {
        return;
    }
    let dt = (now.taken_at_ms - prev.taken_at_ms) as f64 / 1000.0;
    if dt <= 0.0 {
        return;
    }
    let old: HashMap<&str, f64> = prev
        .counters
        .iter()
        .map(|c| (c.name.as_str(), c.value))
        .collect();
    let mut out = Vec::new();
    let mut histograms: HashMap<&str, Vec<(f64, f64, f64)>> = HashMap::new();
    let mut sums: HashMap<&str, [Option<f64>; 2]> = HashMap::new();
    for c in &now.counters {
        let Some(&was) = old.get(c.name.as_str()) else {
            continue;
        };
        match c.name.split_once('|') {
            None => {
                // A further source's are namespaced (`source.<name>.service.requests.total`).
                if !c.name.ends_with(REQUESTS) && !c.name.ends_with(ERRORS) {
                    let rate = increase(was, c.value) / dt;
                    out.push(metric(format!("{}.per_s", c.name), rate, Unit::PerSecond));
                }
            }
            Some((base, "count")) => {
                sums.entry(base).or_default()[0] = Some(increase(was, c.value))
            }
            Some((base, "sum")) => sums.entry(base).or_default()[1] = Some(increase(was, c.value)),
            Some((base, le)) => {
                if let Some(bound) = le.strip_prefix("le=").and_then(bound) {
                    histograms
                        .entry(base)
                        .or_default()
                        .push((bound, was, c.value));
                }
            }
        }
    }
    for (base, [count, sum]) in &sums {
        let (scale, unit) = scale_of(base);
        if let Some(n) = count {
            out.push(metric(format!("{base}.per_s"), n / dt, Unit::PerSecond));
            if let Some(s) = sum.filter(|_| *n > 0.0) {
                out.push(metric(format!("{base}.avg"), s / n * scale, unit));
            }
        }
    }
    for (base, mut buckets) in histograms {
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        // One bucket gone down: the process restarted, and every bucket counts from 0.
        let reset = buckets.iter().any(|(_, was, cur)| cur < was);
        let cumulative: Vec<(f64, f64)> = buckets
            .iter()
            .map(|&(b, was, cur)| (b, if reset { cur } else { cur - was }))
            .collect();
        let (scale, unit) = scale_of(base);
        for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
            if let Some(v) = quantile(q, &cumulative) {
                out.push(metric(format!("{base}.{name}"), v * scale, unit));
            }
        }
    }
    requests(now, &old, dt, &mut out);
    now.metrics.extend(out);
}

/// The request rate and error rate from the service's request counters, of each source (the
/// first's bare, a further one's under its namespace).
fn requests(now: &Snapshot, old: &HashMap<&str, f64>, dt: f64, out: &mut Vec<Metric>) {
    let inc = |name: &str| {
        let cur = now.counters.iter().find(|c| c.name == name)?.value;
        Some(increase(*old.get(name)?, cur))
    };
    for c in now.counters.iter().filter(|c| c.name.ends_with(REQUESTS)) {
        let ns = &c.name[..c.name.len() - REQUESTS.len()];
        let Some(total) = inc(&c.name) else { continue };
        out.push(metric(format!("{ns}{RATE}"), total / dt, Unit::PerSecond));
        if let Some(errors) = inc(&format!("{ns}{ERRORS}")).filter(|_| total > 0.0) {
            let mut m = metric(
                format!("{ns}{ERROR_RATE}"),
                errors / total * 100.0,
                Unit::Percent,
            );
            m.better = Better::Lower;
            out.push(m);
        }
    }
}

fn metric(name: String, value: f64, unit: Unit) -> Metric {
    let better = match unit {
        Unit::Milliseconds | Unit::Seconds => Better::Lower,
        _ => Better::Neither,
    };
    Metric::new(name, value, unit, better)
}

/// Seconds are shown as milliseconds, the unit of every other latency on the site.
fn scale_of(base: &str) -> (f64, Unit) {
    if base.contains("seconds") || base.ends_with(LATENCY) {
        (1000.0, Unit::Milliseconds)
    } else {
        (1.0, Unit::None)
    }
}

fn bound(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        _ => s.parse().ok(),
    }
}

/// The `q` quantile of cumulative buckets `(upper bound, count)`, interpolated linearly inside
/// its bucket; past the last finite bound, that bound (as Prometheus answers). `None` with no
/// observations.
pub fn quantile(q: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    let total = buckets.last().filter(|b| b.0.is_infinite())?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let at = buckets.iter().position(|&(_, c)| c >= rank)?;
    let (upper, count) = buckets[at];
    if upper.is_infinite() {
        return buckets.iter().rev().find(|b| b.0.is_finite()).map(|b| b.0);
    }
    let (lower, below) = if at == 0 {
        (0.0_f64.min(upper), 0.0)
    } else {
        buckets[at - 1]
    };
    let inside = count - below;
    if inside <= 0.0 {
        return Some(upper);
    }
    Some(lower + (upper - lower) * (rank - below) / inside)
}

#[cfg(test)]
mod tests;
