//! The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text, parsed into
//! families of samples.
//!
//! Written here rather than taken from a crate: the parsers on crates.io either pull in a
//! scrape client and async runtime of their own or drop what Lookout needs (OpenMetrics' `# EOF`
//! and `_created`, escapes in label values); the format is small and its grammar is tested
//! against recorded answers of real exporters.

use std::fmt;

/// A family's declared type (`# TYPE`); `Untyped` when none was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Info,
    StateSet,
    GaugeHistogram,
    Untyped,
}

impl Kind {
    fn of(word: &str) -> Kind {
        match word {
            "counter" => Kind::Counter,
            "gauge" => Kind::Gauge,
            "histogram" => Kind::Histogram,
            "summary" => Kind::Summary,
            "info" => Kind::Info,
            "stateset" => Kind::StateSet,
            "gaugehistogram" => Kind::GaugeHistogram,
            _ => Kind::Untyped,
        }
    }

    /// The sample-name suffixes a family of this kind may use.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Counter => &["_total", "_created", ""],
            Kind::Histogram => &["_bucket", "_count", "_sum", "_created"],
            Kind::GaugeHistogram => &["_bucket", "_gcount", "_gsum"],
            Kind::Summary => &["_count", "_sum", "_created", ""],
            Kind::Info => &["_info"],
            _ => &[""],
        }
    }
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample's own name (`http_requests_total`, `..._bucket`).
    pub name: String,
    /// Label pairs in the order written.
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A metric family: its name, type, help and samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub name: String,
    pub kind: Kind,
    pub help: String,
    /// OpenMetrics' `# UNIT`, empty when not declared.
    pub unit: String,
    pub samples: Vec<Sample>,
}

/// A line that is not the format, with its number (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Every family of an exposition, in the order they first appear. OpenMetrics text ends at
/// `# EOF`; anything after it is refused, as the format requires.
pub fn parse(text: &str) -> Result<Vec<Family>, ParseError> {
    let mut families: Vec<Family> = Vec::new();
    let mut eof = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let err = |reason: String| ParseError {
            line: i + 1,
            reason,
        };
        if eof {
            if line.trim().is_empty() {
                continue;
            }
            return Err(err("text after # EOF".into()));
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let rest = rest.trim_start();
            if rest == "EOF" {
                eof = true;
                continue;
            }
            let mut words = rest.splitn(3, ' ');
            let (what, name, tail) = (words.next(), words.next(), words.next().unwrap_or(""));
            let (Some(what), Some(name)) = (what, name) else {
                continue;
            };
            if !matches!(what, "TYPE" | "HELP" | "UNIT") {
                // Any other comment.
                continue;
            }
            if !valid_name(name) {
                return Err(err(format!("{name:?} is not a metric name")));
            }
            let at = match families.iter().position(|f| f.name == name) {
                Some(at) => at,
                None => {
                    families.push(Family {
                        name: name.to_owned(),
                        kind: Kind::Untyped,
                        help: String::new(),
                        unit: String::new(),
                        samples: Vec::new(),
                    });
                    families.len() - 1
                }
            };
            let f = &mut families[at];
            match what {
                "TYPE" => f.kind = Kind::of(tail.trim()),
                "HELP" => f.help = unescape_help(tail),
                _ => f.unit = tail.trim().to_owned(),
            }
            continue;
        }
        let sample = sample(line).map_err(err)?;
        let at = family_of(&families, &sample.name);
        match at {
            Some(at) => families[at].samples.push(sample),
            None => families.push(Family {
                name: sample.name.clone(),
                kind: Kind::Untyped,
                help: String::new(),
                unit: String::new(),
                samples: vec![sample],
            }),
        }
    }
    Ok(families)
}

/// The family a sample name belongs to: the newest declared one it extends by a suffix its type
/// allows.
fn family_of(families: &[Family], sample: &str) -> Option<usize> {
    families.iter().rposition(|f| {
        sample
            .strip_prefix(f.name.as_str())
            .is_some_and(|rest| f.kind.suffixes().contains(&rest))
    })
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `name{labels} value [timestamp] [# exemplar]`.
fn sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ', '\t']).ok_or("a sample has no value")?;
    let name = &line[..name_end];
    if !valid_name(name) {
        return Err(format!("{name:?} is not a metric name"));
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let (parsed, tail) = label_set(after)?;
        labels = parsed;
        rest = tail;
    }
    // An exemplar (` # {...} value`) follows the value in OpenMetrics.
    let rest = rest.split(" # ").next().unwrap_or("");
    let mut fields = rest.split_whitespace();
    let value = fields.next().ok_or("a sample has no value")?;
    let value = number(value).ok_or_else(|| format!("{value:?} is not a number"))?;
    if let Some(ts) = fields.next()
        && number(ts).is_none()
    {
        return Err(format!("{ts:?} is not a timestamp"));
    }
    if fields.next().is_some() {
        return Err("unexpected text after the timestamp".into());
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// A sample value: a float, `+Inf`, `-Inf` or `NaN`.
fn number(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Label pairs in the order written.
type Labels = Vec<(String, String)>;

/// `a="x",b="y"}` up to and past the closing brace; values unescaped (`\\`, `\"`, `\n`).
fn label_set(s: &str) -> Result<(Labels, &str), String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((out, after));
        }
        let eq = rest.find('=').ok_or("a label has no value")?;
        let key = rest[..eq].trim();
        if !valid_name(key) {
            return Err(format!("{key:?} is not a label name"));
        }
        let after = rest[eq + 1..].trim_start();
        let body = after
            .strip_prefix('"')
            .ok_or("a label value is not quoted")?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err("a label value is not closed".into()),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    Some((_, c)) => {
                        value.push('\\');
                        value.push(c);
                    }
                    None => return Err("a label value is not closed".into()),
                },
                Some((_, c)) => value.push(c),
            }
        };
        out.push((key.to_owned(), value));
        rest = body[end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
}

/// HELP text escapes `\\` and `\n`.
fn unescape_help(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
