//! `lookout run` as a spawned process: one instance per data folder, a killed holder's lock taken over, SIGTERM finishes cleanly with nothing half-written.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lookout::demo::Incidents;

use crate::support::*;

fn start_run(config: &Path, data: &Path, out: &Path) -> Child {
    lookout_at(config, data, out)
        .arg("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn run")
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Files a killed or stopped writer could leave behind: temp files of atomic writes.
fn leftovers(dir: &Path) -> Vec<String> {
    lookout::render::files_under(dir)
        .into_iter()
        .map(|p| p.display().to_string())
        .filter(|p| p.ends_with(lookout::render::TMP_SUFFIX) || p.contains(".tmp"))
        .collect()
}

#[test]
fn run_holds_the_data_folder_stops_cleanly_on_sigterm_and_a_killed_lock_is_taken_over() {
    let dir = temp("run");
    let (_demo, server) = demo_backend(Incidents::Fixed(vec![]));
    let config = write_config(
        &dir,
        &server.base_url(),
        "[schedule]\ninterval_seconds = 10\n",
    );
    let (data, out) = (dir.join("data"), dir.join("site"));

    // First instance: an empty store is caught up at once (no waiting for the next tick).
    let mut first = start_run(&config, &data, &out);
    wait_for("the catch-up build", Duration::from_secs(60), || {
        out.join("index.html").is_file()
    });
    let pid = std::fs::read_to_string(data.join("lookout.lock")).expect("lock file");
    assert_eq!(pid.trim(), first.id().to_string());

    // A second one on the same folder is refused, naming the holder.
    let second = lookout_at(&config, &data, &out)
        .arg("snapshot")
        .output()
        .expect("second");
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains(&format!("another lookout (pid {})", first.id())),
        "{err}"
    );

    // SIGTERM: the step in progress (if any) finishes, exit 0, no temp file anywhere.
    let term = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let status = first.wait().expect("wait");
    let mut log = String::new();
    if let Some(mut e) = first.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut log);
    }
    assert!(status.success(), "exit after SIGTERM: {status:?}\n{log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    assert!(leftovers(&data).is_empty(), "{:?}", leftovers(&data));

    // A holder killed outright (SIGKILL) leaves its pid in the file; the next run takes over.
    let mut killed = start_run(&config, &data, &out);
    wait_for(
        "the killed run to hold the lock",
        Duration::from_secs(30),
        || {
            std::fs::read_to_string(data.join("lookout.lock"))
                .is_ok_and(|p| p.trim() == killed.id().to_string())
        },
    );
    killed.kill().expect("SIGKILL");
    let _ = killed.wait();
    let mut next = start_run(&config, &data, &out);
    wait_for(
        "the successor to take the lock",
        Duration::from_secs(30),
        || {
            std::fs::read_to_string(data.join("lookout.lock"))
                .is_ok_and(|p| p.trim() == next.id().to_string())
        },
    );
    assert!(
        next.try_wait().expect("try_wait").is_none(),
        "still running"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &next.id().to_string()])
        .status();
    assert!(next.wait().expect("wait").success());
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
