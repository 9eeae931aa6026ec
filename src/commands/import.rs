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
    /// Of `written`, rows that replaced what an earlier import of the same
    /// origin wrote.
    pub changed: u64,
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
    let identity = if file == "-" {
        "stdin".to_string()
    } else {
        std::fs::canonicalize(file)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| file.to_string())
    };
    let source = Source {
        label: &label,
        identity: &identity,
        format,
        kind,
    };
    let (counts, kind) = import_stream(&mut store, ctx.now, source, input, &map, skip_bad)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if kind.is_none() {
        // The file itself was refused (header, kind): no rows were read.
        eprintln!(
            "opsdeck: {}: nothing was imported",
            crate::text::sanitize(&label)
        );
        return Ok(2);
    }
    if counts.bad > 0 && !skip_bad {
        eprintln!(
            "opsdeck: {}: {} bad row{}; nothing was imported (fix them, or use --skip-bad to import the {} good row{})",
            crate::text::sanitize(&label),
            counts.bad,
            if counts.bad == 1 { "" } else { "s" },
            counts.valid,
            if counts.valid == 1 { "" } else { "s" }
        );
        return Ok(2);
    }
    writeln!(
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
    )?;
    Ok(if counts.bad > 0 { 2 } else { 0 })
}

/// Bad rows printed in full; the rest are counted.
pub const SHOWN_ERRORS: u64 = 20;

/// Rows per write transaction with `--skip-bad`.
pub const CHUNK_ROWS: usize = 5_000;

/// What is imported: the name shown in messages, the identity that makes a
/// re-import of the same file idempotent (its canonical path, or `stdin`),
/// and the format and kind when known.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub label: &'a str,
    pub identity: &'a str,
    pub format: Format,
    pub kind: Option<ImportKind>,
}

/// A validated row ready to be written.
enum Ready {
    Observation(indicators::NewObservation),
    WorkItem(crate::domain::flow::WorkItem),
    Feedback(feedback::FeedbackRow),
}

/// Reads and validates all of `input` (no lock held), printing bad rows to
/// stderr, then writes the good rows: in one transaction when there were no
/// bad rows, in chunks of [`CHUNK_ROWS`] with `skip_bad`, not at all
/// otherwise.
pub fn import_stream(
    store: &mut crate::store::Store,
    now: i64,
    source: Source<'_>,
    input: Box<dyn Read>,
    indicators_by_key: &HashMap<String, i64>,
    skip_bad: bool,
) -> anyhow::Result<(ImportCounts, Option<ImportKind>)> {
    let label = source.label;
    let (mut reader, kind) =
        match ImportReader::new(label, input, source.format, source.kind, indicators_by_key) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
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
    let mut err = stderr.lock();
    let mut c = ImportCounts::default();
    let mut ready: Vec<Ready> = Vec::new();
    let origin = indicators::file_origin(source.identity);
    let mut occurrences: HashMap<(i64, i64), u32> = HashMap::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut bad = |c: &mut ImportCounts, e: &dyn std::fmt::Display| {
        c.bad += 1;
        if c.bad <= SHOWN_ERRORS {
            let _ = writeln!(err, "{e}");
        }
    };
    while let Some(row) = reader.next_row() {
        let row = match row {
            Err(e) => {
                bad(&mut c, &e);
                continue;
            }
            Ok(row) => row,
        };
        let line = reader.line();
        let row = match row {
            Row::Observation {
                indicator_id,
                at,
                value,
                note,
                id,
            } => {
                let (origin, key) = match id {
                    Some(id) => {
                        if let Some(first) = ids.insert(id.clone(), line) {
                            let e = crate::ingest::RowError {
                                file: label.to_string(),
                                line,
                                field: "id".into(),
                                reason: format!("the same id as line {first}"),
                            };
                            bad(&mut c, &e);
                            continue;
                        }
                        (indicators::ID_ORIGIN.to_string(), id)
                    }
                    None => {
                        let n = occurrences.entry((indicator_id, at)).or_default();
                        let key = indicators::file_key(indicator_id, at, *n);
                        *n += 1;
                        (origin.clone(), key)
                    }
                };
                Ready::Observation(indicators::NewObservation {
                    indicator_id,
                    at,
                    value,
                    note,
                    origin,
                    key,
                })
            }
            Row::WorkItem(w) => Ready::WorkItem(w),
            Row::Feedback(f) => Ready::Feedback(f),
        };
        c.valid += 1;
        if c.bad == 0 || skip_bad {
            ready.push(row);
        }
    }
    if c.bad > SHOWN_ERRORS {
        let _ = writeln!(
            err,
            "opsdeck: {}: {} more bad rows not shown (the first {SHOWN_ERRORS} are above)",
            crate::text::sanitize(label),
            c.bad - SHOWN_ERRORS
        );
    }
    drop(err);
    if c.bad > 0 && !skip_bad {
        return Ok((c, Some(kind)));
    }
    let chunk = if skip_bad { CHUNK_ROWS } else { usize::MAX };
    let mut rest: &[Ready] = &ready;
    loop {
        let (part, tail) = rest.split_at(rest.len().min(chunk));
        rest = tail;
        let last = rest.is_empty();
        let (valid, bad, before) = (c.valid, c.bad, c.written);
        let (written, changed) = store.write(|tx| -> anyhow::Result<(u64, u64)> {
            let (written, changed) = write_rows(tx, kind, part)?;
            if last {
                audit::record(
                    tx,
                    now,
                    "import",
                    kind.as_str(),
                    None,
                    &serde_json::json!({"file": label, "rows": valid, "written": before + written, "skipped": bad}),
                )?;
            }
            Ok((written, changed))
        })?;
        c.written += written;
        c.changed += changed;
        if last {
            break;
        }
    }
    Ok((c, Some(kind)))
}

/// Writes validated rows in the caller's transaction; returns how many were
/// new or changed, and how many of those changed a known row.
fn write_rows(
    tx: &crate::store::Tx<'_>,
    kind: ImportKind,
    rows: &[Ready],
) -> crate::store::Result<(u64, u64)> {
    let (mut written, mut changed) = (0u64, 0u64);
    match kind {
        ImportKind::Observations => {
            let obs: Vec<&indicators::NewObservation> = rows
                .iter()
                .filter_map(|r| match r {
                    Ready::Observation(o) => Some(o),
                    _ => None,
                })
                .collect();
            let before = indicators::max_observation_id(tx)?;
            let mut stmt =
                tx.prepare(&indicators::sql_upsert_observations(indicators::BULK_ROWS))?;
            for batch in obs.chunks(indicators::BULK_ROWS) {
                let batch: Vec<indicators::NewObservation> =
                    batch.iter().map(|o| (*o).clone()).collect();
                let done = if batch.len() == indicators::BULK_ROWS {
                    indicators::upsert_observations_with(&mut stmt, &batch, before)?
                } else {
                    let mut last = tx.prepare(&indicators::sql_upsert_observations(batch.len()))?;
                    indicators::upsert_observations_with(&mut last, &batch, before)?
                };
                written += done.new + done.changed;
                changed += done.changed;
            }
        }
        ImportKind::WorkItems => {
            let mut stmt = tx.prepare(work_items::SQL_UPSERT_WORK_ITEM)?;
            for r in rows {
                if let Ready::WorkItem(w) = r {
                    written += u64::from(work_items::upsert_work_item_with(&mut stmt, w)?);
                }
            }
        }
        ImportKind::Feedback => {
            let mut stmt = tx.prepare(feedback::SQL_INSERT_FEEDBACK)?;
            for r in rows {
                if let Ready::Feedback(f) = r {
                    written += u64::from(feedback::insert_feedback_with(&mut stmt, f)?);
                }
            }
        }
    }
    Ok((written, changed))
}
