//! Where each page lives in the output folder; relative links between pages are derived here.

/// `snapshots/2026-11-22/000655.html`
pub fn snapshot_page(slug: &str) -> String {
    format!("snapshots/{slug}.html")
}

/// `data/snapshots/2026-11-22/000655.json`
pub fn snapshot_json(slug: &str) -> String {
    format!("data/snapshots/{slug}.json")
}

/// `history/2026-11-22.html`
pub fn day_page(day: &str) -> String {
    format!("history/{day}.html")
}

/// `data/days/2026-11-22.json`
pub fn day_json(day: &str) -> String {
    format!("data/days/{day}.json")
}

/// `history/page-3.html`; pages count from the oldest day so a page's days never move.
pub fn history_page(n: usize) -> String {
    format!("history/page-{n}.html")
}

/// A name made safe for a file name: lower case, `[a-z0-9._-]`, anything else `-`.
pub fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("x{s}")
    } else {
        s
    }
}

/// `modules/auth.html`, `components/redis.html`, `endpoints/module.auth.html`
pub fn part_page(kind: &str, name: &str) -> String {
    format!("{kind}s/{}.html", slug(name))
}

/// `ranges/24h.html`
pub fn range_page(label: &str) -> String {
    format!("ranges/{label}.html")
}

pub const INDEX: &str = "index.html";
pub const HISTORY_INDEX: &str = "history/index.html";
pub const LATEST_JSON: &str = "data/latest.json";
pub const ANALYSIS_JSON: &str = "data/analysis.json";
/// The alert rules and their states, for the live alert panel.
pub const RULES_JSON: &str = "data/rules.json";
pub const TRENDS_JSON: &str = "data/trends.json";
pub const HISTORY_JSON: &str = "data/history.json";
pub const NOT_FOUND: &str = "404.html";
pub const STYLE: &str = "assets/style.css";
pub const FAVICON: &str = "assets/favicon.svg";

/// The prefix that leads from a page back to the site root (`../../` for `a/b/c.html`).
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_match_depth() {
        assert_eq!(root_of(INDEX), "");
        assert_eq!(root_of(&day_page("2026-11-22")), "../");
        assert_eq!(root_of(&snapshot_page("2026-11-22/000655")), "../../");
        assert_eq!(part_page("module", "Auth"), "modules/auth.html");
        assert_eq!(part_page("endpoint", "a/../b c"), "endpoints/a-..-b-c.html");
        assert_eq!(slug(".."), "x..");
        assert_eq!(
            snapshot_json("2026-11-22/000655-2"),
            "data/snapshots/2026-11-22/000655-2.json"
        );
    }
}
