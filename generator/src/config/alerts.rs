//! `[alerts]` and `[[alert]]`: alert rules checked into `model::alert::Rule`, plus the defaults.

use model::alert::{AlertSeverity, Condition, MissingData, Op, Rule};
use model::anomaly::Severity;
use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlerts {
    /// Include the design's default rules (on unless set to false).
    defaults: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlert {
    name: String,
    metric: String,
    /// `threshold` (default) or `anomaly`.
    kind: Option<String>,
    op: Option<String>,
    threshold: Option<f64>,
    clear: Option<f64>,
    #[serde(rename = "for")]
    for_: Option<String>,
    keep_firing_for: Option<String>,
    severity: Option<String>,
    missing: Option<String>,
    min_score: Option<f64>,
    min_severity: Option<String>,
}

/// `30s`, `2m`, `1h`, `1d`, or `0`.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let ms = match unit {
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(ms)
}

pub(crate) fn threshold_rule(
    name: &str,
    metric: &str,
    op: Op,
    threshold: f64,
    clear: Option<f64>,
    severity: AlertSeverity,
) -> Rule {
    Rule {
        name: name.to_owned(),
        metric: metric.to_owned(),
        condition: Condition::Threshold {
            op,
            threshold,
            clear,
        },
        for_ms: 120_000,
        keep_firing_for_ms: 0,
        severity,
        missing: MissingData::Keep,
    }
}

/// Rules for what the backend measures, never for Lookout's own readings: the backend (or a
/// further source) down, any component or module down (for 2 minutes), the worker queue, the cache hit rate (only read when
/// there were requests), Celery workers (only there when the backend reports them) and a
/// checked certificate's expiry.
pub fn default_rules() -> Vec<Rule> {
    let down = |name: &str, metric: &str, severity| {
        threshold_rule(name, metric, Op::Ge, 2.0, None, severity)
    };
    vec![
        down("Backend down", "status.overall", AlertSeverity::Critical),
        down(
            "Component down",
            "status.component.*",
            AlertSeverity::Warning,
        ),
        down("Module down", "status.module.*", AlertSeverity::Warning),
        threshold_rule(
            "Worker queue above 100",
            "workers.queue_length",
            Op::Gt,
            100.0,
            Some(80.0),
            AlertSeverity::Warning,
        ),
        threshold_rule(
            "Cache hit rate below 50%",
            "cache.hit_rate",
            Op::Lt,
            0.5,
            Some(0.55),
            AlertSeverity::Warning,
        ),
        Rule {
            for_ms: 60_000,
            ..threshold_rule(
                "Workers degraded",
                "status.component.celery",
                Op::Ge,
                1.0,
                None,
                AlertSeverity::Critical,
            )
        },
        // Each further `[[source]]`'s own status (the first's is "Backend down").
        down("Source down", "status.source.*", AlertSeverity::Critical),
        // An HTTPS check's certificate (`kind = "http"`): an expiry does not flap, so at once.
        Rule {
            for_ms: 0,
            ..threshold_rule(
                "Certificate expires within 14 days",
                "*check.cert_days_left",
                Op::Lt,
                14.0,
                None,
                AlertSeverity::Warning,
            )
        },
    ]
}

pub(super) fn check(
    settings: RawAlerts,
    raw: Vec<RawAlert>,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Vec<Rule>, ConfigError> {
    let mut rules = if settings.defaults.unwrap_or(true) {
        default_rules()
    } else {
        Vec::new()
    };
    for a in raw {
        let who = format!("alert {:?}", a.name);
        if a.name.trim().is_empty() {
            return Err(bad("alert.name", "must not be empty".into()));
        }
        if rules.iter().any(|r| r.name == a.name) {
            return Err(bad(
                "alert.name",
                format!("{:?} is used twice (default rules count too)", a.name),
            ));
        }
        if a.metric.trim().is_empty() {
            return Err(bad(
                "alert.metric",
                format!("{who}: must name a metric or a glob"),
            ));
        }
        let duration = |key: &'static str, v: &Option<String>| match v {
            None => Ok(0),
            Some(text) => parse_duration(text).ok_or_else(|| {
                bad(
                    key,
                    format!("{who}: {text:?} is not a duration like 30s, 2m, 1h"),
                )
            }),
        };
        let for_ms = duration("alert.for", &a.for_)?;
        let keep_firing_for_ms = duration("alert.keep_firing_for", &a.keep_firing_for)?;
        let severity = match a.severity.as_deref() {
            None => AlertSeverity::Warning,
            Some(s) => AlertSeverity::parse(s).ok_or_else(|| {
                bad(
                    "alert.severity",
                    format!("{who}: must be info, warning or critical, not {s:?}"),
                )
            })?,
        };
        let missing = match a.missing.as_deref().unwrap_or("keep") {
            "keep" => MissingData::Keep,
            "resolve" => MissingData::Resolve,
            "fire" => MissingData::Fire,
            other => {
                return Err(bad(
                    "alert.missing",
                    format!("{who}: must be keep, resolve or fire, not {other:?}"),
                ));
            }
        };
        let condition = match a.kind.as_deref().unwrap_or("threshold") {
            "threshold" => {
                let op_text = a
                    .op
                    .as_deref()
                    .ok_or_else(|| bad("alert.op", format!("{who}: needs op (>, >=, <, <=)")))?;
                let op = Op::parse(op_text).ok_or_else(|| {
                    bad(
                        "alert.op",
                        format!("{who}: {op_text:?} is not >, >=, < or <="),
                    )
                })?;
                let threshold = a.threshold.filter(|t| t.is_finite()).ok_or_else(|| {
                    bad(
                        "alert.threshold",
                        format!("{who}: needs a numeric threshold"),
                    )
                })?;
                if let Some(c) = a.clear {
                    // The clear threshold must sit on the healthy side of the firing one.
                    let healthy_side = match op {
                        Op::Gt | Op::Ge => c <= threshold,
                        Op::Lt | Op::Le => c >= threshold,
                    };
                    if !healthy_side || !c.is_finite() {
                        return Err(bad(
                            "alert.clear",
                            format!(
                                "{who}: {c} is not on the clearing side of {} {threshold}",
                                op.as_str()
                            ),
                        ));
                    }
                }
                Condition::Threshold {
                    op,
                    threshold,
                    clear: a.clear,
                }
            }
            "anomaly" => {
                let min_score = a.min_score.unwrap_or(0.5);
                if !(0.0..1.0).contains(&min_score) {
                    return Err(bad(
                        "alert.min_score",
                        format!("{who}: must be in [0, 1), got {min_score}"),
                    ));
                }
                let min_severity = match a.min_severity.as_deref().unwrap_or("medium") {
                    "low" => Severity::Low,
                    "medium" => Severity::Medium,
                    "high" => Severity::High,
                    other => {
                        return Err(bad(
                            "alert.min_severity",
                            format!("{who}: must be low, medium or high, not {other:?}"),
                        ));
                    }
                };
                Condition::Anomaly {
                    min_score,
                    min_severity,
                }
            }
            other => {
                return Err(bad(
                    "alert.kind",
                    format!("{who}: must be threshold or anomaly, not {other:?}"),
                ));
            }
        };
        rules.push(Rule {
            name: a.name,
            metric: a.metric,
            condition,
            for_ms,
            keep_firing_for_ms,
            severity,
            missing,
        });
    }
    Ok(rules)
}
