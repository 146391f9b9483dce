//! `lookout bench`: snapshot and build speed, as a table.

use super::Context;
use crate::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Smaller histories (1,000 and 2,000) for a quick look
    #[arg(long)]
    quick: bool,
    /// Only the build benchmark, on one history of N snapshots S seconds apart (`10000:300`)
    #[arg(long, value_name = "N:S")]
    history: Option<String>,
}

pub fn execute(a: Args, ctx: &Context) -> Result<(), Error> {
    match a.history {
        Some(h) => crate::bench::run_history(&ctx.config, &h),
        None => crate::bench::run(&ctx.config, a.quick),
    }
}
