//! `lookout serve`: content types, index for folders, ETag/304, HEAD, and no way out of the folder.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Stdio};

use crate::support::*;

struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(site: &std::path::Path) -> Served {
    let mut child = bin()
        .args(["--out"])
        .arg(site)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .split("http://")
        .nth(1)
        .expect("url in first line")
        .trim()
        .trim_end_matches(['/', ')', ' ']);
    let url = url
        .split_whitespace()
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    Served {
        child,
        addr: url.parse().unwrap_or_else(|e| panic!("{url}: {e}")),
    }
}

#[test]
fn serves_the_site_with_types_etags_and_head() {
    let dir = temp("serve");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("sub")).expect("mkdir");
    std::fs::write(site.join("index.html"), "<h1>home</h1>").expect("w");
    std::fs::write(site.join("404.html"), "<h1>missing</h1>").expect("w");
    std::fs::write(site.join("sub/index.html"), "<h1>sub</h1>").expect("w");
    for (name, body) in [
        ("a.css", "b{}"),
        ("a.js", "1"),
        ("a.json", "{}"),
        ("a.svg", "<svg/>"),
        ("a.xml", "<x/>"),
        ("a.wasm", "\0asm"),
    ] {
        std::fs::write(site.join(name), body).expect("w");
    }
    let s = serve(&site);
    let r = raw_http(s.addr, "GET", "/", &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"<h1>home</h1>"[..]));
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("text/html")
    );
    assert_eq!(raw_http(s.addr, "GET", "/sub/", &[]).body, b"<h1>sub</h1>");
    assert_eq!(raw_http(s.addr, "GET", "/sub", &[]).body, b"<h1>sub</h1>");
    for (name, ct) in [
        ("a.css", "text/css"),
        ("a.js", "text/javascript"),
        ("a.json", "application/json"),
        ("a.svg", "image/svg+xml"),
        ("a.xml", "application/xml"),
        ("a.wasm", "application/wasm"),
    ] {
        let r = raw_http(s.addr, "GET", &format!("/{name}?v=1"), &[]);
        assert_eq!(r.status, 200, "{name}");
        assert!(
            r.header("content-type").unwrap_or("").starts_with(ct),
            "{name}: {:?}",
            r.header("content-type")
        );
    }
    let etag = r.header("etag").map(str::to_owned);
    let first = raw_http(s.addr, "GET", "/", &[]);
    let etag = first
        .header("etag")
        .map(str::to_owned)
        .or(etag)
        .expect("etag");
    let again = raw_http(s.addr, "GET", "/", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = raw_http(s.addr, "GET", "/", &[("If-None-Match", "\"nope\"")]);
    assert_eq!(other.status, 200);
    let head = raw_http(s.addr, "HEAD", "/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some("13"));
    let missing = raw_http(s.addr, "GET", "/nope.html", &[]);
    assert_eq!(
        (missing.status, missing.body.as_slice()),
        (404, &b"<h1>missing</h1>"[..])
    );
    assert_eq!(raw_http(s.addr, "POST", "/", &[]).status, 405);
    // A weak validator names the same content.
    let weak = format!("W/{etag}");
    assert_eq!(
        raw_http(s.addr, "GET", "/", &[("If-None-Match", &weak)]).status,
        304
    );

    // Compressed when the browser takes it, with its own validator; hashed files are immutable.
    let text = "<p>a status page</p>".repeat(200);
    std::fs::create_dir_all(site.join("assets")).expect("mkdir");
    std::fs::write(site.join("assets/widgets-0a1b2c3d.js"), &text).expect("w");
    let gz = raw_http(
        s.addr,
        "GET",
        "/assets/widgets-0a1b2c3d.js",
        &[("Accept-Encoding", "gzip, br")],
    );
    assert_eq!(
        (gz.status, gz.header("content-encoding")),
        (200, Some("gzip"))
    );
    assert!(gz.body.len() < text.len() / 10, "{} bytes", gz.body.len());
    let mut back = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz.body[..]), &mut back)
        .expect("gunzip");
    assert_eq!(back, text);
    assert_eq!(
        gz.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(gz.header("vary"), Some("Accept-Encoding"));
    let plain = raw_http(s.addr, "GET", "/assets/widgets-0a1b2c3d.js", &[]);
    assert_eq!(
        (plain.header("content-encoding"), plain.body.len()),
        (None, text.len())
    );
    assert_ne!(plain.header("etag"), gz.header("etag"));
    assert_eq!(
        raw_http(s.addr, "GET", "/", &[]).header("cache-control"),
        Some("no-cache")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn path_traversal_is_refused_in_every_spelling() {
    let dir = temp("traversal");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("a/b")).expect("mkdir");
    std::fs::write(site.join("index.html"), "home").expect("w");
    std::fs::write(dir.join("secret.txt"), "TOP-SECRET-OUTSIDE").expect("secret");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("link.txt")).expect("symlink");
    let s = serve(&site);
    let attempts = [
        "/../secret.txt",
        "/a/../../secret.txt",
        "/a/b/../../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/a%2f..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "//secret.txt",
        &format!("/{}", dir.join("secret.txt").display()),
        &format!("{}", dir.join("secret.txt").display()),
        &format!("//{}", dir.join("secret.txt").display()),
        "http://127.0.0.1/../secret.txt",
        "/link.txt",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/a/%00/../../secret.txt",
    ];
    for a in attempts {
        let r = raw_http(s.addr, "GET", a, &[]);
        let body = String::from_utf8_lossy(&r.body);
        assert!(
            !body.contains("TOP-SECRET") && !body.contains("root:"),
            "{a} leaked: {} {body}",
            r.status
        );
        assert_ne!(r.status, 200, "{a} answered 200");
    }
    assert_eq!(
        raw_http(s.addr, "GET", "/index.html", &[]).status,
        200,
        "still serving"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
