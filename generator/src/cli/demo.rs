//! `lookout demo`: the simulated backend, a filled history, snapshots and the served site.

use std::time::Duration;

use super::Context;
use crate::Error;
use crate::app::{self, DemoArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
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
    pub backend_only: bool,
}

pub fn execute(a: Args, ctx: &Context) -> Result<(), Error> {
    if a.speed.is_some_and(|s| !(s.is_finite() && s > 0.0)) {
        return Err(Error::Usage("--speed must be a positive number".into()));
    }
    app::demo(
        &ctx.config,
        &ctx.paths,
        &DemoArgs {
            port: a.port,
            seed: a.seed,
            speed: a.speed,
            backend_only: a.backend_only,
            interval: Duration::from_secs(a.interval),
            clock: ctx.clock,
        },
    )
}
