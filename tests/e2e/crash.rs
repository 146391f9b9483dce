//! A writer killed mid-snapshot leaves a readable store holding every committed snapshot.

use std::process::Stdio;
use std::time::{Duration, Instant};

use lookout::store::Store;

use crate::support::*;

#[test]
fn killed_writer_leaves_a_consistent_store_and_a_second_writer_still_lands() {
    let dir = temp("crash");
    let data = dir.join("data");
    drop(Store::open(&data).expect("create"));
    let mut last_count = 0;
    for round in 0..3u64 {
        let mut child = bin()
            .args(["--data-dir"])
            .arg(&data)
            .args(["fill", "--days", "60", "--step", "10"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn fill");
        // Meanwhile this process writes too: two writers at once must both land or wait.
        let mut mine = Store::open(&data).expect("second writer");
        let started = Instant::now();
        let mut inserted = 0;
        // Each round runs at least its time, and on until the child has committed too (on a
        // loaded machine its first batch can take longer than the round), at most 20 s.
        let child_committed = |mine: &Store, inserted: i64| {
            mine.count().is_ok_and(|c| c > last_count + inserted as u64)
        };
        while started.elapsed() < Duration::from_millis(700 + round * 250)
            || (!child_committed(&mine, inserted) && started.elapsed() < Duration::from_secs(20))
        {
            let ms = 1_500_000_000_000 + (round as i64 * 1000 + inserted) * 1000;
            let a = lookout::collect::assemble(ms, 1.0, vec![]);
            mine.insert(&a)
                .expect("concurrent insert waits, never corrupts");
            inserted += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().expect("kill");
        let status = child.wait().expect("wait");
        assert!(!status.success(), "the child was killed, not finished");
        let store = Store::open(&data).expect("reopen after kill");
        let problems = store.check().expect("check");
        assert!(problems.is_empty(), "round {round}: {problems:?}");
        let count = store.count().expect("count");
        assert!(
            count > last_count + inserted as u64,
            "round {round}: child and parent both committed ({count})"
        );
        last_count = count;
        let latest = store.latest().expect("latest readable");
        assert!(latest.is_some());
    }
    // The CLI agrees.
    let out = bin()
        .args(["--data-dir"])
        .arg(&data)
        .arg("check")
        .output()
        .expect("check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
