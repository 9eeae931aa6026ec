//! `opsdeck import FILE|- [--kind ...] [--format csv|jsonl] [--skip-bad]`
//!
//! All-or-nothing by default: the whole file is read and validated first,
//! holding no lock (a stalled pipe blocks no other writer), then written in
//! one short transaction; any bad row means nothing is written, the first
//! [`SHOWN_ERRORS`] bad rows are reported as `FILE:LINE: field: reason` with a
//! count of the rest, and the exit status is 2. With `--skip-bad` the good
//! rows are written in transactions of [`CHUNK_ROWS`] rows.

use super::Context;
use crate::cli::{FileFormat, ImportKindArg};
use crate::ingest::pipeline::{import_stream, Source};
use crate::ingest::{Format, ImportKind};
use crate::store::indicators;
use std::collections::HashMap;
use std::io::{Read, Write};

/// Runs the import and prints a summary; returns 2 when anything was bad
/// and nothing (or, with `--skip-bad`, only the good rows) was written.
pub fn run(
    ctx: &Context,
    file: &str,
    kind: Option<ImportKindArg>,
    format: Option<FileFormat>,
    skip_bad: bool,
    force: bool,
) -> anyhow::Result<u8> {
    let label = if file == "-" {
        "stdin".to_string()
    } else {
        file.to_string()
    };
    let input: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f =
            std::fs::File::open(file).map_err(|e| anyhow::anyhow!("{file}: cannot open: {e}"))?;
        Box::new(f)
    };
    let format = match format {
        Some(FileFormat::Csv) => Format::Csv,
        Some(FileFormat::Jsonl) => Format::Jsonl,
        None => Format::from_path(file),
    };
    let kind = kind.map(|k| match k {
        ImportKindArg::Observations => ImportKind::Observations,
        ImportKindArg::WorkItems => ImportKind::WorkItems,
        ImportKindArg::Feedback => ImportKind::Feedback,
    });
    let mut store = ctx.open()?;
    let map: HashMap<String, i64> = store
        .indicators()?
        .into_iter()
        .map(|i| (i.def.key, i.id))
        .collect();
    let identity = if file == "-" {
        "stdin".to_string()
    } else {
        std::fs::canonicalize(file)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| file.to_string())
    };
    let origin = indicators::file_origin(&identity);
    let source = Source {
        label: &label,
        origin: &origin,
        format,
        kind,
        force,
        fields: None,
    };
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let mut report = |line: &str| {
        let _ = writeln!(err, "{line}");
    };
    let (counts, kind) = import_stream(
        &mut store,
        ctx.now,
        source,
        input,
        &map,
        skip_bad,
        &mut report,
    )?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if kind.is_none() {
        // The file itself was refused (header, kind): no rows were read.
        errln!(
            "opsdeck: {}: nothing was imported",
            crate::text::sanitize(&label)
        );
        return Ok(2);
    }
    if counts.bad > 0 && !skip_bad {
        errln!(
            "opsdeck: {}: {} bad row{}; nothing was imported (fix them, or use --skip-bad to import the {} good row{})",
            crate::text::sanitize(&label),
            counts.bad,
            if counts.bad == 1 { "" } else { "s" },
            counts.valid,
            if counts.valid == 1 { "" } else { "s" }
        );
        return Ok(2);
    }
    let _ = writeln!(
        out,
        "imported {} {} row{} from {} ({} new or changed, {} unchanged{}{})",
        counts.valid,
        kind.map(|k| k.as_str()).unwrap_or("?"),
        if counts.valid == 1 { "" } else { "s" },
        crate::text::sanitize(&label),
        counts.written,
        counts.valid - counts.written,
        if counts.changed > 0 {
            format!(
                "; {} of them replaced a value this file's earlier import wrote",
                counts.changed
            )
        } else {
            String::new()
        },
        if counts.bad > 0 {
            format!(", {} bad row(s) skipped", counts.bad)
        } else {
            String::new()
        }
    );
    Ok(if counts.bad > 0 { 2 } else { 0 })
}
