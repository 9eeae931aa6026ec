//! Files that cannot lie (issue 14, point 2): an export ends with a trailer
//! that a restore checks; backup and restore only ever put a complete,
//! verified file under the final name, whenever they are killed; a 0-byte or
//! foreign file is never initialised or changed.

use crate::common::{stderr, stdout, Env};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-26T12:00:00Z";

/// `opsdeck --db DB ARGS` in `env`'s clean environment.
fn on(env: &Env, db: &Path, args: &[&str]) -> std::process::Command {
    let mut c = env.base_cmd();
    c.arg("--db").arg(db).args(args).env("OPSDECK_NOW", NOW);
    c
}

/// A database with `rows` observations and its export.
fn filled(rows: usize) -> (Env, std::path::PathBuf) {
    let env = Env::new();
    env.at(NOW, &["status"]).assert().success();
    let csv = env.path().join("obs.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    writeln!(f, "indicator,at,value,note").unwrap();
    for i in 0..rows {
        let at = chrono::DateTime::from_timestamp(1_767_225_600 + i as i64 * 60, 0).unwrap();
        writeln!(
            f,
            "first_response,{},{}.5,row {i}",
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            i % 50
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);
    env.at(NOW, &["import", csv.to_str().unwrap()])
        .assert()
        .success();
    let export = env.path().join("ops.jsonl");
    env.at(NOW, &["export", "--output", export.to_str().unwrap()])
        .assert()
        .success();
    (env, export)
}

#[test]
fn a_truncated_or_edited_export_is_refused_and_leaves_nothing() {
    let (env, export) = filled(20);
    let text = std::fs::read_to_string(&export).unwrap();
    let last = text.lines().last().unwrap();
    assert!(last.contains("\"_opsdeck_export_end\""), "{last}");
    assert!(last.contains("\"sha256\""), "{last}");
    let lines: Vec<&str> = text.lines().collect();
    // Cut at line boundaries everywhere from the header to just before the
    // trailer (the cut after the alerts table included).
    let cuts: Vec<usize> = (1..lines.len())
        .step_by((lines.len() / 12).max(1))
        .chain([lines.len() - 1])
        .collect();
    for (i, cut) in cuts.iter().enumerate() {
        let part = lines[..*cut].join("\n") + "\n";
        let file = env.file(&format!("cut{i}.jsonl"), part.as_bytes());
        let target = env.path().join(format!("cut{i}.db"));
        let out = on(&env, &target, &["restore", &file]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "cut at {cut}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("no end line"),
            "cut at {cut}: {}",
            stderr(&out)
        );
        assert!(!target.exists(), "cut at {cut}: a database was left");
    }
    // One value changed: the checksum no longer matches.
    let edited = text.replacen("row 7", "row 8", 1);
    let file = env.file("edited.jsonl", edited.as_bytes());
    let target = env.path().join("edited.db");
    let out = on(&env, &target, &["restore", &file]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("checksum does not match"),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists());
    // The whole file restores.
    let target = env.path().join("whole.db");
    let out = on(&env, &target, &["restore", export.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Waits for `child` at most a minute.
fn wait(child: &mut std::process::Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "ran for a minute"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The observations of a file under the final name, which must be a
/// complete database.
fn complete(db: &Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    c.query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sigkill_of_backup_and_restore_at_10_moments_never_leaves_a_partial_file() {
    const ROWS: i64 = 60_000;
    let (env, export) = filled(ROWS as usize);
    let export = export.to_str().unwrap().to_string();
    for what in ["backup", "restore"] {
        let args = |target: &Path| -> Vec<String> {
            match what {
                "backup" => vec!["backup".into(), target.display().to_string()],
                _ => vec!["restore".into(), export.clone()],
            }
        };
        let run = |target: &Path| {
            let a = args(target);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let db = if what == "backup" {
                env.db.clone()
            } else {
                target.to_path_buf()
            };
            let mut c = on(&env, &db, &a);
            c.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            c.spawn().unwrap()
        };
        // One uninterrupted run tells how long it takes here.
        let full = env.path().join(format!("{what}-full.db"));
        let start = Instant::now();
        let mut child = run(&full);
        assert!(wait(&mut child).success(), "{what} failed");
        let length = start.elapsed();
        assert_eq!(complete(&full), ROWS);
        let mut report = Vec::new();
        for i in 0..10u32 {
            let target = env.path().join(format!("{what}-{i}.db"));
            let delay = length.mul_f64(f64::from(i) / 10.0 * 1.1);
            let mut child = run(&target);
            std::thread::sleep(delay);
            let _ = child.kill();
            let status = wait(&mut child);
            let killed = status.signal() == Some(9);
            report.push(format!(
                "{what} {i}: {delay:?} killed {killed} exists {}",
                target.exists()
            ));
            if target.exists() {
                assert_eq!(
                    complete(&target),
                    ROWS,
                    "{what} {i}: an incomplete file under the final name"
                );
            } else {
                assert!(killed, "{what} {i}: finished without a file");
                // A retry into the same path goes ahead.
                let mut again = run(&target);
                assert!(wait(&mut again).success(), "{what} {i}: the retry failed");
                assert_eq!(complete(&target), ROWS);
            }
        }
        eprintln!("{what} took {length:?}\n{}", report.join("\n"));
    }
}

/// A SQLite file of another application, in rollback-journal mode.
fn foreign(path: &Path, application_id: i64) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE songs (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO songs (title) VALUES ('a');")
        .unwrap();
    c.pragma_update(None, "application_id", application_id)
        .unwrap();
    c.pragma_update(None, "user_version", 3).unwrap();
}

#[test]
fn a_foreign_sqlite_file_stays_byte_for_byte_identical() {
    let env = Env::new();
    for (n, app) in [(0, 0i64), (1, 0x4d504c41)] {
        let db = env.path().join(format!("other{n}.sqlite"));
        foreign(&db, app);
        let before = std::fs::read(&db).unwrap();
        for args in [
            &["status"][..],
            &["record", "first_response", "1"],
            &["doctor"],
            &["check"],
            &["export"],
        ] {
            let out = on(&env, &db, args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
            let err = stderr(&out);
            assert!(
                err.contains("not opsdeck's") && err.contains("left untouched"),
                "{args:?}: {err}"
            );
            assert_eq!(err.trim().lines().count(), 1, "{err}");
            assert_eq!(
                std::fs::read(&db).unwrap(),
                before,
                "{args:?} changed the file"
            );
            assert!(
                !Path::new(&format!("{}-wal", db.display())).exists(),
                "{args:?} switched it to WAL"
            );
        }
    }
}

#[test]
fn a_zero_byte_file_is_never_initialised_not_even_by_doctor() {
    let env = Env::new();
    let db = env.path().join("empty.db");
    std::fs::write(&db, b"").unwrap();
    for args in [
        &["doctor"][..],
        &["status"],
        &["record", "first_response", "1"],
    ] {
        let out = on(&env, &db, args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("an empty file (0 bytes)"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "{args:?}");
    }
}
