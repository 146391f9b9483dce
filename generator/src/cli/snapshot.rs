//! `lookout snapshot`: one snapshot of every endpoint, stored, and what failed in it.

use super::Context;
use crate::Error;
use crate::store::Store;

pub fn execute(ctx: &Context) -> Result<(), Error> {
    let mut store = Store::open(&ctx.paths.data_dir)?;
    let token = ctx.token();
    let (meta, snap) = crate::app::snapshot(&ctx.config, &mut store, token.as_ref(), ctx.clock)?;
    println!(
        "snapshot {} stored: {} ({} of {} readings failed)",
        meta.slug,
        meta.overall,
        meta.failed,
        snap.outcomes.len()
    );
    // Details are the backend's words, cleaned of control characters when read
    // (`collect::guard`): they cannot drive the terminal.
    for o in snap.outcomes.iter().filter(|o| !o.kind.is_ok()) {
        println!(
            "  {:<24} {:<24} {}",
            o.endpoint,
            o.kind.label(),
            o.detail.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
