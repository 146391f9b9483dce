//! Tests of the chart drawings.

use super::*;

fn ramp(n: i64) -> Vec<(i64, f64)> {
    (0..n)
        .map(|i| (i * 60_000, 10.0 + (i % 7) as f64))
        .collect()
}

#[test]
fn line_chart_has_axes_legend_title_and_table() {
    let c = line(&Line {
        id: "perf".into(),
        title: "Latency <p95>".into(),
        unit: Unit::Milliseconds,
        from_ms: 0,
        to_ms: 100 * 60_000,
        series: vec![
            Series {
                label: "p50".into(),
                points: ramp(100),
            },
            Series {
                label: "p95".into(),
                points: ramp(100).into_iter().map(|(t, v)| (t, v * 2.0)).collect(),
            },
        ],
        threshold: Some(30.0),
        zone: crate::zone::Zone::utc(),
        mark_anomalies: true,
    });
    assert!(c.svg.starts_with("<svg class=\"chart-svg chart-line\""));
    assert!(
        c.svg
            .contains("<title id=\"perf-t\">Latency &lt;p95&gt;</title>")
    );
    // The legend is beside the plot, not over the data.
    let legend: Vec<(&str, &str)> = c
        .legend
        .iter()
        .map(|l| (l.label.as_str(), l.mark))
        .collect();
    assert_eq!(
        legend[..3],
        [
            ("p50", "line"),
            ("p95", "line"),
            ("threshold 30 ms", "line")
        ]
    );
    assert!(
        !c.svg.contains(">\np50\n</text>"),
        "no legend drawn in the plot"
    );
    // Round times, and the zone they are in.
    assert!(
        c.svg.contains(">\n1 Jan\n</text>") && c.svg.contains(">\n01:00\n</text>"),
        "{}",
        c.svg
    );
    assert!(c.svg.contains("time (UTC)"));
    assert!(c.svg.contains("ms"), "unit on the axis");
    assert!(!c.svg.contains("#000000"), "text follows the theme");
    assert_eq!(c.head, ["Time (UTC)", "p50", "p95"]);
    assert_eq!(c.rows.len(), TABLE_ROWS);
    assert_eq!(c.rows.last().map(|r| r[1].as_str()), Some("11 ms"));
    assert_eq!(c.note, "24 of 100 points, evenly spaced");
}

#[test]
fn anomalies_are_marked_where_a_spike_is() {
    let mut pts = ramp(200);
    pts[150].1 = 500.0;
    let found = anomalies(&pts);
    assert!(found.iter().any(|p| p.0 == pts[150].0), "{found:?}");
    assert!(found.len() < 5, "{found:?}");
    let c = line(&Line {
        id: "x".into(),
        title: "x".into(),
        unit: Unit::Count,
        from_ms: 0,
        to_ms: 200 * 60_000,
        series: vec![Series {
            label: "x".into(),
            points: pts,
        }],
        threshold: None,
        zone: crate::zone::Zone::utc(),
        mark_anomalies: true,
    });
    assert!(c.svg.contains("anomalous points marked"));
    assert!(c.svg.contains("<circle"));
}

#[test]
fn a_threshold_far_above_the_data_is_drawn_at_the_top_and_says_so() {
    let c = line(&Line {
        id: "q".into(),
        title: "Queue".into(),
        unit: Unit::Count,
        from_ms: 0,
        to_ms: 100 * 60_000,
        series: vec![Series {
            label: "queue".into(),
            points: ramp(100),
        }],
        threshold: Some(100.0),
        zone: crate::zone::Zone::utc(),
        mark_anomalies: false,
    });
    assert!(
        c.legend
            .iter()
            .any(|l| l.label == "threshold 100 (off scale)" && l.mark == "dash"),
        "legend says it"
    );
    assert!(
        c.svg.contains("stroke=\"#E0413A\"")
            || c.svg.contains("#e0413a")
            || c.svg.contains("#E0413A"),
        "drawn in the alert colour"
    );
    assert!(c.svg.contains("Alert threshold 100."), "and described");
}

#[test]
fn empty_chart_says_so() {
    let c = line(&Line {
        id: "e".into(),
        title: "Nothing".into(),
        unit: Unit::Count,
        from_ms: 0,
        to_ms: 1000,
        series: vec![],
        threshold: Some(100.0),
        zone: crate::zone::Zone::utc(),
        mark_anomalies: false,
    });
    assert!(c.svg.contains("No data in this range"));
    assert!(c.rows.is_empty());
}

#[test]
fn donut_and_bars_escape_labels_and_give_shares() {
    let d = donut(
        "d",
        "Hits",
        &[("hits".into(), 90.0), ("<misses>".into(), 10.0)],
        Unit::Count,
    );
    assert!(d.svg.contains("&lt;misses&gt;"));
    assert!(!d.svg.contains("<misses>"));
    assert_eq!(d.rows[0], ["hits", "90", "90.0%"]);
    let b = bars(
        "b",
        "Types",
        &[("a&b".into(), 3.0), ("c".into(), 1.0)],
        Unit::Count,
    );
    assert!(b.svg.contains("a&amp;b"));
    assert_eq!(b.svg.matches("<rect").count(), 2);
    assert_eq!(b.rows[1], ["c", "1"]);
}

/// WCAG relative luminance of an sRGB colour.
fn luminance(c: (u8, u8, u8)) -> f64 {
    let ch = |v: u8| {
        let x = f64::from(v) / 255.0;
        if x <= 0.039_28 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(c.0) + 0.7152 * ch(c.1) + 0.0722 * ch(c.2)
}

#[test]
fn chart_colours_keep_3_to_1_against_every_background_in_light_and_dark() {
    // The page and card backgrounds of both schemes, read from the stylesheet itself.
    let css = crate::render::STYLE_CSS;
    let mut backgrounds = Vec::new();
    for var in ["--bg: #", "--card: #"] {
        for part in css.split(var).skip(1) {
            let hex = &part[..6];
            let v = u32::from_str_radix(hex, 16).expect("hex colour");
            backgrounds.push(((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
    }
    assert_eq!(backgrounds.len(), 4, "light and dark, page and card");
    for c in PALETTE.iter().chain([&ALERT]) {
        for bg in &backgrounds {
            let (a, b) = (luminance((c.0, c.1, c.2)), luminance(*bg));
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 3.0, "{c:?} on {bg:?}: {ratio:.2}");
        }
    }
}

#[test]
fn sparkline_is_small_and_titled() {
    let s = sparkline("s", "Uptime 99%", &[(0.0, 1.0), (1.0, 0.5)], 0.0, 1.0);
    assert!(s.starts_with("<svg class=\"spark\""));
    assert!(s.contains("Uptime 99%"));
    assert!(s.contains("<polyline"));
}

#[test]
fn time_ticks_fall_on_round_times_and_midnight_says_the_date() {
    const H: i64 = 3_600_000;
    let from = 1_795_003_200_000 - 24 * H + 23 * 60_000; // 12:23 the day before
    let utc = crate::zone::Zone::utc();
    let ticks = time_ticks(from, from + 24 * H, &utc);
    assert!(ticks.len() <= 6 && ticks.len() >= 4, "{ticks:?}");
    assert!(
        ticks.iter().all(|t| t % (6 * H) == 0),
        "every 6 hours: {ticks:?}"
    );
    let labels: Vec<String> = ticks.iter().map(|t| time_tick_label(*t, &utc)).collect();
    assert!(labels.contains(&"18 Nov".to_owned()), "{labels:?}");
    assert!(labels.contains(&"18:00".to_owned()), "{labels:?}");
    let week = time_ticks(from, from + 7 * 24 * H, &utc);
    assert!(
        week.iter().all(|t| t % (24 * H) == 0) && week.len() <= 6,
        "{week:?}"
    );
}

#[test]
fn a_chart_in_a_zone_ticks_at_its_round_times_and_names_it() {
    const H: i64 = 3_600_000;
    let from = 1_795_003_200_000 - 24 * H + 23 * 60_000;
    let india = crate::zone::Zone::named("Asia/Kolkata").expect("a zone");
    let ticks = time_ticks(from, from + 24 * H, &india);
    // UTC+05:30: local round hours are half past in UTC.
    assert!(
        ticks.iter().all(|t| (t + H * 11 / 2) % (6 * H) == 0),
        "{ticks:?}"
    );
    let labels: Vec<String> = ticks.iter().map(|t| time_tick_label(*t, &india)).collect();
    assert!(labels.contains(&"18 Nov".to_owned()), "{labels:?}");
    let c = line(&Line {
        id: "z".into(),
        title: "t".into(),
        unit: Unit::Milliseconds,
        from_ms: from,
        to_ms: from + 24 * H,
        series: vec![Series {
            label: "p95".into(),
            points: vec![(from + H, 1.0), (from + 2 * H, 2.0)],
        }],
        threshold: None,
        mark_anomalies: false,
        zone: india,
    });
    assert!(c.svg.contains("time (Asia/Kolkata)"), "{}", c.svg);
    assert_eq!(c.head[0], "Time (Asia/Kolkata)");
}

/// Runs `f` on a thread and fails (instead of hanging the suite) if it does not end in 20 s.
fn ends<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what} did not finish"))
}

#[test]
fn charts_of_values_near_the_largest_float_finish() {
    for v in [1e308, f64::MAX, -f64::MAX, f64::INFINITY, f64::NAN, 1e300] {
        let c = ends("a line chart", move || {
            line(&Line {
                id: "huge".into(),
                title: "t".into(),
                unit: Unit::Ratio,
                from_ms: 0,
                to_ms: 3_600_000,
                series: vec![Series {
                    label: "x".into(),
                    points: vec![(0, 0.5), (60_000, v), (120_000, 0.4)],
                }],
                threshold: Some(v),
                zone: crate::zone::Zone::utc(),
                mark_anomalies: true,
            })
        });
        assert!(c.svg.contains("<svg"), "{v}");
        let b = ends("a bar chart", move || {
            bars("b", "t", &[("a".into(), v), ("b".into(), 1.0)], Unit::Count)
        });
        assert!(b.svg.contains("<svg"), "{v}");
    }
    let many: Vec<(String, f64)> = (0..5000).map(|i| (format!("k{i}"), 1.0)).collect();
    let b = bars("b", "t", &many, Unit::Count);
    assert_eq!(b.rows.len(), 40);
    assert_eq!(b.note, "4960 more not shown.");
}
