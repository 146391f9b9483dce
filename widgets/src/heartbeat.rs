//! Worker heartbeat: a pulsing dot while the ingestion worker answers online, grey when offline, and when it was last seen.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use serde::Deserialize;
use yew::platform::{spawn_local, time::sleep};
use yew::prelude::*;

use crate::{net, poll};

#[derive(Properties, Clone, PartialEq)]
pub struct HeartbeatProps {
    pub api: AttrValue,
    pub interval_ms: u32,
}

#[derive(Deserialize)]
struct WorkerStatus {
    status: String,
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
                let (alive2, api, interval) = (alive.clone(), api.clone(), *interval);
                spawn_local(async move {
                    let url = format!(
                        "{}/api/v1/ingestion/worker/status",
                        api.trim_end_matches('/')
                    );
                    let mut failures = 0u32;
                    while alive2.get() {
                        if !net::hidden() {
                            let got = net::get_text(&url).await.and_then(|f| {
                                serde_json::from_str::<WorkerStatus>(&f.body)
                                    .map_err(|e| format!("unexpected answer ({e})"))
                            });
                            let mut b = (*beat).clone();
                            match got {
                                Ok(w) => {
                                    failures = 0;
                                    if online(&w.status) {
                                        b.last_seen_ms = Some(net::now_ms());
                                    }
                                    b.status = Some(w.status);
                                    b.error = None;
                                }
                                Err(e) => {
                                    failures += 1;
                                    b.error = Some(e);
                                }
                            }
                            beat.set(b);
                            now.set(net::now_ms());
                        }
                        let wait = poll::next_delay_ms(interval, failures, js_sys::Math::random());
                        sleep(Duration::from_millis(u64::from(wait))).await;
                    }
                });
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

    #[test]
    fn offline_is_the_only_absent_word() {
        assert!(
            online("Idle") && online("Training Graph on https://x.org/a") && online("Error: disk")
        );
        assert!(!online("Offline") && !online(" offline ") && !online(""));
    }
}
