//! Preview server: serves the output folder on loopback with content types, ETag/304 and HEAD.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
    #[error("output folder {path} does not exist; run `lookout build` first")]
    NoSite { path: PathBuf },
}

/// A running preview server; dropping the handle does not stop it, `stop` does.
#[derive(Debug)]
pub struct ServeHandle {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl ServeHandle {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Starts serving `root` on `addr` (port 0 picks a free port) with a few worker threads.
pub fn start(root: &Path, addr: SocketAddr) -> Result<ServeHandle, ServeError> {
    std::fs::create_dir_all(root).map_err(|_| ServeError::NoSite { path: root.to_owned() })?;
    let root = std::fs::canonicalize(root).map_err(|_| ServeError::NoSite { path: root.to_owned() })?;
    let server = Server::http(addr).map_err(|e| ServeError::Bind {
        addr,
        message: e.to_string(),
    })?;
    let local = server
        .server_addr()
        .to_ip()
        .unwrap_or(addr);
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    let threads = (0..4)
        .map(|_| {
            let server = Arc::clone(&server);
            let stop = Arc::clone(&stop);
            let root = root.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv_timeout(Duration::from_millis(200)) {
                        Ok(Some(req)) => handle(&root, req),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    Ok(ServeHandle {
        addr: local,
        stop,
        threads,
    })
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a request target to a file under `root`, or `None` for anything that could leave it.
/// Encoded separators and dots are refused outright rather than decoded and re-checked.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    let lower = path.to_ascii_lowercase();
    if ["%2f", "%5c", "%2e", "%00", "\\"].iter().any(|bad| lower.contains(bad)) {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut out = root.to_owned();
    for comp in Path::new(decoded.trim_start_matches('/')).components() {
        match comp {
            Component::Normal(seg) => out.push(seg),
            Component::CurDir => {}
            // `..`, a root or a drive prefix: never followed.
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    // A symlink inside the site must not lead outside it.
    let real = std::fs::canonicalize(&out).ok()?;
    real.starts_with(root).then_some(real)
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(root: &Path, req: Request) {
    let method = req.method().clone();
    if method != Method::Get && method != Method::Head {
        let mut resp = Response::from_string("method not allowed\n").with_status_code(405);
        if let Some(h) = header("Allow", "GET, HEAD") {
            resp.add_header(h);
        }
        let _ = req.respond(resp);
        return;
    }
    let url = req.url().to_owned();
    let raw = req.url().split(['?', '#']).next().unwrap_or("");
    let looks_like_traversal = {
        let l = raw.to_ascii_lowercase();
        l.contains("..") || l.contains("%2e") || l.contains("%2f") || l.contains("%5c") || l.contains('\\') || l.starts_with("//")
    };
    let Some(file) = resolve(root, &url) else {
        let code = if looks_like_traversal { 400 } else { 404 };
        respond_not_found(root, req, code, method == Method::Head);
        return;
    };
    let Ok(bytes) = std::fs::read(&file) else {
        respond_not_found(root, req, 404, method == Method::Head);
        return;
    };
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    let matches = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("If-None-Match"))
        .is_some_and(|h| h.value.as_str().split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut headers: Vec<Header> = [
        header("ETag", &etag),
        header("Cache-Control", "no-cache"),
        header("X-Content-Type-Options", "nosniff"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if matches {
        let mut resp = Response::empty(304);
        for h in headers {
            resp.add_header(h);
        }
        let _ = req.respond(resp);
        return;
    }
    headers.extend(header("Content-Type", content_type(&file)));
    let len = bytes.len();
    let body: Box<dyn Read + Send> = if method == Method::Head {
        Box::new(std::io::empty())
    } else {
        Box::new(std::io::Cursor::new(bytes))
    };
    let resp = Response::new(200.into(), headers, body, Some(len), None);
    let _ = req.respond(resp);
}

fn respond_not_found(root: &Path, req: Request, code: u16, head: bool) {
    let page = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found\n".to_vec());
    let body = if code == 400 { b"bad request\n".to_vec() } else { page };
    let len = body.len();
    let ct = if code == 400 { "text/plain; charset=utf-8" } else { "text/html; charset=utf-8" };
    let headers: Vec<Header> = header("Content-Type", ct).into_iter().collect();
    let reader: Box<dyn Read + Send> = if head { Box::new(std::io::empty()) } else { Box::new(std::io::Cursor::new(body)) };
    let _ = req.respond(Response::new(code.into(), headers, reader, Some(len), None));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_refuses_every_traversal_spelling() {
        let dir = std::env::temp_dir().join(format!("lookout-serve-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a")).expect("mkdir");
        std::fs::write(dir.join("index.html"), "i").expect("write");
        std::fs::write(dir.join("a/x.css"), "x").expect("write");
        let root = std::fs::canonicalize(&dir).expect("canon");
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(&root, "/a/x.css?v=1"), Some(root.join("a/x.css")));
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/etc/passwd",
            "/a%2f..%2f..%2fetc%2fpasswd",
            "/..%5c..%5cetc",
            "//etc/passwd",
            "/etc/passwd",
            "etc/passwd",
            "/a\\..\\..\\etc",
            "/%00",
        ] {
            let r = resolve(&root, bad);
            assert!(r.is_none() || r.as_deref().is_some_and(|p| p.starts_with(&root)), "{bad}: {r:?}");
            assert!(r.is_none(), "{bad} resolved to {r:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("a.svg")), "image/svg+xml");
        assert!(content_type(Path::new("a.html")).starts_with("text/html"));
    }
}
