//! No silent new database (issue 14, point 4): only `opsdeck init`, `opsdeck
//! demo` and the cockpit on the default path create one; any other command
//! on a missing path says so, exit 2, and creates nothing, folders included.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-11-26T12:00:00Z";

/// Every file and folder under `dir`, sorted.
/// Every path under `dir`, except the file log's state folder (`state/`:
/// the log of every command, not a database).
fn tree(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p == dir.join("state") {
                continue;
            }
            out.push(p.display().to_string());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_command_on_a_missing_path_exits_2_and_creates_nothing() {
    let env = Env::bare();
    let data = env.file(
        "obs.csv",
        b"indicator,at,value\nfirst_response,2026-11-20,1\n",
    );
    let before = tree(env.path());
    let typo = env.path().join("typo").join("dir").join("ops.db");
    let backup = env.path().join("b.db");
    let commands: Vec<Vec<&str>> = vec![
        vec!["record", "first_response", "1"],
        vec!["status"],
        vec!["check"],
        vec!["doctor"],
        vec!["export"],
        vec!["import", &data],
        vec!["backup", backup.to_str().unwrap()],
        vec!["alert", "list"],
        vec!["--read-only", "status"],
        vec![],
    ];
    for db in [&env.db, &typo] {
        for args in &commands {
            let mut c = env.base_cmd();
            c.arg("--db").arg(db).args(args).env("OPSDECK_NOW", NOW);
            let out = c.output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
            let want = format!(
                "opsdeck: no opsdeck database at {} — create it with 'opsdeck init' or check --db",
                db.display()
            );
            assert_eq!(stderr(&out).trim(), want, "{args:?}");
            assert_eq!(tree(env.path()), before, "{args:?} created something");
        }
    }
}

#[test]
fn init_creates_a_seeded_database_once_and_other_commands_then_work() {
    let env = Env::bare();
    let db = env.path().join("team").join("ops.db");
    let mut c = env.base_cmd();
    c.arg("--db").arg(&db).arg("init").env("OPSDECK_NOW", NOW);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("created the database"),
        "{}",
        stdout(&out)
    );
    assert!(db.exists());
    let bytes = std::fs::read(&db).unwrap();
    // A second init refuses and changes nothing.
    let mut c = env.base_cmd();
    c.arg("--db").arg(&db).arg("init");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already holds an operation"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    let mut c = env.base_cmd();
    c.arg("--db")
        .arg(&db)
        .args(["record", "first_response", "1"]);
    assert!(c.output().unwrap().status.success());
    // Without --db, init creates the default database in the data folder,
    // and status then finds it.
    let mut c = env.base_cmd();
    let out = c.arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no opsdeck database at"),
        "{}",
        stderr(&out)
    );
    let mut c = env.base_cmd();
    // ./ops holds the first init's files: this one writes its own folder.
    assert!(c
        .args(["init", "ops-default"])
        .output()
        .unwrap()
        .status
        .success());
    assert!(env.path().join("data/opsdeck/opsdeck.db").exists());
    let mut c = env.base_cmd();
    assert!(c.arg("status").output().unwrap().status.success());
}
