//! The live first screen in Chromium: the overall box follows a module going down within one
//! poll, and says stale, with the last known state, once the generator stops.

use std::time::Duration;

use lookout::demo::sim::{Incident, Incidents};

use crate::support::{TOKEN, live_clock, live_demo_backend, temp};
use crate::webdriver::Browser;

fn snapshot_and_build(base: &str, store: &mut lookout::store::Store, site: &std::path::Path) {
    // Snapshots every 10 s: the screen is stale after 30 s without one.
    let config = lookout::config::Config::from_toml(
        &format!("[backend]\nbase_url = \"{base}\"\n[schedule]\ninterval_seconds = 10\n"),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let token = lookout::collect::Token::new(TOKEN.into());
    lookout::app::snapshot(&config, store, token.as_ref(), live_clock()).expect("snapshot");
    lookout::app::build(&config, store, site, false, live_clock()).expect("build");
}

/// A browser and a site built from one snapshot of a calm backend, in a folder of its own.
fn calm_site(
    name: &str,
) -> Option<(
    std::path::PathBuf,
    Browser,
    lookout::store::Store,
    std::path::PathBuf,
)> {
    let dir = temp(name);
    let browser = Browser::start(&dir.join("profile"))?;
    let site = dir.join("site");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let (_calm, calm) = live_demo_backend(Incidents::Fixed(vec![]));
    snapshot_and_build(&calm.base_url(), &mut store, &site);
    Some((dir, browser, store, site))
}

#[test]
fn the_first_screen_turns_degraded_within_a_poll_and_stale_when_the_generator_stops() {
    let Some((dir, browser, mut store, site)) = calm_site("first-screen") else {
        return;
    };
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(
        index.contains("data-lookout-widget=\"hero\"") && index.contains("data-stale-after=\"30\"")
    );
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let url = format!("{}index.html", preview.url());
    browser.goto(&url);
    browser.eval("localStorage.setItem('lookout.interval-seconds', '5'); return true;");
    browser.goto(&url);
    let hero = "var h = document.querySelector('[data-mounted=hero] .hero'); return h ? h.className + '|' + h.textContent : '';";
    browser.wait_for(
        "the live first screen",
        Duration::from_secs(20),
        "var h = document.querySelector('[data-mounted=hero] .hero'); return !!h && h.className == 'hero hero-healthy';",
    );
    assert!(
        browser
            .eval(hero)
            .as_str()
            .is_some_and(|t| t.contains("All systems operational"))
    );

    // A module goes down (an error spike: annotations unhealthy); the generator snapshots.
    let (_spike, spike) = live_demo_backend(Incidents::Fixed(vec![Incident::ErrorSpike]));
    snapshot_and_build(&spike.base_url(), &mut store, &site);
    browser.wait_for(
        "the first screen to turn degraded within one poll",
        Duration::from_secs(12),
        "var h = document.querySelector('[data-mounted=hero] .hero'); return !!h && h.className == 'hero hero-degraded' && h.textContent.indexOf('Degraded performance') >= 0;",
    );
    let text = browser.eval(hero).as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains("annotations") || text.contains("Annotations"),
        "the reason names it: {text}"
    );
    assert!(!text.contains("Stale"), "{text}");
    // The page was built healthy: its "since" is not said of the new status.
    assert!(!text.contains("Healthy since"), "{text}");

    // The generator stops: no snapshot for more than three intervals, so stale, last state kept.
    browser.wait_for(
        "the first screen to say stale",
        Duration::from_secs(60),
        "var h = document.querySelector('[data-mounted=hero] .hero'); return !!h && h.className == 'hero hero-degraded hero-stale' && !!h.querySelector('.stale-banner');",
    );
    let text = browser.eval(hero).as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains("Stale since")
            && text.contains("the generator may have stopped")
            && text.contains("Degraded"),
        "{text}"
    );
    drop(preview);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_first_screen_keeps_the_pages_own_status_until_a_live_read_succeeds() {
    let Some((dir, browser, _store, site)) = calm_site("first-screen-unread") else {
        return;
    };
    // A host that does not publish the data folder: no live read can succeed.
    std::fs::remove_file(site.join("data/latest.json")).expect("latest.json");
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    browser.goto(&format!("{}index.html", preview.url()));
    browser.wait_for(
        "the widget to mount",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=hero]') && !!document.querySelector('[data-mounted=health]');",
    );
    std::thread::sleep(Duration::from_secs(2));
    let text = browser
        .eval("var h = document.querySelector('[data-mounted=hero] .hero h1'); return h ? h.textContent : '';")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        text.contains("All systems operational"),
        "the page's own first screen, not a blank one: {text:?}"
    );
    drop(preview);
    let _ = std::fs::remove_dir_all(&dir);
}
