//! The check-now widget in Chromium against the demo's admin API: a service a mapped source
//! said can check itself is asked with the tab's token; a refused token and a passing check
//! each read in words.

use std::time::Duration;

use lookout::demo::sim::Incidents;

use crate::support::{TOKEN, demo_for, live_clock, temp};
use crate::webdriver::Browser;
use crate::widgets::type_into;

#[test]
fn check_now_asks_a_service_with_the_tabs_token() {
    let dir = temp("check-widget");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let site = dir.join("site");
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let origin = format!("http://{}", preview.addr);
    let (_demo, server) = demo_for(&origin, 5, Incidents::Fixed(vec![]), live_clock());
    let base = server.base_url();
    let config = lookout::config::Config::from_toml(
        &format!(
            "[[source]]\nname = \"admin\"\nkind = \"json\"\nbase_url = \"{base}/admin-api/\"\n\
             [[source.endpoint]]\nname = \"services\"\nurl = \"api/v1/admin/health/services\"\n\
             [[source.endpoint.map]]\nitems = \"services\"\nkey = \"id\"\nstatus = \"status\"\ncheck = \"services/{{id}}/check\"\n"
        ),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    lookout::app::snapshot(&config, &mut store, None, live_clock()).expect("snapshot");
    lookout::app::build(&config, &mut store, &site, false, live_clock()).expect("build");

    browser.goto(&format!("{}index.html", preview.url()));
    browser.wait_for(
        "the check-now widget",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=check] li[data-part=gateway] button');",
    );
    let click = "document.querySelector('[data-mounted=check] li[data-part=gateway] button').click(); return true;";
    let said = "var m = document.querySelector('[data-mounted=check] li[data-part=gateway] [role=status]'); return m ? m.textContent : '';";
    // A wrong token: the demo's 401 carries no CORS headers, as the real backends' do.
    type_into(
        &browser,
        "[data-mounted=check] input[name=token]",
        "wrong-token",
    );
    browser.eval(click);
    browser.wait_for(
        "the refused-token message",
        Duration::from_secs(10),
        &format!("var t = (function () {{ {said} }})(); return t.indexOf('token may have been refused') >= 0;"),
    );
    type_into(&browser, "[data-mounted=check] input[name=token]", TOKEN);
    browser.eval(click);
    browser.wait_for(
        "the service's own answer",
        Duration::from_secs(10),
        &format!("var t = (function () {{ {said} }})(); return /^ ?healthy in \\d+ ms$/.test(t);"),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
