//! Issue 19 point 4 through the real binary: an incident declared from
//! alerts, its timeline assembled from what really happened (the alert
//! acknowledged and escalated, run items checked and skipped, a run note, a
//! decision), its states that only move forward, bad input refused with
//! exit 2 and nothing written, action items that go late, and the demo's
//! post-mortem as Markdown with a fixed clock.

use crate::common::{json, stderr, Env};

const T0: &str = "2026-12-01T09:00:00Z";

fn at(minutes: i64) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(T0).unwrap() + chrono::Duration::minutes(minutes);
    t.to_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An incident-response alert (which starts a linked run) declared as
/// incident #1, then what the team did, minute by minute.
/// The people the tests name, as `person add` records them (an action's
/// owner and a commander must be people of the operation).
fn people(env: &Env, names: &[&str]) {
    for n in names {
        env.ok_at(T0, &["person", "add", n]);
    }
}

fn lived_incident(env: &Env) {
    people(env, &["Ana", "Ben", "Chloe"]);
    env.ok_at(
        T0,
        &[
            "alert",
            "raise",
            "Roaster 2 burner fault",
            "--severity",
            "critical",
            "--playbook",
            "incident-response",
        ],
    );
    let steps: Vec<(i64, Vec<&str>)> = vec![
        (
            2,
            vec![
                "--as",
                "Ana",
                "incident",
                "declare",
                "1",
                "--title",
                "Roaster down",
                "--commander",
                "Ana",
            ],
        ),
        (
            4,
            vec!["--as", "Ana", "alert", "ack", "1", "--note", "I own it"],
        ),
        (6, vec!["--as", "Ana", "run", "done", "1", "declare.1"]),
        (
            8,
            vec![
                "--as",
                "Ana",
                "run",
                "skip",
                "1",
                "declare.2",
                "--reason",
                "impact unknown yet",
            ],
        ),
        (
            10,
            vec![
                "--as",
                "Ben",
                "run",
                "note",
                "1",
                "burner controller rebooted",
            ],
        ),
        (
            12,
            vec![
                "--as",
                "Ana",
                "alert",
                "escalate",
                "1",
                "--note",
                "need the founder",
            ],
        ),
        (
            20,
            vec![
                "--as",
                "Ana",
                "decision",
                "add",
                "Roast on roaster 1 only",
                "--why",
                "roaster 2 unsafe",
            ],
        ),
        (30, vec!["--as", "Ana", "incident", "mitigate", "1"]),
        (90, vec!["--as", "Ben", "incident", "resolve", "1"]),
    ];
    for (m, args) in steps {
        env.ok_at(&at(m), &args);
    }
}

#[test]
fn the_timeline_is_assembled_from_real_events() {
    let env = Env::new();
    lived_incident(&env);
    let v = json(&env.run_at(&at(120), &["incident", "show", "1", "--format", "json"]));
    let timeline = v["timeline"].as_array().unwrap();
    let lines: Vec<String> = timeline
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e["at"].as_str().unwrap(),
                e["origin"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["what"].as_str().unwrap()
            )
        })
        .collect();
    let want = [
        "2026-12-01T09:00:00Z alert",
        "#1 opened",
        "2026-12-01T09:02:00Z incident Ana incident #1 declared",
        "2026-12-01T09:04:00Z alert Ana #1 acknowledged",
        "2026-12-01T09:06:00Z run Ana run #1 declare.1 done",
        "2026-12-01T09:08:00Z run Ana run #1 declare.2 skipped",
        "2026-12-01T09:10:00Z note Ben run #1 note",
        "2026-12-01T09:12:00Z alert Ana #1 escalated",
        "2026-12-01T09:20:00Z decision Ana decision #1: Roast on roaster 1 only",
        "2026-12-01T09:30:00Z incident Ana incident #1 mitigated",
        "2026-12-01T10:30:00Z incident Ben incident #1 resolved",
    ];
    let joined = lines.join("\n");
    let mut from = 0;
    for w in want {
        let pos = joined[from..]
            .find(w)
            .unwrap_or_else(|| panic!("{w:?} missing or out of order in:\n{joined}"));
        from += pos + w.len();
    }
    // Notes and reasons travel with their entries.
    let note_of = |what: &str| {
        timeline
            .iter()
            .find(|e| e["what"].as_str().unwrap().ends_with(what))
            .map(|e| e["note"].as_str().unwrap_or_default().to_string())
            .unwrap()
    };
    assert_eq!(note_of("declare.2 skipped"), "impact unknown yet");
    assert_eq!(note_of("run #1 note"), "burner controller rebooted");
    assert_eq!(note_of("#1 acknowledged"), "I own it");
    assert_eq!(v["incident"]["commander"], "Ana");
    assert_eq!(v["incident"]["state"], "resolved");
    assert_eq!(v["incident"]["alerts"], serde_json::json!([1]));
    // A decision outside the span stays out.
    env.ok_at(&at(200), &["decision", "add", "Later", "--why", "after"]);
    let v = json(&env.run_at(&at(210), &["incident", "show", "1", "--format", "json"]));
    let text = v["timeline"].to_string();
    assert!(!text.contains("Later"), "{text}");
    // The text form says the same, one line per entry.
    let out = env.ok_at(&at(210), &["incident", "show", "1"]);
    assert!(
        out.contains("run #1 declare.2 skipped — impact unknown yet"),
        "{out}"
    );
    assert!(out.contains("commander Ana"), "{out}");
    // Each step was audited with who did it.
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM audit WHERE entity = 'incident' AND (action, actor) IN
             (VALUES ('declare', 'Ana'), ('mitigated', 'Ana'), ('resolved', 'Ben'))"
        ),
        3
    );
}

#[test]
fn states_only_move_forward_and_bad_input_changes_nothing() {
    let env = Env::new();
    lived_incident(&env);
    let writes = || {
        (
            env.query_i64("SELECT count(*) FROM audit"),
            env.query_i64("SELECT count(*) FROM incidents"),
            env.query_i64("SELECT count(*) FROM incident_alerts"),
            env.query_i64("SELECT count(*) FROM work_items WHERE kind = 'action'"),
        )
    };
    let before = writes();
    let refused = |args: &[&str], says: &str| {
        let o = env.run_at(&at(100), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains(says), "{args:?}: {e}");
        assert_eq!(e.lines().count(), 1, "one line: {e}");
    };
    refused(
        &["incident", "mitigate", "1"],
        "incident #1 is resolved: an incident's state only moves forward",
    );
    refused(&["incident", "resolve", "1"], "only moves forward");
    refused(
        &["incident", "declare", "99", "--title", "x"],
        "ALERT: no alert #99",
    );
    refused(
        &["incident", "declare", "1", "--title", "   "],
        "--title: is empty",
    );
    refused(
        &["incident", "declare", "1", "--title", "again"],
        "alert #1 already belongs to incident #1",
    );
    refused(&["incident", "declare", "--title", "none"], "ALERT");
    refused(&["incident", "show", "7"], "incident 7: no such incident");
    refused(
        &[
            "incident", "action", "1", "--owner", "Ana", "--due", "soonish", "x",
        ],
        "--due",
    );
    refused(
        &["incident", "action", "1", "--owner", "", "--due", "7d", "x"],
        "--owner",
    );
    refused(
        &[
            "incident", "action", "1", "--owner", "Ana", "--due", "7d", " ",
        ],
        "TEXT: is empty",
    );
    refused(
        &[
            "incident", "action", "1", "--owner", "Nobody", "--due", "7d", "x",
        ],
        "--owner: unknown person 'Nobody' (add a [[person]] to operation.toml)",
    );
    refused(
        &[
            "incident",
            "action",
            "1",
            "--owner",
            "Ana",
            "--due",
            "2020-01-01",
            "x",
        ],
        "--due: is in the past",
    );
    refused(&["incident", "done", "INC-9-9"], "no action item 'INC-9-9'");
    refused(
        &[
            "incident",
            "postmortem",
            "1",
            "--experiment",
            "--indicator",
            "nope",
        ],
        "unknown indicator 'nope'",
    );
    assert_eq!(writes(), before, "nothing was written");
    // A review comes after the resolution; a second one is refused.
    let fresh = Env::new();
    fresh.ok_at(T0, &["alert", "raise", "Printer jam"]);
    // A commander must be a person of the operation (a typo is refused).
    let o = fresh.run_at(
        T0,
        &[
            "incident",
            "declare",
            "1",
            "--title",
            "Jam",
            "--commander",
            "Nobdy",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--commander: unknown person 'Nobdy'"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fresh.query_i64("SELECT count(*) FROM incidents"), 0);
    fresh.ok_at(T0, &["incident", "declare", "1", "--title", "Jam"]);
    let o = fresh.run_at(T0, &["incident", "review", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("resolve it before the review"),
        "{}",
        stderr(&o)
    );
    fresh.ok_at(T0, &["incident", "resolve", "1"]);
    fresh.ok_at(T0, &["incident", "review", "1"]);
    let o = fresh.run_at(T0, &["incident", "review", "1"]);
    assert_eq!(o.status.code(), Some(2));
    // The severity defaults to the alert's.
    let v = json(&fresh.run_at(T0, &["incident", "list", "--format", "json"]));
    assert_eq!(v["incidents"][0]["severity"], "warning");
    assert_eq!(v["incidents"][0]["state"], "reviewed");
}

#[test]
fn action_items_are_work_of_kind_action_and_go_late() {
    let env = Env::new();
    lived_incident(&env);
    let out = env.ok_at(
        &at(100),
        &[
            "--as",
            "Ana",
            "incident",
            "action",
            "1",
            "--owner",
            "Ben",
            "--due",
            "2026-12-03",
            "Replace the burner controller",
        ],
    );
    assert!(
        out.contains("action INC-1-1 for Ben due 2026-12-03 00:00 UTC"),
        "{out}"
    );
    env.ok_at(
        &at(101),
        &[
            "incident",
            "action",
            "1",
            "--owner",
            "Chloe",
            "--due",
            "30d",
            "Spare parts list",
        ],
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM work_items WHERE kind = 'action' AND closed_at IS NULL AND promised_at IS NOT NULL"
        ),
        2
    );
    // Before the due date: open; after it: late.
    let v = json(&env.run_at(
        "2026-12-02T12:00:00Z",
        &["incident", "show", "1", "--format", "json"],
    ));
    assert_eq!(v["actions"][0]["state"], "open");
    let late_at = "2026-12-04T12:00:00Z";
    let v = json(&env.run_at(late_at, &["incident", "show", "1", "--format", "json"]));
    assert_eq!(v["actions"][0]["state"], "late");
    assert_eq!(v["actions"][0]["late"], true);
    assert_eq!(v["actions"][1]["state"], "open");
    let text = env.ok_at(late_at, &["incident", "show", "1"]);
    assert!(text.contains("INC-1-1   late Ben"), "{text}");
    // In the Work view: a row of its own, without a capacity, and the Work
    // list counts it late like any other work.
    let work = env.ok_at(
        late_at,
        &[
            "snapshot", "--view", "work", "--width", "120", "--height", "20",
        ],
    );
    let row = work
        .lines()
        .find(|l| l.contains("│action"))
        .unwrap_or_else(|| panic!("{work}"));
    assert!(!row.contains('%'), "no capacity figures for actions: {row}");
    // Done: closed, no longer late.
    env.ok_at(late_at, &["--as", "Ben", "incident", "done", "INC-1-1"]);
    let v = json(&env.run_at(late_at, &["incident", "show", "1", "--format", "json"]));
    assert_eq!(v["actions"][0]["state"], "done");
    let o = env.run_at(late_at, &["incident", "done", "INC-1-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("INC-1-1 is already done"));
    // An import of kind `action` is still refused: actions are written here only.
    let f = env.file(
        "a.csv",
        b"kind,external_id,opened_at\naction,X-1,2026-11-24\n",
    );
    let o = env.run_at(late_at, &["import", &f]);
    assert_eq!(o.status.code(), Some(2));
}

const DEMO_NOW: &str = "2026-11-24T09:00:00Z";

#[test]
fn the_demo_post_mortem_as_markdown() {
    let env = Env::new();
    env.at(DEMO_NOW, &["demo"]).assert().success();
    let list = env.ok_at(DEMO_NOW, &["incident", "list"]);
    assert!(list.contains("reviewed"), "{list}");
    assert!(list.contains("actions 3, 1 late"), "{list}");
    let v = json(&env.run_at(DEMO_NOW, &["incident", "list", "--format", "json"]));
    assert_eq!(v["incidents"][0]["late_actions"], 1);
    let file = env.path().join("incident-1.md");
    let out = env.ok_at(
        DEMO_NOW,
        &[
            "incident",
            "postmortem",
            "1",
            "--out",
            file.to_str().unwrap(),
            "--experiment",
            "--indicator",
            "on_time_rate",
        ],
    );
    assert!(
        out.starts_with("wrote the post-mortem of incident #1 to "),
        "{out}"
    );
    let md = std::fs::read_to_string(&file).unwrap();
    for section in [
        "## Timeline",
        "## Impact",
        "## What went well",
        "## What did not",
        "## Action items",
        "## Proposed experiment",
    ] {
        assert!(md.contains(section), "{section}");
    }
    assert!(md.contains("| INC-1-2 | Chloe |"), "{md}");
    assert!(md.contains("| late |"), "one action item is overdue: {md}");
    insta::assert_snapshot!("demo_postmortem", md);
    // Without --out it is the same text on stdout.
    let stdout = env.ok_at(
        DEMO_NOW,
        &[
            "incident",
            "postmortem",
            "1",
            "--experiment",
            "--indicator",
            "on_time_rate",
        ],
    );
    assert_eq!(stdout, md);
    // The proposed experiment is a line `experiment new` accepts.
    let line = md
        .lines()
        .find(|l| l.starts_with("opsdeck experiment new"))
        .unwrap();
    let words = split_sh(line.trim_start_matches("opsdeck "));
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    env.ok_at(DEMO_NOW, &args);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM experiments WHERE key = 'inc-1-follow-up'"),
        1
    );
}

/// Splits a line of single-quoted words as a POSIX shell would.
fn split_sh(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

#[test]
fn hostile_text_in_an_incident_never_reaches_the_terminal_raw() {
    let env = Env::new();
    people(&env, &["Eve", "Ana", "Ben"]);
    env.ok_at(T0, &["alert", "raise", "Disk \u{1b}]52;c;aGk=\u{7} full"]);
    env.ok_at(
        T0,
        &[
            "incident",
            "declare",
            "1",
            "--title",
            "Outage \u{1b}[2J\u{202e}now",
            "--commander",
            "Eve",
        ],
    );
    env.ok_at(
        T0,
        &[
            "incident",
            "action",
            "1",
            "--owner",
            "Eve",
            "--due",
            "1d",
            "fix \u{1b}[31m it",
        ],
    );
    for args in [
        vec!["incident", "list"],
        vec!["incident", "show", "1"],
        vec!["incident", "show", "1", "--format", "json"],
        vec!["incident", "postmortem", "1", "--experiment"],
    ] {
        let out = env.ok_at(T0, &args);
        assert!(!out.contains('\u{1b}'), "{args:?}: {out:?}");
        assert!(!out.contains('\u{202e}'), "{args:?}: {out:?}");
    }
    // A name with control characters is refused, nothing written.
    let o = env.run_at(
        T0,
        &[
            "incident",
            "action",
            "1",
            "--owner",
            "E\u{1b}ve",
            "--due",
            "1d",
            "x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(env.query_i64("SELECT count(*) FROM incident_actions"), 1);
}

/// `alert show` names the incident an alert belongs to.
#[test]
fn alert_show_names_its_incident() {
    let env = Env::new();
    lived_incident(&env);
    let out = env.ok_at(&at(120), &["alert", "show", "1"]);
    assert!(
        out.contains("incident #1 (opsdeck incident show 1)"),
        "{out}"
    );
}
