//! Helpers for CLI tests: run the real binary on a temp database.
#![allow(dead_code)]

pub mod pg;
pub mod runs;
pub mod screens;
pub mod store;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A temp folder with a database path in it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    /// Create the database with `opsdeck init` before the first command that
    /// needs one (only `init`, `demo` and the default cockpit create one).
    auto_init: bool,
    /// On PostgreSQL: the test's own database (`db` is its URL).
    pub pg: Option<pg::Database>,
    /// On PostgreSQL: whether `opsdeck init` ran (a file's existence on SQLite).
    initialized: std::sync::atomic::AtomicBool,
}

/// Commands that do not need an existing database.
const NO_DATABASE: &[&str] = &["init", "demo", "restore", "completions", "man"];

impl Env {
    /// A temp folder whose database is created (`opsdeck init`, with the
    /// clock of the command) before the first command that needs it.
    pub fn new() -> Env {
        if pg::engine_is_pg() {
            return Env::postgres();
        }
        Env::sqlite()
    }

    /// [`Env::new`] on an SQLite file, whatever the engine of the run.
    pub fn sqlite() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("ops.db");
        Env {
            dir,
            db,
            auto_init: true,
            pg: None,
            initialized: Default::default(),
        }
    }

    /// [`Env::new`] on a PostgreSQL database of its own (see [`pg`]).
    pub fn postgres() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = pg::database();
        Env {
            dir,
            db: PathBuf::from(&database.url),
            auto_init: true,
            pg: Some(database),
            initialized: Default::default(),
        }
    }

    /// True when the database exists (SQLite: the file; PostgreSQL: `init` ran).
    fn db_exists(&self) -> bool {
        match &self.pg {
            Some(db) => {
                self.initialized.load(std::sync::atomic::Ordering::SeqCst)
                    || db.query_i64("SELECT count(*) FROM information_schema.tables WHERE table_name = 'opsdeck_schema'") > 0
            }
            None => self.db.exists(),
        }
    }

    /// A temp folder whose database nobody creates: for tests of what
    /// happens without one.
    pub fn bare() -> Env {
        Env {
            auto_init: false,
            ..Env::new()
        }
    }

    /// `opsdeck --db DB ARGS...` with a clean environment (no user config).
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.spawn_cmd(args))
    }

    /// [`Env::cmd`] with the command's clock fixed at `now` (RFC 3339).
    pub fn at(&self, now: &str, args: &[&str]) -> Command {
        Command::from_std(self.spawn_at(Some(now), args))
    }

    /// Runs `opsdeck init` (at `now` when given) when the database is
    /// missing and `args` is a command that needs it.
    fn ensure_db(&self, now: Option<&str>, args: &[&str]) {
        let command = args.iter().find(|a| !a.starts_with('-'));
        let needs = command.is_none_or(|c| !NO_DATABASE.contains(c))
            && !args.contains(&"--demo")
            && !args.contains(&"--db");
        if !self.auto_init || !needs || self.db_exists() {
            return;
        }
        // The starter files go to a folder of their own, so that a test's
        // own `opsdeck init` finds its folder free.
        let starter = tempfile::Builder::new()
            .prefix("starter-")
            .tempdir_in(self.dir.path())
            .expect("starter folder");
        let mut init = self.base_cmd();
        init.arg("--db")
            .arg(&self.db)
            .arg("init")
            .arg(starter.path());
        if let Some(now) = now {
            init.env("OPSDECK_NOW", now);
        }
        // A private file (0600), whatever the umask the tests run under.
        // SAFETY: umask is async-signal-safe and only affects the child.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut init, || {
                libc::umask(0o077);
                Ok(())
            });
        }
        let out = init.output().expect("run opsdeck init");
        assert!(
            out.status.success(),
            "opsdeck init: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.initialized
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Writes a file in the temp folder and returns its path as text.
    pub fn file(&self, name: &str, content: &[u8]) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("write");
        p.to_string_lossy().into_owned()
    }

    /// A connection to the database through the store's own seam (SQLite
    /// or PostgreSQL, `?N` placeholders on both), for tests that look at or
    /// arrange rows directly.
    pub fn conn(&self) -> opsdeck::store::db::Conn {
        use opsdeck::store::db::{Conn, Pg};
        match &self.pg {
            Some(db) => {
                let pg = Pg::new(db.client(), None);
                pg.learn_identity_tables().expect("identity tables");
                Conn::Pg(Box::new(pg))
            }
            None => Conn::Sqlite(rusqlite::Connection::open(&self.db).expect("open")),
        }
    }

    /// Runs a query on the database directly and returns the first column.
    pub fn query_i64(&self, sql: &str) -> i64 {
        if let Some(db) = &self.pg {
            return db.query_i64(sql);
        }
        let c = rusqlite::Connection::open(&self.db).expect("open");
        c.query_row(sql, [], |r| r.get(0)).expect("query")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the binary at `now` and returns what it did.
    pub fn run_at(&self, now: &str, args: &[&str]) -> std::process::Output {
        self.at(now, args).output().expect("run")
    }

    /// Runs the binary at `now`, requires exit 0 (the failure names the
    /// arguments and stderr) and returns stdout.
    pub fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let o = self.run_at(now, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        stdout(&o)
    }
}

/// stdout of a finished command as text.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr of a finished command as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

impl Env {
    /// The command behind [`Env::cmd`], as a plain `std::process::Command`
    /// for tests that spawn the process and signal it while it runs: no
    /// OPSDECK_* variables from the caller, HOME and XDG folders inside the
    /// temp dir, no colour.
    pub fn spawn_cmd(&self, args: &[&str]) -> std::process::Command {
        self.spawn_at(None, args)
    }

    /// Starts [`Env::spawn_cmd`] with `OPSDECK_NOW` set to `now` and stdin,
    /// stdout and stderr piped.
    pub fn spawn_piped(&self, now: &str, args: &[&str]) -> std::process::Child {
        self.spawn_cmd(args)
            .env("OPSDECK_NOW", now)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// [`Env::spawn_cmd`] with the clock fixed at `now` when given.
    pub fn spawn_at(&self, now: Option<&str>, args: &[&str]) -> std::process::Command {
        self.ensure_db(now, args);
        let mut c = self.base_cmd();
        c.arg("--db").arg(&self.db).args(args);
        if let Some(now) = now {
            c.env("OPSDECK_NOW", now);
        }
        c
    }

    /// The clean-environment command of [`Env::spawn_cmd`] without `--db`
    /// or arguments, run in the temp folder (so `opsdeck init` writes its
    /// `./ops` there, never in the source tree).
    pub fn base_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("opsdeck"));
        c.env_remove("OPSDECK_DB")
            .env_remove("OPSDECK_USER")
            .env_remove("OPSDECK_NOW")
            .env_remove("OPSDECK_CONFIG")
            .env_remove("OPSDECK_NOTIFY")
            .env_remove("OPSDECK_NOTIFY_TIMEOUT")
            .env_remove("OPSDECK_ACK_TIMEOUT")
            .env_remove("OPSDECK_AUTO_RESOLVE")
            .env_remove("OPSDECK_LOG")
            .env_remove("OPSDECK_LOG_DIR")
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        c
    }
}

/// stdout of a finished command parsed as JSON (panics with the text if not).
pub fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// Records a first-response time of 5 h an hour before `now` (a breach).
pub fn breach_first_response(env: &Env, now: &str) {
    env.at(
        now,
        &[
            "record",
            "first_response",
            "5",
            "--at",
            "2026-11-25T11:00:00Z",
        ],
    )
    .assert()
    .success();
}

/// Writes an executable `/bin/sh` script `name` with `body` into the temp
/// folder and returns its path.
pub fn script(env: &Env, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = env.file(name, format!("#!/bin/sh\n{body}\n").as_bytes());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The row of indicator `key` in `status --format json` at `now`.
pub fn indicator_row(env: &Env, now: &str, key: &str) -> serde_json::Value {
    let o = env
        .at(now, &["status", "--format", "json"])
        .output()
        .unwrap();
    json(&o)["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap()
        .clone()
}

/// Records `value` for indicator `key` measured `at`, with the clock at
/// `now`; the command must succeed.
pub fn record_value(env: &Env, now: &str, key: &str, value: &str, at: &str) {
    env.at(now, &["record", key, value, "--at", at])
        .assert()
        .success();
}

/// Records a breach ([`breach_first_response`]) and runs `check` at `now`
/// with `OPSDECK_NOTIFY` set to a script `fail.sh` with `body`.
pub fn check_with_notifier(env: &Env, now: &str, body: &str) -> std::process::Output {
    let notifier = script(env, "fail.sh", body);
    breach_first_response(env, now);
    env.at(now, &["check"])
        .env("OPSDECK_NOTIFY", &notifier)
        .output()
        .unwrap()
}

/// Writes the starter definition folder `ops` into the temp folder with
/// `opsdeck init` at `now` (which must succeed) and returns its path.
pub fn init_ops(env: &Env, now: &str) -> PathBuf {
    let ops = env.path().join("ops");
    let o = env
        .at(now, &["init", ops.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    ops
}
