//! Benchmarks on the large dataset (see `src/dataset.rs`): the board's
//! status computation, the view-model load of each view, the render of each
//! view at 200x60, the first frame, a reload after an external write, and
//! import throughput. Run with `cargo bench`; the dataset is generated once
//! into `target/bench-data/` (about 10 s).

use opsdeck::dataset::{self, Size};
use opsdeck::store::Store;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// 2026-11-24T09:00:00Z.
const NOW: i64 = 1_795_510_800;

fn main() {
    divan::main();
}

/// The large database, built once per bench run.
fn large_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("bench-large.db");
        if db.exists() {
            return db;
        }
        let tmp = dir.join("bench-building.db");
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", tmp.display()));
        }
        let mut store = Store::open_at(&tmp, "bench", NOW).unwrap();
        let keys = dataset::define_indicators(&mut store, Size::LARGE).unwrap();
        let map = indicator_map(&store);
        let mut obs = Vec::new();
        dataset::write_observations(
            &mut obs,
            &keys,
            Size::LARGE.observations_per_indicator,
            NOW,
            1,
        )
        .unwrap();
        let mut work = Vec::new();
        dataset::write_work_items(&mut work, Size::LARGE.work_items, NOW, 2).unwrap();
        let mut feedback = Vec::new();
        dataset::write_feedback(&mut feedback, Size::LARGE.feedback, NOW, 3).unwrap();
        for (name, csv) in [("obs", obs), ("work", work), ("feedback", feedback)] {
            let input = Box::new(std::io::Cursor::new(csv));
            let (c, _) = opsdeck::commands::import::import_stream(
                &mut store,
                NOW,
                name,
                input,
                opsdeck::ingest::Format::Csv,
                None,
                &map,
                false,
            )
            .unwrap();
            assert_eq!(c.bad, 0);
        }
        drop(store);
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

/// Status of every indicator on the board (what `opsdeck status` computes).
#[divan::bench]
fn board_status(bencher: divan::Bencher) {
    let store = open();
    bencher.bench_local(|| store.indicator_board(NOW).unwrap());
}

/// View-model load of each view.
#[divan::bench(args = ["cockpit", "indicators", "work", "standup"])]
fn view_model_load(bencher: divan::Bencher, view: &str) {
    let store = open();
    let app = opsdeck::tui::app::App::new(View::parse(view).unwrap(), NOW, Theme::mono());
    let needs = app.needs();
    bencher.bench_local(|| opsdeck::tui::models::load(&store, needs, NOW).unwrap());
}

/// Render of each view at 200x60 from a loaded model (no I/O).
#[divan::bench(args = ["cockpit", "indicators", "work", "standup", "alerts", "playbooks"])]
fn render_200x60(bencher: divan::Bencher, view: &str) {
    let mut store = open();
    let app = opsdeck::tui::loaded_app(&mut store, View::parse(view).unwrap(), NOW, Theme::mono());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
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
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
        terminal
            .draw(|f| opsdeck::tui::views::draw(f, &app))
            .unwrap();
    });
}

/// Another process records a value; the cockpit sees `data_version` move,
/// reloads its models and redraws.
#[divan::bench]
fn reload_after_external_write(bencher: divan::Bencher) {
    let mut ui = open();
    let mut writer = open();
    let id = writer.indicator("first_response").unwrap().unwrap().id;
    let mut app = opsdeck::tui::loaded_app(&mut ui, View::Cockpit, NOW, Theme::mono());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    let mut i = 0.0;
    bencher.bench_local(|| {
        i += 1.0;
        writer
            .write(|tx| {
                opsdeck::store::indicators::insert_observation(
                    tx,
                    id,
                    NOW - 30,
                    1.0 + i / 1e6,
                    None,
                    opsdeck::store::indicators::Origin::Manual,
                )
            })
            .unwrap();
        assert!(ui.data_version().is_ok());
        opsdeck::tui::dispatch(&mut ui, &mut app, opsdeck::tui::action::Action::DataChanged);
        terminal
            .draw(|f| opsdeck::tui::views::draw(f, &app))
            .unwrap();
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
            dataset::write_observations(&mut csv, &keys, 5_000, NOW, 9).unwrap();
            (store, csv)
        })
        .bench_local_values(|(mut store, csv)| {
            let map = indicator_map(&store);
            let (c, _) = opsdeck::commands::import::import_stream(
                &mut store,
                NOW,
                "bench",
                Box::new(std::io::Cursor::new(csv)),
                opsdeck::ingest::Format::Csv,
                None,
                &map,
                false,
            )
            .unwrap();
            assert_eq!(c.valid, 100_000);
        });
}
