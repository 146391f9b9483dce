//! Where each page lives in the output folder; relative links between pages are derived here.

/// `snapshots/2026-11-22/000655.html`
pub fn snapshot_page(slug: &str) -> String {
    format!("snapshots/{slug}.html")
}

/// The first day whose snapshots have pages of their own under `site.snapshot_pages` (`None`:
/// every day's), counted back from the newest snapshot's day as retention is.
pub fn paged_from(snapshot_pages: Option<u32>, newest_ms: Option<i64>) -> Option<String> {
    let days = i64::from(snapshot_pages?);
    let newest = newest_ms?;
    Some(model::time::day_of(newest - (days - 1) * 86_400_000))
}

/// Where a snapshot is read: its page, or (a day before `paged_from`) its row on its day's page.
pub fn snapshot_link(slug: &str, paged_from: Option<&str>) -> String {
    match (slug.split_once('/'), paged_from) {
        (Some((day, time)), Some(from)) if day < from => format!("{}#s-{time}", day_page(day)),
        _ => snapshot_page(slug),
    }
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

/// The longest name part of a file name; with the hash and the page's prefix and suffix it stays
/// far below the 255 bytes file systems allow.
const MAX_SLUG: usize = 80;

/// A name made safe for a file name: lower case, `[a-z0-9._-]`, anything else `-`, at most
/// `MAX_SLUG` bytes. When that loses more than case (a replaced character, a cut), the name's
/// hash follows, so two names never share a file (`a b` and `a-b`). Case alone is not hashed:
/// part names are compared without case, and the common names keep their plain URLs.
pub fn slug(name: &str) -> String {
    let mut lossy = false;
    let mut s: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => {
                lossy = true;
                '-'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, 'x');
    }
    if s.len() > MAX_SLUG {
        // Only ASCII is left, so any byte is a char boundary.
        s.truncate(MAX_SLUG);
        lossy = true;
    }
    if lossy {
        s.push_str(&format!("-{:08x}", fnv1a(name)));
    }
    s
}

/// FNV-1a, 32 bits: stable across builds and versions (std's hasher is not), for file names.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
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
        assert!(part_page("endpoint", "a/../b c").starts_with("endpoints/a-..-b-c-"));
        assert_eq!(slug(".."), "x..");
        assert_eq!(slug("GET__api_items"), "get__api_items");
    }

    #[test]
    fn file_names_are_bounded_and_never_shared() {
        let long = "m".repeat(300);
        let s = slug(&long);
        assert!(s.len() <= MAX_SLUG + 9, "{}", s.len());
        assert_ne!(
            slug(&long),
            slug(&format!("{long}x")),
            "a cut name keeps its own file"
        );
        assert_ne!(slug("a b"), slug("a-b"));
        assert_ne!(slug("a/b"), slug("a b"));
        assert_eq!(slug("a b"), slug("a b"), "stable");
        assert!(slug("\u{1b}[2J\0").bytes().all(|b| b.is_ascii_graphic()));
        assert!(part_page("module", &"é".repeat(200)).len() < 120);
        assert_eq!(
            snapshot_json("2026-11-22/000655-2"),
            "data/snapshots/2026-11-22/000655-2.json"
        );
    }
}
