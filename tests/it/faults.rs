//! Faults of the file system and the database: read-only files, corrupt
//! files, missing or unwritable folders, a writer held up by another
//! process's long transaction, and the append-only audit trail.

use crate::common;
use common::{stderr, stdout, Env};
use std::os::unix::fs::PermissionsExt;

// `unsafe` is allowed for this one call: geteuid has no preconditions, cannot
// fail and touches no memory of ours; libc is already a dependency, so a safe
// wrapper crate is not worth adding for a test helper.
#[allow(unsafe_code)]
fn is_root() -> bool {
    // Permission bits do not stop root: those cases are checked only as a normal user.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_corrupt_file_is_refused_and_not_overwritten() {
    let env = Env::new();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 13) as u8).collect();
    std::fs::write(&env.db, &garbage).unwrap();
    for args in [
        vec!["status"],
        vec!["record", "first_response", "1"],
        vec!["snapshot"],
    ] {
        let out = env.cmd(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("not an opsdeck database, or the file is corrupt"),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1);
    }
    assert_eq!(std::fs::read(&env.db).unwrap(), garbage, "untouched");
}

#[test]
fn a_missing_folder_is_created_and_an_impossible_one_is_a_clear_error() {
    let env = Env::new();
    // A path under a regular file cannot be created.
    let blocker = env.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let mut c = env.cmd(&["init"]);
    c.arg("--db").arg(blocker.join("sub").join("ops.db"));
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot create the folder"),
        "{}",
        stderr(&out)
    );
}

fn assert_read_only_behaviour(env: &Env, extra: &[&str]) {
    let args = |a: &[&str]| -> Vec<String> {
        extra
            .iter()
            .chain(a.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let run = |a: &[&str]| {
        let v = args(a);
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        env.cmd(&refs).output().unwrap()
    };
    let status = run(&["status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    assert!(stdout(&status).contains("1.50 h"));
    let out = run(&["record", "first_response", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("read-only") && stderr(&out).contains("nothing was written"),
        "{}",
        stderr(&out)
    );
    let snap = stdout(&run(&["snapshot", "--width", "100"]));
    assert!(snap.contains("READ-ONLY"), "the cockpit shows it: {snap}");
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 1);
}

#[test]
fn a_read_only_database_opens_read_only_and_refuses_writes() {
    let env = Env::new();
    env.cmd(&["record", "first_response", "1.5"])
        .assert()
        .success();
    // Forced with --read-only (works for every user, root included).
    assert_read_only_behaviour(&env, &["--read-only"]);
    // A file without write permission opens read-only by itself. Permission
    // bits do not stop root, so this half runs as a normal user only.
    if is_root() {
        eprintln!("running as root: the permission-bit half of this test is skipped");
        return;
    }
    {
        let c = rusqlite::Connection::open(&env.db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o400)).unwrap();
    assert_read_only_behaviour(&env, &[]);
}

#[test]
fn a_writer_waits_for_a_long_transaction_then_fails_with_advice_losing_nothing() {
    let env = Env::new();
    env.cmd(&["record", "first_response", "1"])
        .assert()
        .success();
    // Another process holds the write lock for longer than the busy timeout.
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('held', '1');")
        .unwrap();
    let started = std::time::Instant::now();
    let out = env
        .cmd(&["record", "first_response", "2"])
        .output()
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("the database is busy")
            && err.contains("nothing was written")
            && err.contains("try again"),
        "{err}"
    );
    assert!(
        waited.as_secs() >= 9,
        "it waited for the busy timeout ({waited:?})"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    // Nothing lost: the first value is there, and the retry succeeds.
    env.cmd(&["record", "first_response", "2"])
        .assert()
        .success();
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 2);
}

#[test]
fn a_writer_that_must_wait_a_little_waits_and_succeeds() {
    let env = Env::new();
    env.cmd(&["status"]).assert().success();
    let db = env.db.clone();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("BEGIN IMMEDIATE;").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        c.execute_batch("COMMIT;").unwrap();
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    env.cmd(&["record", "first_response", "3"])
        .assert()
        .success();
    holder.join().unwrap();
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 1);
}

#[test]
fn the_audit_trail_is_append_only_in_the_database() {
    let env = Env::new();
    env.cmd(&["record", "first_response", "1"])
        .assert()
        .success();
    let c = env.conn();
    let upd = c.execute("UPDATE audit SET actor = 'someone else'", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = c.execute("DELETE FROM audit", []);
    assert!(del.unwrap_err().to_string().contains("append-only"));
    let n: i64 = c
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert!(n >= 2);
}

/// A commit that fails (here a deferred foreign key left dangling) rolls
/// the transaction back: the connection can write again at once, and
/// another process is not kept waiting behind a transaction left open.
#[test]
fn a_failed_commit_leaves_no_transaction_open() {
    let env = Env::sqlite();
    env.ok_at("2026-12-01T09:00:00Z", &["status"]);
    let mut store = opsdeck::store::Store::open(&env.db, "tester").unwrap();
    let failed = store.write(|tx| -> Result<(), opsdeck::store::StoreError> {
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        tx.execute(
            "INSERT INTO role_assignments (role_id, person_id, assigned_at) VALUES (999, 999, 1)",
            [],
        )?;
        Ok(())
    });
    assert!(failed.is_err(), "the dangling key must fail the commit");
    // The same connection writes again, and so does another process.
    store
        .write(|tx| -> Result<usize, opsdeck::store::StoreError> {
            Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('probe', '1')", [])?)
        })
        .unwrap();
    let o = env.run_at("2026-12-01T09:00:00Z", &["record", "first_response", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
