//! The `lookout` command line: parses flags, runs one command, prints errors and picks the exit code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use lookout::Error;
use lookout::app::{self, DemoArgs, Paths};
use lookout::clock::Clock;
use lookout::collect::Token;
use lookout::config::{Config, EXAMPLE};
use lookout::store::Store;

/// Turns a backend's monitoring API into a static status site.
#[derive(Debug, Parser)]
#[command(name = "lookout", version, about, long_about = None)]
struct Cli {
    /// Config file (default: ./lookout.toml if it exists, else built-in defaults for the demo backend)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the SQLite store lives [default: data/]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Where the site is written [default: site/]
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
    /// More log output (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Act as if the clock read TIME (ISO, e.g. 2026-11-18T12:00:00Z) at start; it runs on from
    /// there. For tests and replays
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_now)]
    now: Option<i64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the demo backend, fill a week of history, snapshot every 10 s, rebuild and serve the site
    Demo {
        /// Port of the demo backend [default: demo.port, 8765]
        #[arg(long)]
        port: Option<u16>,
        /// Seed of the simulation (same seed, same values)
        #[arg(long)]
        seed: Option<u64>,
        /// Run simulated time N times faster
        #[arg(long, value_name = "N")]
        speed: Option<f64>,
        /// Seconds between snapshots
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        interval: u64,
        /// Only run the demo backend (no snapshots, no site)
        #[arg(long)]
        backend_only: bool,
    },
    /// Write a commented example config
    Init {
        /// Where to write it
        #[arg(default_value = "lookout.toml")]
        path: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Take one snapshot of every endpoint and store it
    Snapshot,
    /// Build the static site from the store (only what changed)
    Build {
        /// Re-render every page
        #[arg(long)]
        full: bool,
    },
    /// Serve the built site for preview
    Serve {
        /// Address to listen on [default: serve.bind, 127.0.0.1:8000]
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
    },
    /// Snapshot and rebuild on the configured interval until stopped
    Run {
        /// One snapshot and build, then exit
        #[arg(long)]
        once: bool,
    },
    /// Make the daily report of a day: its page in the site, its mail in the outbox (and sent)
    Report {
        /// The local day (YYYY-MM-DD) [default: yesterday in report.time_zone]
        #[arg(long)]
        date: Option<String>,
        /// Send it (and anything else waiting in the outbox) through [smtp]
        #[arg(long)]
        send: bool,
        /// Recipient instead of report.to (repeat for several)
        #[arg(long)]
        to: Vec<String>,
        /// Cover this many days, ending with --date (compared with the span before)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=366))]
        days: i32,
    },
    /// Send the alert notifications that are due (`lookout run` does this after every build)
    Notify {
        #[command(subcommand)]
        action: Option<NotifyAction>,
    },
    /// Fill the store with simulated history from the demo backend's model (no HTTP)
    Fill {
        /// Days of history, ending now
        #[arg(long, default_value_t = 7.0)]
        days: f64,
        /// Seconds between snapshots
        #[arg(long, default_value_t = 300)]
        step: u64,
        /// Seed of the simulation
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Check the store (SQLite integrity, every snapshot complete) and the built site's links
    Check,
    /// Score a series for anomalies: a CSV file (`timestamp,value`) or a stored metric
    #[command(group(clap::ArgGroup::new("source").required(true).args(["input", "metric"])))]
    Detect {
        /// CSV with the header `timestamp,value` (`-` for standard input)
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// A stored metric's history instead of a file
        #[arg(long, value_name = "NAME")]
        metric: Option<String>,
        /// With --metric: from this time (ISO date/time, or 7d, 24h, 90m ago) [default: 7d]
        #[arg(long, requires = "metric")]
        since: Option<String>,
        /// Where to write `timestamp,value,anomaly_score,kind` (default: standard output)
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The series is a monotonic counter: score its rate (default for --metric: guessed)
        #[arg(long)]
        counter: bool,
        /// No daily seasonality
        #[arg(long)]
        no_season: bool,
    },
    /// Measure snapshot and build speed and print a table
    Bench {
        /// Smaller histories (1,000 and 2,000) for a quick look
        #[arg(long)]
        quick: bool,
        /// Only the build benchmark, on one history of N snapshots S seconds apart (`10000:300`)
        #[arg(long, value_name = "N:S")]
        history: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum NotifyAction {
    /// Send a sample notification of one rule to every channel (marked as a test, not recorded)
    Test {
        /// The rule's name, as in the config
        #[arg(long)]
        rule: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "lookout=info",
        1 => "lookout=debug",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOOKOUT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn parse_now(s: &str) -> Result<i64, String> {
    model::time::parse_iso(s.trim())
        .ok_or_else(|| format!("{s:?} is not an ISO date and time (2026-11-18T12:00:00Z)"))
}

fn load_config(path: Option<&PathBuf>) -> Result<Config, Error> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None => {
            let default = PathBuf::from("lookout.toml");
            if default.is_file() {
                Ok(Config::load(&default)?)
            } else {
                Ok(Config::defaults())
            }
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    if let Command::Init { path, force } = &cli.command {
        if path.exists() && !force {
            return Err(Error::Usage(format!(
                "{} exists; pass --force to overwrite it",
                path.display()
            )));
        }
        lookout::render::write_atomic(path, EXAMPLE.as_bytes(), 0)
            .map_err(Error::io(format!("cannot write {}", path.display())))?;
        println!(
            "wrote {}; edit it, then run `lookout snapshot` and `lookout build`",
            path.display()
        );
        return Ok(());
    }
    let config = load_config(cli.config.as_ref())?;
    let paths = Paths {
        data_dir: cli
            .data_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.clone()),
        out_dir: cli.out.clone().unwrap_or_else(|| config.out_dir.clone()),
    };
    let token = || Token::from_env(&config.backend.token_env);
    let clock = cli.now.map_or_else(Clock::system, Clock::starting_at);
    // Commands that write the store or the site hold the data folder's lock while they run;
    // `demo --backend-only` only serves the simulated backend and touches no data folder.
    let _lock = match cli.command {
        Command::Demo {
            backend_only: false,
            ..
        }
        | Command::Snapshot
        | Command::Build { .. }
        | Command::Run { .. }
        | Command::Fill { .. }
        | Command::Report { .. }
        | Command::Notify { action: None } => Some(lookout::lock::acquire(&paths.data_dir)?),
        _ => None,
    };
    match cli.command {
        Command::Init { .. } => Ok(()),
        Command::Demo {
            port,
            seed,
            speed,
            interval,
            backend_only,
        } => {
            if speed.is_some_and(|s| !(s.is_finite() && s > 0.0)) {
                return Err(Error::Usage("--speed must be a positive number".into()));
            }
            app::demo(
                &config,
                &paths,
                &DemoArgs {
                    port,
                    seed,
                    speed,
                    backend_only,
                    interval: Duration::from_secs(interval),
                    clock,
                },
            )
        }
        Command::Snapshot => {
            let mut store = Store::open(&paths.data_dir)?;
            let (meta, snap) = app::snapshot(&config, &mut store, token().as_ref(), clock)?;
            println!(
                "snapshot {} stored: {} ({} of {} readings failed)",
                meta.slug,
                meta.overall,
                meta.failed,
                snap.outcomes.len()
            );
            for o in snap.outcomes.iter().filter(|o| !o.kind.is_ok()) {
                println!(
                    "  {:<24} {:<24} {}",
                    o.endpoint,
                    o.kind.label(),
                    o.detail.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        Command::Build { full } => {
            let mut store = Store::open(&paths.data_dir)?;
            let report = app::build(&config, &mut store, &paths.out_dir, full, clock)?;
            println!("{report} -> {}", paths.out_dir.display());
            Ok(())
        }
        Command::Serve { bind } => {
            if !paths.out_dir.join("index.html").is_file() {
                return Err(Error::Usage(format!(
                    "{} holds no site; run `lookout build` first",
                    paths.out_dir.display()
                )));
            }
            let handle = lookout::serve::start(&paths.out_dir, bind.unwrap_or(config.serve_bind))?;
            println!(
                "serving {} at {} (Ctrl-C stops)",
                paths.out_dir.display(),
                handle.url()
            );
            let mut stopper = app::Stopper::new()?;
            while !stopper.sleep(Duration::from_secs(3600)) {}
            handle.stop();
            Ok(())
        }
        Command::Run { once } => app::run_loop(&config, &paths, token().as_ref(), once, clock),
        Command::Report {
            date,
            send,
            to,
            days,
        } => {
            let tz = config.report.zone();
            let day = match date {
                Some(d) => d.parse::<jiff::civil::Date>().map_err(|e| {
                    Error::Usage(format!("--date {d:?} is not a date (YYYY-MM-DD): {e}"))
                })?,
                None => {
                    let today = lookout::report::local_day(clock.now_ms(), &tz);
                    today.yesterday().unwrap_or(today)
                }
            };
            let mut store = Store::open(&paths.data_dir)?;
            let period = lookout::report::Period::span(day, days, &tz, &config.report.time_zone);
            let made = lookout::report::make(
                &config,
                &mut store,
                &paths.out_dir,
                &paths.data_dir,
                &period,
                false,
                &to,
                send,
                clock.now_ms(),
            )?;
            // The site's list of reports follows.
            app::build(&config, &mut store, &paths.out_dir, false, clock)?;
            println!("report for {}: {}", made.day, made.page.display());
            let Some(eml) = &made.eml else {
                println!(
                    "no recipient (report.to in the config, or --to): the page is written, no mail was made and nothing was sent"
                );
                return Ok(());
            };
            println!("mail: {}", eml.display());
            match made.flushed {
                None if send => println!(
                    "no [smtp] in the config: the mail stays in {}",
                    lookout::report::outbox(&paths.data_dir).display()
                ),
                None => {}
                Some(f) => {
                    println!("sent {} message(s)", f.sent.len());
                    if !f.kept.is_empty() {
                        let why: Vec<String> = f
                            .kept
                            .iter()
                            .map(|(p, e)| format!("{}: {e}", p.display()))
                            .collect();
                        return Err(Error::Usage(format!(
                            "kept in the outbox for the next run:\n  {}",
                            why.join("\n  ")
                        )));
                    }
                }
            }
            Ok(())
        }
        Command::Notify { action: None } => {
            let mut store = Store::open(&paths.data_dir)?;
            let report = app::runtime()?.block_on(app::notify(
                &config,
                &mut store,
                &paths.data_dir,
                clock,
            ))?;
            app::flush_outbox(&config, &paths.data_dir);
            println!("{} notification(s) sent", report.sent);
            if report.failed.is_empty() {
                Ok(())
            } else {
                Err(Error::Usage(format!(
                    "not delivered (tried again next time):\n  {}",
                    report.failed.join("\n  ")
                )))
            }
        }
        Command::Notify {
            action: Some(NotifyAction::Test { rule }),
        } => {
            let client = app::notify_client()?;
            let lines = app::runtime()?
                .block_on(lookout::notify::test(
                    &config,
                    &rule,
                    &client,
                    &lookout::report::outbox(&paths.data_dir),
                    clock.now_ms(),
                ))
                .map_err(Error::Usage)?;
            for l in &lines {
                println!("{l}");
            }
            if lines.iter().any(|l| l.contains("FAILED")) {
                return Err(Error::Usage("a channel failed".into()));
            }
            Ok(())
        }
        Command::Fill { days, step, seed } => {
            if !(days.is_finite() && days > 0.0) || step < 10 {
                return Err(Error::Usage(
                    "--days must be positive and --step at least 10".into(),
                ));
            }
            let mut store = Store::open(&paths.data_dir)?;
            let now = clock.now_ms() as f64 / 1000.0;
            let demo = lookout::demo::Demo::new(
                lookout::demo::DemoOptions {
                    clock,
                    ..lookout::demo::DemoOptions::quiet(
                        seed.unwrap_or(config.demo.seed),
                        app::demo_token(),
                    )
                },
                now - days * 86_400.0,
            );
            let n = app::fill(
                &config,
                &demo,
                &mut store,
                now - days * 86_400.0,
                now,
                Duration::from_secs(step),
            )?;
            println!("stored {n} snapshots in {}", store.path().display());
            Ok(())
        }
        Command::Check => {
            let store = Store::open(&paths.data_dir)?;
            let mut problems = store.check()?;
            if problems.is_empty() {
                println!(
                    "{}: ok, {} snapshots",
                    store.path().display(),
                    store.count()?
                );
            }
            if paths.out_dir.join("index.html").is_file() {
                let broken = lookout::render::broken_links(&paths.out_dir);
                if broken.is_empty() {
                    println!(
                        "{}: ok, every internal link resolves",
                        paths.out_dir.display()
                    );
                }
                problems.extend(broken.into_iter().map(|b| format!("broken link: {b}")));
            }
            if problems.is_empty() {
                return Ok(());
            }
            for p in &problems {
                println!("{p}");
            }
            Err(Error::Check(format!("{} problems found", problems.len())))
        }
        Command::Detect {
            input,
            metric,
            since,
            output,
            counter,
            no_season,
        } => detect(
            &paths, clock, input, metric, since, output, counter, no_season,
        ),
        Command::Bench { quick, history } => match history {
            Some(h) => lookout::bench::run_history(&config, &h),
            None => lookout::bench::run(&config, quick),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn detect(
    paths: &Paths,
    clock: Clock,
    input: Option<PathBuf>,
    metric: Option<String>,
    since: Option<String>,
    output: Option<PathBuf>,
    counter: bool,
    no_season: bool,
) -> Result<(), Error> {
    use std::io::{BufRead, BufReader, BufWriter, Write};
    let mut cfg = model::anomaly::DetectorConfig {
        counter,
        ..Default::default()
    };
    if no_season {
        cfg.season_ms = 0;
    }
    let out: Box<dyn Write> = match &output {
        Some(p) => Box::new(BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(p)
                .map_err(Error::io(format!("cannot create {}", p.display())))?,
        )),
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    let stats = if let Some(name) = metric {
        let now = clock.now_ms();
        let from = match since.as_deref() {
            None => now - 7 * 86_400_000,
            Some(s) => lookout::detect::parse_since(s, now).ok_or_else(|| {
                Error::Usage(format!(
                    "--since {s:?}: use an ISO date/time or 7d, 24h, 90m"
                ))
            })?,
        };
        let store = Store::open(&paths.data_dir)?;
        let series = store.series(&name, from, i64::MAX)?;
        if series.is_empty() {
            return Err(Error::Usage(format!(
                "no stored values of {name:?} since then"
            )));
        }
        if !counter {
            let values: Vec<f64> = series.iter().map(|p| p.1).collect();
            cfg.counter = model::anomaly::looks_like_counter(&values);
        }
        lookout::detect::detect_series(&series, out, cfg)?
    } else {
        let path = input.unwrap_or_default();
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin().lock()))
        } else {
            Box::new(BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(&path)
                    .map_err(Error::io(format!("cannot open {}", path.display())))?,
            ))
        };
        lookout::detect::detect_csv(reader, out, cfg)?
    };
    eprintln!(
        "{} rows scored, {} anomalous{}",
        stats.rows,
        stats.anomalies,
        if cfg.counter {
            " (scored as a counter)"
        } else {
            ""
        }
    );
    Ok(())
}
