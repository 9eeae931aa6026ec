//! Benchmarks on the large dataset (see `src/dataset.rs`): the board's
//! status computation, `check` evaluation, the view-model load and the
//! render at 200x60 of every view, the first frame, the reload and redraw
//! after another process's write, and import throughput. Run with
//! `cargo bench`; the database is built once into `target/bench-data/`
//! (about a minute). `OPSDECK_BENCH_SIZE=large:91` runs the same benches on
//! the same operation with a quarter of the history (see `Size::parse`).

use opsdeck::dataset::{self, Size};
use opsdeck::store::Store;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// 2026-11-24T09:00:00Z.
const NOW: i64 = 1_795_510_800;

/// Every view, by the name `--view` takes.
const VIEWS: [&str; 9] = [
    "cockpit",
    "indicators",
    "work",
    "playbooks",
    "alerts",
    "experiments",
    "decisions",
    "feedback",
    "standup",
];

fn main() {
    divan::main();
}

fn size_name() -> String {
    std::env::var("OPSDECK_BENCH_SIZE").unwrap_or_else(|_| "large".into())
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The benchmark database, built once (and kept between runs; the file
/// name carries the generator's version).
fn large_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let name = size_name();
        let size = Size::parse(&name).expect("OPSDECK_BENCH_SIZE: large, tiny or large:DAYS");
        let db = bench_dir().join(format!("bench-v2-{}.db", name.replace(':', "-")));
        if db.exists() {
            return db;
        }
        let tmp = bench_dir().join(format!("building-{}.db", std::process::id()));
        let built = dataset::build_database(&tmp, size, NOW).unwrap();
        eprintln!("built {}: {built:?}", db.display());
        std::fs::rename(&tmp, &db).unwrap();
        db
    })
}

fn indicator_map(store: &Store) -> std::collections::HashMap<String, i64> {
    store
        .indicators()
        .unwrap()
        .into_iter()
        .map(|i| (i.def.key, i.id))
        .collect()
}

fn open() -> Store {
    Store::open_at(large_db(), "bench", NOW).unwrap()
}

/// A copy of the benchmark database for a benchmark that writes, so the
/// shared one stays as built.
fn scratch_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("scratch.db");
    open()
        .raw_conn_for_tests()
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
    (dir, copy)
}

fn view(name: &str) -> View {
    View::parse(name).unwrap()
}

fn terminal() -> ratatui::Terminal<ratatui::backend::TestBackend> {
    ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap()
}

/// Status of every indicator on the board (what `opsdeck status` computes).
#[divan::bench]
fn board_status(bencher: divan::Bencher) {
    let store = open();
    bencher.bench_local(|| store.indicator_board(NOW).unwrap());
}

/// One `opsdeck check` evaluation (every rule, reconciliation with the open
/// alerts, escalation, in its `BEGIN IMMEDIATE` transaction, committed) on
/// a copy of the database, repeated: after the first, the steady state of a
/// check run every minute by cron.
#[divan::bench(sample_count = 50)]
fn check_evaluation(bencher: divan::Bencher) {
    let (_dir, copy) = scratch_copy();
    let mut store = Store::open_at(&copy, "cron", NOW).unwrap();
    let policy = opsdeck::store::alerts::AlertPolicy::default();
    bencher.bench_local(|| {
        store
            .write_with_reads(|s, tx| opsdeck::store::alerts::evaluate_rules(s, tx, NOW, &policy))
            .unwrap()
    });
}

/// View-model load of each view (alerts included: every view loads them
/// for the bell).
#[divan::bench(args = VIEWS)]
fn view_model_load(bencher: divan::Bencher, name: &str) {
    let store = open();
    let app = opsdeck::tui::app::App::new(view(name), NOW, Theme::mono());
    let needs = app.needs();
    bencher.bench_local(|| opsdeck::tui::models::load(&store, needs.clone(), NOW).unwrap());
}

/// Render of each view at 200x60 from a loaded model (no I/O).
#[divan::bench(args = VIEWS)]
fn render_200x60(bencher: divan::Bencher, name: &str) {
    let mut store = open();
    let app = opsdeck::tui::loaded_app(&mut store, view(name), NOW, Theme::mono());
    let mut terminal = terminal();
    bencher.bench_local(|| {
        terminal
            .draw(|f| opsdeck::tui::views::draw(f, &app))
            .map(|_| ())
            .unwrap()
    });
}

/// Opening the cockpit: open the database, load the cockpit's models and
/// draw the first frame at 200x60.
#[divan::bench]
fn first_frame(bencher: divan::Bencher) {
    large_db();
    bencher.bench_local(|| {
        let mut store = open();
        let app = opsdeck::tui::loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
        terminal()
            .draw(|f| opsdeck::tui::views::draw(f, &app))
            .map(|_| ())
            .unwrap()
    });
}

/// Another process commits (not timed): it records a value
/// (`observation`), or closes an order (`work_item`: the work items the
/// cockpit keeps between reloads must be read again). The cockpit's poll
/// sees `data_version` move, reloads its models and redraws (timed).
#[divan::bench(args = ["observation", "work_item"], sample_count = 100, sample_size = 1)]
fn reload_after_external_write(bencher: divan::Bencher, write: &str) {
    let (_dir, copy) = scratch_copy();
    let mut ui = Store::open_at(&copy, "ui", NOW).unwrap();
    let mut writer = Store::open_at(&copy, "writer", NOW).unwrap();
    let id = writer.indicator("first_response").unwrap().unwrap().id;
    let mut app = opsdeck::tui::loaded_app(&mut ui, View::Cockpit, NOW, Theme::mono());
    let mut terminal = terminal();
    terminal
        .draw(|f| opsdeck::tui::views::draw(f, &app))
        .unwrap();
    let mut seen = ui.data_version().unwrap();
    let mut i = 0;
    bencher
        .with_inputs(|| {
            i += 1;
            writer
                .write(|tx| match write {
                    "observation" => opsdeck::store::indicators::insert_observation(
                        tx,
                        id,
                        NOW - 30,
                        1.0 + i as f64 / 1e6,
                        None,
                        opsdeck::store::indicators::Origin::Manual,
                    )
                    .map(|_| true),
                    _ => opsdeck::store::work_items::upsert_work_item(
                        tx,
                        &opsdeck::domain::flow::WorkItem {
                            kind: "order".into(),
                            external_id: format!("BENCH-{i}"),
                            customer: Some("K00001".into()),
                            segment: Some("standard".into()),
                            opened_at: NOW - 3600,
                            promised_at: Some(NOW + 86_400),
                            closed_at: Some(NOW - 60),
                            outcome: Some(opsdeck::domain::flow::Outcome::Ok),
                            satisfaction: None,
                        },
                    ),
                })
                .unwrap();
        })
        .bench_local_values(|()| {
            let v = ui.data_version().unwrap();
            assert_ne!(v, seen, "the write was not seen");
            seen = v;
            opsdeck::tui::dispatch(&mut ui, &mut app, opsdeck::tui::action::Action::DataChanged);
            terminal
                .draw(|f| opsdeck::tui::views::draw(f, &app))
                .map(|_| ())
                .unwrap()
        });
}

/// Import throughput: 100,000 observation rows from CSV into a fresh database.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_100k_observations(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    bencher
        .counter(divan::counter::ItemsCount::new(100_000usize))
        .with_inputs(|| {
            n += 1;
            let path = dir.path().join(format!("i{n}.db"));
            let mut store = Store::open_at(&path, "bench", NOW).unwrap();
            let keys = dataset::define_indicators(
                &mut store,
                Size {
                    indicators: 20,
                    ..Size::LARGE
                },
            )
            .unwrap();
            let mut csv = Vec::new();
            dataset::write_observations(&mut csv, &keys, 5_000, 365, NOW, 9).unwrap();
            (store, csv)
        })
        .bench_local_values(|(mut store, csv)| {
            let map = indicator_map(&store);
            let (c, _) = opsdeck::ingest::pipeline::import_stream(
                &mut store,
                NOW,
                opsdeck::ingest::pipeline::Source {
                    label: "bench",
                    origin: "file:bench",
                    format: opsdeck::ingest::Format::Csv,
                    kind: None,
                    force: false,
                    fields: None,
                },
                Box::new(std::io::Cursor::new(csv)),
                &map,
                false,
                &mut |line| panic!("{line}"),
            )
            .unwrap();
            assert_eq!(c.valid, 100_000);
        });
}
