//! The benchmark dataset of a large operation, deterministic: 200
//! indicators × 5,000 observations (1M) over a year, 100k work items,
//! 20k feedback responses. Written as CSV files (the import benchmark reads
//! them) after the extra indicators are defined in the database.

use crate::demo::Rng;
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use crate::domain::{Timestamp, DAY};
use crate::store::{indicators, Store};
use std::io::Write;

/// Sizes of the dataset.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Indicators fed by observations (the starter ones plus generated ones).
    pub indicators: usize,
    pub observations_per_indicator: usize,
    pub work_items: usize,
    pub feedback: usize,
}

impl Size {
    /// The size the performance targets are stated for.
    pub const LARGE: Size = Size {
        indicators: 200,
        observations_per_indicator: 5_000,
        work_items: 100_000,
        feedback: 20_000,
    };
    /// A small one for tests of the generator itself.
    pub const TINY: Size = Size {
        indicators: 20,
        observations_per_indicator: 50,
        work_items: 500,
        feedback: 100,
    };
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
/// spread over the year before `now`. Returns the number of rows.
pub fn write_observations(
    out: &mut impl Write,
    keys: &[String],
    per_indicator: usize,
    now: Timestamp,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    writeln!(out, "indicator,at,value")?;
    let start = now - 365 * DAY;
    let step = (365 * DAY) / per_indicator.max(1) as i64;
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

/// Writes work items (orders and tickets) over the year before `now`.
pub fn write_work_items(
    out: &mut impl Write,
    count: usize,
    now: Timestamp,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    writeln!(
        out,
        "kind,external_id,customer,segment,opened_at,promised_at,closed_at,outcome,satisfaction"
    )?;
    let start = now - 365 * DAY;
    for i in 0..count {
        let kind = if i % 4 == 0 { "ticket" } else { "order" };
        let opened = start + (i as i64 * 365 * DAY) / count as i64;
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

/// Writes feedback responses over the year before `now`.
pub fn write_feedback(
    out: &mut impl Write,
    count: usize,
    now: Timestamp,
    seed: u64,
) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    writeln!(out, "at,ease,reliability,value,channel,segment")?;
    let start = now - 365 * DAY;
    for i in 0..count {
        let at = start + (i as i64 * 365 * DAY) / count as i64;
        let s = |rng: &mut Rng| 1 + rng.below(5);
        let channel = ["survey", "interview", "support"][rng.below(3) as usize];
        let (e, r, v) = (s(&mut rng), s(&mut rng), s(&mut rng));
        writeln!(out, "{},{e},{r},{v},{channel},seg{}", rfc(at), rng.below(4))?;
    }
    Ok(count)
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
        let n = write_observations(&mut a, &keys, 50, 1_795_510_800, 7).unwrap();
        write_observations(&mut b, &keys, 50, 1_795_510_800, 7).unwrap();
        assert_eq!(a, b);
        assert_eq!(n, keys.len() * 50);
        let mut w = Vec::new();
        write_work_items(&mut w, 100, 1_795_510_800, 7).unwrap();
        assert_eq!(String::from_utf8(w).unwrap().lines().count(), 101);
    }
}
