//! Issue 4: playbooks, roles and checklist runs through the real binary.
//! Every command gets its clock from `OPSDECK_NOW`, never the wall clock.

use crate::common;
use crate::common::runs as runs_common;
use common::Env;
use runs_common::*;

#[test]
fn a_run_goes_through_its_whole_life() {
    let env = Env::new();
    with_small(&env);
    let out = ok(
        &env,
        T0,
        &[
            "--as", "ana", "run", "start", "small", "--for", "ORD-1", "--due", "3h",
        ],
    );
    assert_eq!(
        out,
        "started run #1: Small (v1) for ORD-1, 3 items, due 2026-03-02 12:00 UTC\n"
    );
    let out = ok(
        &env,
        "2026-03-02T09:10:00Z",
        &[
            "--as",
            "ben",
            "run",
            "done",
            "1",
            "pick.1",
            "--note",
            "from shelf B",
        ],
    );
    assert_eq!(out, "run #1: pick.1 done — Pick it\n");
    ok(
        &env,
        T0,
        &[
            "--as",
            "ben",
            "run",
            "skip",
            "#1",
            "2",
            "--reason",
            "checked at packing",
        ],
    );
    let show = ok(&env, T0, &["run", "show", "1"]);
    for want in [
        "run #1 — Small (small v1) for ORD-1",
        "open, on time · 2/3 closed (1 done, 1 skipped, 66%)",
        "started 2026-03-02 09:00 by ana · due 2026-03-02 12:00",
        "pick.1         [x] done     Pick it  (ben 2026-03-02 09:10)",
        "note: from shelf B",
        "[-] skipped  Check it",
        "reason: checked at packing",
        "step 2/2 ship — Ship · ▶ under way",
        "owner Finance (finance) ⚠ single point of failure: 0 people",
    ] {
        assert!(show.contains(want), "missing {want:?} in\n{show}");
    }
    let out = ok(&env, T0, &["run", "done", "1", "ship.1"]);
    assert!(out.ends_with("run #1 is complete\n"), "{out}");
    let list = json(&ok(&env, T0, &["run", "list", "--format", "json"]));
    assert_eq!(list["runs"][0]["state"], "done");
    assert_eq!(list["runs"][0]["done"], 2);
    assert!(json(&ok(
        &env,
        T0,
        &["run", "list", "--open", "--format", "json"]
    ))["runs"]
        .as_array()
        .unwrap()
        .is_empty());
    // Undo reopens; who and when are in the audit trail.
    let out = ok(&env, T0, &["run", "undo", "1", "ship.1"]);
    assert_eq!(
        out,
        "run #1: ship.1 is pending again (was done) — Ship it\nrun #1 is open again\n"
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'run' AND actor = 'ben'"),
        2
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM audit WHERE action IN ('start','done','skip','complete','undo')"
        ),
        6
    );
    ok(
        &env,
        T0,
        &["run", "note", "1", "customer asked for tracking"],
    );
    ok(
        &env,
        T0,
        &["run", "cancel", "1", "--reason", "order cancelled"],
    );
    assert!(fails(&env, &["run", "done", "1", "ship.1"]).contains("run #1 was cancelled"));
    let show = ok(&env, T0, &["run", "show", "1"]);
    assert!(show.contains("cancelled 2026-03-02 09:00 by"), "{show}");
    assert!(show.contains("customer asked for tracking"), "{show}");
}

#[test]
fn bad_references_and_input_are_one_line_errors() {
    let env = Env::new();
    with_small(&env);
    ok(&env, T0, &["run", "start", "small"]);
    for (args, want) in [
        (
            vec!["run", "done", "1", "pick.9"],
            "run #1: no item 'pick.9' (give STEP.N like 'pick.1'",
        ),
        (
            vec!["run", "done", "2", "1"],
            "no run #2 (see `opsdeck run list`)",
        ),
        (vec!["run", "done", "one", "1"], "'one' is not a run number"),
        (
            vec!["run", "skip", "1", "1", "--reason", " "],
            "--reason: must not be empty",
        ),
        (vec!["run", "undo", "1", "1"], "pick.1 is still pending"),
        (
            vec!["run", "start", "nope"],
            "no playbook 'nope' (playbooks: daily-standup,",
        ),
        (
            vec!["run", "start", "small", "--due", "soon"],
            "--due: 'soon' is neither a time",
        ),
        (vec!["playbook", "show", "nope"], "no playbook 'nope'"),
        (
            vec!["role", "assign", "Gus", "sales"],
            "unknown role 'sales' (known roles: demand,",
        ),
        (
            vec!["role", "unassign", "Gus", "finance"],
            "Gus does not hold the role 'finance'",
        ),
    ] {
        let err = fails(&env, &args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    ok(&env, T0, &["run", "done", "1", "1"]);
    assert!(fails(&env, &["run", "done", "1", "pick.1"]).contains("pick.1 is already done"));
}

#[test]
fn gating_refuses_and_an_override_is_audited() {
    let env = Env::new();
    with_small(&env);
    ok(&env, T0, &["run", "start", "small"]);
    let err = fails(&env, &["run", "done", "1", "ship.1"]);
    assert!(
        err.contains("step 'ship' has not started: step 'pick' still has 2 open item(s)"),
        "{err}"
    );
    assert!(err.contains("(--override REASON)"), "{err}");
    assert!(
        fails(&env, &["run", "done", "1", "ship.1", "--override", "  "])
            .contains("an override needs a reason")
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM run_items"), 0);
    let out = ok(
        &env,
        T0,
        &[
            "--as",
            "dana",
            "run",
            "done",
            "1",
            "ship.1",
            "--override",
            "courier is waiting",
        ],
    );
    assert!(
        out.contains("entry gate overridden (step 'pick' unfinished)"),
        "{out}"
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'override' AND actor = 'dana' AND detail LIKE '%courier is waiting%'"),
        1
    );
    let show = ok(&env, T0, &["run", "show", "1"]);
    assert!(
        show.contains("⚠ checked before its step started: courier is waiting"),
        "{show}"
    );
}

#[test]
fn overdue_follows_the_clock_given() {
    let env = Env::new();
    with_small(&env);
    ok(
        &env,
        T0,
        &["run", "start", "small", "--due", "2026-03-02T13:00:00Z"],
    );
    let open = |now: &str| {
        json(&ok(
            &env,
            now,
            &["run", "list", "--open", "--format", "json"],
        ))["runs"][0]
            .clone()
    };
    // The pick step's tolerance is 1h: exactly at it, not yet late.
    assert_eq!(open("2026-03-02T10:00:00Z")["overdue"], false);
    let late = open("2026-03-02T10:30:00Z");
    assert_eq!(
        (late["overdue"].clone(), late["late_by_secs"].clone()),
        (true.into(), 1800.into())
    );
    assert_eq!(late["owner_role"], "fulfilment");
    assert_eq!(late["late_items"], serde_json::json!(["pick.1", "pick.2"]));
    // Past the run's due time every pending item is late.
    let late = open("2026-03-02T14:00:00Z");
    assert_eq!(late["late_items"].as_array().unwrap().len(), 3);
    let text = ok(&env, "2026-03-02T14:00:00Z", &["run", "list", "--open"]);
    assert!(text.contains("✗ overdue 4h"), "{text}");
    let show = ok(&env, "2026-03-02T14:00:00Z", &["run", "show", "1"]);
    assert!(show.contains("✗ OVERDUE by 4h"), "{show}");
    assert!(
        show.contains("step 1/2 pick — Pick · ✗ overdue by 4h"),
        "{show}"
    );
}

#[test]
fn data_text_is_sanitised_in_every_output() {
    let env = Env::new();
    with_small(&env);
    ok(
        &env,
        T0,
        &[
            "run",
            "start",
            "small",
            "--for",
            "A\u{1b}]52;c;SGk=\u{7}B\u{202e}",
        ],
    );
    ok(
        &env,
        T0,
        &["run", "done", "1", "1", "--note", "x\u{1b}[2Jy"],
    );
    for args in [
        vec!["run", "list"],
        vec!["run", "show", "1"],
        vec!["run", "list", "--format", "json"],
    ] {
        let out = ok(&env, T0, &args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
    }
}

#[test]
fn the_demo_has_runs_in_every_state() {
    let env = Env::new();
    ok(&env, "2026-11-25T14:00:00Z", &["demo"]);
    let list = ok(&env, "2026-11-25T14:00:00Z", &["run", "list"]);
    for want in [
        "done",
        "cancelled",
        "✗ overdue",
        "open",
        "incident-response v1",
    ] {
        assert!(list.contains(want), "missing {want:?} in\n{list}");
    }
    let pbs = ok(&env, "2026-11-25T14:00:00Z", &["playbook", "list"]);
    assert!(
        pbs.contains("weekly-ops-review") && pbs.contains("1 playbook past its review date"),
        "{pbs}"
    );
}
