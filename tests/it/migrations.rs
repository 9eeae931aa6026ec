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
        let audit_before: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT max(id) FROM audit", [], |r| r.get(0))
            .unwrap();
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
        // Who did it: rows from before the login columns keep an unknown
        // login; a write after the migration records the OS login and uid.
        assert!(
            count("SELECT count(*) FROM pragma_table_info('audit') WHERE name IN ('login', 'uid')")
                == 2,
            "v{v}"
        );
        if v < 6 {
            assert_eq!(
                count(&format!(
                    "SELECT count(*) FROM audit WHERE login IS NOT NULL AND id <= {audit_before}"
                )),
                0,
                "v{v}: rows from before are not attributed to the migrating login"
            );
            // Rows seeded by this migration run are this process's.
            assert_eq!(
                count(&format!(
                    "SELECT count(*) FROM audit WHERE login IS NULL AND id > {audit_before}"
                )),
                0,
                "v{v}"
            );
        }
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
    // Numbers strictly increase in the order MIGRATIONS applies them (a
    // branch's migration may carry a higher number until it is renumbered at
    // merge), and each file is the one applied at its position.
    let mut last = 0;
    for (i, n) in names.iter().enumerate() {
        let num: u32 = n[..4]
            .parse()
            .unwrap_or_else(|_| panic!("{n}: NNNN_ prefix"));
        assert!(num > last, "{n} out of order");
        last = num;
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/store/migrations")
                .join(n),
        )
        .unwrap();
        assert_eq!(
            text,
            opsdeck::store::MIGRATIONS[i],
            "{n} is migration {}",
            i + 1
        );
    }
}
