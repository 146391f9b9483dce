//! Alert notifications: what is due on each channel, sent grouped by kind, remembered in the store so nothing is sent twice.

pub mod plan;
pub mod webhook;

use std::collections::HashMap;

use crate::config::{Config, WebhookUrl};
use crate::content::Content;
use crate::store::{Store, StoreError};
use plan::{Item, Kind, Message};

/// Alert episodes looked at (newest first); older ones are long settled.
const EPISODES: u32 = 500;

/// What one notification pass did.
#[derive(Debug, Default)]
pub struct Report {
    pub sent: usize,
    /// One line per message that could not be delivered (it is tried again next time).
    pub failed: Vec<String>,
}

/// A channel's key in the store: the URL itself may be a secret, so only its hash is kept.
fn channel_key(url: &WebhookUrl) -> String {
    let text = match url {
        WebhookUrl::Fixed(u) => u.as_str().to_owned(),
        WebhookUrl::Env(var) => format!("env:{var}"),
    };
    format!(
        "webhook:{:016x}",
        xxhash_rust::xxh3::xxh3_64(text.as_bytes())
    )
}

fn resolve(url: &WebhookUrl) -> Result<String, String> {
    match url {
        WebhookUrl::Fixed(u) => Ok(u.as_str().to_owned()),
        WebhookUrl::Env(var) => std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("environment variable {var} (the webhook URL) is not set")),
    }
}

/// Sends what is due on every channel and records what went out.
pub async fn run(
    config: &Config,
    store: &mut Store,
    content: &Content,
    client: &reqwest::Client,
    now_ms: i64,
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    if config.notify.webhooks.is_empty() {
        return Ok(report);
    }
    let history = store.alert_history(EPISODES)?;
    let last_values: HashMap<(String, String), f64> = store
        .alert_states()?
        .into_iter()
        .filter_map(|s| Some(((s.rule, s.metric), s.last_value?)))
        .collect();
    let episodes = plan::episodes(&history, &config.alerts, &last_values);
    let muted = |metric: &str| content.muting(metric, now_ms).is_some();
    for (n, hook) in config.notify.webhooks.iter().enumerate() {
        let key = channel_key(&hook.url);
        let sent = store.notices(&key)?;
        let due = plan::due(&episodes, &sent, now_ms, config.notify.repeat, &muted);
        for m in due {
            let body = webhook::body(hook.format, &config.site.title, &m, false);
            let outcome = match resolve(&hook.url) {
                Ok(url) => webhook::send(client, &url, &body).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => {
                    store.record_notices(&key, m.kind, &m.items, now_ms)?;
                    report.sent += 1;
                }
                Err(e) => report.failed.push(format!(
                    "webhook {} ({} {}): {e}",
                    n + 1,
                    m.items.len(),
                    m.kind.as_str()
                )),
            }
        }
    }
    Ok(report)
}

/// `lookout notify test --rule R`: a sample "fired" message for rule `R` on every channel, marked
/// as a test and not recorded. One line per channel saying how it went.
pub async fn test(
    config: &Config,
    rule: &str,
    client: &reqwest::Client,
    now_ms: i64,
) -> Result<Vec<String>, String> {
    let r = config
        .alerts
        .iter()
        .find(|r| r.name == rule)
        .ok_or_else(|| {
            let names: Vec<&str> = config.alerts.iter().map(|r| r.name.as_str()).collect();
            format!(
                "no alert rule named {rule:?}; the rules are: {}",
                names.join(", ")
            )
        })?;
    if config.notify.webhooks.is_empty() {
        return Err("no channel is configured: add a [[webhook]] to the config".into());
    }
    let m = Message {
        kind: Kind::Fired,
        items: vec![Item {
            rule: r.name.clone(),
            metric: r.metric.clone(),
            severity: r.severity.as_str().to_owned(),
            fired_ms: now_ms,
            resolved_ms: None,
            describe: r.describe(),
            value: None,
        }],
    };
    let mut lines = Vec::new();
    for (n, hook) in config.notify.webhooks.iter().enumerate() {
        let body = webhook::body(hook.format, &config.site.title, &m, true);
        let outcome = match resolve(&hook.url) {
            Ok(url) => webhook::send(client, &url, &body).await,
            Err(e) => Err(e),
        };
        lines.push(match outcome {
            Ok(()) => format!("webhook {}: sent", n + 1),
            Err(e) => format!("webhook {}: FAILED ({e})", n + 1),
        });
    }
    Ok(lines)
}
