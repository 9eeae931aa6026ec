//! Freshness through the alert rules (fixed clock): a source without a
//! success for its `stale_after` raises `data source NAME stale since
//! HH:MM` (warning), critical after `critical_after`, cleared when it
//! delivers again; a failing run makes it stale at once. Schema 8 widens
//! the alerts table's source CHECK in place for it.

use crate::common::{stderr, Env};

fn at(env: &Env, now: &str, args: &[&str]) -> std::process::Output {
    env.at(now, args).output().expect("run")
}

fn ok(env: &Env, now: &str, args: &[&str]) {
    let o = at(env, now, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
}

fn check(env: &Env, now: &str) {
    let o = at(env, now, &["check", "--quiet"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
}

fn source_alerts(env: &Env, extra: &str) -> i64 {
    env.query_i64(&format!(
        "SELECT count(*) FROM alerts WHERE source = 'source' {extra}"
    ))
}

/// A database whose definition (`init`, then `apply` at 09:00) has one
/// command source `helpdesk` every 5m (plus the TOML lines in `extra`)
/// feeding `first_response` from the returned file, run once at 09:00.
fn helpdesk_fed_once(extra: &str) -> (Env, String) {
    let env = Env::new();
    let ops = env.path().join("ops");
    ok(
        &env,
        "2026-12-01T09:00:00Z",
        &["init", ops.to_str().unwrap()],
    );
    let data = env.file(
        "feed.jsonl",
        b"{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:00:00Z\",\"value\":4}\n",
    );
    std::fs::write(
        ops.join("sources.toml"),
        format!(
            "[[source]]\nname = \"helpdesk\"\nkind = \"command\"\nproduces = \"observations\"\nevery = \"5m\"\n{extra}command = [\"/bin/cat\", \"{data}\"]\n"
        ),
    )
    .unwrap();
    ok(
        &env,
        "2026-12-01T09:00:00Z",
        &["apply", ops.to_str().unwrap()],
    );
    ok(&env, "2026-12-01T09:00:00Z", &["sources", "run"]);
    (env, data)
}

#[test]
fn a_quiet_source_warns_turns_critical_clears_and_a_failing_one_is_stale_at_once() {
    let (env, data) = helpdesk_fed_once("critical_after = \"1h\"\n");
    check(&env, "2026-12-01T09:10:00Z");
    assert_eq!(source_alerts(&env, ""), 0, "fresh for three intervals");

    check(&env, "2026-12-01T09:16:00Z");
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM alerts WHERE source = 'source' AND severity = 'warning'
             AND title = 'data source helpdesk stale since 09:00' AND cleared_at IS NULL"
        ),
        1
    );
    check(&env, "2026-12-01T10:16:00Z");
    assert_eq!(
        source_alerts(&env, "AND severity = 'critical' AND cleared_at IS NULL"),
        1,
        "critical an hour after it went stale"
    );

    ok(&env, "2026-12-01T10:20:00Z", &["sources", "run"]);
    check(&env, "2026-12-01T10:21:00Z");
    assert_eq!(
        source_alerts(&env, "AND cleared_at IS NULL"),
        0,
        "cleared when it delivers again"
    );

    std::fs::remove_file(&data).unwrap();
    let o = at(&env, "2026-12-01T10:25:00Z", &["sources", "run"]);
    assert_eq!(o.status.code(), Some(1));
    check(&env, "2026-12-01T10:26:00Z");
    assert_eq!(
        env.query_i64(
            "SELECT count(*) FROM alerts WHERE title = 'data source helpdesk stale since 10:20'
             AND cleared_at IS NULL"
        ),
        1,
        "a failed run is stale at once"
    );
}

#[test]
fn indicators_fed_by_a_stale_source_say_stale_in_status_text_json_and_markdown() {
    let (env, _data) = helpdesk_fed_once("");
    let status = |now: &str, format: &str| {
        let o = at(&env, now, &["status", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        crate::common::stdout(&o)
    };
    assert!(!status("2026-12-01T09:10:00Z", "text").contains("stale"));
    let text = status("2026-12-01T09:16:00Z", "text");
    assert_eq!(text.matches(" stale").count(), 1, "{text}");
    let md = status("2026-12-01T09:16:00Z", "markdown");
    assert_eq!(md.matches(" stale").count(), 1, "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&status("2026-12-01T09:16:00Z", "json")).unwrap();
    for i in json["indicators"].as_array().unwrap() {
        assert_eq!(
            i["stale"].as_bool(),
            Some(i["key"] == "first_response"),
            "{i}"
        );
    }
}
