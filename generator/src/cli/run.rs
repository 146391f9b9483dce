//! `lookout run`: snapshot, build, notify and report on the configured interval until stopped.

use super::Context;
use crate::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One snapshot and build, then exit
    #[arg(long)]
    once: bool,
}

pub fn execute(a: &Args, ctx: &Context) -> Result<(), Error> {
    let token = ctx.token();
    crate::app::run_loop(&ctx.config, &ctx.paths, token.as_ref(), a.once, ctx.clock)
}
