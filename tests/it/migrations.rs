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
        let count = |sql: &str| -> i64 {
            store
                .raw_conn_for_tests()
                .query_row(sql, [], |r| r.get(0))
                .unwrap()
        };
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
            .raw_conn_for_tests()
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
    for (i, n) in names.iter().enumerate() {
        assert!(n.starts_with(&format!("{:04}_", i + 1)), "{n} out of order");
    }
}
