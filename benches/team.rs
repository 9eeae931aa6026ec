//! Team mode against SQLite, on the same large operation (see
//! `src/dataset.rs`: 200 indicators, 1M observations, 100k work items, 5k
//! alerts, 2k runs) loaded into PostgreSQL with `migrate --to`, in one
//! run: `status` (the board), `check` (one evaluation, committed), the
//! cockpit's first frame, the reload after another client's write (on
//! PostgreSQL from the commit to the redraw: the notification's trip to the
//! listener included) and import throughput. Each bench has an `sqlite_`
//! and a `pg_` twin. Needs `OPSDECK_BENCH_PG`, the URL of a role that may
//! create databases: `benches/team.sh` starts a throwaway cluster and runs
//! this. The databases are built once and kept.

use opsdeck::dataset::{self, Size};
use opsdeck::store::Store;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// 2026-11-24T09:00:00Z.
const NOW: i64 = 1_795_510_800;

/// The server copy's name (the generator's version in it).
const PG_NAME: &str = "opsdeck_bench_v2_large";

fn main() {
    if std::env::var("OPSDECK_BENCH_PG").is_err() {
        eprintln!("team benches: OPSDECK_BENCH_PG is not set; benches/team.sh starts a PostgreSQL cluster and runs them");
        return;
    }
    divan::main();
}

fn admin_url() -> String {
    std::env::var("OPSDECK_BENCH_PG").unwrap()
}

fn url_of(db: &str) -> String {
    let admin = admin_url();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{db}")
}

fn admin() -> postgres::Client {
    postgres::Client::connect(&admin_url(), postgres::NoTls).unwrap()
}

fn sqlite_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("bench-v2-large.db");
        if !db.exists() {
            let tmp = dir.join(format!("building-{}.db", std::process::id()));
            dataset::build_database(&tmp, Size::LARGE, NOW).unwrap();
            std::fs::rename(&tmp, &db).unwrap();
        }
        db
    })
}

/// The large operation on the server, copied from the SQLite file once.
fn pg_db() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let file = sqlite_db();
        let mut c = admin();
        let exists = c
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&PG_NAME])
            .unwrap()
            .is_some();
        if !exists {
            c.batch_execute(&format!("CREATE DATABASE {PG_NAME}"))
                .unwrap();
            let started = Instant::now();
            let counts = Store::open_at(file, "bench", NOW)
                .unwrap()
                .copy_to_pg(&url_of(PG_NAME))
                .unwrap();
            let rows: u64 = counts.values().sum();
            eprintln!(
                "migrate --to: {rows} rows in {:.1} s ({:.0} rows/s)",
                started.elapsed().as_secs_f64(),
                rows as f64 / started.elapsed().as_secs_f64()
            );
            let mut b = postgres::Client::connect(&url_of(PG_NAME), postgres::NoTls).unwrap();
            b.batch_execute("VACUUM ANALYZE").unwrap();
        }
        url_of(PG_NAME)
    })
    .clone()
}

/// A scratch database on the server, a copy of the large one, dropped with it.
struct PgCopy {
    name: String,
}

impl PgCopy {
    fn new() -> PgCopy {
        pg_db();
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "opsdeck_bench_copy_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        admin()
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {PG_NAME}"))
            .unwrap();
        PgCopy { name }
    }

    fn url(&self) -> String {
        url_of(&self.name)
    }
}

impl Drop for PgCopy {
    fn drop(&mut self) {
        let _ = admin().batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

fn sqlite_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("scratch.db");
    Store::open_at(sqlite_db(), "bench", NOW)
        .unwrap()
        .raw_conn_for_tests()
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
    (dir, copy)
}

/// A scratch copy of the large operation on `engine`, for a bench that
/// writes: the file copy's folder, the server copy (dropped with it) and
/// what `--db` takes.
fn scratch(engine: &str) -> (tempfile::TempDir, Option<PgCopy>, PathBuf) {
    let (dir, file) = sqlite_copy();
    let server = (engine == "pg").then(PgCopy::new);
    let path = match &server {
        Some(s) => PathBuf::from(s.url()),
        None => file,
    };
    (dir, server, path)
}

fn open(engine: &str) -> Store {
    match engine {
        "sqlite" => Store::open_at(sqlite_db(), "bench", NOW).unwrap(),
        _ => Store::open_at(Path::new(&pg_db()), "bench", NOW).unwrap(),
    }
}

fn terminal() -> ratatui::Terminal<ratatui::backend::TestBackend> {
    ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap()
}

const ENGINES: [&str; 2] = ["sqlite", "pg"];

/// `opsdeck status`: the board of every indicator.
#[divan::bench(args = ENGINES, sample_count = 20)]
fn status(bencher: divan::Bencher, engine: &str) {
    let store = open(engine);
    bencher.bench_local(|| store.indicator_board(NOW).unwrap());
}

/// One `opsdeck check` evaluation, committed, on a copy (steady state).
#[divan::bench(args = ENGINES, sample_count = 20)]
fn check(bencher: divan::Bencher, engine: &str) {
    let (_dir, _server, path) = scratch(engine);
    let mut store = Store::open_at(&path, "cron", NOW).unwrap();
    let policy = opsdeck::store::alerts::AlertPolicy::default();
    bencher.bench_local(|| {
        store
            .write_with_reads(|s, tx| opsdeck::store::alerts::evaluate_rules(s, tx, NOW, &policy))
            .unwrap()
    });
}

/// The cockpit's first frame: open, load the cockpit's models, draw 200x60.
#[divan::bench(args = ENGINES, sample_count = 20)]
fn first_frame(bencher: divan::Bencher, engine: &str) {
    open(engine);
    bencher.bench_local(|| {
        let mut store = open(engine);
        let app = opsdeck::tui::loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
        terminal()
            .draw(|f| opsdeck::tui::views::draw(f, &app))
            .map(|_| ())
            .unwrap()
    });
}

/// Another client runs `opsdeck record` (not timed: its commit, with its
/// audit row, as the command writes it); timed from the commit to the
/// redraw: noticing it, reading what the audit trail says changed (that
/// indicator alone), drawing. What a team sees in practice.
#[divan::bench(args = ENGINES, sample_count = 50, sample_size = 1)]
fn reload_after_another_clients_record(bencher: divan::Bencher, engine: &str) {
    reload_after_another_clients_write(bencher, engine, true);
}

/// Another client writes a value around opsdeck, with no audit row (not
/// timed: its commit): the worst case, where the cockpit cannot tell what
/// changed and reads everything again. Timed as above.
#[divan::bench(args = ENGINES, sample_count = 50, sample_size = 1)]
fn reload_after_another_clients_write_without_audit(bencher: divan::Bencher, engine: &str) {
    reload_after_another_clients_write(bencher, engine, false);
}

/// Another client records a value (with the audit row `opsdeck record`
/// writes when `audited`); timed from its commit to the redraw: noticing it
/// (SQLite: `data_version`; the server: the notification reaching the
/// listener, polled every 1 ms here), reloading the cockpit's models and
/// drawing.
fn reload_after_another_clients_write(bencher: divan::Bencher, engine: &str, audited: bool) {
    let (_dir, _server, path) = scratch(engine);
    let mut ui = Store::open_at(&path, "ui", NOW).unwrap();
    let mut writer = Store::open_at(&path, "writer", NOW).unwrap();
    let id = writer.indicator("first_response").unwrap().unwrap().id;
    let mut app = opsdeck::tui::loaded_app(&mut ui, View::Cockpit, NOW, Theme::mono());
    let mut terminal = terminal();
    let mut seen = ui.data_version().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ui.is_listening() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut i = 0;
    bencher
        .with_inputs(|| {
            i += 1;
            let value = 1.0 + i as f64 / 1e6;
            writer
                .write(|tx| -> opsdeck::store::Result<()> {
                    opsdeck::store::indicators::insert_observation(
                        tx,
                        id,
                        NOW - 30,
                        value,
                        None,
                        opsdeck::store::indicators::Origin::Manual,
                    )?;
                    if audited {
                        opsdeck::store::audit::record(
                            tx,
                            NOW,
                            "record",
                            "observation",
                            Some("first_response"),
                            &serde_json::json!({ "value": value }),
                        )?;
                    }
                    Ok(())
                })
                .unwrap();
        })
        .bench_local_values(|()| {
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut v = ui.data_version().unwrap();
            while v == seen && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
                v = ui.data_version().unwrap();
            }
            assert_ne!(v, seen, "the write was not seen");
            seen = v;
            opsdeck::tui::dispatch(&mut ui, &mut app, opsdeck::tui::action::Action::DataChanged);
            terminal
                .draw(|f| opsdeck::tui::views::draw(f, &app))
                .map(|_| ())
                .unwrap()
        });
}

/// Import throughput: 100,000 observation rows from CSV into a new
/// database of either engine.
#[divan::bench(args = ENGINES, sample_count = 5, sample_size = 1)]
fn import_100k_observations(bencher: divan::Bencher, engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut servers = Vec::new();
    bencher
        .counter(divan::counter::ItemsCount::new(100_000usize))
        .with_inputs(|| {
            n += 1;
            let path = if engine == "pg" {
                let name = format!("opsdeck_bench_import_{}_{n}", std::process::id());
                admin()
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                servers.push(name.clone());
                PathBuf::from(url_of(&name))
            } else {
                dir.path().join(format!("i{n}.db"))
            };
            let mut store = Store::open_at(&path, "bench", NOW).unwrap();
            // 20 generated measures (unit `u`, no plausible range): the
            // starter's `%` indicators would refuse the generator's tails.
            let mut keys = dataset::define_indicators(
                &mut store,
                Size {
                    indicators: 40,
                    ..Size::LARGE
                },
            )
            .unwrap();
            keys.retain(|k| k.starts_with("bench_"));
            keys.truncate(20);
            let mut csv = Vec::new();
            dataset::write_observations(&mut csv, &keys, 5_000, 365, NOW, 9).unwrap();
            (store, csv)
        })
        .bench_local_values(|(mut store, csv)| {
            let map: std::collections::HashMap<String, i64> = store
                .indicators()
                .unwrap()
                .into_iter()
                .map(|i| (i.def.key, i.id))
                .collect();
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
    for name in servers {
        let _ = admin().batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
