//! Issue 5 through the real binary: `check` exit codes, every `alert` verb,
//! concurrent checks, SLOs and the demo's alerts.

use crate::common;
use common::{breach_first_response, json, record_value, stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";
const LATER: &str = "2026-11-25T12:45:00Z";

#[test]
fn check_exits_0_without_critical_and_1_with_one() {
    let env = Env::new();
    let out = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("no open alerts"), "{}", stdout(&out));
    // A warning is open, but nothing critical: still 0.
    env.at(
        NOW,
        &[
            "record",
            "first_response",
            "3.5",
            "--at",
            "2026-11-25T10:00:00Z",
        ],
    )
    .assert()
    .success();
    let out = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("▲ warning  open"), "{}", stdout(&out));
    breach_first_response(&env, NOW);
    let out = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("1 open alert, 1 critical"), "{text}");
    assert!(text.contains("✗ critical open     L1/3 support"), "{text}");
    // Quiet: nothing to say when nothing opened or escalated; still exit 1.
    let out = env.at(NOW, &["check", "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    // 45 minutes on, it climbed to ops-lead: quiet mode speaks.
    let out = env
        .at(LATER, &["check", "--quiet", "--format", "text"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("1 escalated"), "{}", stdout(&out));
    assert!(stdout(&out).contains("L2/3 ops-lead"), "{}", stdout(&out));
    // Acknowledged critical alerts still count; snoozed ones do not.
    env.at(LATER, &["alert", "ack", "1"]).assert().success();
    env.at(LATER, &["check"]).assert().code(1);
    env.at(LATER, &["alert", "snooze", "1", "2h"])
        .assert()
        .success();
    env.at(LATER, &["check"]).assert().code(0);
    let v = json(
        &env.at(LATER, &["check", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["critical_open"], 0);
    assert_eq!(v["alerts"][0]["state"], "acknowledged");
}

#[test]
fn check_exits_2_on_a_bad_database() {
    let env = Env::new();
    std::fs::write(
        &env.db,
        b"this is not sqlite, just text that is long enough",
    )
    .unwrap();
    let out = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn every_alert_verb_with_notes() {
    let env = Env::new();
    let out = env
        .at(
            NOW,
            &[
                "--as",
                "ana",
                "alert",
                "raise",
                "Courier strike",
                "--severity",
                "critical",
                "--note",
                "all depots",
            ],
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("raised: #1 ✗ Courier strike — open L1/3 ops-lead"),
        "{}",
        stdout(&out)
    );
    env.at(NOW, &["check"]).assert().code(1);
    let list = stdout(&env.at(NOW, &["alert", "list"]).output().unwrap());
    assert!(
        list.contains("#1 ✗ critical open     L1/3 ops-lead"),
        "{list}"
    );
    env.at(
        NOW,
        &["--as", "ben", "alert", "ack", "#1", "--note", "calling DHL"],
    )
    .assert()
    .success();
    env.at(
        NOW,
        &["alert", "escalate", "1", "--note", "need a second courier"],
    )
    .assert()
    .success();
    env.at(
        NOW,
        &[
            "alert",
            "snooze",
            "1",
            "2026-11-25T15:00:00Z",
            "--note",
            "strike ends at 3",
        ],
    )
    .assert()
    .success();
    env.at(NOW, &["alert", "pause", "1", "--reason", "handled by Ben"])
        .assert()
        .success();
    env.at(NOW, &["alert", "resume", "1", "--note", "back to normal"])
        .assert()
        .success();
    env.at(NOW, &["alert", "note", "1", "DHL confirmed pickup"])
        .assert()
        .success();
    let out = env
        .at(
            LATER,
            &[
                "--as",
                "ben",
                "alert",
                "resolve",
                "1",
                "--note",
                "picked up",
            ],
        )
        .output()
        .unwrap();
    assert!(stdout(&out).contains("resolved"), "{}", stdout(&out));
    assert_eq!(
        stdout(&env.at(LATER, &["alert", "list"]).output().unwrap()),
        "no open alerts\n"
    );
    let v = json(
        &env.at(LATER, &["alert", "list", "--all", "--format", "json"])
            .output()
            .unwrap(),
    );
    let a = &v["alerts"][0];
    assert_eq!(a["state"], "resolved");
    assert_eq!(a["resolved_by"], "ben");
    assert_eq!(a["level"], 1);
    let show = stdout(&env.at(LATER, &["alert", "show", "1"]).output().unwrap());
    for kind in [
        "opened",
        "acknowledged",
        "escalated",
        "snoozed",
        "paused",
        "resumed",
        "note",
        "resolved",
    ] {
        assert!(show.contains(kind), "{kind}: {show}");
    }
    assert!(
        show.contains("calling DHL") && show.contains("picked up"),
        "{show}"
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'alert'"),
        8
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'alert' AND actor = 'ben'"),
        2
    );
}

#[test]
fn alert_verbs_refuse_bad_input_in_one_line() {
    let env = Env::new();
    env.at(NOW, &["alert", "raise", "Printer on fire"])
        .assert()
        .success();
    for (args, want) in [
        (vec!["alert", "ack", "99"], "alert 99: no such alert"),
        (vec!["alert", "ack", "x"], "alert id is a positive number"),
        (
            vec!["alert", "snooze", "1", "2026-11-25T11:00:00Z"],
            "a snooze must end after now",
        ),
        (vec!["alert", "snooze", "1", "whenever"], "neither a time"),
        (vec!["alert", "resume", "1"], "escalation is not paused"),
        (
            vec!["alert", "pause", "1", "--reason", " "],
            "needs a reason",
        ),
        (vec!["alert", "raise", "  "], "needs a title"),
        (vec!["alert", "escalate", "1"], ""),
        (vec!["alert", "escalate", "1"], ""),
        (
            vec!["alert", "escalate", "1"],
            "already at the last escalation level",
        ),
    ] {
        let out = env.at(NOW, &args).output().unwrap();
        if want.is_empty() {
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(want), "{args:?}: {err}");
        if !err.starts_with("error: invalid value") {
            // clap's own usage errors add a hint line; ours are one line.
            assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        }
    }
    env.at(NOW, &["alert", "ack", "1"]).assert().success();
    // Acking again refreshes the ack timeout (issue 15.5), not an error.
    let out = env.at(NOW, &["alert", "ack", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn concurrent_checks_never_duplicate_alerts() {
    let env = Env::new();
    breach_first_response(&env, NOW);
    record_value(&env, NOW, "trial_to_paid", "10", "2026-11-25T09:00:00Z");
    let bin = assert_cmd::cargo::cargo_bin("opsdeck");
    let spawn = |now: &str| {
        std::process::Command::new(&bin)
            .env("HOME", env.path())
            .env("OPSDECK_NOW", now)
            .env_remove("OPSDECK_NOTIFY")
            .arg("--db")
            .arg(&env.db)
            .arg("check")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    for minute in 0..6 {
        let now = format!("2026-11-25T12:{:02}:00Z", minute * 10);
        let (a, b) = (spawn(&now), spawn(&now));
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        }
        // An acknowledgement between the checks is never lost.
        if minute == 2 {
            env.at(&now, &["alert", "ack", "2"]).assert().success();
        }
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM alerts"), 2);
    assert_eq!(
        env.query_i64("SELECT count(DISTINCT dedup_key) FROM alerts"),
        2
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alert_events WHERE kind = 'opened'"),
        2
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alerts WHERE id = 2 AND state = 'acknowledged'"),
        1
    );
    // The unacknowledged one climbed once per level, not once per process.
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM alert_events WHERE alert_id = 1 AND kind = 'escalated'"
        ),
        1
    );
}

#[test]
fn a_raised_alert_can_start_a_playbook_run() {
    let env = Env::new();
    let out = env
        .at(
            NOW,
            &[
                "alert",
                "raise",
                "Roaster down",
                "--severity",
                "critical",
                "--playbook",
                "incident-response",
            ],
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("started run #1 of incident-response"),
        "{}",
        stdout(&out)
    );
    let show = stdout(&env.at(NOW, &["alert", "show", "1"]).output().unwrap());
    assert!(
        show.contains("run: #1 incident-response 0/17 items (open)"),
        "{show}"
    );
    let out = env
        .at(NOW, &["alert", "raise", "X", "--playbook", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--playbook: no playbook 'nope'"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM alerts"), 1);
}

/// `alert show` prints who did each step whole: the rules' own name is
/// not cut to `opsdeck (ru…` (the CLI has the room the cockpit lacks).
#[test]
fn alert_show_names_the_rules_whole() {
    let env = Env::new();
    breach_first_response(&env, NOW);
    env.at(NOW, &["check"]).assert().code(1);
    let out = env.at(NOW, &["alert", "show", "1"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("opsdeck (rules)"), "{text}");
    assert!(!text.contains("opsdeck (ru…"), "{text}");
}
