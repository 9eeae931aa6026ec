//! The benchmark dataset of a large operation, deterministic: 200
//! indicators × 5,000 observations (1M) over a year, 100k work items,
//! 20k feedback responses (written as CSV files, which the import benchmark
//! reads, after the extra indicators are defined in the database), and the
//! history people leave behind: 5k alerts with their events and 2k
//! checklist runs with their items (written through the store's own
//! functions, see [`history`]). [`build_database`] makes the whole database.

pub mod history;

use crate::demo::Rng;
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use crate::domain::{Timestamp, DAY};
use crate::store::{indicators, Store};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Sizes of the dataset. Every count is spread evenly over `days` of
/// history ending at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Days of history.
    pub days: i64,
    /// Indicators fed by observations (the starter ones plus generated ones).
    pub indicators: usize,
    /// Observations per indicator, spread over the days.
    pub observations_per_indicator: usize,
    /// Work items (orders, tickets), spread over the days.
    pub work_items: usize,
    /// Feedback responses, spread over the days.
    pub feedback: usize,
    /// Alerts, all but the current ones resolved, each with its events.
    pub alerts: usize,
    /// Checklist runs, all but the last few finished or cancelled.
    pub runs: usize,
    /// Decisions in the decision log.
    pub decisions: usize,
    /// Observations per indicator loaded directly (not through the CSV
    /// import: what a feed leaves), spread over the last `bulk_days`.
    pub bulk_per_indicator: usize,
    /// Days before `now` the bulk observations are spread over.
    pub bulk_days: i64,
}

impl Size {
    /// The size the performance targets are stated for: a year.
    pub const LARGE: Size = Size {
        days: 365,
        indicators: 200,
        observations_per_indicator: 5_000,
        work_items: 100_000,
        feedback: 20_000,
        alerts: 5_000,
        runs: 2_000,
        decisions: 365,
        bulk_per_indicator: 0,
        bulk_days: 28,
    };
    /// The large operation fed by automation: 5M more observations inside
    /// the last 28 days (200 indicators × 25,000, a value every 97 s for
    /// each: about two a second in all), 6M in all.
    pub const FEED: Size = Size {
        bulk_per_indicator: 25_000,
        bulk_days: 28,
        ..Size::LARGE
    };
    /// The large operation with 10M observations over its year (200 × 50,000).
    pub const YEAR_10M: Size = Size {
        bulk_per_indicator: 45_000,
        bulk_days: 365,
        ..Size::LARGE
    };
    /// A small one for tests of the generator itself.
    pub(crate) const TINY: Size = Size {
        days: 365,
        indicators: 20,
        observations_per_indicator: 50,
        work_items: 500,
        feedback: 100,
        alerts: 20,
        runs: 10,
        decisions: 5,
        bulk_per_indicator: 0,
        bulk_days: 28,
    };

    /// The same operation with only `days` of history: every count scaled
    /// by `days / self.days`, so the density (per day) stays the same.
    pub(crate) fn with_days(self, days: i64) -> Size {
        let scale = |n: usize| ((n as i64 * days) / self.days.max(1)).max(1) as usize;
        Size {
            days,
            indicators: self.indicators,
            observations_per_indicator: scale(self.observations_per_indicator),
            work_items: scale(self.work_items),
            feedback: scale(self.feedback),
            alerts: scale(self.alerts),
            runs: scale(self.runs),
            decisions: scale(self.decisions),
            bulk_per_indicator: self.bulk_per_indicator,
            bulk_days: self.bulk_days.min(days),
        }
    }

    /// Reads `large`, `feed`, `year10m`, `tiny`, or `large:DAYS` (the
    /// large operation with `DAYS` of history).
    pub fn parse(text: &str) -> Option<Size> {
        match text.split_once(':') {
            None if text == "large" => Some(Size::LARGE),
            None if text == "feed" => Some(Size::FEED),
            None if text == "year10m" => Some(Size::YEAR_10M),
            None if text == "tiny" => Some(Size::TINY),
            Some(("large", days)) => days
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .map(|d| Size::LARGE.with_days(d)),
            _ => None,
        }
    }
}

/// Adds generated observation indicators (`bench_001`, ...) until the
/// database has `size.indicators` fed by observations; returns their keys.
pub fn define_indicators(store: &mut Store, size: Size) -> crate::store::Result<Vec<String>> {
    let observed = store
        .indicators()?
        .into_iter()
        .filter(|i| i.def.source == Source::Observations)
        .count();
    let missing = size.indicators.saturating_sub(observed);
    store.write(|tx| -> crate::store::Result<()> {
        for i in 0..missing {
            let lower = i % 2 == 0;
            let def = IndicatorDef {
                key: format!("bench_{i:03}"),
                name: format!("Benchmark measure {i:03}"),
                definition: "A generated measure for the benchmark dataset.".into(),
                kind: if i % 3 == 0 {
                    Kind::Leading
                } else {
                    Kind::Lagging
                },
                unit: "u".into(),
                direction: if lower {
                    Direction::Lower
                } else {
                    Direction::Higher
                },
                aggregation: [
                    Aggregation::Mean,
                    Aggregation::P90,
                    Aggregation::Last,
                    Aggregation::Sum,
                    Aggregation::P50,
                    Aggregation::Rate,
                ][i % 6],
                window_secs: [7, 14, 28][i % 3] * DAY,
                target: 50.0,
                warn: if lower { 60.0 } else { 40.0 },
                breach: if lower { 75.0 } else { 25.0 },
                owner_role: "ops-lead".into(),
                source: Source::Observations,
                metric: None,
                work_kind: None,
                min: None,
                max: None,
                min_events: None,
            };
            indicators::insert_indicator(tx, &def, 1000 + i as i64)?;
        }
        Ok(())
    })?;
    Ok(store
        .indicators()?
        .into_iter()
        .filter(|i| i.def.source == Source::Observations)
        .map(|i| i.def.key)
        .collect())
}

fn rfc(t: Timestamp) -> String {
    crate::format::rfc3339(t)
}

/// Writes `indicator,at,value` rows: `per_indicator` values of each key,
/// spread over the `days` before `now`. Returns the number of rows.
pub fn write_observations(
    out: &mut impl Write,
    keys: &[String],
    per_indicator: usize,
    days: i64,
    now: Timestamp,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    writeln!(out, "indicator,at,value")?;
    let start = now - days * DAY;
    let step = (days * DAY) / per_indicator.max(1) as i64;
    let mut n = 0;
    for key in keys {
        let base = 30.0 + 40.0 * rng.unit();
        for j in 0..per_indicator {
            let at = start + j as i64 * step + rng.below(step.max(1) as u64) as i64;
            let v = (base + 10.0 * rng.normal()).max(0.0);
            writeln!(out, "{key},{},{:.3}", rfc(at), v)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Writes work items (orders and tickets) over the `days` before `now`.
pub(crate) fn write_work_items(
    out: &mut impl Write,
    count: usize,
    days: i64,
    now: Timestamp,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    writeln!(
        out,
        "kind,external_id,customer,segment,opened_at,promised_at,closed_at,outcome,satisfaction"
    )?;
    let start = now - days * DAY;
    for i in 0..count {
        let kind = if i % 4 == 0 { "ticket" } else { "order" };
        let opened = start + (i as i64 * days * DAY) / count as i64;
        let promise = if kind == "order" {
            48 * 3600
        } else {
            24 * 3600
        };
        let cycle = (promise as f64 * (0.4 + 0.8 * rng.unit())) as i64;
        let closed = opened + cycle;
        let segment = ["standard", "express", "b2b"][rng.below(3) as usize];
        let customer = format!("K{:05}", rng.below(20_000));
        let (closed_s, outcome, sat) = if closed > now {
            (String::new(), "", String::new())
        } else {
            let o = if rng.chance(0.04) {
                "deviation"
            } else if rng.chance(0.01) {
                "defect"
            } else {
                "ok"
            };
            let sat = if rng.chance(0.3) {
                format!("{}", 1 + rng.below(5))
            } else {
                String::new()
            };
            (rfc(closed), o, sat)
        };
        writeln!(
            out,
            "{kind},{}-{i},{customer},{segment},{},{},{closed_s},{outcome},{sat}",
            kind.to_uppercase(),
            rfc(opened),
            rfc(opened + promise)
        )?;
    }
    Ok(count)
}

/// Writes feedback responses over the `days` before `now`.
pub(crate) fn write_feedback(
    out: &mut impl Write,
    count: usize,
    days: i64,
    now: Timestamp,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    writeln!(out, "at,ease,reliability,value,channel,segment")?;
    let start = now - days * DAY;
    for i in 0..count {
        let at = start + (i as i64 * days * DAY) / count as i64;
        let s = |rng: &mut Rng| 1 + rng.below(5);
        let channel = ["survey", "interview", "support"][rng.below(3) as usize];
        let (e, r, v) = (s(&mut rng), s(&mut rng), s(&mut rng));
        writeln!(out, "{},{e},{r},{v},{channel},seg{}", rfc(at), rng.below(4))?;
    }
    Ok(count)
}

/// The three CSV files of a dataset, in memory.
#[derive(Debug, Clone, Default)]
pub struct Csvs {
    /// `indicator,at,value` rows with a header.
    pub observations: Vec<u8>,
    /// Work-item rows with a header, as `opsdeck import --kind work-items` reads them.
    pub work_items: Vec<u8>,
    /// Feedback rows with a header, as `opsdeck import --kind feedback` reads them.
    pub feedback: Vec<u8>,
}

/// Writes the CSV files of `size`, observations for `keys` (fixed seeds:
/// the same size gives the same bytes).
pub fn write_csvs(keys: &[String], size: Size, now: Timestamp) -> std::io::Result<Csvs> {
    let mut c = Csvs::default();
    let per = size.observations_per_indicator;
    write_observations(&mut c.observations, keys, per, size.days, now, 1)?;
    write_work_items(&mut c.work_items, size.work_items, size.days, now, 2)?;
    write_feedback(&mut c.feedback, size.feedback, size.days, now, 3)?;
    Ok(c)
}

/// Row counts of a built dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Built {
    /// Rows in `indicators`.
    pub indicators: usize,
    /// Rows in `observations`.
    pub observations: usize,
    /// Rows in `work_items`.
    pub work_items: usize,
    /// Rows in `feedback`.
    pub feedback: usize,
    /// Rows in `alerts`, resolved or not.
    pub alerts: usize,
    /// Rows in `alert_events` (every alert's history).
    pub alert_events: usize,
    /// Alerts open or acknowledged at the end.
    pub active_alerts: usize,
    /// Rows in `checklist_runs`.
    pub runs: usize,
    /// Runs still open at the end.
    pub open_runs: usize,
    /// Rows in `run_items` (checked or skipped items).
    pub run_items: usize,
    /// Rows in `decisions`.
    pub decisions: usize,
}

/// Loads `size.bulk_per_indicator` observations of each key over the last
/// `size.bulk_days`, straight into the table in transactions of 500k rows
/// (the CSV import would take minutes for millions of rows, and the
/// benchmarks time reads, not this load).
fn load_bulk(
    store: &mut Store,
    keys: &[String],
    ids: &HashMap<String, i64>,
    size: Size,
    now: Timestamp,
) -> crate::store::Result<()> {
    let mut rng = Rng::new(8);
    let per = size.bulk_per_indicator;
    let span = size.bulk_days * DAY;
    let step = (span / per.max(1) as i64).max(1);
    let mut rows = Vec::with_capacity(500_000);
    for key in keys {
        let id = ids[key];
        let base = 30.0 + 40.0 * rng.unit();
        for j in 0..per {
            let at = now - span + j as i64 * step + rng.below(step as u64) as i64;
            rows.push((id, at, (base + 10.0 * rng.normal()).max(0.0)));
            if rows.len() == 500_000 {
                store.write(|tx| indicators::bulk_insert_observations(tx, &rows))?;
                rows.clear();
            }
        }
    }
    store.write(|tx| indicators::bulk_insert_observations(tx, &rows))
}

/// Rows in `table`, from the store's per-table counts (a missing table is
/// an error: the generator names only tables it wrote).
fn count(counts: &crate::store::export::TableCounts, table: &str) -> crate::store::Result<usize> {
    counts
        .get(table)
        .map(|n| *n as usize)
        .ok_or_else(|| crate::store::StoreError::Invalid(format!("no table '{table}'")))
}

/// Builds the whole dataset of `size` into `path` (replacing the file):
/// indicators, the CSVs imported the way `opsdeck import` does, then the
/// checklist runs, alert history, experiments, decisions and yesterday's
/// standup written through the store's functions, and finally one alert
/// evaluation 20 minutes before `now` (as cron would have run) so today's
/// alerts are open.
pub fn build_database(path: &Path, size: Size, now: Timestamp) -> anyhow::Result<Built> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = Store::open_at(path, "bench", now)?;
    let keys = define_indicators(&mut store, size)?;
    let map: HashMap<String, i64> = store
        .indicators()?
        .into_iter()
        .map(|i| (i.def.key, i.id))
        .collect();
    let csvs = write_csvs(&keys, size, now)?;
    for (label, csv) in [
        ("observations.csv", csvs.observations),
        ("work_items.csv", csvs.work_items),
        ("feedback.csv", csvs.feedback),
    ] {
        let input = Box::new(std::io::Cursor::new(csv));
        let origin = crate::store::indicators::file_origin(label);
        let mut errors = Vec::new();
        let (c, _) = crate::ingest::pipeline::import_stream(
            &mut store,
            now,
            crate::ingest::pipeline::Source {
                label,
                origin: &origin,
                format: crate::ingest::Format::Csv,
                kind: None,
                force: true,
                fields: None,
            },
            input,
            &map,
            false,
            &mut |line| errors.push(line.to_string()),
        )?;
        anyhow::ensure!(errors.is_empty(), "{label}: {}", errors.join("; "));
        anyhow::ensure!(c.bad == 0, "{label}: {} bad rows", c.bad);
    }
    if size.bulk_per_indicator > 0 {
        load_bulk(&mut store, &keys, &map, size, now)?;
    }
    history::write_runs(&mut store, size, now, 4)?;
    history::write_alert_history(&mut store, &keys, size, now, 5)?;
    crate::demo::learning::seed(&mut store, now)?;
    history::write_decisions(&mut store, size, now, 6)?;
    history::previous_standup(&mut store, now)?;
    history::current_alerts(&mut store, now)?;
    let counts = store.table_counts()?;
    Ok(Built {
        indicators: count(&counts, "indicators")?,
        observations: count(&counts, "observations")?,
        work_items: count(&counts, "work_items")?,
        feedback: count(&counts, "feedback")?,
        alerts: count(&counts, "alerts")?,
        alert_events: count(&counts, "alert_events")?,
        active_alerts: store.active_alerts()?.len(),
        runs: count(&counts, "checklist_runs")?,
        open_runs: store.runs(crate::store::runs::RunFilter::Open)?.len(),
        run_items: count(&counts, "run_items")?,
        decisions: count(&counts, "decisions")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_and_well_formed() {
        let mut store = Store::open_in_memory_at("t", 1_795_510_800).unwrap();
        let keys = define_indicators(&mut store, Size::TINY).unwrap();
        assert_eq!(keys.len(), Size::TINY.indicators);
        let mut a = Vec::new();
        let mut b = Vec::new();
        let n = write_observations(&mut a, &keys, 50, 365, 1_795_510_800, 7).unwrap();
        write_observations(&mut b, &keys, 50, 365, 1_795_510_800, 7).unwrap();
        assert_eq!(a, b);
        assert_eq!(n, keys.len() * 50);
        let mut w = Vec::new();
        write_work_items(&mut w, 100, 365, 1_795_510_800, 7).unwrap();
        assert_eq!(String::from_utf8(w).unwrap().lines().count(), 101);
    }

    #[test]
    fn sizes_scale_with_history() {
        let q = Size::LARGE.with_days(91);
        assert_eq!(q.observations_per_indicator, 1_246);
        assert_eq!(q.alerts, 1_246);
        assert_eq!(q.indicators, 200);
        assert_eq!(Size::parse("large:91"), Some(q));
        assert_eq!(Size::parse("large"), Some(Size::LARGE));
        assert_eq!(Size::parse("huge"), None);
    }

    #[test]
    fn a_tiny_database_has_every_kind_of_history_and_is_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_795_510_800;
        let a = build_database(&dir.path().join("a.db"), Size::TINY, now).unwrap();
        let b = build_database(&dir.path().join("b.db"), Size::TINY, now).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.observations, Size::TINY.indicators * 50);
        assert_eq!(a.runs, Size::TINY.runs);
        assert!(a.open_runs >= 1 && a.open_runs < a.runs, "{a:?}");
        assert!(a.run_items > a.runs, "{a:?}");
        assert!(a.alerts >= Size::TINY.alerts, "{a:?}");
        assert!(a.alert_events >= 4 * Size::TINY.alerts, "{a:?}");
        assert!(a.active_alerts >= 1, "{a:?}");
        assert!(a.decisions >= Size::TINY.decisions, "{a:?}");
    }
}
