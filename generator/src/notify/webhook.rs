//! Webhook messages: a generic JSON body and a Slack-compatible one, sent with retries.

use std::time::Duration;

use serde_json::{Value, json};

use super::plan::{Item, Kind, Message};
use crate::config::WebhookFormat;

pub fn headline(site: &str, m: &Message) -> String {
    let n = m.items.len();
    let alerts = if n == 1 { "alert" } else { "alerts" };
    match m.kind {
        Kind::Fired => format!("{site}: {n} {alerts} firing"),
        Kind::Resolved => format!("{site}: {n} {alerts} resolved"),
        Kind::Repeat => format!("{site}: {n} {alerts} still firing"),
    }
}

fn line(i: &Item) -> String {
    let value = i
        .value
        .map(|v| format!(" is {}", (v * 100.0).round() / 100.0))
        .unwrap_or_default();
    let when = match i.resolved_ms {
        Some(r) => format!(
            "fired {}, resolved {}",
            model::time::format_human(i.fired_ms),
            model::time::format_human(r)
        ),
        None => format!("since {}", model::time::format_human(i.fired_ms)),
    };
    let rule = if i.describe.is_empty() {
        String::new()
    } else {
        format!(" (rule: {})", i.describe)
    };
    format!(
        "[{}] {}: {}{value}{rule}, {when}",
        i.severity.to_uppercase(),
        i.rule,
        i.metric
    )
}

/// The plain text of a message: a headline, then one line per alert.
pub fn text(site: &str, m: &Message) -> String {
    let mut out = headline(site, m);
    for i in &m.items {
        out.push_str("\n- ");
        out.push_str(&line(i));
    }
    out
}

/// Slack's mrkdwn treats these three as markup.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn body(format: WebhookFormat, site: &str, m: &Message, test: bool) -> Value {
    let mut text = text(site, m);
    if test {
        text = format!("[test] {text}");
    }
    match format {
        WebhookFormat::Json => json!({
            "source": "lookout",
            "test": test,
            "kind": m.kind.as_str(),
            "site": site,
            "count": m.items.len(),
            "text": text,
            "alerts": m.items.iter().map(|i| json!({
                "rule": i.rule,
                "metric": i.metric,
                "severity": i.severity,
                "fired_at": model::time::format_iso(i.fired_ms),
                "resolved_at": i.resolved_ms.map(model::time::format_iso),
                "value": i.value,
                "rule_text": i.describe,
            })).collect::<Vec<_>>(),
        }),
        WebhookFormat::Slack => {
            let escaped = slack_escape(&text);
            let mut lines = escaped.lines();
            let head = lines.next().unwrap_or_default();
            let rest: Vec<&str> = lines.collect();
            json!({
                "text": escaped,
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": format!("*{head}*")}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": rest.join("\n")}},
                ],
            })
        }
    }
}

/// POSTs `body`, three tries with a growing pause; the error says what the last try got.
pub async fn send(client: &reqwest::Client, url: &str, body: &Value) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
        }
        match client
            .post(url)
            .timeout(Duration::from_secs(10))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => last = format!("HTTP {}", r.status().as_u16()),
            Err(e) => {
                last = if e.is_timeout() {
                    "timed out".into()
                } else {
                    "no connection".into()
                }
            }
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_every_alert_and_slack_text_is_escaped() {
        let m = Message {
            kind: Kind::Fired,
            items: vec![Item {
                rule: "Errors <5%> & more".into(),
                metric: "probe.error_rate".into(),
                severity: "critical".into(),
                fired_ms: 1_790_000_000_000,
                resolved_ms: None,
                describe: "probe.error_rate > 5 for 2m".into(),
                value: Some(12.345),
            }],
        };
        let j = body(WebhookFormat::Json, "Status", &m, false);
        assert_eq!(j["kind"], "fired");
        assert_eq!(j["alerts"][0]["metric"], "probe.error_rate");
        assert_eq!(j["alerts"][0]["value"], 12.345);
        assert!(
            j["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Status: 1 alert firing\n- [CRITICAL]"))
        );
        let s = body(WebhookFormat::Slack, "Status", &m, true);
        let t = s["text"].as_str().unwrap_or_default();
        assert!(t.starts_with("[test] Status"), "{t}");
        assert!(
            t.contains("Errors &lt;5%&gt; &amp; more") && t.contains("is 12.35"),
            "{t}"
        );
        assert_eq!(
            s["blocks"][0]["text"]["text"],
            "*[test] Status: 1 alert firing*"
        );
    }
}
