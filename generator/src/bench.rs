//! `lookout bench`: measures one snapshot against the demo backend and full/incremental builds.

use crate::config::Config;
use crate::Error;

pub fn run(_config: &Config, _quick: bool) -> Result<(), Error> {
    Err(Error::Usage("bench: not built yet".into()))
}
