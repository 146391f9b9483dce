//! `lookout build`: the static site from the store, only what changed unless `--full`.

use super::Context;
use crate::Error;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Re-render every page, but keep the snapshot pages this folder has from a build with the
    /// same binary and config (a deleted one is rendered again)
    #[arg(long)]
    full: bool,
}

pub fn execute(a: &Args, ctx: &Context) -> Result<(), Error> {
    let mut store = Store::open(&ctx.paths.data_dir)?;
    let out = &ctx.paths.out_dir;
    let report = crate::app::build(&ctx.config, &mut store, out, a.full, ctx.clock)?;
    println!("{report} -> {}", out.display());
    Ok(())
}
