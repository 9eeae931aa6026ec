//! Issue 7 item 7: `--format json` is one convention across the listing
//! commands. Each prints one JSON object with its rows in an array under a
//! plural noun, `"at"` (the evaluation time, RFC 3339 UTC) when the output
//! depends on the clock, every time as RFC 3339 UTC and every key in
//! snake_case. Run on the demo database at a fixed clock.

use crate::common;
use common::{stderr, stdout, Env};

const NOW: &str = "2026-03-02T09:00:00Z";

/// A listing command, the array that holds its rows, and whether it depends
/// on the clock (then it carries `"at"`).
const LISTINGS: &[(&[&str], &str, bool)] = &[
    (&["status"], "indicators", true),
    (&["alert", "list"], "alerts", true),
    (&["alert", "list", "--all"], "alerts", true),
    (&["run", "list"], "runs", true),
    (&["run", "list", "--open"], "runs", true),
    (&["slo", "list"], "slos", true),
    (&["playbook", "list"], "playbooks", true),
    (&["role", "list"], "roles", false),
    (&["decision", "list"], "decisions", false),
    (&["experiment", "list"], "experiments", true),
    // A summary rather than a list: its groups, by segment and by channel.
    (&["feedback", "summary"], "by_segment", true),
    (&["check"], "alerts", true),
];

/// The listings that also have a Markdown form.
const MARKDOWN: &[&[&str]] = &[&["status"], &["decision", "list"]];

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    env.cmd(args)
        .env("OPSDECK_NOW", NOW)
        .output()
        .expect("runs")
}

/// `check` exits 1 when a critical alert is open (the demo has one).
fn succeeded(args: &[&str], out: &std::process::Output) -> bool {
    let code = out.status.code();
    code == Some(0) || (args[0] == "check" && code == Some(1))
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// A key that names a time: `at`, `*_at`, `start`, `end`, `from`, `to`,
/// `first_seen`, `last_seen`, `snoozed_until`.
fn is_time_key(key: &str) -> bool {
    key == "at"
        || key.ends_with("_at")
        || matches!(
            key,
            "start" | "end" | "from" | "to" | "first_seen" | "last_seen" | "snoozed_until"
        )
}

fn is_snake_case(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Every key snake_case, every time RFC 3339 UTC (or null).
fn check_keys_and_times(v: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
    match v {
        serde_json::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                check_keys_and_times(x, &format!("{path}[{i}]"), problems);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                let here = format!("{path}.{k}");
                if !is_snake_case(k) {
                    problems.push(format!("{here}: key is not snake_case"));
                }
                if is_time_key(k) && !x.is_null() {
                    match x.as_str() {
                        Some(s) if is_rfc3339_utc(s) => {}
                        _ => problems.push(format!("{here}: {x} is not an RFC 3339 UTC time")),
                    }
                }
                check_keys_and_times(x, &here, problems);
            }
        }
        _ => {}
    }
}

#[test]
fn every_listing_prints_one_json_document_of_the_agreed_shape() {
    let env = Env::new();
    let out = run(&env, &["demo"]);
    assert!(out.status.success(), "demo: {}", stderr(&out));

    let mut problems = Vec::new();
    for (args, rows, timed) in LISTINGS {
        let mut full = args.to_vec();
        full.extend(["--format", "json"]);
        let out = run(&env, &full);
        if !succeeded(args, &out) {
            problems.push(format!(
                "{full:?}: {:?} {}",
                out.status.code(),
                stderr(&out)
            ));
            continue;
        }
        let doc: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{full:?}: not one JSON document: {e}"));
                continue;
            }
        };
        let Some(obj) = doc.as_object() else {
            problems.push(format!("{full:?}: the document is not an object"));
            continue;
        };
        match obj.get(*rows).and_then(|r| r.as_array()) {
            Some(a) if !a.is_empty() => {}
            Some(_) => problems.push(format!("{full:?}: \"{rows}\" is empty on the demo")),
            None => problems.push(format!("{full:?}: no array under \"{rows}\"")),
        }
        match (obj.get("at"), timed) {
            (Some(at), true) if at == NOW => {}
            (at, true) => problems.push(format!("{full:?}: \"at\" is {at:?}, not {NOW}")),
            (Some(_), false) => problems.push(format!("{full:?}: \"at\" on a clock-free listing")),
            (None, false) => {}
        }
        check_keys_and_times(&doc, &format!("{full:?} $"), &mut problems);
        if !stdout(&out).ends_with("}\n") {
            problems.push(format!("{full:?}: does not end with one newline"));
        }
    }

    // Every listing takes --format text (the default) too, and markdown where it exists.
    for (args, _, _) in LISTINGS {
        let mut full = args.to_vec();
        full.extend(["--format", "text"]);
        let out = run(&env, &full);
        if !succeeded(args, &out) || out.stdout.is_empty() {
            problems.push(format!(
                "{full:?}: {:?} {}",
                out.status.code(),
                stderr(&out)
            ));
        }
    }
    for args in MARKDOWN {
        let mut full = args.to_vec();
        full.extend(["--format", "markdown"]);
        let out = run(&env, &full);
        if !out.status.success() || !stdout(&out).starts_with('#') {
            problems.push(format!(
                "{full:?}: {:?} {}",
                out.status.code(),
                stderr(&out)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
