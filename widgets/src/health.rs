//! Live health: overall status, components and modules updated in place, with refresh controls and a stale banner.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use model::{PartHealth, Status};
use yew::platform::{spawn_local, time::sleep};
use yew::prelude::*;

use crate::{net, poll};

#[derive(Properties, Clone, PartialEq)]
pub struct HealthProps {
    /// Where the snapshot comes from: the site's own `data/latest.json` by default.
    pub source: AttrValue,
    pub interval_ms: u32,
    /// Part -> parts it needs, as the site's config says; statuses shown after propagation.
    pub depends: Rc<BTreeMap<String, Vec<String>>>,
    /// Set when `source` is Pharos' own `/health` rather than the site's snapshot.
    pub pharos: Option<Pharos>,
}

/// Reading the backend directly: its base URL, and the modules to ask one by one when its
/// `/health` does not list them (it sends `modules: null`).
#[derive(Clone, PartialEq)]
pub struct Pharos {
    pub api: AttrValue,
    /// Each module and the path of its check on the backend; empty where it has none.
    pub modules: Rc<Vec<(String, String)>>,
}

/// One part as shown: name, status after its dependencies, and why.
#[derive(Clone, PartialEq)]
pub struct Chip {
    pub name: String,
    pub status: Status,
    pub because: String,
}

/// The view of a snapshot: overall status, when, and every part's chip.
#[derive(Clone, PartialEq)]
pub struct View {
    pub overall: Status,
    pub taken_at_ms: i64,
    pub chips: Vec<Chip>,
}

/// Reads `data/latest.json`'s shape into what the widget shows; an error says what was wrong.
pub fn view_of(body: &str, depends: &BTreeMap<String, Vec<String>>) -> Result<View, String> {
    let s = crate::json::latest(body)?.ok_or("no snapshot has been taken yet")?;
    let parts: Vec<PartHealth> = s.components.into_iter().chain(s.modules).collect();
    Ok(view_from(s.overall, s.taken_at_ms, &parts, depends))
}

/// Asks the backend itself: `/health`, then each module when it does not list them. A module
/// that does not answer shows as unknown; only `/health` failing makes the widget stale.
async fn pharos_view(
    source: &str,
    p: &Pharos,
    depends: &BTreeMap<String, Vec<String>>,
) -> Result<View, String> {
    let (overall, mut parts, modules) =
        crate::json::pharos_health(&net::get_text(source).await?.body)?;
    match modules {
        Some(m) => parts.extend(m),
        None => {
            for (name, path) in p.modules.iter() {
                if path.is_empty() {
                    // No check of its own: nothing to ask, nothing known.
                    parts.push(PartHealth {
                        name: name.clone(),
                        status: Status::Unknown,
                        word: "no health check registered".into(),
                        message: String::new(),
                    });
                    continue;
                }
                let url = format!("{}{path}", p.api.trim_end_matches('/'));
                let body = net::get_text(&url)
                    .await
                    .map(|f| f.body)
                    .unwrap_or_default();
                parts.push(crate::json::pharos_module(name, &body));
            }
        }
    }
    Ok(view_from(overall, net::now_ms() as i64, &parts, depends))
}

fn view_from(
    overall: Status,
    taken_at_ms: i64,
    parts: &[PartHealth],
    depends: &BTreeMap<String, Vec<String>>,
) -> View {
    let parts: Vec<&PartHealth> = parts.iter().collect();
    let propagated = model::rollup::propagate(&parts, depends);
    View {
        overall,
        taken_at_ms,
        chips: parts
            .iter()
            .zip(propagated)
            // A part keeps the status its source reports; a broken need marks it, as on the pages.
            .map(|(p, r)| Chip {
                name: p.name.clone(),
                status: p.status,
                because: if r.because.is_empty() {
                    String::new()
                } else {
                    format!("affected: {}", r.because.join(", "))
                },
            })
            .collect(),
    }
}

/// What the widget knows: nothing yet, fresh data, or the last good data and why a poll failed.
#[derive(Clone, PartialEq)]
pub enum Fetch {
    Loading,
    Ready {
        view: Rc<View>,
        at_ms: f64,
    },
    Stale {
        last: Option<(Rc<View>, f64)>,
        error: String,
    },
}

use crate::net::{AUTO_KEY, INTERVAL_KEY};

fn badge(s: Status) -> Html {
    html! {
        <span class={classes!("status", format!("status-{}", s.as_str()))}>
            <span class="sym" aria-hidden="true">{ s.symbol() }</span>{ " " }{ s.label() }
        </span>
    }
}

#[component]
pub fn LiveHealth(props: &HealthProps) -> Html {
    let fetch = use_state(|| Fetch::Loading);
    let auto = use_state(|| net::stored(AUTO_KEY).as_deref() != Some("off"));
    let interval_ms = use_state(|| {
        net::stored(INTERVAL_KEY).map_or(props.interval_ms, |s| poll::interval_ms(Some(&s)))
    });
    // Bumped by "Refresh now" and by the tab becoming visible: restarts the poll loop at once.
    let nonce = use_state(|| 0u32);
    let now = use_state(net::now_ms);

    {
        let fetch = fetch.clone();
        let (depends, pharos) = (props.depends.clone(), props.pharos.clone());
        use_effect_with(
            (props.source.clone(), *interval_ms, *auto, *nonce),
            move |(source, interval, _, _)| {
                let alive = Rc::new(Cell::new(true));
                let (source, interval) = (source.clone(), *interval);
                // The loop's own memory: the validator and the last good view (a captured state
                // handle would only ever read the value it had when the loop started).
                let memory = Rc::new(RefCell::new((None::<String>, None::<(Rc<View>, f64)>)));
                spawn_local(net::every(alive.clone(), interval, move || {
                    let (fetch, source, depends, pharos, memory) = (
                        fetch.clone(),
                        source.clone(),
                        depends.clone(),
                        pharos.clone(),
                        memory.clone(),
                    );
                    async move {
                        let got = match &pharos {
                            Some(p) => pharos_view(&source, p, &depends).await.map(Some),
                            None => match net::get_text(&source).await {
                                // 304 behind the scenes: same data, just checked.
                                Ok(f) if f.etag.is_some() && f.etag == memory.borrow().0 => {
                                    Ok(None)
                                }
                                Ok(f) => view_of(&f.body, &depends).map(|v| {
                                    memory.borrow_mut().0 = f.etag;
                                    Some(v)
                                }),
                                Err(e) => Err(e),
                            },
                        };
                        let mut m = memory.borrow_mut();
                        match got {
                            Ok(fresh) => {
                                let view = fresh
                                    .map(Rc::new)
                                    .or_else(|| m.1.as_ref().map(|l| l.0.clone()));
                                if let Some(view) = view {
                                    let at_ms = net::now_ms();
                                    m.1 = Some((view.clone(), at_ms));
                                    fetch.set(Fetch::Ready { view, at_ms });
                                }
                                true
                            }
                            Err(error) => {
                                fetch.set(Fetch::Stale {
                                    last: m.1.clone(),
                                    error,
                                });
                                false
                            }
                        }
                    }
                }));
                move || alive.set(false)
            },
        );
    }
    {
        // The "N s ago" clock, and polling again at once when the tab comes back.
        let now = now.clone();
        let nonce = nonce.clone();
        use_effect_with((), move |_| {
            let alive = Rc::new(Cell::new(true));
            let alive2 = alive.clone();
            spawn_local(async move {
                let mut was_hidden = net::hidden();
                while alive2.get() {
                    sleep(Duration::from_secs(1)).await;
                    now.set(net::now_ms());
                    let hidden = net::hidden();
                    if was_hidden && !hidden {
                        nonce.set(nonce.wrapping_add(1));
                    }
                    was_hidden = hidden;
                }
            });
            move || alive.set(false)
        });
    }

    let on_auto = {
        let auto = auto.clone();
        Callback::from(move |_| {
            let next = !*auto;
            net::store(AUTO_KEY, if next { "on" } else { "off" });
            auto.set(next);
        })
    };
    let on_refresh = {
        let nonce = nonce.clone();
        Callback::from(move |_| nonce.set(nonce.wrapping_add(1)))
    };
    let on_interval = {
        let interval_ms = interval_ms.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value());
            if let Some(v) = value {
                net::store(INTERVAL_KEY, &v);
                interval_ms.set(poll::interval_ms(Some(&v)));
            }
        })
    };

    let (shown, at, error) = match &*fetch {
        Fetch::Loading => (None, None, None),
        Fetch::Ready { view, at_ms } => (Some(view.clone()), Some(*at_ms), None),
        Fetch::Stale { last, error } => (
            last.as_ref().map(|l| l.0.clone()),
            last.as_ref().map(|l| l.1),
            Some(error.clone()),
        ),
    };
    let seconds = *interval_ms / 1000;
    html! {
        <div class="live-widget">
            <div class="live-bar">
                if let Some(v) = &shown { { badge(v.overall) } }
                <span class="live-ago" role="status">{ poll::ago(*now, at) }</span>
                <label><input type="checkbox" checked={*auto} onchange={on_auto} />{ " Auto-refresh" }</label>
                <label>{ "every " }
                    <select onchange={on_interval} aria-label="Refresh interval">
                        { for [10u32, 30, 60, 300].iter().map(|s| html! {
                            <option value={s.to_string()} selected={*s == seconds}>{ format!("{s} s") }</option>
                        }) }
                    </select>
                </label>
                <button type="button" onclick={on_refresh}>{ "Refresh now" }</button>
            </div>
            if let Some(e) = error {
                <p class="stale-banner" role="alert">
                    { format!("Live data is stale: {e}. Showing the last values; retrying with backoff.") }
                </p>
            }
            if let Some(v) = shown {
                <ul class="chips">
                    { for v.chips.iter().map(|c| html! {
                        <li class={classes!("chip", format!("chip-{}", c.status.as_str()))} data-part={c.name.clone()} title={c.because.clone()}>
                            <span class="chip-name">{ &c.name }</span>{ " " }{ badge(c.status) }
                        </li>
                    }) }
                </ul>
            } else if matches!(&*fetch, Fetch::Loading) {
                <p class="muted">{ "Loading live status…" }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn view_marks_affected_parts_and_refuses_other_shapes() {
        let body = r#"{"snapshot":{"taken_at_ms":5,"duration_ms":1,"overall":"degraded","reasons":[],
            "components":[{"name":"redis","status":"down","word":"","message":""}],
            "modules":[{"name":"Auth","status":"healthy","word":"","message":""}],
            "outcomes":[],"metrics":[],"facts":[]}}"#;
        let mut deps = BTreeMap::new();
        deps.insert("auth".to_owned(), vec!["redis".to_owned()]);
        let v = view_of(body, &deps).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.overall, Status::Degraded);
        let auth = v
            .chips
            .iter()
            .find(|c| c.name == "Auth")
            .map(|c| (c.status, c.because.as_str()));
        assert_eq!(auth, Some((Status::Healthy, "affected: redis is down")));
        assert!(view_of("{\"snapshot\":null}", &deps).is_err_and(|e| e.contains("no snapshot")));
        assert!(view_of("<html>", &deps).is_err_and(|e| e.contains("something else")));
    }
}
