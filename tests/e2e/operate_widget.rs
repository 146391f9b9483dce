//! The operator widgets in Chromium against the demo's admin API, configured by the repository's
//! example: disconnecting a WebSocket connection behind a confirmation (403 with the viewer's
//! token, done with the admin's), switching middleware steps (422 for one that may not be
//! switched off) and saving their order (409 when it changed since it was loaded, 422 for an
//! order the backend refuses).

use std::io::{Read, Write};
use std::time::Duration;

use lookout::demo::sim::Incidents;

use crate::support::{TOKEN, demo_for, live_clock, temp};
use crate::webdriver::Browser;
use crate::widgets::type_into;

/// A change made behind the widget's back, as another operator would: raw HTTP with the token.
fn patch(addr: std::net::SocketAddr, path: &str, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let req = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn said(b: &Browser) -> String {
    b.eval("var m = document.querySelector('[data-mounted=operate] [role=status]'); return m ? m.textContent : '';")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn wait_said(b: &Browser, what: &str, needle: &str) {
    b.wait_for(
        what,
        Duration::from_secs(10),
        &format!(
            "var m = document.querySelector('[data-mounted=operate] [role=status]'); return !!m && m.textContent.indexOf({needle:?}) >= 0;"
        ),
    );
}

/// Clicks the first button of the widget whose text starts with `text`.
fn click(b: &Browser, text: &str) {
    let ok = b.eval(&format!(
        "var bs = Array.from(document.querySelectorAll('[data-mounted=operate] button')).filter(function (x) {{ return x.textContent.indexOf({text:?}) === 0 && !x.disabled; }}); if (!bs.length) return false; bs[0].click(); return true;"
    ));
    assert_eq!(
        ok,
        serde_json::Value::Bool(true),
        "a button {text:?}: {}",
        said(b)
    );
}

fn rows(b: &Browser) -> Vec<String> {
    let v = b.eval("return Array.from(document.querySelectorAll('[data-mounted=operate] tbody tr')).map(function (r) { return r.getAttribute('data-row'); });");
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn wait_rows(b: &Browser, what: &str, want: &[&str]) {
    b.wait_for(
        what,
        Duration::from_secs(10),
        &format!(
            "return JSON.stringify(Array.from(document.querySelectorAll('[data-mounted=operate] tbody tr')).map(function (r) {{ return r.getAttribute('data-row'); }})) === {:?};",
            serde_json::to_string(want).unwrap_or_default()
        ),
    );
}

#[test]
fn operators_disconnect_switch_and_reorder_with_every_refusal_in_words() {
    let dir = temp("operate-widget");
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let site = dir.join("site");
    let preview = lookout::serve::start(&site, ([127, 0, 0, 1], 0).into()).expect("serve");
    let origin = format!("http://{}", preview.addr);
    let (demo, server) = demo_for(&origin, 5, Incidents::Fixed(vec![]), live_clock());
    let base = server.base_url();
    let text = lookout::demo::admin_api::EXAMPLE
        .replace("https://admin.example.com/", &format!("{base}/admin-api/"));
    let config = lookout::config::Config::from_toml(&text, std::path::Path::new("admin-api.toml"))
        .expect("the example config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    let token = lookout::collect::Token::new(TOKEN.into());
    lookout::app::snapshot(&config, &mut store, token.as_ref(), live_clock()).expect("snapshot");
    lookout::app::build(&config, &mut store, &site, false, live_clock()).expect("build");
    let page = std::fs::read_to_string(site.join("sections/websocket.html")).expect("page");
    assert!(
        page.contains("import init from \"../assets/operator-"),
        "the operator bundle"
    );
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(
        index.contains("assets/widgets-") && !index.contains("assets/operator-"),
        "the index loads the small bundle"
    );

    // WebSocket: the viewer's token reads the list, and its disconnect is refused (403).
    browser.goto(&format!("{}sections/websocket.html", preview.url()));
    browser.wait_for(
        "the operator widget",
        Duration::from_secs(20),
        "return !!document.querySelector('[data-mounted=operate] input[name=token]');",
    );
    type_into(
        &browser,
        "[data-mounted=operate] input[name=token]",
        &demo.viewer_token(),
    );
    click(&browser, "Read the live list");
    browser.wait_for(
        "the live connections",
        Duration::from_secs(10),
        "return document.querySelectorAll('[data-mounted=operate] tbody tr').length > 0;",
    );
    let before = rows(&browser);
    let first = before[0].clone();
    click(&browser, &format!("Disconnect {first}"));
    // Nothing is sent before the confirmation; it names the client.
    let confirm = browser.eval("var c = document.querySelector('[data-mounted=operate] .confirm'); return c ? c.textContent : '';");
    assert!(
        confirm.as_str().is_some_and(
            |c| c.contains("Disconnect 10.0.") && c.contains("Its subscriptions end now")
        ),
        "{confirm}"
    );
    click(&browser, "Cancel");
    assert_eq!(rows(&browser), before, "cancelled: nothing changed");
    click(&browser, &format!("Disconnect {first}"));
    click(&browser, "Yes, disconnect");
    wait_said(
        &browser,
        "the 403 in words",
        "HTTP 403: Admin role required",
    );
    assert!(
        said(&browser).contains("an admin's token"),
        "{}",
        said(&browser)
    );
    // The admin's token: done, and the list read again lacks it.
    type_into(&browser, "[data-mounted=operate] input[name=token]", TOKEN);
    click(&browser, &format!("Disconnect {first}"));
    click(&browser, "Yes, disconnect");
    wait_said(&browser, "the disconnect done", "done (HTTP 200)");
    let after: Vec<&str> = before[1..].iter().map(String::as_str).collect();
    wait_rows(&browser, "the list without it", &after);

    // The pipeline: the token typed in this tab is read again on the next page.
    browser.goto(&format!(
        "{}sections/middleware-pipeline.html",
        preview.url()
    ));
    wait_rows(
        &browser,
        "the live pipeline",
        &["request-id", "auth", "rate-limit", "compress"],
    );
    click(&browser, "On: switch auth off");
    wait_said(
        &browser,
        "the 422 in words",
        "refused as invalid (HTTP 422: auth cannot be switched off",
    );
    click(&browser, "Off: switch compress on");
    wait_said(
        &browser,
        "the switch done",
        "Switch on compress: done (HTTP 200)",
    );
    browser.wait_for(
        "compress switched on",
        Duration::from_secs(10),
        "return Array.from(document.querySelectorAll('[data-mounted=operate] button')).some(function (b) { return b.textContent === 'On: switch compress off'; });",
    );
    // Moved here, changed elsewhere before saving: 409, and the list is read again.
    browser.eval("document.querySelector('[data-mounted=operate] button[aria-label=\"Move compress up\"]').click(); return true;");
    wait_rows(
        &browser,
        "compress moved up",
        &["request-id", "auth", "compress", "rate-limit"],
    );
    let answer = patch(
        server.addr,
        "/admin-api/api/v1/admin/middleware/1",
        "{\"enabled\":true}",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    click(&browser, "Save order");
    wait_said(
        &browser,
        "the 409 in words",
        "changed since you loaded it (HTTP 409",
    );
    wait_rows(
        &browser,
        "the order as the backend has it",
        &["request-id", "auth", "rate-limit", "compress"],
    );
    // An order the backend refuses: 422.
    browser.eval("document.querySelector('[data-mounted=operate] button[aria-label=\"Move rate-limit up\"]').click(); return true;");
    wait_rows(
        &browser,
        "rate-limit moved up",
        &["request-id", "rate-limit", "auth", "compress"],
    );
    click(&browser, "Save order");
    wait_said(
        &browser,
        "the refused order",
        "HTTP 422: rate-limit must run after auth",
    );
    // And one it takes.
    browser.eval("document.querySelector('[data-mounted=operate] button[aria-label=\"Move auth up\"]').click(); return true;");
    browser.eval("document.querySelector('[data-mounted=operate] button[aria-label=\"Move auth up\"]').click(); return true;");
    wait_rows(
        &browser,
        "auth first",
        &["auth", "request-id", "rate-limit", "compress"],
    );
    click(&browser, "Save order");
    wait_said(&browser, "the order saved", "Save order: done (HTTP 200)");
    wait_rows(
        &browser,
        "the saved order read again",
        &["auth", "request-id", "rate-limit", "compress"],
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
