//! Charts for mail as PNG (mail clients do not show SVG): plotters' bitmap backend into memory, with axes labelled in a built-in 8x8 bitmap font (no system fonts needed), encoded with the png crate.

use plotters::prelude::*;

pub const W: u32 = 640;
pub const H: u32 = 200;
/// Room for the value labels on the left and the time labels below.
const LEFT: u32 = 124;
const BOTTOM: u32 = 28;
/// Glyphs drawn at twice the font's 8 px: 16 px tall.
const SCALE: u32 = 2;

/// What the axes say: the values' unit and the zone the times are in.
pub struct Axes<'a> {
    pub unit: model::Unit,
    pub tz: &'a jiff::tz::TimeZone,
}

/// Draws `text` into the RGB buffer with its top left at `(x, y)`, in `color`.
fn text(rgb: &mut [u8], x: u32, y: u32, text: &str, color: [u8; 3]) {
    for (i, c) in text.chars().enumerate() {
        let glyph = font8x8::legacy::BASIC_LEGACY
            .get(c as usize)
            .copied()
            .unwrap_or([0; 8]);
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8u32 {
                if bits >> col & 1 == 0 {
                    continue;
                }
                for dy in 0..SCALE {
                    for dx in 0..SCALE {
                        let px = x + (i as u32 * 8 + col) * SCALE + dx;
                        let py = y + row as u32 * SCALE + dy;
                        if px < W && py < H {
                            let at = ((py * W + px) * 3) as usize;
                            rgb[at..at + 3].copy_from_slice(&color);
                        }
                    }
                }
            }
        }
    }
}

/// Time ticks of `[from_ms, to_ms)`: every 6 hours from its start for a day or two (`06:00`),
/// else each day (`11-18`), in the report's zone.
fn ticks(from_ms: i64, to_ms: i64, tz: &jiff::tz::TimeZone) -> Vec<(i64, String)> {
    let day = to_ms - from_ms <= 2 * 86_400_000;
    let step = if day { 6 * 3_600_000 } else { 86_400_000 };
    let fmt = if day { "%H:%M" } else { "%m-%d" };
    (0..)
        .map(|i| from_ms + i * step)
        .take_while(|t| *t < to_ms)
        .map(|t| {
            let label = jiff::Timestamp::from_millisecond(t)
                .map(|ts| ts.to_zoned(tz.clone()).strftime(fmt).to_string())
                .unwrap_or_default();
            (t, label)
        })
        .collect()
}

/// A filled line chart of `points` over `[from_ms, to_ms)`, the value axis from `lo` (or the
/// data's minimum) to its maximum, its axes labelled; `None` when there is nothing to draw.
pub fn line(
    points: &[(i64, f64)],
    (from_ms, to_ms): (i64, i64),
    lo: Option<f64>,
    axes: &Axes<'_>,
) -> Option<Vec<u8>> {
    if points.is_empty() {
        return None;
    }
    let mut rgb = vec![255u8; (W * H * 3) as usize];
    let labels = {
        let root = BitMapBackend::with_buffer(&mut rgb, (W, H)).into_drawing_area();
        let min = lo.unwrap_or_else(|| points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min));
        let max = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let (min, max) = if max > min {
            (min, max)
        } else if axes.unit == model::Unit::Percent {
            // A flat share stays within 0..100 %: never a "101 %" on the axis.
            (
                (min - 1.0).max(0.0),
                (max + 1.0).min(100.0).max(min.min(100.0) + 1e-9),
            )
        } else {
            (min - 1.0, max + 1.0)
        };
        let pad = (max - min) * 0.08;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .margin_left(LEFT)
            .margin_bottom(BOTTOM)
            .build_cartesian_2d(from_ms..to_ms.max(from_ms + 1), (min - pad)..(max + pad))
            .ok()?;
        let grid = RGBColor(208, 215, 222);
        for (t, _) in ticks(from_ms, to_ms, axes.tz) {
            chart
                .draw_series(LineSeries::new(
                    [(t, min - pad), (t, max + pad)],
                    grid.stroke_width(1),
                ))
                .ok()?;
        }
        for v in [min, max] {
            chart
                .draw_series(LineSeries::new(
                    [(from_ms, v), (to_ms, v)],
                    grid.stroke_width(1),
                ))
                .ok()?;
        }
        let blue = RGBColor(47, 127, 216);
        chart
            .draw_series(
                AreaSeries::new(points.iter().copied(), min - pad, blue.mix(0.18))
                    .border_style(blue.stroke_width(2)),
            )
            .ok()?;
        root.present().ok()?;
        Some((
            ticks(from_ms, to_ms, axes.tz)
                .into_iter()
                .map(|(t, l)| (chart.backend_coord(&(t, min - pad)).0, l))
                .collect::<Vec<_>>(),
            [min, max].map(|v| {
                (
                    chart.backend_coord(&(from_ms, v)).1,
                    model::metric::with_unit(v, axes.unit),
                )
            }),
        ))
    };
    // The labels, in the margins plotters left: times below, the lowest and highest value left.
    let ink = [87, 96, 106];
    if let Some((times, values)) = labels {
        let baseline = H - BOTTOM + 6;
        for (x, l) in times {
            text(
                &mut rgb,
                (x.max(0) as u32).saturating_sub(l.len() as u32 * 8),
                baseline,
                &l,
                ink,
            );
        }
        for (y, l) in values {
            let w = l.chars().count() as u32 * 8 * SCALE;
            text(
                &mut rgb,
                (LEFT + 4).saturating_sub(w),
                (y.max(8) as u32).saturating_sub(8),
                &l,
                ink,
            );
        }
    }
    encode(&rgb)
}

fn encode(rgb: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, W, H);
        enc.set_color(::png::ColorType::Rgb);
        enc.set_depth(::png::BitDepth::Eight);
        let mut w = enc.write_header().ok()?;
        w.write_image_data(rgb).ok()?;
    }
    Some(out)
}

/// A blank chart for a day without data (the page still shows every section).
pub fn empty() -> Vec<u8> {
    encode(&vec![246u8; (W * H * 3) as usize]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn charts_are_png_of_the_stated_size_and_show_the_data() {
        let pts: Vec<(i64, f64)> = (0..24)
            .map(|h| (h * 3_600_000, 100.0 + (h % 5) as f64 * 40.0))
            .collect();
        let axes = super::Axes {
            unit: model::Unit::Milliseconds,
            tz: &jiff::tz::TimeZone::UTC,
        };
        let png = super::line(&pts, (0, 86_400_000), None, &axes).expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let dec = ::png::Decoder::new(std::io::Cursor::new(&png));
        let mut r = dec.read_info().expect("decode");
        let mut buf = vec![0; r.output_buffer_size()];
        let info = r.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (super::W, super::H));
        let blue = buf[..info.buffer_size()]
            .chunks(3)
            .filter(|p| p[2] > 180 && p[0] < 120)
            .count();
        assert!(blue > 500, "the line is drawn ({blue} blue pixels)");
        // Labels in the margins: dark grey pixels below the plot and left of it.
        let ink = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1)
                .flat_map(|y| (x0..x1).map(move |x| ((y * super::W + x) * 3) as usize))
                .filter(|&i| buf[i..i + 3] == [87, 96, 106])
                .count()
        };
        assert!(
            ink(0, super::W, super::H - super::BOTTOM, super::H) > 100,
            "time labels"
        );
        assert!(
            ink(0, super::LEFT, 0, super::H - super::BOTTOM) > 100,
            "value labels"
        );
        assert_eq!(
            super::ticks(0, 86_400_000, &jiff::tz::TimeZone::UTC)
                .iter()
                .map(|t| t.1.as_str())
                .collect::<Vec<_>>(),
            ["00:00", "06:00", "12:00", "18:00"]
        );
        assert!(super::line(&[], (0, 1), None, &axes).is_none());
    }
}
