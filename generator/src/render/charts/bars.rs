//! Horizontal bar charts: one bar per labelled value, the first `BARS_MAX` of them.

use model::Unit;
use plotters::prelude::*;

use super::{Chart, LABEL_FONT, PALETTE, finish, with_unit};

/// Horizontal bars, one per labelled value, largest first as given.
pub fn bars(id: &str, title: &str, all: &[(String, f64)], unit: Unit) -> Chart {
    // A source may name thousands (one event type per key): the chart and its table show the
    // first BARS_MAX, and say how many more there are.
    let items = &all[..all.len().min(BARS_MAX)];
    let row_h = 30i32;
    let (w, h) = (560u32, (items.len().max(1) as i32 * row_h + 12) as u32);
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1e-9);
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, (w, h)).into_drawing_area();
        let label_w = 200i32;
        let bar_w = w as i32 - label_w - 90;
        let _ = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            for (i, (label, v)) in items.iter().enumerate() {
                let y = 6 + i as i32 * row_h;
                let len = ((v / max) * f64::from(bar_w)).round().max(1.0) as i32;
                root.draw(&Text::new(
                    label.as_str(),
                    (4, y + 4),
                    ("sans-serif", LABEL_FONT).into_font().color(&BLACK),
                ))?;
                root.draw(&Rectangle::new(
                    [(label_w, y + 2), (label_w + len, y + row_h - 6)],
                    PALETTE[0].filled(),
                ))?;
                root.draw(&Text::new(
                    with_unit(*v, unit),
                    (label_w + len + 6, y + 4),
                    ("sans-serif", LABEL_FONT).into_font().color(&BLACK),
                ))?;
            }
            root.present()?;
            Ok(())
        })();
    }
    let desc = items
        .iter()
        .map(|(l, v)| format!("{l}: {}", with_unit(*v, unit)))
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        svg: finish("chart-svg chart-bars", id, title, &desc, &raw, w, h),
        legend: Vec::new(),
        head: vec!["Name".into(), "Value".into()],
        rows: items
            .iter()
            .map(|(l, v)| vec![l.clone(), with_unit(*v, unit)])
            .collect(),
        note: if all.len() > items.len() {
            format!("{} more not shown.", all.len() - items.len())
        } else {
            String::new()
        },
        series: Vec::new(),
    }
}

const BARS_MAX: usize = 40;
