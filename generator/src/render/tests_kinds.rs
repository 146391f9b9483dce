//! The page registry against a whole demo site: every file an incremental build writes is one a
//! registered page kind declared (else it would be rewritten on every build), over builds that
//! cross quarter hours, hours and a day.

use std::time::Duration;

use super::*;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::content::Content;
use crate::demo::{Demo, DemoOptions};
use crate::store::tests::temp_dir;

/// 2026-09-20 22:00 UTC: two hours before a day turns.
const END_S: f64 = 1_790_028_000.0;
const STEP_S: f64 = 300.0;

#[test]
fn every_file_of_an_incremental_build_is_declared_by_a_registered_page_kind() {
    let dir = temp_dir("render-kinds");
    let mut store = Store::open(&dir.join("data")).expect("store");
    let config = Config::defaults();
    let start = END_S - 86_400.0;
    let demo = Demo::new(DemoOptions::quiet(3, "kinds".into()), start);
    let step = Duration::from_secs_f64(STEP_S);
    crate::app::fill(&config, &demo, &mut store, start, END_S, step).expect("fill");
    let out = dir.join("site");
    let build_at = |store: &mut Store, at_s: f64| {
        let opts = BuildOptions {
            clock: crate::clock::Clock::starting_at((at_s * 1000.0) as i64),
            ..BuildOptions::default()
        };
        build(
            store,
            &config.site,
            &Analysis::default(),
            &Content::default(),
            &out,
            opts,
        )
        .expect("build")
    };
    let first = build_at(&mut store, END_S);
    assert!(first.full && first.written > 100, "{first}");
    let mut most = 0;
    let mut last = first;
    // 30 snapshots: two and a half hours, over midnight.
    for i in 1..=30 {
        let at = END_S + STEP_S * f64::from(i);
        crate::app::fill(&config, &demo, &mut store, at, at + 1.0, step).expect("one more");
        let r = build_at(&mut store, at + 1.0);
        assert!(!r.full, "{r}");
        assert!(
            r.undeclared.is_empty(),
            "written by no registered page kind: {:?}",
            r.undeclared
        );
        most = most.max(r.written);
        last = r;
    }
    // The probe sees files: builds wrote more than the snapshot's own pages.
    assert!(most > 4, "{most}");
    // The site's size as each build reports it is the folder's (its markers aside).
    let (mut files, mut bytes) = (0u64, 0u64);
    for e in walkdir::WalkDir::new(&out) {
        let e = e.expect("walk");
        let name = e.file_name().to_string_lossy();
        if e.file_type().is_file() && !name.starts_with(".lookout-") {
            files += 1;
            bytes += e.metadata().expect("meta").len();
        }
    }
    assert_eq!((last.site_files, last.site_bytes), (files, bytes), "{last}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_build_keeps_the_snapshot_pages_its_folder_has_and_renders_the_rest() {
    use crate::store::tests::assembled;
    let dir = temp_dir("render-keep");
    let mut store = Store::open(&dir.join("data")).expect("store");
    const T0: i64 = 1_790_000_000_000;
    for i in 0..20 {
        store
            .insert(&assembled(T0 + i * 300_000, model::Status::Healthy, 1.0))
            .expect("insert");
    }
    let out = dir.join("site");
    let full = |store: &mut Store, site: &crate::config::Site| {
        let opts = BuildOptions {
            full: true,
            ..super::tests::opts()
        };
        build(
            store,
            site,
            &Analysis::default(),
            &Content::default(),
            &out,
            opts,
        )
        .expect("full")
    };
    let site = super::tests::site(30);
    let first = full(&mut store, &site);
    assert_eq!(first.snapshot_pages, 20);
    let page = |i: i64| {
        out.join(paths::snapshot_page(&model::time::snapshot_slug(
            T0 + i * 300_000,
        )))
    };
    std::fs::remove_file(page(3)).expect("delete one page");
    std::fs::write(page(5), "left alone").expect("overwrite one");
    let again = full(&mut store, &site);
    assert!(again.full);
    // Kept as they are: 19 pages with their data files; the deleted one is rendered again
    // (its data file too, found unchanged).
    assert!(page(3).is_file(), "a deleted page is rendered again");
    assert_eq!((again.snapshot_pages, again.written), (1, 1), "{again}");
    assert_eq!(
        std::fs::read_to_string(page(5)).expect("read"),
        "left alone"
    );
    // Another config renders every page.
    let other = crate::config::Site {
        title: "Another title".into(),
        ..site
    };
    full(&mut store, &other);
    assert_ne!(
        std::fs::read_to_string(page(5)).expect("read"),
        "left alone"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
