//! Issue 14.7: a closed stdout or stderr never panics and never changes the
//! exit status of a committed write. Each write command runs with stdout
//! (then stderr) connected to a pipe whose reader is already gone, so every
//! write to it fails with EPIPE; the command must exit as it would otherwise
//! and its change must be in the database.

use crate::common::{stderr, Env};
use crate::learning_common::words;
use std::process::{Output, Stdio};

const NOW: &str = "2026-11-24T09:00:00Z";

#[derive(Clone, Copy)]
enum Closed {
    Stdout,
    Stderr,
}

/// Runs `line` with stdout or stderr a pipe nobody reads (reader dropped).
fn run_closed(env: &Env, line: &str, closed: Closed) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let words = words(line);
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut cmd = env.spawn_at(Some(NOW), &args);
    match closed {
        Closed::Stdout => cmd.stdout(Stdio::from(writer)).stderr(Stdio::piped()),
        Closed::Stderr => cmd.stderr(Stdio::from(writer)).stdout(Stdio::piped()),
    };
    cmd.output().expect("run")
}

fn audit_rows(env: &Env) -> i64 {
    env.query_i64("SELECT count(*) FROM audit")
}

#[test]
fn every_write_command_with_stdout_or_stderr_closed_exits_as_usual_and_writes() {
    let env = Env::new();
    let csv = env.file(
        "obs.csv",
        b"indicator,at,value\nfirst_response,2026-11-20T10:00:00Z,1.5\n",
    );
    let bad = env.file(
        "bad.csv",
        b"indicator,at,value\nfirst_response,2026-11-20T11:00:00Z,1\nnope,2026-11-20,1\n",
    );
    let playbook = format!(
        "{}/tests/data/playbooks/good/minimal.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let slos = env.file(
        "slos.toml",
        b"[[slo]]\nkey = \"pipe_slo\"\nname = \"Pipe\"\ndescription = \"d\"\nobjective = 0.9\nwindow = \"28d\"\nsource = \"work_items\"\nwork_kind = \"order\"\ngood = \"on_time\"\nowner_role = \"fulfilment\"\n",
    );
    // (command line, expected exit status); each one writes.
    let lines: Vec<(String, i32)> = vec![
        (
            "record first_response 5 --at 2026-11-24T08:00:00Z".into(),
            0,
        ),
        (format!("import {csv}"), 0),
        // Bad rows skipped: exit 2 stays exit 2, the good row is written.
        (format!("import {bad} --skip-bad"), 2),
        // A breach is open: `check` exits 1 even when nobody reads it.
        ("check".into(), 1),
        ("alert raise 'Printer on fire' --note smoke".into(), 0),
        ("alert ack 1 --note mine".into(), 0),
        ("alert note 1 'still smoking'".into(), 0),
        ("alert snooze 1 2h".into(), 0),
        ("alert escalate 1".into(), 0),
        ("alert pause 1 --reason 'vendor on site'".into(), 0),
        ("alert resume 1".into(), 0),
        ("alert resolve 1".into(), 0),
        (format!("playbook import {playbook}"), 0),
        (format!("slo import {slos}"), 0),
        ("role assign Fay finance".into(), 0),
        ("role unassign Fay finance".into(), 0),
        ("run start minimal --for today".into(), 0),
        ("run note 1 'started late'".into(), 0),
        ("run done 1 do-it.1 --note done".into(), 0),
        ("run undo 1 do-it.1".into(), 0),
        ("run skip 1 do-it.1 --reason 'not needed'".into(), 0),
        ("run start minimal --for tomorrow".into(), 0),
        ("run cancel 2 --reason duplicate".into(), 0),
        (
            "decision add 'Keep one shift' --why 'fast enough'".into(),
            0,
        ),
        ("feedback add --ease 4 --reliability 5 --value 3".into(), 0),
        (
            "experiment new pilot --title Pilot --objective Decide --hypothesis Faster \
             --scope All --start 2026-12-01 --end 2026-12-15 --baseline 2026-11-01..2026-12-01 \
             --primary on_time_rate>=85"
                .into(),
            0,
        ),
        ("experiment amend pilot --scope Berlin".into(), 0),
        ("experiment start pilot".into(), 0),
    ];
    for closed in [Closed::Stdout, Closed::Stderr] {
        let env = if matches!(closed, Closed::Stdout) {
            &env
        } else {
            // The same commands on a fresh database, stderr closed this time.
            &Env::new()
        };
        for (line, code) in &lines {
            let before = if env.db.exists() { audit_rows(env) } else { 0 };
            let out = run_closed(env, line, closed);
            assert_eq!(out.status.code(), Some(*code), "{line}: {}", stderr(&out));
            assert!(
                !stderr(&out).contains("panicked"),
                "{line}: {}",
                stderr(&out)
            );
            assert!(audit_rows(env) > before, "{line}: nothing was written");
        }
    }
}

#[test]
fn backup_restore_export_and_demo_with_stdout_closed() {
    let env = Env::new();
    env.at(NOW, &["record", "first_response", "2"])
        .assert()
        .success();
    let backup = env.path().join("b.db");
    let out = run_closed(
        &env,
        &format!("backup {}", backup.display()),
        Closed::Stdout,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(backup.exists());
    let export = env.path().join("e.jsonl");
    let out = run_closed(
        &env,
        &format!("export --output {}", export.display()),
        Closed::Stdout,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let restored = Env::new();
    let out = run_closed(
        &restored,
        &format!("restore {}", export.display()),
        Closed::Stdout,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        restored.query_i64("SELECT count(*) FROM observations"),
        env.query_i64("SELECT count(*) FROM observations")
    );
    let demo = Env::new();
    let out = run_closed(&demo, "demo", Closed::Stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(demo.query_i64("SELECT count(*) FROM alerts") > 0);
}
