//! Worker heartbeat: a pulsing dot while the ingestion worker answers online, grey when offline, and when it was last seen.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::json::Json;
use crate::{net, poll};

#[derive(Properties, Clone, PartialEq)]
pub struct HeartbeatProps {
    pub api: AttrValue,
    pub interval_ms: u32,
}

/// Whether a worker status word means the worker is there (Idle, training, even erroring).
pub fn online(status: &str) -> bool {
    !status.trim().eq_ignore_ascii_case("offline") && !status.trim().is_empty()
}

#[derive(Clone, PartialEq)]
struct Beat {
    status: Option<String>,
    last_seen_ms: Option<f64>,
    error: Option<String>,
}

#[component]
pub fn Heartbeat(props: &HeartbeatProps) -> Html {
    let beat = use_state(|| Beat {
        status: None,
        last_seen_ms: None,
        error: None,
    });
    let now = use_state(net::now_ms);
    {
        let (beat, now) = (beat.clone(), now.clone());
        use_effect_with(
            (props.api.clone(), props.interval_ms),
            move |(api, interval)| {
                let alive = Rc::new(Cell::new(true));
                let interval = *interval;
                let url = format!(
                    "{}/api/v1/ingestion/worker/status",
                    api.trim_end_matches('/')
                );
                // The loop's own copy: a state handle captured here would only ever read the first value.
                let last = Rc::new(RefCell::new((*beat).clone()));
                spawn_local(net::every(alive.clone(), interval, move || {
                    let (beat, now, url, last) =
                        (beat.clone(), now.clone(), url.clone(), last.clone());
                    async move {
                        let got = net::get_text(&url).await.and_then(|f| {
                            Json::parse(&f.body)
                                .get("status")
                                .str()
                                .ok_or_else(|| "unexpected answer (no status)".to_owned())
                        });
                        let ok = got.is_ok();
                        let b = {
                            let mut b = last.borrow_mut();
                            match got {
                                Ok(status) => {
                                    if online(&status) {
                                        b.last_seen_ms = Some(net::now_ms());
                                    }
                                    b.status = Some(status);
                                    b.error = None;
                                }
                                Err(e) => b.error = Some(e),
                            }
                            b.clone()
                        };
                        beat.set(b);
                        now.set(net::now_ms());
                        ok
                    }
                }));
                move || alive.set(false)
            },
        );
    }
    let is_online = beat.error.is_none() && beat.status.as_deref().is_some_and(online);
    let word = match (&beat.error, &beat.status) {
        (Some(e), _) => format!("unknown ({e})"),
        (None, Some(s)) => s.clone(),
        (None, None) => "checking…".to_owned(),
    };
    html! {
        <p class="heartbeat" data-online={is_online.to_string()}>
            <span class={if is_online { "beat pulse" } else { "beat" }} aria-hidden="true"></span>
            { format!(" Ingestion worker: {word} · last seen: ") }
            { match beat.last_seen_ms {
                Some(t) => poll::ago(*now, Some(t)).replace("updated ", ""),
                None => "not while this page was open".to_owned(),
            } }
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn offline_is_the_only_absent_word() {
        assert!(
            online("Idle") && online("Training Graph on https://x.org/a") && online("Error: disk")
        );
        assert!(!online("Offline") && !online(" offline ") && !online(""));
    }
}
