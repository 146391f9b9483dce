//! `lookout detect`: anomaly scores for a CSV series or a stored metric, streamed row by row.

use std::io::{BufRead, Write};

use model::anomaly::{Detector, DetectorConfig};

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("cannot read or write the series: {0}")]
    Io(#[from] std::io::Error),
    #[error("the first line must be the header `timestamp,value`, found {0:?}")]
    Header(String),
    #[error("line {line}: {message}: {text:?}")]
    Row {
        line: u64,
        message: &'static str,
        text: String,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetectStats {
    pub rows: u64,
    pub anomalies: u64,
}

/// Reads `timestamp,value` rows and writes `timestamp,value,anomaly_score,kind` in the same order.
/// Memory stays constant: one line and one detector at a time. An empty or non-numeric value
/// (`NaN`, blank) is passed through with an empty score.
pub fn detect_csv(
    mut input: impl BufRead,
    mut output: impl Write,
    cfg: DetectorConfig,
) -> Result<DetectStats, DetectError> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let header = line
        .trim_end_matches(['\n', '\r'])
        .trim_start_matches('\u{feff}');
    if !header
        .replace(' ', "")
        .eq_ignore_ascii_case("timestamp,value")
    {
        return Err(DetectError::Header(header.to_owned()));
    }
    output.write_all(b"timestamp,value,anomaly_score,kind\n")?;
    let mut detector = Detector::new(cfg);
    let mut stats = DetectStats::default();
    let mut number = 1u64;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        number += 1;
        let row = line.trim_end_matches(['\n', '\r']);
        if row.is_empty() {
            continue;
        }
        let bad = |message| DetectError::Row {
            line: number,
            message,
            text: row.chars().take(120).collect(),
        };
        let (ts, value) = row
            .split_once(',')
            .ok_or_else(|| bad("expected two fields"))?;
        let (ts, value) = (ts.trim(), value.trim());
        let t = model::time::parse_iso(ts)
            .ok_or_else(|| bad("the timestamp is not ISO 8601 or YYYY-MM-DD HH:MM:SS"))?;
        let v = if value.is_empty() {
            f64::NAN
        } else {
            value
                .parse::<f64>()
                .map_err(|_| bad("the value is not a number"))?
        };
        let score = detector.update(t, v);
        stats.rows += 1;
        if v.is_finite() {
            let kind = score.kind.map_or("", model::anomaly::AnomalyKind::as_str);
            stats.anomalies += u64::from(score.is_anomaly());
            writeln!(output, "{ts},{value},{},{kind}", score.score)?;
        } else {
            writeln!(output, "{ts},{value},,")?;
        }
    }
    output.flush()?;
    Ok(stats)
}

/// Scores stored `(ms, value)` points and writes them as `detect_csv` does, with ISO timestamps.
pub fn detect_series(
    points: &[(i64, f64)],
    mut output: impl Write,
    cfg: DetectorConfig,
) -> Result<DetectStats, DetectError> {
    output.write_all(b"timestamp,value,anomaly_score,kind\n")?;
    let mut detector = Detector::new(cfg);
    let mut stats = DetectStats::default();
    for &(t, v) in points {
        let score = detector.update(t, v);
        stats.rows += 1;
        stats.anomalies += u64::from(score.is_anomaly());
        let kind = score.kind.map_or("", model::anomaly::AnomalyKind::as_str);
        writeln!(
            output,
            "{},{v},{},{kind}",
            model::time::format_iso(t),
            score.score
        )?;
    }
    output.flush()?;
    Ok(stats)
}

/// `7d`, `24h`, `90m` before `now_ms`, or an ISO date/time.
pub fn parse_since(text: &str, now_ms: i64) -> Option<i64> {
    let t = text.trim();
    let unit = |s: &str, ms: i64| {
        s.parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| now_ms - n * ms)
    };
    if let Some(n) = t.strip_suffix('d') {
        unit(n, 86_400_000)
    } else if let Some(n) = t.strip_suffix('h') {
        unit(n, 3_600_000)
    } else if let Some(n) = t.strip_suffix('m') {
        unit(n, 60_000)
    } else {
        model::time::parse_iso(t).or_else(|| model::time::parse_day(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(rows: impl IntoIterator<Item = (i64, String)>) -> String {
        let mut s = String::from("timestamp,value\n");
        for (t, v) in rows {
            s.push_str(&format!("{},{v}\n", model::time::format_iso(t)));
        }
        s
    }

    #[test]
    fn streams_rows_in_order_with_scores_and_kinds() {
        let base = 1_790_000_000_000;
        let rows = (0..500).map(|i| {
            let v = if i == 400 {
                500.0
            } else {
                10.0 + (i % 5) as f64 * 0.1
            };
            (base + i * 60_000, format!("{v}"))
        });
        let input = csv(rows);
        let mut out = Vec::new();
        let stats =
            detect_csv(input.as_bytes(), &mut out, DetectorConfig::default()).expect("detect");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "timestamp,value,anomaly_score,kind");
        assert_eq!(lines.len(), 501);
        assert_eq!(stats.rows, 500);
        assert!(lines[401].ends_with(",spike"), "{}", lines[401]);
        assert!(lines[401].starts_with(&model::time::format_iso(base + 400 * 60_000)));
        let score: f64 = lines[401]
            .split(',')
            .nth(2)
            .expect("score")
            .parse()
            .expect("f64");
        assert!(score > 0.9 && score < 1.0);
        assert!(stats.anomalies >= 1);
        // Same order, same timestamps, values passed through as written.
        for (i, l) in lines[1..].iter().enumerate() {
            assert!(l.starts_with(&model::time::format_iso(base + i as i64 * 60_000)));
        }
    }

    #[test]
    fn accepts_space_separated_times_and_blank_values() {
        let input = "timestamp,value\n2026-11-22 00:00:00,1\n2026-11-22 00:01:00,\n2026-11-22 00:02:00,NaN\n";
        let mut out = Vec::new();
        detect_csv(input.as_bytes(), &mut out, DetectorConfig::default()).expect("detect");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(text.lines().nth(2), Some("2026-11-22 00:01:00,,,"));
        assert_eq!(text.lines().nth(3), Some("2026-11-22 00:02:00,NaN,,"));
    }

    #[test]
    fn bad_input_names_the_line() {
        let err = detect_csv(
            "time,val\n".as_bytes(),
            Vec::new(),
            DetectorConfig::default(),
        )
        .expect_err("header");
        assert!(err.to_string().contains("timestamp,value"));
        let err = detect_csv(
            "timestamp,value\n2026-11-22T00:00:00Z,1\nyesterday,2\n".as_bytes(),
            Vec::new(),
            DetectorConfig::default(),
        )
        .expect_err("row");
        assert!(err.to_string().starts_with("line 3:"), "{err}");
        let err = detect_csv(
            "timestamp,value\n2026-11-22T00:00:00Z,lots\n".as_bytes(),
            Vec::new(),
            DetectorConfig::default(),
        )
        .expect_err("value");
        assert!(err.to_string().contains("not a number"));
    }

    #[test]
    fn since_accepts_relative_and_absolute() {
        let now = 1_790_000_000_000;
        assert_eq!(parse_since("7d", now), Some(now - 7 * 86_400_000));
        assert_eq!(parse_since("24h", now), Some(now - 86_400_000));
        assert_eq!(
            parse_since("2026-11-01", now),
            model::time::parse_day("2026-11-01")
        );
        assert_eq!(parse_since("soon", now), None);
    }
}
