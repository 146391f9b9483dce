//! `[report]` and `[smtp]`: when the daily report is made and mailed, to whom, and through which server.

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    time: Option<String>,
    time_zone: Option<String>,
    to: Option<Vec<String>>,
    from: Option<String>,
    schedule: Option<Vec<String>>,
    slo: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    host: String,
    port: Option<u16>,
    security: Option<String>,
    username_env: Option<String>,
    password_env: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Local time of day the report of the day before is made: (hour, minute).
    pub at: (i8, i8),
    /// An IANA name (`Europe/Berlin`) or `UTC`; checked when the config is read.
    pub time_zone: String,
    pub to: Vec<String>,
    pub from: String,
    /// Which reports `lookout run` makes: each day's, each week's (on Mondays, Monday to
    /// Sunday) and each month's (on the 1st); the day's alone unless given.
    pub schedule: Vec<Cadence>,
    /// The uptime target in percent (`99.9`), against which a report states the error budget.
    pub slo: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Daily,
    Weekly,
    Monthly,
}

impl Report {
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test server.
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Names of the variables holding the credentials (never the credentials themselves).
    pub username_env: Option<String>,
    pub password_env: Option<String>,
}

pub(super) fn mailbox(
    key: &'static str,
    s: &str,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<String, ConfigError> {
    s.parse::<lettre::message::Mailbox>()
        .map(|m| m.to_string())
        .map_err(|e| bad(key, format!("{s:?} is not an email address ({e})")))
}

pub(super) fn check(
    raw: RawReport,
    smtp: Option<RawSmtp>,
    site_zone: &str,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<(Report, Option<Smtp>), ConfigError> {
    let time = raw.time.unwrap_or_else(|| "07:00".into());
    let at = time
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<i8>().ok()?, m.parse::<i8>().ok()?)))
        .filter(|(h, m)| (0..24).contains(h) && (0..60).contains(m))
        .ok_or_else(|| bad("report.time", format!("must be HH:MM (24 h), got {time:?}")))?;
    // The report reads its day in the site's zone unless told otherwise.
    let time_zone = raw.time_zone.unwrap_or_else(|| site_zone.into());
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        return Err(bad(
            "report.time_zone",
            format!("{time_zone:?} is not a known time zone (e.g. UTC, Europe/Berlin)"),
        ));
    }
    let to = raw
        .to
        .unwrap_or_default()
        .iter()
        .map(|t| mailbox("report.to", t, bad))
        .collect::<Result<Vec<_>, _>>()?;
    let from = mailbox(
        "report.from",
        raw.from.as_deref().unwrap_or("Lookout <lookout@localhost>"),
        bad,
    )?;
    let smtp = match smtp {
        None => None,
        Some(s) => {
            if s.host.trim().is_empty() || s.host.contains(char::is_whitespace) {
                return Err(bad("smtp.host", format!("{:?} is not a host name", s.host)));
            }
            let security = match s.security.as_deref() {
                None | Some("starttls") => Security::StartTls,
                Some("tls") => Security::Tls,
                Some("none") => Security::None,
                Some(other) => {
                    return Err(bad(
                        "smtp.security",
                        format!("must be \"starttls\", \"tls\" or \"none\", got {other:?}"),
                    ));
                }
            };
            if s.username_env.is_some() != s.password_env.is_some() {
                return Err(bad(
                    "smtp",
                    "username_env and password_env go together".into(),
                ));
            }
            let port = s.port.unwrap_or(match security {
                Security::StartTls => 587,
                Security::Tls => 465,
                Security::None => 25,
            });
            Some(Smtp {
                host: s.host,
                port,
                security,
                username_env: s.username_env,
                password_env: s.password_env,
            })
        }
    };
    let mut schedule = Vec::new();
    for word in raw.schedule.unwrap_or_else(|| vec!["daily".into()]) {
        let c = match word.as_str() {
            "daily" => Cadence::Daily,
            "weekly" => Cadence::Weekly,
            "monthly" => Cadence::Monthly,
            other => {
                return Err(bad(
                    "report.schedule",
                    format!("{other:?} is not \"daily\", \"weekly\" or \"monthly\""),
                ));
            }
        };
        if !schedule.contains(&c) {
            schedule.push(c);
        }
    }
    if let Some(slo) = raw.slo
        && !(slo > 0.0 && slo < 100.0)
    {
        return Err(bad(
            "report.slo",
            format!("must be a percentage between 0 and 100, got {slo}"),
        ));
    }
    Ok((
        Report {
            at,
            time_zone,
            to,
            from,
            schedule,
            slo: raw.slo,
        },
        smtp,
    ))
}
