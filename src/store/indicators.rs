//! Indicators and their recorded observations.

use super::{db, Result, Store, StoreError, Tx};
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use crate::domain::Timestamp;
use crate::store::db::Row;
use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{params, OptionalExtension};

/// An indicator with its database id.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Row id of the indicator (what observations point to).
    pub id: i64,
    /// The definition: key, name, unit, thresholds, window, source.
    pub def: IndicatorDef,
}

/// A recorded value with its note.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Observation {
    /// When it was measured (unix seconds, UTC).
    pub at: Timestamp,
    /// The measured value, in the indicator's unit (finite).
    pub value: f64,
    /// Note kept with the value; `None` for no note.
    pub note: Option<String>,
}

const COLUMNS: &str = "id, key, name, definition, kind, unit, direction, aggregation, window_secs, target, warn, breach, owner_role, source, metric, work_kind, min_value, max_value, min_events";

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
            min: r.get(16)?,
            max: r.get(17)?,
            min_events: r.get(18)?,
        },
    })
}

/// The definition's columns `name` to `work_kind` as bound values, in the
/// order the `indicators` table has them (what insert and update both write).
pub(crate) fn definition_columns(d: &IndicatorDef) -> rusqlite::Result<Vec<ToSqlOutput<'_>>> {
    Ok(vec![
        d.name.to_sql()?,
        d.definition.to_sql()?,
        d.kind.as_str().to_sql()?,
        d.unit.to_sql()?,
        d.direction.as_str().to_sql()?,
        d.aggregation.as_str().to_sql()?,
        d.window_secs.to_sql()?,
        d.target.to_sql()?,
        d.warn.to_sql()?,
        d.breach.to_sql()?,
        d.owner_role.to_sql()?,
        d.source.as_str().to_sql()?,
        d.metric.to_sql()?,
        d.work_kind.to_sql()?,
    ])
}

/// Inserts a new indicator definition.
pub(crate) fn insert_indicator(
    conn: &crate::store::db::Conn,
    d: &IndicatorDef,
    position: i64,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO indicators (key, name, definition, kind, unit, direction, aggregation, window_secs, target, warn, breach, owner_role, source, metric, work_kind, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        crate::store::db::params_from_iter(
            std::iter::once(d.key.to_sql()?)
                .chain(definition_columns(d)?)
                .chain([position.to_sql()?]),
        ),
    )?;
    let id = conn.last_insert_rowid();
    // The range columns came with a later schema than the starter seed,
    // which runs on schema 1 and never sets them.
    if d.min.is_some() || d.max.is_some() {
        conn.execute(
            "UPDATE indicators SET min_value = ?2, max_value = ?3 WHERE id = ?1",
            params![id, d.min, d.max],
        )?;
    }
    // Likewise `min_events`, only when set (the default needs no value).
    if let Some(n) = d.min_events {
        conn.execute(
            "UPDATE indicators SET min_events = ?1 WHERE id = ?2",
            params![n, id],
        )?;
    }
    Ok(id)
}

/// Where a value came from without a key of its own: every such value is a
/// new row (two records of the same value in the same second are two events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `opsdeck record` and the cockpit.
    Manual,
    /// The demo story.
    Demo,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Manual => "manual",
            Origin::Demo => "demo",
        }
    }
}

/// Records one value as a new row (an observation without a key is never
/// merged with another one). Returns the new row's id.
pub fn insert_observation(
    tx: &Tx<'_>,
    indicator_id: i64,
    at: Timestamp,
    value: f64,
    note: Option<&str>,
    origin: Origin,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO observations (indicator_id, at, value, note, origin, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        indicator_id,
        at,
        value,
        note,
        origin.as_str(),
        tx.actor
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Observations written per statement by a bulk import: one statement of
/// 64 rows costs SQLite far less than 64 one-row statements (the per-row
/// reset, bind and program start dominated the import's time in SQLite).
pub(crate) const BULK_ROWS: usize = 64;

/// An imported value with its identity: `origin` (`file:PATH` or `id`) and
/// `key`, unique together (see migration 0006 and the README's "the same
/// row").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewObservation {
    /// Row id of the indicator it belongs to.
    pub indicator_id: i64,
    /// When it was measured (unix seconds, UTC).
    pub at: Timestamp,
    /// The measured value, in the indicator's unit (finite).
    pub value: f64,
    /// Note kept with the value; `None` for no note.
    pub note: Option<String>,
    /// Where it came from (`manual`, `file:PATH`, `id`, `source:NAME`).
    pub origin: String,
    /// Its identity within the origin (what makes a re-import idempotent).
    pub key: String,
}

/// The origin of the rows of an import of the file known as `identity`
/// (its canonical path, or `stdin`).
pub(crate) fn file_origin(identity: &str) -> String {
    format!("file:{identity}")
}

/// The origin of the rows a scheduled source writes: a source's next run
/// replaces its own earlier values for the same indicator and time, and
/// never touches values recorded by hand or imported from files.
pub(crate) fn source_origin(name: &str) -> String {
    format!("source:{name}")
}

/// The origin of rows that carry their own `id`, whatever the file.
pub(crate) const ID_ORIGIN: &str = "id";

/// Inserts `(indicator_id, at, value)` rows as imported values without a
/// key: the benchmark dataset's feed, millions of rows at once.
pub fn bulk_insert_observations(tx: &Tx<'_>, rows: &[(i64, Timestamp, f64)]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO observations (indicator_id, at, value, origin) VALUES (?1, ?2, ?3, 'file:feed')",
    )?;
    for (id, at, v) in rows {
        stmt.execute(params![id, at, v])?;
    }
    Ok(())
}

/// The key of the `occurrence`-th row (from 0) of one file for one indicator
/// and second.
pub(crate) fn file_key(indicator_id: i64, at: Timestamp, occurrence: u32) -> String {
    format!("{indicator_id}@{at}#{occurrence}")
}

/// An upsert of `rows` rows on their identity: a new identity inserts, a
/// known one takes the new indicator, time, value and note when any differs,
/// and an identical row changes nothing. Returns the id of every row that
/// was inserted or changed.
pub(crate) fn sql_upsert_observations(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?, ?, ?)"; rows.max(1)].join(", ");
    format!(
        "INSERT INTO observations (indicator_id, at, value, note, origin, origin_key) VALUES {values}
         ON CONFLICT (origin, origin_key) WHERE origin_key IS NOT NULL DO UPDATE SET
             indicator_id = excluded.indicator_id, at = excluded.at,
             value = excluded.value, note = excluded.note
         WHERE observations.indicator_id IS DISTINCT FROM excluded.indicator_id
            OR observations.at IS DISTINCT FROM excluded.at
            OR observations.value IS DISTINCT FROM excluded.value
            OR observations.note IS DISTINCT FROM excluded.note
         RETURNING id"
    )
}

/// [`upsert_observations_with`] on a server: the rows go by COPY into a
/// temporary table (one round trip for thousands), then one `INSERT …
/// SELECT … ON CONFLICT` writes them with the same rules (a row of the same
/// origin and key replaces the earlier one only when something differs; of
/// several rows with one key in the batch, the last wins), stamped with
/// the acting user.
pub(crate) fn upsert_observations_by_copy(
    tx: &Tx<'_>,
    rows: &[NewObservation],
) -> Result<Upserted> {
    let before = max_observation_id(tx)?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS opsdeck_import
           (indicator_id BIGINT, at BIGINT, value DOUBLE PRECISION, note TEXT,
            origin TEXT, origin_key TEXT, ord BIGINT) ON COMMIT DROP;
         TRUNCATE opsdeck_import;",
    )?;
    let mut data = String::with_capacity(rows.len() * 64);
    for (i, r) in rows.iter().enumerate() {
        data.push_str(&format!(
            "{}\t{}\t{}\t",
            r.indicator_id,
            r.at,
            db::copy_real(r.value)
        ));
        match &r.note {
            Some(n) => db::copy_escape(&mut data, n),
            None => data.push_str("\\N"),
        }
        data.push('\t');
        db::copy_escape(&mut data, &r.origin);
        data.push('\t');
        db::copy_escape(&mut data, &r.key);
        data.push_str(&format!("\t{i}\n"));
    }
    db::copy_in(tx, "COPY opsdeck_import FROM STDIN", &data)?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO observations (indicator_id, at, value, note, origin, origin_key, recorded_by)
         SELECT indicator_id, at, value, note, origin, origin_key, ?1
           FROM (SELECT DISTINCT ON (origin, origin_key) * FROM opsdeck_import
                  ORDER BY origin, origin_key, ord DESC) last_of_each
          ORDER BY ord
         ON CONFLICT (origin, origin_key) WHERE origin_key IS NOT NULL DO UPDATE SET
             indicator_id = excluded.indicator_id, at = excluded.at,
             value = excluded.value, note = excluded.note
         WHERE observations.indicator_id IS DISTINCT FROM excluded.indicator_id
            OR observations.at IS DISTINCT FROM excluded.at
            OR observations.value IS DISTINCT FROM excluded.value
            OR observations.note IS DISTINCT FROM excluded.note
         RETURNING id",
    )?;
    let mut out = Upserted::default();
    let mut ids = stmt.query([tx.actor])?;
    while let Some(row) = ids.next()? {
        let id: i64 = row.get(0)?;
        if id > before {
            out.new += 1;
        } else {
            out.changed += 1;
        }
    }
    Ok(out)
}

/// What an upsert did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    /// Rows with a new identity.
    pub new: u64,
    /// Rows whose identity was known and whose content changed.
    pub changed: u64,
}

/// The largest observation id, to tell new rows from changed ones after an
/// upsert ([`upsert_observations_with`]).
pub(crate) fn max_observation_id(tx: &Tx<'_>) -> Result<i64> {
    Ok(
        tx.query_row("SELECT ifnull(max(id), 0) FROM observations", [], |r| {
            r.get(0)
        })?,
    )
}

/// Writes `rows` with a statement prepared from
/// [`sql_upsert_observations`]`(rows.len())`; ids above `before` (from
/// [`max_observation_id`] in the same transaction) are new rows.
pub(crate) fn upsert_observations_with(
    stmt: &mut crate::store::db::Stmt<'_>,
    rows: &[NewObservation],
    before: i64,
) -> Result<Upserted> {
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(rows.len() * 6);
    for r in rows {
        values.extend_from_slice(&[
            &r.indicator_id as &dyn ToSql,
            &r.at,
            &r.value,
            &r.note,
            &r.origin,
            &r.key,
        ]);
    }
    let mut out = Upserted::default();
    let mut ids = stmt.query(values)?;
    while let Some(row) = ids.next()? {
        let id: i64 = row.get(0)?;
        if id > before {
            out.new += 1;
        } else {
            out.changed += 1;
        }
    }
    Ok(out)
}

/// The hot query of every board: one indicator's values in a window, in the
/// order of its covering index (by time, then by value). The caller puts
/// values of the same time in recording order (id) so that the one recorded
/// last comes last and `last` takes it: asking SQLite for `ORDER BY at, id`
/// would sort every row in a temporary b-tree (the index holds the value
/// before the id).
pub const SQL_OBSERVATION_POINTS: &str =
    "SELECT at, id, value FROM observations WHERE indicator_id = ?1 AND at >= ?2 AND at <= ?3 ORDER BY at";

/// Every indicator's definition by row id, retired ones included (the
/// import checks each value against its indicator).
pub(crate) fn definitions_by_id(
    conn: &crate::store::db::Conn,
) -> Result<std::collections::HashMap<i64, IndicatorDef>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM indicators"))?;
    let rows = stmt.query_map([], from_row)?;
    let mut out = std::collections::HashMap::new();
    for r in rows {
        let i = r?;
        out.insert(i.id, i.def);
    }
    Ok(out)
}

impl Store {
    /// Every indicator, in board order.
    pub fn indicators(&self) -> Result<Vec<Indicator>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM indicators WHERE retired_at IS NULL ORDER BY position, id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One indicator by key.
    pub fn indicator(&self, key: &str) -> Result<Option<Indicator>> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM indicators WHERE key = ?1 AND retired_at IS NULL"
            ))?
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
            "unknown indicator '{}' (known: {}; see `opsdeck indicator list`)",
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
        if let Some(points) = self.prefetched_points(indicator_id, from, to)? {
            return Ok(points.into_iter().map(|(at, _, v)| (at, v)).collect());
        }
        let mut stmt = self.conn().prepare_cached(SQL_OBSERVATION_POINTS)?;
        let rows = stmt.query_map(params![indicator_id, from, to], |r| {
            Ok((r.get::<_, Timestamp>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
        })?;
        let mut points: Vec<(Timestamp, i64, f64)> = rows.collect::<rusqlite::Result<_>>()?;
        // Already in time order: the stable sort only reorders values of the
        // same second, by id, in one pass over sorted runs.
        points.sort_by_key(|p| (p.0, p.1));
        Ok(points.into_iter().map(|(at, _, v)| (at, v)).collect())
    }

    /// The newest `limit` observations of an indicator that carry a note.
    pub(crate) fn recent_notes(&self, indicator_id: i64, limit: usize) -> Result<Vec<Observation>> {
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
