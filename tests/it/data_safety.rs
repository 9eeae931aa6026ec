//! Issue 6: export → restore round trip, table by table, and online backup
//! while another connection keeps writing.

use crate::common;
use crate::learning_common;
use common::{stderr, stdout, Env};
use learning_common::cmd_on;
use rusqlite::types::Value;
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const NOW: &str = "2026-03-20T12:00:00Z";

fn tables(c: &Connection) -> Vec<String> {
    let mut stmt = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn rows(c: &Connection, table: &str) -> Vec<Vec<Value>> {
    // Restore appends one audit entry and its own restore record (what it
    // restored, from where, by whom); compare everything else.
    let filter = match table {
        "audit" => " WHERE action != 'restore'",
        "restores" => " WHERE id NOT IN (SELECT max(id) FROM restores)",
        "restored_rows" => " WHERE restore_id NOT IN (SELECT max(id) FROM restores)",
        _ => "",
    };
    let mut stmt = c
        .prepare(&format!("SELECT * FROM \"{table}\"{filter} ORDER BY 1"))
        .unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, Value>(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn an_export_restores_into_a_new_database_table_by_table() {
    let env = Env::new();
    // The demo has every kind of row: work items, observations, feedback,
    // experiments (with an amendment), decisions with evidence, audit.
    let out = env.cmd(&["demo"]).env("OPSDECK_NOW", NOW).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env
        .cmd(&[
            "feedback",
            "add",
            "--ease",
            "4",
            "--reliability",
            "5",
            "--value",
            "3",
            "--comment",
            "tab\tand \"quotes\" ü",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let export = env.path().join("export.jsonl");
    let out = env
        .cmd(&["export", "--output", export.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("exported "), "{}", stdout(&out));
    let text = std::fs::read_to_string(&export).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["table"].is_string(), "{line}");
    }

    let restored = env.path().join("restored.db");
    let out = cmd_on(&env, &restored, &["restore", export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("restored "), "{}", stdout(&out));

    let a = Connection::open(&env.db).unwrap();
    let b = Connection::open(&restored).unwrap();
    let names = tables(&a);
    assert_eq!(names, tables(&b));
    for t in [
        "experiments",
        "experiment_amendments",
        "decisions",
        "decision_evidence",
        "feedback",
        "work_items",
    ] {
        assert!(!rows(&a, t).is_empty(), "the demo should fill {t}");
    }
    for t in &names {
        assert_eq!(rows(&a, t), rows(&b, t), "table {t} differs after restore");
    }
    let version = |c: &Connection| {
        c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    assert_eq!(version(&a), version(&b));
    let check: String = b
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // The append-only guards are back in place after the restore.
    assert!(b.execute("DELETE FROM audit", []).is_err());
    assert!(b.execute("DELETE FROM decisions", []).is_err());

    // Restore never writes into an existing database.
    let out = cmd_on(&env, &restored, &["restore", export.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("exists already"), "{}", stderr(&out));
}

/// `body` (header and one row of `table`) with the export's end line.
fn with_trailer(body: &str, table: &str) -> String {
    use sha2::Digest;
    let sum: String = sha2::Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{body}{{\"table\":\"_opsdeck_export_end\",\"rows\":{{\"{table}\":1}},\"sha256\":\"{sum}\"}}\n")
}

#[test]
fn a_bad_export_is_refused_and_leaves_nothing_behind() {
    let env = Env::new();
    let header = r#"{"table":"_opsdeck_export","format":2,"schema_version":1,"exported_at":0}"#;
    for (content, want) in [
        (String::new(), "empty"),
        ("{\"table\":\"meta\",\"key\":\"a\",\"value\":\"b\"}\n".to_string(), ":1: not an opsdeck export"),
        (format!("{header}\nnot json\n"), ":2: not a JSON object"),
        (format!("{header}\n{{\"table\":\"nope\"}}\n"), ":2: unknown table 'nope'"),
        (format!("{header}\n{{\"table\":\"meta\",\"key\":\"a\",\"bogus\":1}}\n"), ":2: table meta has no column 'bogus'"),
        (with_trailer(&format!("{header}\n{{\"table\":\"observations\",\"id\":1,\"indicator_id\":999,\"at\":0,\"value\":1.0,\"origin\":\"manual\"}}\n"), "observations"), "inconsistent"),
        (r#"{"table":"_opsdeck_export","format":2,"schema_version":999,"exported_at":0}"#.to_string(), "newer than this opsdeck"),
    ] {
        let file = env.file("bad.jsonl", content.as_bytes());
        let target = env.path().join("new.db");
        let out = cmd_on(&env, &target, &["restore", &file]);
        assert_eq!(out.status.code(), Some(2), "{content}");
        let err = stderr(&out);
        assert!(err.contains(want), "{content}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!target.exists(), "a failed restore must not leave a database");
    }
}

#[test]
fn backup_during_concurrent_writes_passes_integrity_check() {
    let env = Env::new();
    let setup = opsdeck::store::Store::open(&env.db, "setup").unwrap();
    let indicator = setup.indicator("first_response").unwrap().unwrap().id;
    drop(setup);

    // A writer that records two values per transaction, as fast as it can.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, stop) = (env.db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut store = opsdeck::store::Store::open(&db, "writer").unwrap();
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                store
                    .write(|tx| -> opsdeck::store::Result<()> {
                        for k in 0..2 {
                            tx.execute(
                                "INSERT INTO observations (indicator_id, at, value) VALUES (?1, ?2, 1.0)",
                                rusqlite::params![indicator, 2 * n + k],
                            )?;
                        }
                        Ok(())
                    })
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    // Let the writer get going, then take backups while it writes.
    while Connection::open(&env.db)
        .unwrap()
        .query_row("SELECT count(*) FROM observations", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
        < 50
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut counts = Vec::new();
    for i in 0..3 {
        let path = env.path().join(format!("backup-{i}.db"));
        let out = env
            .cmd(&["backup", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("integrity ok"), "{}", stdout(&out));
        let b = Connection::open(&path).unwrap();
        let check: String = b
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let n: i64 = b
            .query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
            .unwrap();
        // A consistent snapshot never holds half a transaction.
        assert_eq!(n % 2, 0, "backup {i} tore a transaction: {n} rows");
        counts.push(n);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(
        counts[0] >= 50 && *counts.last().unwrap() <= 2 * written,
        "{counts:?} of {written}"
    );

    // A backup never overwrites a file.
    let out = env
        .cmd(&["backup", env.path().join("backup-0.db").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("never overwrites"),
        "{}",
        stderr(&out)
    );
}

/// A restore recomputes the hourly summaries from the restored values
/// instead of trusting the file's: an export written before the summaries
/// existed (schema 11) has none, and without the recomputation the board
/// would read those hours as empty once a window held 1,000 values.
#[test]
fn a_restore_rebuilds_the_summaries_an_older_export_does_not_carry() {
    use sha2::Digest;
    let env = Env::new();
    let out = env.cmd(&["demo"]).env("OPSDECK_NOW", NOW).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let export = env.path().join("export.jsonl");
    let out = env
        .cmd(&["export", "--output", export.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The export as schema 11 wrote it: no summary rows, its own counts
    // and checksum.
    let text = std::fs::read_to_string(&export).unwrap();
    let mut body = String::new();
    let mut counts = serde_json::Map::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let table = v["table"].as_str().unwrap().to_string();
        if table.starts_with("observation_hour") || table == "_opsdeck_export_end" {
            continue;
        }
        if table == "_opsdeck_export" {
            let mut h = v.clone();
            h["schema_version"] = 11.into();
            body.push_str(&format!("{h}\n"));
            continue;
        }
        let n = counts.get(&table).and_then(|c| c.as_u64()).unwrap_or(0);
        counts.insert(table, (n + 1).into());
        body.push_str(line);
        body.push('\n');
    }
    let sum: String = sha2::Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let trailer =
        serde_json::json!({"table": "_opsdeck_export_end", "rows": counts, "sha256": sum});
    let old = env.file("v11.jsonl", format!("{body}{trailer}\n").as_bytes());
    let restored = env.path().join("restored.db");
    let out = cmd_on(&env, &restored, &["restore", &old]);
    assert!(out.status.success(), "{}", stderr(&out));
    let a = Connection::open(&env.db).unwrap();
    let b = Connection::open(&restored).unwrap();
    let hours = |c: &Connection| rows(c, "observation_hours");
    assert!(!hours(&a).is_empty(), "the demo has summaries");
    assert_eq!(hours(&a), hours(&b), "the summaries are rebuilt");
    assert_eq!(
        rows(&a, "observation_hour_sketches").len(),
        rows(&b, "observation_hour_sketches").len()
    );
    let stale: i64 = b
        .query_row("SELECT count(*) FROM observation_hours_stale", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stale, 0, "recomputed before the commit");
}
