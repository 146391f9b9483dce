//! Fetching JSON with conditional requests (the browser revalidates with If-None-Match / If-Modified-Since).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What a poll got: the body and its validator, or why not.
pub struct Fetched {
    pub body: String,
    pub etag: Option<String>,
}

/// GETs `url`. `RequestCache::NoCache` makes the browser revalidate its cached copy, so an
/// unchanged source answers 304 and costs no body.
pub async fn get_text(url: &str) -> Result<Fetched, String> {
    get_text_with(url, None).await
}

/// `get_text`, with the bearer token when one is given (the newest Pharos protects its job
/// history).
pub async fn get_text_with(url: &str, token: Option<&str>) -> Result<Fetched, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_cache(web_sys::RequestCache::NoCache);
    if let Some(t) = token.filter(|t| !t.is_empty())
        && let Ok(h) = web_sys::Headers::new()
    {
        let _ = h.set("Authorization", &format!("Bearer {t}"));
        init.set_headers(&h);
    }
    let req = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|_| format!("bad source URL {url}"))?;
    let resp = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| {
            if token.is_some_and(|t| !t.is_empty()) {
                "no answer the browser may read (a refused token, or an origin the backend does not allow)".to_owned()
            } else {
                "the source could not be reached".to_owned()
            }
        })?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| "not an HTTP response".to_owned())?;
    if !resp.ok() {
        return Err(format!("the source answered HTTP {}", resp.status()));
    }
    let etag = resp.headers().get("etag").ok().flatten();
    let text = JsFuture::from(resp.text().map_err(|_| "unreadable body".to_owned())?)
        .await
        .map_err(|_| "the body did not arrive".to_owned())?;
    Ok(Fetched {
        body: text.as_string().unwrap_or_default(),
        etag,
    })
}

/// Runs `poll` (true when it got fresh data) until `alive` goes false: once at start, then every
/// interval the person chose (else the page's) unless the tab is hidden or auto-refresh is off,
/// backing off after failures.
pub async fn every<F, Fut>(alive: Rc<Cell<bool>>, page_interval_ms: u32, mut poll: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let mut failures = 0u32;
    let mut first = true;
    while alive.get() {
        if if first { !hidden() } else { !paused() } {
            first = false;
            if poll().await {
                failures = 0;
            } else {
                failures += 1;
            }
        }
        let interval = preferred_interval_ms(page_interval_ms);
        let wait = crate::poll::next_delay_ms(interval, failures, js_sys::Math::random());
        yew::platform::time::sleep(Duration::from_millis(u64::from(wait))).await;
    }
}

/// Auto-refresh, as switched in the health widget's controls: off pauses every widget's polling.
pub const AUTO_KEY: &str = "lookout.auto-refresh";

/// Polling waits while the tab is hidden or the person switched auto-refresh off.
pub fn paused() -> bool {
    hidden() || stored(AUTO_KEY).as_deref() == Some("off")
}

/// Whether the page is in a background tab (polling pauses then).
pub fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `ms` as the page writes times: in the site's zone (`<html data-tz>`, from the generator's
/// tz database), else in UTC.
pub fn human_time(ms: i64) -> String {
    let table = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-tz"))
        .and_then(|t| model::time::ZoneTable::parse(&t));
    match table {
        Some(t) => t.human(ms),
        None => model::time::format_human(ms),
    }
}

/// The refresh interval people pick in the health widget's controls; every widget follows it.
pub const INTERVAL_KEY: &str = "lookout.interval-seconds";

/// The page's interval unless the person chose one (kept in localStorage).
pub fn preferred_interval_ms(page_default: u32) -> u32 {
    stored(INTERVAL_KEY).map_or(page_default, |s| crate::poll::interval_ms(Some(&s)))
}

/// A value kept in localStorage (preferences survive reloads); `None` when storage is off.
pub fn stored(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

pub fn store(key: &str, value: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(key, value);
    }
}

/// POSTs to `url` with a bearer token; `(status, body)`, status 0 when no answer came (network
/// error, or the backend does not allow this origin).
pub async fn post(url: &str, token: &str) -> (u16, String) {
    post_json(url, token, None).await
}

/// `post` with an optional JSON body.
pub async fn post_json(url: &str, token: &str, json: Option<&str>) -> (u16, String) {
    send("POST", url, token, json).await
}

/// `method` to `url` with a bearer token and an optional JSON body; `(status, body)` as `post`.
pub async fn send(method: &str, url: &str, token: &str, json: Option<&str>) -> (u16, String) {
    let Some(window) = web_sys::window() else {
        return (0, String::new());
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_cache(web_sys::RequestCache::NoStore);
    let headers = web_sys::Headers::new().ok();
    if let Some(h) = &headers {
        let _ = h.set("Authorization", &format!("Bearer {token}"));
        if json.is_some() {
            let _ = h.set("Content-Type", "application/json");
        }
        init.set_headers(h);
    }
    if let Some(body) = json {
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    let Ok(req) = web_sys::Request::new_with_str_and_init(url, &init) else {
        return (0, String::new());
    };
    let Ok(resp) = JsFuture::from(window.fetch_with_request(&req)).await else {
        return (0, String::new());
    };
    let Ok(resp) = resp.dyn_into::<web_sys::Response>() else {
        return (0, String::new());
    };
    let body = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    (resp.status(), body)
}

/// Where the API token a person typed in this tab is kept (sessionStorage, never the site);
/// every operation widget reads it.
pub const TOKEN_KEY: &str = "lookout.ingest-token";

/// The tab's token as typed so far (empty when none).
pub fn tab_token() -> String {
    session(TOKEN_KEY).unwrap_or_default()
}

/// A token field's input handler: keeps what is typed in `token` and in the tab.
pub fn on_token_input(token: yew::UseStateHandle<String>) -> yew::Callback<yew::InputEvent> {
    use yew::TargetCast;
    yew::Callback::from(move |e: yew::InputEvent| {
        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            let v = i.value();
            set_session(TOKEN_KEY, &v);
            token.set(v);
        }
    })
}

/// A value kept for this tab only (sessionStorage): the ingestion token lives here, nowhere else.
pub fn session(key: &str) -> Option<String> {
    web_sys::window()?
        .session_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

pub fn set_session(key: &str, value: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = s.set_item(key, value);
    }
}
