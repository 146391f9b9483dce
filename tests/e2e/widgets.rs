//! Live widgets in a real browser: mount, live update within an interval, stale banner and recovery, static fallback.

use std::time::Duration;

use lookout::demo::{Incident, Incidents};

use crate::support::{TOKEN, demo_backend, temp};
use crate::webdriver::Browser;

#[test]
fn health_widget_mounts_updates_goes_stale_and_recovers() {
    let dir = temp("widgets");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{}\"\n", server.base_url()),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    let site = dir.join("site");
    lookout::app::snapshot(&config, &mut store, token.as_ref()).expect("snapshot");
    lookout::app::build(&config, &mut store, &site, false).expect("build");

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
    let (_down, down_server) = demo_backend(Incidents::Fixed(vec![Incident::RedisDown]));
    let config_down = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{}\"\n", down_server.base_url()),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    lookout::app::snapshot(&config_down, &mut store, token.as_ref()).expect("snapshot 2");
    lookout::app::build(&config_down, &mut store, &site, false).expect("build 2");
    down_server.stop();
    browser.wait_for(
        "redis to show as down within one interval",
        Duration::from_secs(12),
        "var c = document.querySelector('[data-mounted=health] .chip[data-part=redis]'); return !!c && c.className == 'chip chip-down';",
    );

    // The source goes away: a stale banner, and the last values stay.
    preview.stop();
    browser.wait_for(
        "the stale banner",
        Duration::from_secs(20),
        "return !!document.querySelector('.stale-banner');",
    );
    assert_eq!(browser.eval(redis), "chip chip-down", "last values kept");

    // It comes back: the banner goes (backoff means it may take a couple of intervals).
    let preview = (0..50)
        .find_map(|_| {
            lookout::serve::start(&site, addr).ok().or_else(|| {
                std::thread::sleep(Duration::from_millis(100));
                None
            })
        })
        .expect("restart on the same port");
    browser.eval("document.querySelector('.live-bar button').click(); return true;");
    browser.wait_for(
        "recovery",
        Duration::from_secs(30),
        "return !document.querySelector('.stale-banner');",
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
