//! Indicators and their recorded observations.

use super::{Result, Store, StoreError, Tx};
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension, Row};

/// An indicator with its database id.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: i64,
    pub def: IndicatorDef,
}

/// A recorded value with its note.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub at: Timestamp,
    pub value: f64,
    pub note: Option<String>,
}

const COLUMNS: &str = "id, key, name, definition, kind, unit, direction, aggregation, window_secs, target, warn, breach, owner_role, source, metric, work_kind, min_events";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Indicator> {
    let word = |i: usize, what: &str| -> rusqlite::Result<String> {
        r.get::<_, String>(i)
            .map_err(|_| rusqlite::Error::InvalidColumnName(what.into()))
    };
    let bad = |i: usize| {
        rusqlite::Error::InvalidColumnType(i, "word".into(), rusqlite::types::Type::Text)
    };
    Ok(Indicator {
        id: r.get(0)?,
        def: IndicatorDef {
            key: r.get(1)?,
            name: r.get(2)?,
            definition: r.get(3)?,
            kind: Kind::parse(&word(4, "kind")?).ok_or_else(|| bad(4))?,
            unit: r.get(5)?,
            direction: Direction::parse(&word(6, "direction")?).ok_or_else(|| bad(6))?,
            aggregation: Aggregation::parse(&word(7, "aggregation")?).ok_or_else(|| bad(7))?,
            window_secs: r.get(8)?,
            target: r.get(9)?,
            warn: r.get(10)?,
            breach: r.get(11)?,
            owner_role: r.get(12)?,
            source: Source::parse(&word(13, "source")?).ok_or_else(|| bad(13))?,
            metric: r.get(14)?,
            work_kind: r.get(15)?,
            min_events: r.get(16)?,
        },
    })
}

/// Inserts a new indicator definition.
pub fn insert_indicator(
    conn: &rusqlite::Connection,
    d: &IndicatorDef,
    position: i64,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO indicators (key, name, definition, kind, unit, direction, aggregation, window_secs, target, warn, breach, owner_role, source, metric, work_kind, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            d.key,
            d.name,
            d.definition,
            d.kind.as_str(),
            d.unit,
            d.direction.as_str(),
            d.aggregation.as_str(),
            d.window_secs,
            d.target,
            d.warn,
            d.breach,
            d.owner_role,
            d.source.as_str(),
            d.metric,
            d.work_kind,
            position
        ],
    )?;
    let id = conn.last_insert_rowid();
    // Only when set: a new database is seeded before the migration that
    // adds the column (and the default needs no value).
    if let Some(n) = d.min_events {
        conn.execute(
            "UPDATE indicators SET min_events = ?1 WHERE id = ?2",
            params![n, id],
        )?;
    }
    Ok(id)
}

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Manual,
    Import,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Manual => "manual",
            Origin::Import => "import",
        }
    }
}

/// Records one value; returns false when the exact same fact (indicator,
/// time, value) was already there.
pub fn insert_observation(
    tx: &Tx<'_>,
    indicator_id: i64,
    at: Timestamp,
    value: f64,
    note: Option<&str>,
    origin: Origin,
) -> Result<bool> {
    let mut stmt = tx.prepare_cached(SQL_INSERT_OBSERVATION)?;
    let new = insert_observation_with(&mut stmt, indicator_id, at, value, note, origin)?;
    if new {
        super::observations::stamp_recorded_by(tx, indicator_id, at, value)?;
    }
    Ok(new)
}

/// Inserts an observation; unchanged when the same fact exists (a new note
/// on it is kept).
pub const SQL_INSERT_OBSERVATION: &str =
    "INSERT INTO observations (indicator_id, at, value, note, origin) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (indicator_id, at, value) DO UPDATE SET note = coalesce(excluded.note, note)
     WHERE excluded.note IS NOT NULL AND excluded.note IS NOT note";

/// [`insert_observation`] on a statement prepared once from
/// [`SQL_INSERT_OBSERVATION`] (bulk import: no statement-cache lookup per row).
pub fn insert_observation_with(
    stmt: &mut rusqlite::Statement<'_>,
    indicator_id: i64,
    at: Timestamp,
    value: f64,
    note: Option<&str>,
    origin: Origin,
) -> Result<bool> {
    let n = stmt.execute(params![indicator_id, at, value, note, origin.as_str()])?;
    Ok(n > 0)
}

/// Observations written per statement by a bulk import: one statement of
/// 64 rows costs SQLite far less than 64 one-row statements (the per-row
/// reset, bind and program start dominated the import's time in SQLite).
pub const BULK_ROWS: usize = 64;

/// A value to record in bulk.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator_id: i64,
    pub at: Timestamp,
    pub value: f64,
    pub note: Option<String>,
}

/// [`SQL_INSERT_OBSERVATION`] for `rows` rows in one statement; each row
/// is inserted, or updates its note, exactly as one statement per row would.
pub fn sql_insert_observations(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?, ?)"; rows.max(1)].join(", ");
    format!(
        "INSERT INTO observations (indicator_id, at, value, note, origin) VALUES {values}
         ON CONFLICT (indicator_id, at, value) DO UPDATE SET note = coalesce(excluded.note, note)
         WHERE excluded.note IS NOT NULL AND excluded.note IS NOT note"
    )
}

/// Writes `rows` with a statement prepared from
/// [`sql_insert_observations`]`(rows.len())`. Returns how many were new or
/// changed.
pub fn insert_observations_with(
    stmt: &mut rusqlite::Statement<'_>,
    rows: &[NewObservation],
    origin: Origin,
) -> Result<usize> {
    for (i, r) in rows.iter().enumerate() {
        let at = 5 * i;
        stmt.raw_bind_parameter(at + 1, r.indicator_id)?;
        stmt.raw_bind_parameter(at + 2, r.at)?;
        stmt.raw_bind_parameter(at + 3, r.value)?;
        stmt.raw_bind_parameter(at + 4, r.note.as_deref())?;
        stmt.raw_bind_parameter(at + 5, origin.as_str())?;
    }
    Ok(stmt.raw_execute()?)
}

/// The hot query of every board: one indicator's values in a window, by
/// time and then in recording order (id), so that among values of the same
/// time the one recorded last comes last and `last` takes it.
pub const SQL_OBSERVATION_POINTS: &str =
    "SELECT at, value FROM observations WHERE indicator_id = ?1 AND at >= ?2 AND at <= ?3 ORDER BY at, id";

impl Store {
    /// Every indicator, in board order.
    pub fn indicators(&self) -> Result<Vec<Indicator>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM indicators ORDER BY position, id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One indicator by key.
    pub fn indicator(&self, key: &str) -> Result<Option<Indicator>> {
        Ok(self
            .conn()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM indicators WHERE key = ?1"))?
            .query_row([key], from_row)
            .optional()?)
    }

    /// An indicator that must exist, with a message listing a few known keys.
    pub fn indicator_required(&self, key: &str) -> Result<Indicator> {
        if let Some(i) = self.indicator(key)? {
            return Ok(i);
        }
        let known: Vec<String> = self.indicators()?.into_iter().map(|i| i.def.key).collect();
        Err(StoreError::Invalid(format!(
            "unknown indicator '{}' (known: {})",
            crate::text::sanitize(key),
            known.join(", ")
        )))
    }

    /// `(at, value)` of one indicator in `[from, to]`, oldest first.
    pub fn observation_points(
        &self,
        indicator_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(Timestamp, f64)>> {
        let mut stmt = self.conn().prepare_cached(SQL_OBSERVATION_POINTS)?;
        let rows = stmt.query_map(params![indicator_id, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest `limit` observations of an indicator that carry a note.
    pub fn recent_notes(&self, indicator_id: i64, limit: usize) -> Result<Vec<Observation>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT at, value, note FROM observations WHERE indicator_id = ?1 AND note IS NOT NULL ORDER BY at DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![indicator_id, limit as i64], |r| {
            Ok(Observation {
                at: r.get(0)?,
                value: r.get(1)?,
                note: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Number of observations stored.
    pub fn observation_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM observations", [], |r| r.get(0))?)
    }
}
