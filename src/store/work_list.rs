//! The Work list: the actual work items behind the flow numbers (open ones,
//! and those closed late in the window), and one item with the checklist
//! runs started for it (`run start --for EXTERNAL_ID`).

use super::alerts::RunLink;
use super::{Result, Store};
use crate::domain::flow::{Outcome, WorkItem};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};

/// One item as listed, with its row id (what the detail is opened by).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedItem {
    /// Row id in `work_items`.
    pub id: i64,
    /// The item.
    pub item: WorkItem,
}

/// Open items of a kind (and segment), plus those closed late since `?3`.
const SQL_WORK_LIST: &str = "
    SELECT id, kind, external_id, customer, segment, opened_at, promised_at, closed_at, outcome, satisfaction
      FROM work_items
     WHERE kind = ?1 AND (CAST(?2 AS TEXT) IS NULL OR segment = ?2)
       AND (closed_at IS NULL OR (closed_at >= ?3 AND promised_at IS NOT NULL AND closed_at > promised_at))
     ORDER BY coalesce(promised_at, opened_at), id
     LIMIT ?4";

const SQL_WORK_ITEM: &str = "
    SELECT id, kind, external_id, customer, segment, opened_at, promised_at, closed_at, outcome, satisfaction
      FROM work_items WHERE id = ?1";

/// Runs whose context is the external id, or starts with it and a space.
const SQL_RUNS_FOR: &str = "
    SELECT id FROM checklist_runs
     WHERE context = ?1 OR substr(context, 1, length(?1) + 1) = ?1 || ' '
     ORDER BY started_at, id";

fn listed(r: &crate::store::db::Row<'_>) -> rusqlite::Result<ListedItem> {
    let outcome: Option<String> = r.get(8)?;
    Ok(ListedItem {
        id: r.get(0)?,
        item: WorkItem {
            kind: r.get(1)?,
            external_id: r.get(2)?,
            customer: r.get(3)?,
            segment: r.get(4)?,
            opened_at: r.get(5)?,
            promised_at: r.get(6)?,
            closed_at: r.get(7)?,
            outcome: outcome.as_deref().and_then(Outcome::parse),
            satisfaction: r.get(9)?,
        },
    })
}

impl Store {
    /// The operation's acknowledgement timeout (`[alerts] ack_timeout`), in
    /// seconds; 0 means acknowledgements never expire.
    pub fn operation_ack_timeout_secs(&self) -> Result<i64> {
        Ok(super::definition::alert_defaults(self.conn())?.ack_timeout_secs)
    }

    /// Open items of `kind` (of `segment` when given), and the items closed
    /// late since `from`, earliest promise first; at most `limit`.
    pub fn work_list(
        &self,
        kind: &str,
        segment: Option<&str>,
        from: Timestamp,
        limit: usize,
    ) -> Result<Vec<ListedItem>> {
        let mut stmt = self.conn().prepare_cached(SQL_WORK_LIST)?;
        let rows = stmt.query_map(params![kind, segment, from, limit as i64], listed)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One work item by row id.
    pub fn work_item(&self, id: i64) -> Result<Option<ListedItem>> {
        Ok(self
            .conn()
            .prepare_cached(SQL_WORK_ITEM)?
            .query_row([id], listed)
            .optional()?)
    }

    /// The checklist runs started for `external_id` (`--for ID` or
    /// `--for "ID text"`), oldest first, with their progress.
    pub fn runs_for_item(&self, external_id: &str, now: Timestamp) -> Result<Vec<RunLink>> {
        let ids: Vec<i64> = {
            let mut stmt = self.conn().prepare_cached(SQL_RUNS_FOR)?;
            let rows = stmt.query_map([external_id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::new();
        for id in ids {
            if let Some(link) = self.run_link(id, now)? {
                out.push(link);
            }
        }
        Ok(out)
    }
}
