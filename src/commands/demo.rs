//! `opsdeck demo`: (re)creates the demo database.

use super::Context;
use crate::demo::populate;
use crate::store::Store;
use anyhow::{bail, Context as _};

/// Recreates the demo database and says where it is.
pub fn run(ctx: &Context) -> anyhow::Result<u8> {
    let counts = create(ctx)?;
    println!(
        "demo database ready: {} ({} work items, {} observations, {} feedback responses)",
        crate::text::sanitize_path(&ctx.db),
        counts.0,
        counts.1,
        counts.2
    );
    println!(
        "open it with: opsdeck --db {}   (or: opsdeck --demo)",
        crate::text::sanitize_path(&ctx.db)
    );
    Ok(0)
}

/// Creates the demo database at `ctx.db`, replacing an earlier demo
/// database there. Refuses to touch the user's own default database or any
/// file that is not a demo database.
pub fn create(ctx: &Context) -> anyhow::Result<(usize, usize, usize)> {
    if let Ok(own) = super::default_db() {
        if same_file(&own, &ctx.db) {
            bail!("{}: this is your own database; the demo is never written into it (use --db OTHER.db)", ctx.db.display());
        }
    }
    if ctx.db.exists() {
        let is_demo = Store::open(&ctx.db, &ctx.actor)
            .ok()
            .and_then(|s| s.meta("demo").ok().flatten())
            .is_some();
        let empty = std::fs::metadata(&ctx.db)
            .map(|m| m.len() == 0)
            .unwrap_or(false);
        if !is_demo && !empty {
            bail!(
                "{}: exists and is not a demo database; refusing to replace it",
                ctx.db.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{}", ctx.db.display(), suffix);
            if std::path::Path::new(&p).exists() {
                std::fs::remove_file(&p).with_context(|| format!("cannot replace {p}"))?;
            }
        }
    }
    let mut store = Store::open_at(&ctx.db, &ctx.actor, ctx.now)?;
    populate(&mut store, ctx.now)
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
