//! Writes the benchmark dataset:
//! `cargo run --release --example dataset -- DIR [large|feed|year10m|tiny|large:DAYS]`
//! creates DIR/empty.db (the indicators defined, nothing else: what an
//! import starts from), DIR/observations.csv, DIR/work_items.csv and
//! DIR/feedback.csv, and DIR/full.db (everything: the CSVs imported, alert
//! history, checklist runs, decisions). `OPSDECK_NOW` (RFC 3339) sets the
//! end of the history (default 2026-11-24T09:00:00Z).

use opsdeck::dataset::{self, Size};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let size_arg = args.next().unwrap_or_else(|| "large".into());
    let size = Size::parse(&size_arg).ok_or_else(|| {
        anyhow::anyhow!("size: '{size_arg}' (large, feed, year10m, tiny or large:DAYS)")
    })?;
    std::fs::create_dir_all(&dir)?;
    let now = std::env::var("OPSDECK_NOW")
        .ok()
        .and_then(|t| opsdeck::ingest::parse_time(&t).ok())
        .unwrap_or(1_795_510_800);
    let empty = dir.join("empty.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", empty.display()));
    }
    let mut store = opsdeck::store::Store::open_at(&empty, "bench", now)?;
    let keys = dataset::define_indicators(&mut store, size)?;
    drop(store);
    let csvs = dataset::write_csvs(&keys, size, now)?;
    std::fs::write(dir.join("observations.csv"), &csvs.observations)?;
    std::fs::write(dir.join("work_items.csv"), &csvs.work_items)?;
    std::fs::write(dir.join("feedback.csv"), &csvs.feedback)?;
    let built = dataset::build_database(&dir.join("full.db"), size, now)?;
    println!("{}: {built:?}", dir.display());
    Ok(())
}
