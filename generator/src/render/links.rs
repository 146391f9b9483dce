//! Checks a built site: every relative link and source in every page must point at a file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Every file below `root`.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// `page -> link` for every `href`/`src` in an HTML page under `root` whose target is missing.
/// External, fragment-only and mailto links are not followed; `/x` is read from `root`.
pub fn broken_links(root: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    let mut seen = HashSet::new();
    let pages = files_under(root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "html"));
    for page in pages {
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        for attr in ["href=\"", "src=\""] {
            for part in text.split(attr).skip(1) {
                let link = part.split('"').next().unwrap_or("");
                // Another scheme (https:, mailto:, and javascript: that markup shows as text) is
                // not a file of the site.
                if link.starts_with('#') || has_scheme(link) {
                    continue;
                }
                let link = &link.replace("&amp;", "&");
                let clean = link.split(['?', '#']).next().unwrap_or("");
                let target = match clean.strip_prefix('/') {
                    Some(abs) => root.join(abs),
                    None => page.parent().unwrap_or(root).join(clean),
                };
                let target = if clean.is_empty() || clean.ends_with('/') {
                    target.join("index.html")
                } else {
                    target
                };
                if seen.insert(target.clone()) && !target.is_file() {
                    broken.push(format!("{} -> {link}", page.display()));
                }
            }
        }
    }
    broken
}

/// `scheme:` before any `/`, `?` or `#` (RFC 3986: a letter, then letters, digits, `+-.`).
fn has_scheme(link: &str) -> bool {
    let Some((scheme, _)) = link.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_targets_only() {
        let dir = std::env::temp_dir().join(format!("lookout-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a")).expect("mkdir");
        std::fs::write(
            dir.join("index.html"),
            r##"<a href="a/x.html">x</a><a href="https://e.x/">e</a><a href="#top">t</a><a href="javascript:alert(1)">j</a><a href="JavaScript:x">k</a>"##,
        )
        .expect("w");
        std::fs::write(
            dir.join("a/x.html"),
            r#"<a href="../index.html?v=1">i</a><img src="/missing.png"><a href="../a/">d</a>"#,
        )
        .expect("w");
        let broken = broken_links(&dir);
        assert_eq!(broken.len(), 2, "{broken:?}");
        assert!(broken.iter().any(|b| b.ends_with("-> /missing.png")));
        assert!(broken.iter().any(|b| b.ends_with("-> ../a/")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
