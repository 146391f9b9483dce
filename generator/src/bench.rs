//! `lookout bench`: times one snapshot against the demo backend, and full and incremental builds.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Error;
use crate::app;
use crate::clock::Clock;
use crate::collect::{self, Token};
use crate::config::Config;
use crate::demo::{Demo, DemoOptions};
use crate::render::{self, BuildOptions};
use crate::store::Store;

/// CPU time (user + system) this process has used, from /proc (Linux); `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

struct Backend {
    child: std::process::Child,
    url: String,
    token: String,
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo backend in its own process, so its work is not counted as the collector's CPU.
fn spawn_backend() -> Result<Backend, Error> {
    let exe = std::env::current_exe().map_err(Error::io("cannot find the lookout binary"))?;
    let mut child = Command::new(exe)
        .args(["demo", "--backend-only", "--port", "0"])
        .env_remove("LOOKOUT_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(Error::io("cannot start the demo backend"))?;
    let out = child
        .stdout
        .take()
        .ok_or_else(|| Error::Failed("demo backend has no stdout".into()))?;
    let mut lines = BufReader::new(out).lines();
    let mut url = None;
    let mut token = None;
    for line in lines.by_ref().take(2).map_while(Result::ok) {
        if let Some(u) = line.strip_prefix("demo backend listening on ") {
            url = Some(u.trim().to_owned());
        } else if let Some(t) = line.strip_prefix("token for protected paths: ") {
            token = Some(t.trim().to_owned());
        }
    }
    match (url, token) {
        (Some(url), Some(token)) => Ok(Backend { child, url, token }),
        _ => Err(Error::Failed(
            "the demo backend did not print its address".into(),
        )),
    }
}

/// `(median wall, mean CPU, failed readings, readings)` of a snapshot of the demo backend.
fn bench_snapshot(
    config: &Config,
    runs: usize,
) -> Result<(Duration, Duration, usize, usize), Error> {
    let backend = spawn_backend()?;
    let mut cfg = config.clone();
    cfg.backend.base_url = reqwest::Url::parse(&format!("{}/", backend.url))
        .map_err(|e| Error::Failed(e.to_string()))?;
    let token = Token::new(backend.token.clone());
    let rt = app::runtime()?;
    let client = collect::FetchPolicy::from_backend(&cfg.backend).client()?;
    // Warm up: connections, lazy statics.
    let first = rt.block_on(collect::collect(
        &cfg,
        &client,
        token.as_ref(),
        Clock::system(),
    ));
    let failed = first.snapshot.failed_outcomes();
    let readings = first.snapshot.outcomes.len();
    let mut walls = Vec::new();
    let cpu0 = cpu_time();
    for _ in 0..runs {
        let t = Instant::now();
        let a = rt.block_on(collect::collect(
            &cfg,
            &client,
            token.as_ref(),
            Clock::system(),
        ));
        walls.push(t.elapsed());
        std::hint::black_box(a);
    }
    let cpu = match (cpu0, cpu_time()) {
        (Some(a), Some(b)) => (b - a) / runs as u32,
        _ => Duration::ZERO,
    };
    Ok((median(walls), cpu, failed, readings))
}

struct BuildFigures {
    snapshots: usize,
    fill: Duration,
    full: Duration,
    full_files: usize,
    analysis_first: Duration,
    analysis_incremental: Duration,
    unchanged_full: Duration,
    incremental: Duration,
    /// Files written by each incremental build: mean and most.
    incremental_written: (f64, usize),
    /// The site after the full build: files and bytes.
    site: (u64, u64),
    step_s: f64,
    index_bytes: u64,
    index_gzip: Option<u64>,
}

/// A store in `dir` filled with `snapshots` simulated snapshots `step` seconds apart, ending now.
struct History {
    store: Store,
    demo: Demo,
    config: Config,
    end: f64,
    step: f64,
    fill: Duration,
}

impl History {
    fn new(config: &Config, dir: &Path, snapshots: usize, step: f64) -> Result<History, Error> {
        let store = Store::open(&dir.join("data"))?;
        let end = Clock::system().now_ms() as f64 / 1000.0;
        let start = end - step * snapshots as f64;
        let demo = Demo::new(DemoOptions::quiet(config.demo.seed, "bench".into()), start);
        let mut h = History {
            store,
            demo,
            config: config.clone(),
            end,
            step,
            fill: Duration::ZERO,
        };
        let t = Instant::now();
        app::fill(
            &h.config,
            &h.demo,
            &mut h.store,
            start,
            end - step / 2.0,
            Duration::from_secs_f64(step),
        )?;
        h.fill = t.elapsed();
        Ok(h)
    }

    /// Adds the `i`-th snapshot after the filled history.
    fn add(&mut self, i: u32) -> Result<(), Error> {
        let at = self.end + self.step * f64::from(i);
        app::fill(
            &self.config,
            &self.demo,
            &mut self.store,
            at,
            at + 1.0,
            Duration::from_secs_f64(self.step),
        )?;
        Ok(())
    }
}

/// Size of a file after `gzip -9`, as a static host would serve it; `None` without gzip.
fn gzip_size(path: &Path) -> Option<u64> {
    let out = Command::new("gzip").arg("-9c").arg(path).output().ok()?;
    out.status.success().then_some(out.stdout.len() as u64)
}

fn profile(config: &Config) -> crate::collect::sources::Profile {
    crate::collect::sources::profile_of(config.site.source_kind)
}

fn bench_builds(
    config: &Config,
    root: &Path,
    snapshots: usize,
    step_s: f64,
) -> Result<BuildFigures, Error> {
    let dir = root.join(format!("h{snapshots}"));
    let out = dir.join("site");
    let mut h = History::new(config, &dir, snapshots, step_s)?;
    let fill = h.fill;
    let store = &mut h.store;
    let t = Instant::now();
    let analysis = crate::analysis::analyze(store, &config.alerts, &profile(config))?;
    let analysis_first = t.elapsed();
    let full = render::build(
        store,
        &config.site,
        &analysis,
        &crate::content::Content::default(),
        &out,
        BuildOptions {
            full: true,
            ..BuildOptions::default()
        },
    )?;
    let unchanged = render::build(
        store,
        &config.site,
        &analysis,
        &crate::content::Content::default(),
        &out,
        BuildOptions {
            full: true,
            ..BuildOptions::default()
        },
    )?;
    let mut analyses = Vec::new();
    let mut incs = Vec::new();
    let mut written = Vec::new();
    // An hour of new snapshots at five minutes: every periodic page comes due once.
    for i in 0..INCREMENTAL_BUILDS {
        h.add(i)?;
        let store = &mut h.store;
        let t = Instant::now();
        let analysis = crate::analysis::analyze(store, &config.alerts, &profile(config))?;
        analyses.push(t.elapsed());
        let r = render::build(
            store,
            &config.site,
            &analysis,
            &crate::content::Content::default(),
            &out,
            BuildOptions::default(),
        )?;
        written.push(r.written);
        incs.push(r.elapsed);
    }
    let mean = written.iter().sum::<usize>() as f64 / written.len().max(1) as f64;
    Ok(BuildFigures {
        snapshots,
        fill,
        full: full.elapsed,
        full_files: full.written,
        analysis_first,
        analysis_incremental: median(analyses),
        unchanged_full: unchanged.elapsed,
        incremental: median(incs),
        incremental_written: (mean, written.iter().copied().max().unwrap_or(0)),
        site: (full.site_files, full.site_bytes),
        step_s,
        index_bytes: std::fs::metadata(out.join("index.html")).map_or(0, |m| m.len()),
        index_gzip: gzip_size(&out.join("index.html")),
    })
}

/// Points per second through one detector on one thread, on a seasonal series with noise.
fn bench_detector(points: usize) -> f64 {
    use model::anomaly::{Detector, DetectorConfig};
    let series: Vec<(i64, f64)> = (0..points)
        .map(|i| {
            let x = crate::demo::sim::mix(i as u64) >> 11;
            let noise = x as f64 / (1u64 << 53) as f64 - 0.5;
            let day = (i % 288) as f64 / 288.0 * std::f64::consts::TAU;
            (i as i64 * 300_000, 100.0 + 20.0 * day.sin() + noise)
        })
        .collect();
    let mut d = Detector::new(DetectorConfig::default());
    let t = Instant::now();
    let mut flagged = 0usize;
    for &(ts, v) in &series {
        flagged += usize::from(d.update(ts, v).is_anomaly());
    }
    std::hint::black_box(flagged);
    points as f64 / t.elapsed().as_secs_f64()
}

/// Rows per second through `lookout detect` (parse, score, format), from memory to a sink.
fn bench_detect_csv(rows: usize) -> Result<f64, Error> {
    let mut csv = String::with_capacity(rows * 40);
    csv.push_str("timestamp,value\n");
    for i in 0..rows {
        let t = 1_790_000_000_000 + i as i64 * 60_000;
        csv.push_str(&model::time::format_iso(t));
        csv.push_str(&format!(",{}\n", 50.0 + (i % 17) as f64 * 0.25));
    }
    let t = Instant::now();
    let stats = crate::detect::detect_csv(
        csv.as_bytes(),
        std::io::sink(),
        model::anomaly::DetectorConfig::default(),
    )?;
    Ok(stats.rows as f64 / t.elapsed().as_secs_f64())
}

/// The analysis step alone over a long history: first pass, then one new snapshot at a time.
fn bench_analysis(
    config: &Config,
    root: &Path,
    snapshots: usize,
) -> Result<(Duration, Duration, Duration), Error> {
    let mut h = History::new(config, &root.join(format!("a{snapshots}")), snapshots, 60.0)?;
    let t = Instant::now();
    crate::analysis::analyze(&mut h.store, &config.alerts, &profile(config))?;
    let first = t.elapsed();
    let mut incs = Vec::new();
    for i in 0..5 {
        h.add(i)?;
        let t = Instant::now();
        crate::analysis::analyze(&mut h.store, &config.alerts, &profile(config))?;
        incs.push(t.elapsed());
    }
    Ok((h.fill, first, median(incs)))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    format!("{cpu}, {cores} cores")
}

/// New snapshots the incremental figures are taken over.
const INCREMENTAL_BUILDS: u32 = 12;

/// The build rows of the table: full, unchanged, incremental, the site's and the index's size,
/// and Hugo on as many pages when it is installed.
fn print_build_rows(f: &BuildFigures, root: &Path) {
    println!(
        "| full build, empty folder ({} files written) | {} |",
        f.full_files,
        ms(f.full)
    );
    println!(
        "| the site after it | {} files, {:.1} MB |",
        f.site.0,
        f.site.1 as f64 / 1e6
    );
    match crate::bench_hugo::time_build(root, f.snapshots) {
        Some(h) => println!(
            "| Hugo ({}), {} pages of a 40-row table and a 200-point SVG, empty folder (whole process) | {} (Lookout's full build is {:.2} of it) |",
            crate::bench_hugo::version().unwrap_or_default(),
            f.snapshots,
            ms(h),
            f.full.as_secs_f64() / h.as_secs_f64()
        ),
        None => println!("| Hugo on as many pages | not measured: `hugo` is not installed |"),
    }
    println!(
        "| full build, nothing changed (0 files written) | {} |",
        ms(f.unchanged_full)
    );
    println!(
        "| incremental build after one new snapshot (median of {INCREMENTAL_BUILDS}; files written: {:.1} a build, at most {}) | {} |",
        f.incremental_written.0,
        f.incremental_written.1,
        ms(f.incremental)
    );
    println!(
        "| index.html size (gzip -9) | {:.1} KB ({:.1} KB) |",
        f.index_bytes as f64 / 1024.0,
        f.index_gzip.map_or(f64::NAN, |g| g as f64 / 1024.0)
    );
}

/// `lookout bench --history N:S`: the build figures for one history only.
pub fn run_history(config: &Config, spec: &str) -> Result<(), Error> {
    let bad = || {
        Error::Usage(format!(
            "--history wants N:S (snapshots:seconds), got {spec:?}"
        ))
    };
    let (n, s) = spec.split_once(':').ok_or_else(bad)?;
    let n: usize = n.parse().map_err(|_| bad())?;
    let s: f64 = s.parse().map_err(|_| bad())?;
    let root: PathBuf = std::env::temp_dir().join(format!("lookout-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).map_err(Error::io("cannot create the bench folder"))?;
    let r = bench_builds(config, &root, n, s);
    if let Ok(f) = &r {
        println!(
            "| history of {n} snapshots {s} s apart: filled in | {} |",
            ms(f.fill)
        );
        print_build_rows(f, &root);
    }
    let _ = std::fs::remove_dir_all(&root);
    r.map(|_| ())
}

pub fn run(config: &Config, quick: bool) -> Result<(), Error> {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; run `cargo run --release -- bench` for real figures"
        );
    }
    let root: PathBuf = std::env::temp_dir().join(format!("lookout-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).map_err(Error::io("cannot create the bench folder"))?;
    println!("machine: {}", machine());
    let (wall, cpu, failed, readings) = bench_snapshot(config, if quick { 10 } else { 30 })?;
    println!("| measure | figure |");
    println!("|---|---|");
    println!(
        "| one snapshot, {readings} readings, demo backend (wall, median) | {} |",
        ms(wall)
    );
    println!(
        "| one snapshot (CPU of the collector, mean) | {} |",
        ms(cpu)
    );
    if failed > 0 {
        println!("| (readings that failed in the warm-up snapshot) | {failed} |");
    }
    let points = if quick { 500_000 } else { 5_000_000 };
    println!(
        "| anomaly scoring, one detector on one core ({points} points) | {:.1} M points/s |",
        bench_detector(points) / 1e6
    );
    let rows = if quick { 200_000 } else { 2_000_000 };
    println!(
        "| `lookout detect` on CSV ({rows} rows, parse + score + write) | {:.2} M rows/s |",
        bench_detect_csv(rows)? / 1e6
    );
    // 10,000 five-minute snapshots (35 days) and 100,000 twenty-second ones (23 days): both
    // inside what a default 30-day retention keeps at common intervals.
    let sizes: &[(usize, f64)] = if quick {
        &[(1_000, 300.0), (2_000, 20.0)]
    } else {
        &[(10_000, 300.0), (100_000, 20.0)]
    };
    let mut result = Ok(());
    for &(n, step) in sizes {
        match bench_builds(config, &root, n, step) {
            Ok(f) => {
                println!(
                    "| history of {} snapshots {} s apart: filled from the simulator in | {} |",
                    f.snapshots,
                    f.step_s,
                    ms(f.fill)
                );
                println!(
                    "| analysis, first pass over all {} snapshots | {} |",
                    f.snapshots,
                    ms(f.analysis_first)
                );
                println!(
                    "| analysis of one new snapshot (trends, detectors, alerts; median of {INCREMENTAL_BUILDS}) | {} |",
                    ms(f.analysis_incremental)
                );
                print_build_rows(&f, &root);
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_ok() {
        let n = if quick { 5_000 } else { 100_000 };
        match bench_analysis(config, &root, n) {
            Ok((fill, first, inc)) => {
                println!(
                    "| history of {n} one-minute snapshots: filled from the simulator in | {} |",
                    ms(fill)
                );
                println!("| analysis, first pass over all {n} | {} |", ms(first));
                println!(
                    "| analysis of one new snapshot with {n} stored (median of 5) | {} |",
                    ms(inc)
                );
            }
            Err(e) => result = Err(e),
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    result
}
