//! Issue 15.5 and 15.7, the small ones: re-acknowledging refreshes the ack
//! timeout, rule changes are attributed to `opsdeck (rules)`, and the other
//! small fixes of deliverable 7.

use crate::common::{breach_first_response, stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

#[test]
fn re_acking_an_acked_alert_refreshes_its_ack_timeout() {
    let env = Env::new();
    env.at(NOW, &["alert", "raise", "Printer on fire"])
        .assert()
        .success();
    env.at("2026-11-25T12:00:00Z", &["alert", "ack", "1"])
        .assert()
        .success();
    // Ten minutes before the hour's timeout: ack again, not an error.
    let out = env
        .at(
            "2026-11-25T12:50:00Z",
            &["--as", "ben", "alert", "ack", "1", "--note", "still on it"],
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("#1 ▲ Printer on fire — acked L1/3 ben"),
        "{}",
        stdout(&out)
    );
    let check = |at: &str| {
        let out = env
            .at(at, &["check"])
            .env("OPSDECK_ACK_TIMEOUT", "1h")
            .output()
            .unwrap();
        stdout(&out)
    };
    // An hour after the first ack it would have re-opened; it did not.
    let first = check("2026-11-25T13:10:00Z");
    assert!(!first.contains("re-opened"), "{first}");
    // An hour after the re-ack it does.
    let later = check("2026-11-25T13:51:00Z");
    assert!(later.contains("1 re-opened"), "{later}");
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM alert_events WHERE kind = 're-acknowledged' AND actor = 'ben' AND note = 'still on it'"
        ),
        1
    );
}

#[test]
fn the_rules_change_alerts_as_opsdeck_rules_not_as_the_caller() {
    let env = Env::new();
    breach_first_response(&env, NOW);
    let out = env.at(NOW, &["--as", "ben", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM alert_events WHERE kind = 'opened' AND actor = 'opsdeck (rules)'"
        ),
        1
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'alert' AND actor = 'ben'"),
        0
    );
    // What ben does by hand is still his.
    env.at(NOW, &["--as", "ben", "alert", "ack", "1"])
        .assert()
        .success();
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'alert' AND actor = 'ben'"),
        1
    );
}
