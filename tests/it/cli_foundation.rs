//! Issue 2: the store, record, import and status through the real binary.

use crate::common;
use common::{stderr, stdout, Env};

#[test]
fn record_then_status_shows_the_value() {
    let env = Env::new();
    env.cmd(&["record", "first_response", "2.5", "--note", "slow morning"])
        .assert()
        .success();
    let out = env.cmd(&["status", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "first_response")
        .unwrap();
    assert_eq!(row["value"], 2.5);
    assert_eq!(row["status"], "ok");
    let text = stdout(&env.cmd(&["status"]).output().unwrap());
    assert!(text.contains("Support first response"), "{text}");
    assert!(text.contains("2.50 h"), "{text}");
    // Audited, with the acting user.
    env.cmd(&["--as", "maria", "record", "first_response", "3.5"])
        .assert()
        .success();
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'record' AND actor = 'maria'"),
        1
    );
}

#[test]
fn status_reaches_warn_and_breach_by_direction() {
    let env = Env::new();
    // first_response: lower is better, warn 3, breach 4 (p90 of one value = the value).
    env.cmd(&["record", "first_response", "4"])
        .assert()
        .success();
    // trial_to_paid: higher is better, warn 18, breach 12.
    env.cmd(&["record", "trial_to_paid", "18"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(
        &env.cmd(&["status", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let status = |k: &str| {
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("first_response"), "breach");
    assert_eq!(status("trial_to_paid"), "warn");
    assert_eq!(status("billing_error_rate"), "no_data");
    let md = stdout(
        &env.cmd(&["status", "--format", "markdown"])
            .output()
            .unwrap(),
    );
    assert!(
        md.contains("| Support first response | 4 h | 2 h | ✗ breach |"),
        "{md}"
    );
}

#[test]
fn record_refuses_bad_values_and_unknown_indicators() {
    let env = Env::new();
    for (args, want) in [
        (
            vec!["record", "first_response", "abc"],
            "value: 'abc' is not a number",
        ),
        (
            vec!["record", "first_response", "NaN"],
            "not a finite number",
        ),
        (
            vec!["record", "first_response", "1e400"],
            "not a finite number",
        ),
        (vec!["record", "nope", "1"], "unknown indicator 'nope'"),
        (
            vec!["record", "first_response", "1", "--at", "yesterday"],
            "--at:",
        ),
        (
            vec!["record", "on_time_rate", "90"],
            "derived from work items",
        ),
    ] {
        let out = env.cmd(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 0);
}

const GOOD_CSV: &str = "indicator,at,value,note\nfirst_response,2026-11-20T10:00:00Z,1.5,\nfirst_response,2026-11-21,2.5,busy day\nbilling_error_rate,2026-11-20T09:00:00+01:00,0.8,\n";

#[test]
fn import_good_csv_and_jsonl() {
    let env = Env::new();
    let csv = env.file("obs.csv", GOOD_CSV.as_bytes());
    let out = env.cmd(&["import", &csv]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 3 observations rows"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 3);

    let jsonl = env.file(
        "items.jsonl",
        br#"{"kind":"order","external_id":"A-1","customer":"c1","segment":"standard","opened_at":"2026-11-20T08:00:00Z","promised_at":"2026-11-22","closed_at":"2026-11-21T08:00:00Z","outcome":"ok","satisfaction":5}
{"kind":"order","external_id":"A-2","opened_at":"2026-11-21"}
"#,
    );
    env.cmd(&["import", &jsonl, "--kind", "work-items"])
        .assert()
        .success();
    assert_eq!(env.query_i64("SELECT count(*) FROM work_items"), 2);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM work_items WHERE closed_at IS NULL"),
        1
    );

    let fb = env.file(
        "fb.csv",
        b"at,ease,reliability,value,channel,comment\n2026-11-20,4,5,3,interview,\"fine, thanks\"\n",
    );
    env.cmd(&["import", &fb]).assert().success();
    assert_eq!(env.query_i64("SELECT count(*) FROM feedback"), 1);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'import'"),
        3
    );
}

#[test]
fn one_bad_row_rejects_the_whole_file() {
    let env = Env::new();
    let csv = env.file(
        "bad.csv",
        b"indicator,at,value\nfirst_response,2026-11-20,1.5\nfirst_response,2026-11-20,abc\nnope,2026-11-20,1\nfirst_response,2026-11-21,2\n",
    );
    let out = env.cmd(&["import", &csv]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.csv:3: value: 'abc' is not a number"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:4: indicator: unknown indicator 'nope'"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 0);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'import'"),
        0
    );
}

#[test]
fn skip_bad_imports_the_good_rows_and_reports_the_rest() {
    let env = Env::new();
    let csv = env.file("bad.csv", b"indicator,at,value\nfirst_response,2026-11-20,1.5\nfirst_response,2026-11-20,inf\nfirst_response,2026-11-21,2\n");
    let out = env.cmd(&["import", &csv, "--skip-bad"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "bad rows still make the status 2"
    );
    assert!(
        stderr(&out).contains("bad.csv:3: value: 'inf' is not a finite number"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("1 bad row(s) skipped"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 2);
}

#[test]
fn reimport_is_idempotent_and_updates_work_items() {
    let env = Env::new();
    let v1 = env.file("w.csv", b"kind,external_id,opened_at,promised_at,closed_at,outcome\norder,X-1,2026-11-01,2026-11-03,,\norder,X-2,2026-11-01,2026-11-03,2026-11-02,ok\n");
    env.cmd(&["import", &v1]).assert().success();
    let again = env.cmd(&["import", &v1]).output().unwrap();
    assert!(
        stdout(&again).contains("0 new or changed, 2 unchanged"),
        "{}",
        stdout(&again)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM work_items"), 2);
    // The hourly export now has X-1 closed late: the row is updated, not added.
    let v2 = env.file("w2.csv", b"kind,external_id,opened_at,promised_at,closed_at,outcome\norder,X-1,2026-11-01,2026-11-03,2026-11-04,deviation\n");
    env.cmd(&["import", &v2]).assert().success();
    assert_eq!(env.query_i64("SELECT count(*) FROM work_items"), 2);
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM work_items WHERE external_id = 'X-1' AND outcome = 'deviation'"
        ),
        1
    );
    // Observations too: the same file twice is the same facts.
    let csv = env.file("obs.csv", GOOD_CSV.as_bytes());
    env.cmd(&["import", &csv]).assert().success();
    env.cmd(&["import", &csv]).assert().success();
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 3);
}

#[test]
fn import_from_stdin_with_explicit_format() {
    let env = Env::new();
    env.cmd(&["import", "-", "--format", "jsonl", "--kind", "observations"])
        .write_stdin("{\"indicator\":\"trial_to_paid\",\"at\":\"2026-11-20\",\"value\":21.5}\n")
        .assert()
        .success();
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 1);
}

#[test]
fn unknown_and_missing_columns_are_reported_on_line_one() {
    let env = Env::new();
    let f = env.file(
        "u.csv",
        b"indicator,at,value,colour\nfirst_response,2026-11-20,1,red\n",
    );
    let out = env.cmd(&["import", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("u.csv:1: colour: unknown column"),
        "{}",
        stderr(&out)
    );
    // A refused file is one problem, not "bad rows" with --skip-bad advice.
    assert!(
        stderr(&out).contains("u.csv: nothing was imported"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("--skip-bad"), "{}", stderr(&out));
    let f = env.file("m.csv", b"indicator,value\nfirst_response,1\n");
    let out = env
        .cmd(&["import", &f, "--kind", "observations"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("m.csv:1: at: required column missing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let env = Env::new();
    env.cmd(&["status"]).assert().success();
    {
        let c = rusqlite::Connection::open(&env.db).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&env.db).unwrap();
    let out = env
        .cmd(&["record", "first_response", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("schema version 999, newer than this opsdeck"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), before, "file untouched");
    assert!(!env.path().join("ops.db-wal").exists());
}

#[test]
fn a_new_database_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let nested = env.path().join("new").join("dir").join("ops.db");
    // A private user's umask (077): the group bits follow the umask (see
    // tests/it/group_sharing.rs for 007), "other" never gets anything.
    let mut c = env.base_cmd();
    c.arg("--db").arg(&nested).arg("init");
    // SAFETY: umask is async-signal-safe and only affects the child.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut c, || {
            libc::umask(0o077);
            Ok(())
        });
    }
    assert!(c.status().unwrap().success());
    let mode = std::fs::metadata(&nested).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(nested.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    // WAL is on and the starter set is loaded.
    let conn = rusqlite::Connection::open(&nested).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM indicators", [], |r| r.get(0))
        .unwrap();
    assert!(n >= 10);
}

#[test]
fn demo_uses_its_own_file_and_never_the_default_database() {
    let env = Env::new();
    // --demo and --db together are a usage error.
    let out = env.cmd(&["--demo", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // `demo` into --db, then status shows a mix.
    env.cmd(&["demo"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(
        &env.cmd(&["status", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let statuses: Vec<String> = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect();
    for s in ["ok", "warn", "breach"] {
        assert!(statuses.iter().any(|x| x == s), "no {s} in {statuses:?}");
    }
    // Re-creating the demo is allowed; replacing a real database is not.
    env.cmd(&["demo"]).assert().success();
    let own = env.path().join("own.db");
    let mut c = env.cmd(&["init"]);
    c.arg("--db").arg(&own);
    c.assert().success();
    let mut c = env.cmd(&["record", "first_response", "1"]);
    c.arg("--db").arg(&own);
    c.assert().success();
    let mut c = env.cmd(&["demo"]);
    c.arg("--db").arg(&own);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a demo database"),
        "{}",
        stderr(&out)
    );
    // Without --db, `--demo` and `demo` use demo.db in the data directory.
    let mut c = assert_cmd::Command::cargo_bin("opsdeck").unwrap();
    c.env_remove("OPSDECK_DB")
        .env("HOME", env.path())
        .env("XDG_DATA_HOME", env.path().join("xdg"));
    c.args(["--demo", "status"]).assert().success();
    assert!(env.path().join("xdg/opsdeck/demo.db").exists());
    assert!(!env.path().join("xdg/opsdeck/opsdeck.db").exists());
}
