//! `[notify]` and `[[webhook]]`: where alert notifications go, checked into `Notify`.

use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    repeat_minutes: Option<u64>,
    email_to: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebhook {
    url: Option<String>,
    url_env: Option<String>,
    format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notify {
    /// Remind about alerts that keep firing this long after the last word (`None`: never).
    pub repeat: Option<Duration>,
    pub webhooks: Vec<Webhook>,
    /// Mail recipients (through `[smtp]`, or the outbox without one).
    pub email_to: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// `{kind, site, text, alerts: [...]}`.
    Json,
    /// Slack's incoming-webhook body (`text` and `blocks`); Mattermost and others take it too.
    Slack,
}

/// A webhook's address: written in the config, or (when it holds a secret, as Slack's do) read
/// from the environment at send time.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookUrl {
    Fixed(Url),
    Env(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub url: WebhookUrl,
    pub format: WebhookFormat,
}

pub(super) fn check(
    raw: RawNotify,
    hooks: Vec<RawWebhook>,
    bad: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<Notify, ConfigError> {
    let repeat = match raw.repeat_minutes.unwrap_or(240) {
        0 => None,
        m if m > 7 * 24 * 60 => {
            return Err(bad(
                "notify.repeat_minutes",
                format!("must be at most a week (10080), got {m}"),
            ));
        }
        m => Some(Duration::from_secs(m * 60)),
    };
    let mut webhooks = Vec::new();
    for h in hooks {
        let url = match (h.url, h.url_env) {
            (Some(u), None) => {
                let url = Url::parse(&u)
                    .map_err(|e| bad("webhook.url", format!("is not a URL ({e})")))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(bad(
                        "webhook.url",
                        "must start with http:// or https://".into(),
                    ));
                }
                WebhookUrl::Fixed(url)
            }
            (None, Some(var)) if !var.trim().is_empty() => WebhookUrl::Env(var),
            _ => {
                return Err(bad(
                    "webhook",
                    "needs exactly one of url or url_env (the name of a variable holding it)"
                        .into(),
                ));
            }
        };
        let format = match h.format.as_deref() {
            None | Some("json") => WebhookFormat::Json,
            Some("slack") => WebhookFormat::Slack,
            Some(other) => {
                return Err(bad(
                    "webhook.format",
                    format!("must be \"json\" or \"slack\", got {other:?}"),
                ));
            }
        };
        webhooks.push(Webhook { url, format });
    }
    let email_to = raw
        .email_to
        .unwrap_or_default()
        .iter()
        .map(|t| super::report::mailbox("notify.email_to", t, bad))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Notify {
        repeat,
        webhooks,
        email_to,
    })
}
