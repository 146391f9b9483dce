//! Check now: a button per service a source said can check itself; it POSTs with the tab's
//! token and shows what the service answered.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::json::Json;
use crate::net;

#[derive(Properties, Clone, PartialEq)]
pub struct CheckProps {
    /// `(part, check URL)`.
    pub checks: Rc<Vec<(String, String)>>,
}

/// `a=url,b=url` as the site writes it.
pub fn parse_checks(attr: &str) -> Vec<(String, String)> {
    attr.split(',')
        .filter_map(|p| p.split_once('='))
        .filter(|(n, u)| !n.is_empty() && (u.starts_with("http://") || u.starts_with("https://")))
        .map(|(n, u)| (n.to_owned(), u.to_owned()))
        .collect()
}

/// What the answer says, in words: `(passed, text)`.
pub fn describe(status: u16, body: &str, sent_token: bool) -> (bool, String) {
    let v = Json::parse(body);
    match status {
        200..=299 => {
            let word = v.get("status").str().unwrap_or_else(|| "answered".into());
            let ms = v.get("response_ms").num().map(|m| format!(" in {m:.0} ms")).unwrap_or_default();
            let ok = model::Status::from_word(&word) == model::Status::Healthy;
            (ok, format!("{word}{ms}"))
        }
        401 | 403 => (false, format!("The token was refused (HTTP {status}).")),
        404 => (false, "The backend knows no such service (HTTP 404).".into()),
        0 if sent_token => (
            false,
            "No answer the browser may read: the token may have been refused (the backend sends its 401 without CORS headers), or it does not allow this site's origin.".into(),
        ),
        0 => (false, "The backend could not be reached.".into()),
        s => (false, format!("The backend answered HTTP {s}.")),
    }
}

#[component]
pub fn CheckNow(props: &CheckProps) -> Html {
    let token = use_state(net::tab_token);
    // One answer per check, by position.
    let results = use_state(|| vec![None::<(bool, String)>; props.checks.len()]);
    let on_token = net::on_token_input(token.clone());
    html! {
        <div class="check-widget">
            <label>{ "API token " }
                <input type="password" name="token" value={(*token).clone()} oninput={on_token} autocomplete="off" />
            </label>
            <ul class="checks">
            { for props.checks.iter().enumerate().map(|(i, (part, url))| {
                let onclick = {
                    let (token, results, url) = (token.clone(), results.clone(), url.clone());
                    Callback::from(move |_| {
                        let (token, results, url) = ((*token).clone(), results.clone(), url.clone());
                        let mut now = (*results).clone();
                        if let Some(slot) = now.get_mut(i) {
                            *slot = Some((true, "checking…".into()));
                        }
                        results.set(now.clone());
                        spawn_local(async move {
                            let (status, body) = net::post_json(&url, &token, None).await;
                            if let Some(slot) = now.get_mut(i) {
                                *slot = Some(describe(status, &body, !token.is_empty()));
                            }
                            results.set(now);
                        });
                    })
                };
                let said = results.get(i).cloned().flatten();
                html! {
                    <li data-part={part.clone()}>
                        <button type="button" {onclick}>{ format!("Check {part}") }</button>
                        if let Some((ok, text)) = said {
                            <span role="status" class={if ok { "ingest-msg ok" } else { "ingest-msg bad" }}>{ format!(" {text}") }</span>
                        }
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
    fn checks_and_answers_read_in_words() {
        assert_eq!(
            parse_checks("admin/a=http://x/s/a/check,bad,b=javascript:alert(1),=http://y"),
            [("admin/a".to_owned(), "http://x/s/a/check".to_owned())]
        );
        assert_eq!(
            describe(200, r#"{"status":"healthy","response_ms":12}"#, true),
            (true, "healthy in 12 ms".to_owned())
        );
        assert!(!describe(200, r#"{"status":"degraded"}"#, true).0);
        assert!(
            describe(0, "", true)
                .1
                .contains("token may have been refused")
        );
        assert!(describe(404, "", true).1.contains("no such service"));
    }
}
