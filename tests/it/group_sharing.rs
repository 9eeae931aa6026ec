//! Sharing by group works as documented (issue 14, point 5): a new file
//! honours the umask for the group bits and never gives "other" anything;
//! two users of one group can both write it (uids switched with `setpriv`,
//! so this runs as root, as in CI); `doctor` warns about a file the group
//! cannot write; a WAL database in a folder the reader cannot write opens
//! with `--read-only`.

use crate::common::{stderr, stdout, Env};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-11-26T12:00:00Z";
/// A group and two members that exist only as numbers.
const GID: u32 = 54_321;
const ALICE: u32 = 54_001;
const BOB: u32 = 54_002;

/// `opsdeck --db DB ARGS` in `env`'s clean environment with `umask`, as
/// `uid`:`GID` when `uid` is given (via `setpriv`, which needs root).
fn opsdeck(env: &Env, uid: Option<u32>, umask: u32, db: &Path, args: &[&str]) -> Command {
    let base = env.base_cmd();
    let mut c = match uid {
        None => Command::new(base.get_program()),
        Some(uid) => {
            assert!(
                unsafe { libc::geteuid() } == 0,
                "this test switches users with setpriv and must run as root (CI does)"
            );
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={GID}"))
                .arg("--clear-groups")
                .arg(base.get_program());
            c
        }
    };
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    // Run where the database lives: `init` writes its ./ops there.
    c.current_dir(db.parent().expect("a folder"));
    c.env("OPSDECK_NOW", NOW).arg("--db").arg(db).args(args);
    if args == ["init"] {
        // Each database's starter files in a folder of their own.
        c.arg(format!("{}-ops", db.display()));
    }
    // SAFETY: umask is async-signal-safe and touches only the child.
    unsafe {
        c.pre_exec(move || {
            libc::umask(umask as libc::mode_t);
            Ok(())
        });
    }
    c
}

fn run(mut c: Command) -> Output {
    c.output().expect("run opsdeck")
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// A temp folder that other users can traverse, with a setgid team folder.
fn team_folder(env: &Env) -> std::path::PathBuf {
    std::fs::set_permissions(env.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let team = env.path().join("team");
    std::fs::create_dir(&team).unwrap();
    std::os::unix::fs::chown(&team, None, Some(GID)).unwrap();
    std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o2770)).unwrap();
    team
}

#[test]
fn a_new_file_takes_the_group_bits_from_the_umask_and_never_other() {
    let env = Env::bare();
    for (umask, want) in [
        (0o007, 0o660),
        (0o077, 0o600),
        (0o022, 0o640),
        (0o000, 0o660),
    ] {
        let db = env.path().join(format!("m{umask:o}.db"));
        let out = run(opsdeck(&env, None, umask, &db, &["init"]));
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(mode(&db), want, "umask {umask:03o}");
    }
}

#[test]
fn two_members_of_a_group_share_one_file_and_its_wal_and_shm() {
    let env = Env::bare();
    let team = team_folder(&env);
    let db = team.join("ops.db");
    let out = run(opsdeck(&env, Some(ALICE), 0o007, &db, &["init"]));
    assert!(out.status.success(), "alice init: {}", stderr(&out));
    assert_eq!(mode(&db), 0o660);
    assert_eq!(
        std::fs::metadata(&db).unwrap().gid(),
        GID,
        "the setgid folder's group"
    );
    // Bob keeps the database open (an import waiting on its input) while
    // Alice writes: both the -wal and the -shm exist, created by one of them.
    let mut held = opsdeck(
        &env,
        Some(BOB),
        0o007,
        &db,
        &["import", "-", "--kind", "observations", "--format", "csv"],
    );
    let mut bob = held
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let out = run(opsdeck(
        &env,
        Some(ALICE),
        0o007,
        &db,
        &["record", "first_response", "2"],
    ));
    assert!(out.status.success(), "alice record: {}", stderr(&out));
    for side in ["-wal", "-shm"] {
        let p = team.join(format!("ops.db{side}"));
        assert!(p.exists(), "{side} while both have it open");
        assert_eq!(mode(&p), 0o660, "{side} follows the database's mode");
        assert_eq!(std::fs::metadata(&p).unwrap().gid(), GID, "{side} group");
    }
    {
        use std::io::Write;
        let mut stdin = bob.stdin.take().unwrap();
        stdin
            .write_all(b"indicator,at,value\nfirst_response,2026-11-26T10:00:00Z,3\n")
            .unwrap();
    }
    let out = bob.wait_with_output().unwrap();
    assert!(out.status.success(), "bob import: {}", stderr(&out));
    let out = run(opsdeck(
        &env,
        Some(BOB),
        0o007,
        &db,
        &["record", "first_response", "4"],
    ));
    assert!(out.status.success(), "bob record: {}", stderr(&out));
    let out = run(opsdeck(
        &env,
        Some(ALICE),
        0o007,
        &db,
        &["record", "first_response", "5"],
    ));
    assert!(out.status.success(), "alice again: {}", stderr(&out));
    let c = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
}

#[test]
fn doctor_warns_about_a_file_the_group_cannot_write_and_one_others_can_read() {
    let env = Env::bare();
    let team = team_folder(&env);
    let db = team.join("ops.db");
    assert!(run(opsdeck(&env, None, 0o077, &db, &["init"]))
        .status
        .success());
    let out = run(opsdeck(&env, None, 0o077, &db, &["doctor"]));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with('✗') && l.contains("group") && l.contains("not group-writable")),
        "{text}"
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o664)).unwrap();
    let text = stdout(&run(opsdeck(&env, None, 0o077, &db, &["doctor"])));
    assert!(
        text.lines()
            .any(|l| l.starts_with('✓') && l.contains("group")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with('✗') && l.contains("readable by everyone")),
        "{text}"
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    let out = run(opsdeck(&env, None, 0o077, &db, &["doctor"]));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_wal_database_in_a_read_only_folder_opens_with_read_only() {
    let env = Env::bare();
    std::fs::set_permissions(env.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let shelf = env.path().join("shelf");
    std::fs::create_dir(&shelf).unwrap();
    let db = shelf.join("ops.db");
    assert!(run(opsdeck(&env, None, 0o022, &db, &["init"]))
        .status
        .success());
    let out = run(opsdeck(
        &env,
        None,
        0o022,
        &db,
        &["record", "first_response", "1.5"],
    ));
    assert!(out.status.success());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&shelf, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(!shelf.join("ops.db-shm").exists() && !shelf.join("ops.db-wal").exists());
    for args in [&["--read-only", "status"][..], &["status"]] {
        let out = run(opsdeck(&env, Some(ALICE), 0o022, &db, args));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("1.50 h"), "{}", stdout(&out));
    }
    let out = run(opsdeck(
        &env,
        Some(ALICE),
        0o022,
        &db,
        &["record", "first_response", "2"],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    // With changes waiting in the -wal, it says what is wrong, not "corrupt".
    let keep = rusqlite::Connection::open(&db).unwrap();
    keep.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    keep.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')", [])
        .unwrap();
    std::fs::set_permissions(
        shelf.join("ops.db-shm"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::fs::rename(shelf.join("ops.db-shm"), env.path().join("moved-shm")).unwrap();
    let out = run(opsdeck(
        &env,
        Some(ALICE),
        0o022,
        &db,
        &["--read-only", "status"],
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains("corrupt"), "{err}");
    assert!(
        err.contains("-wal") && err.contains("folder is not writable"),
        "{err}"
    );
    drop(keep);
}
