//! Dependency graph: components and modules in layers, `depends_on` edges, each node coloured and labelled by the status its source reports, with the parts a broken need affects.

use std::collections::{BTreeMap, HashMap};

use plotters::prelude::*;

use super::views::{Common, PartRow};
use super::write::Writer;
use super::{BuildError, Ctx, render};

pub const PAGE: &str = "dependencies.html";
pub const JSON: &str = "data/dependencies.json";
const BOX_W: i32 = 150;
const BOX_H: i32 = 40;
const GAP_X: i32 = 20;
const GAP_Y: i32 = 70;
const PER_ROW: usize = 6;

fn colour(class: &str) -> RGBColor {
    match class {
        "healthy" => RGBColor(0x1f, 0x9d, 0x55),
        "degraded" => RGBColor(0xd9, 0x73, 0x0d),
        "down" => RGBColor(0xe0, 0x41, 0x3a),
        _ => RGBColor(0x76, 0x7f, 0x8a),
    }
}

pub struct Edge {
    pub from: String,
    pub to: Vec<String>,
}

/// Layer of each node: 0 for what depends on nothing, else one above its highest dependency.
fn layers(names: &[String], deps: &HashMap<String, Vec<String>>) -> HashMap<String, usize> {
    fn depth(
        n: &str,
        deps: &HashMap<String, Vec<String>>,
        memo: &mut HashMap<String, usize>,
        seen: &mut Vec<String>,
    ) -> usize {
        if let Some(d) = memo.get(n) {
            return *d;
        }
        // A cycle in the config must not recurse forever: it stops where it closes.
        if seen.iter().any(|s| s == n) {
            return 0;
        }
        seen.push(n.to_owned());
        let d = deps
            .get(n)
            .map(|ds| {
                ds.iter()
                    .map(|x| depth(x, deps, memo, seen) + 1)
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        seen.pop();
        memo.insert(n.to_owned(), d);
        d
    }
    let mut memo = HashMap::new();
    for n in names {
        depth(n, deps, &mut memo, &mut Vec::new());
    }
    memo
}

/// The graph as SVG, plus the edges in words for the table beside it.
pub fn svg(
    rows: &[PartRow<'_>],
    depends_on: &BTreeMap<String, Vec<String>>,
) -> (String, Vec<Edge>) {
    let key = |s: &str| s.to_ascii_lowercase();
    let names: Vec<String> = rows.iter().map(|r| key(r.name)).collect();
    let deps: HashMap<String, Vec<String>> = depends_on
        .iter()
        .map(|(k, v)| {
            (
                key(k),
                v.iter()
                    .map(|d| key(d))
                    .filter(|d| names.contains(d))
                    .collect(),
            )
        })
        .filter(|(k, _)| names.contains(k))
        .collect();
    let layer = layers(&names, &deps);
    let top = layer.values().copied().max().unwrap_or(0);
    // Rows from the top layer down; a layer wider than PER_ROW wraps.
    let mut grid: Vec<Vec<usize>> = Vec::new();
    for l in (0..=top).rev() {
        let mut members: Vec<usize> = (0..rows.len())
            .filter(|i| layer.get(&names[*i]).copied().unwrap_or(0) == l)
            .collect();
        // Parts something depends on come first, so their edges stay short; loners go last.
        let wanted = |i: &usize| {
            deps.values().any(|d| d.contains(&names[*i])) || deps.contains_key(&names[*i])
        };
        members.sort_by_key(|i| !wanted(i));
        for chunk in members.chunks(PER_ROW) {
            grid.push(chunk.to_vec());
        }
    }
    let width = (PER_ROW as i32) * (BOX_W + GAP_X) + GAP_X;
    let height = grid.len().max(1) as i32 * (BOX_H + GAP_Y) + GAP_X;
    let mut pos: HashMap<usize, (i32, i32)> = HashMap::new();
    for (r, members) in grid.iter().enumerate() {
        let row_w = members.len() as i32 * (BOX_W + GAP_X) - GAP_X;
        let x0 = (width - row_w) / 2;
        for (c, i) in members.iter().enumerate() {
            pos.insert(
                *i,
                (
                    x0 + c as i32 * (BOX_W + GAP_X),
                    GAP_X + r as i32 * (BOX_H + GAP_Y),
                ),
            );
        }
    }
    let mut raw = String::new();
    {
        let root =
            SVGBackend::with_string(&mut raw, (width as u32, height as u32)).into_drawing_area();
        let _ = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            for (i, name) in names.iter().enumerate() {
                let Some(&(x, y)) = pos.get(&i) else { continue };
                for d in deps.get(name).into_iter().flatten() {
                    let Some(j) = names.iter().position(|n| n == d) else {
                        continue;
                    };
                    let Some(&(x2, y2)) = pos.get(&j) else {
                        continue;
                    };
                    let c = colour(rows[j].status.class);
                    root.draw(&PathElement::new(
                        vec![(x + BOX_W / 2, y + BOX_H), (x2 + BOX_W / 2, y2)],
                        c.mix(0.7).stroke_width(2),
                    ))?;
                    root.draw(&Circle::new((x2 + BOX_W / 2, y2), 3, c.filled()))?;
                }
            }
            for (i, r) in rows.iter().enumerate() {
                let Some(&(x, y)) = pos.get(&i) else { continue };
                let c = colour(r.status.class);
                root.draw(&Rectangle::new(
                    [(x, y), (x + BOX_W, y + BOX_H)],
                    c.mix(0.15).filled(),
                ))?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + BOX_W, y + BOX_H)],
                    c.stroke_width(2),
                ))?;
                root.draw(&Text::new(
                    r.name.to_owned(),
                    (x + 8, y + 6),
                    ("sans-serif", 16).into_font().color(&BLACK),
                ))?;
                root.draw(&Text::new(
                    format!("{} {}", r.status.symbol, r.status.label),
                    (x + 8, y + 23),
                    ("sans-serif", 14).into_font().color(&BLACK),
                ))?;
            }
            root.present()?;
            Ok(())
        })();
    }
    let edges: Vec<Edge> = rows
        .iter()
        .zip(&names)
        .filter_map(|(r, n)| {
            let to = deps.get(n)?;
            (!to.is_empty()).then(|| Edge {
                from: r.name.to_owned(),
                to: to.clone(),
            })
        })
        .collect();
    // Each node's own status is drawn; the description adds which ones are affected.
    let affected = |name: &str| {
        rows.iter()
            .find(|r| r.name == name && !r.because.is_empty())
            .map(|r| format!(" ({})", r.because))
            .unwrap_or_default()
    };
    let desc = edges
        .iter()
        .map(|e| {
            format!(
                "{} depends on {}{}",
                e.from,
                e.to.join(", "),
                affected(&e.from)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let out = super::charts::finish(
        "chart-svg graph",
        "graph",
        "Dependencies between components and modules",
        &desc,
        &raw,
        width as u32,
        height as u32,
    );
    (out, edges)
}

#[derive(askama::Template)]
#[template(path = "graph.html")]
struct GraphPage<'a> {
    c: Common<'a>,
    svg: String,
    edges: Vec<Edge>,
    rows: &'a [PartRow<'a>],
}

pub fn render_graph(
    ctx: &Ctx<'_>,
    writer: &Writer,
    rows: &[PartRow<'_>],
) -> Result<(), BuildError> {
    let (svg, edges) = svg(rows, &ctx.site.depends_on);
    let json = serde_json::json!({
        "parts": rows.iter().map(|r| serde_json::json!({
            "name": r.name,
            "status": r.status.class,
            "because": r.because,
            "depends_on": edges.iter().find(|e| e.from == r.name).map(|e| e.to.clone()).unwrap_or_default(),
        })).collect::<Vec<_>>(),
    });
    writer.put(JSON, super::json_text(&json).as_bytes())?;
    let page = GraphPage {
        c: ctx.common_json(PAGE, "Dependencies".into(), false, JSON),
        svg,
        edges,
        rows,
    };
    writer.put(PAGE, render(PAGE, &page)?.as_bytes())
}

/// The site with the dependencies the newest snapshot's sources reported (`depends.<part>`
/// facts, from a mapped field such as an admin API's `dependencies[]`) added to the configured
/// ones; the config wins where both name a part.
pub(super) fn with_reported_dependencies(
    site: &crate::config::Site,
    newest: Option<&model::Snapshot>,
) -> crate::config::Site {
    let mut out = site.clone();
    for f in newest.map(|s| s.facts.as_slice()).unwrap_or_default() {
        // A further source's parts are `<source>/<part>`, its facts `source.<source>.…`.
        let (part, within) = match f.name.strip_prefix("depends.") {
            Some(p) => (p.to_owned(), String::new()),
            None => match f
                .name
                .strip_prefix("source.")
                .and_then(|r| r.split_once(".depends."))
            {
                Some((src, p)) => (format!("{src}/{p}"), format!("{src}/")),
                None => continue,
            },
        };
        let part = part.to_ascii_lowercase();
        let needs: Vec<String> = f
            .value
            .split(',')
            .map(|n| format!("{within}{}", n.trim()).to_ascii_lowercase())
            .filter(|n| n.len() > within.len() && *n != part)
            .collect();
        out.depends_on.entry(part).or_insert(needs);
    }
    out
}

/// The dependency graph of the newest snapshot's parts, and its data file.
pub(super) struct Graph;

impl super::kinds::PageKind for Graph {
    fn name(&self) -> &'static str {
        "graph"
    }

    fn paths(&self, _: &super::kinds::Inputs<'_>) -> Vec<String> {
        vec![PAGE.to_owned(), JSON.to_owned()]
    }

    fn render(&self, i: &super::kinds::Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let Some(now) = i.newest.filter(|_| i.latest.is_some()) else {
            return Ok(());
        };
        let all: Vec<&model::PartHealth> = now.components.iter().chain(&now.modules).collect();
        render_graph(
            i.ctx,
            w,
            &super::views::part_rows(&all, &i.ctx.site.depends_on),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::views::part_rows;
    use model::{PartHealth, Status};

    fn part(name: &str, status: Status) -> PartHealth {
        PartHealth {
            name: name.into(),
            status,
            word: String::new(),
            message: String::new(),
        }
    }

    #[test]
    fn graph_layers_edges_and_propagated_status() {
        let parts = [
            part("redis", Status::Down),
            part("database", Status::Healthy),
            part("Auth", Status::Healthy),
            part("Taxonomy", Status::Healthy),
        ];
        let refs: Vec<&PartHealth> = parts.iter().collect();
        let mut deps = BTreeMap::new();
        deps.insert(
            "auth".to_owned(),
            vec!["database".to_owned(), "redis".to_owned()],
        );
        deps.insert("redis".to_owned(), vec!["auth".to_owned()]);
        let rows = part_rows(&refs, &deps);
        let (svg, edges) = svg(&rows, &deps);
        assert!(
            svg.contains("auth depends on database, redis")
                || svg.contains("Auth depends on database, redis")
        );
        assert!(svg.contains("<title id=\"graph-t\">"));
        assert_eq!(edges.len(), 2, "the cycle is drawn, not followed forever");
        // Auth keeps the status it reports, marked as affected by redis, in words.
        let auth = rows
            .iter()
            .find(|r| r.name == "Auth")
            .map(|r| (r.status.label, r.because.as_str()));
        assert_eq!(auth, Some(("Healthy", "affected: redis is down")));
        assert!(svg.contains("affected: redis is down"), "the graph says so");
        assert_eq!(svg.matches("<rect").count(), 8, "two rectangles per node");
    }

    #[test]
    fn dependencies_a_source_reports_join_the_configured_ones() {
        let mut site = crate::render::tests::site(30);
        site.depends_on.clear();
        site.depends_on.insert("api".into(), vec!["cache".into()]);
        let fact = |name: &str, value: &str| model::Fact {
            name: name.into(),
            value: value.into(),
        };
        let mut now = crate::store::tests::assembled(0, Status::Healthy, 1.0).snapshot;
        now.facts = vec![
            fact("depends.api", "db"),
            fact("depends.Web", "api,Web,"),
            fact("source.admin.depends.gateway", "auth,users-db"),
            fact("other.fact", "x"),
        ];
        let merged = with_reported_dependencies(&site, Some(&now));
        let got: Vec<(&str, Vec<&str>)> = merged
            .depends_on
            .iter()
            .map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            [
                ("admin/gateway", vec!["admin/auth", "admin/users-db"]),
                // The config wins where both name a part.
                ("api", vec!["cache"]),
                // Lower-cased, itself and empty names left out.
                ("web", vec!["api"]),
            ]
        );
    }
}
