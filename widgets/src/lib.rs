//! Lookout's widgets: Yew components mounted on placeholders the static pages already fill, polling for fresh data.

pub mod cards;
pub mod health;
pub mod heartbeat;
pub mod ingest;
pub mod ingest_logic;
pub mod net;
pub mod poll;
pub mod sparse;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::wasm_bindgen;

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
        if attr("data-lookout-widget").as_deref() == Some("health") {
            let props = health::HealthProps {
                source: attr("data-source")
                    .unwrap_or_else(|| "data/latest.json".to_owned())
                    .into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
                depends: std::rc::Rc::new(
                    attr("data-depends")
                        .and_then(|d| serde_json::from_str(&d).ok())
                        .unwrap_or_default(),
                ),
            };
            el.set_inner_html("");
            let _ = el.set_attribute("data-mounted", "health");
            yew::Renderer::<health::LiveHealth>::with_root_and_props(el, props).render();
        } else if attr("data-lookout-widget").as_deref() == Some("cards") {
            let props = cards::CardsProps {
                source: attr("data-source")
                    .unwrap_or_else(|| "data/latest.json".to_owned())
                    .into(),
                interval_ms: net::preferred_interval_ms(poll::interval_ms(
                    attr("data-interval").as_deref(),
                )),
                metrics: std::rc::Rc::new(
                    attr("data-metrics")
                        .unwrap_or_default()
                        .split(',')
                        .map(|m| m.trim().to_owned())
                        .filter(|m| !m.is_empty())
                        .collect(),
                ),
            };
            el.set_inner_html("");
            let _ = el.set_attribute("data-mounted", "cards");
            yew::Renderer::<cards::MetricCards>::with_root_and_props(el, props).render();
        } else if attr("data-lookout-widget").as_deref() == Some("heartbeat")
            && let Some(api) = attr("data-api")
        {
            let props = heartbeat::HeartbeatProps {
                api: api.into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
            };
            el.set_inner_html("");
            let _ = el.set_attribute("data-mounted", "heartbeat");
            yew::Renderer::<heartbeat::Heartbeat>::with_root_and_props(el, props).render();
        } else if attr("data-lookout-widget").as_deref() == Some("sparse")
            && let Some(api) = attr("data-api")
        {
            el.set_inner_html("");
            let _ = el.set_attribute("data-mounted", "sparse");
            let props = sparse::SparseProps { api: api.into() };
            yew::Renderer::<sparse::SparseGenerator>::with_root_and_props(el, props).render();
        } else if attr("data-lookout-widget").as_deref() == Some("ingest")
            && let Some(api) = attr("data-api")
        {
            let props = ingest::IngestProps {
                api: api.into(),
                interval_ms: poll::interval_ms(attr("data-interval").as_deref()),
            };
            el.set_inner_html("");
            let _ = el.set_attribute("data-mounted", "ingest");
            yew::Renderer::<ingest::IngestPanel>::with_root_and_props(el, props).render();
        }
    }
}
