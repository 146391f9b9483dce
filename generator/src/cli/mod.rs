//! The `lookout` command line as data: global flags, one file per command (its arguments and
//! its `execute`), and the dispatch; `main` only parses, sets up logging and prints errors.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::Error;
use crate::app::Paths;
use crate::clock::Clock;
use crate::collect::Token;
use crate::config::Config;

mod bench;
mod build;
mod check;
mod demo;
mod detect;
mod fill;
mod init;
mod notify;
mod report;
mod run;
mod serve;
mod snapshot;

/// Turns a backend's monitoring API into a static status site.
#[derive(Debug, Parser)]
#[command(name = "lookout", version, about, long_about = None)]
pub struct Cli {
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
    pub verbose: u8,
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
    Demo(demo::Args),
    /// Write a commented example config
    Init(init::Args),
    /// Take one snapshot of every endpoint and store it
    Snapshot,
    /// Build the static site from the store (only what changed)
    Build(build::Args),
    /// Serve the built site for preview
    Serve(serve::Args),
    /// Snapshot and rebuild on the configured interval until stopped
    Run(run::Args),
    /// Make the daily report of a day: its page in the site, its mail in the outbox (and sent)
    Report(report::Args),
    /// Send the alert notifications that are due (`lookout run` does this after every build)
    Notify(notify::Args),
    /// Fill the store with simulated history from the demo backend's model (no HTTP)
    Fill(fill::Args),
    /// Check the store (SQLite integrity, every snapshot complete) and the built site's links
    Check,
    /// Score a series for anomalies: a CSV file (`timestamp,value`) or a stored metric
    Detect(detect::Args),
    /// Measure snapshot and build speed and print a table
    Bench(bench::Args),
}

/// What every command gets: the checked config, the folders and the clock.
pub struct Context {
    pub config: Config,
    pub paths: Paths,
    pub clock: Clock,
}

impl Context {
    /// The first source's token, from the variable the config names.
    pub fn token(&self) -> Option<Token> {
        Token::from_env(&self.config.backend.token_env)
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

/// Runs the command `cli` names.
pub fn execute(cli: Cli) -> Result<(), Error> {
    if let Command::Init(args) = &cli.command {
        return init::execute(args);
    }
    let config = load_config(cli.config.as_ref())?;
    let paths = Paths {
        data_dir: cli
            .data_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.clone()),
        out_dir: cli.out.clone().unwrap_or_else(|| config.out_dir.clone()),
    };
    let clock = cli.now.map_or_else(Clock::system, Clock::starting_at);
    // Commands that write the store or the site hold the data folder's lock while they run;
    // `demo --backend-only` only serves the simulated backend and touches no data folder.
    let writes = match &cli.command {
        Command::Demo(a) => !a.backend_only,
        Command::Notify(a) => a.action.is_none(),
        Command::Snapshot
        | Command::Build(_)
        | Command::Run(_)
        | Command::Fill(_)
        | Command::Report(_) => true,
        _ => false,
    };
    let _lock = if writes {
        Some(crate::lock::acquire(&paths.data_dir)?)
    } else {
        None
    };
    let ctx = Context {
        config,
        paths,
        clock,
    };
    match cli.command {
        Command::Init(_) => Ok(()),
        Command::Demo(a) => demo::execute(a, &ctx),
        Command::Snapshot => snapshot::execute(&ctx),
        Command::Build(a) => build::execute(&a, &ctx),
        Command::Serve(a) => serve::execute(&a, &ctx),
        Command::Run(a) => run::execute(&a, &ctx),
        Command::Report(a) => report::execute(&a, &ctx),
        Command::Notify(a) => notify::execute(a, &ctx),
        Command::Fill(a) => fill::execute(&a, &ctx),
        Command::Check => check::execute(&ctx),
        Command::Detect(a) => detect::execute(a, &ctx),
        Command::Bench(a) => bench::execute(a, &ctx),
    }
}
