//! The report as mail: multipart/alternative (text, and HTML with its charts inline by Content-ID), kept in an outbox folder until an SMTP server takes it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, Message, SmtpTransport, Transport};

use crate::config::{Security, Smtp};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail not built: {0}")]
    Build(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

/// The parts of one report mail.
pub struct Parts<'a> {
    pub from: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub text: String,
    pub html: String,
    /// `(Content-ID, PNG bytes)`; the HTML refers to them as `cid:<id>`.
    pub images: Vec<(String, Vec<u8>)>,
    /// The Date header: when the message was made, by the command's clock.
    pub date_ms: i64,
}

pub fn build(p: Parts<'_>) -> Result<Message, MailError> {
    let bad = |e: &dyn std::fmt::Display| MailError::Build(e.to_string());
    let from: Mailbox = p.from.parse().map_err(|e| bad(&e))?;
    // A header stays one line whatever the site title or a rule name in it holds.
    let subject: String = p
        .subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let date = std::time::UNIX_EPOCH + std::time::Duration::from_millis(p.date_ms.max(0) as u64);
    // One id per message, on the sender's domain: mail clients thread and dedupe by it.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in subject.bytes().chain(p.to.iter().flat_map(|t| t.bytes())) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let id = format!("<{}.{h:016x}@{}>", p.date_ms, from.email.domain());
    let mut b = Message::builder()
        .from(from)
        .subject(subject)
        .date(date)
        .message_id(Some(id));
    for t in p.to {
        b = b.to(t.parse().map_err(|e| bad(&e))?);
    }
    let png = ContentType::parse("image/png").map_err(|e| bad(&e))?;
    let mut related = MultiPart::related().singlepart(SinglePart::html(p.html));
    for (cid, bytes) in p.images {
        related = related.singlepart(Attachment::new_inline(cid).body(bytes, png.clone()));
    }
    b.multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::plain(p.text))
            .multipart(related),
    )
    .map_err(|e| bad(&e))
}

/// One message waiting in the outbox: the `.eml` and, beside it, who it goes to.
fn envelope_path(eml: &Path) -> PathBuf {
    eml.with_extension("rcpt")
}

/// Writes the message to the outbox (atomically, the recipients first) and returns its path.
pub fn to_outbox(outbox: &Path, name: &str, m: &Message) -> Result<PathBuf, MailError> {
    let io = |context: String| move |source| MailError::Io { context, source };
    std::fs::create_dir_all(outbox).map_err(io(format!("cannot create {}", outbox.display())))?;
    let eml = outbox.join(format!("{name}.eml"));
    let env = m.envelope();
    let mut rcpt = format!(
        "{}\n",
        env.from().map(ToString::to_string).unwrap_or_default()
    );
    for t in env.to() {
        rcpt.push_str(&format!("{t}\n"));
    }
    crate::render::write_atomic(&envelope_path(&eml), rcpt.as_bytes(), 0)
        .map_err(io(format!("cannot write {}", eml.display())))?;
    crate::render::write_atomic(&eml, &m.formatted(), 0)
        .map_err(io(format!("cannot write {}", eml.display())))?;
    Ok(eml)
}

/// Messages waiting, oldest name first.
pub fn waiting(outbox: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(outbox)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter(|p| envelope_path(p).is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn transport(s: &Smtp) -> Result<SmtpTransport, String> {
    let b = match s.security {
        Security::StartTls => SmtpTransport::starttls_relay(&s.host).map_err(|e| e.to_string())?,
        Security::Tls => SmtpTransport::relay(&s.host).map_err(|e| e.to_string())?,
        Security::None => SmtpTransport::builder_dangerous(&s.host),
    };
    let mut b = b.port(s.port).timeout(Some(Duration::from_secs(30)));
    if let (Some(u), Some(p)) = (&s.username_env, &s.password_env) {
        let get = |v: &str| {
            std::env::var(v)
                .map_err(|_| format!("environment variable {v} (SMTP credentials) is not set"))
        };
        b = b.credentials(Credentials::new(get(u)?, get(p)?));
    }
    Ok(b.build())
}

/// What a flush of the outbox did.
#[derive(Debug, Default)]
pub struct Flushed {
    pub sent: Vec<PathBuf>,
    /// Messages left for next time, with the reason.
    pub kept: Vec<(PathBuf, String)>,
}

/// Sends every waiting message (a few tries each, with a growing pause); a sent one leaves the
/// outbox, a refused one stays for the next run. Never loses a message.
pub fn flush(outbox: &Path, smtp: &Smtp, pause: Duration) -> Flushed {
    let mut out = Flushed::default();
    let list = waiting(outbox);
    if list.is_empty() {
        return out;
    }
    let t = match transport(smtp) {
        Ok(t) => t,
        Err(e) => {
            out.kept = list.into_iter().map(|p| (p, e.clone())).collect();
            return out;
        }
    };
    for eml in list {
        let result = (|| -> Result<(), String> {
            let rcpt = std::fs::read_to_string(envelope_path(&eml)).map_err(|e| e.to_string())?;
            let mut lines = rcpt.lines();
            let from: Option<Address> = lines.next().and_then(|l| l.parse().ok());
            let to: Vec<Address> = lines.filter_map(|l| l.parse().ok()).collect();
            let env = lettre::address::Envelope::new(from, to).map_err(|e| e.to_string())?;
            let bytes = std::fs::read(&eml).map_err(|e| e.to_string())?;
            let mut last = String::new();
            for attempt in 0..3u32 {
                if attempt > 0 {
                    std::thread::sleep(pause * 2u32.pow(attempt - 1));
                }
                match t.send_raw(&env, &bytes) {
                    Ok(_) => return Ok(()),
                    Err(e) => last = e.to_string(),
                }
            }
            Err(last)
        })();
        match result {
            Ok(()) => {
                // The message first: a crash between the two leaves a stray .rcpt, never a resend.
                let _ = std::fs::remove_file(&eml);
                let _ = std::fs::remove_file(envelope_path(&eml));
                out.sent.push(eml);
            }
            Err(e) => out.kept.push((eml, e)),
        }
    }
    out
}
