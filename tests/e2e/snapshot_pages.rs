//! `site.snapshot_pages` in a real browser: the old address of a snapshot that is now a row of
//! its day's page leads there (through `404.html`, as on any static host that serves it).

use std::path::Path;
use std::time::Duration;

use crate::support::{clock, temp};
use crate::webdriver::Browser;

#[test]
fn an_old_snapshot_address_lands_on_its_row_of_the_day_page() {
    let dir = temp("snapshot-pages");
    let site = dir.join("site");
    let config =
        lookout::config::Config::from_toml("[site]\nsnapshot_pages = 1\n", Path::new("t.toml"))
            .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let end = clock().now_ms() as f64 / 1000.0;
    let start = end - 2.0 * 86_400.0;
    let demo = lookout::demo::Demo::new(lookout::demo::DemoOptions::quiet(4, "t".into()), start);
    let step = Duration::from_secs(1800);
    lookout::app::fill(&config, &demo, &mut store, start, end, step).expect("fill");
    lookout::app::build(&config, &mut store, &site, false, clock()).expect("build");
    let first = store.all_metas().expect("metas").remove(0);
    let (day, time) = first.slug.split_once('/').expect("a slug is day/time");
    assert!(
        !site.join(format!("snapshots/{day}/{time}.html")).exists(),
        "the oldest day's snapshots have no pages of their own"
    );
    let day_page = std::fs::read_to_string(site.join(format!("history/{day}.html"))).expect("day");
    assert!(day_page.contains(&format!("id=\"s-{time}\"")), "its row");

    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    browser.goto(&format!("{}snapshots/{day}/{time}.html", preview.url()));
    browser.wait_for(
        "the day's page at the snapshot's row",
        Duration::from_secs(10),
        &format!(
            "return location.pathname.endsWith('/history/{day}.html') && location.hash === '#s-{time}' && !!document.getElementById('s-{time}');"
        ),
    );
}
