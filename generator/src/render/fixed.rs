//! The files every build writes whatever changed (index, data files, alert and range pages, the widget bundles, section pages...), so an incremental build knows them without a full listing.

use super::{
    Ctx, WINDOWS, alerts, exports, feed, graph, heatmap, incidents, paths, ranges, reports,
    sections,
};
use crate::config::Site;
use crate::content::Content;

/// Every fixed page of the site, its bundles and its section pages.
pub(super) fn pages(ctx: &Ctx<'_>, site: &Site, content: &Content) -> Vec<String> {
    let mut fixed = vec![
        paths::INDEX.to_owned(),
        paths::LATEST_JSON.to_owned(),
        paths::RULES_JSON.to_owned(),
        reports::INDEX.to_owned(),
        reports::JSON.to_owned(),
        paths::ANALYSIS_JSON.to_owned(),
        paths::TRENDS_JSON.to_owned(),
        paths::NOT_FOUND.to_owned(),
        paths::STYLE.to_owned(),
        paths::FAVICON.to_owned(),
        paths::HISTORY_INDEX.to_owned(),
        paths::HISTORY_JSON.to_owned(),
        graph::JSON.to_owned(),
        heatmap::JSON.to_owned(),
        incidents::JSON.to_owned(),
        exports::JSON.to_owned(),
    ];
    fixed.extend(alerts::SEVERITIES.iter().map(|s| alerts::page(Some(s))));
    fixed.extend([
        alerts::page(None),
        alerts::CSV.to_owned(),
        alerts::JSON.to_owned(),
        feed::FEED.to_owned(),
    ]);
    fixed.extend(WINDOWS.iter().map(|w| paths::range_page(w.label())));
    fixed.extend(WINDOWS.iter().map(|w| ranges::json_path(w.label())));
    fixed.extend(heatmap::paths_all());
    fixed.extend([
        ctx.bundle.js.clone(),
        ctx.bundle.wasm.clone(),
        ctx.operator.js.clone(),
        ctx.operator.wasm.clone(),
    ]);
    fixed.extend(sections::paths_all(site));
    fixed.push(graph::PAGE.to_owned());
    fixed.extend(incidents::paths_all(content));
    fixed
}
