//! The alert screens' and `check`'s hot queries use their indexes.

use opsdeck::store::{alerts, Store};

fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .conn()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let params: Vec<i64> = vec![0; stmt.parameter_count()];
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })
        .unwrap();
    rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_alert_screens_queries_use_their_indexes() {
    let s = Store::open_in_memory("tester").unwrap();
    let p = plan(&s, alerts::SQL_ACTIVE_ALERTS);
    assert!(p.contains("alerts_active"), "{p}");
    let p = plan(&s, alerts::SQL_ALERT_HISTORY);
    assert!(p.contains("alert_events_by_time"), "{p}");
    // SLO events come from the shared work items (SQL_WORK_ITEMS_SINCE,
    // pinned in query_plans.rs), not from a query of their own.
    let p = plan(
        &s,
        "SELECT id FROM alerts WHERE dedup_key = ?1 AND state IN ('open', 'acknowledged')",
    );
    assert!(p.contains("alerts_one_active_per_cause"), "{p}");
}
