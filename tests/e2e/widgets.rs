//! Live widgets in a real browser: mount, live update within an interval, stale banner and recovery, static fallback.

use std::time::Duration;

use lookout::demo::{Incident, Incidents};

use crate::support::{TOKEN, demo_for, live_clock, live_demo_backend, snapshot_and_build, temp};
use crate::webdriver::Browser;

#[test]
fn health_widget_mounts_updates_goes_stale_and_recovers() {
    let dir = temp("widgets");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let (_demo, server) = live_demo_backend(Incidents::Fixed(vec![]));
    let site = dir.join("site");
    let (config, mut store) =
        snapshot_and_build(&server.base_url(), &dir.join("data"), &site, live_clock());
    let token = lookout::collect::Token::new(TOKEN.into());

    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let addr = preview.addr;
    let url = format!("{}index.html", preview.url());
    browser.goto(&url);
    // Five seconds between polls (the shortest the widget allows), kept across the reload.
    browser.eval("localStorage.setItem('lookout.interval-seconds', '5'); return true;");
    browser.goto(&url);
    browser.wait_for(
        "the health widget to mount",
        Duration::from_secs(20),
        "var w = document.querySelector('[data-mounted=health]'); return !!w && !!w.querySelector('.live-widget .chip');",
    );
    let redis = "var c = document.querySelector('[data-mounted=health] .chip[data-part=redis]'); return c ? c.className : '';";
    assert_eq!(browser.eval(redis), "chip chip-healthy");

    // Redis goes down (a second simulated backend, the same in all but that); the scheduled
    // generator snapshots and rebuilds; the page follows.
    let (_down, down_server) = live_demo_backend(Incidents::Fixed(vec![Incident::RedisDown]));
    let config_down = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{}\"\n", down_server.base_url()),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    lookout::app::snapshot(&config_down, &mut store, token.as_ref(), live_clock())
        .expect("snapshot 2");
    lookout::app::build(&config_down, &mut store, &site, false, live_clock()).expect("build 2");
    down_server.stop();
    browser.wait_for(
        "redis to show as down within one interval",
        Duration::from_secs(12),
        "var c = document.querySelector('[data-mounted=health] .chip[data-part=redis]'); return !!c && c.className == 'chip chip-down';",
    );

    // The metric cards kept both snapshots' values and show the newest.
    browser.wait_for(
        "metric cards with two points",
        Duration::from_secs(12),
        "var c = document.querySelector('[data-mounted=cards] .metric-card[data-metric=\"probe.latency_p95\"] svg'); return !!c && c.getAttribute('aria-label') == '2 points kept on this page';",
    );

    // Auto-refresh off pauses every widget: a newer snapshot (redis back) is not fetched by
    // the health widget nor the cards until it is switched on again.
    browser.eval("document.querySelector('[data-mounted=health] .live-bar input[type=checkbox]').click(); return true;");
    assert_eq!(
        browser.eval("return localStorage.getItem('lookout.auto-refresh');"),
        "off"
    );
    lookout::app::snapshot(&config, &mut store, token.as_ref(), live_clock()).expect("snapshot 3");
    lookout::app::build(&config, &mut store, &site, false, live_clock()).expect("build 3");
    std::thread::sleep(Duration::from_secs(9));
    assert_eq!(browser.eval(redis), "chip chip-down", "paused: no poll");
    let two = "var c = document.querySelector('[data-mounted=cards] .metric-card[data-metric=\"probe.latency_p95\"] svg'); return c ? c.getAttribute('aria-label') : '';";
    assert_eq!(
        browser.eval(two),
        "2 points kept on this page",
        "cards paused too"
    );
    browser.eval("document.querySelector('[data-mounted=health] .live-bar input[type=checkbox]').click(); return true;");
    browser.wait_for(
        "health and cards to resume",
        Duration::from_secs(15),
        "var c = document.querySelector('[data-mounted=health] .chip[data-part=redis]'); var s = document.querySelector('[data-mounted=cards] .metric-card[data-metric=\"probe.latency_p95\"] svg'); return !!c && c.className == 'chip chip-healthy' && !!s && s.getAttribute('aria-label') == '3 points kept on this page';",
    );

    // The source goes away: a stale banner, and the last values stay.
    preview.stop();
    browser.wait_for(
        "the stale banner",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=health] .stale-banner');",
    );
    assert_eq!(browser.eval(redis), "chip chip-healthy", "last values kept");

    // It comes back: the banner goes (backoff means it may take a couple of intervals).
    let preview = (0..50)
        .find_map(|_| {
            lookout::serve::start(&site, addr).ok().or_else(|| {
                std::thread::sleep(Duration::from_millis(100));
                None
            })
        })
        .expect("restart on the same port");
    browser.eval(
        "document.querySelector('[data-mounted=health] .live-bar button').click(); return true;",
    );
    browser.wait_for(
        "recovery",
        Duration::from_secs(30),
        "return !document.querySelector('[data-mounted=health] .stale-banner');",
    );

    // Without the bundle the page still shows every part's status (the static list).
    let html = std::fs::read_to_string(site.join("index.html")).expect("index");
    let static_list = html
        .split("data-lookout-widget=\"health\"")
        .nth(1)
        .unwrap_or("");
    assert!(static_list.contains("data-part=\"redis\""));
    for f in lookout::render::files_under(&site) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "token in {}",
            f.display()
        );
    }
    preview.stop();
    server.stop();
    drop(browser);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Types into a field the way a person does, so Yew's input handlers see it.
pub fn type_into(b: &Browser, selector: &str, text: &str) {
    b.eval(&format!(
        "var i = document.querySelector({sel}); i.value = {text}; i.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
        sel = serde_json::Value::String(selector.into()),
        text = serde_json::Value::String(text.into()),
    ));
}

/// Submits the ingestion form as the Send button does.
fn submit(b: &Browser) {
    b.eval("document.querySelector('[data-mounted=ingest] form').requestSubmit(); return true;");
}

fn message(b: &Browser) -> String {
    b.eval("var m = document.querySelector('.ingest-msg'); return m ? m.textContent : '';")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn ingestion_panel_sends_with_the_typed_token_and_explains_refusals() {
    let dir = temp("ingest-widget");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let site = dir.join("site");
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let origin = format!("http://{}", preview.addr);
    let (_demo, server) = demo_for(&origin, 3, Incidents::Fixed(vec![]), live_clock());
    let (_config, _store) =
        snapshot_and_build(&server.base_url(), &dir.join("data"), &site, live_clock());

    browser.goto(&format!("{}index.html", preview.url()));
    browser.wait_for(
        "the ingestion panel",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=ingest] form');",
    );
    let repo = "https://github.com/octocat/Hello-World";
    // Checked before sending: no request for a bad URL.
    type_into(
        &browser,
        "[data-mounted=ingest] input[name=repo]",
        "not a url",
    );
    type_into(
        &browser,
        "[data-mounted=ingest] input[name=token]",
        "wrong-token",
    );
    submit(&browser);
    browser.wait_for(
        "the URL check's message",
        Duration::from_secs(5),
        "var m = document.querySelector('.ingest-msg'); return !!m && m.textContent.indexOf('must start with https://') >= 0;",
    );
    // A bad token: the simulator answers 401 without CORS headers, as the real Pharos does, so
    // the browser sees a network error; the panel says the token may be refused.
    type_into(&browser, "[data-mounted=ingest] input[name=repo]", repo);
    submit(&browser);
    browser.wait_for(
        "the refused-token message",
        Duration::from_secs(10),
        "var m = document.querySelector('.ingest-msg'); return !!m && m.textContent.indexOf('the token may have been refused') >= 0 && m.textContent.indexOf('README') >= 0;",
    );
    // The right token: dispatched, and the job shows in the live history.
    type_into(&browser, "[data-mounted=ingest] input[name=token]", TOKEN);
    submit(&browser);
    browser.wait_for(
        "the dispatched message",
        Duration::from_secs(10),
        "var m = document.querySelector('.ingest-msg'); return !!m && m.textContent.indexOf('job') >= 0 && m.textContent.indexOf('Sent') == 0;",
    );
    browser.wait_for(
        "the job in the live history",
        Duration::from_secs(20),
        "return Array.prototype.some.call(document.querySelectorAll('.live-jobs tbody tr'), function (r) { return r.textContent.indexOf('octocat/Hello-World') >= 0 && /pending|processing/.test(r.getAttribute('data-status')); });",
    );
    assert_eq!(
        browser.eval("return sessionStorage.getItem('lookout.ingest-token');"),
        TOKEN,
        "kept for the tab"
    );
    // The same tab's token starts a sparse embedding run; its result shows.
    browser.eval("document.querySelector('[data-mounted=sparse] button').click(); return true;");
    browser.wait_for(
        "the sparse embedding result",
        Duration::from_secs(10),
        "var m = document.querySelector('[data-mounted=sparse] .ingest-msg'); return !!m && m.textContent.indexOf('Completed: job') == 0;",
    );
    // The worker answers online: its dot pulses.
    browser.wait_for(
        "the heartbeat",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=heartbeat] [data-online=true] .pulse');",
    );
    // Fill the queue: the 429 says so.
    let mut full = false;
    for _ in 0..15 {
        submit(&browser);
        std::thread::sleep(Duration::from_millis(400));
        if message(&browser).contains("queue is full") {
            full = true;
            break;
        }
    }
    assert!(full, "no 429 message: {}", message(&browser));
    for f in lookout::render::files_under(&site) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "token in {}",
            f.display()
        );
    }
    drop(browser);
    preview.stop();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_javascript_the_index_still_shows_all_data() {
    let dir = temp("no-js");
    let (_demo, server) = live_demo_backend(Incidents::Fixed(vec![Incident::RedisDown]));
    let site = dir.join("site");
    let (_config, _store) =
        snapshot_and_build(&server.base_url(), &dir.join("data"), &site, live_clock());
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let url = format!("{}index.html", preview.url());
    let Some(off) = crate::webdriver::dump_dom(&url, false, &dir.join("p1")) else {
        return;
    };
    // Control: the same page with JavaScript mounts the widgets, so the switch really matters.
    let on = crate::webdriver::dump_dom(&url, true, &dir.join("p2")).unwrap_or_default();
    assert!(
        on.contains("data-mounted=\"health\""),
        "widgets did not mount with JavaScript"
    );
    assert!(off.contains("<main"), "no page without JavaScript");
    assert!(
        !off.contains("data-mounted"),
        "a widget ran with JavaScript off"
    );

    let latest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.join("data/latest.json")).expect("latest"),
    )
    .expect("json");
    let snap = &latest["snapshot"];
    for part in snap["components"]
        .as_array()
        .into_iter()
        .chain(snap["modules"].as_array())
        .flatten()
    {
        let name = part["name"].as_str().unwrap_or_default();
        // Shown after its dependencies (api is degraded while redis is down), so any status.
        assert!(
            ["healthy", "degraded", "down", "unknown"]
                .iter()
                .any(|st| off.contains(&format!("class=\"chip chip-{st}\" data-part=\"{name}\""))),
            "{name} missing without JavaScript"
        );
    }
    assert!(off.contains("class=\"chip chip-down\" data-part=\"redis\""));
    // The alert panel, the headline figures and the ingestion jobs are all in the static page.
    assert!(off.contains("id=\"alerts-h\""));
    for needs in ["Worker heartbeat needs JavaScript", "probe.latency_p95"] {
        assert!(off.contains(needs), "{needs}");
    }
    preview.stop();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ingestion_panel_explains_an_offline_worker_and_the_heartbeat_goes_grey() {
    let dir = temp("worker-offline");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let site = dir.join("site");
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let (_demo, server) = demo_for(
        &format!("http://{}", preview.addr),
        5,
        Incidents::Fixed(vec![Incident::WorkerOffline]),
        live_clock(),
    );
    let (_config, _store) =
        snapshot_and_build(&server.base_url(), &dir.join("data"), &site, live_clock());

    browser.goto(&format!("{}index.html", preview.url()));
    browser.wait_for(
        "the ingestion panel",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=ingest] form');",
    );
    type_into(
        &browser,
        "[data-mounted=ingest] input[name=repo]",
        "https://github.com/octocat/Hello-World",
    );
    type_into(&browser, "[data-mounted=ingest] input[name=token]", TOKEN);
    submit(&browser);
    browser.wait_for(
        "the 503 message with when the worker was last seen",
        Duration::from_secs(10),
        "var m = document.querySelector('[data-mounted=ingest] .ingest-msg'); return !!m && /worker is offline \\(HTTP 503\\).*last seen \\d+ s ago/.test(m.textContent);",
    );
    browser.wait_for(
        "a grey, still heartbeat",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=heartbeat] [data-online=false]') && !document.querySelector('[data-mounted=heartbeat] .pulse');",
    );
    drop(browser);
    preview.stop();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn health_widget_can_read_the_backend_directly() {
    let dir = temp("live-backend");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let site = dir.join("site");
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    // The snapshot comes from a healthy backend; the page's live source is another one, with
    // redis down and the origin allowed: what the widget shows can only come from the latter.
    let (_healthy, healthy_server) = live_demo_backend(Incidents::Fixed(vec![]));
    let (_live, live_server) = demo_for(
        &format!("http://{}", preview.addr),
        7,
        Incidents::Fixed(vec![Incident::RedisDown]),
        live_clock(),
    );
    let config = |base: String, extra: &str| {
        lookout::config::Config::from_toml(
            &format!("[backend]\nbase_url = \"{base}\"\n[site]\n{extra}"),
            std::path::Path::new("t.toml"),
        )
        .expect("config")
    };
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    lookout::app::snapshot(
        &config(healthy_server.base_url(), ""),
        &mut store,
        token.as_ref(),
        live_clock(),
    )
    .expect("snapshot");
    let direct = config(live_server.base_url(), "live_source = \"backend\"\n");
    lookout::app::build(&direct, &mut store, &site, false, live_clock()).expect("build");
    let html = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(html.contains("class=\"chip chip-healthy\" data-part=\"redis\""));
    assert!(html.contains("data-format=\"pharos\""));

    browser.goto(&format!("{}index.html", preview.url()));
    browser.wait_for(
        "redis down, read from the backend itself, and the modules asked one by one",
        Duration::from_secs(20),
        "var w = document.querySelector('[data-mounted=health]'); if (!w) return false; var r = w.querySelector('.chip[data-part=redis]'); var s = w.querySelector('.chip[data-part=Search]'); return !!r && r.className == 'chip chip-down' && !!s && /chip-(healthy|degraded|down)/.test(s.className) && w.querySelectorAll('.chip').length >= 18;",
    );
    drop(browser);
    preview.stop();
    live_server.stop();
    healthy_server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
