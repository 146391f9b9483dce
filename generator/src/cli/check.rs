//! `lookout check`: the store's integrity and completeness, then every link of the built site.

use super::Context;
use crate::Error;
use crate::store::Store;

pub fn execute(ctx: &Context) -> Result<(), Error> {
    let store = Store::open(&ctx.paths.data_dir)?;
    let mut problems = store.check()?;
    if problems.is_empty() {
        println!(
            "{}: ok, {} snapshots",
            store.path().display(),
            store.count()?
        );
    }
    let out = &ctx.paths.out_dir;
    // Every page is checked, also those of a half-built site without an index.
    if out.is_dir() {
        if !out.join("index.html").is_file() {
            problems.push(format!("{}: no index.html", out.display()));
        }
        let broken = crate::render::broken_links(out);
        if broken.is_empty() {
            println!("{}: ok, every internal link resolves", out.display());
        }
        problems.extend(broken.into_iter().map(|b| format!("broken link: {b}")));
    }
    if problems.is_empty() {
        return Ok(());
    }
    for p in &problems {
        println!("{p}");
    }
    Err(Error::Check(format!("{} problems found", problems.len())))
}
