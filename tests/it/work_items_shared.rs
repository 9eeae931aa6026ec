//! The store keeps the work items it read between reloads while their change
//! token holds: another process's insert or update, the store's own writes
//! and a rolled-back transaction are all seen; an unrelated write is not a
//! reason to read them again.

use opsdeck::domain::flow::{Outcome, WorkItem};
use opsdeck::store::work_items::upsert_work_item;
use opsdeck::store::Store;
use std::sync::Arc;

const NOW: i64 = 1_795_510_800;
const FROM: i64 = NOW - 28 * 86_400;

fn order(n: i64, closed: Option<i64>) -> WorkItem {
    WorkItem {
        kind: "order".into(),
        external_id: format!("O-{n}"),
        customer: Some(format!("C{}", n % 3)),
        segment: None,
        opened_at: NOW - 86_400 - n * 60,
        promised_at: Some(NOW),
        closed_at: closed,
        outcome: closed.map(|_| Outcome::Ok),
        satisfaction: None,
    }
}

fn write(store: &mut Store, w: &WorkItem) {
    store.write(|tx| upsert_work_item(tx, w)).unwrap();
}

#[test]
fn kept_while_unchanged_and_read_again_after_any_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut ui = Store::open_at(&db, "ui", NOW).unwrap();
    let mut other = Store::open_at(&db, "other", NOW).unwrap();
    write(&mut other, &order(1, Some(NOW - 3600)));
    write(&mut other, &order(2, None));

    let first = ui.work_items_shared("order", FROM).unwrap();
    assert_eq!(first.items.len(), 2);
    // Nothing changed (an observation is not a work item): the same rows.
    crate::common::store::insert_value(
        &mut other,
        "first_response",
        NOW - 60,
        3.0,
        opsdeck::store::indicators::Origin::Manual,
    );
    let again = ui.work_items_shared("order", FROM).unwrap();
    assert!(Arc::ptr_eq(&first, &again), "read again without a change");
    // A later `from` is served by what was read from earlier.
    let later = ui.work_items_shared("order", FROM + 86_400).unwrap();
    assert!(Arc::ptr_eq(&first, &later));

    // Another process inserts one and closes another.
    write(&mut other, &order(3, None));
    write(&mut other, &order(2, Some(NOW - 60)));
    let after = ui.work_items_shared("order", FROM).unwrap();
    assert_eq!(after.items.len(), 3);
    let two = after.items.iter().find(|w| w.external_id == "O-2").unwrap();
    assert_eq!(two.closed_at, Some(NOW - 60), "the update is seen");

    // Its own write.
    write(&mut ui, &order(4, None));
    assert_eq!(ui.work_items_shared("order", FROM).unwrap().items.len(), 4);

    // A deletion by any other program.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("DELETE FROM work_items WHERE external_id = 'O-4'", [])
        .unwrap();
    assert_eq!(ui.work_items_shared("order", FROM).unwrap().items.len(), 3);
}

#[test]
fn rows_read_inside_a_rolled_back_transaction_are_not_kept() {
    let mut store = Store::open_in_memory_at("t", NOW).unwrap();
    write(&mut store, &order(1, None));
    assert_eq!(
        store.work_items_shared("order", FROM).unwrap().items.len(),
        1
    );
    let _ = store.write(|tx| -> Result<(), opsdeck::store::StoreError> {
        upsert_work_item(tx, &order(2, None))?;
        // Read inside the transaction (as `check` does), then roll back.
        Err(opsdeck::store::StoreError::Invalid("roll back".into()))
    });
    let _ = store.write_with_reads(|s, tx| -> Result<(), opsdeck::store::StoreError> {
        upsert_work_item(tx, &order(3, None))?;
        assert_eq!(s.work_items_shared("order", FROM)?.items.len(), 2);
        Err(opsdeck::store::StoreError::Invalid("roll back".into()))
    });
    assert_eq!(
        store.work_items_shared("order", FROM).unwrap().items.len(),
        1
    );
}
