//! A named numeric reading with its unit and which direction is better.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Milliseconds,
    Seconds,
    Minutes,
    /// 0..100
    Percent,
    /// 0..1, shown as a percentage
    Ratio,
    Count,
    Megabytes,
    Bytes,
    /// Events per second (a counter's rate between two snapshots)
    PerSecond,
    /// 1 for true, 0 for false
    Bool,
    None,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Milliseconds => "milliseconds",
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Percent => "percent",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
            Unit::Megabytes => "megabytes",
            Unit::Bytes => "bytes",
            Unit::PerSecond => "per_second",
            Unit::Bool => "bool",
            Unit::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        ALL_UNITS.into_iter().find(|u| u.as_str() == s)
    }

    /// The short suffix shown after a value.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Milliseconds => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "min",
            Unit::Percent | Unit::Ratio => "%",
            Unit::Megabytes => "MB",
            Unit::Bytes => "B",
            Unit::PerSecond => "/s",
            Unit::Count | Unit::Bool | Unit::None => "",
        }
    }

    /// Guesses a unit from a field name of an unknown JSON endpoint (`latency_ms`, `hit_rate`...).
    pub fn guess(name: &str) -> Unit {
        let n = name.to_ascii_lowercase();
        let last = n.rsplit(['.', '/']).next().unwrap_or(&n);
        if last.ends_with("_ms") || last.ends_with("millis") || last.contains("latency") {
            Unit::Milliseconds
        } else if last.ends_with("_seconds") || last.ends_with("_secs") || last.ends_with("_s") {
            Unit::Seconds
        } else if last.ends_with("percent")
            || last.ends_with("_pct")
            || last.ends_with("percentage")
        {
            Unit::Percent
        } else if last.ends_with("_rate") || last.ends_with("ratio") || last == "rate" {
            Unit::Ratio
        } else if last.ends_with("_bytes") {
            Unit::Bytes
        } else if last.ends_with("_mb") {
            Unit::Megabytes
        } else {
            Unit::Count
        }
    }
}

const ALL_UNITS: [Unit; 11] = [
    Unit::Milliseconds,
    Unit::Seconds,
    Unit::Minutes,
    Unit::Percent,
    Unit::Ratio,
    Unit::Count,
    Unit::Megabytes,
    Unit::Bytes,
    Unit::PerSecond,
    Unit::Bool,
    Unit::None,
];

/// Which way a metric should move to be an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    Neither,
}

impl Better {
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::Neither => "neither",
        }
    }

    pub fn parse(s: &str) -> Option<Better> {
        [Better::Higher, Better::Lower, Better::Neither]
            .into_iter()
            .find(|b| b.as_str() == s)
    }

    /// Guesses from a field name: errors and latencies are better low, hit rates and availability high.
    pub fn guess(name: &str) -> Better {
        let n = name.to_ascii_lowercase();
        const LOWER: [&str; 9] = [
            "error", "fail", "latency", "_ms", "duration", "slow", "miss", "pending", "overflow",
        ];
        const HIGHER: [&str; 6] = ["hit", "success", "available", "healthy", "uptime", "ctr"];
        if LOWER.iter().any(|k| n.contains(k)) {
            Better::Lower
        } else if HIGHER.iter().any(|k| n.contains(k)) {
            Better::Higher
        } else {
            Better::Neither
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Dotted name, stable across snapshots (`cache.hit_rate`, `events.handler_latency_p95`).
    pub name: String,
    pub value: f64,
    pub unit: Unit,
    pub better: Better,
}

impl Metric {
    pub fn new(name: impl Into<String>, value: f64, unit: Unit, better: Better) -> Metric {
        Metric {
            name: name.into(),
            value,
            unit,
            better,
        }
    }

    /// The value formatted for people, in the unit's display scale, without the unit.
    pub fn display_value(&self) -> String {
        format_value(self.value, self.unit)
    }
}

/// Formats a value for display; ratios are shown as percentages.
pub fn format_value(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    let v = if unit == Unit::Ratio {
        value * 100.0
    } else {
        value
    };
    match unit {
        Unit::Bool => {
            if value != 0.0 {
                "yes".to_owned()
            } else {
                "no".to_owned()
            }
        }
        _ if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        _ if v.abs() >= 100.0 => format!("{v:.0}"),
        _ if v.abs() >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// A value with its unit as every page, report and widget shows it: `12.5 ms`, `0.11%`,
/// `1.2 /s`, `42`.
pub fn with_unit(value: f64, unit: Unit) -> String {
    let n = format_value(value, unit);
    match unit.symbol() {
        "" => n,
        "%" if n != "n/a" => format!("{n}%"),
        "%" => n,
        s => format!("{n} {s}"),
    }
}

/// A relative change in percent, signed and to one decimal under 10 (`+2.5 %`, `−12 %`, `0 %`):
/// the sign says up or down, never better or worse.
pub fn change_pct(pct: f64) -> String {
    if !pct.is_finite() {
        return "n/a".to_owned();
    }
    let a = pct.abs();
    let digits = if a < 9.95 {
        format!("{a:.1}")
    } else {
        format!("{a:.0}")
    };
    let digits = digits.strip_suffix(".0").unwrap_or(&digits).to_owned();
    match digits.as_str() {
        "0" => "0 %".to_owned(),
        _ if pct > 0.0 => format!("+{digits} %"),
        _ => format!("\u{2212}{digits} %"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_carry_their_unit_and_changes_their_sign() {
        // A percent is shown as it is; a ratio is scaled once.
        assert_eq!(with_unit(0.11, Unit::Percent), "0.11%");
        assert_eq!(with_unit(0.0011, Unit::Ratio), "0.11%");
        assert_eq!(with_unit(0.065, Unit::Percent), "0.07%");
        assert_eq!(with_unit(12.5, Unit::Milliseconds), "12.5 ms");
        assert_eq!(with_unit(1.25, Unit::PerSecond), "1.25 /s");
        assert_eq!(with_unit(42.0, Unit::Count), "42");
        assert_eq!(with_unit(f64::NAN, Unit::Percent), "n/a");
        assert_eq!(change_pct(2.5), "+2.5 %");
        assert_eq!(change_pct(-2.5), "\u{2212}2.5 %");
        assert_eq!(change_pct(12.4), "+12 %");
        assert_eq!(change_pct(0.04), "0 %");
        assert_eq!(change_pct(1.0), "+1 %");
    }

    #[test]
    fn guesses_units_and_direction_from_names() {
        assert_eq!(Unit::guess("api.latency_ms"), Unit::Milliseconds);
        assert_eq!(Unit::guess("cache.hit_rate"), Unit::Ratio);
        assert_eq!(Unit::guess("pool.usage_percent"), Unit::Percent);
        assert_eq!(Unit::guess("jobs.total"), Unit::Count);
        assert_eq!(Better::guess("handler_errors"), Better::Lower);
        assert_eq!(Better::guess("cache.hit_rate"), Better::Higher);
        assert_eq!(Better::guess("users.total"), Better::Neither);
    }

    #[test]
    fn formats_values_for_people() {
        assert_eq!(format_value(0.934, Unit::Ratio), "93.4");
        assert_eq!(format_value(12.0, Unit::Count), "12");
        assert_eq!(format_value(4.56789, Unit::Milliseconds), "4.57");
        assert_eq!(format_value(1234.5, Unit::Milliseconds), "1234");
        assert_eq!(format_value(f64::NAN, Unit::Count), "n/a");
        assert_eq!(format_value(1.0, Unit::Bool), "yes");
    }

    #[test]
    fn unit_and_better_round_trip() {
        for u in ALL_UNITS {
            assert_eq!(Unit::parse(u.as_str()), Some(u));
        }
        assert_eq!(Better::parse("lower"), Some(Better::Lower));
        assert_eq!(Better::parse("sideways"), None);
    }
}
