//! Versioned capacities: every set or removal of a work kind's capacity is
//! kept with when and who, so that a time is judged by the capacity in force
//! then — a capacity raised today does not change yesterday's capacity alert.

use super::{Result, Store, StoreError, Tx};
use crate::domain::capacity::Capacity;
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

fn to_json(c: Option<&Capacity>) -> Result<Option<String>> {
    c.map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_json(j: Option<String>) -> Result<Option<Capacity>> {
    j.map(|j| serde_json::from_str(&j))
        .transpose()
        .map_err(|e| StoreError::Invalid(format!("a stored capacity change is unreadable: {e}")))
}

fn current(tx: &Tx<'_>, kind: &str) -> Result<Option<Capacity>> {
    Ok(tx
        .prepare_cached(
            "SELECT work_kind, units_per_day, warn_at, breach_at FROM capacity WHERE work_kind = ?1",
        )?
        .query_row([kind], |r| {
            Ok(Capacity {
                work_kind: r.get(0)?,
                units_per_day: r.get(1)?,
                warn_at: r.get(2)?,
                breach_at: r.get(3)?,
            })
        })
        .optional()?)
}

fn record(
    tx: &Tx<'_>,
    kind: &str,
    now: Timestamp,
    old: Option<&Capacity>,
    new: Option<&Capacity>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO capacity_changes (work_kind, at, actor, old, new) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, now, tx.actor, to_json(old)?, to_json(new)?],
    )?;
    Ok(())
}

/// Sets (or adds) one work kind's capacity from `now`; the change is kept
/// (nothing is kept when the capacity is already exactly this).
pub fn set_capacity(tx: &Tx<'_>, now: Timestamp, c: &Capacity) -> Result<()> {
    let old = current(tx, &c.work_kind)?;
    if old.as_ref() == Some(c) {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO capacity (work_kind, units_per_day, warn_at, breach_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (work_kind) DO UPDATE SET units_per_day = excluded.units_per_day,
           warn_at = excluded.warn_at, breach_at = excluded.breach_at",
        params![c.work_kind, c.units_per_day, c.warn_at, c.breach_at],
    )?;
    record(tx, &c.work_kind, now, old.as_ref(), Some(c))
}

/// Removes a work kind's capacity from `now`; the change is kept.
pub(crate) fn remove_capacity(tx: &Tx<'_>, now: Timestamp, kind: &str) -> Result<()> {
    let Some(old) = current(tx, kind)? else {
        return Ok(());
    };
    tx.execute("DELETE FROM capacity WHERE work_kind = ?1", [kind])?;
    record(tx, kind, now, Some(&old), None)
}

impl Store {
    /// The capacity of every kind that had one at `at`, by work kind: the
    /// current capacities, with each kind changed after `at` taken back to
    /// what held then (and left out if it had none).
    pub fn capacities_at(&self, at: Timestamp) -> Result<Vec<Capacity>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT work_kind, old FROM capacity_changes WHERE at > ?1 ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([at], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Newest first: the last one written per kind is its earliest change
        // after `at`, whose `old` is what held at `at`.
        let mut then: HashMap<String, Option<Capacity>> = HashMap::new();
        for (kind, old) in rows {
            then.insert(kind, from_json(old)?);
        }
        let mut out: Vec<Capacity> = self
            .capacities()?
            .into_iter()
            .filter(|c| !then.contains_key(&c.work_kind))
            .collect();
        out.extend(then.into_values().flatten());
        out.sort_by(|a, b| a.work_kind.cmp(&b.work_kind));
        Ok(out)
    }
}
