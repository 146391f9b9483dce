//! The command line at its edges: backend text cannot drive the terminal or a log file, a
//! killed build's temp files go, one output folder belongs to one data folder, a data folder
//! that is a file and a site without an index are said plainly, with the documented exit codes.

use std::sync::Arc;

use lookout::demo::Incidents;
use lookout::http::{HttpRequest, HttpResponse};

use crate::support::{demo_backend, lookout_at, temp, write_config};

fn run(cmd: &mut std::process::Command) -> std::process::Output {
    cmd.output().expect("run lookout")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn backend_text_cannot_drive_the_terminal_and_logs_carry_no_colours() {
    let dir = temp("edges-ansi");
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nsnapshot forged stored: healthy";
    let body = format!(
        "{{\"detail\":{}}}",
        serde_json::to_string(evil).expect("json")
    );
    let server = lookout::http::start(
        ([127, 0, 0, 1], 0).into(),
        Arc::new(move |_req: HttpRequest| HttpResponse::new(500, "application/json", body.clone())),
    )
    .expect("server");
    let config = write_config(&dir, &format!("http://{}/", server.addr), "");
    let o = run(lookout_at(&config, &dir.join("data"), &dir.join("site"))
        .arg("-vv")
        .arg("snapshot"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    for (name, out) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        assert!(
            !out.iter().any(|b| *b == 0x1b || *b == 0x07 || *b == b'\r'),
            "{name} holds a control character"
        );
    }
    let said = text(&o.stdout);
    assert!(
        said.contains("pwned"),
        "the backend's words are still shown: {said}"
    );
    assert!(
        !said.lines().any(|l| l.starts_with("snapshot forged")),
        "no forged line: {said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_builds_temp_files_go_and_an_output_folder_has_one_owner() {
    let dir = temp("edges-build");
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let config = write_config(&dir, &server.base_url(), "");
    let (data, site) = (dir.join("data"), dir.join("site"));
    for step in ["snapshot", "build"] {
        let o = run(lookout_at(&config, &data, &site).arg(step));
        assert!(o.status.success(), "{step}: {}", text(&o.stderr));
    }
    // What a build killed mid-write leaves: its marker and a temp file beside a page.
    let tmp = site.join("history/.index.html.4242.7.lookout-tmp");
    std::fs::write(&tmp, b"half a page").expect("tmp");
    std::fs::write(site.join(".lookout-building"), b"").expect("marker");
    let o = run(lookout_at(&config, &data, &site).arg("build"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        !tmp.exists(),
        "the incremental build after a killed one removes its temp files"
    );
    assert!(!site.join(".lookout-building").exists());

    // A second data folder building into the same folder is refused (exit 1), the site kept.
    let index = std::fs::read(site.join("index.html")).expect("index");
    let other = dir.join("other-data");
    let o = run(lookout_at(&config, &other, &site).arg("snapshot"));
    assert!(o.status.success());
    let o = run(lookout_at(&config, &other, &site).arg("build"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("holds the site of the data folder"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        std::fs::read(site.join("index.html")).expect("index"),
        index
    );

    // A data folder that is a file: bad input, said as such.
    let file = dir.join("a-file");
    std::fs::write(&file, b"").expect("file");
    for cmd in ["snapshot", "check"] {
        let o = run(lookout_at(&config, &file, &site).arg(cmd));
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("is a file, not a folder"),
            "{}",
            text(&o.stderr)
        );
    }

    // A site without its index is a problem, and its links are still checked.
    std::fs::remove_file(site.join("index.html")).expect("rm index");
    let o = run(lookout_at(&config, &data, &site).arg("check"));
    assert_eq!(o.status.code(), Some(1));
    let said = text(&o.stdout);
    assert!(
        said.contains("no index.html") && said.contains("broken link:"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
