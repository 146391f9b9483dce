//! `lookout serve`: the built site on a preview server until stopped.

use std::time::Duration;

use super::Context;
use crate::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: serve.bind, 127.0.0.1:8000]
    #[arg(long)]
    bind: Option<std::net::SocketAddr>,
}

pub fn execute(a: &Args, ctx: &Context) -> Result<(), Error> {
    let out = &ctx.paths.out_dir;
    if !out.join("index.html").is_file() {
        return Err(Error::Usage(format!(
            "{} holds no site; run `lookout build` first",
            out.display()
        )));
    }
    let handle = crate::serve::start(out, a.bind.unwrap_or(ctx.config.serve_bind))?;
    println!(
        "serving {} at {} (Ctrl-C stops)",
        out.display(),
        handle.url()
    );
    let mut stopper = crate::app::Stopper::new()?;
    while !stopper.sleep(Duration::from_secs(3600)) {}
    handle.stop();
    Ok(())
}
