//! Polling rules, free of the browser: backoff with jitter, freshness words, what to ask next.

/// How long to wait before the next poll after `failures` failures in a row: the interval,
/// doubled per failure up to five minutes, with ±20 % jitter so many tabs do not poll in step.
/// `unit` in [0, 1) is the random draw.
pub fn next_delay_ms(interval_ms: u32, failures: u32, unit: f64) -> u32 {
    let base = f64::from(interval_ms.max(1000));
    let backed = if failures == 0 {
        base
    } else {
        (base * 2f64.powi(failures.min(16) as i32)).min(300_000.0)
    };
    let jitter = 1.0 + (unit.clamp(0.0, 1.0) - 0.5) * 0.4;
    (backed * jitter).round() as u32
}

/// "updated 12 s ago", "updated 3 min ago", "never updated".
pub fn ago(now_ms: f64, then_ms: Option<f64>) -> String {
    let Some(t) = then_ms else {
        return "never updated".to_owned();
    };
    let s = ((now_ms - t) / 1000.0).max(0.0).round() as u64;
    match s {
        0..=59 => format!("updated {s} s ago"),
        60..=3599 => format!("updated {} min ago", s / 60),
        _ => format!("updated {} h ago", s / 3600),
    }
}

/// The interval a page asks for (`data-interval`, seconds), kept within 5 s .. 1 h; 30 s by default.
pub fn interval_ms(attr: Option<&str>) -> u32 {
    attr.and_then(|a| a.trim().parse::<u32>().ok())
        .map_or(30_000, |s| s.clamp(5, 3600) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn backoff_doubles_caps_and_jitters() {
        assert_eq!(next_delay_ms(30_000, 0, 0.5), 30_000);
        assert_eq!(next_delay_ms(30_000, 1, 0.5), 60_000);
        assert_eq!(next_delay_ms(30_000, 3, 0.5), 240_000);
        assert_eq!(next_delay_ms(30_000, 9, 0.5), 300_000);
        assert_eq!(next_delay_ms(30_000, 0, 0.0), 24_000);
        assert_eq!(next_delay_ms(30_000, 0, 0.999_999), 36_000);
        assert_eq!(
            next_delay_ms(10, 0, 0.5),
            1000,
            "never faster than a second"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn freshness_and_interval_words() {
        assert_eq!(ago(10_000.0, Some(0.0)), "updated 10 s ago");
        assert_eq!(ago(200_000.0, Some(0.0)), "updated 3 min ago");
        assert_eq!(ago(0.0, None), "never updated");
        assert_eq!(interval_ms(Some("10")), 10_000);
        assert_eq!(interval_ms(Some("1")), 5_000);
        assert_eq!(interval_ms(Some("x")), 30_000);
        assert_eq!(interval_ms(None), 30_000);
    }
}
