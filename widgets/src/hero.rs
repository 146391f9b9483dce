//! The live first screen: the overall status, its headline and reasons, when the snapshot was
//! taken and how many readings succeeded, and the headline figures, refreshed from the site's
//! `data/latest.json`; stale (the last known state, saying since when) once the snapshot is
//! older than the schedule allows or the site cannot be read.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use model::Status;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::json::Json;
use crate::{net, poll};

/// A headline figure: what the page showed, and the metric that updates it (none: it stays).
#[derive(Clone, PartialEq)]
pub struct Tile {
    pub label: String,
    pub metric: String,
    pub value: String,
    pub source: String,
}

#[derive(Properties, Clone, PartialEq)]
pub struct HeroProps {
    pub source: AttrValue,
    pub interval_ms: u32,
    /// A snapshot older than this is stale: the generator has stopped (or fallen behind).
    pub stale_after_ms: u32,
    pub tiles: Rc<Vec<Tile>>,
    /// `(status, "since 22:17 UTC")` as the page was built: said while the live status is
    /// still that one.
    pub since: Option<(Status, String)>,
    /// The static first screen the page was built with (our own markup, escaped by the
    /// generator): shown until a read succeeds, so the screen never goes blank.
    pub fallback: AttrValue,
}

/// `data-since`: `healthy|since 2026-12-01 22:17:25 UTC`.
pub fn since(attr: &str) -> Option<(Status, String)> {
    let (s, text) = attr.split_once('|')?;
    Some((Status::parse(s)?, text.to_owned())).filter(|(_, t)| !t.is_empty())
}

/// What the first screen says of one snapshot.
#[derive(Clone, PartialEq, Debug)]
pub struct Summary {
    pub overall: Status,
    pub taken_at_ms: i64,
    pub reasons: Vec<String>,
    pub ok: usize,
    pub total: usize,
    pub page: String,
    /// `(metric, value with its unit)`.
    pub figures: Vec<(String, String)>,
}

/// `data-tiles`: `[{label, metric, value, source}]`.
pub fn tiles(attr: &str) -> Vec<Tile> {
    Json::parse(attr)
        .items()
        .iter()
        .map(|t| Tile {
            label: t.get("label").text(),
            metric: t.get("metric").text(),
            value: t.get("value").text(),
            source: t.get("source").text(),
        })
        .collect()
}

/// `data/latest.json` read into what the first screen shows.
pub fn summary(body: &str) -> Result<Summary, String> {
    let s = crate::json::latest(body)?.ok_or("no snapshot has been taken yet")?;
    let whole = Json::parse(body);
    let raw = whole.get("snapshot");
    let outcomes = raw.get("outcomes").items();
    Ok(Summary {
        overall: s.overall,
        taken_at_ms: s.taken_at_ms,
        reasons: raw
            .get("reasons")
            .items()
            .iter()
            .filter_map(Json::str)
            .collect(),
        ok: outcomes
            .iter()
            .filter(|o| o.get("kind").str().as_deref() == Some("ok"))
            .count(),
        total: outcomes.len(),
        page: whole.get("page").text(),
        figures: s
            .metrics
            .iter()
            .map(|m| (m.name.clone(), model::metric::with_unit(m.value, m.unit)))
            .collect(),
    })
}

/// The headline the page gives each overall status.
pub fn headline(s: Status) -> &'static str {
    match s {
        Status::Healthy => "All systems operational",
        Status::Degraded => "Degraded performance",
        Status::Down => "Major outage",
        _ => "Status unknown",
    }
}

/// Why the screen is stale, if it is: the site unread, or its snapshot too old.
pub fn staleness(
    now_ms: f64,
    taken_at_ms: i64,
    stale_after_ms: u32,
    error: Option<&str>,
) -> Option<String> {
    if let Some(e) = error {
        return Some(format!("the site could not be read ({e})"));
    }
    let age = now_ms - taken_at_ms as f64;
    (age > f64::from(stale_after_ms)).then(|| {
        format!(
            "no snapshot for {}; the generator may have stopped",
            poll::ago(now_ms, Some(taken_at_ms as f64))
                .trim_start_matches("updated ")
                .trim_end_matches(" ago")
        )
    })
}

fn time_of(ms: i64) -> String {
    crate::net::human_time(ms)
}

#[component]
pub fn LiveHero(props: &HeroProps) -> Html {
    // The last summary read, and why the last poll failed (if it did).
    let state = use_state(|| None::<(Rc<Summary>, Option<String>)>);
    let now = use_state(net::now_ms);
    {
        let (state, now) = (state.clone(), now.clone());
        use_effect_with(
            (props.source.clone(), props.interval_ms),
            move |(source, interval)| {
                let alive = Rc::new(Cell::new(true));
                let (source, interval) = (source.clone(), *interval);
                let last = Rc::new(RefCell::new(None::<Rc<Summary>>));
                spawn_local(net::every(alive.clone(), interval, move || {
                    let (state, now, source, last) =
                        (state.clone(), now.clone(), source.clone(), last.clone());
                    async move {
                        now.set(net::now_ms());
                        let got = net::get_text(&source).await.and_then(|f| summary(&f.body));
                        let ok = got.is_ok();
                        let mut l = last.borrow_mut();
                        match got {
                            Ok(s) => {
                                let s = Rc::new(s);
                                *l = Some(s.clone());
                                state.set(Some((s, None)));
                            }
                            Err(e) => {
                                if let Some(s) = l.clone() {
                                    state.set(Some((s, Some(e))));
                                }
                            }
                        }
                        ok
                    }
                }));
                move || alive.set(false)
            },
        );
    }
    let Some((s, error)) = (*state).clone() else {
        return Html::from_html_unchecked(props.fallback.clone());
    };
    let stale = staleness(*now, s.taken_at_ms, props.stale_after_ms, error.as_deref());
    let class = format!(
        "hero hero-{}{}",
        s.overall.as_str(),
        if stale.is_some() { " hero-stale" } else { "" }
    );
    html! {
        <div class={class}>
            <h1 id="overall-h">
                <span class={classes!("status", format!("status-{}", s.overall.as_str()))}>
                    <span class="sym" aria-hidden="true">{ s.overall.symbol() }</span>{ " " }{ s.overall.label() }
                </span>
                { " " }<span class="hero-text">{ if stale.is_some() { format!("Stale: {}", headline(s.overall)) } else { headline(s.overall).to_owned() } }</span>
            </h1>
            if let Some(why) = &stale {
                <p class="stale-banner" role="alert">{ format!("Stale since {}: {why}. This is the last known state.", time_of(s.taken_at_ms)) }</p>
            }
            <p class="when" role="status">
                if let Some((status, text)) = props.since.as_ref().filter(|(st, _)| *st == s.overall) {
                    { format!("{} {text} · ", status.label()) }
                }
                { format!("Snapshot of {} · ", time_of(s.taken_at_ms)) }
                if !s.page.is_empty() { <a href={s.page.clone()}>{ "permanent page" }</a>{ " · " } }
                { format!("{} of {} readings succeeded", s.ok, s.total) }
            </p>
            if !s.reasons.is_empty() {
                <ul class="reasons">{ for s.reasons.iter().map(|r| html! { <li>{ r }</li> }) }</ul>
            }
            <ul class="tiles" aria-label="Key figures">
                { for props.tiles.iter().map(|t| {
                    let live = s.figures.iter().find(|(m, _)| !t.metric.is_empty() && *m == t.metric).map(|(_, v)| v.clone());
                    html! {
                        <li class="tile" data-metric={t.metric.clone()}>
                            <span class="tile-label">{ &t.label }</span>{ " " }
                            <span class="tile-value">{ live.unwrap_or_else(|| t.value.clone()) }</span>{ " " }
                            <span class="tile-source">{ &t.source }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_first_screen_reads_the_snapshot_and_knows_when_it_is_stale() {
        let body = r#"{"page":"snapshots/2026-11-18/120000.html","snapshot":{"taken_at_ms":1000,"duration_ms":1,"overall":"degraded",
            "reasons":["redis is down"],"components":[],"modules":[],
            "outcomes":[{"kind":"ok"},{"kind":"timeout"}],
            "metrics":[{"name":"probe.latency_p95","value":12.5,"unit":"milliseconds","better":"lower"}],"facts":[]}}"#;
        let s = summary(body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.overall, s.ok, s.total), (Status::Degraded, 1, 2));
        assert_eq!(s.reasons, ["redis is down"]);
        assert_eq!(
            s.figures,
            [("probe.latency_p95".to_owned(), "12.5 ms".to_owned())]
        );
        assert_eq!(headline(s.overall), "Degraded performance");
        assert_eq!(staleness(1000.0 + 60_000.0, 1000, 180_000, None), None);
        let old = staleness(1000.0 + 600_000.0, 1000, 180_000, None).unwrap_or_default();
        assert!(old.contains("no snapshot for 10 min"), "{old}");
        assert!(
            staleness(2000.0, 1000, 180_000, Some("HTTP 404"))
                .is_some_and(|w| w.contains("could not be read"))
        );
        let t = tiles(
            r#"[{"label":"Read latency p95","metric":"probe.latency_p95","value":"11 ms","source":"Lookout's reads"}]"#,
        );
        assert_eq!(t[0].metric, "probe.latency_p95");
        assert!(summary("<html>").is_err());
        assert_eq!(
            since("healthy|since 22:17"),
            Some((Status::Healthy, "since 22:17".to_owned()))
        );
        assert_eq!(since("healthy|"), None);
    }
}
