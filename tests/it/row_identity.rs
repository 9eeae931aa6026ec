//! Every event counts, and a re-import is still idempotent: an observation's
//! identity is its origin and origin key (README, "The same row").

use crate::common::{json, stdout, Env};

const NOW: &str = "2026-11-26T12:00:00Z";

/// Adds a `refunds` indicator that sums its values over a week.
fn add_sum_indicator(env: &Env) {
    env.at(NOW, &["status"]).assert().success();
    let c = env.conn();
    c.execute(
        "INSERT INTO indicators (key, name, definition, kind, unit, direction, aggregation, window_secs, target, warn, breach, owner_role)
         VALUES ('refunds', 'Refunds', 'Refunds paid', 'lagging', '', 'lower', 'sum', 604800, 5, 10, 20, 'ops-lead')",
        [],
    )
    .unwrap();
}

fn value_of(env: &Env, key: &str) -> f64 {
    let out = env
        .at(NOW, &["status", "--format", "json"])
        .output()
        .unwrap();
    let doc = json(&out);
    doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} on the board"))["value"]
        .as_f64()
        .unwrap()
}

#[test]
fn same_second_records_from_two_processes_on_a_sum_indicator_both_count() {
    let env = Env::new();
    add_sum_indicator(&env);
    let spawn = |note: &str| {
        let mut c = env.spawn_cmd(&["record", "refunds", "1", "--note", note]);
        c.env("OPSDECK_NOW", NOW);
        c.stdout(std::process::Stdio::piped()).spawn().unwrap()
    };
    let (a, b) = (spawn("refund for order 17"), spawn("refund for order 18"));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert!(
            stdout(&out).contains("recorded refunds = 1"),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(value_of(&env, "refunds"), 2.0, "the sum counts both events");
    assert_eq!(
        env.query_i64(
            "SELECT count(DISTINCT note) FROM observations WHERE note LIKE 'refund for order%'"
        ),
        2,
        "each keeps its note"
    );
}

#[test]
fn identical_rows_of_one_file_all_count_and_a_reimport_adds_nothing() {
    let env = Env::new();
    add_sum_indicator(&env);
    let f = env.file(
        "refunds.csv",
        b"indicator,at,value,note\nrefunds,2026-11-26T09:00:00Z,1,\nrefunds,2026-11-26T09:00:00Z,1,\nrefunds,2026-11-26T09:00:00Z,1,\n",
    );
    let first = env.at(NOW, &["import", &f]).output().unwrap();
    assert!(
        stdout(&first).contains("3 new or changed, 0 unchanged"),
        "{}",
        stdout(&first)
    );
    assert_eq!(value_of(&env, "refunds"), 3.0);
    let again = env.at(NOW, &["import", &f]).output().unwrap();
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("0 new or changed, 3 unchanged"),
        "{}",
        stdout(&again)
    );
    assert_eq!(value_of(&env, "refunds"), 3.0);
    // The same file through another path is the same file.
    let dotted = format!("{}/./refunds.csv", env.path().display());
    let third = env.at(NOW, &["import", &dotted]).output().unwrap();
    assert!(
        stdout(&third).contains("0 new or changed, 3 unchanged"),
        "{}",
        stdout(&third)
    );
}

#[test]
fn a_corrected_file_replaces_the_values_its_earlier_import_wrote() {
    let env = Env::new();
    add_sum_indicator(&env);
    env.at(
        NOW,
        &["record", "refunds", "4", "--at", "2026-11-26T09:00:00Z"],
    )
    .assert()
    .success();
    let f = env.file(
        "daily.csv",
        b"indicator,at,value\nrefunds,2026-11-26T09:00:00Z,4\nrefunds,2026-11-26T10:00:00Z,1\n",
    );
    env.at(NOW, &["import", &f]).assert().success();
    assert_eq!(value_of(&env, "refunds"), 9.0);
    // The source system corrects the 09:00 value; the file is written again.
    env.file(
        "daily.csv",
        b"indicator,at,value\nrefunds,2026-11-26T09:00:00Z,6\nrefunds,2026-11-26T10:00:00Z,1\n",
    );
    let out = env.at(NOW, &["import", &f]).output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("1 new or changed, 1 unchanged"), "{text}");
    assert!(
        text.contains("1 of them replaced a value this file's earlier import wrote"),
        "{text}"
    );
    // 4 (the manual record, untouched) + 6 (corrected) + 1.
    assert_eq!(value_of(&env, "refunds"), 11.0);
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 3);
}

#[test]
fn an_id_column_makes_rows_idempotent_across_files() {
    let env = Env::new();
    add_sum_indicator(&env);
    let a = env.file(
        "a.csv",
        b"indicator,at,value,id\nrefunds,2026-11-26T09:00:00Z,2,R-1\nrefunds,2026-11-26T09:00:00Z,2,R-2\n",
    );
    let b = env.file(
        "b.jsonl",
        b"{\"indicator\":\"refunds\",\"at\":\"2026-11-26T09:00:00Z\",\"value\":2,\"id\":\"R-1\"}\n",
    );
    env.at(NOW, &["import", &a]).assert().success();
    let out = env
        .at(NOW, &["import", &b, "--kind", "observations"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("0 new or changed, 1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(value_of(&env, "refunds"), 4.0);
    // The same id twice in one file is a bad row naming the first line.
    let twice = env.file(
        "twice.csv",
        b"indicator,at,value,id\nrefunds,2026-11-26T09:00:00Z,2,R-9\nrefunds,2026-11-26T09:00:00Z,3,R-9\n",
    );
    let out = env.at(NOW, &["import", &twice]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::common::stderr(&out).contains("twice.csv:3: id: the same id as line 2"),
        "{}",
        crate::common::stderr(&out)
    );
    assert_eq!(value_of(&env, "refunds"), 4.0);
}
