//! `site.snapshot_pages`: snapshots of the newest days keep their pages; older ones are rows of
//! their day's page, every link to them lands on that row, their old pages are removed and
//! redirected, and the site holds fewer files.

use super::tests::{opts, site};
use super::*;
use crate::analysis::Analysis;
use crate::content::Content;
use crate::store::tests::{assembled, temp_dir};

const DAY: i64 = 86_400_000;
/// 2026-09-21 00:00 UTC.
const D0: i64 = 1_790_035_200_000;

fn page(day: i64, hour: i64) -> String {
    paths::snapshot_page(&model::time::snapshot_slug(
        D0 + day * DAY + hour * 3_600_000,
    ))
}

/// Every `history/<day>.html#s-<time>` link on the site's pages has its row.
fn anchors_resolve(out: &std::path::Path) {
    for f in files_under(out) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for part in text.split("href=\"").skip(1) {
            let link = part.split('"').next().unwrap_or("");
            let Some((target, id)) = link.split_once("#s-") else {
                continue;
            };
            let day = target.rsplit('/').next().unwrap_or("");
            let day_page = std::fs::read_to_string(out.join("history").join(day))
                .unwrap_or_else(|_| panic!("{} -> {link}: no day page", f.display()));
            assert!(
                day_page.contains(&format!("id=\"s-{id}\"")),
                "{} -> {link}: no such row",
                f.display()
            );
        }
    }
}

#[test]
fn older_snapshots_live_on_their_day_page_and_their_old_pages_go() {
    let dir = temp_dir("render-budget");
    let mut store = Store::open(&dir.join("data")).expect("store");
    for d in 0..3 {
        for h in 0..24 {
            store
                .insert(&assembled(
                    D0 + d * DAY + h * 3_600_000,
                    model::Status::Healthy,
                    1.0,
                ))
                .expect("insert");
        }
    }
    let out = dir.join("site");
    let run = |store: &mut Store, s: &Site| {
        build(
            store,
            s,
            &Analysis::default(),
            &Content::default(),
            &out,
            opts(),
        )
        .expect("build")
    };
    let all = run(&mut store, &site(30));
    assert!(out.join(page(0, 5)).is_file());
    let budget = Site {
        snapshot_pages: Some(1),
        ..site(30)
    };
    let less = run(&mut store, &budget);
    // The two older days' 48 pages and 48 data files are gone; the newest day's stay.
    assert_eq!(all.site_files - less.site_files, 96, "{all} / {less}");
    assert!(!out.join(page(0, 5)).exists() && !out.join(page(1, 23)).exists());
    assert!(out.join(page(2, 0)).is_file());
    assert!(
        !out.join("data/snapshots")
            .join(model::time::day_of(D0))
            .exists()
    );
    // Their day pages hold them as rows; every link to one lands on its row.
    let day0 = std::fs::read_to_string(out.join(paths::day_page(&model::time::day_of(D0))))
        .expect("day page");
    assert!(
        day0.contains("id=\"s-050000\"") && !day0.contains("snapshots/"),
        "{day0}"
    );
    let first = std::fs::read_to_string(out.join(page(2, 0))).expect("first paged");
    let day1 = model::time::day_of(D0 + DAY);
    assert!(
        first.contains(&format!("history/{day1}.html#s-230000")),
        "the first page with its own page links the one before on its day's page"
    );
    anchors_resolve(&out);
    assert_eq!(broken_links(&out), Vec::<String>::new());
    let redirects = std::fs::read_to_string(out.join("_redirects")).expect("_redirects");
    assert!(
        redirects.contains(&format!("/snapshots/{day1}/* /history/{day1}.html 301")),
        "{redirects}"
    );
    assert!(
        std::fs::read_to_string(out.join("404.html"))
            .expect("404")
            .contains("location.replace")
    );

    // The next day's first snapshot: the day before loses its pages on that build.
    store
        .insert(&assembled(D0 + 3 * DAY, model::Status::Healthy, 1.0))
        .expect("insert");
    let next = run(&mut store, &budget);
    assert!(!next.full, "{next}");
    assert!(!out.join(page(2, 12)).exists() && out.join(page(3, 0)).is_file());
    anchors_resolve(&out);
    assert_eq!(broken_links(&out), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}
