//! `lookout notify`: the alert notifications that are due; `notify test` a sample to each channel.

use clap::Subcommand;

use super::Context;
use crate::Error;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Send a sample notification of one rule to every channel (marked as a test, not recorded)
    Test {
        /// The rule's name, as in the config
        #[arg(long)]
        rule: String,
    },
}

pub fn execute(a: Args, ctx: &Context) -> Result<(), Error> {
    let (config, paths) = (&ctx.config, &ctx.paths);
    match a.action {
        None => {
            let mut store = Store::open(&paths.data_dir)?;
            let report = crate::app::runtime()?.block_on(crate::app::notify(
                config,
                &mut store,
                &paths.data_dir,
                ctx.clock,
            ))?;
            crate::app::flush_outbox(config, &paths.data_dir);
            println!("{} notification(s) sent", report.sent);
            if report.failed.is_empty() {
                Ok(())
            } else {
                Err(Error::Undelivered {
                    kept: "tried again next time",
                    items: report.failed,
                })
            }
        }
        Some(Action::Test { rule }) => {
            let client = crate::app::notify_client()?;
            let results = crate::app::runtime()?
                .block_on(crate::notify::test(
                    config,
                    &rule,
                    &client,
                    &crate::report::outbox(&paths.data_dir),
                    ctx.clock.now_ms(),
                ))
                // No such rule, or no channel: the input is wrong.
                .map_err(Error::Usage)?;
            for d in &results {
                println!("{d}");
            }
            let failed: Vec<String> = results
                .iter()
                .filter(|d| d.outcome.is_err())
                .map(ToString::to_string)
                .collect();
            if failed.is_empty() {
                Ok(())
            } else {
                Err(Error::Undelivered {
                    kept: "a test, not retried",
                    items: failed,
                })
            }
        }
    }
}
