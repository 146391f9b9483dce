//! Ingestion panel: send a repository to the backend with a typed token (kept in sessionStorage only), and watch the job history and queue.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::ingest_logic::{self as logic, Job, Outcome};
use crate::net;

#[derive(Properties, Clone, PartialEq)]
pub struct IngestProps {
    /// The backend's base URL (it must allow this site's origin).
    pub api: AttrValue,
    pub interval_ms: u32,
    /// Which job states the backend's history can show (pending, processing, completed,
    /// failed); the others read "not exposed", never 0.
    pub exposed: [bool; 4],
}

/// The job history as the widget knows it.
#[derive(Clone, PartialEq)]
pub enum Jobs {
    Loading,
    Ready(Rc<Vec<Job>>),
    Failed {
        last: Option<Rc<Vec<Job>>>,
        error: String,
    },
}

/// Sends one repository; the answer becomes the panel's message.
fn send(
    api: AttrValue,
    repo: String,
    token: String,
    message: UseStateHandle<Option<(bool, String)>>,
    nonce: UseStateHandle<u32>,
) {
    spawn_local(async move {
        let (status, body) = net::post(&logic::ingest_address(&api, &repo), &token).await;
        let text = match logic::outcome(status, &body, !token.is_empty()) {
            Outcome::Dispatched { job_id, position } => (
                true,
                format!("Sent {repo}: job {job_id}, position {position} in the queue."),
            ),
            Outcome::Refused(m) => (false, m),
        };
        message.set(Some(text));
        nonce.set(nonce.wrapping_add(1));
    });
}

#[component]
pub fn IngestPanel(props: &IngestProps) -> Html {
    let url = use_state(String::new);
    let token = use_state(net::tab_token);
    let message = use_state(|| None::<(bool, String)>);
    let jobs = use_state(|| Jobs::Loading);
    let nonce = use_state(|| 0u32);

    {
        let jobs = jobs.clone();
        use_effect_with(
            (props.api.clone(), props.interval_ms, *nonce),
            move |(api, interval, _)| {
                let alive = Rc::new(Cell::new(true));
                let (api, interval) = (api.clone(), *interval);
                let last = Rc::new(RefCell::new(None::<Rc<Vec<logic::Job>>>));
                spawn_local(net::every(alive.clone(), interval, move || {
                    let (jobs, api, last) = (jobs.clone(), api.clone(), last.clone());
                    async move {
                        // The typed token, if any: the newest version protects the history.
                        let token = net::session(net::TOKEN_KEY);
                        let got =
                            net::get_text_with(&logic::history_address(&api, 20), token.as_deref())
                                .await
                                .and_then(|f| logic::jobs(&f.body));
                        match got {
                            Ok(list) => {
                                let list = Rc::new(list);
                                *last.borrow_mut() = Some(list.clone());
                                jobs.set(Jobs::Ready(list));
                                true
                            }
                            Err(error) => {
                                let last = last.borrow().clone();
                                jobs.set(Jobs::Failed { last, error });
                                false
                            }
                        }
                    }
                }));
                move || alive.set(false)
            },
        );
    }

    let on_url = {
        let url = url.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                url.set(i.value());
            }
        })
    };
    let on_token = net::on_token_input(token.clone());
    let on_submit = {
        let (url, token, message, nonce, api) = (
            url.clone(),
            token.clone(),
            message.clone(),
            nonce.clone(),
            props.api.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match logic::validate_repo_url(&url) {
                Err(m) => message.set(Some((false, m))),
                Ok(_) if token.trim().is_empty() => {
                    message.set(Some((false, "Enter the API token first.".into())));
                }
                Ok(repo) => {
                    message.set(Some((true, format!("Sending {repo}…"))));
                    send(
                        api.clone(),
                        repo,
                        (*token).clone(),
                        message.clone(),
                        nonce.clone(),
                    );
                }
            }
        })
    };

    let list = match &*jobs {
        Jobs::Ready(l) => Some(l.clone()),
        Jobs::Failed { last, .. } => last.clone(),
        Jobs::Loading => None,
    };
    let counts = list.as_ref().map(|l| logic::queue_counts(l));
    html! {
        <div class="ingest-widget">
            <form class="ingest-form" onsubmit={on_submit} novalidate=true>
                <label>{ "Repository URL " }
                    <input type="url" name="repo" value={(*url).clone()} oninput={on_url}
                        placeholder="https://github.com/org/repo" required=true />
                </label>
                <label>{ "API token " }
                    <input type="password" name="token" value={(*token).clone()} oninput={on_token}
                        autocomplete="off" aria-describedby="token-note" />
                </label>
                <button type="submit">{ "Ingest" }</button>
                <p id="token-note" class="muted">{ "The token stays in this tab (sessionStorage); it is never part of the site." }</p>
            </form>
            if let Some((ok, m)) = &*message {
                <p class={if *ok { "ingest-msg ok" } else { "ingest-msg bad" }} role="status">{ m }</p>
            }
            if let Jobs::Failed { error, .. } = &*jobs {
                <p class="stale-banner" role="alert">{ format!("Job history is stale: {error}.") }</p>
            }
            if let Some(c) = counts {
                <ul class="legend ingest-queue">
                    { for logic::queue_legend(c, props.exposed).into_iter().map(|l| html! { <li>{ l }</li> }) }
                </ul>
            }
            if let Some(l) = list {
                <div class="scroll"><table class="jobs live-jobs">
                    <caption>{ "Job history (live)" }</caption>
                    <thead><tr><th scope="col">{ "Repository" }</th><th scope="col">{ "Status" }</th><th scope="col" class="num">{ "Duration" }</th><th scope="col">{ "Error" }</th><th scope="col">{ "" }</th></tr></thead>
                    <tbody>
                    { for l.iter().map(|j| {
                        let repo = j.repo_url.clone().unwrap_or_default();
                        let failed = model::lists::JobState::of(&j.status) == model::lists::JobState::Failed;
                        let retry = {
                            let (api, token, message, nonce, repo) = (props.api.clone(), token.clone(), message.clone(), nonce.clone(), repo.clone());
                            Callback::from(move |_| send(api.clone(), repo.clone(), (*token).clone(), message.clone(), nonce.clone()))
                        };
                        let class = model::lists::JobState::of(&j.status).class();
                        html! {
                            <tr data-status={j.status.clone()}>
                                <th scope="row"><code>{ repo.clone() }</code></th>
                                <td><span class={classes!("status", format!("status-{class}"))}>{ j.status.clone() }</span></td>
                                <td class="num">{ j.duration_seconds.map(|d| format!("{d:.0} s")).unwrap_or_default() }</td>
                                <td>if let Some(e) = j.error.clone().or(j.reason.clone()) {
                                    <details><summary>{ "error" }</summary>{ e }</details>
                                }</td>
                                <td>if failed && !repo.is_empty() {
                                    <button type="button" onclick={retry}>{ "Retry" }</button>
                                }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table></div>
            }
        </div>
    }
}
