//! Issue 4 at the store level: the schema upgrade from version 1 and the
//! query plans of the runs screens.

use opsdeck::store::{runs, Store, MIGRATIONS};

#[test]
fn a_version_1_database_is_upgraded_with_the_starter_playbooks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        for key in ["demand", "fulfilment", "support", "finance", "ops-lead"] {
            conn.execute("INSERT INTO roles (key, name) VALUES (?1, ?1)", [key])
                .unwrap();
        }
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path, "upgrader").unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(store.playbooks(0).unwrap().len(), 5);
    assert!(store.runs(runs::RunFilter::Open).unwrap().is_empty());
}

#[test]
fn an_upgrade_with_changed_roles_leaves_out_what_does_not_validate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        for key in ["support", "ops-lead"] {
            conn.execute("INSERT INTO roles (key, name) VALUES (?1, ?1)", [key])
                .unwrap();
        }
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path, "upgrader").unwrap();
    let keys: Vec<String> = store
        .playbooks(0)
        .unwrap()
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert_eq!(keys, ["daily-standup", "support-ticket"]);
    // Later migrations (SLOs) audit too: look among the newest entries.
    let audit = store.audit_recent(5).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.detail.as_deref().unwrap_or("").contains("unknown role")),
        "{audit:?}"
    );
}

#[test]
fn the_version_2_fixture_keeps_its_run_through_later_migrations() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schema/v2.db");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v2.db");
    std::fs::copy(&fixture, &db).unwrap();
    let store = Store::open(&db, "migration-test").unwrap();
    let run = store.run(1).unwrap().unwrap();
    assert_eq!(
        (run.key.as_str(), run.context.as_deref()),
        ("order-fulfilment", Some("F-2"))
    );
    assert_eq!((run.progress().done, run.progress().skipped), (1, 1));
    let finance = store
        .roles()
        .unwrap()
        .into_iter()
        .find(|r| r.key == "finance")
        .unwrap();
    assert_eq!(finance.people, ["Fay"]);
}
