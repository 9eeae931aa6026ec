//! Correcting the record: recent values of an indicator with who recorded
//! them, and corrections and withdrawals that keep the original (in
//! `observation_history` and in the audit trail).

use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::Timestamp;
use crate::store::db::Row;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// One recorded value as the user sees it in `observation list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedValue {
    /// The value's id, for `observation correct|delete ID`.
    pub id: i64,
    /// Key of the indicator it belongs to.
    pub indicator: String,
    /// When it was measured (unix seconds).
    pub at: Timestamp,
    /// The value as it stands now, in the indicator's unit.
    pub value: f64,
    /// The note kept with it; `None` for none.
    pub note: Option<String>,
    /// Where it came from: `manual`, `demo`, `file:PATH`, `id` or `source:NAME`.
    pub origin: String,
    /// Who recorded it (`None` for values recorded before opsdeck kept it).
    pub recorded_by: Option<String>,
    /// How often it was corrected.
    pub corrections: i64,
    /// Why it is marked for review (an anomaly), until `observation
    /// confirm ID`; `None` when not marked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
}

/// A value before and after a correction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Correction {
    /// The value as it was.
    pub before: RecordedValue,
    /// The value it now has.
    pub after: f64,
}

const SELECT: &str = "SELECT o.id, i.key, o.at, o.value, o.note, o.origin, o.recorded_by,
        (SELECT count(*) FROM observation_history h WHERE h.observation_id = o.id AND h.action = 'correct'),
        o.review
     FROM observations o JOIN indicators i ON i.id = o.indicator_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<RecordedValue> {
    Ok(RecordedValue {
        id: r.get(0)?,
        indicator: r.get(1)?,
        at: r.get(2)?,
        value: r.get(3)?,
        note: r.get(4)?,
        origin: r.get(5)?,
        recorded_by: r.get(6)?,
        corrections: r.get(7)?,
        review: r.get(8)?,
    })
}

/// Marks the value just written for `(indicator_id, at, value)` as
/// recorded by the transaction's actor (the newest such row without one).
pub fn stamp_recorded_by(tx: &Tx<'_>, indicator_id: i64, at: Timestamp, value: f64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE observations SET recorded_by = ?1 WHERE id = (
             SELECT max(id) FROM observations
              WHERE indicator_id = ?2 AND at = ?3 AND value = ?4 AND recorded_by IS NULL)",
    )?
    .execute(params![tx.actor, indicator_id, at, value])?;
    Ok(())
}

/// The newest observation id (0 when none): an import stamps what it wrote
/// after it with [`stamp_imported_since`].
pub(crate) fn max_observation_id(tx: &Tx<'_>) -> Result<i64> {
    Ok(
        tx.query_row("SELECT coalesce(max(id), 0) FROM observations", [], |r| {
            r.get(0)
        })?,
    )
}

/// Marks every value written after `after_id` as recorded by the actor.
pub(crate) fn stamp_imported_since(tx: &Tx<'_>, after_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE observations SET recorded_by = ?1 WHERE id > ?2 AND recorded_by IS NULL",
        params![tx.actor, after_id],
    )?;
    Ok(())
}

fn one(conn: &crate::store::db::Conn, id: i64) -> Result<RecordedValue> {
    conn.prepare_cached(&format!("{SELECT} WHERE o.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "observation {id}: no such value (see `opsdeck observation list KEY` for ids)"
            ))
        })
}

fn keep_original(
    tx: &Tx<'_>,
    v: &RecordedValue,
    action: &str,
    new_value: Option<f64>,
    reason: &str,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO observation_history (observation_id, indicator_id, at, value, note, origin,
             recorded_by, action, new_value, reason, changed_by, changed_at)
         SELECT id, indicator_id, at, value, note, origin, recorded_by, ?2, ?3, ?4, ?5, ?6
           FROM observations WHERE id = ?1",
        params![v.id, action, new_value, reason, tx.actor, now],
    )?;
    Ok(())
}

/// Changes one value to `value`, keeping the original in the history and
/// the audit trail. Refused when the indicator already has exactly that
/// value at that time.
pub(crate) fn correct_observation(
    tx: &Tx<'_>,
    id: i64,
    value: f64,
    reason: &str,
    now: Timestamp,
) -> Result<Correction> {
    let before = one(tx, id)?;
    let clash: Option<i64> = tx
        .query_row(
            "SELECT o.id FROM observations o WHERE o.id <> ?1 AND o.value = ?2 AND o.at = ?3
               AND o.indicator_id = (SELECT indicator_id FROM observations WHERE id = ?1)",
            params![id, value, before.at],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = clash {
        return Err(StoreError::Invalid(format!(
            "observation {id}: value {value} at the same time is already recorded as observation {other}; delete this one instead"
        )));
    }
    keep_original(tx, &before, "correct", Some(value), reason, now)?;
    tx.execute(
        "UPDATE observations SET value = ?2 WHERE id = ?1",
        params![id, value],
    )?;
    audit::record(
        tx,
        now,
        "correct",
        "observation",
        Some(&id.to_string()),
        &serde_json::json!({"indicator": before.indicator, "at": before.at,
            "from": before.value, "to": value, "reason": reason}),
    )?;
    Ok(Correction {
        before,
        after: value,
    })
}

/// Withdraws one value: it leaves the board, alerts and experiment results
/// at once and is kept, whole, in the history and the audit trail.
pub(crate) fn withdraw_observation(
    tx: &Tx<'_>,
    id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<RecordedValue> {
    let before = one(tx, id)?;
    keep_original(tx, &before, "withdraw", None, reason, now)?;
    tx.execute("DELETE FROM observations WHERE id = ?1", [id])?;
    audit::record(
        tx,
        now,
        "withdraw",
        "observation",
        Some(&id.to_string()),
        &serde_json::json!({"indicator": before.indicator, "at": before.at,
            "value": before.value, "note": before.note, "reason": reason}),
    )?;
    Ok(before)
}

impl Store {
    /// The newest `limit` values of an indicator measured at or after
    /// `since` (all when `None`), newest first.
    pub(crate) fn observations_recent(
        &self,
        indicator_id: i64,
        since: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<RecordedValue>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{SELECT} WHERE o.indicator_id = ?1 AND o.at >= ?2 ORDER BY o.at DESC, o.id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(
            params![indicator_id, since.unwrap_or(i64::MIN), limit as i64],
            from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One value by id.
    pub fn observation_by_id(&self, id: i64) -> Result<RecordedValue> {
        one(self.conn(), id)
    }
}
