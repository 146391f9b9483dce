//! Lookout's widgets: Yew components mounted on placeholders the static pages already fill, polling for fresh data.

pub mod alerts;
pub mod alerts_logic;
pub mod cards;
pub mod check;
pub mod health;
pub mod heartbeat;
pub mod hero;
pub mod ingest;
pub mod ingest_logic;
pub mod json;
pub mod net;
pub mod operate;
pub mod operate_logic;
pub mod poll;
pub mod sparse;

// In the browser, the unit tests run in headless Chromium (tests/run.sh); natively, as usual.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::wasm_bindgen;

/// Replaces a placeholder's static content with widget `C`, marking it `data-mounted`.
fn mount<C>(el: web_sys::Element, name: &str, props: C::Properties)
where
    C: yew::BaseComponent,
{
    el.set_inner_html("");
    let _ = el.set_attribute("data-mounted", name);
    yew::Renderer::<C>::with_root_and_props(el, props).render();
}

/// Mounts every widget the page asks for (`data-lookout-widget`); a placeholder keeps its static
/// content until its widget has what it needs, so a page reads fine without the bundle.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(nodes) = doc.query_selector_all("[data-lookout-widget]") else {
        return;
    };
    for i in 0..nodes.length() {
        let Some(el) = nodes
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let attr = |name: &str| el.get_attribute(name);
        let kind = attr("data-lookout-widget");
        if kind.as_deref() == Some("health") {
            let props = health::HealthProps {
                source: attr("data-source")
                    .unwrap_or_else(|| "data/latest.json".to_owned())
                    .into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
                depends: std::rc::Rc::new(json::depends(&attr("data-depends").unwrap_or_default())),
                pharos: (attr("data-format").as_deref() == Some("pharos"))
                    .then(|| attr("data-api"))
                    .flatten()
                    .map(|api| health::Pharos {
                        api: api.into(),
                        // `Name=/path/of/its/check,Name=` (empty: no check of its own).
                        modules: std::rc::Rc::new(
                            attr("data-modules")
                                .unwrap_or_default()
                                .split(',')
                                .filter(|m| !m.is_empty())
                                .map(|m| {
                                    let (n, p) = m.split_once('=').unwrap_or((m, ""));
                                    (n.to_owned(), p.to_owned())
                                })
                                .collect(),
                        ),
                    }),
            };
            mount::<health::LiveHealth>(el, "health", props);
        } else if kind.as_deref() == Some("hero") {
            let props = hero::HeroProps {
                source: attr("data-source")
                    .unwrap_or_else(|| "data/latest.json".to_owned())
                    .into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
                stale_after_ms: attr("data-stale-after")
                    .and_then(|s| s.parse::<u32>().ok())
                    .map_or(600_000, |s| s.saturating_mul(1000)),
                tiles: std::rc::Rc::new(hero::tiles(&attr("data-tiles").unwrap_or_default())),
                since: hero::since(&attr("data-since").unwrap_or_default()),
                // The page's own first screen, shown until the first read (or if none succeeds).
                fallback: el.inner_html().into(),
            };
            mount::<hero::LiveHero>(el, "hero", props);
        } else if kind.as_deref() == Some("cards") {
            let props = cards::CardsProps {
                source: attr("data-source")
                    .unwrap_or_else(|| "data/latest.json".to_owned())
                    .into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
                metrics: std::rc::Rc::new(
                    attr("data-metrics")
                        .unwrap_or_default()
                        .split(',')
                        .map(|m| m.trim().to_owned())
                        .filter(|m| !m.is_empty())
                        .collect(),
                ),
            };
            mount::<cards::MetricCards>(el, "cards", props);
        } else if kind.as_deref() == Some("alerts")
            && let Some(rules) = attr("data-rules")
        {
            let props = alerts::AlertsProps {
                source: attr("data-source")
                    .unwrap_or_else(|| "data/latest.json".to_owned())
                    .into(),
                rules: rules.into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
            };
            mount::<alerts::AlertPanel>(el, "alerts", props);
        } else if kind.as_deref() == Some("heartbeat")
            && let Some(api) = attr("data-api")
        {
            let props = heartbeat::HeartbeatProps {
                api: api.into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
            };
            mount::<heartbeat::Heartbeat>(el, "heartbeat", props);
        } else if kind.as_deref() == Some("check") {
            let props = check::CheckProps {
                checks: std::rc::Rc::new(check::parse_checks(
                    &attr("data-checks").unwrap_or_default(),
                )),
            };
            mount::<check::CheckNow>(el, "check", props);
        } else if cfg!(feature = "operator")
            && kind.as_deref() == Some("operate")
            && let Some(spec) = attr("data-spec").and_then(|s| operate_logic::spec(&s))
        {
            let props = operate::OperateProps {
                spec: std::rc::Rc::new(spec),
            };
            mount::<operate::Operate>(el, "operate", props);
        } else if kind.as_deref() == Some("sparse")
            && let Some(api) = attr("data-api")
        {
            let props = sparse::SparseProps { api: api.into() };
            mount::<sparse::SparseGenerator>(el, "sparse", props);
        } else if kind.as_deref() == Some("ingest")
            && let Some(api) = attr("data-api")
        {
            let props = ingest::IngestProps {
                api: api.into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
                exposed: ingest_logic::exposed(attr("data-history").as_deref()),
            };
            mount::<ingest::IngestPanel>(el, "ingest", props);
        }
    }
}
