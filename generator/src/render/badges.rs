//! SVG status badges for embedding elsewhere: overall, and one per component and module.

use model::Status;

/// `Some("redis")` -> `badges/component/redis.svg`; names are reduced to safe file names.
pub fn path(kind: &str, name: &str) -> String {
    let safe: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("badges/{kind}/{safe}.svg")
}

pub const OVERALL: &str = "badges/overall.svg";

/// Escapes text for XML (SVG, Atom).
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A two-part badge (label | status); colours pass AA contrast with white text.
pub fn svg(label: &str, status: Status) -> String {
    let (color, word) = match status {
        Status::Healthy => ("#1a7f37", "healthy"),
        Status::Degraded => ("#9a6700", "degraded"),
        Status::Down => ("#b3261e", "down"),
        Status::Unknown | Status::NotApplicable => ("#57606a", "unknown"),
    };
    // Roughly 6.5 px per character at 11 px; no font metrics needed for a status word.
    let width = |s: &str| 10 + (s.chars().count() as u32 * 13).div_ceil(2);
    let (lw, rw) = (width(label), width(word));
    let total = lw + rw;
    let (label, title) = (xml(label), xml(&format!("{label}: {word}")));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}"><title>{title}</title><rect width="{lw}" height="20" fill="#32383f"/><rect x="{lw}" width="{rw}" height="20" fill="{color}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{word}</text></g></svg>
"##,
        lx = lw / 2,
        rx = lw + rw / 2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_escape_names_and_say_the_status_in_words() {
        let s = svg("<b>\"x\"", Status::Down);
        assert!(s.contains("&lt;b&gt;&quot;x&quot;: down"));
        assert!(!s.contains("<b>"));
        assert!(s.contains(">down</text>"));
        assert_eq!(path("module", "Search"), "badges/module/search.svg");
        assert_eq!(path("component", "../x y"), "badges/component/___x_y.svg");
    }
}
