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
    // Files from parallel branches carry a provisional number (0008_...)
    // until the merge renumbers them: the order of the numbers is what counts.
    let numbers: Vec<u32> = names
        .iter()
        .map(|n| n[..4].parse().unwrap_or_else(|_| panic!("{n}: no number")))
        .collect();
    assert_eq!(numbers[0], 1, "{names:?}");
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "{names:?} out of order"
    );
}

#[test]
fn a_database_from_before_definitions_gets_ranges_and_retirement_and_keeps_its_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let v5 = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schema/v5.db");
    std::fs::copy(&v5, &db).unwrap();
    let store = Store::open(&db, "migration-test").unwrap();
    let n: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM indicators WHERE retired_at IS NULL AND min_value IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n as usize, store.indicators().unwrap().len());
    assert!(n > 0);
    let (def, retired) = store.current_definition().unwrap();
    assert_eq!(def.indicators.len() as i64, n);
    assert!(retired.indicators.is_empty());
}
