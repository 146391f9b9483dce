//! Mail over TLS with authentication against a real server (aiosmtpd): STARTTLS and implicit TLS, credentials from the environment, a wrong password keeps the mail for later.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::*;

const USER: &str = "lookout";
const PASSWORD: &str = "s3cret-smtp-pass-91";

/// A test CA and a server certificate for 127.0.0.1 it signed; returns (ca.pem, cert, key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(ok.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Lookout test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "srv.key",
        "-out",
        "srv.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (dir.join("ca.pem"), dir.join("srv.pem"), dir.join("srv.key"))
}

struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// aiosmtpd, installed by tests/run.sh under target/test-tools/py.
fn start(dir: &Path, mode: &str, cert: &Path, key: &Path) -> Option<Server> {
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-tools/py");
    if !py.join("aiosmtpd").is_dir() {
        crate::a11y::missing("aiosmtpd (tests/run.sh installs it under target/test-tools/py)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/smtp_tls_sink.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(dir)
        .arg(port.to_string())
        .arg(cert)
        .arg(key)
        .args([mode, USER, PASSWORD])
        .env("PYTHONPATH", &py)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = std::io::BufReader::new(out).read_line(&mut line);
    }
    assert_eq!(line.trim(), "ready", "the TLS SMTP server did not start");
    Some(Server {
        child,
        port,
        dir: dir.to_owned(),
    })
}

fn received(dir: &Path) -> Vec<Value> {
    (1..)
        .map_while(|n| std::fs::read_to_string(dir.join(format!("{n}.json"))).ok())
        .map(|t| serde_json::from_str(&t).expect("json"))
        .collect()
}

fn report(
    dir: &Path,
    port: u16,
    security: &str,
    ca: &Path,
    password: &str,
) -> std::process::Output {
    let cfg = write_config(
        dir,
        "http://127.0.0.1:9",
        &format!(
            "[report]\nto = [\"ops@example.com\"]\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\n\
             username_env = \"E2E_SMTP_USER\"\npassword_env = \"E2E_SMTP_PASSWORD\"\n"
        ),
    );
    lookout_at(&cfg, &dir.join("data"), &dir.join("site"))
        .args(["report", "--send"])
        .env("SSL_CERT_FILE", ca)
        .env("E2E_SMTP_USER", USER)
        .env("E2E_SMTP_PASSWORD", password)
        .output()
        .expect("lookout report")
}

#[test]
fn mail_goes_over_starttls_and_implicit_tls_with_credentials_from_the_environment() {
    let dir = temp("mail-tls");
    let (ca, cert, key) = certificates(&dir);
    let Some(starttls) = start(&dir.join("starttls"), "starttls", &cert, &key) else {
        return;
    };
    let cfg = write_config(&dir, "http://127.0.0.1:9", "");
    let fill = lookout_at(&cfg, &dir.join("data"), &dir.join("site"))
        .args(["fill", "--days", "1", "--step", "900"])
        .output()
        .expect("fill");
    assert!(fill.status.success());

    // A wrong password: refused, kept in the outbox, and the password is never printed.
    let o = report(&dir, starttls.port, "starttls", &ca, "wrong-password");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("kept in the outbox"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-password")
            && !String::from_utf8_lossy(&o.stdout).contains("wrong-password")
    );
    assert!(received(&starttls.dir).is_empty());

    // The right one: STARTTLS, then AUTH; the kept mail and the new one both arrive.
    let o = report(&dir, starttls.port, "starttls", &ca, PASSWORD);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = received(&starttls.dir);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter().all(|m| m["tls"] == true && m["login"] == USER),
        "{got:?}"
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!all.contains(PASSWORD), "the password was printed");

    // Implicit TLS (SMTPS) too.
    let Some(smtps) = start(&dir.join("smtps"), "tls", &cert, &key) else {
        return;
    };
    let o = report(&dir, smtps.port, "tls", &ca, PASSWORD);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = received(&smtps.dir);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0]["tls"].as_bool(), got[0]["login"].as_str()),
        (Some(true), Some(USER))
    );
    // An untrusted certificate is refused, not accepted silently.
    let o = lookout_at(
        &dir.join("lookout.toml"),
        &dir.join("data"),
        &dir.join("site"),
    )
    .args(["report", "--send"])
    .env("SSL_CERT_FILE", &cert)
    .env("E2E_SMTP_USER", USER)
    .env("E2E_SMTP_PASSWORD", PASSWORD)
    .env_remove("SSL_CERT_DIR")
    .output()
    .expect("report");
    assert!(
        !o.status.success(),
        "a certificate not signed by a trusted CA must fail"
    );
    assert_eq!(received(&smtps.dir).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
