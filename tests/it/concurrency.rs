//! Several processes on one database at once — the standup terminal, SSH
//! sessions and cron — as real `opsdeck` processes: 4 writers and 2 readers
//! for a bounded time. Afterwards every write that reported success is
//! present, nothing failed with "database is locked", and the file passes
//! `PRAGMA integrity_check`.

use crate::common;
use common::Env;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RUN_FOR: Duration = Duration::from_secs(4);

#[derive(Default)]
struct Log {
    /// `(what, succeeded)` per command.
    results: Vec<(String, bool)>,
    /// Failures that are not allowed at all.
    locked: Vec<String>,
}

fn note(log: &Mutex<Log>, what: String, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let mut l = log.lock().unwrap();
    if err.contains("locked") || err.contains("busy") || err.contains("panicked") {
        l.locked.push(format!("{what}: {err}"));
    }
    // `check` exits 1 when a critical alert is open: that is a success.
    let ok = out.status.success() || (what.starts_with("w4 check") && out.status.code() == Some(1));
    l.results.push((what, ok));
}

#[test]
fn four_writers_and_two_readers_lose_nothing() {
    let env = Arc::new(Env::new());
    env.cmd(&["status"]).assert().success();
    let log = Arc::new(Mutex::new(Log::default()));
    let deadline = Instant::now() + RUN_FOR;
    let mut threads = Vec::new();

    // Writer 1: record, one value per call.
    {
        let (env, log) = (Arc::clone(&env), Arc::clone(&log));
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while Instant::now() < deadline {
                i += 1;
                let at = format!("2026-10-01T00:{:02}:{:02}Z", i / 60, i % 60);
                let out = env
                    .cmd(&[
                        "--as",
                        "w1",
                        "record",
                        "first_response",
                        &format!("{i}"),
                        "--at",
                        &at,
                    ])
                    .output()
                    .unwrap();
                note(&log, format!("w1 first_response {i} {at}"), &out);
            }
        }));
    }
    // Writer 2: imports of observation files, 50 rows each.
    {
        let (env, log) = (Arc::clone(&env), Arc::clone(&log));
        threads.push(std::thread::spawn(move || {
            let mut f = 0;
            while Instant::now() < deadline {
                f += 1;
                let mut csv = String::from("indicator,at,value\n");
                for r in 0..50 {
                    csv.push_str(&format!(
                        "billing_error_rate,2026-09-{:02}T{:02}:{:02}:00Z,{}.{r}\n",
                        1 + f % 28,
                        f / 28 % 24,
                        r,
                        f % 90 // a percentage: within its plausible 0–100
                    ));
                }
                let path = env.file(&format!("obs{f}.csv"), csv.as_bytes());
                let out = env.cmd(&["--as", "w2", "import", &path]).output().unwrap();
                note(&log, format!("w2 import {path}"), &out);
            }
        }));
    }
    // Writer 3: work-item imports that update the same items again and again.
    {
        let (env, log) = (Arc::clone(&env), Arc::clone(&log));
        threads.push(std::thread::spawn(move || {
            let mut f = 0;
            while Instant::now() < deadline {
                f += 1;
                let mut csv = String::from("kind,external_id,opened_at,closed_at,outcome\n");
                for r in 0..20 {
                    csv.push_str(&format!(
                        "order,C-{r},2026-11-01,2026-11-{:02},ok\n",
                        2 + f % 20
                    ));
                }
                csv.push_str(&format!("order,NEW-{f},2026-11-01,,\n"));
                let path = env.file(&format!("wi{f}.csv"), csv.as_bytes());
                let out = env.cmd(&["--as", "w3", "import", &path]).output().unwrap();
                note(&log, format!("w3 import NEW-{f}"), &out);
            }
        }));
    }
    // Writer 4: the cron job and the ops lead: `check`, alerts raised by
    // hand, checklist runs started and checked off, values with notes.
    {
        let (env, log) = (Arc::clone(&env), Arc::clone(&log));
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while Instant::now() < deadline {
                i += 1;
                let (what, out) = match i % 4 {
                    0 => (
                        "w4 check".to_string(),
                        env.cmd(&["--as", "cron", "check", "--quiet"])
                            .output()
                            .unwrap(),
                    ),
                    1 => {
                        let title = format!("Concurrency alert {i}");
                        (
                            format!("w4 alert {title}"),
                            env.cmd(&["--as", "w4", "alert", "raise", &title])
                                .output()
                                .unwrap(),
                        )
                    }
                    2 => {
                        let ctx = format!("ctx-{i}");
                        let out = env
                            .cmd(&["--as", "w4", "run", "start", "daily-standup", "--for", &ctx])
                            .output()
                            .unwrap();
                        (format!("w4 run {ctx}"), out)
                    }
                    _ => {
                        let at = format!("2026-10-02T00:{:02}:{:02}Z", i / 60, i % 60);
                        let out = env
                            .cmd(&[
                                "--as",
                                "w4",
                                "record",
                                "trial_to_paid",
                                &format!("{}", i % 100), // a percentage
                                "--at",
                                &at,
                                "--note",
                                "cron",
                            ])
                            .output()
                            .unwrap();
                        (format!("w4 trial_to_paid {i}"), out)
                    }
                };
                note(&log, what, &out);
            }
        }));
    }
    // Readers: the board as JSON and a cockpit frame.
    for args in [
        vec!["status", "--format", "json"],
        vec!["snapshot", "--width", "120", "--height", "40"],
    ] {
        let (env, log) = (Arc::clone(&env), Arc::clone(&log));
        threads.push(std::thread::spawn(move || {
            while Instant::now() < deadline {
                let out = env.cmd(&args).output().unwrap();
                note(&log, format!("reader {}", args[0]), &out);
            }
        }));
    }
    for t in threads {
        t.join().unwrap();
    }

    let log = log.lock().unwrap();
    assert!(
        log.locked.is_empty(),
        "commands failed on locking: {:#?}",
        log.locked
    );
    let failed: Vec<&String> = log
        .results
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(w, _)| w)
        .collect();
    assert!(failed.is_empty(), "failed commands: {failed:?}");
    let count = |w: &str| {
        log.results
            .iter()
            .filter(|(what, ok)| *ok && what.starts_with(w))
            .count() as i64
    };
    assert!(
        count("w1") > 3 && count("w2") > 3 && count("w3") > 3 && count("w4") > 3,
        "every writer ran"
    );
    assert!(
        count("reader status") > 3 && count("reader snapshot") > 3,
        "every reader ran"
    );

    // Every successful write is present.
    assert_eq!(env.query_i64("SELECT count(*) FROM observations o JOIN indicators i ON i.id = o.indicator_id WHERE i.key = 'first_response'"), count("w1"));
    assert_eq!(env.query_i64("SELECT count(*) FROM observations o JOIN indicators i ON i.id = o.indicator_id WHERE i.key = 'trial_to_paid' AND note = 'cron'"), count("w4 trial_to_paid"));
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alerts WHERE title LIKE 'Concurrency alert %'"),
        count("w4 alert")
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM checklist_runs WHERE context LIKE 'ctx-%'"),
        count("w4 run")
    );
    assert!(count("w4 check") > 0, "check ran");
    // One open alert per cause, whatever the interleaving.
    assert_eq!(env.query_i64("SELECT count(*) FROM (SELECT dedup_key FROM alerts WHERE state != 'resolved' GROUP BY dedup_key HAVING count(*) > 1) AS d"), 0);
    assert_eq!(env.query_i64("SELECT count(*) FROM observations o JOIN indicators i ON i.id = o.indicator_id WHERE i.key = 'billing_error_rate'"), 50 * count("w2"));
    assert_eq!(
        env.query_i64("SELECT count(*) FROM work_items WHERE external_id LIKE 'NEW-%'"),
        count("w3")
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM work_items WHERE external_id LIKE 'C-%'"),
        20,
        "updates, not duplicates"
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'import' AND actor = 'w2'"),
        count("w2")
    );
    // SQLite's own check of the file (a server keeps its storage itself).
    if env.pg.is_none() {
        let c = rusqlite::Connection::open(&env.db).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
}
