//! Helpers shared by the issue-4 CLI tests: a small playbook and commands
//! run at a fixed clock (`OPSDECK_NOW`).
#![allow(dead_code)]

use super::{stderr, stdout, Env};

pub const T0: &str = "2026-03-02T09:00:00Z";

/// A two-step playbook: `pick` (2 items, 1h) then `ship` (1 item, 2h).
pub const SMALL: &str = r#"key = "small"
name = "Small"
description = "Two steps."
review_every = "30d"
last_reviewed = 2026-02-20

[[escalation]]
after = "1h"
role = "ops-lead"

[[step]]
key = "pick"
title = "Pick"
owner = "fulfilment"
entry = "An order."
exit = "Picked."
tolerance = "1h"
handoff = "finance"
items = ["Pick it", "Check it"]

[[step]]
key = "ship"
title = "Ship"
owner = "finance"
entry = "Picked."
exit = "Shipped."
tolerance = "2h"
items = ["Ship it"]
"#;

pub fn at(env: &Env, now: &str, args: &[&str]) -> std::process::Output {
    env.cmd(args)
        .env("OPSDECK_NOW", now)
        .output()
        .expect("runs")
}

pub fn ok(env: &Env, now: &str, args: &[&str]) -> String {
    let out = at(env, now, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

pub fn fails(env: &Env, args: &[&str]) -> String {
    let out = at(env, T0, args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

pub fn with_small(env: &Env) -> String {
    let file = env.file("small.toml", SMALL.as_bytes());
    let out = ok(env, T0, &["playbook", "import", &file]);
    assert!(
        out.contains("imported playbook small version 1 (2 steps, 3 items)"),
        "{out}"
    );
    file
}

pub fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).expect("json")
}
