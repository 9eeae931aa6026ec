//! `sources.toml` in the definition folder: applied and versioned by
//! `apply` (plan lines, kept vs --prune, located refusals), written back by
//! `definition`, stored with only environment variable names.

use crate::common::{stderr, Env};

const NOW: &str = "2026-12-01T09:00:00Z";

pub const SOURCES: &str = r#"
[[source]]
name = "shop-orders"
kind = "http"
produces = "work-items"
every = "5m"
url = "http://127.0.0.1:9/orders.jsonl"
headers = { Authorization = "env:SHOP_TOKEN" }

[[source]]
name = "helpdesk"
kind = "command"
produces = "observations"
every = "1h"
command = ["/bin/echo", "{}"]
"#;

fn db_text(env: &Env, sql: &str) -> String {
    let c = env.conn();
    let mut stmt = c.prepare(sql).unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows.join("\n")
}

#[test]
fn apply_adds_changes_keeps_prunes_and_definition_writes_sources_back() {
    let env = Env::new();
    let ops = env.path().join("ops");
    let ops_s = ops.to_str().unwrap();
    env.ok_at(NOW, &["init", ops_s]);
    std::fs::write(ops.join("sources.toml"), SOURCES).unwrap();
    let out = env.ok_at(NOW, &["apply", ops_s, "--dry-run"]);
    assert!(out.contains("+ source shop-orders\n"), "{out}");
    assert!(out.contains("dry run: nothing was written"), "{out}");
    assert_eq!(env.query_i64("SELECT count(*) FROM sources"), 0);

    let out = env.ok_at(NOW, &["apply", ops_s]);
    assert!(out.contains("+ source shop-orders\n"), "{out}");
    assert!(out.contains("+ source helpdesk\n"), "{out}");
    assert_eq!(env.query_i64("SELECT count(*) FROM sources"), 2);
    let stored = db_text(&env, "SELECT spec FROM sources ORDER BY name");
    assert!(stored.contains("\"env:SHOP_TOKEN\""), "{stored}");
    assert!(env.ok_at(NOW, &["apply", ops_s]).contains("no changes"));

    // A changed interval is one line with an arrow.
    let text = SOURCES.replacen("every = \"5m\"", "every = \"10m\"", 1);
    std::fs::write(ops.join("sources.toml"), &text).unwrap();
    let out = env.ok_at(NOW, &["apply", ops_s]);
    assert!(
        out.contains("~ source shop-orders: every 5m → 10m"),
        "{out}"
    );

    // The database writes the same sources back.
    let back = env.path().join("back");
    env.ok_at(NOW, &["definition", back.to_str().unwrap()]);
    let written = std::fs::read_to_string(back.join("sources.toml")).unwrap();
    assert!(written.contains("every = \"10m\""), "{written}");
    assert!(written.contains("\"env:SHOP_TOKEN\""), "{written}");
    assert!(
        env.ok_at(NOW, &["apply", back.to_str().unwrap()])
            .contains("no changes"),
        "the written folder is what the database holds"
    );

    // Without the file the sources are kept, with --prune retired.
    std::fs::remove_file(ops.join("sources.toml")).unwrap();
    let out = env.ok_at(NOW, &["apply", ops_s]);
    assert!(out.contains("kept (not in"), "{out}");
    assert!(out.contains("source helpdesk"), "{out}");
    let out = env.ok_at(NOW, &["apply", ops_s, "--prune"]);
    assert!(
        out.contains("- source helpdesk (retired; its runs are kept)"),
        "{out}"
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM sources WHERE retired_at IS NULL"),
        0
    );
    // Back again.
    std::fs::write(ops.join("sources.toml"), SOURCES).unwrap();
    let out = env.ok_at(NOW, &["apply", ops_s]);
    assert!(out.contains("+ source helpdesk (returns)"), "{out}");
}

#[test]
fn a_bad_sources_file_is_refused_with_file_line_and_field_and_nothing_written() {
    let env = Env::new();
    let ops = env.path().join("ops");
    let ops_s = ops.to_str().unwrap();
    env.ok_at(NOW, &["init", ops_s]);
    let bad = SOURCES.replace("\"env:SHOP_TOKEN\"", "\"Bearer tok-123\"");
    std::fs::write(ops.join("sources.toml"), bad).unwrap();
    let o = env.run_at(NOW, &["apply", ops_s]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("sources.toml:2: source shop-orders: headers:"),
        "{err}"
    );
    assert!(
        !err.contains("tok-123"),
        "the would-be secret is not echoed: {err}"
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM sources"), 0);
}
