//! Charts drawn with plotters as inline SVG (line charts, sparklines, donuts, bars), each with a title, a description and a data table.

use model::Unit;
use model::anomaly::{Detector, DetectorConfig};
use plotters::prelude::*;

/// Series colours: mid-tones with at least 3:1 contrast on both the light and the dark background.
pub const PALETTE: [RGBColor; 4] = [
    RGBColor(0x2f, 0x7f, 0xd8),
    RGBColor(0xd9, 0x73, 0x0d),
    RGBColor(0xa3, 0x5f, 0xd6),
    RGBColor(0x1f, 0x9d, 0x55),
];
/// Threshold lines and anomaly markers.
pub const ALERT: RGBColor = RGBColor(0xe0, 0x41, 0x3a);
/// Text size of chart labels as asked of plotters, which writes 0.806 of it (about 13.7 units):
/// 10 CSS px or more while a 560-unit chart is drawn at least 27rem (432 px) wide.
const LABEL_FONT: f64 = 17.0;
/// Rows a chart's data table keeps at most; the note says how many points were sampled.
const TABLE_ROWS: usize = 24;

/// A chart ready for a template: the SVG (its text escaped) and the same data as a table.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Says when the table shows a sample of the points.
    pub note: String,
    /// A line chart's series, for the page's JSON.
    pub series: Vec<(String, Vec<(i64, f64)>)>,
    /// What each line is, shown beside the plot (never over the data).
    pub legend: Vec<LegendItem>,
}

#[derive(Debug, Clone)]
pub struct LegendItem {
    pub label: String,
    /// `#rrggbb`.
    pub color: String,
    /// `line`, `dash` (a threshold off the scale) or `dot` (anomaly markers).
    pub mark: &'static str,
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Time ticks at round times of the zone (every 1, 2, 3, 6 or 12 hours, or whole days), at most
/// 6 in the span; each labelled with its time, or its date at midnight. Rounded in the zone's
/// offset at the span's start (a change of offset inside the span moves later ticks by it).
fn time_ticks(from_ms: i64, to_ms: i64, zone: &crate::zone::Zone) -> Vec<i64> {
    let off = zone.offset_ms(from_ms);
    utc_ticks(from_ms + off, to_ms + off)
        .into_iter()
        .map(|t| t - off)
        .collect()
}

fn utc_ticks(from_ms: i64, to_ms: i64) -> Vec<i64> {
    const H: i64 = 3_600_000;
    let span = (to_ms - from_ms).max(1);
    let step = [
        H,
        2 * H,
        3 * H,
        6 * H,
        12 * H,
        24 * H,
        48 * H,
        7 * 24 * H,
        14 * 24 * H,
        28 * 24 * H,
    ]
    .into_iter()
    .find(|s| span / s <= 6)
    .unwrap_or(span / 6 + 1);
    let first = from_ms.div_euclid(step) * step
        + if from_ms.rem_euclid(step) == 0 {
            0
        } else {
            step
        };
    (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= to_ms)
        .collect()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `14:00`, or `18 Nov` at midnight, in the zone.
fn time_tick_label(ms: i64, zone: &crate::zone::Zone) -> String {
    let c = zone.civil(ms);
    if c.hour == 0 && c.minute == 0 {
        let month = MONTHS.get((c.month as usize).wrapping_sub(1));
        format!("{} {}", c.day, month.unwrap_or(&""))
    } else {
        format!("{:02}:{:02}", c.hour, c.minute)
    }
}

#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(i64, f64)>,
}

/// What a line chart shows: series over a time span, an optional threshold, anomaly markers.
#[derive(Debug, Clone)]
pub struct Line {
    pub id: String,
    pub title: String,
    pub unit: Unit,
    pub from_ms: i64,
    pub to_ms: i64,
    pub series: Vec<Series>,
    pub threshold: Option<f64>,
    pub mark_anomalies: bool,
    /// The zone its time axis and table are written in.
    pub zone: crate::zone::Zone,
}

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Display scale of a unit: ratios are shown as percentages. Clamped to what a chart's
/// arithmetic can take (the collector refuses larger readings; this guards stored ones), with
/// anything not finite at 0: plotters loops forever on a range near the largest float.
fn shown(v: f64, unit: Unit) -> f64 {
    let v = if unit == Unit::Ratio { v * 100.0 } else { v };
    if v.is_finite() {
        v.clamp(-LIMIT, LIMIT)
    } else {
        0.0
    }
}

const LIMIT: f64 = crate::collect::guard::MAX_ABS * 100.0;

/// The unit values are shown in after `shown`.
fn display_unit(unit: Unit) -> Unit {
    if unit == Unit::Ratio {
        Unit::Percent
    } else {
        unit
    }
}

pub fn with_unit(v: f64, unit: Unit) -> String {
    model::metric::with_unit(v, unit)
}

/// Replaces plotters' opening tag with a responsive, labelled one; black becomes the text colour
/// so axes and labels follow the light or dark theme.
pub(super) fn finish(
    class: &str,
    id: &str,
    title: &str,
    desc: &str,
    raw: &str,
    w: u32,
    h: u32,
) -> String {
    let body = raw.split_once('>').map_or("", |(_, b)| b);
    let body = body.replace("\"#000000\"", "\"currentColor\"");
    format!(
        "<svg class=\"{class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{}",
        esc(title),
        esc(desc),
        body.trim_start()
    )
}

/// Points the detector flags in a series replayed from the start of the window.
pub fn anomalies(points: &[(i64, f64)]) -> Vec<(i64, f64)> {
    let mut d = Detector::new(DetectorConfig {
        counter: false,
        season_ms: 0,
        warmup: (points.len() / 4).clamp(8, 60),
        sensitivity: 1.0,
    });
    points
        .iter()
        .filter(|(t, v)| {
            // Low-severity flags are left to the tables: on a chart they read as noise.
            let s = d.update(*t, *v);
            s.is_anomaly() && s.severity != Some(model::anomaly::Severity::Low)
        })
        .copied()
        .collect()
}

/// Evenly spaced indices, at most `n`, always including the last.
fn sample_indices(len: usize, n: usize) -> Vec<usize> {
    if len <= n {
        return (0..len).collect();
    }
    let mut out: Vec<usize> = (0..n).map(|i| i * (len - 1) / (n - 1)).collect();
    out.dedup();
    out
}

pub fn line(spec: &Line) -> Chart {
    let (w, h) = (560u32, 240u32);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in &spec.series {
        for (_, v) in &s.points {
            lo = lo.min(shown(*v, spec.unit));
            hi = hi.max(shown(*v, spec.unit));
        }
    }
    let empty = !lo.is_finite();
    let threshold = spec.threshold.map(|t| shown(t, spec.unit));
    // A threshold far above the data would flatten it: it is then drawn dashed along the top
    // edge, its legend saying it is above the scale.
    let draw_threshold = threshold.filter(|t| empty || *t <= hi.max(0.0) * 2.0 + 1e-9);
    let above = threshold.filter(|_| draw_threshold.is_none());
    if empty {
        lo = 0.0;
        hi = threshold.unwrap_or(1.0);
    }
    if let Some(t) = draw_threshold {
        hi = hi.max(t);
    }
    lo = lo.min(0.0);
    // A span too small for its magnitude has no ticks a float can tell apart.
    if hi <= lo || hi - lo < hi.abs().max(lo.abs()) * 1e-9 {
        hi = lo + 1.0_f64.max(lo.abs() * 1e-6);
    }
    hi += (hi - lo) * 0.08;
    let marks: Vec<Vec<(i64, f64)>> = spec
        .series
        .iter()
        .map(|s| {
            if spec.mark_anomalies {
                anomalies(&s.points)
            } else {
                Vec::new()
            }
        })
        .collect();
    let mark_count: usize = marks.iter().map(Vec::len).sum();

    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (w, h)).into_drawing_area();
        let unit = spec.unit;
        let y_fmt = move |v: &f64| {
            let sym = unit.symbol();
            let n = if *v != 0.0 && v.abs() < 10.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            };
            if sym.is_empty() || sym == "count" {
                n
            } else {
                format!("{n} {sym}")
            }
        };
        let zone = &spec.zone;
        let x_fmt = move |v: &f64| time_tick_label(*v as i64, zone);
        let ticks: Vec<f64> = time_ticks(spec.from_ms, spec.to_ms, &spec.zone)
            .into_iter()
            .map(|t| t as f64)
            .collect();
        let _ = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            let mut chart = ChartBuilder::on(&root)
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(64)
                .build_cartesian_2d(
                    spec.from_ms as f64..spec.to_ms.max(spec.from_ms + 1) as f64,
                    lo..hi,
                )?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .bold_line_style(BLACK.mix(0.1))
                .axis_style(BLACK.mix(0.6))
                // The time axis is drawn below, at round times plotters would not pick.
                .disable_x_mesh()
                .x_labels(0)
                .y_labels(5)
                .x_desc(format!("time ({})", spec.zone.name()))
                .axis_desc_style(("sans-serif", LABEL_FONT).into_font().color(&BLACK))
                .y_label_formatter(&y_fmt)
                .label_style(("sans-serif", LABEL_FONT).into_font().color(&BLACK))
                .draw()?;
            let tick_font = ("sans-serif", LABEL_FONT).into_font().color(&BLACK).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Top,
                ),
            );
            for t in &ticks {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(*t, lo), (*t, hi)],
                    BLACK.mix(0.1),
                )))?;
                let (x, y) = chart.backend_coord(&(*t, lo));
                root.draw(&Text::new(x_fmt(t), (x, y + 6), tick_font.clone()))?;
            }
            if empty {
                root.draw(&Text::new(
                    "No data in this range",
                    (w as i32 / 2 - 70, h as i32 / 2),
                    ("sans-serif", 15).into_font().color(&BLACK),
                ))?;
            }
            for (i, s) in spec.series.iter().enumerate() {
                let c = PALETTE[i % PALETTE.len()];
                chart.draw_series(LineSeries::new(
                    s.points.iter().map(|(t, v)| (*t as f64, shown(*v, unit))),
                    c.stroke_width(2),
                ))?;
            }
            if let Some(t) = draw_threshold {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(spec.from_ms as f64, t), (spec.to_ms as f64, t)],
                    ALERT.stroke_width(1),
                )))?;
            }
            if above.is_some() {
                chart.draw_series(DashedLineSeries::new(
                    [(spec.from_ms as f64, hi), (spec.to_ms as f64, hi)],
                    6,
                    4,
                    ALERT.stroke_width(2),
                ))?;
            }
            if mark_count > 0 {
                chart.draw_series(marks.iter().flatten().map(|(t, v)| {
                    Circle::new((*t as f64, shown(*v, unit)), 5, ALERT.stroke_width(2))
                }))?;
            }
            root.present()?;
            Ok(())
        })();
    }

    let mut desc = String::new();
    for s in &spec.series {
        if let (Some(first), Some(last)) = (s.points.first(), s.points.last()) {
            let max = s.points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            desc.push_str(&format!(
                "{}: {} points from {} to {}, last {}, highest {}. ",
                s.label,
                s.points.len(),
                with_unit(first.1, spec.unit),
                with_unit(last.1, spec.unit),
                with_unit(last.1, spec.unit),
                with_unit(max, spec.unit)
            ));
        }
    }
    if empty {
        desc.push_str("No data in this range. ");
    }
    if let Some(t) = spec.threshold {
        desc.push_str(&format!("Alert threshold {}. ", with_unit(t, spec.unit)));
    }
    if mark_count > 0 {
        desc.push_str(&format!("{mark_count} anomalous points marked. "));
    }

    // Table: one row per sampled time of the first series, every series' value at that time.
    let mut head = vec![format!("Time ({})", spec.zone.name())];
    head.extend(spec.series.iter().map(|s| s.label.clone()));
    let base = spec
        .series
        .first()
        .map(|s| s.points.as_slice())
        .unwrap_or(&[]);
    let idx = sample_indices(base.len(), TABLE_ROWS);
    let rows = idx
        .iter()
        .map(|&i| {
            let t = base[i].0;
            let c = spec.zone.civil(t);
            let mut row = vec![format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                c.year, c.month, c.day, c.hour, c.minute
            )];
            for s in &spec.series {
                let v = s
                    .points
                    .binary_search_by_key(&t, |p| p.0)
                    .ok()
                    .map(|j| with_unit(s.points[j].1, spec.unit));
                row.push(v.unwrap_or_else(|| "–".to_owned()));
            }
            row
        })
        .collect();
    let note = if base.len() > idx.len() {
        format!("{} of {} points, evenly spaced", idx.len(), base.len())
    } else {
        String::new()
    };
    let mut legend: Vec<LegendItem> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: s.label.clone(),
            color: hex(PALETTE[i % PALETTE.len()]),
            mark: "line",
        })
        .collect();
    if let Some(t) = draw_threshold {
        legend.push(LegendItem {
            label: format!("threshold {}", with_unit(t, display_unit(spec.unit))),
            color: hex(ALERT),
            mark: "line",
        });
    }
    if let Some(t) = above {
        legend.push(LegendItem {
            label: format!(
                "threshold {} (off scale)",
                with_unit(t, display_unit(spec.unit))
            ),
            color: hex(ALERT),
            mark: "dash",
        });
    }
    if mark_count > 0 {
        legend.push(LegendItem {
            label: "anomaly".into(),
            color: hex(ALERT),
            mark: "dot",
        });
    }
    Chart {
        id: spec.id.clone(),
        title: spec.title.clone(),
        legend,
        svg: finish(
            "chart-svg chart-line",
            &spec.id,
            &spec.title,
            desc.trim_end(),
            &raw,
            w,
            h,
        ),
        head,
        rows,
        note,
        series: spec
            .series
            .iter()
            .map(|s| (s.label.clone(), s.points.clone()))
            .collect(),
    }
}

/// A small line without axes; the title carries the figures.
pub fn sparkline(id: &str, title: &str, points: &[(f64, f64)], lo: f64, hi: f64) -> String {
    let (w, h) = (160u32, 32u32);
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (w, h)).into_drawing_area();
        let x_hi = points.len().max(2) as f64 - 1.0;
        let _ = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            let mut chart = ChartBuilder::on(&root)
                .margin(3)
                .build_cartesian_2d(0.0..x_hi, lo..hi.max(lo + 1e-9))?;
            chart.draw_series(LineSeries::new(
                points.iter().map(|p| (p.0, p.1)),
                PALETTE[0].stroke_width(2),
            ))?;
            root.present()?;
            Ok(())
        })();
    }
    finish("spark", id, title, "", &raw, w, h)
}

/// A donut of shares, labelled with percentages.
pub fn donut(id: &str, title: &str, parts: &[(String, f64)], unit: Unit) -> Chart {
    let (w, h) = (260u32, 200u32);
    let total: f64 = parts.iter().map(|p| p.1.max(0.0)).sum();
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (w, h)).into_drawing_area();
        let sizes: Vec<f64> = parts.iter().map(|p| p.1.max(0.0)).collect();
        let colours: Vec<RGBColor> = (0..parts.len())
            .map(|i| PALETTE[i % PALETTE.len()])
            .collect();
        let labels: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        let center = (w as i32 / 2, h as i32 / 2);
        let radius = 70.0;
        let _ = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            if total > 0.0 {
                let mut pie = Pie::new(&center, &radius, &sizes, &colours, &labels);
                pie.donut_hole(42.0);
                pie.start_angle(-90.0);
                pie.label_style(("sans-serif", 13).into_font().color(&BLACK));
                root.draw(&pie)?;
            }
            root.present()?;
            Ok(())
        })();
    }
    let desc = parts
        .iter()
        .map(|(l, v)| {
            let pct = if total > 0.0 { v / total * 100.0 } else { 0.0 };
            format!("{l}: {} ({pct:.1}%)", with_unit(*v, unit))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        svg: finish("chart-svg chart-donut", id, title, &desc, &raw, w, h),
        legend: Vec::new(),
        head: vec!["Part".into(), "Value".into(), "Share".into()],
        rows: parts
            .iter()
            .map(|(l, v)| {
                let pct = if total > 0.0 { v / total * 100.0 } else { 0.0 };
                vec![l.clone(), with_unit(*v, unit), format!("{pct:.1}%")]
            })
            .collect(),
        note: String::new(),
        series: Vec::new(),
    }
}

mod bars;
pub use bars::bars;

#[cfg(test)]
mod tests;
