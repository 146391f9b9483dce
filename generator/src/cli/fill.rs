//! `lookout fill`: simulated history from the demo backend's model, without HTTP.

use std::time::Duration;

use super::Context;
use crate::Error;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Days of history, ending now
    #[arg(long, default_value_t = 7.0)]
    days: f64,
    /// Seconds between snapshots
    #[arg(long, default_value_t = 300)]
    step: u64,
    /// Seed of the simulation
    #[arg(long)]
    seed: Option<u64>,
}

pub fn execute(a: &Args, ctx: &Context) -> Result<(), Error> {
    if !(a.days.is_finite() && a.days > 0.0) || a.step < 10 {
        return Err(Error::Usage(
            "--days must be positive and --step at least 10".into(),
        ));
    }
    let mut store = Store::open(&ctx.paths.data_dir)?;
    let now = ctx.clock.now_ms() as f64 / 1000.0;
    let from = now - a.days * 86_400.0;
    let demo = crate::demo::Demo::new(
        crate::demo::DemoOptions {
            clock: ctx.clock,
            ..crate::demo::DemoOptions::quiet(
                a.seed.unwrap_or(ctx.config.demo.seed),
                crate::app::demo_token(),
            )
        },
        from,
    );
    let n = crate::app::fill(
        &ctx.config,
        &demo,
        &mut store,
        from,
        now,
        Duration::from_secs(a.step),
    )?;
    println!("stored {n} snapshots in {}", store.path().display());
    Ok(())
}
