//! Issue 14.6, who did it is true: every audit and alert-history row carries
//! the OS login and uid of the process next to the acting name; `--as` is
//! shown as "as NAME (by login)", refused when empty or too long, and refused
//! altogether with `allow_as = false`.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-11-24T09:00:00Z";

fn id(flag: &str) -> String {
    let out = std::process::Command::new("id").arg(flag).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn audit_rows(env: &Env) -> Vec<(String, Option<String>, Option<i64>, String)> {
    let c = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = c
        .prepare("SELECT actor, login, uid, action FROM audit ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn every_audit_row_records_the_os_login_and_uid() {
    let env = Env::new();
    env.at(NOW, &["--as", "boss", "record", "first_response", "2"])
        .assert()
        .success();
    env.at(NOW, &["alert", "raise", "Printer on fire"])
        .assert()
        .success();
    let (login, uid) = (id("-un"), id("-u").parse::<i64>().unwrap());
    let rows = audit_rows(&env);
    assert!(rows.len() >= 3, "{rows:?}");
    for (actor, l, u, action) in &rows {
        assert_eq!(l.as_deref(), Some(login.as_str()), "{actor} {action}");
        assert_eq!(*u, Some(uid), "{actor} {action}");
    }
    assert!(rows
        .iter()
        .any(|(a, _, _, action)| a == "boss" && action == "record"));
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM alert_events WHERE login = '{login}' AND uid = {uid}"
        )),
        env.query_i64("SELECT count(*) FROM alert_events")
    );
}

#[test]
fn as_someone_else_is_shown_with_the_login_in_the_alert_history() {
    let env = Env::new();
    let login = id("-un");
    env.at(NOW, &["--as", &login, "alert", "raise", "Printer on fire"])
        .assert()
        .success();
    env.at(
        NOW,
        &["--as", "boss", "alert", "ack", "1", "--note", "mine"],
    )
    .assert()
    .success();
    let out = env.at(NOW, &["alert", "show", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let opened = text.lines().find(|l| l.contains("opened")).unwrap();
    assert!(opened.contains(&login) && !opened.contains("(by"), "{text}");
    let acked = text.lines().find(|l| l.contains("acknowledged")).unwrap();
    assert!(acked.contains(&format!("as boss (by {login})")), "{text}");
}

#[test]
fn as_is_refused_when_empty_or_longer_than_a_name_field() {
    let env = Env::new();
    env.at(NOW, &["record", "first_response", "2"])
        .assert()
        .success();
    let before = audit_rows(&env).len();
    let long = "x".repeat(201);
    for (name, says) in [
        ("", "empty"),
        ("   ", "empty"),
        (long.as_str(), "201 characters"),
    ] {
        let out = env
            .at(NOW, &["--as", name, "record", "first_response", "3"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--as") && err.contains(says), "{err}");
    }
    let out = env
        .at(NOW, &["record", "first_response", "3"])
        .env("OPSDECK_USER", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("OPSDECK_USER"));
    assert_eq!(audit_rows(&env).len(), before, "nothing written");
    // 200 characters is a name.
    env.at(
        NOW,
        &["--as", &"y".repeat(200), "record", "first_response", "3"],
    )
    .assert()
    .success();
}

#[test]
fn allow_as_false_refuses_as_and_opsdeck_user_altogether() {
    let env = Env::new();
    let config = env.file("config.toml", b"allow_as = false\n");
    env.at(NOW, &["record", "first_response", "2"])
        .env("OPSDECK_CONFIG", &config)
        .assert()
        .success();
    let before = audit_rows(&env).len();
    let out = env
        .at(NOW, &["--as", "boss", "record", "first_response", "3"])
        .env("OPSDECK_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("allow_as = false"), "{err}");
    let out = env
        .at(NOW, &["record", "first_response", "3"])
        .env("OPSDECK_CONFIG", &config)
        .env("OPSDECK_USER", "boss")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("OPSDECK_USER"), "{}", stderr(&out));
    assert_eq!(audit_rows(&env).len(), before, "nothing written");
    // The writes that went through are the login's.
    let login = id("-un");
    assert!(audit_rows(&env)
        .iter()
        .filter(|r| r.3 == "record")
        .all(|r| r.0 == login && r.1.as_deref() == Some(login.as_str())));
    // And `user` cannot sneak it back in.
    let both = env.file("both.toml", b"allow_as = false\nuser = \"boss\"\n");
    let out = env
        .at(NOW, &["record", "first_response", "3"])
        .env("OPSDECK_CONFIG", &both)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("allow_as"), "{}", stderr(&out));
}
