//! Writing a validated import: the rows of one file or one source run, in
//! the caller's transaction, with one prepared statement per kind and
//! observations bound [`indicators::BULK_ROWS`] at a time.

use super::{feedback, indicators, work_items, Result, Tx};
use crate::domain::flow::WorkItem;

/// A validated row ready to be written.
#[derive(Debug, Clone)]
pub(crate) enum ImportRow {
    /// A value of an indicator, with its origin and origin key.
    Observation(indicators::NewObservation),
    /// An order, ticket or other work item (upserted by kind + external id).
    WorkItem(WorkItem),
    /// A feedback response.
    Feedback(feedback::FeedbackRow),
}

/// What one write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Rows that inserted or changed something.
    pub written: u64,
    /// Of `written`, rows that replaced what an earlier write of the same
    /// origin wrote (a corrected file, a source reporting a new value).
    pub changed: u64,
}

/// Writes validated rows in the caller's transaction.
pub(crate) fn write_import_rows(tx: &Tx<'_>, rows: &[ImportRow]) -> Result<Written> {
    let mut out = Written::default();
    let obs: Vec<indicators::NewObservation> = rows
        .iter()
        .filter_map(|r| match r {
            ImportRow::Observation(o) => Some(o.clone()),
            _ => None,
        })
        .collect();
    if !obs.is_empty() && tx.is_pg() {
        let done = indicators::upsert_observations_by_copy(tx, &obs)?;
        out.written += done.new + done.changed;
        out.changed += done.changed;
    } else if !obs.is_empty() {
        let before = indicators::max_observation_id(tx)?;
        let mut stmt = tx.prepare(&indicators::sql_upsert_observations(indicators::BULK_ROWS))?;
        for batch in obs.chunks(indicators::BULK_ROWS) {
            let done = if batch.len() == indicators::BULK_ROWS {
                indicators::upsert_observations_with(&mut stmt, batch, before)?
            } else {
                let mut last = tx.prepare(&indicators::sql_upsert_observations(batch.len()))?;
                indicators::upsert_observations_with(&mut last, batch, before)?
            };
            out.written += done.new + done.changed;
            out.changed += done.changed;
        }
    }
    let mut work = None;
    let mut answers = None;
    for r in rows {
        match r {
            ImportRow::Observation(_) => {}
            ImportRow::WorkItem(w) => {
                if work.is_none() {
                    work = Some(tx.prepare(work_items::SQL_UPSERT_WORK_ITEM)?);
                }
                let stmt = work.as_mut().expect("prepared above");
                out.written += u64::from(work_items::upsert_work_item_with(stmt, w)?);
            }
            ImportRow::Feedback(f) => {
                if answers.is_none() {
                    answers = Some(tx.prepare(feedback::SQL_INSERT_FEEDBACK)?);
                }
                let stmt = answers.as_mut().expect("prepared above");
                out.written += u64::from(feedback::insert_feedback_with(stmt, f)?);
            }
        }
    }
    Ok(out)
}
