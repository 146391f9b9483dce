//! The Hugo baseline of `lookout bench`: a Hugo site of as many comparable pages (a 40-row
//! table and a 200-point SVG chart each), built into an empty folder and timed in the same run,
//! when `hugo` is installed (Debian's package).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SINGLE: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><table><thead><tr><th>Metric</th><th>Value</th></tr></thead><tbody>
{{ range .Params.rows }}<tr><th>{{ index . 0 }}</th><td>{{ index . 1 }}</td></tr>{{ end }}
</tbody></table><svg viewBox="0 0 200 100" role="img"><title>{{ .Title }}</title><polyline fill="none" stroke="currentColor" points="{{ .Params.points }}"/></svg></body></html>
"#;

const LIST: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1></body></html>
"#;

/// `hugo`'s version line, or `None` when it is not installed.
pub fn version() -> Option<String> {
    let out = Command::new("hugo").arg("version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Writes a Hugo site of `pages` snapshot-like pages under `dir`.
fn write_site(dir: &Path, pages: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("layouts/_default"))?;
    std::fs::create_dir_all(dir.join("content/snapshots"))?;
    std::fs::write(
        dir.join("hugo.toml"),
        "baseURL = \"http://localhost/\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n",
    )?;
    std::fs::write(dir.join("layouts/_default/single.html"), SINGLE)?;
    std::fs::write(dir.join("layouts/_default/list.html"), LIST)?;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 10_000) as f64 / 100.0
    };
    let mut text = String::new();
    for p in 0..pages {
        text.clear();
        let _ = writeln!(text, "+++\ntitle = \"Snapshot {p}\"\nrows = [");
        for r in 0..40 {
            let _ = writeln!(text, "  [\"metric.{r}\", \"{:.2}\"],", next());
        }
        text.push_str("]\npoints = \"");
        for i in 0..200 {
            let _ = write!(text, "{i},{:.1} ", next());
        }
        text.push_str("\"\n+++\n");
        std::fs::write(dir.join(format!("content/snapshots/s{p:06}.md")), &text)?;
    }
    Ok(())
}

/// Hugo's whole-process time for `pages` pages into an empty folder, or `None` without Hugo
/// (or when it fails, said on stderr).
pub fn time_build(root: &Path, pages: usize) -> Option<Duration> {
    version()?;
    let dir = root.join(format!("hugo-{pages}"));
    if let Err(e) = write_site(&dir, pages) {
        eprintln!("bench: cannot write the Hugo site: {e}");
        return None;
    }
    let t = Instant::now();
    let status = Command::new("hugo")
        .args(["--quiet", "--source"])
        .arg(&dir)
        .arg("--destination")
        .arg(dir.join("public"))
        .stdout(Stdio::null())
        .status();
    let took = t.elapsed();
    match status {
        Ok(s) if s.success() => Some(took),
        other => {
            eprintln!("bench: hugo did not build its site: {other:?}");
            None
        }
    }
}
