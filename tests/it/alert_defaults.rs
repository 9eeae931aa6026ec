//! The operation's alert defaults (`operation.toml`'s `[alerts]`) drive
//! escalation: an `apply` that changes the default path or the ack timeout
//! changes what the next `check` does (fixed clock, real binary).

use crate::common::{breach_first_response, stderr, stdout, Env};

fn run(env: &Env, now: &str, args: &[&str]) -> String {
    let o = env.at(now, args).output().expect("run");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&o)
    );
    stdout(&o)
}

/// A folder-defined operation with a first-response breach recorded.
fn operation() -> (Env, String) {
    let env = Env::new();
    let dir = env.path().join("ops").to_str().unwrap().to_string();
    run(&env, "2026-11-25T08:00:00Z", &["init", &dir]);
    breach_first_response(&env, "2026-11-25T12:00:00Z");
    (env, dir)
}

#[test]
fn the_starter_operation_escalates_as_before() {
    let (env, _) = operation();
    let out = run(&env, "2026-11-25T12:00:00Z", &["check"]);
    assert!(out.contains("L1/3 support"), "{out}");
    let out = run(&env, "2026-11-25T12:31:00Z", &["check"]);
    assert!(
        out.contains("1 escalated") && out.contains("L2/3 ops-lead"),
        "{out}"
    );
    let out = run(&env, "2026-11-25T14:01:00Z", &["check"]);
    assert!(
        out.contains("1 escalated") && out.contains("L3/3 founder"),
        "{out}"
    );
}

#[test]
fn an_apply_changing_the_path_and_ack_timeout_changes_the_next_check() {
    let (env, dir) = operation();
    let out = run(&env, "2026-11-25T12:00:00Z", &["check"]);
    assert!(
        out.contains("1 opened") && out.contains("L1/3 support"),
        "{out}"
    );
    run(&env, "2026-11-25T12:05:00Z", &["alert", "ack", "1"]);
    // An hour on, the built-in 4 h acknowledgement still holds.
    let out = run(&env, "2026-11-25T13:10:00Z", &["check"]);
    assert!(out.contains("no changes"), "{out}");

    let file = std::path::Path::new(&dir).join("operation.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let starter = "[alerts]\nack_timeout = \"4h\"\n\n[[alerts.escalation]]\nafter = \"30m\"\nrole = \"ops-lead\"\n\n[[alerts.escalation]]\nafter = \"2h\"\nperson = \"founder\"\n";
    assert!(text.contains(starter), "{text}");
    let edited = "[alerts]\nack_timeout = \"1h\"\n\n[[alerts.escalation]]\nafter = \"10m\"\nrole = \"finance\"\n";
    std::fs::write(&file, text.replace(starter, edited)).unwrap();
    let plan = run(&env, "2026-11-25T13:15:00Z", &["apply", &dir]);
    assert!(
        plan.contains("~ alerts: ack_timeout 4h → 1h, escalation path"),
        "{plan}"
    );

    // The next check uses the operation's 1 h: the acknowledgement (12:05)
    // has run out.
    let out = run(&env, "2026-11-25T13:20:00Z", &["check"]);
    assert!(out.contains("1 re-opened"), "{out}");
    // A new alert takes the operation's path: support, then finance at 10 min.
    run(&env, "2026-11-25T13:25:00Z", &["alert", "resolve", "1"]);
    let out = run(&env, "2026-11-25T13:30:00Z", &["check"]);
    assert!(
        out.contains("1 opened") && out.contains("L1/2 support"),
        "{out}"
    );
    let out = run(&env, "2026-11-25T13:39:00Z", &["check"]);
    assert!(out.contains("no changes"), "{out}");
    let out = run(&env, "2026-11-25T13:40:00Z", &["check"]);
    assert!(
        out.contains("1 escalated") && out.contains("L2/2 finance"),
        "{out}"
    );
    // `definition` writes back what is in force.
    let back = env.path().join("back");
    run(
        &env,
        "2026-11-25T13:41:00Z",
        &["definition", back.to_str().unwrap()],
    );
    let written = std::fs::read_to_string(back.join("operation.toml")).unwrap();
    assert!(written.contains("ack_timeout = \"1h\""), "{written}");
    assert!(
        written.contains("[[alerts.escalation]]\nafter = \"10m\"\nrole = \"finance\"\n\n[[role]]"),
        "{written}"
    );
}

#[test]
fn the_environment_still_overrides_the_ack_timeout() {
    let (env, _) = operation();
    run(&env, "2026-11-25T12:00:00Z", &["check"]);
    run(&env, "2026-11-25T12:05:00Z", &["alert", "ack", "1"]);
    let out = env
        .at("2026-11-25T12:16:00Z", &["check"])
        .env("OPSDECK_ACK_TIMEOUT", "10m")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("1 re-opened"), "{}", stdout(&out));
}
