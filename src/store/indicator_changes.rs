//! Versioned indicator definitions: every change (add, set, retire, apply)
//! is kept with when and who, so that a time is judged by the definition in
//! force then — a target raised today does not turn yesterday red.

use super::indicators::{self, Indicator};
use super::{Result, Store, StoreError, Tx};
use crate::domain::indicator::IndicatorDef;
use crate::domain::Timestamp;
use rusqlite::types::ToSql;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

mod steps;

pub use steps::{threshold_steps, ThresholdStep};

/// One change of an indicator's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorChange {
    /// From when the new definition holds.
    pub at: Timestamp,
    /// Who applied it (the acting name).
    pub actor: String,
    /// What held before (`None`: the indicator was added).
    pub old: Option<IndicatorDef>,
    /// What holds after (`None`: it was retired).
    pub new: Option<IndicatorDef>,
}

impl IndicatorChange {
    /// What changed, in the words `indicator show` uses: `added`,
    /// `retired`, `defined again` or `field old → new, …`.
    pub fn summary(&self) -> String {
        match (&self.old, &self.new) {
            (None, _) => "added".to_string(),
            (_, None) => "retired".to_string(),
            (Some(a), Some(b)) => {
                let d = crate::definition::plan::indicator_diff(a, b);
                if d.is_empty() {
                    "defined again".to_string()
                } else {
                    d.join(", ")
                }
            }
        }
    }
}

fn to_json(d: Option<&IndicatorDef>) -> Result<Option<String>> {
    d.map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_json(j: Option<String>) -> Result<Option<IndicatorDef>> {
    j.map(|j| serde_json::from_str(&j))
        .transpose()
        .map_err(|e| StoreError::Invalid(format!("a stored indicator change is unreadable: {e}")))
}

fn record(
    tx: &Tx<'_>,
    id: i64,
    now: Timestamp,
    old: Option<&IndicatorDef>,
    new: Option<&IndicatorDef>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO indicator_changes (indicator_id, at, actor, old, new) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, now, tx.actor, to_json(old)?, to_json(new)?],
    )?;
    Ok(())
}

/// The row as stored, retired or not.
fn stored(tx: &Tx<'_>, key: &str) -> Result<Option<(Indicator, bool)>> {
    let id: Option<(i64, bool)> = tx
        .query_row(
            "SELECT id, retired_at IS NOT NULL FROM indicators WHERE key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, retired)) = id else {
        return Ok(None);
    };
    let defs = indicators::definitions_by_id(tx)?;
    Ok(defs
        .get(&id)
        .map(|d| (Indicator { id, def: d.clone() }, retired)))
}

/// Rewrites an indicator's definition from `now` (and brings a retired one
/// back); the change is kept.
pub fn update_indicator(tx: &Tx<'_>, now: Timestamp, d: &IndicatorDef) -> Result<()> {
    let Some((old, _retired)) = stored(tx, &d.key)? else {
        return Err(StoreError::Invalid(format!(
            "unknown indicator '{}' (see `opsdeck indicator list`)",
            d.key
        )));
    };
    tx.execute(
        "UPDATE indicators SET name = ?2, definition = ?3, kind = ?4, unit = ?5, direction = ?6,
           aggregation = ?7, window_secs = ?8, target = ?9, warn = ?10, breach = ?11,
           owner_role = ?12, source = ?13, metric = ?14, work_kind = ?15, min_value = ?16,
           max_value = ?17, retired_at = NULL
         WHERE id = ?1",
        crate::store::db::params_from_iter(
            std::iter::once(old.id.to_sql()?)
                .chain(indicators::definition_columns(d)?)
                .chain([d.min.to_sql()?, d.max.to_sql()?]),
        ),
    )?;
    // A returning indicator was last in force with its old definition.
    record(tx, old.id, now, Some(&old.def), Some(d))
}

/// Adds a new indicator at the end of the board, in force from `now`.
pub(crate) fn add_indicator(tx: &Tx<'_>, now: Timestamp, d: &IndicatorDef) -> Result<()> {
    let position: i64 = tx.query_row(
        "SELECT coalesce(max(position), -1) + 1 FROM indicators",
        [],
        |r| r.get(0),
    )?;
    let id = indicators::insert_indicator(tx, d, position)?;
    record(tx, id, now, None, Some(d))
}

/// Retires an indicator: it leaves the board, its observations stay.
pub(crate) fn retire_indicator(tx: &Tx<'_>, key: &str, now: Timestamp) -> Result<bool> {
    let Some((old, false)) = stored(tx, key)? else {
        return Ok(false);
    };
    tx.execute(
        "UPDATE indicators SET retired_at = ?2 WHERE id = ?1",
        params![old.id, now],
    )?;
    record(tx, old.id, now, Some(&old.def), None)?;
    Ok(true)
}

impl Store {
    /// One indicator's changes, oldest first.
    pub fn indicator_changes(&self, indicator_id: i64) -> Result<Vec<IndicatorChange>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT at, actor, old, new FROM indicator_changes WHERE indicator_id = ?1 ORDER BY at, id",
        )?;
        let rows = stmt
            .query_map([indicator_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, String, Option<String>, Option<String>)>>>()?;
        rows.into_iter()
            .map(|(at, actor, old, new)| {
                Ok(IndicatorChange {
                    at,
                    actor,
                    old: from_json(old)?,
                    new: from_json(new)?,
                })
            })
            .collect()
    }

    /// `ind` as it was defined at `at`: the old side of its first change
    /// after `at`, or `ind` itself when it has not changed since (or did not
    /// exist yet, or was retired then: there is no older definition to use).
    pub(crate) fn indicator_at(&self, ind: &Indicator, at: Timestamp) -> Result<Indicator> {
        let old: Option<Option<String>> = self
            .conn()
            .prepare_cached(
                "SELECT old FROM indicator_changes WHERE indicator_id = ?1 AND at > ?2
                 ORDER BY at, id LIMIT 1",
            )?
            .query_row(params![ind.id, at], |r| r.get(0))
            .optional()?;
        Ok(match from_json(old.flatten())? {
            Some(def) => Indicator { id: ind.id, def },
            None => ind.clone(),
        })
    }

    /// For each indicator changed after `at`: the definition in force at
    /// `at` (`None`: it did not exist yet). Indicators missing from the map
    /// are judged by their current definition.
    pub(crate) fn definitions_in_force(
        &self,
        at: Timestamp,
    ) -> Result<HashMap<i64, Option<IndicatorDef>>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT indicator_id, old FROM indicator_changes WHERE at > ?1 ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([at], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = HashMap::new();
        // Newest first: the last one written per indicator is its earliest
        // change after `at`, whose `old` is what held at `at`.
        for (id, old) in rows {
            out.insert(id, from_json(old)?);
        }
        Ok(out)
    }
}
