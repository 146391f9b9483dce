//! Live metric cards: value, unit, trend arrow, sparkline and an anomaly badge from `model`'s detector, run in the browser on the series the card keeps.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use model::anomaly::Detector;
use model::{Metric, Snapshot};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::net;

/// Points kept per metric: enough for a sparkline and an hour of trend at common intervals.
const KEEP: usize = 120;

#[derive(Properties, Clone, PartialEq)]
pub struct CardsProps {
    pub source: AttrValue,
    pub interval_ms: u32,
    pub metrics: Rc<Vec<String>>,
}

/// One metric's history as seen by this page, with its own detector.
pub struct Track {
    pub unit: model::Unit,
    pub better: model::Better,
    pub points: Vec<(i64, f64)>,
    pub detector: Detector,
    pub anomalous: bool,
}

impl Track {
    fn new(m: &Metric) -> Track {
        Track {
            unit: m.unit,
            better: m.better,
            points: Vec::new(),
            detector: crate::alerts_logic::live_detector(),
            anomalous: false,
        }
    }

    /// Adds a snapshot's value once (a repeated snapshot time is ignored).
    pub fn push(&mut self, t: i64, v: f64) {
        if self.points.last().is_some_and(|p| p.0 >= t) {
            return;
        }
        self.anomalous = self.detector.update(t, v).is_anomaly();
        self.points.push((t, v));
        if self.points.len() > KEEP {
            self.points.remove(0);
        }
    }
}

/// SVG polyline points for a sparkline `w` x `h`.
pub fn spark_points(points: &[(i64, f64)], w: f64, h: f64) -> String {
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = points.len().max(2) as f64 - 1.0;
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{:.1},{:.1}",
                i as f64 / n * w,
                h - (p.1 - lo) / span * (h - 2.0) - 1.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Clone, PartialEq)]
enum Fetch {
    Loading,
    Ready,
    Stale(String),
}

#[component]
pub fn MetricCards(props: &CardsProps) -> Html {
    let tracks = use_mut_ref(BTreeMap::<String, Track>::new);
    let fetch = use_state(|| Fetch::Loading);
    // Bumped after every poll that added points, so the cards render again.
    let version = use_state(|| 0u32);
    {
        let (tracks, fetch, version) = (tracks.clone(), fetch.clone(), version.clone());
        use_effect_with(
            (
                props.source.clone(),
                props.interval_ms,
                props.metrics.clone(),
            ),
            move |(source, interval, metrics)| {
                let alive = Rc::new(Cell::new(true));
                let (source, interval, metrics) = (source.clone(), *interval, metrics.clone());
                spawn_local(net::every(alive.clone(), interval, move || {
                    let (tracks, fetch, version, source, metrics) = (
                        tracks.clone(),
                        fetch.clone(),
                        version.clone(),
                        source.clone(),
                        metrics.clone(),
                    );
                    async move {
                        let got = net::get_text(&source)
                            .await
                            .and_then(|f| crate::json::latest(&f.body));
                        match got {
                            Ok(Some(s)) => {
                                add(&tracks, &s, &metrics);
                                fetch.set(Fetch::Ready);
                                version.set(version.wrapping_add(1));
                                true
                            }
                            Ok(None) => {
                                fetch.set(Fetch::Ready);
                                true
                            }
                            Err(e) => {
                                fetch.set(Fetch::Stale(e));
                                false
                            }
                        }
                    }
                }));
                move || alive.set(false)
            },
        );
    }
    let tracks = tracks.borrow();
    html! {
        <div class="cards-widget">
            if let Fetch::Stale(e) = &*fetch {
                <p class="stale-banner" role="alert">{ format!("Live metrics are stale: {e}. Showing the last values.") }</p>
            }
            <ul class="metric-cards">
            { for props.metrics.iter().filter_map(|name| tracks.get(name).map(|t| (name, t))).map(|(name, t)| card(name, t)) }
            </ul>
            if matches!(&*fetch, Fetch::Loading) { <p class="muted">{ "Loading live metrics…" }</p> }
        </div>
    }
}

fn add(tracks: &Rc<RefCell<BTreeMap<String, Track>>>, s: &Snapshot, names: &[String]) {
    let mut map = tracks.borrow_mut();
    for name in names {
        if let Some(m) = s.metric(name) {
            map.entry(name.clone())
                .or_insert_with(|| Track::new(m))
                .push(s.taken_at_ms, m.value);
        }
    }
}

fn card(name: &str, t: &Track) -> Html {
    let Some(&(now_t, v)) = t.points.last() else {
        return html! {};
    };
    let trend = model::trend::trend(&t.points, now_t, model::trend::Window::H1, t.better);
    let (arrow, words) = match &trend {
        Some(tr) if tr.points >= 3 => (
            tr.direction.arrow(),
            format!("{:?}, {:?}", tr.direction, tr.verdict).to_ascii_lowercase(),
        ),
        _ => ("", "not enough points yet".to_owned()),
    };
    let value = model::metric::format_value(v, t.unit);
    html! {
        <li class="metric-card" data-metric={name.to_owned()}>
            <span class="card-name">{ name }</span>
            <span class="card-value">{ value }<span class="unit">{ t.unit.symbol() }</span></span>
            <span class="trend" title={words.clone()}>{ arrow }<span class="sr">{ format!(" {words}") }</span></span>
            if t.anomalous { <span class="anomaly"><span aria-hidden="true">{ "◆" }</span>{ " anomaly" }</span> }
            <svg class="spark" viewBox="0 0 160 32" role="img" aria-label={format!("{} points kept on this page", t.points.len())}>
                <polyline fill="none" stroke="#2f7fd8" stroke-width="2" points={spark_points(&t.points, 160.0, 32.0)} />
            </svg>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn tracks_ignore_repeats_keep_a_window_and_flag_a_spike() {
        let m = Metric::new("x", 1.0, model::Unit::Milliseconds, model::Better::Lower);
        let mut t = Track::new(&m);
        for i in 0..200 {
            t.push(i * 10_000, 10.0 + (i % 3) as f64 * 0.1);
            t.push(i * 10_000, 99.0);
        }
        assert_eq!(t.points.len(), KEEP);
        assert!(!t.anomalous);
        t.push(200 * 10_000, 500.0);
        assert!(t.anomalous, "the detector from model flags the spike");
        let pts = spark_points(&[(0, 1.0), (1, 3.0)], 160.0, 32.0);
        assert_eq!(pts, "0.0,31.0 160.0,1.0");
    }
}
