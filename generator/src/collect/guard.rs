//! The edge check of every answer, before anything is stored: numbers finite and in a range a
//! chart can draw, names and texts without control characters and of bounded length, and each
//! source's counts of metrics, parts and list items within its limits. What is refused is kept
//! in words (a number as text, a count of what was dropped), never silently lost.

use model::{Fact, PartHealth, Unit};

use super::extract::Sink;

/// The largest magnitude a reading may have. Far beyond any real figure (a petabyte is 1e15
/// bytes), and far below where a chart's arithmetic breaks down (plotters loops near 1e308).
pub const MAX_ABS: f64 = 1e15;
/// The largest magnitude a reading of `unit` may have: a share far beyond 100 % is a broken
/// figure, not a reading (1e6 % still lets a growth rate through).
pub fn max_of(unit: Unit) -> f64 {
    match unit {
        Unit::Percent => 1e6,
        Unit::Ratio => 1e4,
        Unit::Bool => 1e3,
        _ => MAX_ABS,
    }
}

/// Longest name (metric, part, event type) kept: enough for any real one.
pub const NAME_MAX: usize = 200;
/// Longest text (a message, a table cell) kept.
pub const TEXT_MAX: usize = 2000;

/// How much of one source a snapshot keeps (`backend.max_metrics`, `max_parts`, `max_items`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub metrics: usize,
    pub parts: usize,
    /// Items of each list (events, jobs) and rows of each table.
    pub items: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            metrics: 2000,
            parts: 500,
            items: 200,
        }
    }
}

/// The fact under which a source's snapshot says what its limits dropped.
pub const DROPPED: &str = "lookout.dropped";

/// `s` without control characters (a NUL, an ESC that would clear a terminal, a CR that would
/// forge a log line), cut to `max` bytes on a character boundary with "…" when longer.
pub fn clean(s: &str, max: usize) -> String {
    let needs = s.len() > max || s.chars().any(char::is_control);
    if !needs {
        return s.to_owned();
    }
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > max {
        let mut end = max.saturating_sub('…'.len_utf8());
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

fn clean_in_place(s: &mut String, max: usize) {
    if s.len() > max || s.chars().any(char::is_control) {
        *s = clean(s, max);
    }
}

/// Longest part name kept: shorter than `NAME_MAX`, since metric names are made from it
/// (`status.component.<name>`, `probe.endpoint.module.<name>.latency_ms`).
pub const PART_MAX: usize = 120;

fn clean_part(p: &mut PartHealth) {
    clean_in_place(&mut p.name, PART_MAX);
    clean_in_place(&mut p.word, NAME_MAX);
    clean_in_place(&mut p.message, TEXT_MAX);
}

/// Checks one answer's readings in place: cleans every string, and turns each number a chart
/// could not draw into a fact that shows it as text.
pub fn reading(sink: &mut Sink) {
    let mut refused = Vec::new();
    sink.metrics.retain_mut(|m| {
        clean_in_place(&mut m.name, NAME_MAX);
        let ok = m.value.is_finite() && m.value.abs() <= max_of(m.unit);
        if !ok {
            refused.push(Fact {
                name: m.name.clone(),
                value: format!("{:e} (out of range: not stored as a number)", m.value),
            });
        }
        ok
    });
    sink.facts.extend(refused);
    sink.counters.retain_mut(|c| {
        clean_in_place(&mut c.name, NAME_MAX);
        c.value.is_finite() && c.value.abs() <= MAX_ABS
    });
    for f in &mut sink.facts {
        clean_in_place(&mut f.name, NAME_MAX);
        clean_in_place(&mut f.value, TEXT_MAX);
    }
    sink.components.iter_mut().for_each(clean_part);
    sink.modules.iter_mut().for_each(clean_part);
    if let Some((w, m)) = &mut sink.overall {
        clean_in_place(w, NAME_MAX);
        clean_in_place(m, TEXT_MAX);
    }
    let lists = &mut sink.lists;
    for e in lists.events.iter_mut().flatten() {
        clean_in_place(&mut e.name, NAME_MAX);
        for t in e.timestamp.iter_mut().chain(e.priority.iter_mut()) {
            clean_in_place(t, NAME_MAX);
        }
    }
    for j in lists.jobs.iter_mut().flatten() {
        clean_in_place(&mut j.status, NAME_MAX);
        for t in j.repo_url.iter_mut().chain(j.timestamp.iter_mut()) {
            clean_in_place(t, TEXT_MAX);
        }
        for v in [
            &mut j.duration_seconds,
            &mut j.files_processed,
            &mut j.embeddings_generated,
        ] {
            *v = v.filter(|x| x.is_finite() && x.abs() <= MAX_ABS);
        }
    }
    for t in &mut lists.tables {
        clean_in_place(&mut t.title, NAME_MAX);
        t.columns
            .iter_mut()
            .for_each(|c| clean_in_place(c, NAME_MAX));
        t.rows
            .iter_mut()
            .flatten()
            .for_each(|c| clean_in_place(c, TEXT_MAX));
    }
}

/// Keeps a source's counts within `l`, and says what it dropped (also as the `DROPPED` fact):
/// `None` when nothing was.
pub fn limit(sink: &mut Sink, l: &Limits) -> Option<String> {
    let mut said = Vec::new();
    let cut = |said: &mut Vec<String>, what: &str, n: usize, max: usize| {
        if n > max {
            said.push(format!("{} of {n} {what} (limit {max})", n - max));
        }
    };
    cut(&mut said, "metrics", sink.metrics.len(), l.metrics);
    sink.metrics.truncate(l.metrics);
    let parts = sink.components.len() + sink.modules.len();
    cut(&mut said, "parts", parts, l.parts);
    sink.components.truncate(l.parts);
    sink.modules.truncate(l.parts - sink.components.len());
    cut(&mut said, "facts", sink.facts.len(), l.metrics);
    sink.facts.truncate(l.metrics);
    cut(&mut said, "counters", sink.counters.len(), l.metrics);
    sink.counters.truncate(l.metrics);
    let lists = &mut sink.lists;
    for (what, list) in [
        ("events", lists.events.as_ref().map(Vec::len)),
        ("jobs", lists.jobs.as_ref().map(Vec::len)),
    ] {
        if let Some(n) = list {
            cut(&mut said, what, n, l.items);
        }
    }
    if let Some(e) = &mut lists.events {
        e.truncate(l.items);
    }
    if let Some(j) = &mut lists.jobs {
        j.truncate(l.items);
    }
    let rows: usize = lists
        .tables
        .iter()
        .map(|t| t.rows.len().saturating_sub(l.items))
        .sum();
    if rows > 0 {
        said.push(format!("{rows} table rows (limit {} a table)", l.items));
    }
    lists
        .tables
        .iter_mut()
        .for_each(|t| t.rows.truncate(l.items));
    cut(&mut said, "tables", lists.tables.len(), l.items);
    lists.tables.truncate(l.items);
    if said.is_empty() {
        return None;
    }
    let text = format!("dropped {}", said.join(", "));
    sink.facts.push(Fact {
        name: DROPPED.to_owned(),
        value: text.clone(),
    });
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Better, Metric, Status};

    #[test]
    fn numbers_a_chart_cannot_draw_become_text_and_strings_lose_control_characters() {
        let mut s = Sink::default();
        for v in [1e308, f64::MAX, -1e16, 0.5] {
            s.metrics.push(Metric::new(
                format!("m\u{1b}[2J{v}"),
                v,
                Unit::Percent,
                Better::Higher,
            ));
        }
        s.modules.push(PartHealth {
            name: format!("x\0{}", "n".repeat(400)),
            status: Status::Healthy,
            word: "ok\r\nforged".into(),
            message: "fine".into(),
        });
        reading(&mut s);
        assert_eq!(s.metrics.len(), 1);
        assert_eq!(s.metrics[0].value, 0.5);
        assert_eq!(s.facts.len(), 3);
        assert!(s.facts[0].value.starts_with("1e308"), "{:?}", s.facts[0]);
        let all = format!("{:?}", (&s.metrics, &s.facts, &s.modules));
        assert!(!all.contains('\u{1b}') && !all.contains("\\u{1b}") && !all.contains("\\0"));
        assert!(s.modules[0].name.len() <= PART_MAX && s.modules[0].name.ends_with('…'));
        assert_eq!(s.modules[0].word, "ok  forged");
        assert_eq!(clean("é".repeat(10).as_str(), 7).chars().count(), 3);
        let mut s = Sink::default();
        s.metrics
            .push(Metric::new("share", 2e6, Unit::Percent, Better::Higher));
        s.metrics
            .push(Metric::new("bytes", 2e6, Unit::Bytes, Better::Lower));
        reading(&mut s);
        assert_eq!(
            s.metrics.len(),
            1,
            "a share of 2e6 % is refused, 2e6 bytes kept"
        );
    }

    #[test]
    fn limits_keep_the_first_and_say_how_many_were_dropped() {
        let mut s = Sink::default();
        for i in 0..10_000 {
            s.metrics.push(Metric::new(
                format!("m{i}"),
                1.0,
                Unit::Count,
                Better::Neither,
            ));
        }
        let l = Limits {
            metrics: 100,
            parts: 5,
            items: 3,
        };
        let said = limit(&mut s, &l).expect("something dropped");
        assert_eq!(s.metrics.len(), 100);
        assert_eq!(said, "dropped 9900 of 10000 metrics (limit 100)");
        assert!(s.facts.iter().any(|f| f.name == DROPPED && f.value == said));
        let mut calm = Sink::default();
        assert_eq!(limit(&mut calm, &l), None);
    }
}
