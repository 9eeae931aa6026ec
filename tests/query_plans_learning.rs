//! The hot queries of the Decisions view and the standup use their indexes.

use opsdeck::store::{decisions, Store};

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
fn decisions_since_use_the_time_and_supersede_indexes() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, decisions::SQL_DECISIONS_BETWEEN);
    assert!(p.contains("decisions_by_time"), "{p}");
    assert!(
        p.contains("sqlite_autoindex_decisions_1 (supersedes=?)"),
        "{p}"
    );
    assert!(!p.lines().any(|l| l.starts_with("SCAN")), "{p}");
    let p = plan(&store, decisions::SQL_DECISION_EVIDENCE);
    assert!(
        p.contains("sqlite_autoindex_decision_evidence_1 (decision_id=?)"),
        "{p}"
    );
}
