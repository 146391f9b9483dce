//! CSV exports: what the metrics page links exists from the first snapshot a metric is in.

use model::{Better, Metric, Status, Unit};

use super::tests::{opts, site};
use super::*;
use crate::analysis::Analysis;
use crate::content::Content;
use crate::store::tests::{assembled, temp_dir};

const T0: i64 = 1_790_000_000_000;

#[test]
fn a_metric_new_mid_hour_has_its_hourly_csv_at_once() {
    let dir = temp_dir("render-new-metric");
    let mut store = Store::open(&dir.join("data")).expect("store");
    let out = dir.join("site");
    let build_now = |store: &mut Store| {
        build(
            store,
            &site(30),
            &Analysis::default(),
            &Content::default(),
            &out,
            opts(),
        )
        .expect("build")
    };
    store
        .insert(&assembled(T0, Status::Healthy, 1.0))
        .expect("insert");
    build_now(&mut store);
    // One minute later, in the same hour, a metric the backend never reported before.
    let mut a = assembled(T0 + 60_000, Status::Healthy, 2.0);
    a.snapshot.metrics.push(Metric::new(
        "fresh.metric",
        3.0,
        Unit::Count,
        Better::Neither,
    ));
    store.insert(&a).expect("insert");
    build_now(&mut store);
    let page = std::fs::read_to_string(out.join("metrics.html")).expect("metrics page");
    let href = exports::hourly_csv("fresh.metric");
    assert!(page.contains(&href), "the page links {href}");
    let csv = std::fs::read_to_string(out.join(&href)).expect("the linked file is written");
    assert!(csv.starts_with("hour_start,count,mean,min,max\n"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "one hour of it: {csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_count_changes_by_so_many_and_a_latency_by_a_share() {
    let t = model::trend::Trend {
        window: model::trend::Window::H1,
        current: 0.0,
        mean: 0.5,
        previous_mean: Some(3.0),
        change: Some(-3.0),
        change_pct: Some(-100.0),
        slope_per_hour: -3.0,
        direction: model::trend::Direction::Down,
        verdict: model::trend::Verdict::Improving,
        points: 12,
    };
    let (text, _, title) = super::views::trend_cells(Some(&t), model::Unit::Count);
    assert!(
        text.ends_with(" \u{2212}3") && !text.contains('%'),
        "{text}"
    );
    assert!(title.starts_with("down \u{2212}3 against"), "{title}");
    let (text, _, _) = super::views::trend_cells(Some(&t), model::Unit::Milliseconds);
    assert!(text.ends_with(" \u{2212}100 %"), "{text}");
}

#[test]
fn a_json_metric_reads_in_words_under_its_group() {
    assert_eq!(
        super::views::words_of("cache_metrics.hit_rate"),
        "cache metrics · hit rate"
    );
    assert_eq!(
        super::views::words_of("GET__api_items.p95"),
        "GET api items · p95"
    );
}
