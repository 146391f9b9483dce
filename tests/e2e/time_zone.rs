//! `site.time_zone`: every page writes its times in the site's zone and names it, the charts'
//! axes tick at its round hours, and the live widgets write times as the static page does.

use std::path::Path;
use std::time::Duration;

use lookout::demo::sim::Incidents;

use crate::support::{TOKEN, clock, demo_backend, temp};
use crate::webdriver::Browser;

fn read(site: &Path, page: &str) -> String {
    std::fs::read_to_string(site.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

#[test]
fn every_page_writes_times_in_the_sites_zone_and_the_widgets_follow() {
    let dir = temp("time-zone");
    let site = dir.join("site");
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let config = lookout::config::Config::from_toml(
        &format!(
            "[backend]\nbase_url = \"{}\"\n[site]\ntime_zone = \"Asia/Kolkata\"\n",
            server.base_url()
        ),
        Path::new("t.toml"),
    )
    .expect("config");
    assert_eq!(
        config.report.time_zone, "Asia/Kolkata",
        "the report follows the site"
    );
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    for _ in 0..2 {
        lookout::app::snapshot(&config, &mut store, token.as_ref(), clock()).expect("snapshot");
    }
    lookout::app::build(&config, &mut store, &site, false, clock()).expect("build");

    // The tests' noon UTC is 17:30 in India.
    let index = read(&site, "index.html");
    assert!(
        index.contains("<html lang=\"en\" data-tz=\""),
        "the zone for the widgets"
    );
    assert!(index.contains(" IST"), "times name the zone");
    assert!(index.contains("2026-11-18 17:3"), "the index in local time");
    let day = read(&site, "history/2026-11-18.html");
    assert!(day.contains("Time (Asia/Kolkata)"), "{day}");
    assert!(day.contains(">17:3"), "the day's snapshots at local times");
    let part = std::fs::read_dir(site.join("modules"))
        .expect("module pages")
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "html"))
        .expect("a part page");
    let part = std::fs::read_to_string(part.path()).expect("part");
    assert!(
        part.contains(" IST") && !part.contains(" UTC<"),
        "a part page"
    );
    let bad = lookout::config::Config::from_toml(
        "[backend]\nbase_url = \"http://x\"\n[site]\ntime_zone = \"Mars/Olympus\"\n",
        Path::new("t.toml"),
    );
    assert!(bad.is_err_and(|e| e.to_string().contains("site.time_zone")));

    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    browser.goto(&format!("{}index.html", preview.url()));
    // The fixed clock's snapshot is old to the browser: the first screen says since when.
    browser.wait_for(
        "the live first screen in the site's zone",
        Duration::from_secs(20),
        "var h = document.querySelector('[data-mounted=hero]'); return !!h && /2026-11-18 17:3\\d:\\d\\d IST/.test(h.textContent);",
    );
}
