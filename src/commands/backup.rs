//! `opsdeck backup PATH`: a consistent copy of the live database.

use super::Context;
use std::path::Path;

/// Backs the database up to a new file and says what was written.
pub fn run(ctx: &Context, path: &Path) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let report = store.backup_to(path)?;
    outln!(
        "backed up {} to {} ({} pages, {} bytes, integrity ok)",
        crate::text::sanitize_path(&ctx.db),
        crate::text::sanitize_path(path),
        report.pages,
        report.bytes
    );
    Ok(0)
}
