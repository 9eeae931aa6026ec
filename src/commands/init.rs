//! `opsdeck init`: creates a new database at `--db` (or the default path),
//! migrated and seeded with the starter indicators, roles and capacity. The
//! only command besides `demo` (and the cockpit on the default path) that
//! creates a database; it never touches an existing file.

use super::Context;
use crate::store::Store;
use anyhow::bail;

/// Creates the database and says where.
pub fn run(ctx: &Context) -> anyhow::Result<u8> {
    if ctx.db.symlink_metadata().is_ok() {
        bail!(
            "{}: exists already; opsdeck init only creates a new database (nothing was changed)",
            ctx.db.display()
        );
    }
    let store = Store::create_at(&ctx.db, &ctx.actor, ctx.now)?;
    println!(
        "created {} (schema {}, {} starter indicators)",
        crate::text::sanitize_path(&ctx.db),
        store.schema_version()?,
        store.indicators()?.len()
    );
    Ok(0)
}
