//! Issue 14.8, the small ones: JSONL kind detection without a BOM, snooze
//! capped at ten years, future review dates refused, numbers that underflow
//! or lose precision refused, and decision evidence as JSON.

use crate::common::{json, stderr, stdout, Env};
use std::io::Write;

const NOW: &str = "2026-11-24T09:00:00Z";

const WORK_JSONL: &[u8] = b"{\"kind\":\"order\",\"external_id\":\"ORD-1042\",\"opened_at\":\"2026-11-20T08:00:00Z\"}\n{\"kind\":\"ticket\",\"external_id\":\"T-77\",\"opened_at\":\"2026-11-21\"}\n";

#[test]
fn jsonl_without_a_bom_or_kind_is_recognised_from_a_file_and_a_pipe() {
    let env = Env::new();
    let file = env.file("work.jsonl", WORK_JSONL);
    let out = env.at(NOW, &["import", &file]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 2 work-items rows"),
        "{}",
        stdout(&out)
    );
    // Through a pipe, written in two pieces with a pause between them.
    let mut child = env.spawn_piped(NOW, &["import", "-", "--format", "jsonl"]);
    let mut stdin = child.stdin.take().unwrap();
    let obs = b"{\"indicator\":\"first_response\",\"at\":\"2026-11-20T10:00:00Z\",\"value\":1.5}\n";
    stdin.write_all(&obs[..9]).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    stdin.write_all(&obs[9..]).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 1 observations row"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_snooze_is_capped_at_ten_years_with_a_clear_message() {
    let env = Env::new();
    env.at(NOW, &["alert", "raise", "Printer on fire"])
        .assert()
        .success();
    for until in ["2199-01-01", "2037-01-01T00:00:00Z"] {
        let out = env
            .at(NOW, &["alert", "snooze", "1", until])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{until}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("at most ten years"), "{err}");
    }
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alert_events WHERE kind = 'snoozed'"),
        0
    );
    env.at(NOW, &["alert", "snooze", "1", "2036-01-01"])
        .assert()
        .success();
}

#[test]
fn a_review_date_in_the_future_is_refused() {
    let env = Env::new();
    let minimal = std::fs::read_to_string(format!(
        "{}/tests/data/playbooks/good/minimal.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let future = minimal.replace(
        "last_reviewed = \"2025-01-01\"",
        "last_reviewed = \"2026-11-25\"",
    );
    assert_ne!(future, minimal);
    let file = env.file("future.toml", future.as_bytes());
    let out = env
        .at(NOW, &["playbook", "import", &file])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "future.toml:7: last_reviewed: 2026-11-25 is in the future (today is 2026-11-24)"
        ),
        "{err}"
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM playbooks WHERE key = 'minimal'"),
        0,
        "nothing imported"
    );
    // Today is fine.
    let today = minimal.replace(
        "last_reviewed = \"2025-01-01\"",
        "last_reviewed = \"2026-11-24\"",
    );
    let file = env.file("today.toml", today.as_bytes());
    env.at(NOW, &["playbook", "import", &file])
        .assert()
        .success();
}

#[test]
fn numbers_that_underflow_or_lose_precision_are_refused_not_rounded() {
    let env = Env::new();
    let out = env
        .at(NOW, &["record", "first_response", "1e-400"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("too small"), "{}", stderr(&out));
    let out = env
        .at(NOW, &["record", "first_response", "9007199254740993"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("more precision"), "{}", stderr(&out));
    let csv = env.file(
        "tiny.csv",
        b"indicator,at,value\nfirst_response,2026-11-20T10:00:00Z,1e-400\n",
    );
    let out = env.at(NOW, &["import", &csv]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("tiny.csv:2: value:"),
        "{}",
        stderr(&out)
    );
    let jsonl = env.file(
        "tiny.jsonl",
        b"{\"indicator\":\"first_response\",\"at\":\"2026-11-20T10:00:00Z\",\"value\":1.5}\n{\"indicator\":\"first_response\",\"at\":\"2026-11-20T11:00:00Z\",\"value\":1e-400}\n{\"indicator\":\"first_response\",\"at\":\"2026-11-20T12:00:00Z\",\"value\":9007199254740993}\n",
    );
    let out = env.at(NOW, &["import", &jsonl]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("tiny.jsonl:2: value: '1e-400' is too small"),
        "{err}"
    );
    assert!(
        err.contains("tiny.jsonl:3: value: '9007199254740993' has more precision"),
        "{err}"
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 0);
    // What a float holds exactly is fine, in both formats.
    let ok = env.file(
        "ok.jsonl",
        b"{\"indicator\":\"first_response\",\"at\":\"2026-11-20T10:00:00Z\",\"value\":0.30000000000000004}\n",
    );
    env.at(NOW, &["import", &ok]).assert().success();
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE value = 0.30000000000000004"),
        1
    );
}

#[test]
fn decision_evidence_is_json_objects_not_json_strings() {
    let env = Env::new();
    env.at(NOW, &["record", "first_response", "2"])
        .assert()
        .success();
    env.at(NOW, &["alert", "raise", "Printer on fire"])
        .assert()
        .success();
    env.at(
        NOW,
        &[
            "experiment",
            "new",
            "pilot",
            "--title",
            "Pilot",
            "--objective",
            "Decide",
            "--hypothesis",
            "Faster",
            "--scope",
            "All",
            "--start",
            "2026-11-01",
            "--end",
            "2026-11-15",
            "--baseline",
            "2026-10-01..2026-11-01",
            "--primary",
            "on_time_rate>=85",
        ],
    )
    .assert()
    .success();
    env.at(
        NOW,
        &[
            "decision",
            "add",
            "Keep going",
            "--why",
            "Evidence",
            "--evidence",
            "indicator:first_response",
            "--evidence",
            "alert:1",
            "--evidence",
            "experiment:pilot",
        ],
    )
    .assert()
    .success();
    let out = env
        .at(NOW, &["decision", "list", "--format", "json"])
        .output()
        .unwrap();
    let v = json(&out);
    let evidence = v["decisions"][0]["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 3, "{v}");
    for e in evidence {
        assert!(e["captured"].is_object(), "captured is JSON: {e}");
        assert!(
            e["reference"].is_string() && e["summary"].is_string(),
            "{e}"
        );
    }
    assert_eq!(evidence[0]["captured"]["value"], 2.0);
}
