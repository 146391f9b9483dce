//! Preview server: serves the output folder on loopback with content types, ETag/304 and HEAD.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::http::{self, HttpRequest, HttpResponse, HttpServer};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("output folder {path} cannot be served: {source}")]
    NoSite {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running preview server.
#[derive(Debug)]
pub struct ServeHandle {
    pub addr: SocketAddr,
    server: HttpServer,
}

impl ServeHandle {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn stop(self) {
        self.server.stop();
    }
}

/// Starts serving `root` on `addr` (port 0 picks a free port).
pub fn start(root: &Path, addr: SocketAddr) -> Result<ServeHandle, ServeError> {
    let no_site = |source| ServeError::NoSite {
        path: root.to_owned(),
        source,
    };
    std::fs::create_dir_all(root).map_err(no_site)?;
    let root = std::fs::canonicalize(root).map_err(no_site)?;
    let server = http::start(addr, Arc::new(move |req| handle(&root, &req)))
        .map_err(|source| ServeError::Bind { addr, source })?;
    Ok(ServeHandle {
        addr: server.addr,
        server,
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
    if ["%2f", "%5c", "%2e", "%00", "\\"]
        .iter()
        .any(|bad| lower.contains(bad))
    {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
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

fn handle(root: &Path, req: &HttpRequest) -> HttpResponse {
    let head = req.method == "HEAD";
    if req.method != "GET" && !head {
        return HttpResponse::new(405, "text/plain; charset=utf-8", "method not allowed\n")
            .with_header("Allow", "GET, HEAD");
    }
    let raw = req
        .target
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let traversal = raw.contains("..")
        || raw.contains("%2e")
        || raw.contains("%2f")
        || raw.contains("%5c")
        || raw.contains('\\')
        || raw.starts_with("//");
    let found = resolve(root, &req.target).and_then(|f| std::fs::read(&f).ok().map(|b| (f, b)));
    let Some((file, bytes)) = found else {
        if traversal || !req.target.starts_with('/') {
            return HttpResponse::new(400, "text/plain; charset=utf-8", "bad request\n");
        }
        let page = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found\n".to_vec());
        return HttpResponse::new(404, "text/html; charset=utf-8", page);
    };
    let gzip = compressible(&file) && accepts_gzip(req.header("Accept-Encoding"));
    // Each encoding its own validator: a cached gzip body is not the plain one.
    let etag = format!(
        "\"{:016x}{}\"",
        xxhash_rust::xxh3::xxh3_64(&bytes),
        if gzip { "-gz" } else { "" }
    );
    // `W/` (a weak validator, as proxies rewrite them) still names the same content.
    let matches = req.header("If-None-Match").is_some_and(|v| {
        v.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*")
    });
    let cache = if immutable(&req.target) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let base = |status, body: Vec<u8>| {
        let r = HttpResponse::new(status, content_type(&file), body)
            .with_header("ETag", etag.clone())
            .with_header("Cache-Control", cache)
            .with_header("X-Content-Type-Options", "nosniff");
        if compressible(&file) {
            r.with_header("Vary", "Accept-Encoding")
        } else {
            r
        }
    };
    if matches {
        let mut r = base(304, Vec::new());
        r.headers.retain(|(k, _)| k != "Content-Type");
        return r;
    }
    if gzip && let Some(z) = gzipped(&bytes) {
        return base(200, z).with_header("Content-Encoding", "gzip");
    }
    // hyper leaves the body out of HEAD answers and keeps its length.
    base(200, bytes)
}

/// Text and WebAssembly shrink several times under gzip; images are compressed already.
fn compressible(file: &Path) -> bool {
    matches!(
        file.extension().and_then(|e| e.to_str()),
        Some(
            "html"
                | "css"
                | "js"
                | "mjs"
                | "json"
                | "svg"
                | "xml"
                | "atom"
                | "csv"
                | "txt"
                | "wasm"
        )
    )
}

/// Whether `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
fn accepts_gzip(header: Option<&str>) -> bool {
    header.is_some_and(|h| {
        h.split(',').any(|part| {
            let mut it = part.split(';').map(str::trim);
            let coding = it.next().unwrap_or("");
            let q0 = it.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0");
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !q0
        })
    })
}

/// A file named by its content (`assets/widgets-<8 hex>.wasm`) or asked for by a content
/// version (`style.css?v=<hash>`) never changes under that URL.
fn immutable(target: &str) -> bool {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let hashed = stem
        .rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 8 && h.bytes().all(|c| c.is_ascii_hexdigit()));
    (path.starts_with("/assets/") && hashed) || query.split('&').any(|kv| kv.starts_with("v="))
}

fn gzipped(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    z.write_all(bytes).ok()?;
    z.finish().ok()
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
            assert!(
                r.is_none() || r.as_deref().is_some_and(|p| p.starts_with(&root)),
                "{bad}: {r:?}"
            );
            assert!(r.is_none(), "{bad} resolved to {r:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hashed_files_are_immutable_and_text_is_gzipped_when_asked() {
        assert!(immutable("/assets/widgets-0a1b2c3d.wasm"));
        assert!(immutable("/assets/style.css?v=0a1b2c3d"));
        assert!(!immutable("/assets/style.css"));
        assert!(!immutable("/index.html"));
        assert!(!immutable("/assets/widgets-zz.js"));
        assert!(accepts_gzip(Some("gzip, deflate, br")));
        assert!(accepts_gzip(Some("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(Some("gzip;q=0, br")));
        assert!(!accepts_gzip(Some("br")));
        assert!(!accepts_gzip(None));
        assert!(compressible(Path::new("a.wasm")) && !compressible(Path::new("a.png")));
        let text = "a status page ".repeat(100);
        let z = gzipped(text.as_bytes()).expect("gzip");
        assert!(z.len() < text.len() / 5);
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&z[..]), &mut back)
            .expect("gunzip");
        assert_eq!(back, text);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("a.svg")), "image/svg+xml");
        assert!(content_type(Path::new("a.html")).starts_with("text/html"));
    }
}
