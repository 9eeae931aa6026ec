//! The one import pipeline: read and validate a whole input with no lock
//! held, then write the good rows in short transactions. `opsdeck import`,
//! the scheduled sources and the benchmark dataset all call
//! [`import_stream`].

use super::{Format, ImportKind, ImportReader, Row, RowError};
use crate::domain::anomaly::judge;
use crate::domain::plausible::check_value;
use crate::store::imports::{write_import_rows, ImportRow};
use crate::store::{audit, indicators, review, Store, StoreError};
use std::collections::HashMap;
use std::io::Read;

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

/// Bad rows printed in full; the rest are counted.
pub(crate) const SHOWN_ERRORS: u64 = 20;

/// Recent values of an indicator a new value is judged against.
pub(crate) use crate::domain::anomaly::RECENT_VALUES;

/// Rows per write transaction with `--skip-bad`.
pub(crate) const CHUNK_ROWS: usize = 5_000;

/// What is imported: the name shown in messages, the origin that makes a
/// re-import of the same file (or a source's next run) idempotent, and the
/// format and kind when known.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The name in messages (`orders.csv`, `stdin`, `source shop-orders`).
    pub label: &'a str,
    /// The origin the rows are written under
    /// ([`indicators::file_origin`] of a file's canonical path, or
    /// [`indicators::source_origin`] of a source's name).
    pub origin: &'a str,
    /// CSV or JSON Lines.
    pub format: Format,
    /// What the rows are; `None` guesses from the columns.
    pub kind: Option<ImportKind>,
    /// `--force`: accept values beyond 1e15 or more than a day ahead (the
    /// indicator's own range still holds).
    pub force: bool,
    /// A data source's renames and constants, applied while reading; `None`
    /// for a file.
    pub fields: Option<super::FieldMap<'a>>,
}

/// Reads and validates all of `input` (no lock held), reporting bad rows
/// through `report` (the first [`SHOWN_ERRORS`], then a count), then writes
/// the good rows: in one transaction when there were no bad rows, in chunks
/// of [`CHUNK_ROWS`] with `skip_bad`, not at all otherwise. The one import
/// pipeline: `opsdeck import`, the sources and the benchmark dataset.
pub fn import_stream(
    store: &mut Store,
    now: i64,
    source: Source<'_>,
    input: Box<dyn Read>,
    indicators_by_key: &HashMap<String, i64>,
    skip_bad: bool,
    report: &mut dyn FnMut(&str),
) -> Result<(ImportCounts, Option<ImportKind>), StoreError> {
    let label = source.label;
    // Work kinds exist because the operation defines them, with a capacity.
    let work_kinds: Vec<String> = store
        .capacities()?
        .into_iter()
        .map(|c| c.work_kind)
        .collect();
    let (mut reader, kind) = match ImportReader::new_mapped(
        label,
        input,
        source.format,
        source.kind,
        indicators_by_key,
        source.fields,
    )
    .map(|(r, k)| (r.with_work_kinds(&work_kinds), k))
    {
        Ok(r) => r,
        Err(e) => {
            report(&e.to_string());
            return Ok((
                ImportCounts {
                    bad: 1,
                    ..Default::default()
                },
                None,
            ));
        }
    };
    // Each value is checked against its indicator's plausible range (and
    // derived indicators take none), as `record` checks it.
    let defs: HashMap<i64, crate::domain::indicator::IndicatorDef> = store
        .indicators()?
        .into_iter()
        .map(|i| (i.id, i.def))
        .collect();
    let mut c = ImportCounts::default();
    let mut ready: Vec<ImportRow> = Vec::new();
    let origin = source.origin.to_string();
    let mut occurrences: HashMap<(i64, i64), u32> = HashMap::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    // Each value is judged against its indicator's recent values (stored,
    // then the ones before it in this input): far ones are stored but
    // marked for review.
    let mut recent: HashMap<i64, std::collections::VecDeque<f64>> = HashMap::new();
    let mut marks: Vec<(String, String, f64, String)> = Vec::new();
    let mut bad = |c: &mut ImportCounts, e: &dyn std::fmt::Display| {
        c.bad += 1;
        if c.bad <= SHOWN_ERRORS {
            report(&e.to_string());
        }
    };
    while let Some(row) = reader.next_row() {
        let line = reader.line();
        let row = row.and_then(|r| match &r {
            Row::Observation {
                indicator_id,
                at,
                value,
                ..
            } => match defs.get(indicator_id) {
                Some(d) => check_value(d, *value, *at, now, source.force)
                    .map(|_| r)
                    .map_err(|reason| RowError {
                        file: label.to_string(),
                        line,
                        field: "value".into(),
                        reason,
                    }),
                None => Ok(r),
            },
            _ => Ok(r),
        });
        let row = match row {
            Err(e) => {
                bad(&mut c, &e);
                continue;
            }
            Ok(row) => row,
        };
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
                            let e = RowError {
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
                let window = match recent.entry(indicator_id) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => e.insert(
                        store
                            .recent_values(indicator_id, RECENT_VALUES)?
                            .into_iter()
                            .collect(),
                    ),
                };
                if let Some(a) = judge(value, window.make_contiguous()) {
                    marks.push((origin.clone(), key.clone(), value, a.describe()));
                }
                window.push_back(value);
                if window.len() > RECENT_VALUES {
                    window.pop_front();
                }
                ImportRow::Observation(indicators::NewObservation {
                    indicator_id,
                    at,
                    value,
                    note,
                    origin,
                    key,
                })
            }
            Row::WorkItem(w) => ImportRow::WorkItem(w),
            Row::Feedback(f) => ImportRow::Feedback(f),
        };
        c.valid += 1;
        if c.bad == 0 || skip_bad {
            ready.push(row);
        }
    }
    if c.bad > SHOWN_ERRORS {
        report(&format!(
            "opsdeck: {}: {} more bad rows not shown (the first {SHOWN_ERRORS} are above)",
            crate::text::sanitize(label),
            c.bad - SHOWN_ERRORS
        ));
    }
    if c.bad > 0 && !skip_bad {
        return Ok((c, Some(kind)));
    }
    let chunk = if skip_bad { CHUNK_ROWS } else { usize::MAX };
    let mut rest: &[ImportRow] = &ready;
    loop {
        let (part, tail) = rest.split_at(rest.len().min(chunk));
        rest = tail;
        let last = rest.is_empty();
        let (valid, bad, before) = (c.valid, c.bad, c.written);
        let (written, changed) = store.write(|tx| -> Result<(u64, u64), StoreError> {
            let last_id = crate::store::observations::max_observation_id(tx)?;
            let done = write_import_rows(tx, part)?;
            crate::store::observations::stamp_imported_since(tx, last_id)?;
            let (written, changed) = (done.written, done.changed);
            if last {
                for (origin, key, value, why) in &marks {
                    review::mark_imported(tx, origin, key, *value, why)?;
                }
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
