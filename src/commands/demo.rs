//! `opsdeck demo`: (re)creates the demo database.

use super::Context;
use crate::demo::populate;
use crate::store::Store;
use anyhow::{bail, Context as _};

/// Recreates the demo database and says where it is.
pub fn run(ctx: &Context) -> anyhow::Result<u8> {
    let counts = create(ctx)?;
    outln!(
        "demo database ready: {} ({} work items, {} observations, {} feedback responses)",
        crate::text::sanitize_path(&ctx.db),
        counts.0,
        counts.1,
        counts.2
    );
    outln!(
        "open it with: opsdeck --db {}   (or: opsdeck --demo)",
        crate::text::sanitize_path(&ctx.db)
    );
    Ok(0)
}

/// Creates the demo database at `ctx.db`, replacing an earlier demo
/// database there. Refuses to touch the user's own default database or any
/// file that is not a demo database.
pub fn create(ctx: &Context) -> anyhow::Result<(usize, usize, usize)> {
    if crate::store::pg::is_url(&ctx.db) {
        // A server database gets the demo only while it is empty: never
        // into a team's operation, and never twice (drop and create the
        // database to start over).
        crate::store::pg::check_empty(&ctx.db.to_string_lossy())?;
        let mut store = Store::open_at(&ctx.db, &ctx.actor, ctx.now)?;
        return populate(&mut store, ctx.now);
    }
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
        if !empty {
            return recreate_in_place(ctx);
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

/// Recreates an existing demo database without replacing its file: the
/// new demo is generated into a temporary file beside it, then copied over
/// the live file in one transaction ([`Store::replace_contents_with`]). A
/// cockpit that has the demo open sees a commit like any other and reloads;
/// had the file been deleted and created again, it would go on reading the
/// old, unlinked one.
fn recreate_in_place(ctx: &Context) -> anyhow::Result<(usize, usize, usize)> {
    let tmp = crate::store::backup::temp_path(&ctx.db, "demo");
    crate::store::backup::remove_with_journals(&tmp);
    let result = (|| -> anyhow::Result<(usize, usize, usize)> {
        let mut fresh = Store::create_at(&tmp, &ctx.actor, ctx.now)?;
        let counts = populate(&mut fresh, ctx.now)?;
        let mut live = Store::open_at(&ctx.db, &ctx.actor, ctx.now)?;
        live.replace_contents_with(&fresh)
            .with_context(|| format!("cannot recreate {}", ctx.db.display()))?;
        Ok(counts)
    })();
    crate::store::backup::remove_with_journals(&tmp);
    result
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
