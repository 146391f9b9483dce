//! `lookout detect`: anomaly scores of a CSV series or a stored metric, as CSV.

use std::path::PathBuf;

use super::Context;
use crate::Error;
use crate::store::Store;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["input", "metric"])))]
pub struct Args {
    /// CSV with the header `timestamp,value` (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// A stored metric's history instead of a file
    #[arg(long, value_name = "NAME")]
    metric: Option<String>,
    /// With --metric: from this time (ISO date/time, or 7d, 24h, 90m ago) [default: 7d]
    #[arg(long, requires = "metric")]
    since: Option<String>,
    /// Where to write `timestamp,value,anomaly_score,kind` (default: standard output)
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The series is a monotonic counter: score its rate (default for --metric: guessed)
    #[arg(long)]
    counter: bool,
    /// No daily seasonality
    #[arg(long)]
    no_season: bool,
}

pub fn execute(a: Args, ctx: &Context) -> Result<(), Error> {
    let Args {
        input,
        metric,
        since,
        output,
        counter,
        no_season,
    } = a;
    let (paths, clock) = (&ctx.paths, ctx.clock);
    use std::io::{BufRead, BufReader, BufWriter, Write};
    let mut cfg = model::anomaly::DetectorConfig {
        counter,
        ..Default::default()
    };
    if no_season {
        cfg.season_ms = 0;
    }
    let out: Box<dyn Write> = match &output {
        Some(p) => Box::new(BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(p)
                .map_err(Error::io(format!("cannot create {}", p.display())))?,
        )),
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
    };
    let stats = if let Some(name) = metric {
        let now = clock.now_ms();
        let from = match since.as_deref() {
            None => now - 7 * 86_400_000,
            Some(s) => crate::detect::parse_since(s, now).ok_or_else(|| {
                Error::Usage(format!(
                    "--since {s:?}: use an ISO date/time or 7d, 24h, 90m"
                ))
            })?,
        };
        let store = Store::open(&paths.data_dir)?;
        let series = store.series(&name, from, i64::MAX)?;
        if series.is_empty() {
            return Err(Error::Usage(format!(
                "no stored values of {name:?} since then"
            )));
        }
        if !counter {
            let values: Vec<f64> = series.iter().map(|p| p.1).collect();
            cfg.counter = model::anomaly::looks_like_counter(&values);
        }
        crate::detect::detect_series(&series, out, cfg)?
    } else {
        let path = input.unwrap_or_default();
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin().lock()))
        } else {
            Box::new(BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(&path)
                    .map_err(Error::io(format!("cannot open {}", path.display())))?,
            ))
        };
        crate::detect::detect_csv(reader, out, cfg)?
    };
    eprintln!(
        "{} rows scored, {} anomalous{}",
        stats.rows,
        stats.anomalies,
        if cfg.counter {
            " (scored as a counter)"
        } else {
            ""
        }
    );
    Ok(())
}
