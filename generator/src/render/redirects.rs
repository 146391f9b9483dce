//! `_redirects` (Netlify and Cloudflare Pages): the pages of snapshots that are now rows of their
//! day's page (`site.snapshot_pages`) sent there. Hosts without it show `404.html`, which sends
//! a browser there too.

use super::kinds::{Inputs, PageKind};
use super::write::Writer;
use super::{BuildError, paths};

pub const FILE: &str = "_redirects";
/// Days listed, newest first: two rules a day stay within Cloudflare Pages' 100 dynamic ones.
const DAYS: usize = 50;

pub(super) struct Redirects;

impl PageKind for Redirects {
    fn name(&self) -> &'static str {
        "redirects"
    }

    fn paths(&self, _: &Inputs<'_>) -> Vec<String> {
        vec![FILE.to_owned()]
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        // Written with no rule too, so no rule of an earlier setting outlives it.
        let from = i.ctx.paged_from.as_deref().unwrap_or("");
        // Rules are paths from the host's root: the site's own prefix, from its public URL.
        let prefix = i
            .ctx
            .site
            .public_url
            .as_deref()
            .and_then(|u| reqwest::Url::parse(u).ok())
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        let mut text =
            String::from("# Snapshots listed on their day's page (site.snapshot_pages)\n");
        for d in i
            .days
            .iter()
            .rev()
            .filter(|d| d.day.as_str() < from)
            .take(DAYS)
        {
            let day = &d.day;
            text.push_str(&format!(
                "{prefix}/snapshots/{day}/* {prefix}/{} 301\n{prefix}/data/snapshots/{day}/* {prefix}/{} 301\n",
                paths::day_page(day),
                paths::day_json(day)
            ));
        }
        w.put(FILE, text.as_bytes())
    }
}
