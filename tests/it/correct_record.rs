//! Issue 13 point 8: listing, correcting and withdrawing recorded values,
//! with the original kept in the history and the audit trail.

use crate::common::{breach_first_response, indicator_row, json, stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

fn trial_value(env: &Env) -> serde_json::Value {
    indicator_row(env, NOW, "trial_to_paid")["value"].clone()
}

fn seed(env: &Env) {
    env.at(
        NOW,
        &[
            "--as",
            "ana",
            "record",
            "trial_to_paid",
            "30",
            "--at",
            "2026-11-25T09:00:00Z",
            "--note",
            "from the CRM",
        ],
    )
    .assert()
    .success();
    let f = env.file(
        "o.csv",
        b"indicator,at,value\ntrial_to_paid,2026-11-24T09:00:00Z,22\n",
    );
    env.at(NOW, &["--as", "bo", "import", &f])
        .assert()
        .success();
}

#[test]
fn list_shows_ids_origin_note_and_who_newest_first() {
    let env = Env::new();
    seed(&env);
    let o = env
        .at(NOW, &["observation", "list", "trial_to_paid"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("id") && lines[0].contains("who"),
        "{text}"
    );
    assert!(lines[1].contains("2026-11-25 09:00"), "{text}");
    assert!(
        lines[1].contains("manual") && lines[1].contains("ana"),
        "{text}"
    );
    assert!(lines[1].contains("from the CRM"), "{text}");
    assert!(
        lines[2].contains("import") && lines[2].contains("bo"),
        "{text}"
    );

    let o = env
        .at(
            NOW,
            &[
                "observation",
                "list",
                "trial_to_paid",
                "--since",
                "2026-11-25",
                "--format",
                "json",
            ],
        )
        .output()
        .unwrap();
    let doc = json(&o);
    let rows = doc["observations"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{doc}");
    assert_eq!(rows[0]["value"], 30.0);
    assert_eq!(rows[0]["origin"], "manual");
    assert_eq!(rows[0]["recorded_by"], "ana");
    assert_eq!(rows[0]["note"], "from the CRM");
    assert!(rows[0]["id"].as_i64().unwrap() > 0);
}

fn first_id(env: &Env) -> String {
    let o = env
        .at(
            NOW,
            &["observation", "list", "trial_to_paid", "--format", "json"],
        )
        .output()
        .unwrap();
    json(&o)["observations"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string()
}

#[test]
fn correct_changes_the_value_the_board_follows_and_the_original_is_kept() {
    let env = Env::new();
    seed(&env);
    assert_eq!(trial_value(&env), 30.0);
    let id = first_id(&env);
    let o = env
        .at(
            NOW,
            &[
                "--as",
                "cy",
                "observation",
                "correct",
                &id,
                "20",
                "--reason",
                "typed 30 for 20",
            ],
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("30 → 20"), "{}", stdout(&o));
    assert_eq!(trial_value(&env), 20.0);
    // The original in the history and the audit trail, with who and why.
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM observation_history WHERE observation_id = {id} \
             AND action = 'correct' AND value = 30 AND new_value = 20 \
             AND changed_by = 'cy' AND reason = 'typed 30 for 20' AND note = 'from the CRM'"
        )),
        1
    );
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM audit WHERE action = 'correct' AND entity = 'observation' \
             AND entity_id = '{id}' AND actor = 'cy' \
             AND json_extract(detail, '$.from') = 30 AND json_extract(detail, '$.to') = 20 \
             AND json_extract(detail, '$.reason') = 'typed 30 for 20'"
        )),
        1
    );
    let list = stdout(
        &env.at(NOW, &["observation", "list", "trial_to_paid"])
            .output()
            .unwrap(),
    );
    assert!(list.contains("(corrected)"), "{list}");
}

#[test]
fn delete_withdraws_the_value_and_keeps_it_in_the_history() {
    let env = Env::new();
    seed(&env);
    let id = first_id(&env);
    env.at(
        NOW,
        &["observation", "delete", &id, "--reason", "entered twice"],
    )
    .assert()
    .success();
    // The board falls back to the remaining value (22 on the 24th).
    assert_eq!(trial_value(&env), 22.0);
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM observations WHERE id = {id}"
        )),
        0
    );
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM observation_history WHERE observation_id = {id} \
             AND action = 'withdraw' AND value = 30 AND recorded_by = 'ana' \
             AND reason = 'entered twice'"
        )),
        1
    );
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM audit WHERE action = 'withdraw' AND entity_id = '{id}' \
             AND json_extract(detail, '$.value') = 30"
        )),
        1
    );
    // Gone from the list.
    let list = stdout(
        &env.at(NOW, &["observation", "list", "trial_to_paid"])
            .output()
            .unwrap(),
    );
    assert!(!list.contains("2026-11-25 09:00"), "{list}");
}

#[test]
fn alerts_follow_a_correction_at_once() {
    let env = Env::new();
    breach_first_response(&env, NOW);
    let o = env.at(NOW, &["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = env
        .at(
            NOW,
            &["observation", "list", "first_response", "--format", "json"],
        )
        .output()
        .unwrap();
    let id = json(&o)["observations"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    env.at(
        NOW,
        &[
            "observation",
            "correct",
            &id,
            "1.5",
            "--reason",
            "was 1.5 h",
        ],
    )
    .assert()
    .success();
    // The cause is gone at the next evaluation: the alert is cleared (it
    // stays listed until someone resolves it, as every cleared alert does).
    let o = env.at(NOW, &["check"]).output().unwrap();
    let text = stdout(&o);
    assert!(text.contains("1 cleared"), "{text}");
    assert!(text.contains("[cause cleared]"), "{text}");
}

#[test]
fn bad_corrections_are_refused_and_change_nothing() {
    let env = Env::new();
    seed(&env);
    let id = first_id(&env);
    let audit_before = env.query_i64("SELECT count(*) FROM audit");
    for (args, want) in [
        (
            vec!["observation", "correct", "9999", "1", "--reason", "x"],
            "observation 9999: no such value",
        ),
        (
            vec!["observation", "delete", "9999", "--reason", "x"],
            "observation 9999: no such value",
        ),
        (
            vec!["observation", "correct", &id, "abc", "--reason", "x"],
            "value:",
        ),
        (
            vec!["observation", "correct", &id, "NaN", "--reason", "x"],
            "value:",
        ),
        (
            vec!["observation", "correct", &id, "5", "--reason", "  "],
            "--reason: must not be empty",
        ),
        (
            vec!["observation", "delete", &id, "--reason", ""],
            "--reason: must not be empty",
        ),
        (
            vec!["observation", "list", "nope"],
            "unknown indicator 'nope'",
        ),
        (
            vec!["observation", "list", "trial_to_paid", "--since", "soon"],
            "--since:",
        ),
    ] {
        let o = env.at(NOW, &args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains(want), "{args:?}: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM audit"), audit_before);
    assert_eq!(env.query_i64("SELECT count(*) FROM observation_history"), 0);
    assert_eq!(trial_value(&env), 30.0);
}
