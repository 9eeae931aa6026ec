//! Schema migrations from every earlier version: `tests/data/schema/vN.db`
//! is a small database written by the opsdeck of schema version N. Each is
//! copied, opened by this binary (which migrates it) and checked.

use opsdeck::store::{Store, SCHEMA_VERSION};

fn fixtures() -> Vec<(i64, std::path::PathBuf)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schema");
    let mut out = Vec::new();
    for v in 1..=SCHEMA_VERSION {
        let p = dir.join(format!("v{v}.db"));
        assert!(
            p.exists(),
            "a fixture database for every schema version: {} is missing",
            p.display()
        );
        out.push((v, p));
    }
    out
}

#[test]
fn every_earlier_schema_migrates_to_the_latest_and_keeps_its_data() {
    for (v, fixture) in fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.db");
        std::fs::copy(&fixture, &db).unwrap();
        let before: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(before, v);
        let store = Store::open(&db, "migration-test").unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            SCHEMA_VERSION,
            "v{v} migrated"
        );
        // The data written by the old version is still there.
        let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            count("SELECT count(*) FROM observations WHERE note = 'fixture'"),
            1,
            "v{v}"
        );
        assert_eq!(
            count("SELECT count(*) FROM work_items WHERE external_id LIKE 'F-%'"),
            2,
            "v{v}"
        );
        assert_eq!(count("SELECT count(*) FROM feedback"), 1, "v{v}");
        assert!(
            count("SELECT count(*) FROM audit WHERE actor = 'fixture'") >= 3,
            "v{v}"
        );
        let ok: String = store
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        // And it works: the board reads it.
        assert!(!store
            .indicator_board(1_795_510_800)
            .unwrap()
            .readings
            .is_empty());
    }
}

#[test]
fn migrations_are_numbered_files_applied_in_order() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names.len() as i64,
        SCHEMA_VERSION,
        "one file per version: {names:?}"
    );
    // Numbered files in strictly increasing order. (0006 is taken by a
    // branch developed in parallel; the files are renumbered 1..=N when the
    // branches are merged, and this check can then require `i + 1` again.)
    let mut last = 0;
    for n in &names {
        let number: u32 = n[..4].parse().unwrap_or_else(|_| panic!("{n}: no number"));
        assert!(number > last, "{n} out of order");
        assert!(n.as_bytes()[4] == b'_', "{n}");
        last = number;
    }
    assert!(names[0].starts_with("0001_"), "{names:?}");
}

#[test]
fn min_events_and_corrections_migrate_with_defaults_and_keep_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schema/v5.db"),
        &db,
    )
    .unwrap();
    let store = Store::open(&db, "migration-test").unwrap();
    let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    // Indicators take the default (NULL): 5 for derived, 1 for recorded.
    assert_eq!(
        count("SELECT count(*) FROM indicators WHERE min_events IS NOT NULL"),
        0
    );
    for i in store.indicators().unwrap() {
        let want = if i.def.source == opsdeck::domain::indicator::Source::Observations {
            1
        } else {
            5
        };
        assert_eq!(i.def.min_events(), want, "{}", i.def.key);
    }
    // Old values are kept, with no recorder known, and no history yet.
    assert_eq!(
        count("SELECT count(*) FROM observations WHERE note = 'fixture'"),
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM observations WHERE recorded_by IS NOT NULL"),
        0
    );
    assert_eq!(count("SELECT count(*) FROM observation_history"), 0);
}
