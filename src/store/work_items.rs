//! Work items (orders, tickets, tasks) and the capacity of each kind.

use super::{Result, Store, Tx};
use crate::domain::capacity::Capacity;
use crate::domain::flow::{Outcome, WorkItem};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Inserts a work item or, when one of the same kind and external id exists,
/// updates it. Returns true when a row was inserted or changed.
pub fn upsert_work_item(tx: &Tx<'_>, w: &WorkItem) -> Result<bool> {
    let mut stmt = tx.prepare_cached(SQL_UPSERT_WORK_ITEM)?;
    upsert_work_item_with(&mut stmt, w)
}

/// Inserts a work item, or updates the one of the same kind and external id
/// when anything differs.
pub(crate) const SQL_UPSERT_WORK_ITEM: &str = "INSERT INTO work_items (kind, external_id, customer, segment, opened_at, promised_at, closed_at, outcome, satisfaction)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (kind, external_id) DO UPDATE SET
                customer = excluded.customer, segment = excluded.segment, opened_at = excluded.opened_at,
                promised_at = excluded.promised_at, closed_at = excluded.closed_at,
                outcome = excluded.outcome, satisfaction = excluded.satisfaction
             WHERE work_items.customer IS DISTINCT FROM excluded.customer OR work_items.segment IS DISTINCT FROM excluded.segment
                OR work_items.opened_at IS DISTINCT FROM excluded.opened_at OR work_items.promised_at IS DISTINCT FROM excluded.promised_at
                OR work_items.closed_at IS DISTINCT FROM excluded.closed_at OR work_items.outcome IS DISTINCT FROM excluded.outcome
                OR work_items.satisfaction IS DISTINCT FROM excluded.satisfaction";

/// [`upsert_work_item`] on a statement prepared once from
/// [`SQL_UPSERT_WORK_ITEM`].
pub(crate) fn upsert_work_item_with(
    stmt: &mut crate::store::db::Stmt<'_>,
    w: &WorkItem,
) -> Result<bool> {
    let n = stmt.execute(params![
        w.kind,
        w.external_id,
        w.customer,
        w.segment,
        w.opened_at,
        w.promised_at,
        w.closed_at,
        w.outcome.map(|o| o.as_str()),
        w.satisfaction
    ])?;
    Ok(n > 0)
}

fn item_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<(WorkItem, bool)> {
    let outcome: Option<String> = r.get(7)?;
    Ok((
        WorkItem {
            kind: r.get(0)?,
            external_id: r.get(1)?,
            customer: r.get(2)?,
            segment: r.get(3)?,
            opened_at: r.get(4)?,
            promised_at: r.get(5)?,
            closed_at: r.get(6)?,
            outcome: outcome.as_deref().and_then(Outcome::parse),
            satisfaction: r.get(8)?,
        },
        r.get(9)?,
    ))
}

/// Work items of one kind that matter from `from` on: closed at or after it,
/// or still open; with, per item, whether its customer had an earlier item
/// of the kind (for the repeat-purchase rate).
#[derive(Debug, Clone, Default)]
pub struct KindItems {
    /// The items of the kind, closed at or after `from` or still open.
    pub items: Vec<WorkItem>,
    /// Per item (same index), whether its customer had an earlier item of the kind.
    pub repeat: Vec<bool>,
}

/// Work items of a kind closed since `?2` or still open, each with whether
/// its customer had an earlier item of the kind (from the
/// `customer_first_item` rollup, kept by triggers).
pub const SQL_WORK_ITEMS_SINCE: &str = "
    SELECT w.kind, w.external_id, w.customer, w.segment, w.opened_at, w.promised_at, w.closed_at, w.outcome, w.satisfaction,
           coalesce(CAST(w.opened_at > f.opened_at AS INTEGER), 0)
      FROM work_items w LEFT JOIN customer_first_item f ON f.kind = w.kind AND f.customer = w.customer
     WHERE w.kind = ?1 AND w.closed_at >= ?2
    UNION ALL
    SELECT w.kind, w.external_id, w.customer, w.segment, w.opened_at, w.promised_at, w.closed_at, w.outcome, w.satisfaction,
           coalesce(CAST(w.opened_at > f.opened_at AS INTEGER), 0)
      FROM work_items w LEFT JOIN customer_first_item f ON f.kind = w.kind AND f.customer = w.customer
     WHERE w.kind = ?1 AND w.closed_at IS NULL";

/// The distinct work kinds that have items or a capacity, sorted. The kinds
/// of `work_items` are found by skipping through the kind index, one seek per
/// kind (`SELECT DISTINCT kind` would read the whole index: a cost that grows
/// with the history, paid on every Work view and cockpit load).
pub const SQL_WORK_KINDS: &str = "
    WITH RECURSIVE kinds(kind) AS (
        SELECT (SELECT min(kind) FROM work_items)
        UNION ALL
        SELECT (SELECT min(kind) FROM work_items WHERE kind > kinds.kind)
          FROM kinds WHERE kind IS NOT NULL)
    SELECT work_kind FROM capacity
    UNION SELECT kind FROM kinds WHERE kind IS NOT NULL
    ORDER BY 1";

/// The change token of `work_items`: a new random value with every insert,
/// update or delete (schema 5, `change_tokens`).
pub const SQL_WORK_ITEMS_TOKEN: &str = "SELECT token FROM change_tokens WHERE name = 'work_items'";

/// Work items of one kind as read: the change token they were read under,
/// the `from` they were read from, and the items.
#[derive(Debug)]
struct ReadItems {
    token: i64,
    from: Timestamp,
    items: Arc<KindItems>,
}

/// Work items a store has read, per kind.
#[derive(Debug, Default)]
pub(crate) struct SharedItems(RefCell<HashMap<String, ReadItems>>);

impl Store {
    /// [`KindItems`] of `kind` from `from` on, read again only when the work
    /// items changed since the last read (their change token moved, whoever
    /// wrote) or when an earlier `from` is asked for: a reload after another
    /// process recorded a value, and the cockpit's minute tick, do not read
    /// a year of orders again. Items read from an earlier time serve a later
    /// `from`: every consumer filters by time.
    pub fn work_items_shared(&self, kind: &str, from: Timestamp) -> Result<Arc<KindItems>> {
        // The token is read before the rows: if another process commits in
        // between, the rows are newer than the token they are kept under, and
        // the next read sees a new token and reads again; never the reverse.
        let token: Option<i64> = self
            .conn()
            .prepare_cached(SQL_WORK_ITEMS_TOKEN)?
            .query_row([], |r| r.get(0))
            .optional()?;
        let Some(token) = token else {
            return Ok(Arc::new(self.work_items_since(kind, from)?));
        };
        if let Some(read) = self.work_items_read.0.borrow().get(kind) {
            if read.token == token && read.from <= from {
                return Ok(Arc::clone(&read.items));
            }
        }
        let items = Arc::new(self.work_items_since(kind, from)?);
        let read = ReadItems {
            token,
            from,
            items: Arc::clone(&items),
        };
        self.work_items_read
            .0
            .borrow_mut()
            .insert(kind.to_string(), read);
        Ok(items)
    }

    /// Loads [`KindItems`] for `kind` from `from` on. Two index range scans
    /// (closed since `from`, and open) plus one primary-key probe of the
    /// rollup per item.
    ///
    /// The items come in one order on both engines, closed ones by closing
    /// time then external id, open ones after them by external id: the
    /// flow metrics add floats in item order, and a server returns rows in
    /// whatever order its plan reads them (a bitmap scan: as stored).
    pub fn work_items_since(&self, kind: &str, from: Timestamp) -> Result<KindItems> {
        let mut stmt = self.conn().prepare_cached(SQL_WORK_ITEMS_SINCE)?;
        let mut rows: Vec<(crate::domain::flow::WorkItem, bool)> = stmt
            .query_map(params![kind, from], item_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        // (kind, external id) is unique: the order is total, and an
        // unstable sort gives it.
        rows.sort_unstable_by(|(a, _), (b, _)| {
            (a.closed_at.is_none(), a.closed_at, &a.external_id).cmp(&(
                b.closed_at.is_none(),
                b.closed_at,
                &b.external_id,
            ))
        });
        let (items, repeat) = rows.into_iter().unzip();
        Ok(KindItems { items, repeat })
    }

    /// The distinct work kinds that have items or a capacity, sorted.
    pub(crate) fn work_kinds(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(SQL_WORK_KINDS)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Capacity of every kind that has one.
    pub fn capacities(&self) -> Result<Vec<Capacity>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT work_kind, units_per_day, warn_at, breach_at FROM capacity ORDER BY work_kind",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Capacity {
                work_kind: r.get(0)?,
                units_per_day: r.get(1)?,
                warn_at: r.get(2)?,
                breach_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Number of work items stored.
    pub(crate) fn work_item_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM work_items", [], |r| r.get(0))?)
    }
}
