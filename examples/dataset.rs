//! Writes the benchmark dataset: `cargo run --release --example dataset -- DIR [tiny]`
//! creates DIR/large.db with the indicators defined, and DIR/observations.csv,
//! DIR/work_items.csv, DIR/feedback.csv to import into it.

use opsdeck::dataset::{self, Size};
use std::io::BufWriter;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let size = if args.next().as_deref() == Some("tiny") {
        Size::TINY
    } else {
        Size::LARGE
    };
    std::fs::create_dir_all(&dir)?;
    let now = std::env::var("OPSDECK_NOW")
        .ok()
        .and_then(|t| opsdeck::ingest::parse_time(&t).ok())
        .unwrap_or(1_795_510_800);
    let db = dir.join("large.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = opsdeck::store::Store::open_at(&db, "bench", now)?;
    let keys = dataset::define_indicators(&mut store, size)?;
    let mut f = BufWriter::new(std::fs::File::create(dir.join("observations.csv"))?);
    let n = dataset::write_observations(&mut f, &keys, size.observations_per_indicator, now, 1)?;
    let mut f = BufWriter::new(std::fs::File::create(dir.join("work_items.csv"))?);
    let w = dataset::write_work_items(&mut f, size.work_items, now, 2)?;
    let mut f = BufWriter::new(std::fs::File::create(dir.join("feedback.csv"))?);
    let fb = dataset::write_feedback(&mut f, size.feedback, now, 3)?;
    println!(
        "{}: {} indicators, {n} observations, {w} work items, {fb} feedback rows",
        dir.display(),
        keys.len()
    );
    Ok(())
}
