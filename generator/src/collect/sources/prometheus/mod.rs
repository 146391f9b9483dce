//! Prometheus / OpenMetrics text (`kind = "prometheus"`): gauges as metrics, counters and
//! histograms kept cumulative for rates and quantiles over the interval (`collect::rates`),
//! summaries' quantiles as reported, a family of 0/1 samples as parts, and the request counter
//! and latency histogram as the service's own request figures.

pub mod parse;

use std::collections::BTreeMap;

use model::{Better, Unit};

use super::{Capabilities, KindOptions, Source, Undecodable};
use crate::collect::Target;
use crate::collect::extract::{Sink, Verdict, clip, seg};
use crate::collect::rates;
use crate::config::{BackendKind, Config, PromOptions};
use parse::{Family, Kind, Sample};

#[derive(Debug)]
pub struct Prometheus;

const KIND: &str = "prometheus";

impl Source for Prometheus {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn targets(&self, config: &Config) -> Vec<Target> {
        let b = &config.backend;
        if b.kind != BackendKind::Prometheus {
            return Vec::new();
        }
        let path = b.prom.metrics_path.clone();
        let Ok(url) = b.base_url.join(&path) else {
            return Vec::new();
        };
        let mut t = Target::new(KIND, "metrics".into(), format!("/{path}"), url);
        // An exporter needs no token unless one is configured and set.
        t.options = KindOptions::Prometheus(std::sync::Arc::new(b.prom.clone()));
        vec![t]
    }

    fn decode(
        &self,
        target: &Target,
        body: &[u8],
        sink: &mut Sink,
    ) -> Result<Verdict, Undecodable> {
        let text = std::str::from_utf8(body)
            .map_err(|e| Undecodable::Syntax(format!("not UTF-8 text: {e}")))?;
        let families = parse::parse(text).map_err(|e| Undecodable::Syntax(e.to_string()))?;
        let default = PromOptions::default();
        let opts = match &target.options {
            KindOptions::Prometheus(o) => o.as_ref(),
            _ => &default,
        };
        read(&families, opts, sink);
        Ok(Verdict::Ok)
    }

    /// The request figures when the exposition has the configured request families; nothing of
    /// availability (an exporter answering says nothing of the service's health).
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            availability: false,
            request_error_rate: true,
            request_rate: true,
            request_latency: true,
        }
    }
}

/// A series' name: its sample name, then each label (but `le` and `quantile`) as `.key_value`.
fn series(sample: &Sample) -> String {
    let mut labels: Vec<&(String, String)> = sample
        .labels
        .iter()
        .filter(|(k, _)| k != "le" && k != "quantile")
        .collect();
    labels.sort();
    let mut name = sample.name.clone();
    for (k, v) in labels {
        name.push('.');
        name.push_str(&seg(k));
        name.push('_');
        name.push_str(&clip(&seg(v), 60));
    }
    name
}

/// A unit from the family's name (the convention: a base unit as the last word).
fn unit_of(family: &str) -> Unit {
    let f = family.trim_end_matches("_total");
    if f.ends_with("_seconds") {
        Unit::Seconds
    } else if f.ends_with("_bytes") {
        Unit::Bytes
    } else if f.ends_with("_ratio") {
        Unit::Ratio
    } else if f.ends_with("_percent") {
        Unit::Percent
    } else {
        Unit::None
    }
}

fn kept(f: &Family, opts: &PromOptions) -> bool {
    opts.include.is_empty() || opts.include.iter().any(|g| model::alert::glob(g, &f.name))
}

/// Every kept family into the sink, at most `max_series` series.
fn read(families: &[Family], opts: &PromOptions, sink: &mut Sink) {
    let mut left_out = 0usize;
    let mut room = opts.max_series;
    for f in families {
        service(f, opts, sink);
        if !kept(f, opts) {
            continue;
        }
        let (written, left) = family(f, opts, sink, room);
        left_out += left;
        room = room.saturating_sub(written);
    }
    if left_out > 0 {
        sink.fact(
            "series_left_out",
            format!(
                "{left_out} series over max_series = {} were not read",
                opts.max_series
            ),
        );
    }
}

/// One family's series, up to `room`; returns (written, left out).
fn family(f: &Family, opts: &PromOptions, sink: &mut Sink, room: usize) -> (usize, usize) {
    let mut written = 0;
    let mut left = 0;
    let mut put = |sink: &mut Sink, what: &dyn Fn(&mut Sink)| {
        if written < room {
            what(sink);
            written += 1;
        } else {
            left += 1;
        }
    };
    let unit = unit_of(&f.name);
    for s in &f.samples {
        let name = series(s);
        match f.kind {
            Kind::Counter if s.name.ends_with("_created") => {}
            Kind::Counter => put(sink, &|k| k.counter(name.clone(), s.value)),
            Kind::Histogram | Kind::Summary => {
                let base = series(&Sample {
                    name: f.name.clone(),
                    ..s.clone()
                });
                let suffix = &s.name[f.name.len()..];
                match (suffix, s.label("le"), s.label("quantile")) {
                    ("_bucket", Some(le), _) => {
                        put(sink, &|k| k.counter(format!("{base}|le={le}"), s.value));
                    }
                    ("_count", ..) => put(sink, &|k| k.counter(format!("{base}|count"), s.value)),
                    ("_sum", ..) => put(sink, &|k| k.counter(format!("{base}|sum"), s.value)),
                    ("", _, Some(q)) => put(sink, &|k| {
                        k.metric(
                            format!("{base}.{}", quantile_name(q)),
                            s.value,
                            unit,
                            Better::Lower,
                        );
                    }),
                    _ => {}
                }
            }
            Kind::Info => {
                for (k, v) in &s.labels {
                    put(sink, &|sk| {
                        sk.fact(format!("{}.{}", f.name, seg(k)), clip(v, 200))
                    });
                }
            }
            _ => put(sink, &|k| {
                k.metric(name.clone(), s.value, unit, Better::Neither)
            }),
        }
        if let Some((pf, label)) = &opts.parts
            && *pf == f.name
            && let Some(v) = s.label(label)
        {
            let word = if s.value >= 1.0 { "healthy" } else { "down" };
            sink.components.push(Sink::part(
                word,
                &clip(v, 80),
                &format!("{} = {}", f.name, s.value),
            ));
        }
    }
    (written, left)
}

/// `0.5` -> `p50`, `0.999` -> `p99.9`.
fn quantile_name(q: &str) -> String {
    match q.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => {
            let pct = (v * 1000.0).round() / 10.0;
            format!("p{pct}")
        }
        _ => format!("q{}", seg(q)),
    }
}

/// The request counter family (every series, and those whose status label is 5xx) and the
/// latency histogram (buckets summed over series) as the service's request figures.
fn service(f: &Family, opts: &PromOptions, sink: &mut Sink) {
    let total_name = format!("{}_total", opts.requests);
    if f.kind == Kind::Counter && (f.name == opts.requests || f.name == total_name) {
        let (mut all, mut errors) = (0.0, 0.0);
        for s in f
            .samples
            .iter()
            .filter(|s| s.name == total_name || s.name == f.name)
        {
            if !s.value.is_finite() {
                continue;
            }
            all += s.value;
            if s.label(&opts.status_label)
                .is_some_and(|c| c.starts_with('5'))
            {
                errors += s.value;
            }
        }
        sink.counter(rates::REQUESTS, all);
        sink.counter(rates::ERRORS, errors);
    }
    if f.kind == Kind::Histogram && f.name == opts.latency {
        let mut by_le: BTreeMap<String, f64> = BTreeMap::new();
        for s in &f.samples {
            if let Some(le) = s.label("le")
                && s.name.ends_with("_bucket")
            {
                *by_le.entry(le.to_owned()).or_default() += s.value;
            }
        }
        for (le, v) in by_le {
            sink.counter(format!("{}|le={le}", rates::LATENCY), v);
        }
    }
}

#[cfg(test)]
mod tests;
