//! Hourly summaries of observations (schema 12): how the board reads a
//! window of millions of values without reading them.
//!
//! Every change to `observations` marks its hour stale (triggers, in the
//! writer's transaction); [`refresh_stale`] recomputes the stale hours from
//! the values just before opsdeck commits, so the summaries are always
//! those of the committed values. An hour left stale by another program is
//! never trusted: the board reads that indicator's values instead.
//!
//! The board reads an indicator from its summaries when its two windows
//! hold at least [`EXACT_BELOW`] values: the whole hours of each window come
//! from the summaries (merged in SQL, or sketch by sketch for p50 and p90),
//! the partial hours at the windows' ends from the values themselves. Count,
//! sum, mean, rate and last are then exact; p50 and p90 are within
//! [`crate::domain::summary::RELATIVE_ERROR`] (1 %); the sparkline's slices
//! start on the hour (each whole hour counts in the slice that holds its
//! middle). Below [`EXACT_BELOW`] everything is computed from the values.

use super::board::{Reading, SPARK_BUCKETS};
use super::Result;
use super::Store;
use crate::domain::indicator::{status_of, trend, Aggregation, IndicatorDef};
use crate::domain::summary::{Latest, Sketch, Summary};
use crate::domain::{Status, Timestamp, HOUR};
use rusqlite::{params, Connection};

/// Below this many values in an indicator's two windows (current and
/// previous), the board reads every value: exact quantiles, exact slices.
/// So it does where the windows hold fewer than four values per hour with
/// values (the summaries would not save a read).
pub const EXACT_BELOW: u64 = 1_000;

fn hour_of(at: Timestamp) -> Timestamp {
    at.div_euclid(HOUR) * HOUR
}

/// Throws every summary away and marks every hour that holds values as
/// stale, so that [`refresh_stale`] recomputes them all before the commit:
/// for a restore, which never trusts summaries that came from a file (an
/// export of an older schema has none, an edited one could lie).
pub(crate) fn rebuild_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM observation_hours;
         DELETE FROM observation_hour_sketches;
         DELETE FROM observation_hours_stale;
         INSERT INTO observation_hours_stale (indicator_id, hour)
             SELECT DISTINCT indicator_id, at - ((at % 3600) + 3600) % 3600 FROM observations;",
    )?;
    Ok(())
}

/// Recomputes every stale hour from its values and clears the marks. Runs
/// inside the writer's transaction, just before it commits.
pub(crate) fn refresh_stale(conn: &Connection) -> Result<usize> {
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
        "INSERT OR REPLACE INTO observation_hours
           (indicator_id, hour, n, sum, min, max, last_at, last_id, last_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut put_sketch = conn.prepare_cached(
        "INSERT OR REPLACE INTO observation_hour_sketches (indicator_id, hour, sketch)
         VALUES (?1, ?2, ?3)",
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
    }
    conn.execute("DELETE FROM observation_hours_stale", [])?;
    tracing::debug!(hours = stale.len(), "refreshed hourly summaries");
    Ok(stale.len())
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

/// What the board needs of one window: its summary and its slices.
struct Window {
    total: Summary,
    slices: Vec<Summary>,
}

impl Store {
    /// One indicator read from its hourly summaries at `now`, or `None` when
    /// it must be read from its values: fewer than [`EXACT_BELOW`] in its two
    /// windows, or an hour left stale by another program.
    pub(crate) fn reading_from_hours(
        &self,
        id: i64,
        def: &IndicatorDef,
        now: Timestamp,
    ) -> Result<Option<Reading>> {
        self.reading_from_hours_above(id, def, now, EXACT_BELOW)
    }

    /// [`Store::reading_from_hours`] with the threshold as a parameter.
    fn reading_from_hours_above(
        &self,
        id: i64,
        def: &IndicatorDef,
        now: Timestamp,
        exact_below: u64,
    ) -> Result<Option<Reading>> {
        let conn = self.conn();
        let w = def.window_secs;
        // Current window (now - w, now], previous (now - 2w, now - w], as
        // half-open ranges of whole seconds.
        let (lo, mid, hi) = (now - 2 * w + 1, now - w + 1, now + 1);
        let stale: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM observation_hours_stale WHERE indicator_id = ?1)",
            )?
            .query_row([id], |r| r.get(0))?;
        if stale {
            return Ok(None);
        }
        // Every whole hour of both windows, in one ordered scan of the key.
        let (h_lo, h_hi) = (hour_of(lo + HOUR - 1), hour_of(hi));
        // First how many values and hours, summed by SQLite itself: where
        // there are few values, or about as many hours as values (a sparse
        // indicator), the values are read instead, as cheaply.
        let (n, rows): (i64, i64) = conn
            .prepare_cached(
                "SELECT ifnull(sum(n), 0), count(*) FROM observation_hours
                  WHERE indicator_id = ?1 AND hour >= ?2 AND hour < ?3",
            )?
            .query_row(params![id, h_lo, h_hi], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if (n as u64) < exact_below || rows * 4 > n {
            return Ok(None);
        }
        let mut hours = hour_rows(conn, id, (h_lo, h_hi))?;
        if matches!(def.aggregation, Aggregation::P50 | Aggregation::P90) {
            add_sketches(conn, id, &mut hours, (h_lo, h_hi))?;
        }
        let previous = window(conn, id, (lo, mid), 1, &hours)?;
        let current = window(conn, id, (mid, hi), SPARK_BUCKETS, &hours)?;
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
            spark: current
                .slices
                .iter()
                .map(|s| s.aggregate(def.aggregation, slice_secs))
                .collect(),
        }))
    }
}

/// The summaries of the whole hours of `[from, to)`, oldest first.
fn hour_rows(
    conn: &Connection,
    id: i64,
    (from, to): (Timestamp, Timestamp),
) -> Result<Vec<(Timestamp, Summary)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT hour, n, sum, min, max, last_at, last_id, last_value FROM observation_hours
          WHERE indicator_id = ?1 AND hour >= ?2 AND hour < ?3 ORDER BY hour",
    )?;
    let mut rows = stmt.query(params![id, from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((
            r.get(0)?,
            Summary {
                count: r.get::<_, i64>(1)? as u64,
                sum: r.get(2)?,
                min: r.get(3)?,
                max: r.get(4)?,
                last: Some(Latest {
                    at: r.get(5)?,
                    id: r.get(6)?,
                    value: r.get(7)?,
                }),
                sketch: Sketch::default(),
            },
        ));
    }
    Ok(out)
}

/// Fills in each hour's sketch (read only for p50 and p90 indicators).
fn add_sketches(
    conn: &Connection,
    id: i64,
    hours: &mut [(Timestamp, Summary)],
    (from, to): (Timestamp, Timestamp),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT hour, sketch FROM observation_hour_sketches
          WHERE indicator_id = ?1 AND hour >= ?2 AND hour < ?3",
    )?;
    let mut rows = stmt.query(params![id, from, to])?;
    while let Some(r) = rows.next()? {
        let hour: i64 = r.get(0)?;
        let bytes = r.get_ref(1)?.as_blob().unwrap_or_default();
        let sketch = Sketch::decode(bytes).ok_or_else(|| {
            super::StoreError::Invalid(format!(
                "observation_hour_sketches: indicator {id}, hour {hour}: not a sketch"
            ))
        })?;
        if let Ok(i) = hours.binary_search_by_key(&hour, |h| h.0) {
            hours[i].1.sketch = sketch;
        }
    }
    Ok(())
}

/// The summary of `[from, to)` and of its `slices` equal slices: the whole
/// hours from `hours` (each in the slice holding its middle), the partial
/// hours at the ends from the values.
fn window(
    conn: &Connection,
    id: i64,
    (from, to): (Timestamp, Timestamp),
    slices: usize,
    hours: &[(Timestamp, Summary)],
) -> Result<Window> {
    let cover = crate::domain::summary::cover(from, to, HOUR);
    let span = (to - from) as f64 / slices as f64;
    let slice_of = |at: Timestamp| -> usize {
        ((((at - from) as f64) / span).max(0.0) as usize).min(slices - 1)
    };
    let mut parts = vec![Summary::default(); slices];
    for range in [cover.head, cover.tail] {
        fold_values(conn, id, range, |at, row, v| {
            parts[slice_of(at)].add(at, row, v)
        })?;
    }
    let (h0, h1) = cover.hours;
    let first = hours.partition_point(|h| h.0 < h0);
    for (hour, summary) in hours[first..].iter().take_while(|h| h.0 < h1) {
        parts[slice_of(hour + HOUR / 2)].merge(summary);
    }
    let mut total = Summary::default();
    parts.iter().for_each(|p| total.merge(p));
    Ok(Window {
        total,
        slices: parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::{Direction, Kind, Source};
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

    /// The hours as recomputed from nothing: every hour marked stale, then
    /// refreshed, in a transaction rolled back afterwards.
    fn hours_from_scratch(store: &Store) -> Vec<Row> {
        let conn = store.conn();
        conn.execute_batch(
            "SAVEPOINT scratch;
             DELETE FROM observation_hours; DELETE FROM observation_hour_sketches;
             INSERT OR IGNORE INTO observation_hours_stale (indicator_id, hour)
               SELECT DISTINCT indicator_id, at - ((at % 3600) + 3600) % 3600 FROM observations;",
        )
        .unwrap();
        refresh_stale(conn).unwrap();
        let rows = hours_table(store);
        conn.execute_batch("ROLLBACK TO scratch; RELEASE scratch;")
            .unwrap();
        rows
    }

    #[test]
    fn the_board_from_hours_agrees_with_the_board_from_every_value() {
        let (store, defs) = store_with_values(3_000);
        for (id, d) in &defs {
            let from_hours = store
                .reading_from_hours_above(*id, d, NOW, 1)
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
            assert_eq!(from_hours.spark.len(), SPARK_BUCKETS);
            if d.aggregation == Aggregation::Sum {
                let total: f64 = from_hours.spark.iter().flatten().sum();
                close(Some(total), exact.value, 1e-9);
            }
        }
        // Below the threshold the board reads the values; above it, the hours.
        let (id, d) = &defs[0];
        assert!(store
            .reading_from_hours_above(*id, d, NOW, 10_000)
            .unwrap()
            .is_none());
        assert!(store.reading_from_hours(*id, d, NOW).unwrap().is_some());
    }

    #[test]
    fn every_write_leaves_the_hours_those_of_the_values() {
        let (mut store, defs) = store_with_values(3_000);
        assert!(!hours_table(&store).is_empty());
        assert_eq!(hours_table(&store), hours_from_scratch(&store));
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
        assert_eq!(hours_table(&store), hours_from_scratch(&store));
        // Another program's write leaves its hour stale: never trusted.
        store
            .conn()
            .execute(
                "INSERT INTO observations (indicator_id, at, value) VALUES (?1, ?2, 1e6)",
                params![id, NOW - 60],
            )
            .unwrap();
        assert!(store
            .reading_from_hours_above(id, &defs[1].1, NOW, 1)
            .unwrap()
            .is_none());
        // The next write of opsdeck brings it up to date.
        store
            .write(|tx| insert_observation(tx, defs[0].0, NOW, 1.0, None, Origin::Manual))
            .unwrap();
        assert_eq!(hours_table(&store), hours_from_scratch(&store));
        let r = store
            .reading_from_hours_above(id, &defs[1].1, NOW, 1)
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
        assert_eq!(hours_table(&store), hours_from_scratch(&store));
    }
}
