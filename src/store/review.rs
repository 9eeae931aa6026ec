//! Observations marked for review: values `domain::anomaly::judge` found
//! far from their indicator's recent values are stored, marked, listed and
//! confirmed (which clears the mark for that value).

use super::{audit, Result, Store, Tx};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// A value waiting for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ToReview {
    /// The observation's id (what `observation confirm` takes).
    pub id: i64,
    /// Its indicator's key.
    pub indicator: String,
    /// When it was measured.
    pub at: Timestamp,
    /// The value.
    pub value: f64,
    /// Why it is marked.
    pub why: String,
}

/// The indicator's newest `limit` values (any origin), newest first: what a
/// new value is judged against.
pub(crate) fn recent_values(
    tx: &crate::store::db::Conn,
    indicator_id: i64,
    limit: usize,
) -> Result<Vec<f64>> {
    let mut stmt = tx.prepare_cached(
        "SELECT value FROM observations WHERE indicator_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![indicator_id, limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Writes a value recorded by hand (`opsdeck record`, the cockpit's `n` and
/// `:record`) and marks it for review when it is far from the indicator's
/// recent values ([`crate::domain::anomaly::judge`]). Returns its id and,
/// when marked, why.
pub(crate) fn insert_manual(
    tx: &Tx<'_>,
    indicator_id: i64,
    at: Timestamp,
    value: f64,
    note: Option<&str>,
) -> Result<(i64, Option<String>)> {
    let recent = recent_values(tx, indicator_id, crate::domain::anomaly::RECENT_VALUES)?;
    let far = crate::domain::anomaly::judge(value, &recent).map(|a| a.describe());
    let id = super::indicators::insert_observation(
        tx,
        indicator_id,
        at,
        value,
        note,
        super::indicators::Origin::Manual,
    )?;
    if let Some(why) = &far {
        mark_id(tx, id, why)?;
    }
    Ok((id, far))
}

/// Marks the imported row `(origin, key)` holding `value` for review, unless
/// that value was already confirmed.
pub(crate) fn mark_imported(
    tx: &Tx<'_>,
    origin: &str,
    key: &str,
    value: f64,
    why: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE observations SET review = ?4 WHERE origin = ?1 AND origin_key = ?2
             AND value = ?3 AND review_confirmed IS DISTINCT FROM ?3",
    )?
    .execute(params![origin, key, value, why])?;
    Ok(())
}

/// Marks observation `id` for review.
pub(crate) fn mark_id(tx: &Tx<'_>, id: i64, why: &str) -> Result<()> {
    tx.prepare_cached("UPDATE observations SET review = ?2 WHERE id = ?1")?
        .execute(params![id, why])?;
    Ok(())
}

/// Confirms observation `id`: clears its mark (audited). `Ok(false)` when
/// there is no such observation or it was not marked.
pub fn confirm(tx: &Tx<'_>, now: Timestamp, id: i64) -> Result<bool> {
    let n = tx.execute(
        "UPDATE observations SET review = NULL, review_confirmed = value
         WHERE id = ?1 AND review IS NOT NULL",
        params![id],
    )?;
    if n == 1 {
        audit::record(
            tx,
            now,
            "confirm",
            "observation",
            Some(&id.to_string()),
            &serde_json::json!({}),
        )?;
    }
    Ok(n == 1)
}

impl Store {
    /// Values marked for review (of one indicator, or all), newest first.
    pub(crate) fn to_review(&self, indicator: Option<&str>, limit: usize) -> Result<Vec<ToReview>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT o.id, i.key, o.at, o.value, o.review FROM observations o
             JOIN indicators i ON i.id = o.indicator_id
             WHERE o.review IS NOT NULL AND (CAST(?1 AS TEXT) IS NULL OR i.key = ?1)
             ORDER BY o.at DESC, o.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![indicator, limit as i64], |r| {
            Ok(ToReview {
                id: r.get(0)?,
                indicator: r.get(1)?,
                at: r.get(2)?,
                value: r.get(3)?,
                why: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether observation `id` exists.
    pub(crate) fn observation_exists(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("SELECT 1 FROM observations WHERE id = ?1")?
            .query_row(params![id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The indicator's newest `limit` values, newest first.
    pub(crate) fn recent_values(&self, indicator_id: i64, limit: usize) -> Result<Vec<f64>> {
        recent_values(self.conn(), indicator_id, limit)
    }
}
