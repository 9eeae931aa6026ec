//! The hot queries of the screens and `status` must use their indexes: this
//! pins their plans so a later change cannot turn them into table scans.

use opsdeck::store::{feedback, indicators, work_items, Store};

fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .conn()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let n = stmt.parameter_count();
    let params: Vec<i64> = vec![0; n];
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })
        .unwrap();
    rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
}

fn assert_no_scan(plan: &str) {
    for line in plan.lines() {
        assert!(!line.starts_with("SCAN"), "table scan in plan:\n{plan}");
    }
}

#[test]
fn observation_window_uses_its_index() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, indicators::SQL_OBSERVATION_POINTS);
    assert!(
        p.contains("USING COVERING INDEX observations_by_indicator_time"),
        "{p}"
    );
    assert_no_scan(&p);
}

#[test]
fn work_items_window_uses_kind_indexes() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, work_items::SQL_WORK_ITEMS_SINCE);
    assert!(p.contains("work_items_by_kind_closed"), "{p}");
    assert!(
        p.contains("work_items_by_kind_closed (kind=? AND closed_at=?)"),
        "open items: {p}"
    );
    assert!(
        p.contains("SEARCH f USING PRIMARY KEY"),
        "the repeat flag reads the rollup: {p}"
    );
    assert_no_scan(&p);
}

#[test]
fn feedback_window_uses_its_index() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, feedback::SQL_FEEDBACK_BETWEEN);
    assert!(p.contains("feedback_by_time"), "{p}");
    assert_no_scan(&p);
}

#[test]
fn work_kinds_skip_through_the_kind_index() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, work_items::SQL_WORK_KINDS);
    assert!(p.contains("SEARCH work_items USING COVERING INDEX"), "{p}");
    assert!(p.contains("(kind>?)"), "one seek per kind: {p}");
    assert!(
        !p.lines().any(|l| l.contains("SCAN work_items")),
        "no scan of the work items: {p}"
    );
}

#[test]
fn the_work_items_change_token_is_one_primary_key_probe() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, work_items::SQL_WORK_ITEMS_TOKEN);
    assert_eq!(
        p, "SEARCH change_tokens USING PRIMARY KEY (name=?)",
        "read before every reuse of the work items: {p}"
    );
}
