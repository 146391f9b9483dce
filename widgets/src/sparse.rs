//! Sparse embedding generation: a button that starts a run (with the tab's token), its progress, and the last run's result.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::json::Json;
use crate::net;

const LAST_KEY: &str = "lookout.sparse-last-run";

#[derive(Properties, Clone, PartialEq)]
pub struct SparseProps {
    pub api: AttrValue,
}

/// What an answer of the generate endpoint says, in words.
pub fn describe(status: u16, body: &str) -> (bool, String) {
    let v = Json::parse(body);
    let count = |k: &str| v.get(k).num().map_or("?".into(), |n| n.to_string());
    match status {
        200..=299 => {
            let ok = v.get("status").str().as_deref() == Some("completed");
            (
                ok,
                format!(
                    "{}: job {}, {} resources, about {} min",
                    if ok { "Completed" } else { "Failed" },
                    v.get("job_id").str().as_deref().unwrap_or("?"),
                    count("resources_to_process"),
                    count("estimated_duration_minutes"),
                ),
            )
        }
        401 | 403 => (
            false,
            format!("The token was refused (HTTP {status}); type it in the ingestion panel."),
        ),
        0 => (
            false,
            "No answer the browser may read: the token may have been refused (Pharos sends its 401 without CORS headers), or the backend is unreachable or does not allow this origin."
                .into(),
        ),
        s => (false, format!("The backend answered HTTP {s}.")),
    }
}

#[derive(Clone, PartialEq)]
enum Run {
    Idle,
    Running,
    Done { ok: bool, text: String },
}

#[component]
pub fn SparseGenerator(props: &SparseProps) -> Html {
    let run = use_state(|| Run::Idle);
    let last = use_state(|| net::stored(LAST_KEY));
    let onclick = {
        let (run, last, api) = (run.clone(), last.clone(), props.api.clone());
        Callback::from(move |_| {
            let token = net::tab_token();
            if token.trim().is_empty() {
                run.set(Run::Done {
                    ok: false,
                    text: "Type the API token in the ingestion panel first.".into(),
                });
                return;
            }
            run.set(Run::Running);
            let (run, last, api) = (run.clone(), last.clone(), api.clone());
            spawn_local(async move {
                let url = format!(
                    "{}/api/search/admin/sparse-embeddings/generate",
                    api.trim_end_matches('/')
                );
                let (status, body) =
                    net::post_json(&url, &token, Some(r#"{"batch_size":32}"#)).await;
                let (ok, text) = describe(status, &body);
                let stamp = format!("{} ({})", text, js_sys::Date::new_0().to_iso_string());
                net::store(LAST_KEY, &stamp);
                last.set(Some(stamp));
                run.set(Run::Done { ok, text });
            });
        })
    };
    html! {
        <div class="sparse-widget">
            <button type="button" {onclick} disabled={*run == Run::Running}>{ "Generate sparse embeddings" }</button>
            { match &*run {
                Run::Idle => html! {},
                Run::Running => html! { <p role="status" class="sparse-progress"><progress aria-label="Generating"></progress>{ " Running…" }</p> },
                Run::Done { ok, text } => html! { <p role="status" class={if *ok { "ingest-msg ok" } else { "ingest-msg bad" }}>{ text }</p> },
            } }
            <p class="muted">{ format!("Last run from this browser: {}", last.as_deref().unwrap_or("none")) }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn answers_are_described() {
        let (ok, t) = describe(
            200,
            r#"{"status":"completed","job_id":"ab-1","estimated_duration_minutes":2,"resources_to_process":1200}"#,
        );
        assert!(
            ok && t.contains("ab-1") && t.contains("1200 resources"),
            "{t}"
        );
        assert!(!describe(200, r#"{"status":"failed"}"#).0);
        assert!(describe(401, "").1.contains("token was refused"));
    }
}
