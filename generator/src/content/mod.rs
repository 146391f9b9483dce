//! Incidents and maintenance windows written by operators: Markdown files with front matter, read once from the content folder.

pub mod markdown;

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Incident,
    Maintenance,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Maintenance => "maintenance",
        }
    }
}

/// One checked entry; its body is already safe HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    /// Lower-case word: investigating, identified, monitoring, resolved; scheduled, in_progress, completed.
    pub status: String,
    /// Part names as written (matched without regard to case).
    pub affected: Vec<String>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub html: String,
    pub source: PathBuf,
}

impl Entry {
    /// An incident is open until resolved or past its end; maintenance is active inside its window.
    pub fn is_open(&self, now_ms: i64) -> bool {
        match self.kind {
            Kind::Incident => self.status != "resolved" && self.end_ms.is_none_or(|e| e > now_ms),
            Kind::Maintenance => {
                self.status != "completed"
                    && self.start_ms <= now_ms
                    && self.end_ms.is_none_or(|e| e > now_ms)
            }
        }
    }

    pub fn is_upcoming(&self, now_ms: i64) -> bool {
        self.kind == Kind::Maintenance && self.start_ms > now_ms && self.status != "completed"
    }

    pub fn affects(&self, part: &str) -> bool {
        self.affected.iter().any(|a| a.eq_ignore_ascii_case(part))
    }
}

/// Everything read from the content folder, and what could not be read (shown on the incidents page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    pub entries: Vec<Entry>,
    pub problems: Vec<String>,
}

impl Content {
    /// The maintenance window active at `now_ms` that names a part appearing as a segment of
    /// `metric` (`status.component.redis`, `probe.endpoint.module.auth.latency_ms`), if any.
    pub fn muting(&self, metric: &str, now_ms: i64) -> Option<&Entry> {
        let segments: Vec<&str> = metric.split('.').collect();
        self.entries.iter().find(|e| {
            e.kind == Kind::Maintenance
                && e.is_open(now_ms)
                && e.affected
                    .iter()
                    .any(|a| segments.iter().any(|s| s.eq_ignore_ascii_case(a)))
        })
    }
}

fn when(s: &str) -> Option<i64> {
    let s = s.trim();
    model::time::parse_iso(s)
        .or_else(|| (s.len() == 16).then(|| model::time::parse_iso(&format!("{s}:00")))?)
        .or_else(|| model::time::parse_day(s))
}

/// Front matter as key/value pairs: TOML between `+++` lines, or `key: value` lines between `---`.
/// Front matter keys with their values, in file order.
type Fields = Vec<(String, FmValue)>;

fn front_matter(text: &str) -> Result<(Fields, &str), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fence, toml) = if text.starts_with("+++") {
        ("+++", true)
    } else if text.starts_with("---") {
        ("---", false)
    } else {
        return Err("no front matter: start the file with +++ (TOML) or --- (key: value)".into());
    };
    let after = &text[3..];
    let close = after
        .find(&format!("\n{fence}"))
        .ok_or_else(|| format!("front matter is not closed by a {fence} line"))?;
    let head = &after[..close];
    let body = after[close + 1 + fence.len()..].trim_start_matches(['\r', '\n']);
    let mut out = Vec::new();
    if toml {
        let table: toml::Table = head.parse().map_err(|e| format!("front matter: {e}"))?;
        for (k, v) in table {
            let v = match v {
                toml::Value::Array(a) => FmValue::Many(a.iter().map(scalar).collect()),
                other => FmValue::One(scalar(&other)),
            };
            out.push((k, v));
        }
    } else {
        for line in head
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| format!("front matter line without `key: value`: {line}"))?;
            let v = v.trim().trim_matches('"');
            let v = match v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
                Some(list) => FmValue::Many(
                    list.split(',')
                        .map(|x| x.trim().trim_matches('"').to_owned())
                        .filter(|x| !x.is_empty())
                        .collect(),
                ),
                None => FmValue::One(v.to_owned()),
            };
            out.push((k.trim().to_owned(), v));
        }
    }
    Ok((out, body))
}

fn scalar(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

enum FmValue {
    One(String),
    Many(Vec<String>),
}

/// Checks one file. `folder_kind` is what its folder says (`maintenance/` holds maintenance).
pub fn parse(source: &Path, text: &str, folder_kind: Kind) -> Result<Entry, String> {
    let (fm, body) = front_matter(text)?;
    let get = |k: &str| {
        fm.iter().find(|(key, _)| key == k).map(|(_, v)| match v {
            FmValue::One(s) => vec![s.clone()],
            FmValue::Many(v) => v.clone(),
        })
    };
    let one = |k: &str| get(k).and_then(|v| v.into_iter().next());
    let title = one("title")
        .filter(|t| !t.trim().is_empty())
        .ok_or("front matter needs a title")?;
    let kind = match one("kind").as_deref() {
        None => folder_kind,
        Some("incident") => Kind::Incident,
        Some("maintenance") => Kind::Maintenance,
        Some(other) => {
            return Err(format!(
                "kind must be incident or maintenance, got {other:?}"
            ));
        }
    };
    let start_text =
        one("start").ok_or("front matter needs a start (e.g. 2026-11-20T14:00:00Z)")?;
    let start_ms =
        when(&start_text).ok_or_else(|| format!("start is not a date-time: {start_text:?}"))?;
    let end_ms = match one("end") {
        Some(e) if !e.trim().is_empty() => {
            Some(when(&e).ok_or_else(|| format!("end is not a date-time: {e:?}"))?)
        }
        _ => None,
    };
    if end_ms.is_some_and(|e| e < start_ms) {
        return Err("end is before start".into());
    }
    let status = one("status")
        .map(|s| s.trim().to_ascii_lowercase().replace(' ', "_"))
        .unwrap_or_else(|| match kind {
            Kind::Incident => "investigating".into(),
            Kind::Maintenance => "scheduled".into(),
        });
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Entry {
        kind,
        slug: crate::render::slug(&stem),
        title: title.trim().to_owned(),
        status,
        affected: get("affected").unwrap_or_default(),
        start_ms,
        end_ms,
        html: markdown::to_html(body),
        source: source.to_owned(),
    })
}

/// Reads every `.md` file under `dir`. A missing folder means no content; a bad file is named in
/// `problems` and the rest still load.
pub fn load(dir: &Path) -> Content {
    let mut c = Content::default();
    if !dir.is_dir() {
        return c;
    }
    for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                c.problems.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        let path = item.path();
        if !item.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let folder_kind = if path
            .strip_prefix(dir)
            .ok()
            .and_then(|p| p.components().next())
            .is_some_and(|c| c.as_os_str() == "maintenance")
        {
            Kind::Maintenance
        } else {
            Kind::Incident
        };
        match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| parse(path, &t, folder_kind))
        {
            Ok(e) => c.entries.push(e),
            Err(e) => c.problems.push(format!("{}: {e}", path.display())),
        }
    }
    c.entries
        .sort_by(|a, b| b.start_ms.cmp(&a.start_ms).then(a.slug.cmp(&b.slug)));
    // Two files with one name would share a page; the second gets its kind in the slug.
    let mut seen = std::collections::HashSet::new();
    for e in &mut c.entries {
        if !seen.insert(e.slug.clone()) {
            e.slug = format!("{}-{}", e.slug, e.kind.as_str());
        }
    }
    c
}

#[cfg(test)]
mod tests;
