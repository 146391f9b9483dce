//! Charts for mail as PNG (mail clients do not show SVG): plotters' bitmap backend into memory, encoded with the png crate; no text, the figures are in the tables.

use plotters::prelude::*;

pub const W: u32 = 640;
pub const H: u32 = 160;

/// A filled line chart of `points` over `[from_ms, to_ms)`, the value axis from `lo` (or the
/// data's minimum) to its maximum; `None` when there is nothing to draw.
pub fn line(points: &[(i64, f64)], from_ms: i64, to_ms: i64, lo: Option<f64>) -> Option<Vec<u8>> {
    if points.is_empty() {
        return None;
    }
    let mut rgb = vec![255u8; (W * H * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (W, H)).into_drawing_area();
        let min = lo.unwrap_or_else(|| points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min));
        let max = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let (min, max) = if max > min {
            (min, max)
        } else {
            (min - 1.0, max + 1.0)
        };
        let pad = (max - min) * 0.08;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .build_cartesian_2d(from_ms..to_ms.max(from_ms + 1), (min - pad)..(max + pad))
            .ok()?;
        // Quarter-day guides, so a reader can place the hours without labels.
        let quarter = (to_ms - from_ms) / 4;
        for i in 1..4 {
            let x = from_ms + i * quarter;
            chart
                .draw_series(LineSeries::new(
                    [(x, min - pad), (x, max + pad)],
                    RGBColor(208, 215, 222).stroke_width(1),
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
        let png = super::line(&pts, 0, 86_400_000, None).expect("png");
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
        assert!(super::line(&[], 0, 1, None).is_none());
    }
}
