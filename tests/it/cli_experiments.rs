//! Issue 6: experiments through the real binary — locking and amendments,
//! and the computed result against a hand-worked example.

use crate::common;
use crate::learning_common;
use common::Env;
use learning_common::{json_at, ok_at, refused, NOW};
use std::fmt::Write as _;

const PILOT: &str = "experiment new courier-pilot --title 'Courier pilot' \
    --objective 'Decide whether to switch couriers' \
    --hypothesis 'The new courier raises on-time delivery to 85 %' --scope 'All orders' \
    --start 2026-03-01 --end 2026-03-15 --baseline 2026-02-15..2026-03-01 \
    --primary on_time_rate>=85 --criterion first_response<=3";

#[test]
fn a_started_experiment_is_locked_and_amendments_are_recorded() {
    let env = Env::new();
    ok_at(&env, "2026-02-28T09:00:00Z", PILOT);
    // A draft changes freely, without a reason and without an amendment.
    let out = ok_at(
        &env,
        "2026-02-28T10:00:00Z",
        "experiment amend courier-pilot --scope 'Orders in Berlin'",
    );
    assert!(out.contains("changed scope"), "{out}");
    let out = ok_at(
        &env,
        "2026-02-28T11:00:00Z",
        "experiment start courier-pilot",
    );
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("registration sha256 "))
        .expect(&out)
        .to_string();
    assert_eq!(hash.len(), 64);

    // Changing the hypothesis, a criterion or the period is refused without a reason.
    let locked = "the experiment has started, so its";
    let later = "2026-03-02T09:00:00Z";
    refused(
        &env,
        later,
        "experiment amend courier-pilot --hypothesis 'Something else'",
        locked,
    );
    refused(
        &env,
        later,
        "experiment amend courier-pilot --primary on_time_rate>=80",
        locked,
    );
    refused(
        &env,
        later,
        "experiment amend courier-pilot --end 2026-03-20 --reason ' '",
        locked,
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM experiment_amendments"),
        0
    );
    // The title is not locked.
    ok_at(
        &env,
        later,
        "experiment amend courier-pilot --title 'Courier pilot (Berlin)'",
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM experiment_amendments"),
        0
    );

    // With a reason, the change is an amendment that keeps the original.
    let out = ok_at(
        &env,
        "2026-03-03T09:00:00Z",
        "--as maria experiment amend courier-pilot --primary on_time_rate>=80 --reason '85 was a typo for 80'",
    );
    assert!(out.contains("amendment recorded (criteria)"), "{out}");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM experiment_amendments"),
        1
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM experiment_amendments WHERE actor = 'maria' \
             AND reason = '85 was a typo for 80' AND original LIKE '%\"threshold\":85.0%' \
             AND amended LIKE '%\"threshold\":80.0%'"
        ),
        1
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'amend' AND actor = 'maria'"),
        1
    );
    // The registration itself never changes, even behind opsdeck's back.
    let c = env.conn();
    let err = c
        .execute("UPDATE experiments SET registered_hash = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("cannot change"), "{err}");
    let err = c
        .execute("DELETE FROM experiment_amendments", [])
        .unwrap_err();
    assert!(err.to_string().contains("cannot change"), "{err}");

    // `show` makes it visible: the registered hash, the amended one, the reason.
    let show = ok_at(
        &env,
        "2026-03-04T09:00:00Z",
        "experiment show courier-pilot",
    );
    assert!(
        show.contains(&format!("registered  sha256 {hash}")),
        "{show}"
    );
    assert!(
        show.contains("amended     sha256 ") && show.contains("(1 amendment)"),
        "{show}"
    );
    assert!(show.contains("reason: 85 was a typo for 80"), "{show}");
    assert!(
        show.contains("locked: pre-registered 2026-02-28 11:00 UTC"),
        "{show}"
    );
    assert!(show.contains("Courier pilot (Berlin)"), "{show}");

    refused(
        &env,
        NOW,
        "experiment start courier-pilot",
        "already started",
    );
}

/// 10 standard orders closed in the baseline (7 on time), 8 standard orders
/// in the experiment (7 on time) and 2 express orders (1 on time); and 6
/// first-response values in the baseline but only 2 during.
fn worked_data(env: &Env) {
    let mut jsonl = String::new();
    let mut order = |id: &str, segment: &str, day: String, on_time: bool| {
        let promised = if on_time { "T20:00:00Z" } else { "T08:00:00Z" };
        let _ = writeln!(
            jsonl,
            r#"{{"kind":"order","external_id":"{id}","customer":"c-{id}","segment":"{segment}","opened_at":"{day}T06:00:00Z","promised_at":"{day}{promised}","closed_at":"{day}T12:00:00Z","outcome":"ok"}}"#
        );
    };
    for i in 0..10 {
        order(
            &format!("B{i}"),
            "standard",
            format!("2026-02-{:02}", 16 + i),
            i < 7,
        );
    }
    for i in 0..8 {
        order(
            &format!("D{i}"),
            "standard",
            format!("2026-03-{:02}", 2 + i),
            i != 3,
        );
    }
    order("X1", "express", "2026-03-04".into(), true);
    order("X2", "express", "2026-03-05".into(), false);
    let file = env.file("orders.jsonl", jsonl.as_bytes());
    ok_at(env, NOW, &format!("import {file} --kind work-items"));
    for (day, v) in [(16, 2), (17, 2), (18, 3), (19, 2), (20, 1), (21, 2)] {
        ok_at(
            env,
            NOW,
            &format!("record first_response {v} --at 2026-02-{day}"),
        );
    }
    for (day, v) in [(2, 1), (3, 2)] {
        ok_at(
            env,
            NOW,
            &format!("record first_response {v} --at 2026-03-0{day}"),
        );
    }
}

/// A database with the worked data and the courier pilot defined at 09:00
/// and started (pre-registered) at 11:00 on 2026-02-28.
fn started_pilot() -> Env {
    let env = Env::new();
    worked_data(&env);
    ok_at(&env, "2026-02-28T09:00:00Z", PILOT);
    ok_at(
        &env,
        "2026-02-28T11:00:00Z",
        "experiment start courier-pilot",
    );
    env
}

#[test]
fn the_result_matches_the_hand_worked_example() {
    let env = started_pilot();

    // Day 4 of 14: criteria are live, the verdict waits for 7 days.
    let day4 = "2026-03-05T12:00:00Z";
    let v = json_at(&env, day4, "experiment show courier-pilot --format json");
    assert_eq!(
        v["experiment"]["verdict"],
        serde_json::json!({"kind": "pending", "days_left": 3})
    );
    let text = ok_at(&env, day4, "experiment show courier-pilot");
    assert!(text.contains("verdict     … 3 days left"), "{text}");

    // After the end. Baseline: 7 of 10 on time = 70 %. During: 7 of 8
    // standard plus 1 of 2 express = 8 of 10 = 80 %; 80 < 85: fail, +10 points.
    let v = json_at(&env, NOW, "experiment show courier-pilot --format json");
    let c = &v["experiment"]["criteria"];
    assert_eq!(
        c[0]["during"],
        serde_json::json!({"value": 80.0, "events": 10})
    );
    assert_eq!(
        c[0]["baseline"],
        serde_json::json!({"value": 70.0, "events": 10})
    );
    assert_eq!(c[0]["change"], 10.0);
    assert_eq!(c[0]["outcome"], "fail");
    // first_response: 2 values during (fewer than 5): not enough data.
    assert_eq!(c[1]["during"]["events"], 2);
    assert_eq!(c[1]["baseline"]["events"], 6);
    assert_eq!(c[1]["outcome"], "not_enough_data");
    assert_eq!(v["experiment"]["verdict"]["kind"], "failure");
    let text = ok_at(&env, NOW, "experiment show courier-pilot");
    assert!(
        text.contains("80% (10)") && text.contains("70% (10)") && text.contains("+10"),
        "{text}"
    );
    assert!(
        text.contains("✗ fail") && text.contains("· not enough data"),
        "{text}"
    );

    // Against the control segment "express" over the same period: during =
    // the 8 standard orders, 7 on time = 87.5 % >= 85, but the control rests
    // on 2 orders: not enough data, so the verdict is inconclusive.
    ok_at(
        &env,
        "2026-02-28T09:00:00Z",
        "experiment new express-control --title 'Against express' --objective o --hypothesis h \
         --scope s --start 2026-03-01 --end 2026-03-15 --control-segment express \
         --primary on_time_rate>=85 --criterion first_response<=3",
    );
    ok_at(
        &env,
        "2026-02-28T11:00:00Z",
        "experiment start express-control",
    );
    let v = json_at(&env, NOW, "experiment show express-control --format json");
    let c = &v["experiment"]["criteria"];
    assert_eq!(
        c[0]["during"],
        serde_json::json!({"value": 87.5, "events": 8})
    );
    assert_eq!(
        c[0]["baseline"],
        serde_json::json!({"value": 50.0, "events": 2})
    );
    assert_eq!(c[0]["outcome"], "not_enough_data");
    assert_eq!(v["experiment"]["verdict"]["kind"], "inconclusive");
    // Recorded values have no segment: said so, not guessed.
    assert!(
        v["experiment"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("no segment"),
        "{v}"
    );

    let list = ok_at(&env, NOW, "experiment list");
    assert!(
        list.contains("courier-pilot") && list.contains("✗ failure"),
        "{list}"
    );
    assert!(list.contains("? inconclusive"), "{list}");
    let json = json_at(&env, NOW, "experiment list --format json");
    assert_eq!(json["experiments"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_definitions_are_refused_with_one_line() {
    let env = Env::new();
    let base = "experiment new x --title t --objective o --hypothesis h --scope s";
    let period = "--start 2026-03-01 --end 2026-03-15";
    for (line, want) in [
        (
            "experiment new x --title t".to_string(),
            "missing --objective, --hypothesis, --scope, --start, --end, --primary",
        ),
        (
            "experiment new 'Bad Key' --title t".into(),
            "experiment key 'Bad Key' is not valid",
        ),
        (
            format!("{base} {period} --primary on_time_rate=>95"),
            "--primary:",
        ),
        (
            format!("{base} {period} --primary nope>=95"),
            "unknown indicator 'nope'",
        ),
        (
            format!("{base} --start 2026-03-15 --end 2026-03-01 --primary on_time_rate>=95"),
            "end must be after start",
        ),
        (
            format!("{base} {period} --primary on_time_rate>=95 --baseline 2026-02-01"),
            "--baseline:",
        ),
        ("experiment show nope".into(), "unknown experiment 'nope'"),
        (
            "experiment conclude nope --decision scale --why w".into(),
            "unknown experiment 'nope'",
        ),
        (
            "experiment conclude nope --decision continue --why w".into(),
            "'continue' is not a decision",
        ),
    ] {
        refused(&env, NOW, &line, want);
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM experiments"), 0);
}

#[test]
fn experiment_results_follow_a_withdrawn_or_corrected_value_at_once() {
    let env = started_pilot();
    let c = |env: &Env| {
        json_at(env, NOW, "experiment show courier-pilot --format json")["experiment"]["criteria"]
            [1]
        .clone()
    };
    assert_eq!(c(&env)["during"]["events"], 2);
    assert_eq!(c(&env)["baseline"]["events"], 6);
    let ids = json_at(
        &env,
        NOW,
        "observation list first_response --since 2026-03-01 --format json",
    );
    let during: Vec<i64> = ids["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(during.len(), 2, "{ids}");
    ok_at(
        &env,
        NOW,
        &format!("observation delete {} --reason 'test entry'", during[0]),
    );
    assert_eq!(c(&env)["during"]["events"], 1);
    // A correction changes the value the criterion reads.
    ok_at(
        &env,
        NOW,
        &format!("observation correct {} 9 --reason 'was 9 h'", during[1]),
    );
    assert_eq!(c(&env)["during"]["value"].as_f64(), Some(9.0));
}
