//! Hourly and daily summaries of observations (schemas 12 and 15): how the
//! board reads a window of millions of values without reading them.
//!
//! Every change to `observations` marks its hour stale (triggers, in the
//! writer's transaction); [`refresh_stale`] recomputes the stale hours from
//! the values just before opsdeck commits, marks their days stale and
//! recomputes those from their hours, so the summaries are always those of
//! the committed values. An hour left stale by another program is never
//! trusted: the board reads that indicator's values instead.
//!
//! The board reads an indicator from its summaries when the days its two
//! windows touch hold at least [`EXACT_BELOW`] values and at least four per
//! hour with values. Each window is read from its whole days, the whole
//! hours around them, and the values of the partial hours at its ends; the
//! current window slice by slice for the sparkline (each whole hour in the
//! slice that holds its middle, a `sum` or `rate` slice scaled to its span
//! by the time it covers; a day where all its hours fall in one slice;
//! without a sparkline, for `status` and `check`, as one). Each
//! range of hours or days is summed by SQLite (one row back), and only the
//! p50 and p90 indicators read the ranges' sketches. Count, sum, mean, rate
//! and last are then exact; p50 and p90 are within
//! [`crate::domain::summary::RELATIVE_ERROR`] (1 %). Below the threshold
//! everything is computed from the values.

use super::board::{Reading, SPARK_BUCKETS};
use super::Result;
use super::Store;
use crate::domain::indicator::{status_of, trend, Aggregation, IndicatorDef};
use crate::domain::summary::{cover, Latest, Summary};
use crate::domain::{Status, Timestamp, DAY, HOUR};
use crate::store::db::Conn as Connection;
use rusqlite::{params, OptionalExtension};

/// Below this many values in the days an indicator's two windows (current
/// and previous) touch, the board reads every value: exact quantiles,
/// exact slices. So it does where those days hold fewer than four values
/// per hour with values (the summaries would not save a read).
pub const EXACT_BELOW: u64 = 1_000;

/// The migration that adds the daily summaries (schema 15).
pub(crate) const DAYS_MIGRATION: &str = include_str!("migrations/0015_observation_days.sql");

fn floor_to(at: Timestamp, unit: i64) -> Timestamp {
    at.div_euclid(unit) * unit
}

/// Throws every summary away (hours and days) and marks every hour that
/// holds values as stale, so that [`refresh_stale`] recomputes them all,
/// and their days, before the commit:
/// for a restore, which never trusts summaries that came from a file (an
/// export of an older schema has none, an edited one could lie).
pub(crate) fn rebuild_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM observation_hours;
         DELETE FROM observation_hour_sketches;
         DELETE FROM observation_hours_stale;
         DELETE FROM observation_days;
         DELETE FROM observation_day_sketches;
         DELETE FROM observation_days_stale;
         INSERT INTO observation_hours_stale (indicator_id, hour)
             SELECT DISTINCT indicator_id, at - ((at % 3600) + 3600) % 3600 FROM observations;",
    )?;
    Ok(())
}

/// Recomputes every stale hour from its values, then every stale day from
/// its hours, and clears the marks. Runs inside the writer's transaction,
/// just before it commits. Returns the number of hours recomputed.
pub(crate) fn refresh_stale(conn: &Connection) -> Result<usize> {
    refresh_stale_levels(conn, true)
}

/// [`refresh_stale`], with the days only when `days` (a database migrated
/// to the hours but not yet to the days has no table for them).
pub(crate) fn refresh_stale_levels(conn: &Connection, days: bool) -> Result<usize> {
    let hours = refresh_stale_hours(conn, days)?;
    if days {
        refresh_stale_days(conn)?;
    }
    Ok(hours)
}

fn refresh_stale_hours(conn: &Connection, days: bool) -> Result<usize> {
    if conn.is_pg() {
        return refresh_stale_hours_in_bulk(conn);
    }
    let stale: Vec<(i64, i64)> = {
        let mut stmt =
            conn.prepare_cached("SELECT indicator_id, hour FROM observation_hours_stale")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if stale.is_empty() {
        return Ok(0);
    }
    let mut values = conn.prepare_cached(
        "SELECT at, id, value FROM observations
          WHERE indicator_id = ?1 AND at >= ?2 AND at < ?3",
    )?;
    let mut put = conn.prepare_cached(
        "INSERT INTO observation_hours
           (indicator_id, hour, n, sum, min, max, last_at, last_id, last_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (indicator_id, hour) DO UPDATE SET n = excluded.n, sum = excluded.sum,
           min = excluded.min, max = excluded.max, last_at = excluded.last_at,
           last_id = excluded.last_id, last_value = excluded.last_value",
    )?;
    let mut put_sketch = conn.prepare_cached(
        "INSERT INTO observation_hour_sketches (indicator_id, hour, sketch)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (indicator_id, hour) DO UPDATE SET sketch = excluded.sketch",
    )?;
    let mut drop_hour =
        conn.prepare_cached("DELETE FROM observation_hours WHERE indicator_id = ?1 AND hour = ?2")?;
    let mut drop_sketch = conn.prepare_cached(
        "DELETE FROM observation_hour_sketches WHERE indicator_id = ?1 AND hour = ?2",
    )?;
    for &(id, hour) in &stale {
        let mut s = Summary::default();
        let mut rows = values.query(params![id, hour, hour + HOUR])?;
        while let Some(r) = rows.next()? {
            s.add(r.get(0)?, r.get(1)?, r.get(2)?);
        }
        match s.last {
            None => {
                drop_hour.execute(params![id, hour])?;
                drop_sketch.execute(params![id, hour])?;
            }
            Some(last) => {
                put.execute(params![
                    id,
                    hour,
                    s.count as i64,
                    s.sum,
                    s.min,
                    s.max,
                    last.at,
                    last.id,
                    last.value
                ])?;
                put_sketch.execute(params![id, hour, s.sketch.encode()])?;
            }
        }
        if days {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO observation_days_stale (indicator_id, day) VALUES (?1, ?2)",
            )?
            .execute(params![id, floor_to(hour, DAY)])?;
        }
    }
    conn.execute("DELETE FROM observation_hours_stale", [])?;
    tracing::debug!(hours = stale.len(), "refreshed hourly summaries");
    Ok(stale.len())
}

/// Recomputes every stale day from its hours (already up to date) and
/// clears the marks.
fn refresh_stale_days(conn: &Connection) -> Result<usize> {
    if conn.is_pg() {
        return refresh_stale_days_in_bulk(conn);
    }
    let stale: Vec<(i64, i64)> = {
        let mut stmt =
            conn.prepare_cached("SELECT indicator_id, day FROM observation_days_stale")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if stale.is_empty() {
        return Ok(0);
    }
    let mut hours = conn.prepare_cached(
        "SELECT h.hour, n, sum, min, max, last_at, last_id, last_value, s.sketch
           FROM observation_hours h
           LEFT JOIN observation_hour_sketches s USING (indicator_id, hour)
          WHERE h.indicator_id = ?1 AND h.hour >= ?2 AND h.hour < ?3",
    )?;
    let mut put = conn.prepare_cached(
        "INSERT INTO observation_days
           (indicator_id, day, n, hours, sum, min, max, last_at, last_id, last_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (indicator_id, day) DO UPDATE SET n = excluded.n, hours = excluded.hours,
           sum = excluded.sum, min = excluded.min, max = excluded.max, last_at = excluded.last_at,
           last_id = excluded.last_id, last_value = excluded.last_value",
    )?;
    let mut put_sketch = conn.prepare_cached(
        "INSERT INTO observation_day_sketches (indicator_id, day, sketch)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (indicator_id, day) DO UPDATE SET sketch = excluded.sketch",
    )?;
    let mut drop_day =
        conn.prepare_cached("DELETE FROM observation_days WHERE indicator_id = ?1 AND day = ?2")?;
    let mut drop_sketch = conn.prepare_cached(
        "DELETE FROM observation_day_sketches WHERE indicator_id = ?1 AND day = ?2",
    )?;
    for &(id, day) in &stale {
        let mut s = Summary::default();
        let mut count = 0i64;
        let mut rows = hours.query(params![id, day, day + DAY])?;
        while let Some(r) = rows.next()? {
            let hour: i64 = r.get(0)?;
            let last = Latest {
                at: r.get(5)?,
                id: r.get(6)?,
                value: r.get(7)?,
            };
            s.merge_parts(
                r.get::<_, i64>(1)? as u64,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                Some(last),
            );
            let bytes = r.blob(8)?;
            let bytes = &bytes[..];
            s.sketch
                .merge_encoded(bytes)
                .ok_or_else(|| not_a_sketch("observation_hour_sketches", id, hour))?;
            count += 1;
        }
        match s.last {
            None => {
                drop_day.execute(params![id, day])?;
                drop_sketch.execute(params![id, day])?;
            }
            Some(last) => {
                put.execute(params![
                    id,
                    day,
                    s.count as i64,
                    count,
                    s.sum,
                    s.min,
                    s.max,
                    last.at,
                    last.id,
                    last.value
                ])?;
                put_sketch.execute(params![id, day, s.sketch.encode()])?;
            }
        }
    }
    conn.execute("DELETE FROM observation_days_stale", [])?;
    tracing::debug!(days = stale.len(), "refreshed daily summaries");
    Ok(stale.len())
}

/// [`refresh_stale_hours`] on a server, where every statement is a round
/// trip: the values of every stale hour read per indicator in one range,
/// summarised here, the old summaries deleted in one statement and the new
/// ones written with COPY; then the days of those hours marked stale. Same
/// summaries, summed in the same order.
fn refresh_stale_hours_in_bulk(conn: &Connection) -> Result<usize> {
    let (marks, stale) = marks_by_indicator(conn, "observation_hours_stale", "hour")?;
    if stale == 0 {
        return Ok(0);
    }
    let mut summaries: std::collections::BTreeMap<(i64, i64), Summary> =
        std::collections::BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT at, id, value FROM observations
          WHERE indicator_id = ?1 AND at >= ?2 AND at < ?3
          ORDER BY at, value, id",
    )?;
    for (id, hours) in &marks {
        let (first, last) = (hours.first(), hours.last());
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let mut rows = stmt.query(params![id, first, last + HOUR])?;
        while let Some(r) = rows.next()? {
            let at: i64 = r.get(0)?;
            let hour = floor_to(at, HOUR);
            if hours.contains(&hour) {
                summaries
                    .entry((*id, hour))
                    .or_default()
                    .add(at, r.get(1)?, r.get(2)?);
            }
        }
    }
    conn.execute_batch(
        "DELETE FROM observation_hours h USING observation_hours_stale s
          WHERE h.indicator_id = s.indicator_id AND h.hour = s.hour;
         DELETE FROM observation_hour_sketches h USING observation_hours_stale s
          WHERE h.indicator_id = s.indicator_id AND h.hour = s.hour;
         INSERT INTO observation_days_stale (indicator_id, day)
           SELECT DISTINCT indicator_id, hour - (((hour % 86400) + 86400) % 86400)
             FROM observation_hours_stale
           ON CONFLICT DO NOTHING;
         DELETE FROM observation_hours_stale;",
    )?;
    copy_summaries(
        conn,
        "hour",
        summaries.iter().map(|((id, at), s)| (*id, *at, None, s)),
    )?;
    tracing::debug!(hours = stale, "refreshed hourly summaries in bulk");
    Ok(stale)
}

/// [`refresh_stale_days`] on a server, as [`refresh_stale_hours_in_bulk`]:
/// each stale day merged from its hours.
fn refresh_stale_days_in_bulk(conn: &Connection) -> Result<usize> {
    let (marks, stale) = marks_by_indicator(conn, "observation_days_stale", "day")?;
    if stale == 0 {
        return Ok(0);
    }
    let mut summaries: std::collections::BTreeMap<(i64, i64), (Summary, i64)> =
        std::collections::BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT h.hour, h.n, h.sum, h.min, h.max, h.last_at, h.last_id, h.last_value, k.sketch
           FROM observation_hours h
           LEFT JOIN observation_hour_sketches k
             ON k.indicator_id = h.indicator_id AND k.hour = h.hour
          WHERE h.indicator_id = ?1 AND h.hour >= ?2 AND h.hour < ?3
          ORDER BY h.hour",
    )?;
    for (id, days) in &marks {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            continue;
        };
        let mut rows = stmt.query(params![id, first, last + DAY])?;
        while let Some(r) = rows.next()? {
            let hour: i64 = r.get(0)?;
            let day = floor_to(hour, DAY);
            if !days.contains(&day) {
                continue;
            }
            let (summary, hours) = summaries.entry((*id, day)).or_default();
            let last = Latest {
                at: r.get(5)?,
                id: r.get(6)?,
                value: r.get(7)?,
            };
            summary.merge_parts(
                r.get::<_, i64>(1)? as u64,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                Some(last),
            );
            summary
                .sketch
                .merge_encoded(&r.blob(8)?)
                .ok_or_else(|| not_a_sketch("observation_hour_sketches", *id, hour))?;
            *hours += 1;
        }
    }
    conn.execute_batch(
        "DELETE FROM observation_days h USING observation_days_stale s
          WHERE h.indicator_id = s.indicator_id AND h.day = s.day;
         DELETE FROM observation_day_sketches h USING observation_days_stale s
          WHERE h.indicator_id = s.indicator_id AND h.day = s.day;
         DELETE FROM observation_days_stale;",
    )?;
    copy_summaries(
        conn,
        "day",
        summaries
            .iter()
            .map(|((id, at), (s, hours))| (*id, *at, Some(*hours), s)),
    )?;
    tracing::debug!(days = stale, "refreshed daily summaries in bulk");
    Ok(stale)
}

/// The stale marks of `table` (column `unit`: `hour` or `day`) per
/// indicator, in order, and how many there are.
fn marks_by_indicator(
    conn: &Connection,
    table: &str,
    unit: &str,
) -> Result<(
    std::collections::BTreeMap<i64, std::collections::BTreeSet<i64>>,
    usize,
)> {
    let mut stmt = conn.prepare_cached(&format!("SELECT indicator_id, {unit} FROM {table}"))?;
    let mut marks: std::collections::BTreeMap<i64, std::collections::BTreeSet<i64>> =
        std::collections::BTreeMap::new();
    let mut n = 0;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (id, at) = row?;
        marks.entry(id).or_default().insert(at);
        n += 1;
    }
    Ok((marks, n))
}

/// Writes summaries `(indicator, start, hours in it (days only), summary)`
/// of one level (`unit`: `hour` or `day`) with COPY into
/// `observation_{unit}s` and `observation_{unit}_sketches`. A summary with
/// no value (every value of its span withdrawn) is not written.
fn copy_summaries<'s>(
    conn: &Connection,
    unit: &str,
    summaries: impl Iterator<Item = (i64, i64, Option<i64>, &'s Summary)>,
) -> Result<()> {
    use super::db::{copy_bytes, copy_line, copy_real};
    let mut rows = String::new();
    let mut sketches = String::new();
    for (id, at, hours, s) in summaries {
        let Some(last) = s.last else { continue };
        let mut fields = vec![id.to_string(), at.to_string(), s.count.to_string()];
        fields.extend(hours.map(|h| h.to_string()));
        fields.extend([
            copy_real(s.sum),
            copy_real(s.min),
            copy_real(s.max),
            last.at.to_string(),
            last.id.to_string(),
            copy_real(last.value),
        ]);
        rows.push_str(&copy_line(&fields));
        sketches.push_str(&copy_line(&[
            id.to_string(),
            at.to_string(),
            copy_bytes(&s.sketch.encode()),
        ]));
    }
    let hours = if unit == "day" { ", hours" } else { "" };
    super::db::copy_in(
        conn,
        &format!("COPY observation_{unit}s (indicator_id, {unit}, n{hours}, sum, min, max, last_at, last_id, last_value) FROM STDIN"),
        &rows,
    )?;
    super::db::copy_in(
        conn,
        &format!("COPY observation_{unit}_sketches (indicator_id, {unit}, sketch) FROM STDIN"),
        &sketches,
    )?;
    Ok(())
}

fn not_a_sketch(table: &str, id: i64, at: Timestamp) -> super::StoreError {
    super::StoreError::Invalid(format!("{table}: indicator {id}, {at}: not a sketch"))
}

/// The values of `[from, to)` of one indicator, folded into `into` by the
/// slice each falls in (`slice_of`).
fn fold_values(
    conn: &Connection,
    id: i64,
    (from, to): (Timestamp, Timestamp),
    mut into: impl FnMut(Timestamp, i64, f64),
) -> Result<()> {
    if from >= to {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT at, id, value FROM observations
          WHERE indicator_id = ?1 AND at >= ?2 AND at < ?3",
    )?;
    let mut rows = stmt.query(params![id, from, to])?;
    while let Some(r) = rows.next()? {
        into(r.get(0)?, r.get(1)?, r.get(2)?);
    }
    Ok(())
}

/// What the board needs of one window: its summary and its slices, with
/// the seconds each slice's summary covers (whole hours go to the slice
/// that holds their middle, so a slice may cover more or less than its
/// span).
struct Window {
    total: Summary,
    slices: Vec<Summary>,
    covered: Vec<i64>,
}

/// A level of summaries: its queries (count, sum and extremes of a range;
/// the latest value of a range; the sketches of a range).
struct Level {
    totals: &'static str,
    latest: &'static str,
    sketches: &'static str,
    table: &'static str,
}

const HOURS: Level = Level {
    totals: "SELECT ifnull(sum(n), 0), ifnull(sum(sum), 0), min(min), max(max)
               FROM observation_hours WHERE indicator_id = ?1 AND hour >= ?2 AND hour < ?3",
    latest: "SELECT last_at, last_id, last_value FROM observation_hours
              WHERE indicator_id = ?1 AND hour >= ?2 AND hour < ?3 ORDER BY hour DESC LIMIT 1",
    sketches: "SELECT hour, sketch FROM observation_hour_sketches
                WHERE indicator_id = ?1 AND hour >= ?2 AND hour < ?3",
    table: "observation_hour_sketches",
};

const DAYS: Level = Level {
    totals: "SELECT ifnull(sum(n), 0), ifnull(sum(sum), 0), min(min), max(max)
               FROM observation_days WHERE indicator_id = ?1 AND day >= ?2 AND day < ?3",
    latest: "SELECT last_at, last_id, last_value FROM observation_days
              WHERE indicator_id = ?1 AND day >= ?2 AND day < ?3 ORDER BY day DESC LIMIT 1",
    sketches: "SELECT day, sketch FROM observation_day_sketches
                WHERE indicator_id = ?1 AND day >= ?2 AND day < ?3",
    table: "observation_day_sketches",
};

/// Reads one indicator's ranges of summaries, with only what its
/// aggregation needs.
struct Reader<'c> {
    conn: &'c Connection,
    id: i64,
    /// `last` reads the latest value of each range.
    latest: bool,
    /// p50 and p90 read the sketches.
    sketches: bool,
}

impl Reader<'_> {
    /// Adds the summaries of `level` in `[from, to)` to `into`.
    fn range(
        &self,
        level: &Level,
        (from, to): (Timestamp, Timestamp),
        into: &mut Summary,
    ) -> Result<()> {
        if from >= to {
            return Ok(());
        }
        let (n, sum, min, max): (i64, f64, Option<f64>, Option<f64>) = self
            .conn
            .prepare_cached(level.totals)?
            .query_row(params![self.id, from, to], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        if n == 0 {
            return Ok(());
        }
        let last = if self.latest {
            self.conn
                .prepare_cached(level.latest)?
                .query_row(params![self.id, from, to], |r| {
                    Ok(Latest {
                        at: r.get(0)?,
                        id: r.get(1)?,
                        value: r.get(2)?,
                    })
                })
                .optional()?
        } else {
            None
        };
        into.merge_parts(
            n as u64,
            sum,
            min.unwrap_or(f64::NAN),
            max.unwrap_or(f64::NAN),
            last,
        );
        if self.sketches {
            let mut stmt = self.conn.prepare_cached(level.sketches)?;
            let mut rows = stmt.query(params![self.id, from, to])?;
            while let Some(r) = rows.next()? {
                let bytes = r.blob(1)?;
                let bytes = &bytes[..];
                into.sketch
                    .merge_encoded(bytes)
                    .ok_or_else(|| not_a_sketch(level.table, self.id, r.get(0).unwrap_or(0)))?;
            }
        }
        Ok(())
    }

    /// The summary of `[from, to)` and of its `slices` equal slices: the
    /// partial hours at the ends from the values, the whole hours from the
    /// hours (each in the slice holding its middle), the whole days of a
    /// slice from the days.
    fn window(&self, (from, to): (Timestamp, Timestamp), slices: usize) -> Result<Window> {
        let c = cover(from, to, HOUR);
        let span = (to - from) as f64 / slices as f64;
        let slice_of = |at: Timestamp| -> usize {
            ((((at - from) as f64) / span).max(0.0) as usize).min(slices - 1)
        };
        let mut parts = vec![Summary::default(); slices];
        for range in [c.head, c.tail] {
            fold_values(self.conn, self.id, range, |at, row, v| {
                parts[slice_of(at)].add(at, row, v)
            })?;
        }
        // The seconds each slice's summary covers: the partial hours at the
        // ends where their values fall, each whole hour in one slice.
        let mut covered = vec![0_i64; slices];
        for (a, b) in [c.head, c.tail] {
            let mut t = a;
            while t < b {
                let s = slice_of(t);
                let next = (from + ((s + 1) as f64 * span).ceil() as i64).clamp(t + 1, b);
                covered[s] += next - t;
                t = next;
            }
        }
        // Runs of whole hours whose middles fall in the same slice (one run
        // for one slice), each read as its whole days and the hours around
        // them: a day's summary is the merge of its hours, so the result is
        // the same as hour by hour.
        let (h0, h1) = c.hours;
        let mut start = h0;
        while start < h1 {
            let s = slice_of(start + HOUR / 2);
            let mut end = start + HOUR;
            while end < h1 && slice_of(end + HOUR / 2) == s {
                end += HOUR;
            }
            covered[s] += end - start;
            let d = cover(start, end, DAY);
            for (level, range) in [(&HOURS, d.head), (&DAYS, d.hours), (&HOURS, d.tail)] {
                self.range(level, range, &mut parts[s])?;
            }
            start = end;
        }
        let mut total = Summary::default();
        parts.iter().for_each(|p| total.merge(p));
        Ok(Window {
            total,
            slices: parts,
            covered,
        })
    }
}

/// The sparkline of a window read from the summaries. A `sum` or `rate`
/// slice is scaled to its span by the time its summary covers, then all of
/// them by one factor so that they still add up to the window's: where
/// slices are not whole hours (1.5 hours for a 1-day window) an hour counts
/// whole in one slice, and a steady feed would otherwise draw a sawtooth of
/// two hours and one.
fn spark_slices(
    w: &Window,
    aggregation: Aggregation,
    span: f64,
    slice_secs: i64,
) -> Vec<Option<f64>> {
    let raw: Vec<Option<f64>> = w
        .slices
        .iter()
        .map(|s| s.aggregate(aggregation, slice_secs))
        .collect();
    if !matches!(aggregation, Aggregation::Sum | Aggregation::Rate) {
        return raw;
    }
    let scaled: Vec<Option<f64>> = raw
        .iter()
        .zip(&w.covered)
        .map(|(v, covered)| match (v, *covered) {
            (Some(v), c) if c > 0 => Some(v * span / c as f64),
            (v, _) => *v,
        })
        .collect();
    let total_raw: f64 = raw.iter().flatten().sum();
    let total_scaled: f64 = scaled.iter().flatten().sum();
    if total_scaled == 0.0 || !total_scaled.is_finite() {
        return raw;
    }
    let keep = total_raw / total_scaled;
    scaled.into_iter().map(|v| v.map(|v| v * keep)).collect()
}

impl Store {
    /// One indicator read from its summaries at `now`, or `None` when it
    /// must be read from its values: fewer than [`EXACT_BELOW`] values in
    /// the days its two windows touch, or an hour left stale by another
    /// program.
    /// Without `spark`, the current window is read like the previous one
    /// (whole days) and the reading has no sparkline.
    pub(crate) fn reading_from_hours(
        &self,
        id: i64,
        def: &IndicatorDef,
        now: Timestamp,
        spark: bool,
    ) -> Result<Option<Reading>> {
        self.reading_from_hours_above(id, def, now, EXACT_BELOW, spark)
    }

    /// [`Store::reading_from_hours`] with the threshold as a parameter.
    fn reading_from_hours_above(
        &self,
        id: i64,
        def: &IndicatorDef,
        now: Timestamp,
        exact_below: u64,
        spark: bool,
    ) -> Result<Option<Reading>> {
        let conn = self.conn();
        let w = def.window_secs;
        // Current window (now - w, now], previous (now - 2w, now - w], as
        // half-open ranges of whole seconds.
        let (lo, mid, hi) = (now - 2 * w + 1, now - w + 1, now + 1);
        let (lo_day, hi_day) = (floor_to(lo, DAY), floor_to(hi - 1, DAY) + DAY);
        let prefetched = self.prefetched_days(id, lo_day, hi_day);
        let stale: bool = match prefetched {
            Some((stale, _, _)) => stale,
            None => conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM observation_hours_stale WHERE indicator_id = ?1)
                     OR EXISTS (SELECT 1 FROM observation_days_stale WHERE indicator_id = ?1)",
                )?
                .query_row([id], |r| r.get(0))?,
        };
        if stale {
            return Ok(None);
        }
        // How many values and hours with values the days of both windows
        // hold: where there are few values, or about as many hours as
        // values (a sparse indicator), the values are read instead, as
        // cheaply.
        let (n, hours): (i64, i64) = match prefetched {
            Some((_, n, hours)) => (n, hours),
            None => conn
                .prepare_cached(
                    "SELECT ifnull(sum(n), 0), ifnull(sum(hours), 0) FROM observation_days
                      WHERE indicator_id = ?1 AND day >= ?2 AND day < ?3",
                )?
                .query_row(params![id, lo_day, hi_day], |r| Ok((r.get(0)?, r.get(1)?)))?,
        };
        if (n as u64) < exact_below || hours * 4 > n {
            return Ok(None);
        }
        let reader = Reader {
            conn,
            id,
            latest: def.aggregation == Aggregation::Last,
            sketches: matches!(def.aggregation, Aggregation::P50 | Aggregation::P90),
        };
        let previous = reader.window((lo, mid), 1)?;
        let slices = if spark { SPARK_BUCKETS } else { 1 };
        let current = reader.window((mid, hi), slices)?;
        let value = current.total.aggregate(def.aggregation, w);
        let prev = previous.total.aggregate(def.aggregation, w);
        let events = current.total.count as usize;
        let min_events = def.min_events() as usize;
        let status = if events < min_events {
            Status::NoData
        } else {
            status_of(value, def.direction, def.warn, def.breach)
        };
        let span = w as f64 / SPARK_BUCKETS as f64;
        let slice_secs = span.max(1.0) as i64;
        Ok(Some(Reading {
            id,
            def: def.clone(),
            value,
            previous: prev,
            status,
            trend: trend(value, prev, def.direction),
            events,
            min_events,
            spark: match spark {
                true => spark_slices(&current, def.aggregation, span, slice_secs),
                false => Vec::new(),
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::{Direction, Kind, Source};
    use crate::domain::summary::RELATIVE_ERROR;
    use crate::domain::test_rng::Rng;
    use crate::domain::DAY;
    use crate::store::board::reading_from_points;
    use crate::store::indicators::{insert_indicator, insert_observation, Origin};

    const NOW: Timestamp = 1_795_510_800 + 1234;

    fn def(key: &str, aggregation: Aggregation) -> IndicatorDef {
        IndicatorDef {
            key: key.into(),
            name: key.into(),
            definition: "d".into(),
            kind: Kind::Leading,
            unit: "u".into(),
            direction: Direction::Higher,
            aggregation,
            window_secs: 7 * DAY,
            target: 50.0,
            warn: 30.0,
            breach: 20.0,
            owner_role: "ops".into(),
            min_events: None,
            source: Source::Observations,
            metric: None,
            work_kind: None,
            min: None,
            max: None,
        }
    }

    /// One indicator of each aggregation, each with `n` values over its two
    /// windows (and a few outside), at random seconds.
    fn store_with_values(n: usize) -> (Store, Vec<(i64, IndicatorDef)>) {
        let mut store = Store::open_in_memory_at("test", NOW).unwrap();
        let aggs = [
            Aggregation::Last,
            Aggregation::Mean,
            Aggregation::Sum,
            Aggregation::P50,
            Aggregation::P90,
            Aggregation::Rate,
        ];
        let defs = store
            .write(|tx| -> Result<Vec<(i64, IndicatorDef)>> {
                let mut rng = Rng::new(42);
                let mut out = Vec::new();
                for (k, agg) in aggs.iter().enumerate() {
                    let d = def(&format!("h{k}"), *agg);
                    let id = insert_indicator(tx, &d, 100 + k as i64)?;
                    for _ in 0..n {
                        let at = NOW - 15 * DAY + rng.below(15 * DAY as u64 + 60) as i64;
                        let v = (40.0 + 12.0 * rng.normal()).max(0.5);
                        insert_observation(tx, id, at, v, None, Origin::Manual)?;
                    }
                    out.push((id, d));
                }
                Ok(out)
            })
            .unwrap();
        (store, defs)
    }

    /// Every column of both tables, by indicator and hour.
    type Row = (i64, i64, i64, f64, f64, f64, i64, i64, f64, Vec<u8>);

    fn hours_table(store: &Store) -> Vec<Row> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT h.indicator_id, h.hour, n, sum, min, max, last_at, last_id, last_value, s.sketch
                   FROM observation_hours h JOIN observation_hour_sketches s USING (indicator_id, hour)
                  ORDER BY 1, 2",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            })
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    /// Every column of both day tables, by indicator and day.
    type DayRow = (i64, i64, i64, i64, f64, f64, f64, i64, i64, f64, Vec<u8>);

    fn days_table(store: &Store) -> Vec<DayRow> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT d.indicator_id, d.day, n, hours, sum, min, max, last_at, last_id, last_value, s.sketch
                   FROM observation_days d JOIN observation_day_sketches s USING (indicator_id, day)
                  ORDER BY 1, 2",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    /// The days as recomputed from nothing by [`rebuild_all`] (from the
    /// values, through the hours), in a transaction rolled back afterwards.
    fn days_from_scratch(store: &Store) -> Vec<DayRow> {
        let conn = store.conn();
        conn.begin_write().unwrap();
        rebuild_all(conn).unwrap();
        refresh_stale(conn).unwrap();
        let rows = days_table(store);
        conn.rollback().unwrap();
        rows
    }

    /// The summaries kept equal those recomputed from the values, at both
    /// levels, and a day is the merge of its hours.
    fn assert_summaries_are_those_of_the_values(store: &Store) {
        assert_eq!(hours_table(store), hours_from_scratch(store));
        let days = days_table(store);
        assert_eq!(days, days_from_scratch(store));
        let hours = hours_table(store);
        for d in &days {
            let of_day: Vec<_> = hours
                .iter()
                .filter(|h| h.0 == d.0 && h.1 >= d.1 && h.1 < d.1 + DAY)
                .collect();
            assert_eq!(d.3 as usize, of_day.len(), "hours of day {}", d.1);
            assert_eq!(d.2, of_day.iter().map(|h| h.2).sum::<i64>());
        }
    }

    /// The hours as recomputed from nothing by [`rebuild_all`] (what a
    /// restore does), in a transaction rolled back afterwards.
    fn hours_from_scratch(store: &Store) -> Vec<Row> {
        let conn = store.conn();
        conn.begin_write().unwrap();
        rebuild_all(conn).unwrap();
        refresh_stale(conn).unwrap();
        let rows = hours_table(store);
        conn.rollback().unwrap();
        rows
    }

    #[test]
    fn the_board_from_hours_agrees_with_the_board_from_every_value() {
        let (store, defs) = store_with_values(3_000);
        // With the sparkline (the current window by hours) and without (by
        // days); the previous window by days either way.
        for (spark, (id, d)) in [true, false]
            .into_iter()
            .flat_map(|s| defs.iter().map(move |d| (s, d)))
        {
            let from_hours = store
                .reading_from_hours_above(*id, d, NOW, 1, spark)
                .unwrap()
                .expect("read from the hours");
            let points = store
                .observation_points(*id, NOW - 2 * d.window_secs, NOW)
                .unwrap();
            let exact = reading_from_points(*id, d, &points, NOW);
            assert_eq!(from_hours.events, exact.events, "{:?}", d.aggregation);
            let close = |a: Option<f64>, b: Option<f64>, tol: f64| {
                let (a, b) = (a.unwrap(), b.unwrap());
                assert!(
                    (a - b).abs() <= tol * b.abs().max(1e-9),
                    "{:?}: {a} vs {b}",
                    d.aggregation
                );
            };
            let tol = match d.aggregation {
                Aggregation::P50 | Aggregation::P90 => crate::domain::summary::RELATIVE_ERROR,
                _ => 1e-9,
            };
            close(from_hours.value, exact.value, tol);
            close(from_hours.previous, exact.previous, tol);
            assert_eq!(from_hours.status, exact.status);
            if !spark {
                assert!(from_hours.spark.is_empty());
                continue;
            }
            assert_eq!(from_hours.spark.len(), SPARK_BUCKETS);
            if d.aggregation == Aggregation::Sum {
                let total: f64 = from_hours.spark.iter().flatten().sum();
                close(Some(total), exact.value, 1e-9);
            }
        }
        // Below the threshold the board reads the values; above it, the hours.
        let (id, d) = &defs[0];
        assert!(store
            .reading_from_hours_above(*id, d, NOW, 10_000, true)
            .unwrap()
            .is_none());
        assert!(store
            .reading_from_hours(*id, d, NOW, true)
            .unwrap()
            .is_some());
    }

    /// A steady feed (one value a minute) of a `sum` over one day: its
    /// sparkline's slices are 1.5 hours, so slice boundaries cut hours.
    /// Read from the summaries, every slice is within 2 % of the one read
    /// from the values and the line is flat (an hour counted whole in one
    /// slice, unscaled, made it alternate two hours and one: a sawtooth).
    #[test]
    fn a_steady_feed_draws_the_same_sparkline_from_the_summaries() {
        let mut store = Store::open_in_memory_at("test", NOW).unwrap();
        let mut d = def("signups", Aggregation::Sum);
        d.window_secs = DAY;
        let id = store
            .write(|tx| -> Result<i64> {
                let id = insert_indicator(tx, &d, 100)?;
                for m in 0..2 * 24 * 60 {
                    insert_observation(tx, id, NOW - 2 * DAY + m * 60, 1.0, None, Origin::Manual)?;
                }
                Ok(id)
            })
            .unwrap();
        let from_hours = store
            .reading_from_hours_above(id, &d, NOW, 1, true)
            .unwrap()
            .expect("read from the summaries");
        let points = store.observation_points(id, NOW - 2 * DAY, NOW).unwrap();
        let exact = reading_from_points(id, &d, &points, NOW);
        // Each slice within 2 % of the one read from the values (a slice's
        // hours are scaled to its span), and the line flat.
        for (a, b) in from_hours.spark.iter().zip(&exact.spark) {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert!(
                (a - b).abs() <= 0.02 * b,
                "{:?} vs {:?}",
                from_hours.spark,
                exact.spark
            );
        }
        let slices: Vec<f64> = from_hours.spark.iter().flatten().copied().collect();
        let (lo, hi) = slices
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        assert!(hi - lo <= 1.0, "a flat feed, flat slices: {slices:?}");
    }

    #[test]
    fn the_boards_p50_and_p90_through_the_summaries_are_within_the_bound() {
        // A fixed dataset dense enough for the summaries (20,000 values of
        // each indicator over 15 days: about 55 an hour), spread over two
        // orders of magnitude so that the sketch's bins matter.
        let mut store = Store::open_in_memory_at("test", NOW).unwrap();
        let defs = store
            .write(|tx| -> Result<Vec<(i64, IndicatorDef)>> {
                let mut rng = Rng::new(7);
                let mut out = Vec::new();
                for (k, agg) in [Aggregation::P50, Aggregation::P90].iter().enumerate() {
                    let mut d = def(&format!("q{k}"), *agg);
                    d.window_secs = [7, 3][k] * DAY;
                    let id = insert_indicator(tx, &d, 100 + k as i64)?;
                    for _ in 0..20_000 {
                        let at = NOW - 15 * DAY + rng.below(15 * DAY as u64) as i64;
                        let v = (3.0 + 1.2 * rng.normal()).exp();
                        insert_observation(tx, id, at, v, None, Origin::Manual)?;
                    }
                    out.push((id, d));
                }
                Ok(out)
            })
            .unwrap();
        let exact_of = |id: i64, from: Timestamp, to: Timestamp, q: f64| {
            let values: Vec<f64> = store
                .observation_points(id, from, to)
                .unwrap()
                .into_iter()
                .filter(|p| p.0 > from)
                .map(|p| p.1)
                .collect();
            crate::domain::indicator::percentile(values, q).unwrap()
        };
        let with_spark = store.indicator_board(NOW).unwrap();
        let totals = store.indicator_board_totals(NOW).unwrap();
        for (id, d) in &defs {
            assert!(
                store
                    .reading_from_hours(*id, d, NOW, true)
                    .unwrap()
                    .is_some(),
                "{}: read from the summaries",
                d.key
            );
            let q = if d.aggregation == Aggregation::P50 {
                0.5
            } else {
                0.9
            };
            let w = d.window_secs;
            let exact = exact_of(*id, NOW - w, NOW, q);
            let exact_prev = exact_of(*id, NOW - 2 * w, NOW - w, q);
            for board in [&with_spark, &totals] {
                let r = board.readings.iter().find(|r| r.id == *id).unwrap();
                for (got, want) in [(r.value, exact), (r.previous, exact_prev)] {
                    let got = got.unwrap();
                    assert!(
                        (got - want).abs() <= RELATIVE_ERROR * want,
                        "{}: {got} vs exact {want}",
                        d.key
                    );
                }
            }
        }
    }

    #[test]
    fn every_range_query_seeks_its_primary_key() {
        let store = Store::open_in_memory_at("test", NOW).unwrap();
        for level in [&HOURS, &DAYS] {
            for sql in [level.totals, level.latest, level.sketches] {
                let mut stmt = store
                    .conn()
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .unwrap();
                let plan: Vec<String> = stmt
                    .query_map([0, 0, 0], |r| r.get(3))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                let plan = plan.join("\n");
                assert!(
                    plan.contains("SEARCH") && plan.contains("PRIMARY KEY"),
                    "{sql}: {plan}"
                );
                assert!(
                    !plan.contains("SCAN") && !plan.contains("TEMP B-TREE"),
                    "{sql}: {plan}"
                );
            }
        }
    }

    #[test]
    fn values_of_the_same_second_come_in_recording_order() {
        let mut store = Store::open_in_memory_at("test", NOW).unwrap();
        let d = def("tie", Aggregation::Last);
        let id = store
            .write(|tx| -> Result<i64> {
                let id = insert_indicator(tx, &d, 100)?;
                // Recorded later, smaller: the index holds it first.
                for v in [9.0, 5.0, 7.0, 1.0] {
                    insert_observation(tx, id, NOW - 60, v, None, Origin::Manual)?;
                }
                insert_observation(tx, id, NOW - 120, 3.0, None, Origin::Manual)?;
                Ok(id)
            })
            .unwrap();
        let points = store.observation_points(id, NOW - DAY, NOW).unwrap();
        let values: Vec<f64> = points.iter().map(|p| p.1).collect();
        assert_eq!(values, [3.0, 9.0, 5.0, 7.0, 1.0]);
        let r = reading_from_points(id, &d, &points, NOW);
        assert_eq!(r.value, Some(1.0), "last takes the one recorded last");
    }

    #[test]
    fn every_write_leaves_the_hours_those_of_the_values() {
        let (mut store, defs) = store_with_values(3_000);
        assert!(!hours_table(&store).is_empty());
        assert!(!days_table(&store).is_empty());
        assert_summaries_are_those_of_the_values(&store);
        let id = defs[1].0;
        let (a, b): (i64, i64) = store
            .conn()
            .query_row(
                "SELECT min(id), max(id) FROM observations WHERE indicator_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        // A correction, a withdrawal and a move to another hour.
        store
            .write(|tx| -> Result<()> {
                crate::store::observations::correct_observation(tx, a, 99.5, "typo", NOW)?;
                crate::store::observations::withdraw_observation(tx, b, "wrong", NOW)?;
                tx.execute(
                    "UPDATE observations SET at = at - 7200 WHERE id = ?1 + 1",
                    [a],
                )?;
                Ok(())
            })
            .unwrap();
        assert_summaries_are_those_of_the_values(&store);
        // Another program's write leaves its hour stale: never trusted.
        store
            .conn()
            .execute(
                "INSERT INTO observations (indicator_id, at, value) VALUES (?1, ?2, 1e6)",
                params![id, NOW - 60],
            )
            .unwrap();
        assert!(store
            .reading_from_hours_above(id, &defs[1].1, NOW, 1, true)
            .unwrap()
            .is_none());
        // The next write of opsdeck brings it up to date.
        store
            .write(|tx| insert_observation(tx, defs[0].0, NOW, 1.0, None, Origin::Manual))
            .unwrap();
        assert_summaries_are_those_of_the_values(&store);
        let r = store
            .reading_from_hours_above(id, &defs[1].1, NOW, 1, true)
            .unwrap()
            .unwrap();
        let pts = store.observation_points(id, NOW - 14 * DAY, NOW).unwrap();
        let exact = reading_from_points(id, &defs[1].1, &pts, NOW);
        assert!((r.value.unwrap() - exact.value.unwrap()).abs() < 1e-6);
        // Deleting every value of an indicator leaves no hours behind.
        store
            .write(|tx| -> Result<()> {
                tx.execute("DELETE FROM observations WHERE indicator_id = ?1", [id])?;
                Ok(())
            })
            .unwrap();
        assert!(hours_table(&store).iter().all(|h| h.0 != id));
        assert!(days_table(&store).iter().all(|d| d.0 != id));
        assert_summaries_are_those_of_the_values(&store);
    }
}
