//! `feed.atom`: incidents and maintenance, then alert episodes (fired, and resolved), as an Atom feed.

use crate::store::AlertRecord;

use super::badges::xml;

pub const FEED: &str = "feed.atom";

/// The feed of the newest 50 episodes. Links are relative to the feed, which sits at the root.
pub fn atom(
    site_title: &str,
    history: &[AlertRecord],
    incidents: &[crate::content::Entry],
    now_ms: i64,
    zone: &crate::zone::Zone,
) -> String {
    let iso = model::time::format_iso;
    let updated = history
        .iter()
        .map(|h| h.resolved_ms.unwrap_or(h.fired_ms))
        .chain(incidents.iter().map(|e| e.end_ms.unwrap_or(e.start_ms)))
        .max()
        .unwrap_or(now_ms);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{} alerts</title>\n  <id>urn:lookout:alerts:{}</id>\n  <updated>{}</updated>\n  <link rel=\"alternate\" href=\"alerts/index.html\"/>\n  <generator>Lookout {}</generator>\n",
        xml(site_title),
        xml(&site_title.to_ascii_lowercase().replace(' ', "-")),
        iso(updated),
        env!("CARGO_PKG_VERSION")
    );
    for e in incidents.iter().take(50) {
        out.push_str(&format!(
            "  <entry>\n    <title>{} ({}): {}</title>\n    <id>urn:lookout:{}:{}</id>\n    <updated>{}</updated>\n    <published>{}</published>\n    <category term=\"{}\"/>\n    <link rel=\"alternate\" href=\"{}\"/>\n    <content type=\"html\">{}</content>\n  </entry>\n",
            e.kind.as_str(),
            xml(&e.status),
            xml(&e.title),
            e.kind.as_str(),
            xml(&e.slug),
            iso(e.end_ms.unwrap_or(e.start_ms)),
            iso(e.start_ms),
            e.kind.as_str(),
            xml(&super::incidents::page(e)),
            xml(&e.html)
        ));
    }
    for h in history.iter().take(50) {
        let state = if h.resolved_ms.is_some() {
            "Resolved"
        } else {
            "Firing"
        };
        let peak = h.peak.map(|p| format!(", peak {p}")).unwrap_or_default();
        let summary = match h.resolved_ms {
            Some(r) => format!(
                "{} ({}) fired at {} and resolved at {}{peak}.",
                h.rule,
                h.metric,
                zone.human(h.fired_ms),
                zone.human(r)
            ),
            None => format!(
                "{} ({}) has been firing since {}{peak}.",
                h.rule,
                h.metric,
                zone.human(h.fired_ms)
            ),
        };
        out.push_str(&format!(
            "  <entry>\n    <title>{state}: {}</title>\n    <id>urn:lookout:alert:{}:{}</id>\n    <updated>{}</updated>\n    <published>{}</published>\n    <category term=\"{}\"/>\n    <link rel=\"alternate\" href=\"alerts/{}.html\"/>\n    <summary>{}</summary>\n  </entry>\n",
            xml(&h.rule),
            xml(&format!("{}:{}", h.rule, h.metric).replace(' ', "-")),
            h.fired_ms,
            iso(h.resolved_ms.unwrap_or(h.fired_ms)),
            iso(h.fired_ms),
            xml(&h.severity),
            xml(&h.severity),
            xml(&summary)
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_escapes_and_lists_episodes() {
        let h = AlertRecord {
            rule: "A <b>&".into(),
            metric: "m".into(),
            severity: "critical".into(),
            fired_ms: 1_790_000_000_000,
            resolved_ms: None,
            peak: Some(9.0),
            snapshots: vec![1],
        };
        let f = atom("Status \"x\"", &[h], &[], 0, &crate::zone::Zone::utc());
        assert!(f.starts_with("<?xml"));
        assert!(f.contains("<title>Firing: A &lt;b&gt;&amp;</title>"));
        assert!(f.contains("<title>Status &quot;x&quot; alerts</title>"));
        assert!(!f.contains("<b>"));
        assert_eq!(f.matches("<entry>").count(), 1);
        assert!(f.contains("href=\"alerts/critical.html\""));
    }
}
