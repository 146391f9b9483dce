//! The smart alert panel in a real browser: the generator's rules on live data, acknowledge, preferences, history drawer and CSV, dismiss.

use std::time::Duration;

use lookout::demo::Incidents;

use crate::support::{TOKEN, live_clock, live_demo_backend, temp};
use crate::webdriver::Browser;

const PANEL: &str = "[data-mounted=alerts]";

fn js(s: &str) -> String {
    serde_json::Value::String(s.into()).to_string()
}

/// Sets a form field and fires `change`, as a person leaving the field does.
fn change(b: &Browser, selector: &str, value: &str) {
    b.eval(&format!(
        "var i = document.querySelector({}); i.value = {}; i.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
        js(selector),
        js(value)
    ));
}

fn click(b: &Browser, selector: &str) {
    b.eval(&format!(
        "document.querySelector({}).click(); return true;",
        js(selector)
    ));
}

#[test]
fn alert_panel_runs_the_rules_live_and_keeps_choices_in_the_browser() {
    let dir = temp("alert-panel");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let (_demo, server) = live_demo_backend(Incidents::Fixed(vec![]));
    // One rule that holds from the first snapshot (any latency is above 0 ms).
    let config = lookout::config::Config::from_toml(
        &format!(
            "[backend]\nbase_url = \"{}\"\n[alerts]\ndefaults = false\n[[alert]]\nname = \"Slow probe\"\nmetric = \"probe.latency_p95\"\nop = \">\"\nthreshold = 0\nfor = \"0s\"\nseverity = \"warning\"\n",
            server.base_url()
        ),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    let site = dir.join("site");
    let step = |store: &mut lookout::store::Store| {
        lookout::app::snapshot(&config, store, token.as_ref(), live_clock()).expect("snapshot");
        lookout::app::build(&config, store, &site, false, live_clock()).expect("build");
    };
    step(&mut store);
    let rules = std::fs::read_to_string(site.join("data/rules.json")).expect("rules.json");
    assert!(rules.contains("\"Slow probe\"") && rules.contains("\"phase\":\"firing\""));

    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let url = format!("{}index.html", preview.url());
    browser.goto(&url);
    browser.eval("localStorage.setItem('lookout.interval-seconds', '5'); return true;");
    browser.goto(&url);
    let firing = format!("{PANEL} li.alert-warning[data-key^='Slow probe|probe.latency_p95|']");
    browser.wait_for(
        "the firing alert, where the generator left it",
        Duration::from_secs(20),
        &format!("return !!document.querySelector({});", js(&firing)),
    );

    // Acknowledged: marked, and still so after a reload (localStorage).
    click(&browser, &format!("{firing} button.ack"));
    browser.goto(&url);
    browser.wait_for(
        "the acknowledgement to survive a reload",
        Duration::from_secs(20),
        &format!(
            "var a = document.querySelector({}); return !!a && a.classList.contains('alert-acked');",
            js(&firing)
        ),
    );

    // Dismissed: gone from the list, counted, and kept across a reload (until it fires anew).
    click(&browser, &format!("{firing} button.dismiss"));
    browser.goto(&url);
    browser.wait_for(
        "the dismissed alert to stay hidden",
        Duration::from_secs(20),
        &format!(
            "var w = document.querySelector({}); return !!w && !w.querySelector('li.alert') && w.textContent.indexOf('1 dismissed') >= 0;",
            js(PANEL)
        ),
    );

    // A higher threshold in the preferences: the next snapshot resolves it in the browser.
    click(
        &browser,
        &format!("{PANEL} .live-bar button[aria-expanded]:nth-of-type(2)"),
    );
    change(
        &browser,
        &format!("{PANEL} tr[data-rule='Slow probe'] input[name=threshold]"),
        "1000000",
    );
    step(&mut store);
    browser.wait_for(
        "the alert to resolve under the person's threshold",
        Duration::from_secs(20),
        &format!(
            "var w = document.querySelector({}); return w.textContent.indexOf('History (1)') >= 0 && w.textContent.indexOf('dismissed') < 0;",
            js(PANEL)
        ),
    );

    // Back to the site's threshold, with sound on: it fires again, live, and slides in.
    click(&browser, &format!("{PANEL} input[name=sound]"));
    change(
        &browser,
        &format!("{PANEL} tr[data-rule='Slow probe'] input[name=threshold]"),
        "",
    );
    assert_eq!(
        browser.eval("return localStorage.getItem('lookout.alert-prefs');"),
        "sound=on\n"
    );
    step(&mut store);
    browser.wait_for(
        "the alert to fire again, sliding in, with a tone",
        Duration::from_secs(20),
        &format!(
            "var a = document.querySelector({}); var p = document.querySelector({}); return !!a && a.classList.contains('alert-new') && !a.classList.contains('alert-acked') && p.getAttribute('data-beeps') == '1';",
            js(&firing),
            js(&format!("{PANEL} .alerts-widget"))
        ),
    );

    // The history drawer: both transitions, a severity filter, a search, a CSV of what is shown.
    click(
        &browser,
        &format!("{PANEL} .live-bar button[aria-expanded]:nth-of-type(1)"),
    );
    let rows = format!(
        "return document.querySelectorAll({}).length;",
        js(&format!("{PANEL} .alert-history tbody tr"))
    );
    assert_eq!(browser.eval(&rows), 2, "resolved, then fired again");
    change(
        &browser,
        &format!("{PANEL} select[name=severity]"),
        "critical",
    );
    assert_eq!(browser.eval(&rows), 0);
    change(
        &browser,
        &format!("{PANEL} select[name=severity]"),
        "warning",
    );
    assert_eq!(browser.eval(&rows), 2);
    browser.eval(&format!(
        "var i = document.querySelector({}); i.value = 'no such rule'; i.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
        js(&format!("{PANEL} input[name=q]"))
    ));
    assert_eq!(browser.eval(&rows), 0);
    browser.eval(&format!(
        "var i = document.querySelector({}); i.value = 'slow'; i.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
        js(&format!("{PANEL} input[name=q]"))
    ));
    assert_eq!(browser.eval(&rows), 2);
    let csv = browser.eval(&format!(
        "return decodeURIComponent(document.querySelector({}).getAttribute('href').split(',').slice(1).join(','));",
        js(&format!("{PANEL} a.csv"))
    ));
    let csv = csv.as_str().unwrap_or_default();
    assert!(
        csv.starts_with("time_ms,time_utc,event,severity,rule,metric,value\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains(",warning,Slow probe,probe.latency_p95,"))
            .count(),
        2,
        "{csv}"
    );

    drop(browser);
    preview.stop();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
