//! `opsdeck export [--format jsonl] [--output FILE]`: every table as JSON
//! Lines, enough to rebuild the database with `opsdeck restore`.

use super::Context;
use crate::cli::learning::ExportArgs;
use anyhow::Context as _;
use std::io::Write;

/// Writes the export to standard output or to a new private file.
pub fn run(ctx: &Context, args: &ExportArgs) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    match &args.output {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            store.export_jsonl(&mut out, ctx.now)?;
            out.flush()?;
        }
        Some(path) => {
            use std::os::unix::fs::OpenOptionsExt;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("{}: cannot create the export file", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let counts = store.export_jsonl(&mut out, ctx.now)?;
            out.flush()?;
            let rows: u64 = counts.values().sum();
            outln!(
                "exported {rows} rows from {} tables to {}",
                counts.len(),
                crate::text::sanitize_path(path)
            );
        }
    }
    Ok(0)
}
