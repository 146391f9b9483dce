//! `lookout report`: the report of a day (or N days): its page, its mail in the outbox, sent.

use super::Context;
use crate::Error;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The local day (YYYY-MM-DD) [default: yesterday in report.time_zone]
    #[arg(long)]
    date: Option<String>,
    /// Send it (and anything else waiting in the outbox) through [smtp]
    #[arg(long)]
    send: bool,
    /// Recipient instead of report.to (repeat for several)
    #[arg(long)]
    to: Vec<String>,
    /// Cover this many days, ending with --date (compared with the span before)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=366))]
    days: i32,
}

pub fn execute(a: &Args, ctx: &Context) -> Result<(), Error> {
    let (config, paths) = (&ctx.config, &ctx.paths);
    let tz = config.report.zone();
    let day = match &a.date {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map_err(|e| Error::Usage(format!("--date {d:?} is not a date (YYYY-MM-DD): {e}")))?,
        None => {
            let today = crate::report::local_day(ctx.clock.now_ms(), &tz);
            today.yesterday().unwrap_or(today)
        }
    };
    let mut store = Store::open(&paths.data_dir)?;
    let period = crate::report::Period::span(day, a.days, &tz, &config.report.time_zone);
    let made = crate::report::make(
        config,
        &mut store,
        &paths.out_dir,
        &paths.data_dir,
        &period,
        false,
        &a.to,
        a.send,
        ctx.clock.now_ms(),
    )?;
    // The site's list of reports follows.
    crate::app::build(config, &mut store, &paths.out_dir, false, ctx.clock)?;
    println!("report for {}: {}", made.day, made.page.display());
    let Some(eml) = &made.eml else {
        println!(
            "no recipient (report.to in the config, or --to): the page is written, no mail was made and nothing was sent"
        );
        return Ok(());
    };
    println!("mail: {}", eml.display());
    match made.flushed {
        None if a.send => println!(
            "no [smtp] in the config: the mail stays in {}",
            crate::report::outbox(&paths.data_dir).display()
        ),
        None => {}
        Some(f) => {
            println!("sent {} message(s)", f.sent.len());
            if !f.kept.is_empty() {
                // A delivery failure, not bad input: exit 1, the mail stays for the next run.
                return Err(Error::Undelivered {
                    kept: "kept in the outbox for the next run",
                    items: f
                        .kept
                        .iter()
                        .map(|(p, e)| format!("{}: {e}", p.display()))
                        .collect(),
                });
            }
        }
    }
    Ok(())
}
