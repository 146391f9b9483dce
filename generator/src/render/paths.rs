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

/// `history/page-3.html`; pages count from the oldest day so a page's days never move.
pub fn history_page(n: usize) -> String {
    format!("history/page-{n}.html")
}

pub const INDEX: &str = "index.html";
pub const HISTORY_INDEX: &str = "history/index.html";
pub const LATEST_JSON: &str = "data/latest.json";
pub const ANALYSIS_JSON: &str = "data/analysis.json";
pub const TRENDS_JSON: &str = "data/trends.json";
pub const NOT_FOUND: &str = "404.html";
pub const STYLE: &str = "assets/style.css";

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
        assert_eq!(
            snapshot_json("2026-11-22/000655-2"),
            "data/snapshots/2026-11-22/000655-2.json"
        );
    }
}
