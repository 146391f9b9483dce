//! The operator widget (operator bundle only): a table's live list read with the tab's token,
//! with its row actions (behind a confirmation), its switches and its order, and what the
//! backend answered to each change, 403, 409 and 422 in words.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::net;
use crate::operate_logic::{self as logic, Row, Spec};

#[derive(Properties, Clone, PartialEq)]
pub struct OperateProps {
    pub spec: Rc<Spec>,
}

/// The live list as last read.
#[derive(Clone, PartialEq, Default)]
struct Live {
    rows: Vec<Row>,
    version: Option<String>,
    /// The order was changed here and not saved yet.
    moved: bool,
}

/// Reads the live list into `live`; `said` gets why not.
fn load(
    spec: Rc<Spec>,
    token: String,
    live: UseStateHandle<Option<Live>>,
    said: UseStateHandle<Option<(bool, String)>>,
) {
    spawn_local(async move {
        match net::get_text_with(&spec.url, Some(&token)).await {
            Ok(f) => match logic::rows(&spec, &f.body) {
                Ok((rows, version)) => live.set(Some(Live {
                    rows,
                    version,
                    moved: false,
                })),
                Err(e) => said.set(Some((
                    false,
                    format!("The live list could not be read: {e}."),
                ))),
            },
            Err(e) => said.set(Some((
                false,
                format!("The live list could not be read: {e}."),
            ))),
        }
    });
}

#[component]
pub fn Operate(props: &OperateProps) -> Html {
    let token = use_state(net::tab_token);
    let live = use_state(|| None::<Live>);
    let said = use_state(|| None::<(bool, String)>);
    // `(row, action)` waiting for its confirmation.
    let confirming = use_state(|| None::<(usize, usize)>);
    {
        let (spec, token, live, said) = (
            props.spec.clone(),
            (*token).clone(),
            live.clone(),
            said.clone(),
        );
        use_effect_with((), move |_| {
            if !token.is_empty() {
                load(spec, token, live, said);
            }
        });
    }
    let on_token = net::on_token_input(token.clone());
    // Sends one change; on success or a conflict the list is read again.
    let send = {
        let (spec, token, live, said) = (
            props.spec.clone(),
            token.clone(),
            live.clone(),
            said.clone(),
        );
        Rc::new(
            move |what: String, method: String, url: String, body: Option<String>| {
                let (spec, token, live, said) =
                    (spec.clone(), (*token).clone(), live.clone(), said.clone());
                said.set(Some((true, format!("{what}: sending…"))));
                spawn_local(async move {
                    let (status, answer) = net::send(&method, &url, &token, body.as_deref()).await;
                    let (ok, text) = logic::describe(&what, status, &answer, !token.is_empty());
                    said.set(Some((ok, text)));
                    if ok || status == 409 {
                        load(spec, token, live, said);
                    }
                });
            },
        )
    };
    let reload = {
        let (spec, token, live, said) = (
            props.spec.clone(),
            token.clone(),
            live.clone(),
            said.clone(),
        );
        Callback::from(move |_| {
            said.set(None);
            load(spec.clone(), (*token).clone(), live.clone(), said.clone());
        })
    };
    let spec = &props.spec;
    let head = html! {
        <tr>
            { for std::iter::once(spec.key.join(" ")).chain(spec.columns.iter().cloned()).map(|c| html! { <th scope="col">{ c }</th> }) }
            if spec.toggle.is_some() { <th scope="col">{ "Switch" }</th> }
            if spec.reorder.is_some() { <th scope="col">{ "Order" }</th> }
            if !spec.actions.is_empty() { <th scope="col">{ "Actions" }</th> }
        </tr>
    };
    let body = live.as_ref().map(|l| {
        let rows = l.rows.iter().enumerate().map(|(i, r)| {
            let name = r.cells.first().cloned().unwrap_or_default();
            let switch = r.toggle.clone().map(|(url, on)| {
                let (send, who) = (send.clone(), name.clone());
                let field = spec.toggle.as_ref().map(|t| (t.0.clone(), t.1.clone())).unwrap_or_default();
                let onclick = Callback::from(move |_| {
                    let what = format!("Switch {} {who}", if on { "off" } else { "on" });
                    let body = format!("{{{}:{}}}", js_sys::JSON::stringify(&field.0.as_str().into()).ok().and_then(|s| s.as_string()).unwrap_or_default(), !on);
                    send(what, field.1.clone(), url.clone(), Some(body));
                });
                html! { <td><button type="button" aria-pressed={if on { "true" } else { "false" }} {onclick}>{ if on { format!("On: switch {name} off") } else { format!("Off: switch {name} on") } }</button></td> }
            });
            let order = spec.reorder.as_ref().map(|_| {
                let mover = |by: isize, label: &str| {
                    let live = live.clone();
                    let can = logic::moved(&l.rows, i, by).is_some();
                    let onclick = Callback::from(move |_| {
                        if let Some(l) = (*live).clone()
                            && let Some(rows) = logic::moved(&l.rows, i, by)
                        {
                            live.set(Some(Live { rows, moved: true, ..l }));
                        }
                    });
                    html! { <button type="button" disabled={!can} aria-label={format!("Move {name} {label}")} {onclick}>{ if by < 0 { "↑" } else { "↓" } }</button> }
                };
                html! { <td class="order">{ mover(-1, "up") }{ mover(1, "down") }</td> }
            });
            let actions = (!spec.actions.is_empty()).then(|| html! {
                <td>{ for spec.actions.iter().enumerate().map(|(k, a)| {
                    let Some((url, confirm)) = r.actions.get(k).cloned().flatten() else {
                        return html! {};
                    };
                    let what = format!("{} {name}", a.label);
                    if *confirming == Some((i, k)) {
                        let yes = {
                            let (send, confirming, method, what) = (send.clone(), confirming.clone(), a.method.clone(), what.clone());
                            Callback::from(move |_| {
                                confirming.set(None);
                                send(what.clone(), method.clone(), url.clone(), None);
                            })
                        };
                        let no = { let c = confirming.clone(); Callback::from(move |_| c.set(None)) };
                        return html! {
                            <span class="confirm" role="group" aria-label={format!("Confirm: {what}")}>
                                { confirm.clone().unwrap_or_else(|| format!("{what}?")) }{ " " }
                                <button type="button" class="danger" onclick={yes}>{ format!("Yes, {}", a.label.to_lowercase()) }</button>
                                <button type="button" onclick={no}>{ "Cancel" }</button>
                            </span>
                        };
                    }
                    let ask = {
                        let (confirming, send, method, has_confirm) = (confirming.clone(), send.clone(), a.method.clone(), confirm.is_some());
                        Callback::from(move |_| {
                            if has_confirm {
                                confirming.set(Some((i, k)));
                            } else {
                                send(what.clone(), method.clone(), url.clone(), None);
                            }
                        })
                    };
                    html! { <button type="button" onclick={ask}>{ format!("{} {name}", a.label) }</button> }
                }) }</td>
            });
            html! {
                <tr data-row={name.clone()}>
                    { for r.cells.iter().enumerate().map(|(c, v)| if c == 0 { html! { <th scope="row">{ v }</th> } } else { html! { <td>{ v }</td> } }) }
                    { switch.unwrap_or_default() }{ order.unwrap_or_default() }{ actions.unwrap_or_default() }
                </tr>
            }
        });
        html! { <tbody>{ for rows }</tbody> }
    });
    let save = live.as_ref().filter(|l| l.moved).and_then(|l| {
        let (method, rel, _, _) = spec.reorder.clone()?;
        let url = logic::resolve(&spec.url, &rel)?;
        let body = logic::order_body(spec, &l.rows, l.version.as_deref())?;
        let send = send.clone();
        let onclick = Callback::from(move |_| {
            send(
                "Save order".into(),
                method.clone(),
                url.clone(),
                Some(body.clone()),
            )
        });
        Some(html! { <button type="button" class="save-order" {onclick}>{ "Save order" }</button> })
    });
    html! {
        <div class="operate-widget">
            <h4>{ format!("{}, live", spec.title) }</h4>
            <label>{ "API token " }
                <input type="password" name="token" value={(*token).clone()} oninput={on_token} autocomplete="off" />
            </label>
            <button type="button" class="load" onclick={reload}>{ if live.is_some() { "Read again" } else { "Read the live list" } }</button>
            // Present from the start, so screen readers announce what it comes to say.
            <p role="status" class={match *said { Some((false, _)) => "ingest-msg bad", _ => "ingest-msg ok" }}>
                { said.as_ref().map(|s| s.1.clone()).unwrap_or_default() }
            </p>
            if let Some(body) = body {
                <div class="scroll"><table class="metrics live-ops"><thead>{ head }</thead>{ body }</table></div>
                { save.unwrap_or_default() }
            }
        </div>
    }
}
