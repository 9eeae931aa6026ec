//! Issue 19: escalation reaches the person on call, silences and
//! maintenance windows hold notifications (not recording), quiet hours hold
//! warnings, and a burst for one person is one notify call. Through the real
//! binary, with a real notify script that logs each call.

use crate::common;
use common::{init_ops, script, stderr, stdout, Env};
use std::path::PathBuf;

/// A Wednesday, in the week Ben holds support and Ana ops-lead.
const NOW: &str = "2026-11-25T12:00:00Z";

/// The starter folder with Ana and Ben, a weekly support rotation (Ben
/// this week), Ana on ops-lead, and `extra` appended to oncall.toml.
fn setup(env: &Env, extra: &str) -> PathBuf {
    let ops = init_ops(env, NOW);
    let mut op = std::fs::read_to_string(ops.join("operation.toml")).unwrap();
    op.push_str(
        "\n[[person]]\nname = \"Ana\"\nroles = [\"support\", \"ops-lead\"]\n\n[[person]]\nname = \"Ben\"\nroles = [\"support\"]\n",
    );
    std::fs::write(ops.join("operation.toml"), op).unwrap();
    let oncall = format!(
        "group_window = \"1m\"\n\n[[rotation]]\nrole = \"support\"\npeople = [\"Ana\", \"Ben\"]\nlength = \"weekly\"\nhandoff = \"09:00\"\nstart = \"2026-11-02\"\ntimezone = \"UTC\"\n\n[[rotation]]\nrole = \"ops-lead\"\npeople = [\"Ana\"]\nlength = \"daily\"\nhandoff = \"09:00\"\nstart = \"2026-11-02\"\n{extra}"
    );
    std::fs::write(ops.join("oncall.toml"), oncall).unwrap();
    let o = env.run_at(NOW, &["apply", ops.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    ops
}

/// A notifier that appends one line per call (its arguments) to `calls`
/// and its stdin to `bodies`, one JSON document per line.
fn notifier(env: &Env) -> String {
    let dir = env.path().display();
    script(
        env,
        "notify.sh",
        &format!("printf '%s|' \"$@\" >> {dir}/calls\necho >> {dir}/calls\ncat >> {dir}/bodies\n"),
    )
}

fn calls(env: &Env) -> Vec<String> {
    std::fs::read_to_string(env.path().join("calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn bodies(env: &Env) -> Vec<serde_json::Value> {
    std::fs::read_to_string(env.path().join("bodies"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn check(env: &Env, now: &str, notify: &str) -> std::process::Output {
    let o = env
        .at(now, &["check"])
        .env("OPSDECK_NOTIFY", notify)
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    o
}

fn record(env: &Env, key: &str, value: &str) {
    env.at(NOW, &["record", key, value, "--at", "2026-11-25T11:00:00Z"])
        .assert()
        .success();
}

#[test]
fn escalation_to_a_role_pages_its_on_call_person() {
    let env = Env::new();
    setup(&env, "");
    let notify = notifier(&env);
    record(&env, "first_response", "5");
    check(&env, NOW, &notify);
    assert_eq!(
        calls(&env),
        ["--|1|critical|Support first response in breach|"]
    );
    let b = &bodies(&env)[0];
    assert_eq!(
        (b["target"].as_str(), b["recipient"].as_str()),
        (Some("support"), Some("Ben"))
    );
    let list = stdout(&env.run_at(NOW, &["alert", "list"]));
    assert!(list.contains(" Ben "), "the alert waits for Ben: {list}");
    // 31 minutes later it climbs to ops-lead, whose on-call person is Ana.
    check(&env, "2026-11-25T12:31:00Z", &notify);
    let b = bodies(&env);
    assert_eq!(b.len(), 2, "{:?}", calls(&env));
    assert_eq!(
        (b[1]["reason"].as_str(), b[1]["recipient"].as_str()),
        (Some("escalated"), Some("Ana"))
    );
    let show = stdout(&env.run_at("2026-11-25T12:31:00Z", &["alert", "show", "1"]));
    assert!(show.contains("waiting for: Ana"), "{show}");
    assert!(show.contains("→ ops-lead: Ana on call"), "{show}");
    // An override wins: Ben covers ops-lead for the afternoon.
    let o = env.run_at(
        "2026-11-25T12:32:00Z",
        &[
            "oncall",
            "override",
            "ops-lead",
            "Ben",
            "--until",
            "6h",
            "--reason",
            "Ana at the dentist",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let show = stdout(&env.run_at("2026-11-25T12:33:00Z", &["alert", "show", "1"]));
    assert!(show.contains("waiting for: Ben"), "{show}");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'override'"),
        1
    );
}

#[test]
fn a_silence_stops_notify_and_escalation_but_not_recording_and_notifies_after_it() {
    let env = Env::new();
    setup(&env, "");
    let notify = notifier(&env);
    let o = env.run_at(
        NOW,
        &[
            "silence",
            "add",
            "--match",
            "indicator=first_response",
            "--for",
            "1h",
            "--reason",
            "ticket tool migration",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    record(&env, "first_response", "5");
    // Opened and critical (exit 1), but no page, and no news for cron's
    // mail either: `check --quiet` prints nothing.
    let o = env
        .at(NOW, &["check", "--quiet"])
        .env("OPSDECK_NOTIFY", &notify)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "still recorded and critical");
    assert_eq!(stdout(&o), "");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alerts WHERE state = 'open'"),
        1
    );
    assert!(calls(&env).is_empty(), "{:?}", calls(&env));
    let list = stdout(&env.run_at(NOW, &["alert", "list"]));
    assert!(
        list.contains("silenced by silence #1 until 2026-11-25 13:00 UTC: ticket tool migration"),
        "{list}"
    );
    // Past the 30 minutes of its first level: it does not climb.
    check(&env, "2026-11-25T12:45:00Z", &notify);
    assert!(calls(&env).is_empty());
    assert_eq!(env.query_i64("SELECT level FROM alerts WHERE id = 1"), 0);
    // The silence expires, the cause is still there: it notifies now, to
    // whoever it waits for (Ben: held time does not count towards the
    // escalation, whose clock restarted with the silence's end).
    check(&env, "2026-11-25T13:00:00Z", &notify);
    let c = calls(&env);
    assert_eq!(c, ["--|1|critical|Support first response in breach|"]);
    let b = &bodies(&env)[0];
    assert_eq!(
        (b["recipient"].as_str(), b["reason"].as_str()),
        (Some("Ben"), Some("opened"))
    );
    assert_eq!(env.query_i64("SELECT level FROM alerts WHERE id = 1"), 0);
    // Thirty minutes of the first level after it: ops-lead's Ana is paged.
    check(&env, "2026-11-25T13:31:00Z", &notify);
    let b = bodies(&env);
    assert_eq!(
        (b.len(), b[1]["recipient"].as_str()),
        (2, Some("Ana")),
        "{b:?}"
    );
    assert_eq!(env.query_i64("SELECT level FROM alerts WHERE id = 1"), 1);
}

#[test]
fn what_a_silence_held_is_dropped_when_the_alert_was_resolved_meanwhile() {
    let env = Env::new();
    setup(&env, "");
    let notify = notifier(&env);
    let o = env.run_at(
        NOW,
        &[
            "silence",
            "add",
            "--match",
            "source=indicator",
            "--until",
            "2026-11-26",
            "--reason",
            "noise",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    record(&env, "first_response", "5");
    check(&env, NOW, &notify);
    env.at("2026-11-25T12:10:00Z", &["alert", "resolve", "1"])
        .assert()
        .success();
    let o = env.run_at("2026-11-25T12:20:00Z", &["silence", "end", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The cause still holds: a new alert opens and notifies; the resolved
    // one's held notification is dropped.
    check(&env, "2026-11-25T12:21:00Z", &notify);
    assert_eq!(
        calls(&env),
        ["--|2|critical|Support first response in breach|"]
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM notify_outbox WHERE alert_id = 1 AND dropped IS NOT NULL AND sent_at IS NULL"),
        1
    );
    let again = env.run_at("2026-11-25T12:22:00Z", &["silence", "end", "1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("silence 1 is already over"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_recurring_window_holds_its_alerts_while_open() {
    let env = Env::new();
    // 2026-11-25 is a Wednesday.
    setup(
        &env,
        "\n[[maintenance]]\nname = \"helpdesk\"\nevery = \"wed 11:30-12:30\"\ntimezone = \"UTC\"\nreason = \"helpdesk upgrade\"\nmatch = { indicator = \"first_response\" }\n",
    );
    let notify = notifier(&env);
    record(&env, "first_response", "5");
    check(&env, NOW, &notify);
    assert!(calls(&env).is_empty());
    let list = stdout(&env.run_at(NOW, &["silence", "list"]));
    assert!(
        list.contains(
            "window helpdesk every wed 11:30-12:30 (UTC), open until 2026-11-25 12:30 UTC"
        ),
        "{list}"
    );
    let json = stdout(&env.run_at(NOW, &["alert", "list", "--format", "json"]));
    assert!(json.contains("\"by\": \"window helpdesk\""), "{json}");
    check(&env, "2026-11-25T12:30:00Z", &notify);
    assert_eq!(calls(&env).len(), 1);
    // The next Wednesday it holds again; on Thursday it does not.
    let next = stdout(&env.run_at("2026-12-02T12:00:00Z", &["silence", "list"]));
    assert!(next.contains("open until 2026-12-02 12:30 UTC"), "{next}");
    let thu = stdout(&env.run_at("2026-11-26T12:00:00Z", &["silence", "list"]));
    assert!(thu.contains("closed"), "{thu}");
}

#[test]
fn quiet_hours_hold_a_warning_and_pass_a_critical() {
    let env = Env::new();
    setup(
        &env,
        "\n[[quiet_hours]]\nperson = \"Ben\"\nhours = \"10:00-14:00\"\ntimezone = \"UTC\"\n",
    );
    let notify = notifier(&env);
    // 3.5 h: a warning for support, Ben on call and in his quiet hours.
    record(&env, "first_response", "3.5");
    check(&env, NOW, &notify);
    assert!(
        calls(&env).is_empty(),
        "{:?} {:?}",
        calls(&env),
        bodies(&env)
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM notify_outbox WHERE sent_at IS NULL AND held = 'quiet hours'"
        ),
        1
    );
    check(&env, "2026-11-25T12:20:00Z", &notify);
    assert!(calls(&env).is_empty());
    // The warning waits for the end of Ben's quiet hours (meanwhile,
    // unacknowledged, it climbed: its next level, who has no quiet hours,
    // is paged at once).
    check(&env, "2026-11-25T14:00:00Z", &notify);
    let b = bodies(&env);
    let to_ben: Vec<_> = b.iter().filter(|b| b["recipient"] == "Ben").collect();
    assert_eq!(to_ben.len(), 1, "{b:?}");
    assert_eq!(
        (to_ben[0]["severity"].as_str(), to_ben[0]["reason"].as_str()),
        (Some("warning"), Some("opened"))
    );
    assert!(
        b.iter()
            .any(|b| b["recipient"] == "founder" && b["reason"] == "escalated"),
        "{b:?}"
    );

    // A critical goes through during quiet hours.
    let env = Env::new();
    setup(
        &env,
        "\n[[quiet_hours]]\nperson = \"Ben\"\nhours = \"10:00-14:00\"\ntimezone = \"UTC\"\n",
    );
    let notify = notifier(&env);
    record(&env, "first_response", "5");
    check(&env, NOW, &notify);
    assert_eq!(calls(&env).len(), 1);
    assert_eq!(bodies(&env)[0]["severity"], "critical");
}

/// Ten observation indicators owned by support, for a burst of breaches.
fn ten_indicators(ops: &std::path::Path) -> Vec<String> {
    let mut text = std::fs::read_to_string(ops.join("indicators.toml")).unwrap();
    let keys: Vec<String> = (0..10).map(|i| format!("queue_{i}")).collect();
    for k in &keys {
        text.push_str(&format!(
            "\n[[indicator]]\nkey = \"{k}\"\nname = \"Queue {k}\"\ndefinition = \"Tickets waiting in {k}, counted now.\"\nkind = \"leading\"\nunit = \"\"\ndirection = \"lower\"\naggregation = \"last\"\nwindow = \"7d\"\ntarget = 1\nwarn = 5\nbreach = 10\nowner = \"support\"\n"
        ));
    }
    std::fs::write(ops.join("indicators.toml"), text).unwrap();
    keys
}

#[test]
fn ten_breaches_within_the_group_window_are_one_notify_call() {
    let env = Env::new();
    let ops = setup(&env, "");
    let keys = ten_indicators(&ops);
    env.at(NOW, &["apply", ops.to_str().unwrap()])
        .assert()
        .success();
    let notify = notifier(&env);
    for k in &keys {
        record(&env, k, "20");
    }
    check(&env, NOW, &notify);
    let c = calls(&env);
    assert_eq!(c.len(), 1, "one call: {c:?}");
    assert!(
        c[0].starts_with("--|1,2,3,4,5,6,7,8,9,10|critical|10 alerts for Ben: "),
        "{c:?}"
    );
    let b = &bodies(&env)[0];
    assert_eq!(
        (b["group"].as_bool(), b["count"].as_i64()),
        (Some(true), Some(10))
    );
    assert_eq!(b["alerts"].as_array().unwrap().len(), 10);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alert_events WHERE kind = 'notified'"),
        10,
        "each alert's history records the page"
    );
}

#[test]
fn what_follows_a_page_within_the_window_waits_and_goes_out_as_one() {
    let env = Env::new();
    let ops = setup(&env, "");
    let keys = ten_indicators(&ops);
    env.at(NOW, &["apply", ops.to_str().unwrap()])
        .assert()
        .success();
    let notify = notifier(&env);
    record(&env, &keys[0], "20");
    check(&env, NOW, &notify);
    assert_eq!(calls(&env).len(), 1, "the first page goes out at once");
    for k in &keys[1..4] {
        env.at("2026-11-25T12:00:20Z", &["record", k, "20"])
            .assert()
            .success();
    }
    check(&env, "2026-11-25T12:00:20Z", &notify);
    check(&env, "2026-11-25T12:00:40Z", &notify);
    assert_eq!(
        calls(&env).len(),
        1,
        "held within the window: {:?}",
        calls(&env)
    );
    check(&env, "2026-11-25T12:01:00Z", &notify);
    let c = calls(&env);
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c[1].starts_with("--|2,3,4|critical|3 alerts for Ben"),
        "{c:?}"
    );
}

#[test]
fn hostile_text_in_a_silence_or_an_override_never_reaches_the_terminal() {
    let env = Env::new();
    setup(&env, "");
    let evil = "carrier \u{1b}]52;c;aGk=\u{7} outage \u{202e}";
    let o = env.run_at(
        NOW,
        &[
            "silence",
            "add",
            "--match",
            "indicator=first_response",
            "--for",
            "1h",
            "--reason",
            evil,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = env.run_at(
        NOW,
        &[
            "oncall", "override", "support", "Ana", "--until", "1h", "--reason", evil,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    record(&env, "first_response", "5");
    check(&env, NOW, "true");
    for args in [
        &["silence", "list"][..],
        &["silence", "list", "--format", "json"],
        &["alert", "list"],
        &["alert", "list", "--format", "json"],
        &["oncall", "override", "list"],
        &[
            "snapshot", "--view", "alerts", "--width", "120", "--height", "40",
        ],
    ] {
        let out = stdout(&env.run_at(NOW, args));
        assert!(out.contains("outage"), "{args:?}: {out}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
    }
}

#[test]
fn a_warning_released_by_a_silence_into_quiet_hours_waits_for_their_end() {
    let env = Env::new();
    setup(
        &env,
        "\n[[quiet_hours]]\nperson = \"Ben\"\nhours = \"12:30-14:00\"\ntimezone = \"UTC\"\n",
    );
    let notify = notifier(&env);
    env.run_at(
        NOW,
        &[
            "silence",
            "add",
            "--match",
            "indicator=first_response",
            "--until",
            "2026-11-25T13:00Z",
            "--reason",
            "migration",
        ],
    );
    record(&env, "first_response", "3.5");
    check(&env, NOW, &notify);
    check(&env, "2026-11-25T12:59:00Z", &notify);
    check(&env, "2026-11-25T13:00:00Z", &notify);
    assert!(calls(&env).is_empty(), "{:?}", calls(&env));
    assert_eq!(
        env.query_i64("SELECT count(*) FROM notify_outbox WHERE held = 'quiet hours' AND due_at IS NOT NULL AND sent_at IS NULL"),
        1
    );
    check(&env, "2026-11-25T14:00:00Z", &notify);
    let b = bodies(&env);
    assert!(
        b.iter()
            .any(|b| b["recipient"] == "Ben" && b["severity"] == "warning"),
        "{b:?}"
    );
}

/// A page held for someone's quiet hours is judged by the quiet hours in
/// force when `check` runs: removed by an `apply` meanwhile, it goes out at
/// once instead of waiting for hours that no longer exist.
#[test]
fn removing_quiet_hours_releases_what_they_held() {
    let env = Env::new();
    let ops = setup(
        &env,
        "\n[[quiet_hours]]\nperson = \"Ben\"\nhours = \"10:00-14:00\"\ntimezone = \"UTC\"\n",
    );
    let notify = notifier(&env);
    record(&env, "first_response", "3.5");
    check(&env, NOW, &notify);
    assert!(calls(&env).is_empty(), "held for Ben's quiet hours");
    // Ben's quiet hours go; the next check sends what they held.
    let text = std::fs::read_to_string(ops.join("oncall.toml")).unwrap();
    let without = text.split("\n[[quiet_hours]]").next().unwrap().to_string() + "\n";
    std::fs::write(ops.join("oncall.toml"), without).unwrap();
    let o = env.run_at("2026-11-25T12:05:00Z", &["apply", ops.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    check(&env, "2026-11-25T12:06:00Z", &notify);
    let b = bodies(&env);
    assert!(
        b.iter()
            .any(|b| b["recipient"] == "Ben" && b["severity"] == "warning"),
        "{b:?}"
    );
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM notify_outbox WHERE sent_at IS NULL AND held = 'quiet hours'"
        ),
        0
    );
}

/// An override whose end is already past says so (it said "must be after
/// --from" when no --from was given), and an end before its start too.
#[test]
fn an_override_ending_in_the_past_says_so() {
    let env = Env::new();
    setup(&env, "");
    let o = env.run_at(
        NOW,
        &[
            "oncall",
            "override",
            "support",
            "Ana",
            "--until",
            "2020-01-01",
            "--reason",
            "swap",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--until: is in the past"),
        "{}",
        stderr(&o)
    );
    let o = env.run_at(
        NOW,
        &[
            "oncall",
            "override",
            "support",
            "Ana",
            "--from",
            "2026-11-27T09:00:00Z",
            "--until",
            "2026-11-26T09:00:00Z",
            "--reason",
            "swap",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--until: must be after --from"),
        "{}",
        stderr(&o)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM oncall_overrides"), 0);
}
