//! Black-box checks end to end: `kind = "http"` against a real TLS server (`openssl s_server`)
//! whose certificate expires in 3 days, and `kind = "tcp"` against the same server, up and then
//! gone.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{live_clock, temp};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (Debian's openssl package)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA, and a server certificate for 127.0.0.1 it signed, valid for `days`.
fn certificates(dir: &Path, days: u32) -> PathBuf {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Lookout test CA",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "srv.key",
        "-out",
        "srv.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    let days = days.to_string();
    openssl(
        dir,
        &[
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
            &days,
            "-extfile",
            "ext.cnf",
        ],
    );
    dir.join("ca.pem")
}

/// `openssl s_server -www` on a free loopback port; killed when dropped.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    fn start(dir: &Path) -> TlsServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new("openssl")
            .args(["s_server", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-cert", "srv.pem", "-key", "srv.key", "-www", "-quiet"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server");
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
        TlsServer { child, port }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn snapshot_and_build(dir: &Path, toml: &str) -> model::Snapshot {
    let config = lookout::config::Config::from_toml(toml, Path::new("t.toml")).expect("config");
    let mut store = lookout::store::Store::open(&dir.join("data")).expect("store");
    // The certificate's validity is the real clock's (TLS verifies against it), so this test
    // reads that clock, as the live widget tests do: 3 days left whenever it runs.
    let clock = live_clock();
    let (_, snap) = lookout::app::snapshot(&config, &mut store, None, clock).expect("snapshot");
    lookout::app::build(&config, &mut store, &dir.join("site"), false, clock).expect("build");
    snap
}

#[test]
fn a_certificate_expiring_in_3_days_fires_the_alert() {
    let dir = temp("check-tls");
    let ca = certificates(&dir, 3);
    let server = TlsServer::start(&dir);
    let toml = format!(
        "[backend]\nkind = \"http\"\nurl = \"https://127.0.0.1:{}/\"\nca_file = {:?}\nbody_contains = \"s_server\"\n",
        server.port,
        ca.display().to_string()
    );
    let snap = snapshot_and_build(&dir, &toml);
    let part = &snap.components[0];
    assert_eq!(
        (part.name.as_str(), part.status, part.message.as_str()),
        ("127.0.0.1", model::Status::Healthy, "HTTP 200"),
        "{:?}",
        snap.outcomes
    );
    let days = snap
        .metric("check.cert_days_left")
        .expect("days left")
        .value;
    assert!((2.9..=3.0).contains(&days), "{days}");
    let analysis: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("site/data/analysis.json")).expect("analysis"),
    )
    .expect("json");
    let firing: Vec<&Value> = analysis["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|a| a["phase"] == "firing")
        .collect();
    assert!(
        firing
            .iter()
            .any(|a| a["rule"] == "Certificate expires within 14 days"),
        "{firing:?}"
    );
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    assert!(index.contains("Certificate days left"), "on the index");
    // Without the CA, the same server is not trusted: the check fails, and says why.
    let untrusted = temp("check-tls-untrusted");
    let toml = format!(
        "[backend]\nkind = \"http\"\nurl = \"https://127.0.0.1:{}/\"\n",
        server.port
    );
    let snap = snapshot_and_build(&untrusted, &toml);
    let part = &snap.components[0];
    assert_eq!(part.status, model::Status::Down);
    assert!(part.message.starts_with("unreachable:"), "{}", part.message);
    assert!(snap.metric("check.cert_days_left").is_none());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&untrusted);
}

#[test]
fn a_tcp_check_is_up_while_the_server_listens_and_down_once_it_is_gone() {
    let dir = temp("check-tcp");
    certificates(&dir, 3);
    let server = TlsServer::start(&dir);
    let toml = format!(
        "[backend]\nkind = \"tcp\"\naddress = \"127.0.0.1:{}\"\n",
        server.port
    );
    let up = snapshot_and_build(&dir, &toml);
    assert_eq!(up.components[0].status, model::Status::Healthy);
    assert_eq!(up.availability, Some(model::Availability::Operational));
    assert!(up.metric("check.response_ms").is_some());
    drop(server);
    let down = snapshot_and_build(&dir, &toml);
    assert_eq!(down.components[0].status, model::Status::Down);
    assert_eq!(down.overall, model::Status::Down);
    assert_eq!(down.availability, Some(model::Availability::MajorOutage));
    let index = std::fs::read_to_string(dir.join("site/index.html")).expect("index");
    assert!(index.contains("Major outage"), "the page says so");
    let _ = std::fs::remove_dir_all(&dir);
}
