//! Issue 13 point 7f: below an indicator's `min_events` the board says
//! `not enough data (N of M)` instead of a status, and no alert fires.

use crate::common::{indicator_row, json, record_value, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

/// `n` late orders (promised by 10:00, closed at 11:00 on 2026-11-24).
fn late_orders(env: &Env, name: &str, from: usize, n: usize) -> String {
    let mut csv = String::from("kind,external_id,opened_at,promised_at,closed_at,outcome\n");
    for i in from..from + n {
        csv.push_str(&format!(
            "order,L-{i},2026-11-24T08:00:00Z,2026-11-24T10:00:00Z,2026-11-24T11:00:00Z,ok\n"
        ));
    }
    env.file(name, csv.as_bytes())
}

fn on_time(env: &Env) -> serde_json::Value {
    indicator_row(env, NOW, "on_time_rate")
}

fn open_alert_keys(env: &Env) -> Vec<String> {
    let o = env
        .at(NOW, &["check", "--format", "json"])
        .output()
        .unwrap();
    let doc = json(&o);
    let list = doc["alerts"]
        .as_array()
        .or_else(|| doc.as_array())
        .unwrap_or_else(|| panic!("alerts in {doc}"))
        .clone();
    list.iter()
        .map(|a| a["key"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn three_late_orders_are_not_enough_data_and_raise_no_alert() {
    let env = Env::new();
    let f = late_orders(&env, "a.csv", 0, 3);
    env.at(NOW, &["import", &f]).assert().success();

    let text = stdout(&env.at(NOW, &["status"]).output().unwrap());
    let line = text
        .lines()
        .find(|l| l.starts_with("On-time fulfilment"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("not enough data (3 of 5)"), "{line}");
    assert!(!line.contains("breach"), "{line}");

    let r = on_time(&env);
    assert_eq!(r["status"], "not_enough_data", "{r}");
    assert_eq!(r["status_text"], "not enough data (3 of 5)");
    assert_eq!(r["events"], 3);
    assert_eq!(r["min_events"], 5);
    assert_eq!(r["value"].as_f64(), Some(0.0));

    let md = stdout(
        &env.at(NOW, &["status", "--format", "markdown"])
            .output()
            .unwrap(),
    );
    assert!(
        md.lines().any(
            |l| l.starts_with("| On-time fulfilment") && l.contains("not enough data (3 of 5)")
        ),
        "{md}"
    );

    // The cockpit's narrow status column says it too.
    let cockpit = stdout(
        &env.at(NOW, &["snapshot", "--width", "120", "--height", "40"])
            .output()
            .unwrap(),
    );
    assert!(
        cockpit
            .lines()
            .any(|l| l.contains("On-time fulfilment") && l.contains("3 of 5")),
        "{cockpit}"
    );

    // No alert fires on three orders.
    let o = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        !open_alert_keys(&env)
            .iter()
            .any(|k| k.starts_with("indicator:")),
        "{:?}",
        open_alert_keys(&env)
    );

    // Two more late orders: 5 of 5, a breach, and the alert.
    let f = late_orders(&env, "b.csv", 3, 2);
    env.at(NOW, &["import", &f]).assert().success();
    let r = on_time(&env);
    assert_eq!(r["status"], "breach", "{r}");
    assert_eq!(r["status_text"], "breach");
    let o = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(open_alert_keys(&env).contains(&"indicator:on_time_rate".to_string()));
}

#[test]
fn a_single_recorded_value_is_enough_for_a_recorded_indicator() {
    // Recorded indicators default to min_events 1: one value has a status.
    let env = Env::new();
    record_value(&env, NOW, "trial_to_paid", "10", "2026-11-25T09:00:00Z");
    let o = env
        .at(NOW, &["status", "--format", "json"])
        .output()
        .unwrap();
    let doc = json(&o);
    let r = doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "trial_to_paid")
        .unwrap();
    assert_eq!(r["status"], "breach");
    assert_eq!(r["min_events"], 1);
}

#[test]
fn the_standup_says_not_enough_data_when_the_window_thins_out() {
    let env = Env::new();
    // Two late orders on the 18th, three on the 24th: five in the window at
    // the standup on the 24th (a breach), three by the 26th.
    let mut csv = String::from("kind,external_id,opened_at,promised_at,closed_at,outcome\n");
    for (id, day) in [("A1", 18), ("A2", 18), ("B1", 24), ("B2", 24), ("B3", 24)] {
        csv.push_str(&format!(
            "order,{id},2026-11-{day}T08:00:00Z,2026-11-{day}T10:00:00Z,2026-11-{day}T11:00:00Z,ok\n"
        ));
    }
    let f = env.file("s.csv", csv.as_bytes());
    env.at("2026-11-24T12:00:00Z", &["import", &f])
        .assert()
        .success();
    // The previous standup was opened on the 24th at 12:00.
    env.conn()
        .execute(
            "INSERT INTO standups (at, actor) VALUES (1795521600, 'ana')",
            [],
        )
        .unwrap();
    let o = env
        .at(
            "2026-11-26T12:00:00Z",
            &[
                "snapshot", "--view", "standup", "--width", "100", "--height", "30",
            ],
        )
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l.contains("On-time fulfilment")
                && l.contains("breach → not enough data (3 of 5)")),
        "{text}"
    );
}
