//! Detector edge cases and the labelled benchmark against the z-score baseline.

use super::*;
use crate::labelled;

const STEP: i64 = 60_000;

fn run(cfg: DetectorConfig, values: impl IntoIterator<Item = f64>) -> Vec<Score> {
    let mut d = Detector::new(cfg);
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| d.update(i as i64 * STEP, v))
        .collect()
}

fn plain() -> DetectorConfig {
    DetectorConfig {
        season_ms: 0,
        ..DetectorConfig::default()
    }
}

#[test]
fn benchmark_shipped_detector_beats_the_z_score_baseline_in_every_category() {
    let results = labelled::run();
    println!("{}", labelled::report());
    assert_eq!(results.len(), 7);
    assert_eq!(labelled::series().len(), 35);
    for (category, ours, base) in results {
        assert!(
            ours.f1() >= base.f1() + 0.2,
            "{category}: F1 {:.2} vs baseline {:.2} ({ours:?} / {base:?})",
            ours.f1(),
            base.f1()
        );
        assert!(
            ours.precision() >= 0.6,
            "{category}: precision {:.2}",
            ours.precision()
        );
        assert!(
            ours.recall() >= 0.7,
            "{category}: recall {:.2}",
            ours.recall()
        );
    }
}

#[test]
fn constant_series_never_alarm_and_a_step_on_one_does() {
    let flat = run(plain(), std::iter::repeat_n(5.0, 500));
    assert!(flat.iter().all(|s| s.score == 0.0 && s.kind.is_none()));
    let zeros = run(plain(), std::iter::repeat_n(0.0, 500));
    assert!(zeros.iter().all(|s| !s.is_anomaly()));
    let step = run(plain(), (0..500).map(|i| if i < 300 { 5.0 } else { 6.0 }));
    assert!(step[300].is_anomaly());
    assert!(step[..300].iter().all(|s| !s.is_anomaly()));
}

#[test]
fn warm_up_gives_no_scores() {
    let s = run(plain(), (0..40).map(|i| if i == 10 { 1e6 } else { 1.0 }));
    assert!(s[..30].iter().all(|x| x.score == 0.0));
}

#[test]
fn scores_are_continuous_not_flags() {
    let mut values: Vec<f64> = (0..400)
        .map(|i| 10.0 + ((i * 7919) % 13) as f64 * 0.1)
        .collect();
    values.push(10.0 + 0.8);
    values.push(10.0 + 3.0);
    values.push(10.0 + 30.0);
    let s = run(plain(), values);
    let (a, b, c) = (s[400].score, s[401].score, s[402].score);
    assert!(a < b && b < c && c < 1.0, "{a} {b} {c}");
    assert!(c > 0.99);
    assert_eq!(s[402].kind, Some(AnomalyKind::Spike));
    assert_eq!(s[402].severity, Some(Severity::High));
    assert!((score_of(1.0) - 0.5).abs() < 1e-12);
    assert!(score_of(1e3) < 1.0 && score_of(1e3) > score_of(1e2));
}

#[test]
fn drops_and_level_shifts_and_trend_changes_are_told_apart() {
    let noise = |i: usize| ((i * 2_654_435_761) % 1000) as f64 / 1000.0 - 0.5;
    let drop = run(
        plain(),
        (0..400).map(|i| if i == 350 { -20.0 } else { noise(i) }),
    );
    assert_eq!(drop[350].kind, Some(AnomalyKind::Drop));
    let shift = run(
        plain(),
        (0..400).map(|i| noise(i) + if i >= 300 { 3.0 } else { 0.0 }),
    );
    let first = shift
        .iter()
        .position(Score::is_anomaly)
        .expect("shift found");
    assert!((300..310).contains(&first), "{first}");
    assert!(
        shift[first..first + 10]
            .iter()
            .any(|s| s.kind == Some(AnomalyKind::LevelShift) || s.kind == Some(AnomalyKind::Spike))
    );
    let ramp = run(
        plain(),
        (0..600).map(|i| {
            noise(i)
                + if i >= 300 {
                    (i - 300) as f64 * 0.05
                } else {
                    0.0
                }
        }),
    );
    let kinds: Vec<_> = ramp.iter().filter_map(|s| s.kind).collect();
    assert!(kinds.contains(&AnomalyKind::TrendChange), "{kinds:?}");
}

#[test]
fn counters_are_scored_by_rate_and_resets_are_not_anomalies() {
    let cfg = DetectorConfig {
        counter: true,
        season_ms: 0,
        warmup: 30,
        sensitivity: 1.0,
    };
    let mut total = 0.0;
    let mut values = Vec::new();
    for i in 0..600 {
        if i == 300 {
            total = 0.0; // restart
        }
        total += 100.0 + ((i * 37) % 11) as f64;
        values.push(total);
    }
    let s = run(cfg, values.clone());
    assert!(
        s.iter().all(|x| !x.is_anomaly()),
        "a steady counter with a reset"
    );
    values[450] += 5000.0;
    for v in values.iter_mut().skip(451) {
        *v += 5000.0;
    }
    let s = run(cfg, values);
    assert!(s[450].is_anomaly(), "a burst in the rate");
}

#[test]
fn gaps_and_nan_are_survived() {
    let mut d = Detector::new(plain());
    for i in 0..200 {
        d.update(i * STEP, 1.0 + (i % 3) as f64 * 0.01);
    }
    assert_eq!(d.update(201 * STEP, f64::NAN), Score::NONE);
    let after_gap = d.update(10_000 * STEP, 1.01);
    assert!(!after_gap.is_anomaly());
}

#[test]
fn daily_seasonality_is_learnt() {
    // Three days of a strong daily cycle at 5-minute steps: the peaks are normal by day three.
    let cfg = DetectorConfig::default();
    let mut d = Detector::new(cfg);
    let mut flagged_day3 = 0;
    for i in 0..(3 * 288) {
        let v = 100.0
            + 40.0 * (std::f64::consts::TAU * (i % 288) as f64 / 288.0).sin()
            + ((i * 7) % 5) as f64 * 0.2;
        let s = d.update(i as i64 * 300_000, v);
        if i >= 2 * 288 && s.is_anomaly() {
            flagged_day3 += 1;
        }
    }
    assert_eq!(flagged_day3, 0);
}

#[test]
fn memory_is_bounded() {
    let mut d = Detector::new(DetectorConfig::default());
    for i in 0..200_000i64 {
        d.update(i * 10_000, (i % 100) as f64);
    }
    assert!(d.recent.len() <= RECENT && d.resid.len() <= RESID);
    assert!(d.buckets.iter().all(|b| b.len() <= PER_BUCKET));
}

#[test]
fn each_score_depends_only_on_earlier_points() {
    let s = &labelled::series()[3];
    let mut whole = Detector::new(DetectorConfig::default());
    let all: Vec<Score> = s.points.iter().map(|&(t, v)| whole.update(t, v)).collect();
    let mut prefix = Detector::new(DetectorConfig::default());
    let cut = s.points.len() / 2;
    let half: Vec<Score> = s.points[..cut]
        .iter()
        .map(|&(t, v)| prefix.update(t, v))
        .collect();
    assert_eq!(&all[..cut], &half[..]);
    assert!(all.iter().any(Score::is_anomaly));
}

#[test]
fn a_saved_and_restored_detector_scores_exactly_like_the_original() {
    let s = &labelled::series()[0];
    let (head, tail) = s.points.split_at(s.points.len() / 2);
    let mut a = Detector::new(DetectorConfig::default());
    for &(t, v) in head {
        a.update(t, v);
    }
    let bytes = a.to_bytes();
    assert!(bytes.len() < 32 * 1024, "{} bytes", bytes.len());
    let mut b = Detector::from_bytes(&bytes).expect("restore");
    for &(t, v) in tail {
        assert_eq!(a.update(t, v), b.update(t, v));
    }
    assert!(Detector::from_bytes(&bytes[..bytes.len() - 1]).is_none());
    assert!(Detector::from_bytes(b"nope").is_none());
}

#[test]
fn a_varying_series_that_sticks_is_reported_once_as_stuck() {
    // A sensor: a smooth daily swing with noise, then the same reading for two hours.
    let mut x = 1u64;
    let mut noise = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (x >> 33) as f64 / (1u64 << 31) as f64 - 0.5
    };
    let values: Vec<f64> = (0..2000)
        .map(|i| {
            let v = 40.0 + 4.0 * (i as f64 / 288.0 * std::f64::consts::TAU).sin() + noise();
            if (1500..1524).contains(&i) { 41.234 } else { v }
        })
        .collect();
    let s = run(plain(), values);
    let reported: Vec<usize> = (0..2000).filter(|i| s[*i].is_anomaly()).collect();
    let stuck: Vec<usize> = reported
        .iter()
        .copied()
        .filter(|i| s[*i].kind == Some(AnomalyKind::Stuck))
        .collect();
    assert_eq!(stuck.len(), 1, "once: {reported:?}");
    assert!((1510..1524).contains(&stuck[0]), "{stuck:?}");
    // A gauge that often repeats itself (a queue length) is not stuck when it repeats as usual.
    let gauge = run(plain(), (0..2000).map(|i| f64::from((i / 40 % 3) as u8)));
    assert!(gauge.iter().all(|s| s.kind != Some(AnomalyKind::Stuck)));
}

#[test]
fn a_threshold_reads_as_the_shipped_one_through_the_sensitivity() {
    assert!((sensitivity_for(THRESHOLD) - 1.0).abs() < 1e-12);
    // A score of 0.8 is evidence 2: weighing evidence by half makes it read as 0.5.
    assert!((sensitivity_for(0.8) - 0.5).abs() < 1e-12);
    assert!(sensitivity_for(0.2) > 1.0);
    assert!(Profile::Quiet.sensitivity() < 1.0 && Profile::Sensitive.sensitivity() > 1.0);
    assert_eq!(Profile::parse("quiet"), Some(Profile::Quiet));
    // A quieter detector reports no more than the shipped one on the same series.
    let series: Vec<f64> = (0..800)
        .map(|i| 10.0 + ((i * 37) % 11) as f64 * 0.3 + if i % 97 == 0 { 3.0 } else { 0.0 })
        .collect();
    let count = |sensitivity: f64| {
        run(
            DetectorConfig {
                sensitivity,
                ..plain()
            },
            series.clone(),
        )
        .iter()
        .filter(|s| s.is_anomaly())
        .count()
    };
    assert!(count(0.8) <= count(1.0) && count(1.0) <= count(1.25));
}
