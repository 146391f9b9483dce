//! `lookout detect`: anomaly scores of a CSV series or a stored metric, as CSV.

use std::path::PathBuf;

use model::anomaly::Profile;

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
    /// Weigh the evidence for fewer false alarms (quiet) or fewer misses (sensitive)
    #[arg(long, value_parser = ["quiet", "balanced", "sensitive"], conflicts_with = "threshold")]
    profile: Option<String>,
    /// Call a score of T an anomaly instead of 0.5 (0 < T < 1); the scores are rescaled so the
    /// CSV's `kind` and the rest after an event follow
    #[arg(long, value_name = "T")]
    threshold: Option<f64>,
}

pub fn execute(a: Args, ctx: &Context) -> Result<(), Error> {
    let Args {
        input,
        metric,
        since,
        output,
        counter,
        no_season,
        profile,
        threshold,
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
    cfg.sensitivity = match (profile.as_deref().and_then(Profile::parse), threshold) {
        (Some(p), _) => p.sensitivity(),
        (None, Some(t)) if t > 0.0 && t < 1.0 => model::anomaly::sensitivity_for(t),
        (None, Some(t)) => {
            return Err(Error::Usage(format!(
                "--threshold must be between 0 and 1, got {t}"
            )));
        }
        (None, None) => 1.0,
    };
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
