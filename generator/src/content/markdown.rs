//! Markdown to safe HTML: raw HTML is shown as text, and only web, mail and relative links survive.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

/// A link target people may follow: http(s), mailto, or relative without a scheme.
fn safe_url(url: &str) -> bool {
    let lower: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _))
            if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') =>
        {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Renders operator Markdown. Raw HTML (block or inline) becomes escaped text, so a pasted
/// `<script>` shows as words; links and images with other schemes (javascript:, data:) lose their target.
pub fn to_html(text: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let events = Parser::new_ext(text, opts).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed(""),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(text.len() * 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_urls_are_defused() {
        let html = to_html(
            "# Redis down\n\n<script>alert(1)</script>\n\nSee <b onmouseover=x>this</b> and \
             [the runbook](https://example.com/rb), [bad](javascript:alert(1)), \
             [also bad]( JaVaScRiPt:alert(1)), [rel](../x.html).\n\n![img](data:text/html,x)",
        );
        assert!(html.contains("<h1>Redis down</h1>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("href=\"https://example.com/rb\""), "{html}");
        assert!(
            !html.to_ascii_lowercase().contains("javascript:alert"),
            "{html}"
        );
        assert!(html.contains("href=\"../x.html\""), "{html}");
        assert!(!html.contains("data:text"), "{html}");
    }
}
