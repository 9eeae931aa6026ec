//! `opsdeck sources run` and `sources list` on the real binary: a real
//! script as the source, a lease that lets only one of two overlapping
//! processes fetch, all-or-nothing writes with located row errors, an
//! idempotent second run, hand-recorded values left alone, `--due`, and a
//! secret that reaches neither the output, the database nor the log.

use crate::common::{stderr, stdout, Env};
use std::path::Path;

const NOW: &str = "2026-12-01T09:00:00Z";
const SECRET: &str = "s3cr3t-tok-4242";

/// A script that counts its runs in `count`, waits `pause` seconds and
/// prints `data` (or, when `data` is missing, fails mentioning `$TOKEN`).
fn script(env: &Env) -> String {
    env.file(
        "fetch.sh",
        b"#!/bin/sh\necho run >> \"$1\"\nsleep \"$3\"\nif [ -f \"$2\" ]; then cat \"$2\"; else echo \"cannot log in with $TOKEN\" >&2; exit 3; fi\n",
    )
}

fn setup(env: &Env, pause: &str) -> (String, String) {
    let ops = env.path().join("ops");
    ok(env, NOW, &["init", ops.to_str().unwrap()]);
    let count = env.path().join("count").to_string_lossy().into_owned();
    let data = env.path().join("data.jsonl").to_string_lossy().into_owned();
    let toml = format!(
        r#"[[source]]
name = "helpdesk"
kind = "command"
produces = "observations"
every = "5m"
command = ["/bin/sh", "{}", "{count}", "{data}", "{pause}"]
env = ["TOKEN"]
"#,
        script(env)
    );
    std::fs::write(ops.join("sources.toml"), toml).unwrap();
    ok(env, NOW, &["apply", ops.to_str().unwrap()]);
    (count, data)
}

fn run(env: &Env, now: &str, args: &[&str]) -> std::process::Output {
    env.at(now, args)
        .env("TOKEN", SECRET)
        .output()
        .expect("run")
}

fn ok(env: &Env, now: &str, args: &[&str]) -> String {
    let o = run(env, now, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn runs(count: &str) -> usize {
    std::fs::read_to_string(count).map_or(0, |t| t.lines().count())
}

fn values(env: &Env) -> i64 {
    env.query_i64("SELECT count(*) FROM observations WHERE origin = 'source:helpdesk'")
}

const ROWS: &str =
    "{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:00:00Z\",\"value\":3}\n\
{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:10:00Z\",\"value\":4}\n";

#[test]
fn a_run_writes_a_second_changes_nothing_a_new_value_replaces_its_own_only() {
    let env = Env::new();
    let (count, data) = setup(&env, "0");
    std::fs::write(&data, ROWS).unwrap();
    // A hand-recorded value at the same indicator and time.
    ok(
        &env,
        NOW,
        &[
            "record",
            "first_response",
            "9",
            "--at",
            "2026-12-01T08:00:00Z",
        ],
    );
    let out = ok(&env, NOW, &["sources", "run"]);
    assert!(
        out.contains("source helpdesk: 2 new, 0 changed, 0 unchanged"),
        "{out}"
    );
    assert_eq!(values(&env), 2);
    let out = ok(&env, NOW, &["sources", "run", "helpdesk"]);
    assert!(
        out.contains("source helpdesk: 0 new, 0 changed, 2 unchanged"),
        "{out}"
    );
    assert_eq!(values(&env), 2);
    std::fs::write(&data, ROWS.replace("\"value\":4", "\"value\":5")).unwrap();
    let out = ok(&env, NOW, &["sources", "run"]);
    assert!(
        out.contains("source helpdesk: 0 new, 1 changed, 1 unchanged"),
        "{out}"
    );
    assert_eq!(values(&env), 2);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE origin = 'manual' AND value = 9"),
        1,
        "the hand-recorded value is never touched"
    );
    assert_eq!(runs(&count), 3);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM source_runs WHERE ok = 1"),
        3
    );
    assert_eq!(
        env.query_i64("SELECT rows_unchanged FROM source_runs ORDER BY id DESC LIMIT 1"),
        1
    );
}

#[test]
fn a_bad_row_writes_nothing_and_is_named_with_its_row_and_field() {
    let env = Env::new();
    let (_, data) = setup(&env, "0");
    std::fs::write(&data, ROWS.replace("\"2026-12-01T08:10:00Z\"", "\"soon\"")).unwrap();
    let o = run(&env, NOW, &["sources", "run"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("source helpdesk: row 2: at:"), "{err}");
    assert_eq!(values(&env), 0, "all-or-nothing");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM source_runs WHERE ok = 0 AND rows_refused = 1"),
        1
    );
    let list = crate::common::json(&run(&env, NOW, &["sources", "list", "--format", "json"]));
    assert_eq!(list["sources"][0]["freshness"], "stale", "{list}");
    assert!(list["sources"][0]["last_run"]["errors"][0]
        .as_str()
        .unwrap()
        .contains("row 2: at:"));
}

#[test]
fn two_overlapping_runs_fetch_the_source_once() {
    let env = Env::new();
    let (count, data) = setup(&env, "2");
    std::fs::write(&data, ROWS).unwrap();
    let spawn = || {
        let mut c = env.spawn_cmd(&["sources", "run"]);
        c.env("OPSDECK_NOW", NOW)
            .env("TOKEN", SECRET)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c.spawn().unwrap()
    };
    let a = spawn();
    let b = spawn();
    let outs: Vec<String> = [a, b]
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            stdout(&o)
        })
        .collect();
    assert_eq!(runs(&count), 1, "only one process fetched: {outs:?}");
    assert_eq!(
        outs.iter()
            .filter(|o| o.contains("skipped, another run is fetching it"))
            .count(),
        1,
        "{outs:?}"
    );
    assert_eq!(values(&env), 2);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM source_leases"),
        0,
        "the lease is given back"
    );
}

#[test]
fn due_follows_the_schedule_and_list_shows_last_run_lag_and_next_due() {
    let env = Env::new();
    let (count, data) = setup(&env, "0");
    std::fs::write(&data, ROWS).unwrap();
    ok(&env, NOW, &["sources", "run", "--due"]);
    assert_eq!(runs(&count), 1, "never ran: due at once");
    let out = ok(&env, "2026-12-01T09:03:00Z", &["sources", "run", "--due"]);
    assert!(out.contains("no source is due"), "{out}");
    assert_eq!(runs(&count), 1);
    let list = crate::common::json(&run(
        &env,
        "2026-12-01T09:03:00Z",
        &["sources", "list", "--format", "json"],
    ));
    assert_eq!(list["sources"][0]["name"], "helpdesk");
    assert_eq!(list["sources"][0]["lag_secs"], 180);
    assert_eq!(list["sources"][0]["next_due"], "2026-12-01T09:05:00Z");
    assert_eq!(list["sources"][0]["freshness"], "fresh");
    assert_eq!(list["sources"][0]["last_run"]["rows_new"], 2);
    let text = ok(&env, "2026-12-01T09:03:00Z", &["sources", "list"]);
    assert!(text.contains("helpdesk"), "{text}");
    assert!(text.contains("fresh"), "{text}");
    ok(&env, "2026-12-01T09:05:00Z", &["sources", "run", "--due"]);
    assert_eq!(runs(&count), 2);
    let o = run(&env, NOW, &["sources", "run", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no source named 'nosuch' (sources: helpdesk)"));
}

fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in walk(dir) {
        out.extend(std::fs::read(e).unwrap_or_default());
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_secret_from_the_environment_reaches_neither_output_database_nor_log() {
    let env = Env::new();
    let (_, _) = setup(&env, "0");
    // No data file: the script fails and prints the token it was given.
    let o = run(&env, NOW, &["sources", "run"]);
    assert_eq!(o.status.code(), Some(1));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(text.contains("source helpdesk:"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    let list = stdout(&run(&env, NOW, &["sources", "list", "--format", "json"]));
    assert!(!list.contains(SECRET), "{list}");
    let db = all_bytes(env.path().join("ops.db").parent().unwrap());
    let log_dir = env.path().join("state");
    let log = String::from_utf8_lossy(&all_bytes(&log_dir)).into_owned();
    assert!(log.contains("sources:"), "the run is logged: {log}");
    assert!(!log.contains(SECRET), "{log}");
    let needle = SECRET.as_bytes();
    assert!(
        !db.windows(needle.len()).any(|w| w == needle),
        "the secret is in no file of the folder (database, WAL, log)"
    );
}

/// A source's text is read by the import reader itself, its fields mapped
/// while read: renames, a constant column, and fields that are no import
/// column ignored — the same in CSV and JSON Lines.
#[test]
fn renames_constants_and_extra_fields_apply_while_the_run_reads_csv_and_jsonl() {
    let env = Env::new();
    let ops = env.path().join("ops");
    ok(&env, NOW, &["init", ops.to_str().unwrap()]);
    let csv = env.file(
        "tickets.csv",
        b"ID,opened,priority\nT-1,2026-12-01T07:00:00Z,high\nT-2,2026-12-01T07:30:00Z,low\n",
    );
    let jsonl = env.file(
        "more.jsonl",
        b"{\"id\":\"T-3\",\"opened\":\"2026-12-01T08:00:00Z\",\"priority\":\"high\",\"kind\":\"order\"}\n",
    );
    let toml = format!(
        r#"[[source]]
name = "desk-csv"
kind = "command"
produces = "work-items"
every = "5m"
format = "csv"
command = ["/bin/cat", "{csv}"]
rename = {{ ID = "external_id", opened = "opened_at" }}
constants = {{ kind = "ticket" }}

[[source]]
name = "desk-jsonl"
kind = "command"
produces = "work-items"
every = "5m"
command = ["/bin/cat", "{jsonl}"]
rename = {{ id = "external_id", opened = "opened_at" }}
constants = {{ kind = "ticket" }}
"#
    );
    std::fs::write(ops.join("sources.toml"), toml).unwrap();
    ok(&env, NOW, &["apply", ops.to_str().unwrap()]);
    let out = ok(&env, NOW, &["sources", "run"]);
    assert!(
        out.contains("source desk-csv: 2 new, 0 changed, 0 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("source desk-jsonl: 1 new, 0 changed, 0 unchanged"),
        "{out}"
    );
    // The constant overrides the fetched `kind`; every item is a ticket.
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM work_items WHERE kind = 'ticket' AND external_id IN ('T-1','T-2','T-3')"
        ),
        3
    );
    // A second run changes nothing.
    let again = ok(&env, NOW, &["sources", "run"]);
    assert!(
        again.contains("source desk-csv: 0 new, 0 changed, 2 unchanged"),
        "{again}"
    );
    assert!(
        again.contains("source desk-jsonl: 0 new, 0 changed, 1 unchanged"),
        "{again}"
    );
}

/// A command that prints CSV to a source left at the default format (JSON
/// Lines) is refused whole, and the error says what to change.
#[test]
fn csv_read_as_json_lines_says_to_give_the_format() {
    let env = Env::new();
    let ops = env.path().join("ops");
    ok(&env, NOW, &["init", ops.to_str().unwrap()]);
    let csv = env.file(
        "values.csv",
        b"indicator,at,value\nfirst_response,2026-12-01T07:00:00Z,3\n",
    );
    let toml = format!(
        r#"[[source]]
name = "csv-feed"
kind = "command"
produces = "observations"
every = "5m"
command = ["/bin/cat", "{csv}"]
"#
    );
    std::fs::write(ops.join("sources.toml"), toml).unwrap();
    ok(&env, NOW, &["apply", ops.to_str().unwrap()]);
    let out = run(&env, NOW, &["sources", "run"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "source csv-feed: row 1: not a JSON object: expected value (the line looks like CSV: give the format as csv)"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 0);
}
