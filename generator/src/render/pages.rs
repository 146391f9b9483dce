//! Permanent history pages: one per snapshot (with its comparison), one per day, and the oldest-first history list.

use std::path::{Path, PathBuf};

use super::kinds::{Inputs, PageKind};
use super::views::{self, DayRow, PageLink, SnapRow};
use super::write::Writer;
use super::{BuildError, Ctx, calendar, charts, paths, rel, render};
use crate::store::{DaySummary, KeyValues, SnapshotMeta, Store, StoreError};

/// Every snapshot page, split over the machine's cores; each worker reads with its own connection.
pub(super) fn render_all_snapshots(
    db: &Path,
    ctx: &Ctx<'_>,
    writer: &Writer,
    all: &[SnapshotMeta],
    progress: bool,
    keep: &(dyn Fn(&SnapshotMeta) -> bool + Sync),
) -> Result<(), BuildError> {
    // Only long builds get a bar; indicatif hides it by itself when stderr is not a terminal.
    let bar = if progress && all.len() >= 1000 {
        let b = indicatif::ProgressBar::new(all.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
        {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message("snapshot pages");
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let chunk = all.len().div_ceil(threads).max(1);
    let names: Vec<&str> = crate::analysis::key_metrics(&ctx.profile).collect();
    let known = &Store::open_read_only(db)?.key_values(&names)?;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..all.len())
            .step_by(chunk)
            .map(|start| {
                let bar = bar.clone();
                scope.spawn(move || -> Result<(), BuildError> {
                    let store = Store::open_read_only(db)?;
                    for i in start..(start + chunk).min(all.len()) {
                        let m = &all[i];
                        if keep(m) {
                            bar.inc(1);
                            continue;
                        }
                        let doc = store.doc(m.id)?;
                        let prev = i.checked_sub(1).map(|j| &all[j]);
                        let near = (prev, all.get(i + 1));
                        render_snapshot(&store, ctx, writer, m, &doc, near, Some(known))?;
                        bar.inc(1);
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| BuildError::Worker)??;
        }
        bar.finish_and_clear();
        Ok(())
    })
}

/// `{"id":..,"slug":..,"page":..,"snapshot":{..}}` around the stored document, without re-encoding it.
pub(super) fn snapshot_json_text(m: &SnapshotMeta, doc: &str) -> String {
    let q = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    format!(
        "{{\"id\":{},\"slug\":{},\"page\":{},\"snapshot\":{doc}}}\n",
        m.id,
        q(&m.slug),
        q(&paths::snapshot_page(&m.slug))
    )
}

pub(super) fn render_snapshot(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    m: &SnapshotMeta,
    doc: &str,
    (prev, next): (Option<&SnapshotMeta>, Option<&SnapshotMeta>),
    known: Option<&KeyValues>,
) -> Result<(), BuildError> {
    let path = paths::snapshot_page(&m.slug);
    let s: model::Snapshot = serde_json::from_str(doc).map_err(|source| StoreError::Doc {
        path: PathBuf::new(),
        id: m.id,
        source,
    })?;
    let (taken, taken_iso) = views::taken(m.taken_at_ms, &ctx.site.zone);
    let day = model::time::day_of(m.taken_at_ms);
    let page = views::SnapshotPage {
        c: ctx.common_json(
            &path,
            format!("Snapshot {taken}"),
            false,
            &paths::snapshot_json(&m.slug),
        ),
        overall: s.overall.into(),
        reasons: &s.reasons,
        taken,
        taken_iso,
        duration: format!("{:.0}", s.duration_ms),
        ok_count: s.outcomes.len() - s.failed_outcomes(),
        total_count: s.outcomes.len(),
        parts: {
            let all: Vec<&model::PartHealth> = s.components.iter().chain(&s.modules).collect();
            views::part_rows(&all, &ctx.site.depends_on)
        },
        outcomes: s.outcomes.iter().map(Into::into).collect(),
        metrics: s.metrics.iter().map(Into::into).collect(),
        facts: s
            .facts
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect(),
        prev_href: prev.map(|p| rel(&path, &ctx.snapshot_link(&p.slug))),
        next_href: next.map(|n| rel(&path, &ctx.snapshot_link(&n.slug))),
        day_href: rel(&path, &paths::day_page(&day)),
        day,
        json_href: rel(&path, &paths::snapshot_json(&m.slug)),
        compare: compare(store, &s, (&ctx.profile, known), &ctx.site.zone)?,
    };
    writer.put(&path, render(&path, &page)?.as_bytes())?;
    writer
        .snapshots
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    writer.put(
        &paths::snapshot_json(&m.slug),
        snapshot_json_text(m, doc).as_bytes(),
    )
}

/// An earlier snapshot in a comparison: its id when the key metrics of every snapshot were read
/// at once, else the snapshot itself.
enum Earlier {
    Id(i64),
    Snapshot(Box<model::Snapshot>),
}

impl Earlier {
    /// The `k`-th key metric (`name`) in it.
    fn value(&self, known: Option<&KeyValues>, k: usize, name: &str) -> Option<(f64, model::Unit)> {
        match self {
            Earlier::Id(id) => known?.get(*id, k),
            Earlier::Snapshot(s) => s.metric(name).map(|m| (m.value, m.unit)),
        }
    }
}

/// Key metrics of a snapshot beside the newest snapshot within an hour before the same time a
/// day and a week earlier. Only values are shown, never links: those pages may be pruned later.
fn compare(
    store: &Store,
    s: &model::Snapshot,
    (profile, known): (&crate::collect::sources::Profile, Option<&KeyValues>),
    zone: &crate::zone::Zone,
) -> Result<views::Compare, BuildError> {
    const HOUR: i64 = 3_600_000;
    let mut cols = Vec::new();
    let mut others = Vec::new();
    for (label, back) in [
        ("a day before", 86_400_000),
        ("a week before", 7 * 86_400_000),
    ] {
        let t = s.taken_at_ms - back;
        if let Some(m) = store.newest_between(t - HOUR, t)? {
            cols.push(format!("{label} ({})", zone.human(m.taken_at_ms)));
            // A full build read the key metrics of every snapshot at once; parsing two more
            // documents a page was a fifth of its work.
            others.push(match known {
                Some(_) => Earlier::Id(m.id),
                None => Earlier::Snapshot(Box::new(store.load(m)?.snapshot)),
            });
        }
    }
    let rows = crate::analysis::key_metrics(profile)
        .enumerate()
        .filter_map(|(k, name)| {
            let now = s.metric(name)?;
            let cells = others
                .iter()
                .map(|o| match o.value(known, k, name) {
                    Some((value, unit)) => {
                        let change = if value != 0.0 {
                            format!(" ({:+.1}%)", (now.value - value) / value.abs() * 100.0)
                        } else {
                            String::new()
                        };
                        format!("{}{change}", charts::with_unit(value, unit))
                    }
                    None => "—".to_owned(),
                })
                .collect();
            Some(views::CompareRow {
                name: name.to_owned(),
                now: charts::with_unit(now.value, now.unit),
                cells,
            })
        })
        .collect();
    Ok(views::Compare { cols, rows })
}

pub(super) fn render_day(
    store: &Store,
    ctx: &Ctx<'_>,
    writer: &Writer,
    d: &DaySummary,
    prev: Option<&DaySummary>,
    next: Option<&DaySummary>,
) -> Result<(), BuildError> {
    let path = paths::day_page(&d.day);
    let mut metas = store.day_metas(&d.day)?;
    metas.reverse();
    let page = views::DayPage {
        c: ctx.common_json(&path, d.day.clone(), false, &paths::day_json(&d.day)),
        day: &d.day,
        worst: d.worst.into(),
        rows: metas
            .iter()
            .map(|m| {
                SnapRow::new(
                    m,
                    // A snapshot without a page of its own is this row.
                    if ctx.paged(&m.slug) {
                        rel(&path, &paths::snapshot_page(&m.slug))
                    } else {
                        format!("#s-{}", m.slug.rsplit('/').next().unwrap_or_default())
                    },
                    false,
                    &ctx.site.zone,
                )
            })
            .collect(),
        prev_href: prev.map(|p| rel(&path, &paths::day_page(&p.day))),
        next_href: next.map(|n| rel(&path, &paths::day_page(&n.day))),
    };
    writer.put(&path, render(&path, &page)?.as_bytes())?;
    let json = serde_json::json!({
        "day": d.day,
        "worst": d.worst.as_str(),
        "count": d.count,
        "snapshots": metas.iter().rev().map(|m| serde_json::json!({
            "id": m.id,
            "taken_at_ms": m.taken_at_ms,
            "overall": m.overall.as_str(),
            "failed": m.failed,
            "page": ctx.snapshot_link(&m.slug),
            "data": ctx.paged(&m.slug).then(|| paths::snapshot_json(&m.slug)),
        })).collect::<Vec<_>>(),
    });
    writer.put(&paths::day_json(&d.day), super::json_text(&json).as_bytes())
}

pub(super) fn render_history(
    ctx: &Ctx<'_>,
    writer: &Writer,
    days: &[DaySummary],
    n: usize,
    page_count: usize,
    per_page: usize,
    total: u64,
) -> Result<(), BuildError> {
    let start = (n - 1) * per_page;
    let slice = days
        .get(start..(start + per_page).min(days.len()))
        .unwrap_or(&[]);
    let make = |path: &str| {
        let pages = (1..=page_count)
            .rev()
            .map(|k| {
                let first = days.get((k - 1) * per_page).map_or("", |d| d.day.as_str());
                let last = days
                    .get((k * per_page).min(days.len()).saturating_sub(1))
                    .map_or("", |d| d.day.as_str());
                PageLink {
                    href: rel(path, &paths::history_page(k)),
                    label: if first == last {
                        first.to_owned()
                    } else {
                        format!("{first} – {last}")
                    },
                    current: k == n,
                }
            })
            .collect();
        views::HistoryPage {
            c: ctx.common_json(path, "History".into(), false, paths::HISTORY_JSON),
            calendar: if path == paths::HISTORY_INDEX {
                calendar::months(days, |d| rel(path, &paths::day_page(d)))
            } else {
                Vec::new()
            },
            rows: slice
                .iter()
                .rev()
                .map(|d| DayRow::new(d, rel(path, &paths::day_page(&d.day)), &ctx.site.zone))
                .collect(),
            pages,
            total_snapshots: total,
            total_days: days.len(),
            as_of: ctx.site.zone.human(ctx.now_ms),
        }
    };
    let path = paths::history_page(n);
    writer.put(&path, render(&path, &make(&path))?.as_bytes())?;
    if n == page_count {
        writer.put(
            paths::HISTORY_INDEX,
            render(paths::HISTORY_INDEX, &make(paths::HISTORY_INDEX))?.as_bytes(),
        )?;
        let json = serde_json::json!({
            "total_snapshots": total,
            "days": days.iter().map(|d| serde_json::json!({
                "day": d.day,
                "worst": d.worst.as_str(),
                "count": d.count,
                "first_ms": d.first_ms,
                "last_ms": d.last_ms,
                "page": paths::day_page(&d.day),
                "data": paths::day_json(&d.day),
            })).collect::<Vec<_>>(),
        });
        writer.put(paths::HISTORY_JSON, super::json_text(&json).as_bytes())?;
    }
    Ok(())
}

/// One permanent page (and data file) per snapshot.
pub(super) struct Snapshots;

impl PageKind for Snapshots {
    fn name(&self) -> &'static str {
        "snapshots"
    }

    fn paths(&self, i: &Inputs<'_>) -> Vec<String> {
        i.plan
            .snapshots
            .iter()
            .filter(|m| i.ctx.paged(&m.slug))
            .flat_map(|m| [paths::snapshot_page(&m.slug), paths::snapshot_json(&m.slug)])
            .collect()
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        if i.plan.full {
            let all = i.store.all_metas()?;
            let touched: std::collections::HashSet<i64> =
                i.plan.snapshots.iter().map(|m| m.id).collect();
            // Kept: built by the last build with this binary and config, on disk, and not
            // changed by a snapshot stored since.
            // Skipped too: the older ones that live on their day's page (`site.snapshot_pages`).
            // Only the shared inputs go to the threads (the store serves one thread).
            let (ctx, plan) = (i.ctx, i.plan);
            let keep = |m: &SnapshotMeta| {
                !ctx.paged(&m.slug)
                    || plan.keep_built
                        && !touched.contains(&m.id)
                        && w.keep(&[paths::snapshot_page(&m.slug), paths::snapshot_json(&m.slug)])
            };
            return render_all_snapshots(i.store.path(), i.ctx, w, &all, i.progress, &keep);
        }
        for m in i.plan.snapshots.iter().filter(|m| i.ctx.paged(&m.slug)) {
            let (p, n) = i.store.neighbours(m)?;
            let doc = i.store.doc(m.id)?;
            render_snapshot(i.store, i.ctx, w, m, &doc, (p.as_ref(), n.as_ref()), None)?;
        }
        Ok(())
    }
}

/// One page (and data file) per day.
pub(super) struct Days;

impl PageKind for Days {
    fn name(&self) -> &'static str {
        "days"
    }

    fn paths(&self, i: &Inputs<'_>) -> Vec<String> {
        i.plan
            .days
            .iter()
            .flat_map(|d| [paths::day_page(d), paths::day_json(d)])
            .collect()
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        for (k, d) in i.days.iter().enumerate() {
            if i.plan.days.contains(&d.day) {
                let prev = k.checked_sub(1).and_then(|j| i.days.get(j));
                render_day(i.store, i.ctx, w, d, prev, i.days.get(k + 1))?;
            }
        }
        Ok(())
    }
}

/// The history list: its pages of days, the newest as `history/index.html`, and its data file.
pub(super) struct History;

impl PageKind for History {
    fn name(&self) -> &'static str {
        "history"
    }

    fn paths(&self, i: &Inputs<'_>) -> Vec<String> {
        let mut out: Vec<String> = i
            .plan
            .history_pages
            .iter()
            .map(|n| paths::history_page(*n))
            .collect();
        out.extend([
            paths::HISTORY_INDEX.to_owned(),
            paths::HISTORY_JSON.to_owned(),
        ]);
        out
    }

    fn render(&self, i: &Inputs<'_>, w: &Writer) -> Result<(), BuildError> {
        let p = i.plan;
        for n in &p.history_pages {
            render_history(i.ctx, w, i.days, *n, p.page_count, p.per_page, i.total)?;
        }
        Ok(())
    }
}
