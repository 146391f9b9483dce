//! What passes a check and what does not, said in words.

use super::*;
use crate::collect::assemble;

fn check(toml: &str, status: Option<u16>, body: Result<&str, TransportFailure>) -> model::Snapshot {
    let config = Config::from_toml(
        &format!("[backend]\nkind = \"http\"\nurl = \"https://status.example.com/health\"\n{toml}"),
        std::path::Path::new("t.toml"),
    )
    .expect("config");
    let t = Http.targets(&config).remove(0);
    assert_eq!(
        t.url.as_str(),
        "https://status.example.com/health",
        "asked as written"
    );
    let r = RawReading {
        target: t,
        http_status: status,
        latency_ms: 42.0,
        attempts: 1,
        tls_not_after_ms: Some(10 * 86_400_000),
        body: body.map(|b| b.as_bytes().to_vec()),
    };
    assemble(86_400_000, 1.0, vec![r]).snapshot
}

fn said(s: &model::Snapshot) -> (model::Status, String) {
    let p = &s.components[0];
    assert_eq!(p.name, "status.example.com");
    (p.status, p.message.clone())
}

#[test]
fn status_body_and_json_conditions() {
    use model::Status::{Down, Healthy};
    let ok = check("", Some(200), Ok("fine"));
    assert_eq!(said(&ok), (Healthy, "HTTP 200".into()));
    assert_eq!(ok.availability, Some(model::Availability::Operational));
    assert_eq!(ok.metric("check.response_ms").map(|m| m.value), Some(42.0));
    assert_eq!(
        ok.metric("check.cert_days_left").map(|m| m.value),
        Some(9.0)
    );
    let s = check("", Some(503), Ok("busy"));
    assert_eq!(said(&s), (Down, "HTTP 503, expected 2xx or 3xx".into()));
    assert_eq!(s.availability, Some(model::Availability::MajorOutage));
    let s = check("expect_status = [204]", Some(200), Ok(""));
    assert_eq!(said(&s), (Down, "HTTP 200, expected 204".into()));
    let s = check("body_contains = \"ok\"", Some(200), Ok("error"));
    assert_eq!(
        said(&s),
        (Down, "HTTP 200, but the body lacks \"ok\"".into())
    );
    let json = "json_path = \"checks.0.state\"\njson_equals = \"up\"";
    let s = check(json, Some(200), Ok(r#"{"checks":[{"state":"degraded"}]}"#));
    assert_eq!(
        said(&s),
        (
            Down,
            "checks.0.state is \"degraded\", expected \"up\"".into()
        )
    );
    let s = check(json, Some(200), Ok(r#"{"checks":[{"state":"up"}]}"#));
    assert_eq!(said(&s).0, Healthy);
    let s = check(json, Some(200), Ok("<html>"));
    assert_eq!(said(&s), (Down, "the body has no checks.0.state".into()));
}

#[test]
fn no_answer_is_the_service_down() {
    let s = check(
        "",
        None,
        Err(TransportFailure::Unreachable("connection refused".into())),
    );
    assert_eq!(
        said(&s),
        (
            model::Status::Down,
            "unreachable: connection refused".into()
        )
    );
    assert_eq!(s.overall, model::Status::Down);
    assert_eq!(s.availability, Some(model::Availability::MajorOutage));
    assert_eq!(s.outcomes[0].kind, model::OutcomeKind::Unreachable);
    assert_eq!(s.metric("check.up").map(|m| m.value), Some(0.0));
    assert!(
        s.metric("check.response_ms").is_none(),
        "no answer, no response time"
    );
}

#[test]
fn bad_check_keys_are_refused() {
    for (toml, key) in [
        ("method = \"DELETE\"", "method"),
        ("expect_status = [42]", "expect_status"),
        ("json_path = \"a\"", "json_path"),
        ("ca_file = \"/no/such/file.pem\"", "ca_file"),
    ] {
        let e = Config::from_toml(
            &format!("[backend]\nkind = \"http\"\nurl = \"https://x.example\"\n{toml}\n"),
            std::path::Path::new("t.toml"),
        )
        .expect_err(toml);
        assert!(e.to_string().contains(key), "{toml}: {e}");
    }
    let e = Config::from_toml(
        "[backend]\nkind = \"http\"\n",
        std::path::Path::new("t.toml"),
    )
    .expect_err("no url");
    assert!(e.to_string().contains("url"), "{e}");
    let e = Config::from_toml(
        "[backend]\nkind = \"tcp\"\naddress = \"nohost\"\n",
        std::path::Path::new("t.toml"),
    )
    .expect_err("no port");
    assert!(e.to_string().contains("address"), "{e}");
}
