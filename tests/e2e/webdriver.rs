//! A small WebDriver client (JSON over HTTP/1.1 to chromedriver) driving Debian's Chromium headless.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::a11y::on_path;

/// chromedriver and one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
}

/// The flags Chromium needs on this machine: headless, as root, with no network of its own.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The page's DOM after Chromium has loaded it, with JavaScript on (given time to run) or off;
/// `None` (after a SKIPPED line) without Chromium.
pub fn dump_dom(url: &str, javascript: bool, profile: &Path) -> Option<String> {
    let Some(chromium) = on_path("chromium") else {
        crate::a11y::missing("chromium");
        return None;
    };
    let mut cmd = Command::new(chromium);
    cmd.args(CHROMIUM_FLAGS)
        .arg("--virtual-time-budget=10000")
        .arg(format!("--user-data-dir={}", profile.display()));
    if !javascript {
        // The profile's own setting, as a person would switch JavaScript off (the blink-settings
        // switch would also stop --dump-dom, which reads the page through a script).
        std::fs::create_dir_all(profile.join("Default")).expect("profile");
        std::fs::write(
            profile.join("Default/Preferences"),
            r#"{"profile":{"default_content_setting_values":{"javascript":2}}}"#,
        )
        .expect("preferences");
    }
    let out = cmd
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("start chromium");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    // chromedriver may keep the connection open: read the head, then exactly Content-Length.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the headers".into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no Content-Length")?;
    while raw.len() < head_end + len {
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body =
        String::from_utf8_lossy(&raw[head_end..(head_end + len).min(raw.len())]).into_owned();
    serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))
}

impl Browser {
    /// Starts chromedriver and a headless session; `None` (after a SKIPPED line, or a panic when
    /// browsers are required) when Chromium or chromedriver is not installed.
    pub fn start(profile: &Path) -> Option<Browser> {
        let (Some(chromium), Some(driver)) = (on_path("chromium"), on_path("chromedriver")) else {
            crate::a11y::missing("chromium or chromedriver");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let t = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": CHROMIUM_FLAGS
                    .iter()
                    .map(|f| (*f).to_owned())
                    .chain(["--window-size=1280,900".to_owned(), format!("--user-data-dir={}", profile.display())])
                    .collect::<Vec<_>>()
            }
        }}});
        let mut b = Browser {
            driver: child,
            addr,
            session: String::new(),
        };
        let v = request(addr, "POST", "/session", Some(&caps)).expect("new session");
        b.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        Some(b)
    }

    fn call(&self, method: &str, tail: &str, body: Option<&Value>) -> Value {
        let v = request(
            self.addr,
            method,
            &format!("/session/{}{tail}", self.session),
            body,
        )
        .unwrap_or_else(|e| panic!("webdriver {tail}: {e}"));
        v["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(&json!({"url": url})));
    }

    /// Runs JavaScript in the page and returns its result.
    pub fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": []})),
        )
    }

    /// Emulates a screen `width` CSS px wide (a phone's when `mobile`: the page's viewport meta
    /// applies), through Chromium's DevTools, as its device toolbar does.
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(
                &json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                    "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
                }}),
            ),
        );
    }

    /// Polls `script` until it returns true, or fails after `limit` saying what it waited for.
    pub fn wait_for(&self, what: &str, limit: Duration, script: &str) {
        let t = Instant::now();
        loop {
            if self.eval(script) == Value::Bool(true) {
                return;
            }
            assert!(t.elapsed() < limit, "waited {limit:?} for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
