//! Versioned indicator definitions: a change takes effect from the moment
//! it is applied; an earlier time is judged by the definition in force then
//! (fixed clock, real binary, temp database).

use crate::common::{stderr, stdout, Env};

const YESTERDAY: &str = "2026-11-30T09:00:00Z";
const TODAY: &str = "2026-12-01T09:00:00Z";

fn ok(env: &Env, now: &str, args: &[&str]) -> String {
    let o = env.at(now, args).output().expect("run");
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// first_response (p90 over 7 days, lower is better, warn 3 h, breach 4 h):
/// 2.5 h all week, then 3.5 h on the 29th — ok at the standup of the 28th,
/// warn on the 30th.
fn operation() -> Env {
    let env = Env::new();
    ok(
        &env,
        "2026-11-20T09:00:00Z",
        &["init", env.path().join("ops").to_str().unwrap()],
    );
    for d in 21..=27 {
        let at = format!("2026-11-{d}T10:00:00Z");
        ok(
            &env,
            YESTERDAY,
            &["record", "first_response", "2.5", "--at", &at],
        );
    }
    ok(
        &env,
        YESTERDAY,
        &[
            "record",
            "first_response",
            "3.5",
            "--at",
            "2026-11-29T10:00:00Z",
        ],
    );
    let c = env.conn();
    c.execute(
        "INSERT INTO standups (at, actor) VALUES (strftime('%s', '2026-11-28T09:00:00Z'), 'team')",
        [],
    )
    .unwrap();
    env
}

fn board_line(status: &str) -> String {
    status
        .lines()
        .find(|l| l.contains("Support first response"))
        .unwrap_or_else(|| panic!("{status}"))
        .trim_end()
        .to_string()
}

fn standup(env: &Env) -> String {
    ok(
        env,
        YESTERDAY,
        &[
            "snapshot", "--view", "standup", "--width", "100", "--height", "16",
        ],
    )
}

#[test]
fn a_target_raised_today_leaves_yesterdays_status_and_the_standup_deltas_as_they_were() {
    let env = operation();
    let yesterday = board_line(&ok(&env, YESTERDAY, &["status"]));
    assert!(yesterday.contains("▲ warn"), "{yesterday}");
    let standup_before = standup(&env);
    assert!(
        standup_before.contains("Support first response  ok → warn"),
        "{standup_before}"
    );

    let out = ok(
        &env,
        TODAY,
        &[
            "--as",
            "maria",
            "indicator",
            "set",
            "first_response",
            "target=1",
            "warn=2",
            "breach=2.4",
        ],
    );
    assert_eq!(
        out,
        "~ indicator first_response: target 2 → 1, warn 3 → 2, breach 4 → 2.4\n"
    );

    // Today is judged by the new definition ...
    let today = board_line(&ok(&env, TODAY, &["status"]));
    assert!(today.contains("✗ breach"), "{today}");
    assert!(today.contains("1 h"), "{today}");
    // ... yesterday and the standup's deltas by the one in force then.
    assert_eq!(board_line(&ok(&env, YESTERDAY, &["status"])), yesterday);
    assert_eq!(standup(&env), standup_before);

    let show = ok(&env, TODAY, &["indicator", "show", "first_response"]);
    assert!(
        show.contains(
            "changes:\n  2026-12-01 09:00  maria  target 2 → 1, warn 3 → 2, breach 4 → 2.4\n"
        ),
        "{show}"
    );
}

#[test]
fn an_indicator_added_today_is_not_on_yesterdays_board_and_apply_keeps_its_changes() {
    let env = operation();
    ok(
        &env,
        TODAY,
        &[
            "indicator",
            "add",
            "mrr",
            "--name",
            "Monthly recurring revenue",
            "--kind",
            "lagging",
            "--unit",
            "EUR",
            "--direction",
            "higher",
            "--aggregation",
            "sum",
            "--window",
            "30d",
            "--target",
            "5000",
            "--warn",
            "3000",
            "--breach",
            "1000",
            "--owner",
            "finance",
        ],
    );
    assert!(ok(&env, TODAY, &["status"]).contains("Monthly recurring revenue"));
    assert!(!ok(&env, YESTERDAY, &["status"]).contains("Monthly recurring revenue"));

    let dir = env.path().join("def");
    ok(&env, TODAY, &["definition", dir.to_str().unwrap()]);
    let path = dir.join("indicators.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("target = 5000", "target = 6000")).unwrap();
    ok(
        &env,
        "2026-12-02T09:00:00Z",
        &["apply", dir.to_str().unwrap()],
    );
    let show = ok(&env, "2026-12-02T09:00:00Z", &["indicator", "show", "mrr"]);
    assert!(show.contains("2026-12-01 09:00"), "{show}");
    assert!(show.contains("added"), "{show}");
    assert!(show.contains("2026-12-02 09:00"), "{show}");
    assert!(show.contains("target 5000 → 6000"), "{show}");
}

/// An experiment on first_response (p90) with five values in its baseline
/// and five during it; after it ended, the aggregation becomes `mean`.
#[test]
fn an_experiment_keeps_the_definition_in_force_for_its_baseline_and_result() {
    let env = Env::new();
    ok(
        &env,
        "2026-02-10T09:00:00Z",
        &["init", env.path().join("ops").to_str().unwrap()],
    );
    let values = [
        ("2026-02-16", "1"),
        ("2026-02-18", "1"),
        ("2026-02-20", "1"),
        ("2026-02-22", "1"),
        ("2026-02-24", "6"),
        ("2026-03-02", "2"),
        ("2026-03-04", "2"),
        ("2026-03-06", "2"),
        ("2026-03-08", "2"),
        ("2026-03-10", "5"),
    ];
    for (day, v) in values {
        let at = format!("{day}T10:00:00Z");
        ok(
            &env,
            "2026-03-12T09:00:00Z",
            &["record", "first_response", v, "--at", &at],
        );
    }
    let new = [
        "experiment",
        "new",
        "reply-macros",
        "--title",
        "Reply macros",
        "--objective",
        "Answer faster",
        "--hypothesis",
        "Macros keep first response under 5 h",
        "--scope",
        "All tickets",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-15",
        "--baseline",
        "2026-02-15..2026-03-01",
        "--primary",
        "first_response<=5",
    ];
    ok(&env, "2026-02-28T09:00:00Z", &new);
    ok(
        &env,
        "2026-02-28T10:00:00Z",
        &["experiment", "start", "reply-macros"],
    );
    let criterion = |now: &str| -> serde_json::Value {
        let out = ok(
            &env,
            now,
            &["experiment", "show", "reply-macros", "--format", "json"],
        );
        let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
        v["experiment"]["criteria"][0].clone()
    };
    let before = criterion("2026-03-16T09:00:00Z");
    assert_eq!(before["baseline"]["events"], 5, "{before}");
    assert_eq!(before["during"]["events"], 5, "{before}");
    let (p90_baseline, p90_during) = (
        before["baseline"]["value"].as_f64().unwrap(),
        before["during"]["value"].as_f64().unwrap(),
    );
    // p90 sees the slow tickets (4 h, 3.8 h); the mean of the same values
    // would be 2 h and 2.6 h.
    assert!((p90_baseline - 4.0).abs() < 1e-9, "{before}");
    assert!((p90_during - 3.8).abs() < 1e-9, "{before}");

    ok(
        &env,
        "2026-03-17T09:00:00Z",
        &["indicator", "set", "first_response", "aggregation=mean"],
    );
    let after = criterion("2026-03-18T09:00:00Z");
    assert_eq!(after, before, "a later change leaves the result as it was");
    // What is in force now is the mean: today's board uses it.
    let show = ok(
        &env,
        "2026-03-18T09:00:00Z",
        &["indicator", "show", "first_response"],
    );
    assert!(show.contains("aggregation p90 → mean"), "{show}");
}

/// The alert rules evaluated for a past time judge it by the definition in
/// force then: thresholds relaxed today do not erase yesterday's warning,
/// and today's evaluation clears it.
#[test]
fn alert_rules_for_an_earlier_time_use_the_definition_in_force_then() {
    let env = operation();
    ok(
        &env,
        TODAY,
        &["indicator", "set", "first_response", "warn=5", "breach=6"],
    );
    let o = env.at(YESTERDAY, &["check"]).output().unwrap();
    let out = stdout(&o);
    assert!(
        out.contains("1 opened") && out.contains("▲ warning  open"),
        "{out}"
    );
    let o = env.at(TODAY, &["check"]).output().unwrap();
    let out = stdout(&o);
    assert!(out.contains("1 cleared"), "{out}");
}
