//! The hot queries of the screens, `status` and `check` must use their indexes: this
//! pins their plans so a later change cannot turn them into table scans.

use opsdeck::store::{alerts, decisions, feedback, indicators, runs, work_items, Store};

fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .raw_conn_for_tests()
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
    // Read in index order: no sort of the window's rows (the tie-break by
    // id is done in Rust on the few values of the same second).
    assert!(!p.contains("TEMP B-TREE"), "{p}");
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
fn the_alert_screens_queries_use_their_indexes() {
    let s = Store::open_in_memory("tester").unwrap();
    let p = plan(&s, alerts::SQL_ACTIVE_ALERTS);
    assert!(p.contains("alerts_active"), "{p}");
    let p = plan(&s, alerts::SQL_ALERT_HISTORY);
    assert!(p.contains("alert_events_by_time"), "{p}");
    // SLO events come from the shared work items (SQL_WORK_ITEMS_SINCE,
    // pinned above), not from a query of their own.
    let p = plan(
        &s,
        "SELECT id FROM alerts WHERE dedup_key = ?1 AND state IN ('open', 'acknowledged')",
    );
    assert!(p.contains("alerts_one_active_per_cause"), "{p}");
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

#[test]
fn open_runs_and_run_items_use_their_indexes() {
    let store = Store::open_in_memory("test").unwrap();
    let p = plan(&store, runs::SQL_OPEN_RUNS);
    assert!(p.contains("checklist_runs_by_state (state=?)"), "{p}");
    assert!(!p.lines().any(|l| l.starts_with("SCAN")), "{p}");
    let p = plan(&store, runs::SQL_RUN_ITEMS);
    assert!(p.contains("USING PRIMARY KEY (run_id=?)"), "{p}");
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

#[test]
fn the_notification_outbox_reads_its_indexes() {
    use opsdeck::store::oncall::outbox;
    let store = Store::open_in_memory("test").unwrap();
    // Pending rows: only the partial index of what is not sent yet.
    for sql in [outbox::SQL_ANY_PENDING, outbox::SQL_PENDING] {
        let p = plan(&store, sql);
        assert!(p.contains("INDEX notify_outbox_pending"), "{p}");
    }
    let p = plan(&store, outbox::SQL_LAST_SENT_TO);
    assert!(
        p.contains("notify_outbox_by_recipient (recipient=?)"),
        "{p}"
    );
    assert_no_scan(&p);
}
