//! `opsdeck restore FILE|-`: rebuilds a new database (`--db`) from an export.

use super::Context;
use anyhow::{bail, Context as _};
use std::io::BufRead;

/// Restores the export into the new database at `ctx.db`, all or nothing.
pub fn run(ctx: &Context, file: &str) -> anyhow::Result<u8> {
    let in_use = std::fs::metadata(&ctx.db)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    if in_use {
        bail!(
            "{}: exists already; restore only writes into a new database (pass --db NEW.db)",
            ctx.db.display()
        );
    }
    let mut input: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file).with_context(|| format!("{file}: cannot open"))?;
        Box::new(std::io::BufReader::new(f))
    };
    let label = if file == "-" { "stdin" } else { file };
    let mut store = ctx.open()?;
    let result = store.restore_jsonl(&mut input, label, ctx.now);
    let counts = match result {
        Ok(c) => c,
        Err(e) => {
            drop(store);
            // Leave no half-made database behind: it was new, and empty.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", ctx.db.display()));
            }
            return Err(e);
        }
    };
    let rows: u64 = counts.values().sum();
    outln!(
        "restored {rows} rows into {} tables of {}",
        counts.len(),
        crate::text::sanitize_path(&ctx.db)
    );
    Ok(0)
}
