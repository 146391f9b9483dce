//! The commands as library functions: snapshot, fill, build, run and demo loops, shared by the CLI and tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::collect::{self, Token};
use crate::config::Config;
use crate::demo::{self, Demo, DemoOptions, Incidents};
use crate::render::{self, BuildOptions, BuildReport};
use crate::store::{SnapshotMeta, Store};
use crate::{Error, report, schedule, serve};

/// Paths a command works on, after CLI flags and config are merged.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub out_dir: PathBuf,
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("cannot start the async runtime"))
}

/// Takes one snapshot of every endpoint and stores it.
pub fn snapshot(
    config: &Config,
    store: &mut Store,
    token: Option<&Token>,
    clock: Clock,
) -> Result<(SnapshotMeta, model::Snapshot), Error> {
    let rt = runtime()?;
    let client = collect::FetchPolicy::from_backend(&config.backend).client()?;
    warn_if_no_token(config, token);
    let mut assembled = rt.block_on(collect::collect(config, &client, token, clock));
    let meta = insert_carried(store, &mut assembled)?;
    Ok((meta, assembled.snapshot))
}

/// Stores a new snapshot with what the newest stored one adds to it: rates of its counters
/// over the interval (`collect::rates`), and the parts it showed that this one could not read,
/// carried over as unknown (`collect::carry_unread`).
fn insert_carried(
    store: &mut Store,
    assembled: &mut collect::Assembled,
) -> Result<SnapshotMeta, Error> {
    let previous = store.latest()?;
    let previous = previous.as_ref().map(|p| &p.snapshot);
    collect::rates::derive(&mut assembled.snapshot, previous);
    collect::carry_unread(&mut assembled.snapshot, previous);
    Ok(store.insert(assembled)?)
}

/// A warning on stderr when endpoints need the token and it is not set (the variable is named,
/// never a value).
fn warn_if_no_token(config: &Config, token: Option<&Token>) {
    if token.is_none()
        && let Some(why) = collect::token_missing(config)
    {
        tracing::warn!("{why}");
    }
}

/// Retention, analysis, then the site: the stages a build runs, in order.
pub fn build(
    config: &Config,
    store: &mut Store,
    out: &Path,
    full: bool,
    clock: Clock,
) -> Result<BuildReport, Error> {
    prune(config, store)?;
    let profile = crate::collect::sources::profile_of(config.site.source_kind);
    let analysis = crate::analysis::analyze(store, &config.alerts, &profile)?;
    if analysis.events.len() > 20 {
        // A first pass over a long history: one line, not thousands.
        tracing::info!(
            "{} alert transitions in the history analysed",
            analysis.events.len()
        );
    } else {
        for (t, rule, metric, event) in &analysis.events {
            tracing::info!(at = %model::time::format_iso(*t), rule = %rule, metric = %metric, "alert {event:?}");
        }
    }
    Ok(render::build(
        store,
        &config.site,
        &analysis,
        &crate::content::load(&config.site.content_dir),
        out,
        BuildOptions {
            full,
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            clock,
        },
    )?)
}

/// Deletes raw snapshots from days older than the kept period, counted back from the newest
/// snapshot's day (not the clock, so an idle store is not emptied).
pub fn prune(config: &Config, store: &mut Store) -> Result<usize, Error> {
    const DAY: i64 = 86_400_000;
    let Some(newest) = store.latest_meta()? else {
        return Ok(0);
    };
    let first_kept =
        (newest.taken_at_ms.div_euclid(DAY) - i64::from(config.site.retention_days) + 1) * DAY;
    let n = store.prune_before(first_kept)?;
    if n > 0 {
        tracing::info!(
            "pruned {n} snapshots taken before {} (retention {} days)",
            model::time::day_of(first_kept),
            config.site.retention_days
        );
    }
    Ok(n)
}

/// Snapshots committed together when filling history; a killed fill loses at most one batch.
const FILL_BATCH: usize = 64;

/// Fills `[from, to)` with snapshots read from the simulator directly, `step` apart.
pub fn fill(
    config: &Config,
    demo: &Demo,
    store: &mut Store,
    from_s: f64,
    to_s: f64,
    step: Duration,
) -> Result<usize, Error> {
    let targets = collect::targets(config);
    let more_targets: Vec<_> = config
        .more_sources
        .iter()
        .map(|s| {
            let c = collect::source_config(config, s);
            let t = collect::targets(&c);
            (c, t)
        })
        .collect();
    let step = step.as_secs_f64().max(1.0);
    let mut t = from_s;
    let mut n = 0;
    let mut batch = Vec::with_capacity(FILL_BATCH);
    let mut prev: Option<model::Snapshot> = None;
    let slowest = |r: &[collect::RawReading]| r.iter().map(|r| r.latency_ms).fold(0.0, f64::max);
    while t < to_s {
        let at_ms = (t * 1000.0) as i64;
        let read = |config: &Config, targets: &[collect::Target]| {
            let mut r = demo.readings_at(targets, t);
            r.extend(demo.readings_at(&collect::follow_ups(config, &r), t));
            collect::assemble(at_ms, slowest(&r), r)
        };
        let first = read(config, &targets);
        let more = more_targets.iter().map(|(c, ts)| read(c, ts)).collect();
        let mut joined = collect::join_sources(config, first, more);
        // Rates against the snapshot before, as a live snapshot gets them.
        let before = batch
            .last()
            .map(|a: &collect::Assembled| &a.snapshot)
            .or(prev.as_ref());
        collect::rates::derive(&mut joined.snapshot, before);
        batch.push(joined);
        t += step;
        if batch.len() == FILL_BATCH || t >= to_s {
            n += store.insert_batch(&batch)?.len();
            prev = batch.pop().map(|a| a.snapshot);
            batch.clear();
        }
    }
    Ok(n)
}

/// A random token for a demo backend whose token was not set in the environment (seeded by the
/// system clock and the pid: it must differ from run to run, whatever `--now` says).
pub fn demo_token() -> String {
    let seed = Clock::system().now_ms() as u64 ^ (u64::from(std::process::id()) << 32);
    format!(
        "demo-{:016x}{:016x}",
        demo::sim::mix(seed),
        demo::sim::mix(seed ^ 0xDEAD_BEEF)
    )
}

/// Owns the runtime and the SIGINT/SIGTERM listeners for a whole command, so a signal that
/// arrives mid-step is kept until the loop next looks, never lost.
pub struct Stopper {
    rt: tokio::runtime::Runtime,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Stopper {
    pub fn new() -> Result<Stopper, Error> {
        let rt = runtime()?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let _guard = rt.enter();
            let int =
                signal(SignalKind::interrupt()).map_err(Error::io("cannot listen for Ctrl-C"))?;
            let term =
                signal(SignalKind::terminate()).map_err(Error::io("cannot listen for SIGTERM"))?;
            Ok(Stopper { rt, int, term })
        }
        #[cfg(not(unix))]
        Ok(Stopper { rt })
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Sleeps for `d` unless a stop is (or already was) asked for; true when it was.
    pub fn sleep(&mut self, d: Duration) -> bool {
        #[cfg(unix)]
        {
            let Stopper { rt, int, term } = self;
            rt.block_on(async {
                tokio::select! {
                    // A stop already pending wins over a wait that is already over.
                    biased;
                    _ = int.recv() => true,
                    _ = term.recv() => true,
                    () = tokio::time::sleep(d) => false,
                }
            })
        }
        #[cfg(not(unix))]
        self.rt.block_on(async {
            tokio::select! { biased; _ = tokio::signal::ctrl_c() => true, () = tokio::time::sleep(d) => false }
        })
    }
}

/// The HTTP client for webhooks (not the collector's: its timeouts are the backend's).
pub fn notify_client() -> Result<reqwest::Client, Error> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?)
}

/// Sends the alert notifications that are due now, logging what could not be delivered; mail
/// goes to the outbox (see `flush_outbox`).
pub async fn notify(
    config: &Config,
    store: &mut Store,
    data_dir: &Path,
    clock: Clock,
) -> Result<crate::notify::Report, Error> {
    let client = notify_client()?;
    let content = crate::content::load(&config.site.content_dir);
    let outbox = report::outbox(data_dir);
    let report =
        crate::notify::run(config, store, &content, &client, &outbox, clock.now_ms()).await?;
    if report.sent > 0 {
        tracing::info!(messages = report.sent, "alert notifications sent");
    }
    for f in &report.failed {
        tracing::warn!("notification not delivered (tried again next time): {f}");
    }
    Ok(report)
}

/// The report of the day before, when its local time has come and it was not made yet (a late
/// one, once, after downtime); its mail goes to the outbox.
pub fn report_if_due(
    config: &Config,
    store: &mut Store,
    paths: &Paths,
    now_ms: i64,
) -> Result<Option<report::Made>, Error> {
    let tz = config.report.zone();
    let today = report::local_day(now_ms, &tz);
    let (h, m) = config.report.at;
    let due_ms = today
        .at(h, m, 0, 0)
        .to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(i64::MAX);
    if config.report.to.is_empty() || now_ms < due_ms {
        return Ok(None);
    }
    let late = now_ms - due_ms > (2 * config.interval.as_millis() as i64).max(15 * 60_000);
    let mut first = None;
    for cadence in &config.report.schedule {
        let Some(period) = due_period(*cadence, today, &tz, &config.report.time_zone) else {
            continue;
        };
        if store.report_made(&period.name())?.is_some()
            || store.range(period.from_ms, period.to_ms)?.is_empty()
        {
            continue;
        }
        let r = report::make(
            config,
            store,
            &paths.out_dir,
            &paths.data_dir,
            &period,
            late,
            &[],
            false,
            now_ms,
        )?;
        tracing::info!(period = %r.day, late, "report made: {}", r.page.display());
        first = first.or(Some(r));
    }
    Ok(first)
}

/// The period a cadence reports on `today`: yesterday; on Mondays the week (Monday to Sunday)
/// that just ended; on the 1st the month that just ended; `None` when it is not its day.
fn due_period(
    cadence: crate::config::Cadence,
    today: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
    zone: &str,
) -> Option<report::Period> {
    use crate::config::Cadence;
    let yesterday = today.yesterday().ok()?;
    match cadence {
        Cadence::Daily => Some(report::Period::of(yesterday, tz, zone)),
        Cadence::Weekly => (today.weekday() == jiff::civil::Weekday::Monday)
            .then(|| report::Period::span(yesterday, 7, tz, zone)),
        Cadence::Monthly => (today.day() == 1)
            .then(|| report::Period::span(yesterday, i32::from(yesterday.day()), tz, zone)),
    }
}

/// Sends whatever waits in the outbox through `[smtp]` (nothing without one), logging what
/// stays for the next run.
pub fn flush_outbox(config: &Config, data_dir: &Path) {
    let Some(smtp) = &config.smtp else {
        return;
    };
    let f = report::mail::flush(&report::outbox(data_dir), smtp, Duration::from_secs(2));
    for p in &f.sent {
        tracing::info!("mail sent: {}", p.display());
    }
    for (p, why) in &f.kept {
        tracing::warn!(
            "mail kept in the outbox for the next run: {} ({why})",
            p.display()
        );
    }
}

/// The command's clock, woken early by SIGINT/SIGTERM.
pub struct RealClock {
    pub stopper: Stopper,
    pub clock: Clock,
}

impl schedule::Clock for RealClock {
    fn now_ms(&mut self) -> i64 {
        self.clock.now_ms()
    }

    fn wait_until(&mut self, t_ms: i64) -> bool {
        let wait = self.clock.until(t_ms);
        self.stopper.sleep(wait)
    }
}

/// `lookout run`: snapshot + build on every tick (aligned to the interval, overruns skipped, a
/// catch-up after downtime) until Ctrl-C/SIGTERM; a stop lets the current step finish.
pub fn run_loop(
    config: &Config,
    paths: &Paths,
    token: Option<&Token>,
    once: bool,
    now: Clock,
) -> Result<(), Error> {
    let mut clock = RealClock {
        stopper: Stopper::new()?,
        clock: now,
    };
    let client = collect::FetchPolicy::from_backend(&config.backend).client()?;
    warn_if_no_token(config, token);
    let mut store = Store::open(&paths.data_dir)?;
    let newest = store.recent(1)?.first().map(|m| m.taken_at_ms);
    schedule::drive(
        &mut clock,
        config.interval,
        newest,
        once,
        |clock: &mut RealClock, tick| {
            let mut assembled = clock
                .stopper
                .block_on(collect::collect(config, &client, token, now));
            let meta = insert_carried(&mut store, &mut assembled)?;
            let report = build(config, &mut store, &paths.out_dir, false, now)?;
            tracing::info!(
                snapshot = %meta.slug,
                status = %meta.overall,
                failed = meta.failed,
                catch_up = tick.catch_up,
                "{report}"
            );
            clock
                .stopper
                .block_on(notify(config, &mut store, &paths.data_dir, now))?;
            report_if_due(config, &mut store, paths, now.now_ms())?;
            flush_outbox(config, &paths.data_dir);
            Ok::<(), Error>(())
        },
    )?;
    tracing::info!("stopped");
    Ok(())
}

#[derive(Debug, Clone)]
pub struct DemoArgs {
    pub port: Option<u16>,
    pub seed: Option<u64>,
    pub speed: Option<f64>,
    pub backend_only: bool,
    pub interval: Duration,
    pub clock: Clock,
}

/// `lookout demo`: backend, a week of history, snapshots every interval, site rebuilt and served.
pub fn demo(config: &Config, paths: &Paths, args: &DemoArgs) -> Result<(), Error> {
    let mut stopper = Stopper::new()?;
    let from_env = Token::from_env(&config.backend.token_env);
    let generated = from_env.is_none();
    let token = from_env
        .map(|t| t.expose().to_owned())
        .unwrap_or_else(demo_token);
    let now = args.clock.now_ms() as f64 / 1000.0;
    let history = f64::from(config.demo.history_days) * 86_400.0;
    let demo = Arc::new(Demo::new(
        DemoOptions {
            seed: args.seed.unwrap_or(config.demo.seed),
            speed: args.speed.unwrap_or(config.demo.speed),
            token: token.clone(),
            cors_origins: config.demo.cors_origins.clone(),
            incidents: Incidents::Random,
            sleep: true,
            clock: args.clock,
        },
        now - history,
    ));
    let port = args.port.unwrap_or(config.demo.port);
    let backend = demo::serve(Arc::clone(&demo), port)
        .or_else(|e| {
            if port == 0 {
                Err(e)
            } else {
                eprintln!("port {port} is busy; the demo backend takes a free port instead");
                demo::serve(Arc::clone(&demo), 0)
            }
        })
        .map_err(Error::io("cannot start the demo backend"))?;
    if args.backend_only {
        println!("demo backend listening on {}", backend.base_url());
        // A token from the environment is a secret and is never printed; a generated one is the demo's own.
        if generated {
            println!("token for protected paths: {token}");
            println!(
                "admin API viewer token (reads; every change answers 403): {}",
                demo.viewer_token()
            );
        } else {
            println!(
                "protected paths accept the token in ${}",
                config.backend.token_env
            );
        }
        while !stopper.sleep(Duration::from_secs(3600)) {}
        backend.stop();
        return Ok(());
    }

    let mut cfg = config.clone();
    cfg.backend.base_url = reqwest::Url::parse(&format!("{}/", backend.base_url()))
        .map_err(|e| Error::Failed(format!("demo backend URL: {e}")))?;
    // A second backend of another shape (the ML API), unless the config names its own sources.
    if cfg.more_sources.is_empty() {
        let ml = demo::ml_api::source(&backend.base_url(), &cfg.backend)
            .map_err(|e| Error::Failed(format!("demo ML API URL: {e}")))?;
        cfg.more_sources.push(ml);
        // And the admin API (mapped JSON) and a Prometheus exposition: one demo, every kind.
        let more = demo::admin_api::sources(&backend.base_url(), &cfg.backend)
            .map_err(|e| Error::Failed(format!("demo admin API URL: {e}")))?;
        cfg.site
            .sections
            .extend(more.iter().flat_map(|s| s.sections.iter().cloned()));
        cfg.more_sources.extend(more);
        cfg.site.source_name = cfg.source_name.clone();
    }
    let mut store = Store::open(&paths.data_dir)?;
    if store.count()? == 0 && config.demo.history_days > 0 {
        let started = std::time::Instant::now();
        println!("filling {} days of history ...", config.demo.history_days);
        let n = fill(
            &cfg,
            &demo,
            &mut store,
            now - history,
            now,
            config.demo.history_step,
        )?;
        println!(
            "stored {n} snapshots in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let secret = token;
    let token = Token::new(secret.clone());
    let report = build(&cfg, &mut store, &paths.out_dir, false, args.clock)?;
    println!("{report}");
    // Yesterday's daily report, so the Reports page shows one (a page; mail only to report.to).
    let tz = cfg.report.zone();
    let yesterday = report::local_day(args.clock.now_ms(), &tz).yesterday();
    if let Ok(day) = yesterday {
        let period = report::Period::of(day, &tz, &cfg.report.time_zone);
        let now = args.clock.now_ms();
        match report::make(
            &cfg,
            &mut store,
            &paths.out_dir,
            &paths.data_dir,
            &period,
            false,
            &[],
            false,
            now,
        ) {
            Ok(made) => println!("daily report for {}: {}", made.day, made.page.display()),
            Err(e) => eprintln!("the demo's daily report was not made: {e}"),
        }
        build(&cfg, &mut store, &paths.out_dir, false, args.clock)?;
    }
    let site = serve::start(&paths.out_dir, config.serve_bind).or_else(|e| {
        eprintln!("{e}; serving on a free port instead");
        serve::start(
            &paths.out_dir,
            std::net::SocketAddr::new(config.serve_bind.ip(), 0),
        )
    })?;
    println!();
    println!("  Lookout demo is running: {}", site.url());
    println!(
        "  demo backend: {}  (snapshot every {} s; Ctrl-C stops)",
        backend.base_url(),
        args.interval.as_secs()
    );
    // The token the pages' ingestion panel, check-now buttons and operator pages ask for. A
    // token from the environment is a secret and is never printed; a generated one is the demo's.
    if generated {
        println!("  API token (type it into the pages' token fields): {secret}");
        println!(
            "  admin API viewer token (reads; every change answers 403): {}",
            demo.viewer_token()
        );
    } else {
        println!("  API token: the one in ${}", config.backend.token_env);
    }
    println!();
    let client = collect::FetchPolicy::from_backend(&cfg.backend).client()?;
    let mut clock = RealClock {
        stopper,
        clock: args.clock,
    };
    let newest = store.recent(1)?.first().map(|m| m.taken_at_ms);
    schedule::drive(&mut clock, args.interval, newest, false, |clock, _| {
        let mut assembled =
            clock
                .stopper
                .block_on(collect::collect(&cfg, &client, token.as_ref(), args.clock));
        let meta = insert_carried(&mut store, &mut assembled)?;
        let report = build(&cfg, &mut store, &paths.out_dir, false, args.clock)?;
        println!(
            "{}  {:<8} {} failed  {report}",
            meta.slug,
            meta.overall.as_str(),
            meta.failed
        );
        Ok::<(), Error>(())
    })?;
    println!("stopping ...");
    site.stop();
    backend.stop();
    Ok(())
}
