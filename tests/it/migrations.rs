//! Schema migrations from every earlier version: `tests/data/schema/vN.db`
//! is a small database written by the opsdeck of schema version N. Each is
//! copied, opened by this binary (which migrates it) and checked.

use crate::common::store::count;
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

/// A copy of the fixture database of schema `version` in a temp folder
/// (kept while the returned folder lives).
fn old_copy(version: i64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/data/schema/v{version}.db"));
    std::fs::copy(fixture, &db).unwrap();
    (dir, db)
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
        let rows_before = table_counts(&db);
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
        // No row of any table is lost (schema 6 dropped the unique index
        // that merged same-second observations: it keeps every row).
        for (table, n) in rows_before {
            let after = count(&format!("SELECT count(*) FROM \"{table}\""));
            assert!(after >= n, "v{v}: {table} had {n} rows, has {after}");
        }
        assert_eq!(
            store
                .raw_conn_for_tests()
                .query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            i64::from(u32::from_be_bytes(*b"OPSD")),
            "v{v}: marked as an opsdeck database"
        );
        let ok: String = store
            .raw_conn_for_tests()
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

/// Rows per table of a database file.
fn table_counts(db: &std::path::Path) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    names
        .into_iter()
        .map(|t| {
            let n = c
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

#[test]
fn schema_6_keeps_same_second_observations_and_lets_new_ones_in() {
    let (_dir, db) = old_copy(5);
    let mut store = Store::open(&db, "migration-test").unwrap();
    let id = store.indicator("first_response").unwrap().unwrap().id;
    store
        .write(|tx| -> opsdeck::store::Result<()> {
            for _ in 0..2 {
                opsdeck::store::indicators::insert_observation(
                    tx,
                    id,
                    1_795_500_000,
                    3.0,
                    None,
                    opsdeck::store::indicators::Origin::Manual,
                )?;
            }
            Ok(())
        })
        .unwrap();
    let n = count(
        &store,
        "SELECT count(*) FROM observations WHERE at = 1795500000 AND value = 3.0",
    );
    assert_eq!(n, 2, "two events of the same value in the same second");
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
    // Numbered 1..=N in the order MIGRATIONS applies them, and each file is
    // the one applied at its position.
    for (i, n) in names.iter().enumerate() {
        assert!(n.starts_with(&format!("{:04}_", i + 1)), "{n} out of order");
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

#[test]
fn min_events_and_corrections_migrate_with_defaults_and_keep_every_value() {
    let (_dir, db) = old_copy(5);
    let store = Store::open(&db, "migration-test").unwrap();
    let count = |sql: &str| count(&store, sql);
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

#[test]
fn a_database_from_before_definitions_gets_ranges_and_retirement_and_keeps_its_indicators() {
    let (_dir, db) = old_copy(5);
    let store = Store::open(&db, "migration-test").unwrap();
    let n = count(
        &store,
        "SELECT count(*) FROM indicators WHERE retired_at IS NULL AND min_value IS NULL",
    );
    assert_eq!(n as usize, store.indicators().unwrap().len());
    assert!(n > 0);
    let (def, retired) = store.current_definition().unwrap();
    assert_eq!(def.indicators.len() as i64, n);
    assert!(retired.indicators.is_empty());
}

#[test]
fn a_database_from_before_versioned_capacities_keeps_its_capacities_for_all_times() {
    let (_dir, db) = old_copy(7);
    let store = Store::open(&db, "migration-test").unwrap();
    let now = store.capacities().unwrap();
    assert!(!now.is_empty());
    // No changes recorded before the table existed: today's capacity holds
    // for any earlier time.
    assert_eq!(store.capacities_at(0).unwrap(), now);
    let n = count(&store, "SELECT count(*) FROM capacity_changes");
    assert_eq!(n, 0);
}

#[test]
fn schema_11_adds_sources_their_runs_and_a_lease_that_one_holder_gets() {
    let (_dir, db) = old_copy(10);
    let mut store = Store::open_at(&db, "migration-test", 1_795_510_800).unwrap();
    assert!(store.stored_sources().unwrap().is_empty());
    use opsdeck::store::sources::{put_source, take_lease};
    let (first, second) = store
        .write(|tx| -> opsdeck::store::Result<(bool, bool)> {
            put_source(
                tx,
                1_795_510_800,
                "shop",
                "[[source]]\nname = \"shop\"\n",
                (900, 86_400),
            )?;
            Ok((
                take_lease(tx, "shop", "a", 1_795_510_800, 60)?,
                take_lease(tx, "shop", "b", 1_795_510_810, 60)?,
            ))
        })
        .unwrap();
    assert!(first && !second, "the second holder waits for the lease");
    let taken_over = store
        .write(|tx| take_lease(tx, "shop", "b", 1_795_510_861, 60))
        .unwrap();
    assert!(taken_over, "an expired lease is taken over");
    assert_eq!(store.stored_sources().unwrap()[0].name, "shop");
    // The alerts table takes the new kind of alert (its CHECK widened in place).
    let sql: String = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'alerts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("'overdue_run', 'manual', 'source')"), "{sql}");
}

#[test]
fn schema_12_summarises_every_existing_hour_and_keeps_the_summaries_up_to_date() {
    let (_dir, db) = old_copy(11);
    let mut store = Store::open_at(&db, "migration-test", 1_795_510_800).unwrap();
    let count = |store: &Store, sql: &str| -> i64 {
        store
            .raw_conn_for_tests()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    // Every hour that held values before has its summary, and none is stale.
    let hours_with_values = "SELECT count(DISTINCT indicator_id || ':' || (at - ((at % 3600) + 3600) % 3600)) FROM observations";
    assert!(count(&store, hours_with_values) >= 1);
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_hours"),
        count(&store, hours_with_values)
    );
    assert_eq!(
        count(&store, "SELECT sum(n) FROM observation_hours"),
        count(&store, "SELECT count(*) FROM observations")
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_hours_stale"),
        0
    );
    // A new value through the store is summarised in the same transaction.
    let id = count(&store, "SELECT min(indicator_id) FROM observations");
    store
        .write(|tx| {
            opsdeck::store::indicators::insert_observation(
                tx,
                id,
                1_795_510_800,
                7.0,
                None,
                opsdeck::store::indicators::Origin::Manual,
            )
        })
        .unwrap();
    assert_eq!(
        count(&store, "SELECT sum(n) FROM observation_hours"),
        count(&store, "SELECT count(*) FROM observations")
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_hours_stale"),
        0
    );
}

#[test]
fn schema_13_adds_incidents_that_only_move_forward_and_keeps_the_fixture_incident() {
    // From 12: the tables are there and empty.
    let (_dir, db) = old_copy(12);
    let store = Store::open(&db, "migration-test").unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM incidents"), 0);
    assert!(store.incidents().unwrap().is_empty());
    // The fixture of 13: one resolved incident of two alerts, one action item.
    let (_dir, db) = old_copy(13);
    let store = Store::open_at(&db, "migration-test", 1_795_510_800).unwrap();
    let i = store.incident(1).unwrap();
    assert_eq!(i.title, "Fixture incident");
    assert_eq!(i.alerts, vec![1, 2]);
    assert_eq!(i.state, opsdeck::domain::incident::IncidentState::Resolved);
    let actions = store.incident_actions(1).unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].external_id, "INC-1-1");
    assert!(actions[0].is_late(1_795_510_800));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM work_items WHERE kind = 'action' AND external_id = 'INC-1-1'"
        ),
        1
    );
    // Even around the store, the state cannot go back, nor an incident go.
    let back = store
        .raw_conn_for_tests()
        .execute("UPDATE incidents SET state = 'open' WHERE id = 1", []);
    assert!(
        back.unwrap_err().to_string().contains("only moves forward"),
        "the trigger refuses"
    );
    assert!(store
        .raw_conn_for_tests()
        .execute("DELETE FROM incidents", [])
        .is_err());
}

#[test]
fn schema_14_adds_overrides_silences_and_the_outbox() {
    // From 13: no on call yet, nobody on call, nothing silenced.
    let (_dir, db) = old_copy(13);
    let store = Store::open_at(&db, "migration-test", 1_795_510_800).unwrap();
    let book = store.oncall_book(1_795_510_800).unwrap();
    assert!(book.covered_roles().is_empty());
    assert!(book.silences.is_empty());
    assert!(store.pending_notifications().unwrap().is_empty());
    // The fixture of 14: Fay's override and rotation, a silence, a held page.
    let (_dir, db) = old_copy(14);
    let store = Store::open_at(&db, "migration-test", 1_795_510_800).unwrap();
    let book = store.oncall_book(1_795_510_800).unwrap();
    let fay = book.on_call("finance", 1_795_510_800);
    assert_eq!(fay.person.as_deref(), Some("Fay"));
    assert_eq!(fay.override_id, Some(1));
    assert_eq!(book.def.rotations.len(), 1);
    assert_eq!(book.silences[0].reason, "fixture silence");
    let held = store.pending_notifications().unwrap();
    assert_eq!((held.len(), held[0].due_at), (1, None));
}

#[test]
fn schema_15_summarises_every_existing_day_from_its_hours_and_keeps_them_up_to_date() {
    let (_dir, db) = old_copy(12);
    let mut store = Store::open_at(&db, "migration-test", 1_795_510_800).unwrap();
    let count = |store: &Store, sql: &str| -> i64 {
        store
            .raw_conn_for_tests()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    // Every day that held hours has its summary: their merge, with the
    // number of hours; none is stale.
    let days_with_hours = "SELECT count(DISTINCT indicator_id || ':' || (hour - ((hour % 86400) + 86400) % 86400)) FROM observation_hours";
    assert!(count(&store, days_with_hours) >= 1);
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_days"),
        count(&store, days_with_hours)
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_day_sketches"),
        count(&store, days_with_hours)
    );
    assert_eq!(
        count(&store, "SELECT sum(n) FROM observation_days"),
        count(&store, "SELECT count(*) FROM observations")
    );
    assert_eq!(
        count(&store, "SELECT sum(hours) FROM observation_days"),
        count(&store, "SELECT count(*) FROM observation_hours")
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_days_stale"),
        0
    );
    // Two values on a new day, through the store: that day is summarised
    // in the same transaction, from both of its hours.
    let id = count(&store, "SELECT min(indicator_id) FROM observations");
    store
        .write(|tx| {
            for at in [1_795_510_800 - 7_200, 1_795_510_800] {
                opsdeck::store::indicators::insert_observation(
                    tx,
                    id,
                    at,
                    7.0,
                    None,
                    opsdeck::store::indicators::Origin::Manual,
                )?;
            }
            Ok::<_, opsdeck::store::StoreError>(())
        })
        .unwrap();
    assert_eq!(
        count(&store, "SELECT sum(n) FROM observation_days"),
        count(&store, "SELECT count(*) FROM observations")
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT hours FROM observation_days WHERE indicator_id = {id} AND day = 1795478400"
            )
        ),
        2
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM observation_days_stale"),
        0
    );
}
