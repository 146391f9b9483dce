//! Smart alert panel: the generator's rules evaluated on live data, new alerts sliding in, acknowledge and dismiss, a history drawer and local preferences.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use model::alert::{AlertSeverity, Condition, Rule};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::alerts_logic::{self as logic, Engine, Entry, Prefs};
use crate::net;

const PREFS_KEY: &str = "lookout.alert-prefs";
const HISTORY_KEY: &str = "lookout.alert-history";
const ACKED_KEY: &str = "lookout.alerts-acked";
const DISMISSED_KEY: &str = "lookout.alerts-dismissed";
/// Acknowledged and dismissed keys remembered (old episodes fall off).
const KEYS_KEEP: usize = 200;

#[derive(Properties, Clone, PartialEq)]
pub struct AlertsProps {
    /// The snapshot source, as for the other widgets.
    pub source: AttrValue,
    /// The generator's `data/rules.json`.
    pub rules: AttrValue,
    pub interval_ms: u32,
}

#[derive(Clone, PartialEq)]
enum Fetch {
    Loading,
    Ready,
    Stale(String),
}

/// What the poll loop and the handlers share; `version` tells Yew to draw it again.
#[derive(Default)]
struct Live {
    engine: Option<Engine>,
    rules: Vec<Rule>,
    history: Vec<Entry>,
    /// Episodes that fired since the previous poll: they slide in.
    fresh: Vec<String>,
    beeps: u32,
}

fn prefs() -> Prefs {
    Prefs::parse(&net::stored(PREFS_KEY).unwrap_or_default())
}

fn keys(key: &str) -> Vec<String> {
    net::stored(key)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn add_key(key: &str, value: &str) -> Vec<String> {
    let mut all = keys(key);
    all.retain(|k| k != value);
    all.push(value.to_owned());
    let skip = all.len().saturating_sub(KEYS_KEEP);
    let all: Vec<String> = all.into_iter().skip(skip).collect();
    net::store(key, &all.join("\n"));
    all
}

/// A short tone for a new alert, when the person asked for sound (browsers may hold it back until
/// the page has been clicked once).
fn beep() {
    let Ok(ctx) = web_sys::AudioContext::new() else {
        return;
    };
    let Ok(osc) = ctx.create_oscillator() else {
        return;
    };
    osc.frequency().set_value(880.0);
    let _ = osc.connect_with_audio_node(&ctx.destination());
    let _ = osc.start();
    let _ = osc.stop_with_when(ctx.current_time() + 0.15);
}

fn value_text(v: Option<f64>) -> String {
    v.map_or_else(
        || "no data".to_owned(),
        |v| ((v * 100.0).round() / 100.0).to_string(),
    )
}

/// One poll: the rules (first time), then the snapshot through the engine.
async fn poll(
    live: Rc<RefCell<Live>>,
    source: AttrValue,
    rules_url: AttrValue,
) -> Result<(), String> {
    if live.borrow().engine.is_none() {
        let p = crate::json::published(&net::get_text(&rules_url).await?.body)?;
        let mut l = live.borrow_mut();
        l.engine = Some(Engine::new(prefs().apply(&p.rules), p.states, p.muted));
        l.rules = p.rules;
    }
    let body = net::get_text(&source).await?.body;
    let Some(snapshot) = crate::json::latest(&body)? else {
        return Ok(());
    };
    let mut l = live.borrow_mut();
    let entries = l
        .engine
        .as_mut()
        .map(|e| e.observe(&snapshot))
        .unwrap_or_default();
    l.fresh = entries
        .iter()
        .filter(|e| e.fired)
        .map(|e| format!("{}|{}|{}", e.rule, e.metric, e.t_ms))
        .collect();
    if !entries.is_empty() {
        l.history.extend(entries);
        let skip = l.history.len().saturating_sub(logic::HISTORY_KEEP);
        l.history.drain(..skip);
        net::store(HISTORY_KEY, &logic::history_text(&l.history));
    }
    if !l.fresh.is_empty() && prefs().sound {
        beep();
        l.beeps += 1;
    }
    Ok(())
}

#[component]
pub fn AlertPanel(props: &AlertsProps) -> Html {
    let live = use_mut_ref(|| Live {
        history: logic::parse_history(&net::stored(HISTORY_KEY).unwrap_or_default()),
        ..Live::default()
    });
    let fetch = use_state(|| Fetch::Loading);
    let version = use_state(|| 0u32);
    let acked = use_state(|| keys(ACKED_KEY));
    let dismissed = use_state(|| keys(DISMISSED_KEY));
    let prefs_now = use_state(prefs);
    let drawer = use_state(|| false);
    let show_prefs = use_state(|| false);
    let severity = use_state(|| None::<AlertSeverity>);
    let query = use_state(String::new);
    {
        let (live, fetch, version) = (live.clone(), fetch.clone(), version.clone());
        use_effect_with(
            (props.source.clone(), props.rules.clone(), props.interval_ms),
            move |(source, rules, interval)| {
                let alive = Rc::new(Cell::new(true));
                let (source, rules, interval) = (source.clone(), rules.clone(), *interval);
                spawn_local(net::every(alive.clone(), interval, move || {
                    let (live, fetch, version) = (live.clone(), fetch.clone(), version.clone());
                    let (source, rules) = (source.clone(), rules.clone());
                    async move {
                        let got = poll(live, source, rules).await;
                        let ok = got.is_ok();
                        fetch.set(got.map_or_else(Fetch::Stale, |()| Fetch::Ready));
                        version.set(version.wrapping_add(1));
                        ok
                    }
                }));
                move || alive.set(false)
            },
        );
    }

    let set_prefs = {
        let (live, prefs_now) = (live.clone(), prefs_now.clone());
        Callback::from(move |p: Prefs| {
            net::store(PREFS_KEY, &p.text());
            let mut l = live.borrow_mut();
            let rules = p.apply(&l.rules);
            l.engine = l.engine.take().map(|e| e.with_rules(rules));
            prefs_now.set(p);
        })
    };
    let l = live.borrow();
    let firing = l.engine.as_ref().map(Engine::active).unwrap_or_default();
    let (muted, shown): (Vec<_>, Vec<_>) = firing.into_iter().partition(|a| a.muted);
    let (hidden, shown): (Vec<_>, Vec<_>) =
        shown.into_iter().partition(|a| dismissed.contains(&a.key));
    let toggle = |h: &UseStateHandle<bool>| {
        let h = h.clone();
        Callback::from(move |_| h.set(!*h))
    };

    html! {
        <div class="alerts-widget" data-beeps={l.beeps.to_string()}>
            <div class="live-bar">
                <span role="status">{ format!("{} firing, {} pending", shown.iter().filter(|a| !a.pending).count(), shown.iter().filter(|a| a.pending).count()) }</span>
                <button type="button" aria-expanded={drawer.to_string()} onclick={toggle(&drawer)}>{ format!("History ({})", l.history.len()) }</button>
                <button type="button" aria-expanded={show_prefs.to_string()} onclick={toggle(&show_prefs)}>{ "Preferences" }</button>
            </div>
            if let Fetch::Stale(e) = &*fetch {
                <p class="stale-banner" role="alert">{ format!("Live alerts are stale: {e}. Showing the last known alerts.") }</p>
            }
            if matches!(&*fetch, Fetch::Loading) {
                <p class="muted">{ "Loading live alerts…" }</p>
            } else if shown.is_empty() {
                <p class="all-clear"><span aria-hidden="true">{ "✓" }</span>{ " No alert is firing or pending." }</p>
            }
            <ul class="alert-list" aria-live="polite">
                { for shown.iter().map(|a| {
                    let is_acked = acked.contains(&a.key);
                    let ack = {
                        let (acked, key) = (acked.clone(), a.key.clone());
                        Callback::from(move |_| acked.set(add_key(ACKED_KEY, &key)))
                    };
                    let dismiss = {
                        let (dismissed, key) = (dismissed.clone(), a.key.clone());
                        Callback::from(move |_| dismissed.set(add_key(DISMISSED_KEY, &key)))
                    };
                    html! {
                        <li class={classes!("alert", if a.pending { "alert-pending".to_owned() } else { format!("alert-{}", a.severity.as_str()) }, l.fresh.contains(&a.key).then_some("alert-new"), is_acked.then_some("alert-acked"))} data-key={a.key.clone()}>
                            <span class="sev">{ a.severity.as_str() }</span>
                            <strong>{ format!("{}: {}", if a.pending { "Pending" } else { "Firing" }, a.rule) }</strong>
                            <span class="alert-detail"><code>{ &a.metric }</code>{ format!(" is {} · rule {} · since {}", value_text(a.value), a.describe, crate::net::human_time(a.since_ms)) }</span>
                            if is_acked { <span class="acked">{ "acknowledged" }</span> } else { <button type="button" class="ack" onclick={ack}>{ "Acknowledge" }</button> }
                            <button type="button" class="dismiss" onclick={dismiss}>{ "Dismiss" }</button>
                        </li>
                    }
                }) }
            </ul>
            if !muted.is_empty() {
                <p class="muted">{ format!("{} muted by a maintenance window: {}", muted.len(), muted.iter().map(|a| a.metric.as_str()).collect::<Vec<_>>().join(", ")) }</p>
            }
            if !hidden.is_empty() {
                <p class="muted">{ format!("{} dismissed (they come back if they fire again).", hidden.len()) }</p>
            }
            if *drawer { { history_drawer(&l.history, &severity, &query) } }
            if *show_prefs { { prefs_form(&l.rules, &prefs_now, &set_prefs) } }
        </div>
    }
}

fn history_drawer(
    history: &[Entry],
    severity: &UseStateHandle<Option<AlertSeverity>>,
    query: &UseStateHandle<String>,
) -> Html {
    let rows = logic::filter(history, **severity, query);
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&logic::csv(&rows)))
    );
    let on_sev = {
        let severity = severity.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                severity.set(AlertSeverity::parse(&s.value()));
            }
        })
    };
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(i.value());
            }
        })
    };
    html! {
        <aside class="alert-drawer" aria-label="Alert history">
            <h3>{ "Alert history (this browser)" }</h3>
            <div class="drawer-tools">
                <label>{ "Severity " }
                    <select onchange={on_sev} name="severity">
                        <option value="" selected={severity.is_none()}>{ "all" }</option>
                        { for ["critical", "warning", "info"].iter().map(|s| html! {
                            <option value={*s} selected={severity.map(AlertSeverity::as_str) == Some(*s)}>{ *s }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Search " }<input type="search" name="q" value={(**query).clone()} oninput={on_query} /></label>
                <a class="csv" download="lookout-alerts.csv" href={href}>{ "Export CSV" }</a>
            </div>
            if rows.is_empty() {
                <p class="muted">{ "Nothing fired or resolved here yet." }</p>
            } else {
                <table class="alert-history">
                    <thead><tr><th scope="col">{ "When (UTC)" }</th><th scope="col">{ "Event" }</th><th scope="col">{ "Severity" }</th><th scope="col">{ "Rule" }</th><th scope="col">{ "Metric" }</th><th scope="col">{ "Value" }</th></tr></thead>
                    <tbody>
                    { for rows.iter().map(|e| html! {
                        <tr data-severity={e.severity.as_str()}>
                            <td>{ crate::net::human_time(e.t_ms) }</td>
                            <td>{ if e.fired { "fired" } else { "resolved" } }</td>
                            <td>{ e.severity.as_str() }</td>
                            <td>{ &e.rule }</td>
                            <td><code>{ &e.metric }</code></td>
                            <td>{ value_text(e.value) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            }
        </aside>
    }
}

fn prefs_form(rules: &[Rule], now: &Prefs, set: &Callback<Prefs>) -> Html {
    let on_sound = {
        let (p, set) = (now.clone(), set.clone());
        Callback::from(move |_| {
            set.emit(Prefs {
                sound: !p.sound,
                ..p.clone()
            })
        })
    };
    html! {
        <form class="alert-prefs" aria-label="Alert preferences" novalidate=true onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <label><input type="checkbox" name="sound" checked={now.sound} onchange={on_sound} />{ " Sound when an alert fires" }</label>
            <table>
                <thead><tr><th scope="col">{ "Rule" }</th><th scope="col">{ "On" }</th><th scope="col">{ "Threshold" }</th></tr></thead>
                <tbody>
                { for rules.iter().map(|r| {
                    let on = {
                        let (p, set, name) = (now.clone(), set.clone(), r.name.clone());
                        Callback::from(move |_| {
                            let mut p = p.clone();
                            let on = p.is_on(&name);
                            p.set_on(&name, !on);
                            set.emit(p);
                        })
                    };
                    let threshold = match &r.condition {
                        Condition::Threshold { threshold, .. } => Some(*threshold),
                        Condition::Anomaly { .. } => None,
                    };
                    let on_threshold = {
                        let (p, set, name) = (now.clone(), set.clone(), r.name.clone());
                        Callback::from(move |e: Event| {
                            let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
                            let mut p = p.clone();
                            p.set_threshold(&name, crate::json::number(&i.value()));
                            set.emit(p);
                        })
                    };
                    html! {
                        <tr data-rule={r.name.clone()}>
                            <td>{ &r.name }<br /><span class="muted">{ r.describe() }</span></td>
                            <td><input type="checkbox" name="on" aria-label={format!("{} on", r.name)} checked={now.is_on(&r.name)} onchange={on} /></td>
                            <td>
                            if let Some(t) = threshold {
                                <input type="number" step="any" name="threshold" aria-label={format!("{} threshold", r.name)}
                                    placeholder={t.to_string()} value={now.threshold(&r.name).map(|v| v.to_string()).unwrap_or_default()} onchange={on_threshold} />
                            } else { { "anomaly rule" } }
                            </td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </form>
    }
}
