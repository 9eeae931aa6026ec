//! Issue 6: the decision log (evidence snapshots, supersede links, formats),
//! concluding an experiment, and feedback validation, through the binary.

use crate::common;
use crate::learning_common;
use common::Env;
use learning_common::{json_at, ok_at, refused, NOW};

#[test]
fn evidence_snapshots_stay_fixed_after_new_data_arrives() {
    let env = Env::new();
    ok_at(
        &env,
        NOW,
        "record first_response 2 --at 2026-03-19T10:00:00Z",
    );
    let out = ok_at(
        &env,
        NOW,
        "--as ana decision add 'Keep one support shift' --why 'Responses are fast enough' \
         --evidence indicator:first_response",
    );
    assert!(
        out.contains("recorded decision #1: Keep one support shift"),
        "{out}"
    );
    assert!(out.contains("first_response = 2 h (ok)"), "{out}");

    // The data moves on: responses get slow, the indicator breaches.
    let later = "2026-03-21T12:00:00Z";
    ok_at(
        &env,
        later,
        "record first_response 6 --at 2026-03-21T10:00:00Z",
    );
    let status = json_at(&env, later, "status --format json");
    let rows = status["indicators"].as_array().unwrap();
    let fr = rows.iter().find(|r| r["key"] == "first_response").unwrap();
    assert_eq!(fr["status"], "breach");

    // The decision still shows what was known when it was taken.
    let log = json_at(&env, "2026-03-22T12:00:00Z", "decision list --format json");
    let log = &log["decisions"];
    let e = &log[0]["evidence"][0];
    assert_eq!(e["reference"], "indicator:first_response");
    assert_eq!(e["captured"]["value"], 2.0);
    assert_eq!(e["captured"]["status"], "ok");
    assert_eq!(e["captured"]["at"], NOW);
    assert_eq!(e["summary"], "first_response = 2 h (ok)");
    assert_eq!(log[0]["who"], "ana");
    let text = ok_at(&env, later, "decision list");
    assert!(
        text.contains("evidence indicator:first_response — first_response = 2 h (ok)"),
        "{text}"
    );
    // And nothing can rewrite it behind opsdeck's back.
    let c = env.conn();
    assert!(c
        .execute("UPDATE decision_evidence SET summary = 'x'", [])
        .is_err());
    assert!(c.execute("DELETE FROM decisions", []).is_err());
}

#[test]
fn supersede_links_show_on_both_and_formats_render() {
    let env = Env::new();
    ok_at(
        &env,
        NOW,
        "decision add 'Cap B2B orders at 25' --why Capacity",
    );
    ok_at(
        &env,
        NOW,
        "decision add 'Raise the cap to 35' --why 'Saturday shift' --supersedes 1",
    );
    let text = ok_at(&env, NOW, "decision list");
    let (newest, oldest) = (text.find("#2 ").unwrap(), text.find("#1 ").unwrap());
    assert!(newest < oldest, "newest first: {text}");
    assert!(
        text.contains("supersedes #1") && text.contains("superseded by #2"),
        "{text}"
    );
    let md = ok_at(&env, NOW, "decision list --format markdown");
    assert!(md.starts_with("# Decision log\n"), "{md}");
    assert!(
        md.contains("- **Supersedes:** #1") && md.contains("- **Superseded by:** #2"),
        "{md}"
    );
    let json = json_at(&env, NOW, "decision list --format json");
    assert_eq!(json["decisions"][0]["supersedes"], 1);
    assert_eq!(json["decisions"][1]["superseded_by"], 2);

    let add = "decision add t --why w";
    for (extra, want) in [
        (
            "--supersedes 1",
            "already superseded by #2; supersede #2 instead",
        ),
        ("--supersedes 9", "there is no decision #9"),
        ("--supersedes x", "--supersedes: 'x' is not a decision id"),
        ("--evidence metric:x", "unknown kind 'metric'"),
        ("--evidence indicator:nope", "unknown indicator 'nope'"),
        ("--evidence experiment:nope", "unknown experiment 'nope'"),
        // Refused until the alerts table exists, then refused as unknown.
        ("--evidence alert:3", "alert:3"),
    ] {
        refused(&env, NOW, &format!("{add} {extra}"), want);
    }
    refused(
        &env,
        NOW,
        "decision add ' ' --why ''",
        "title is empty; why is empty",
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM decisions"), 2);
}

#[test]
fn concluding_writes_the_result_into_the_decision_log() {
    let env = Env::new();
    ok_at(
        &env,
        "2026-02-28T09:00:00Z",
        "experiment new pilot --title Pilot --objective o --hypothesis h --scope s \
         --start 2026-03-01 --end 2026-03-15 --primary first_response<=3",
    );
    refused(
        &env,
        NOW,
        "experiment conclude pilot --decision stop --why w",
        "was never started",
    );
    ok_at(&env, "2026-02-28T10:00:00Z", "experiment start pilot");
    let out = ok_at(
        &env,
        NOW,
        "experiment conclude pilot --decision stop --why 'No data, no change'",
    );
    assert!(
        out.contains("concluded experiment pilot: stop; decision #1 recorded: Stop: Pilot (experiment pilot)"),
        "{out}"
    );
    let log = json_at(&env, NOW, "decision list --format json");
    let e = &log["decisions"][0]["evidence"][0];
    assert_eq!(e["reference"], "experiment:pilot");
    assert_eq!(e["captured"]["verdict"]["kind"], "inconclusive");
    assert_eq!(e["captured"]["registered_hash"].as_str().unwrap().len(), 64);
    let show = ok_at(&env, NOW, "experiment show pilot");
    assert!(
        show.contains("✓ concluded") && show.contains("decision    stop (#1"),
        "{show}"
    );
    refused(
        &env,
        NOW,
        "experiment conclude pilot --decision scale --why w",
        "already concluded",
    );
    refused(
        &env,
        NOW,
        "experiment amend pilot --title x",
        "is concluded",
    );
}

#[test]
fn feedback_scores_are_validated_with_a_clear_message() {
    let env = Env::bare();
    for (ease, want) in [
        ("0", "--ease must be from 1 to 5, got 0"),
        ("6", "--ease must be from 1 to 5, got 6"),
        (
            "abc",
            "--ease must be a whole number from 1 to 5, got 'abc'",
        ),
        ("-1", "--ease must be a whole number from 1 to 5, got '-1'"),
    ] {
        refused(
            &env,
            NOW,
            &format!("feedback add --ease {ease} --reliability 4 --value 4"),
            want,
        );
    }
    refused(
        &env,
        NOW,
        "feedback add --ease 4 --reliability 4 --value 9",
        "--value must be from 1 to 5, got 9",
    );
    refused(
        &env,
        NOW,
        "feedback add --ease 4 --reliability 4 --value 4 --channel email",
        "survey, interview or support",
    );
    assert!(!env.db.exists(), "refused before the database is touched");
    ok_at(&env, NOW, "init");

    let out = ok_at(
        &env,
        NOW,
        "feedback add --ease 5 --reliability 2 --value 4 --channel interview --segment b2b\x1b[2J \
         --customer C1 --comment 'late again'",
    );
    assert!(
        out.contains("recorded feedback: ease 5, reliability 2, value 4 (interview, segment b2b)"),
        "{out:?}"
    );
    ok_at(&env, NOW, "feedback add --ease 3 --reliability 4 --value 5");
    assert_eq!(env.query_i64("SELECT count(*) FROM feedback"), 2);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'feedback'"),
        2
    );
    let summary = ok_at(&env, NOW, "feedback summary");
    assert!(!summary.contains('\x1b'), "{summary:?}");
    assert!(
        summary.contains("survey")
            && summary.contains("interview")
            && summary.contains("(no segment)"),
        "{summary}"
    );
    let json = json_at(&env, NOW, "feedback summary --format json");
    assert_eq!(json["all"]["responses"], 2);
    assert_eq!(json["all"]["low_share"], 0.5);
    assert_eq!(json["by_channel"][0]["group"], "interview");
}
