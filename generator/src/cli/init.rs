//! `lookout init`: writes the commented example config.

use std::path::PathBuf;

use crate::Error;
use crate::config::EXAMPLE;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write it
    #[arg(default_value = "lookout.toml")]
    path: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    force: bool,
}

pub fn execute(a: &Args) -> Result<(), Error> {
    if a.path.exists() && !a.force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to overwrite it",
            a.path.display()
        )));
    }
    crate::render::write_atomic(&a.path, EXAMPLE.as_bytes(), 0)
        .map_err(Error::io(format!("cannot write {}", a.path.display())))?;
    println!(
        "wrote {}; edit it, then run `lookout snapshot` and `lookout build`",
        a.path.display()
    );
    Ok(())
}
