//! `opsdeck import FILE|- [--kind ...] [--format csv|jsonl] [--skip-bad]`
//!
//! All-or-nothing by default: the file is read and validated in one
//! transaction; any bad row rolls it back, every bad row is reported as
//! `FILE:LINE: field: reason` and the exit status is 2.

use super::Context;
use crate::cli::{FileFormat, ImportKindArg};
use crate::ingest::{Format, ImportKind, ImportReader, Row};
use crate::store::{audit, feedback, indicators, work_items};
use std::collections::HashMap;
use std::io::{Read, Write};

/// Counts of one import.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportCounts {
    /// Rows read and valid.
    pub valid: u64,
    /// Rows that inserted or changed something.
    pub written: u64,
    /// Bad rows.
    pub bad: u64,
}

/// Runs the import and prints a summary; returns 2 when anything was bad
/// and nothing (or, with `--skip-bad`, only the good rows) was written.
pub fn run(
    ctx: &Context,
    file: &str,
    kind: Option<ImportKindArg>,
    format: Option<FileFormat>,
    skip_bad: bool,
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
    let (counts, kind) = import_stream(
        &mut store, ctx.now, &label, input, format, kind, &map, skip_bad,
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
        "imported {} {} row{} from {} ({} new or changed, {} unchanged{})",
        counts.valid,
        kind.map(|k| k.as_str()).unwrap_or("?"),
        if counts.valid == 1 { "" } else { "s" },
        crate::text::sanitize(&label),
        counts.written,
        counts.valid - counts.written,
        if counts.bad > 0 {
            format!(", {} bad row(s) skipped", counts.bad)
        } else {
            String::new()
        }
    );
    Ok(if counts.bad > 0 { 2 } else { 0 })
}

/// Streams `input` into the store in one transaction, printing each bad row
/// to stderr. Commits when there were no bad rows, or with `skip_bad`.
#[allow(clippy::too_many_arguments)]
pub fn import_stream(
    store: &mut crate::store::Store,
    now: i64,
    label: &str,
    input: Box<dyn Read>,
    format: Format,
    kind: Option<ImportKind>,
    indicators_by_key: &HashMap<String, i64>,
    skip_bad: bool,
) -> anyhow::Result<(ImportCounts, Option<ImportKind>)> {
    let (mut reader, kind) = match ImportReader::new(label, input, format, kind, indicators_by_key)
    {
        Ok(r) => r,
        Err(e) => {
            errln!("{e}");
            return Ok((
                ImportCounts {
                    bad: 1,
                    ..Default::default()
                },
                None,
            ));
        }
    };
    let stderr = std::io::stderr();
    let counts = store.write_or_rollback(|tx| -> anyhow::Result<(ImportCounts, bool)> {
        let mut err = stderr.lock();
        let mut c = ImportCounts::default();
        // One statement prepared for the whole file; observations are
        // written BULK_ROWS at a time.
        let mut stmt = match kind {
            ImportKind::Observations => {
                tx.prepare(&indicators::sql_insert_observations(indicators::BULK_ROWS))?
            }
            ImportKind::WorkItems => tx.prepare(work_items::SQL_UPSERT_WORK_ITEM)?,
            ImportKind::Feedback => tx.prepare(feedback::SQL_INSERT_FEEDBACK)?,
        };
        let mut batch = Vec::with_capacity(indicators::BULK_ROWS);
        while let Some(row) = reader.next_row() {
            match row {
                Err(e) => {
                    c.bad += 1;
                    let _ = writeln!(err, "{e}");
                }
                Ok(row) => {
                    c.valid += 1;
                    if c.bad > 0 && !skip_bad {
                        continue; // validate the rest, write nothing
                    }
                    let changed = match row {
                        Row::Observation { indicator_id, at, value, note } => {
                            batch.push(indicators::NewObservation { indicator_id, at, value, note });
                            if batch.len() == indicators::BULK_ROWS {
                                let origin = indicators::Origin::Import;
                                c.written += indicators::insert_observations_with(&mut stmt, &batch, origin)? as u64;
                                batch.clear();
                            }
                            false
                        }
                        Row::WorkItem(w) => work_items::upsert_work_item_with(&mut stmt, &w)?,
                        Row::Feedback(f) => feedback::insert_feedback_with(&mut stmt, &f)?,
                    };
                    if changed {
                        c.written += 1;
                    }
                }
            }
        }
        drop(stmt);
        let commit = c.bad == 0 || skip_bad;
        if commit && !batch.is_empty() {
            let mut rest = tx.prepare(&indicators::sql_insert_observations(batch.len()))?;
            c.written += indicators::insert_observations_with(&mut rest, &batch, indicators::Origin::Import)? as u64;
        }
        if commit {
            audit::record(
                tx,
                now,
                "import",
                kind.as_str(),
                None,
                &serde_json::json!({"file": label, "rows": c.valid, "written": c.written, "skipped": c.bad}),
            )?;
        }
        Ok((c, commit))
    })?;
    Ok((counts, Some(kind)))
}
