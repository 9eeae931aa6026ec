//! Helpers for tests that drive the library's `Store` directly.

use opsdeck::store::alerts::Alert;
use opsdeck::store::Store;

/// The active (open or acknowledged) alert with `key`, if any.
pub fn active(store: &Store, key: &str) -> Option<Alert> {
    store
        .active_alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.key == key)
}

/// The first column of `sql`'s one row, read directly.
pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .raw_conn_for_tests()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Writes one observation of indicator `key` through `store` (as another
/// process would), with `origin`.
pub fn insert_value(
    store: &mut Store,
    key: &str,
    at: i64,
    value: f64,
    origin: opsdeck::store::indicators::Origin,
) {
    let id = store.indicator(key).unwrap().unwrap().id;
    store
        .write(|tx| opsdeck::store::indicators::insert_observation(tx, id, at, value, None, origin))
        .unwrap();
}
