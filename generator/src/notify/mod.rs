//! Alert notifications: what is due on each channel, sent grouped by kind, remembered in the store so nothing is sent twice.

pub mod plan;
pub mod webhook;

use std::collections::HashMap;

use crate::config::{Config, WebhookUrl};
use crate::content::Content;
use crate::store::Store;
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

/// Posts a message to a webhook, its URL resolved at send time.
async fn deliver(
    client: &reqwest::Client,
    hook: &crate::config::Webhook,
    body: &serde_json::Value,
) -> Result<(), String> {
    webhook::send(client, &resolve(&hook.url)?, body).await
}

/// A notification as mail: the webhook's text, and the same lines as simple HTML.
pub fn mail(
    config: &Config,
    m: &Message,
    test: bool,
    now_ms: i64,
) -> Result<lettre::Message, crate::Error> {
    let site = &config.site.title;
    let mut subject = webhook::headline(site, m);
    if test {
        subject = format!("[test] {subject}");
    }
    let text = webhook::text(site, m);
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default();
    let items: String = lines
        .map(|l| {
            format!(
                "<li>{}</li>",
                crate::render::charts::esc(l.trim_start_matches("- "))
            )
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"color-scheme\" content=\"light dark\"><title>{t}</title></head>\
         <body style=\"font-family:Helvetica,Arial,sans-serif;\"><p><strong>{t}</strong></p><ul>{items}</ul></body></html>",
        t = crate::render::charts::esc(head)
    );
    Ok(crate::report::mail::build(crate::report::mail::Parts {
        from: &config.report.from,
        to: &config.notify.email_to,
        subject: &subject,
        text,
        html,
        images: vec![],
        date_ms: now_ms,
    })?)
}

/// Sends what is due on every channel and records what went out. Mail goes to the outbox (and
/// counts as sent there: the outbox delivers it, once, when a server takes it).
pub async fn run(
    config: &Config,
    store: &mut Store,
    content: &Content,
    client: &reqwest::Client,
    outbox: &std::path::Path,
    now_ms: i64,
) -> Result<Report, crate::Error> {
    let mut report = Report::default();
    if config.notify.webhooks.is_empty() && config.notify.email_to.is_empty() {
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
            match deliver(client, hook, &body).await {
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
    if !config.notify.email_to.is_empty() {
        let key = "email";
        let sent = store.notices(key)?;
        for m in plan::due(&episodes, &sent, now_ms, config.notify.repeat, &muted) {
            let message = mail(config, &m, false, now_ms)?;
            let name = format!("alert-{now_ms}-{}", m.kind.as_str());
            crate::report::mail::to_outbox(outbox, &name, &message)?;
            store.record_notices(key, m.kind, &m.items, now_ms)?;
            report.sent += 1;
        }
    }
    Ok(report)
}

/// `lookout notify test --rule R`: a sample "fired" message for rule `R` on every channel, marked
/// as a test and not recorded. One line per channel saying how it went.
/// What one channel did with a test notification: what happened, or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub channel: String,
    pub outcome: Result<String, String>,
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.outcome {
            Ok(what) => write!(f, "{}: {what}", self.channel),
            Err(why) => write!(f, "{}: FAILED ({why})", self.channel),
        }
    }
}

/// A sample notification of `rule` to every channel; `Err` when the rule or every channel is
/// missing (bad input), else each channel's result.
pub async fn test(
    config: &Config,
    rule: &str,
    client: &reqwest::Client,
    outbox: &std::path::Path,
    now_ms: i64,
) -> Result<Vec<Delivery>, String> {
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
    if config.notify.webhooks.is_empty() && config.notify.email_to.is_empty() {
        return Err(
            "no channel is configured: add a [[webhook]] or notify.email_to to the config".into(),
        );
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
        lines.push(Delivery {
            channel: format!("webhook {}", n + 1),
            outcome: deliver(client, hook, &body)
                .await
                .map(|()| "sent".to_owned())
                .map_err(|e| e.to_string()),
        });
    }
    if !config.notify.email_to.is_empty() {
        let written = mail(config, &m, true, now_ms).and_then(|msg| {
            Ok(crate::report::mail::to_outbox(
                outbox,
                &format!("test-{now_ms}"),
                &msg,
            )?)
        });
        let outcome = match (written, &config.smtp) {
            (Err(e), _) => Err(e.to_string()),
            (Ok(p), None) => Ok(format!("written to {} (no [smtp] configured)", p.display())),
            (Ok(p), Some(smtp)) => {
                let f = crate::report::mail::flush(outbox, smtp, std::time::Duration::from_secs(1));
                match f.kept.iter().find(|k| k.0 == p) {
                    Some((_, why)) => Err(format!("kept in the outbox: {why}")),
                    None => Ok("sent".to_owned()),
                }
            }
        };
        lines.push(Delivery {
            channel: "email".to_owned(),
            outcome,
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_header_injection_from_the_site_title_or_a_rule_name() {
        // The config refuses control characters; the mail must hold even if one got through.
        let mut config = Config::from_toml(
            "[notify]\nemail_to = [\"ops@example.com\"]\n",
            std::path::Path::new("t.toml"),
        )
        .expect("config");
        config.site.title = "Status\r\nBcc: evil@example.com".into();
        let m = Message {
            kind: Kind::Fired,
            items: vec![Item {
                rule: "x\r\nX-Injected: yes".into(),
                metric: "m".into(),
                severity: "critical".into(),
                fired_ms: 0,
                resolved_ms: None,
                describe: String::new(),
                value: None,
            }],
        };
        let raw = String::from_utf8(mail(&config, &m, false, 0).expect("mail").formatted())
            .expect("utf8");
        let head = raw.split("\r\n\r\n").next().unwrap_or_default();
        for line in head.lines() {
            assert!(
                !line.starts_with("Bcc:") && !line.starts_with("X-Injected"),
                "{line}"
            );
        }
        assert!(
            head.contains("Subject: Status  Bcc: evil@example.com: 1 alert firing"),
            "{head}"
        );
        assert!(!raw.contains("\r\nX-Injected: yes\r\n"));
    }
}
