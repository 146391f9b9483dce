//! The daily report against a real SMTP server process (Python's smtpd): both parts, inline images by Content-ID, subject and date; a refusing server leaves it in the outbox and a later run delivers it once; the HTML part looked at in Chromium; made once a day by the scheduler, late after downtime.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::*;

/// The SMTP server process and the folder it stores messages in.
struct Smtp {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Smtp {
    fn start(dir: &Path, refuse: bool) -> Option<Smtp> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/smtp_sink.py");
        std::fs::create_dir_all(dir).expect("mail dir");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg(dir);
        if refuse {
            cmd.arg("refuse");
        }
        let Ok(mut child) = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn() else {
            crate::a11y::missing("python3 (for the test SMTP server)");
            return None;
        };
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = std::io::BufReader::new(out).read_line(&mut line);
        }
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("SMTP server did not start: {line:?}"));
        Some(Smtp {
            child,
            port,
            dir: dir.to_owned(),
        })
    }

    fn received(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for n in 1.. {
            let Ok(text) = std::fs::read_to_string(self.dir.join(format!("{n}.json"))) else {
                break;
            };
            out.push(serde_json::from_str(&text).expect("summary"));
        }
        out
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lookout(config: &Path, data: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    lookout_at(config, data, out)
        .args(args)
        .output()
        .expect("run lookout")
}

fn config(dir: &Path, smtp_port: u16) -> PathBuf {
    write_config(
        dir,
        "http://127.0.0.1:9",
        &format!(
            "[site]\ntitle = \"Acme status\"\npublic_url = \"https://status.example.com\"\n\
             [report]\nto = [\"ops@example.com\"]\nfrom = \"Lookout <lookout@example.com>\"\ntime_zone = \"Europe/Berlin\"\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\n"
        ),
    )
}

#[test]
fn report_mail_reaches_a_real_smtp_server_once_even_after_a_refusal() {
    let dir = temp("report");
    let (data, out) = (dir.join("data"), dir.join("site"));
    let Some(refusing) = Smtp::start(&dir.join("refused"), true) else {
        return;
    };
    let cfg = config(&dir, refusing.port);
    // Two days of simulated history, then the site.
    for step in [&["fill", "--days", "2", "--step", "600"][..], &["build"]] {
        let o = lookout(&cfg, &data, &out, step);
        assert!(
            o.status.success(),
            "{step:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").expect("tz");
    let today = lookout::report::local_day(NOW_MS, &tz);
    let day = today.yesterday().expect("yesterday").to_string();

    // The server refuses: the command fails, the mail waits in the outbox.
    let o = lookout(&cfg, &data, &out, &["report", "--send"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("kept in the outbox") && err.contains("554"),
        "{err}"
    );
    let outbox = data.join("outbox");
    assert_eq!(lookout::report::mail::waiting(&outbox).len(), 1);
    assert!(refusing.received().is_empty());
    assert!(
        out.join(format!("reports/{day}.html")).is_file(),
        "the page is there regardless"
    );
    drop(refusing);

    // A server that accepts: the next run delivers it, once; the run after sends nothing more.
    let Some(smtp) = Smtp::start(&dir.join("accepted"), false) else {
        return;
    };
    let cfg = config(&dir, smtp.port);
    let before = clock().now_ms();
    let o = lookout(
        &cfg,
        &data,
        &out,
        &[
            "report",
            "--send",
            "--date",
            &day,
            "--to",
            "Night Shift <night@example.com>",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = smtp.received();
    assert_eq!(got.len(), 2, "the kept one and the new one: {got:?}");
    assert!(lookout::report::mail::waiting(&outbox).is_empty());
    let o = lookout(
        &cfg,
        &data,
        &out,
        &["report", "--send", "--date", "2000-01-01"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = smtp.received();
    assert_eq!(got.len(), 3, "only the new one: nothing sent twice");
    assert_eq!(
        got.iter()
            .filter(|m| m["rcpttos"] == serde_json::json!(["ops@example.com"]))
            .count(),
        2
    );

    let m = &got[1];
    assert_eq!(m["rcpttos"], serde_json::json!(["night@example.com"]));
    assert_eq!(m["top"], "multipart/alternative");
    let parts: Vec<&str> = m["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        parts,
        [
            "multipart/alternative",
            "text/plain",
            "multipart/related",
            "text/html",
            "image/png",
            "image/png"
        ]
    );
    assert_eq!(
        m["cids"], m["html_cids"],
        "every image is used by the HTML, by Content-ID"
    );
    assert_eq!(m["cids"].as_array().map(Vec::len), Some(2));
    let subject = m["subject"].as_str().unwrap_or_default();
    assert!(
        subject.starts_with(&format!("Acme status: daily report for {day}: uptime ")),
        "{subject}"
    );
    let date =
        jiff::fmt::rfc2822::parse(m["date"].as_str().unwrap_or_default()).expect("Date header");
    let sent_ms = date.timestamp().as_millisecond();
    assert!(
        (before - 1_000..clock().now_ms() + 1_000).contains(&sent_ms),
        "{}",
        m["date"]
    );
    let text = m["text"].as_str().unwrap_or_default();
    for section in [
        "Components and modules",
        "Alerts fired and resolved",
        "Biggest regressions",
        "Read latency",
        "Anomalies",
    ] {
        assert!(
            text.contains(section),
            "{section} missing from the text part"
        );
    }
    assert!(text.contains(&format!("https://status.example.com/reports/{day}.html")));

    // The HTML part as a person sees it: rendered by Chromium, every section there, not blank.
    let html = smtp.dir.join("2.html");
    if let Some(dom) = crate::webdriver::dump_dom(
        &format!("file://{}", html.display()),
        false,
        &dir.join("p1"),
    ) {
        for section in [
            "Components and modules",
            "Incidents and maintenance",
            "Biggest improvements",
            "On the site",
        ] {
            assert!(
                dom.contains(section),
                "{section} missing from the rendered HTML part"
            );
        }
        let shot = dir.join("report.png");
        screenshot(&html, &shot, &dir.join("p2"));
        let png = std::fs::read(&shot).expect("screenshot");
        let dec = png::Decoder::new(std::io::Cursor::new(&png));
        let mut r = dec.read_info().expect("png");
        let mut buf = vec![0; r.output_buffer_size()];
        let info = r.next_frame(&mut buf).expect("frame");
        let px = info.color_type.samples();
        let inked = buf[..info.buffer_size()]
            .chunks(px)
            .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
            .count();
        assert!(
            inked > 20_000,
            "the rendered report is mostly blank ({inked} inked pixels)"
        );
        // The charts resolved (the blue of the line is there).
        let blue = buf[..info.buffer_size()]
            .chunks(px)
            .filter(|p| p[2] > 180 && p[0] < 120)
            .count();
        assert!(
            blue > 300,
            "the inline charts did not render ({blue} blue pixels)"
        );
    }
    // The site lists the reports.
    let index = std::fs::read_to_string(out.join("reports/index.html")).expect("reports index");
    assert!(index.contains(&format!("href=\"{day}.html\"")));
    let _ = std::fs::remove_dir_all(&dir);
}

fn screenshot(page: &Path, shot: &Path, profile: &Path) {
    let ok = Command::new("chromium")
        .args(crate::webdriver::CHROMIUM_FLAGS)
        .args(["--hide-scrollbars", "--window-size=800,1600"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("chromium");
    assert!(ok.success());
}

#[test]
fn the_scheduler_makes_each_days_report_once_and_marks_a_late_one() {
    let dir = temp("report-schedule");
    let data = dir.join("data");
    let cfg_path = write_config(
        &dir,
        "http://127.0.0.1:9",
        "[report]\nto = [\"ops@example.com\"]\ntime = \"06:30\"\ntime_zone = \"UTC\"\n",
    );
    let o = lookout(
        &cfg_path,
        &data,
        &dir.join("site"),
        &["fill", "--days", "3", "--step", "900"],
    );
    assert!(o.status.success());
    let config = lookout::config::Config::load(&cfg_path).expect("config");
    let paths = lookout::app::Paths {
        data_dir: data.clone(),
        out_dir: dir.join("site"),
    };
    let mut store = lookout::store::Store::open(&data).expect("store");
    let today = lookout::report::local_day(NOW_MS, &jiff::tz::TimeZone::UTC);
    let due = today
        .at(6, 30, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .expect("due")
        .timestamp()
        .as_millisecond();
    // Before the time: nothing. At the time: yesterday's report. Again: nothing (once a day).
    assert!(
        lookout::app::report_if_due(&config, &mut store, &paths, due - 60_000)
            .expect("early")
            .is_none()
    );
    let made = lookout::app::report_if_due(&config, &mut store, &paths, due + 60_000)
        .expect("due")
        .expect("made");
    assert_eq!(made.day, today.yesterday().expect("y").to_string());
    assert_eq!(
        store.report_made(&made.day).expect("made"),
        Some((due + 60_000, false))
    );
    assert!(
        lookout::app::report_if_due(&config, &mut store, &paths, due + 120_000)
            .expect("again")
            .is_none()
    );
    let eml = std::fs::read_to_string(made.eml.as_ref().expect("a recipient"))
        .expect("eml in the outbox (no SMTP configured)");
    assert!(
        eml.lines()
            .any(|l| l.starts_with("Message-ID: <") && l.ends_with("@localhost>")),
        "a Message-ID on the sender's domain"
    );
    assert!(eml.contains("Lookout status: daily report for") && !eml.contains("[late]"));

    // Down for a day: back hours after the next day's time, today's report is made, once, late.
    let back = due + 86_400_000 + 5 * 3_600_000;
    let late = lookout::app::report_if_due(&config, &mut store, &paths, back)
        .expect("late")
        .expect("the missed report is made");
    assert_eq!(late.day, today.to_string());
    assert_eq!(
        store.report_made(&late.day).expect("made").map(|m| m.1),
        Some(true)
    );
    let eml = std::fs::read_to_string(late.eml.as_ref().expect("a recipient")).expect("eml");
    assert!(eml.contains("[late]"), "marked late");
    assert!(
        lookout::app::report_if_due(&config, &mut store, &paths, back + 60_000)
            .expect("again")
            .is_none()
    );

    // A longer period by hand: two days ending yesterday, compared with the two before.
    drop(store);
    let yesterday = today.yesterday().expect("y");
    let first = yesterday.yesterday().expect("y-1");
    let o = lookout(
        &cfg_path,
        &data,
        &dir.join("site"),
        &["report", "--date", &yesterday.to_string(), "--days", "2"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let name = format!("{first}--{yesterday}");
    let page =
        std::fs::read_to_string(dir.join(format!("site/reports/{name}.html"))).expect("span page");
    assert!(page.contains(&format!("{first} to {yesterday}")) && page.contains("period before"));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("site/reports/{name}.json"))).expect("span json"),
    )
    .expect("json");
    assert!(
        json["subject"]
            .as_str()
            .is_some_and(|s| s.contains(&format!("report for {first} to {yesterday}")))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn alert_notifications_by_mail_arrive_grouped_and_once() {
    let dir = temp("notify-mail");
    let Some(smtp) = Smtp::start(&dir.join("mail"), false) else {
        return;
    };
    let (_demo, server) = demo_backend(lookout::demo::Incidents::Fixed(vec![]));
    let cfg = write_config(
        &dir,
        &server.base_url(),
        &format!(
            "[site]\ntitle = \"Acme status\"\n[notify]\nemail_to = [\"ops@example.com\"]\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
             [alerts]\ndefaults = false\n\
             [[alert]]\nname = \"Slow probe\"\nmetric = \"probe.latency_p95\"\nop = \">\"\nthreshold = 0\nfor = \"0s\"\nseverity = \"warning\"\n\
             [[alert]]\nname = \"Probe errors\"\nmetric = \"probe.error_rate\"\nop = \">=\"\nthreshold = 0\nfor = \"0s\"\nseverity = \"critical\"\n",
            smtp.port
        ),
    );
    let (data, out) = (dir.join("data"), dir.join("site"));
    for step in [&["snapshot"][..], &["build"], &["notify"], &["notify"]] {
        let o = lookout(&cfg, &data, &out, step);
        assert!(
            o.status.success(),
            "{step:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let got = smtp.received();
    assert_eq!(
        got.len(),
        1,
        "one message for both, and none again: {got:?}"
    );
    assert_eq!(got[0]["subject"], "Acme status: 2 alerts firing");
    let text = got[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("[CRITICAL] Probe errors") && text.contains("[WARNING] Slow probe"),
        "{text}"
    );
    assert!(lookout::report::mail::waiting(&data.join("outbox")).is_empty());
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
