//! The SQLite store: one file, opened with the pragmas a shared database
//! needs (WAL, a busy timeout, foreign keys), migrated by numbered SQL files
//! tracked in `PRAGMA user_version`, and read by one aggregate module each.

pub mod alerts;
pub mod audit;
pub mod backup;
pub mod board;
pub mod capacity_changes;
pub mod db;
pub mod decisions;
pub mod definition;
pub mod experiment_result;
pub mod experiments;
pub mod export;
pub mod feedback;
pub mod foreign;
pub mod hours;
pub mod imports;
pub mod incidents;
pub mod indicator_changes;
pub mod indicators;
pub mod learning_models;
pub mod notes;
pub mod observations;
pub mod oncall;
pub mod pg;
pub mod playbooks;
pub mod review;
pub mod roles;
pub mod runs;
pub mod runs_model;
pub mod slos;
pub mod sources;
pub mod work_items;
pub mod work_list;

use db::Conn;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// Numbered migrations, applied in order. Index + 1 is the schema version.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_foundation.sql"),
    include_str!("migrations/0002_playbooks.sql"),
    slos::ALERTS_MIGRATION,
    include_str!("migrations/0004_experiments.sql"),
    include_str!("migrations/0005_change_tokens.sql"),
    include_str!("migrations/0006_row_identity.sql"),
    include_str!("migrations/0007_definitions.sql"),
    include_str!("migrations/0008_min_events_and_corrections.sql"),
    audit::LOGIN_MIGRATION,
    include_str!("migrations/0010_capacity_changes.sql"),
    include_str!("migrations/0011_sources.sql"),
    include_str!("migrations/0012_observation_hours.sql"),
    include_str!("migrations/0013_incidents.sql"),
    include_str!("migrations/0014_oncall.sql"),
    hours::DAYS_MIGRATION,
];

/// The schema version from which observations have hourly summaries.
const HOURS_VERSION: i64 = 12;

/// A read transaction of [`Store::read_tx`], ended when dropped.
pub(crate) struct ReadTx<'c> {
    conn: Option<&'c Conn>,
}

impl Drop for ReadTx<'_> {
    fn drop(&mut self) {
        // Only reads happened: nothing to lose. The transaction must not
        // outlive the guard (a later write could not begin), so a failed
        // end is rolled back.
        if let Some(conn) = self.conn {
            if conn.commit(false).is_err() {
                let _ = conn.rollback();
            }
        }
    }
}

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of an opsdeck database: "OPSD".
pub(crate) const APPLICATION_ID: i64 = 0x4f50_5344;

/// The last schema version written before databases were marked with
/// [`APPLICATION_ID`]: an unmarked file of version 1 to this one with the
/// opsdeck tables is an opsdeck database from before the mark.
const LAST_UNMARKED_VERSION: i64 = 5;

/// How long a writer waits for another process's write to finish.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

thread_local! {
    /// The cancel switch of the cancellable writes this thread runs (the
    /// cockpit's writer installs its own; Esc sets it and the waiting
    /// connection gives up at its next step): per thread, so that two
    /// cockpits in one process (the tests) never cancel each other's waits.
    static CANCEL_WAIT: std::cell::RefCell<Option<std::sync::Arc<std::sync::atomic::AtomicBool>>> =
        const { std::cell::RefCell::new(None) };
}

/// Step of a cancellable wait for the write lock.
const WAIT_STEP: Duration = Duration::from_millis(10);

/// The busy handler of a cancellable connection: waits [`WAIT_STEP`] per
/// call, up to [`BUSY_TIMEOUT`], unless the wait was cancelled.
fn cancellable_busy(calls: i32) -> bool {
    let cancelled = CANCEL_WAIT.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst))
    });
    if cancelled {
        return false;
    }
    std::thread::sleep(WAIT_STEP);
    (calls.max(0) as u128 + 1) * WAIT_STEP.as_millis() < BUSY_TIMEOUT.as_millis()
}

/// True when this thread's cancel switch is set (the wait for the writers'
/// lock on PostgreSQL gives up, as SQLite's busy handler does).
pub(crate) fn wait_cancelled() -> bool {
    CANCEL_WAIT.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst))
    })
}

/// Makes `switch` the cancel switch of the cancellable writes that this
/// thread runs: set it (from any thread) and the write waiting for the lock
/// gives up; clear it before the next one.
pub fn cancel_switch_for_this_thread(switch: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    CANCEL_WAIT.with(|c| *c.borrow_mut() = Some(switch));
}

/// What can go wrong with the database file; each message is one line that
/// says what to do.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file was written by a newer opsdeck; it is not touched.
    #[error("{path}: the database has schema version {found}, newer than this opsdeck understands ({supported}); upgrade opsdeck — the file was left untouched")]
    NewerSchema {
        /// The database file.
        path: String,
        /// Schema version stored in the file (its migration count).
        found: i64,
        /// Highest schema version this build knows ([`SCHEMA_VERSION`]).
        supported: i64,
    },
    /// The file is not SQLite, or is damaged; it is not touched.
    #[error("{path}: not an opsdeck database, or the file is corrupt ({detail}); it was left untouched — restore it from a backup or point --db elsewhere")]
    NotADatabase {
        /// The database file.
        path: String,
        /// SQLite's own words for what is wrong.
        detail: String,
    },
    /// No database at the path (only init, demo and the cockpit create one).
    #[error("no opsdeck database at {path} — create it with 'opsdeck init' or check --db")]
    Missing {
        /// The path given.
        path: String,
    },
    /// A file that is a database, but not opsdeck's (no application mark).
    #[error("{path}: {detail}; it was left untouched — point --db at an opsdeck database (or create one with 'opsdeck init')")]
    NotOpsdeck {
        /// The file.
        path: String,
        /// What was found instead.
        detail: String,
    },
    /// A file or folder could not be created, read or written.
    #[error("{path}: {detail}")]
    Io {
        /// The file or folder concerned.
        path: String,
        /// The operating system's message.
        detail: String,
    },
    /// Another process held the write lock longer than [`BUSY_TIMEOUT`].
    #[error("the database is busy: another opsdeck process has held its write lock for more than {secs} s; nothing was written — try again, or look for a stuck process with `fuser`", secs = BUSY_TIMEOUT.as_secs())]
    Busy,
    /// A write was attempted on a database opened or mounted read-only.
    #[error("the database is open read-only ({reason}); nothing was written")]
    ReadOnly {
        /// Why, e.g. "the file or its folder is not writable".
        reason: String,
    },
    /// The input was refused by a check; the text is the one-line message.
    #[error("{0}")]
    Invalid(String),
    /// Any other SQLite error, passed through.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The server refused a change for want of a privilege (SQLSTATE 42501).
    #[error("{detail}: {hint}; nothing was written")]
    Permission {
        /// The server's words.
        detail: String,
        /// What to do: the opsdeck role that has the privilege.
        hint: String,
    },
    /// The connection to the server was lost or could not be used.
    #[error("the database server cannot be reached ({0}); nothing was written — opsdeck reconnects by itself: try again")]
    Disconnected(String),
    /// The connection broke while the commit was on its way.
    #[error("the connection to the database server broke while committing ({0}): the change may or may not be saved — look (`opsdeck status`, the alert's history) before you try again")]
    CommitUnknown(String),
    /// Any other error of the server, in its words.
    #[error("database server: {0}")]
    Server(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        if let Some((during_commit, why)) = db::connection_trouble(&e) {
            return if during_commit {
                StoreError::CommitUnknown(why)
            } else {
                StoreError::Disconnected(why)
            };
        }
        if let Some(server) = db::server_error(&e) {
            return match server.as_db_error() {
                Some(d)
                    if d.code().code().starts_with("08") || d.code().code().starts_with("57P") =>
                {
                    StoreError::Disconnected(d.message().to_string())
                }
                Some(d) if d.code().code() == "42501" => StoreError::Permission {
                    detail: d.message().to_string(),
                    hint: pg::needed_role(d.message()),
                },
                Some(d) if d.code().code() == "25006" => StoreError::ReadOnly {
                    reason: d.message().to_string(),
                },
                Some(d) => StoreError::Server(d.message().to_string()),
                None => StoreError::Disconnected(pg::one_line(server)),
            };
        }
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
                reason: "the file or its folder is not writable".into(),
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Result of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The open database, the acting user and the clock of this command.
pub struct Store {
    conn: Conn,
    path: PathBuf,
    actor: String,
    read_only: bool,
    /// Work items already read, kept while their change token holds (see
    /// [`Store::work_items_shared`]).
    work_items_read: work_items::SharedItems,
    /// The server's connection, on PostgreSQL.
    server: Option<pg::Connected>,
    /// Other clients' commits, on PostgreSQL (started by the first
    /// [`Store::data_version`]: only the cockpit watches).
    listener: std::cell::OnceCell<pg::Listener>,
    /// On PostgreSQL, while a board is read: what its per-indicator reads
    /// need, read for every indicator at once (see [`board::Prefetch`]).
    prefetch: std::cell::RefCell<Option<board::Prefetch>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl Store {
    /// Opens (creating if missing, mode 0600, folder 0700) and migrates the
    /// database at `path`. A file that is not writable opens read-only.
    pub fn open(path: &Path, actor: &str) -> Result<Store> {
        Store::open_at(path, actor, chrono::Utc::now().timestamp())
    }

    /// [`Store::open`] with the clock that dates a new database's creation.
    pub fn open_at(path: &Path, actor: &str, now: i64) -> Result<Store> {
        Store::open_with(path, actor, now, false)
    }

    /// Bounds this connection's page cache to `kib` KiB (SQLite's default
    /// is 2 MiB): the cockpit's writer, a second connection in the same
    /// process, needs little of its own, and the cockpit's memory counts.
    pub fn limit_page_cache(&self, kib: u32) -> Result<()> {
        if let Some(c) = self.conn.sqlite() {
            c.execute_batch(&format!("PRAGMA cache_size = -{kib}"))?;
        }
        Ok(())
    }

    /// Makes this connection's wait for the write lock cancellable (the
    /// cockpit's writer: Esc sets the switch installed by
    /// [`cancel_switch_for_this_thread`] on its thread); it waits in
    /// steps of 10 ms up to the same busy timeout.
    pub fn wait_cancellably(&mut self) -> Result<()> {
        if let Conn::Sqlite(c) = &mut self.conn {
            c.busy_handler(Some(cancellable_busy))?;
        }
        Ok(())
    }

    /// Opens an existing database read-only, as `--read-only` does: every
    /// change is refused.
    pub fn open_read_only(path: &Path, actor: &str) -> Result<Store> {
        Store::open_existing(path, actor, chrono::Utc::now().timestamp(), true)
    }

    /// Opens with `read_only` forced (`--read-only`: a standup terminal that
    /// must not change anything), or read-write when the file allows it.
    pub(crate) fn open_with(path: &Path, actor: &str, now: i64, read_only: bool) -> Result<Store> {
        if pg::is_url(path) {
            return Store::open_pg(&path.to_string_lossy(), Some(actor), now, true, read_only);
        }
        let display = path.display().to_string();
        let io = |detail: String| StoreError::Io {
            path: display.clone(),
            detail,
        };
        let mut created = false;
        if !path.exists() {
            if read_only {
                return Err(io(
                    "does not exist (and --read-only does not create it)".into()
                ));
            }
            created = create_private_file(path).map_err(io)?;
        }
        if !created {
            check_header(path)?;
        }
        let writable = !read_only
            && std::fs::OpenOptions::new().write(true).open(path).is_ok()
            && path.parent().map(dir_writable).unwrap_or(true);
        let flags = if writable {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI
        };
        let target = if writable {
            path.display().to_string()
        } else {
            read_only_target(path)?
        };
        let conn = Connection::open_with_flags(&target, flags).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ffi::ErrorCode::CannotOpen) && !writable {
                io(format!("cannot be opened read-only ({e}): check that you can read the file and its folder"))
            } else {
                io(e.to_string())
            }
        })?;
        let mut store = Store {
            conn: Conn::Sqlite(conn),
            path: path.to_path_buf(),
            actor: actor.to_string(),
            read_only: !writable,
            work_items_read: Default::default(),
            server: None,
            listener: Default::default(),
            prefetch: Default::default(),
        };
        store.prepare(now, created)?;
        Ok(store)
    }

    /// Opens an existing database (never creating one: a mistyped `--db`
    /// must not become a new, empty database that a cron `check` watches).
    pub(crate) fn open_existing(
        path: &Path,
        actor: &str,
        now: i64,
        read_only: bool,
    ) -> Result<Store> {
        if pg::is_url(path) {
            return Store::open_pg(&path.to_string_lossy(), Some(actor), now, false, read_only);
        }
        if path.symlink_metadata().is_err() {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        Store::open_with(path, actor, now, read_only)
    }

    /// Creates a new database at `path` (which must not exist), migrated and
    /// seeded: for `init`, `demo`, `restore` and the default cockpit.
    pub(crate) fn create_at(path: &Path, actor: &str, now: i64) -> Result<Store> {
        if path.symlink_metadata().is_ok() {
            return Err(StoreError::Io {
                path: path.display().to_string(),
                detail: "exists already".into(),
            });
        }
        Store::open_with(path, actor, now, false)
    }

    /// An in-memory store for tests, migrated and seeded.
    pub fn open_in_memory(actor: &str) -> Result<Store> {
        Store::open_in_memory_at(actor, chrono::Utc::now().timestamp())
    }

    /// An in-memory store created at `now` (tests with a fixed clock).
    /// The library's own tests run on PostgreSQL instead when
    /// `OPSDECK_TEST_ENGINE=postgres` (a new database on the server
    /// `OPSDECK_TEST_PG` names, per store).
    pub fn open_in_memory_at(actor: &str, now: i64) -> Result<Store> {
        #[cfg(test)]
        if let Some(url) = test_server_database() {
            return Store::open_pg(&url, Some(actor), now, true, false);
        }
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn: Conn::Sqlite(conn),
            path: PathBuf::from(":memory:"),
            actor: actor.to_string(),
            read_only: false,
            work_items_read: Default::default(),
            server: None,
            listener: Default::default(),
            prefetch: Default::default(),
        };
        store.prepare(now, true)?;
        Ok(store)
    }

    /// Checks the file, then migrates it. `new` is true for a file this
    /// process just created (empty, allowed to be initialised); any other
    /// file must carry the opsdeck mark, or be an opsdeck file from before
    /// the mark, before anything is written to it (not even the journal mode).
    fn prepare(&mut self, now: i64, new: bool) -> Result<()> {
        let path = self.path.display().to_string();
        let Conn::Sqlite(conn) = &self.conn else {
            return Ok(());
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // A board reads a dozen statements per indicator: keep them all
        // prepared (the default keeps 16, fewer than one board uses).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Plans never depend on the values bound: without this, SQLite
        // prepares some range queries again at every new bound value.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // Read the version before anything writes to the file: a newer or
        // corrupt database must be left exactly as it is.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| not_a_database(&path, e))?;
        // Touch the schema so a corrupt header or page 1 is found now.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| not_a_database(&path, e))?;
        if !new {
            self.check_mark(version)?;
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if self.read_only {
            if version < SCHEMA_VERSION {
                return Err(StoreError::ReadOnly {
                    reason: format!("{path} is not writable and needs a schema upgrade"),
                });
            }
            return Ok(());
        }
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && path != ":memory:" {
            conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        if version < SCHEMA_VERSION {
            self.migrate(now)?;
        }
        Ok(())
    }

    /// Applies the missing migrations, each in its own immediate transaction,
    /// re-reading the version inside it so two processes never both migrate.
    fn migrate(&mut self, now: i64) -> Result<()> {
        let audit_before = audit::last_id(&self.conn);
        loop {
            self.conn.begin_write()?;
            let tx = Guard {
                conn: &self.conn,
                done: false,
            };
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version >= SCHEMA_VERSION {
                return Ok(());
            }
            tx.execute_batch(MIGRATIONS[version as usize])?;
            if version == 0 {
                tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
                seed(&tx, &self.actor, now)?;
            }
            slos::after_migration(&tx, MIGRATIONS[version as usize], &self.actor, now)?;
            if version == 1 {
                playbooks::seed_starter_playbooks(
                    &Tx {
                        tx: &tx,
                        actor: &self.actor,
                    },
                    now,
                )?;
            }
            if MIGRATIONS[version as usize] == audit::LOGIN_MIGRATION {
                audit::stamp_seed_rows(&tx, audit_before)?;
            }
            if version + 1 >= HOURS_VERSION {
                // The days exist from their own migration on (whatever its
                // number): before it, only the hours are kept.
                let days = MIGRATIONS[..=version as usize].contains(&hours::DAYS_MIGRATION);
                hours::refresh_stale_levels(&tx, days)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))?;
            tx.commit(true)?;
        }
    }

    /// Refuses a file that is not opsdeck's: marked by another application,
    /// or unmarked and not an opsdeck database from before the mark.
    fn check_mark(&self, version: i64) -> Result<()> {
        let path = self.path.display().to_string();
        let app: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| not_a_database(&path, e))?;
        if app == APPLICATION_ID {
            return Ok(());
        }
        let foreign = |detail: String| StoreError::NotOpsdeck {
            path: path.clone(),
            detail,
        };
        if app != 0 {
            return Err(foreign(format!(
                "a SQLite database of another application (application_id {app:#x}), not opsdeck's"
            )));
        }
        let tables: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'
                   AND name IN ('meta', 'indicators', 'observations', 'audit')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| not_a_database(&path, e))?;
        if (1..=LAST_UNMARKED_VERSION).contains(&version) && tables == 4 {
            return Ok(());
        }
        Err(foreign(
            "a SQLite database without the opsdeck mark (application_id), not opsdeck's".into(),
        ))
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction and commits: the one way
    /// the store writes. Refused on a read-only database.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        self.transact(|_, tx| f(tx).map(|v| (v, true)))
    }

    /// Like [`Store::write`], but `f` also says whether to commit: an
    /// all-or-nothing import that found bad rows rolls back.
    pub fn write_or_rollback<T, E>(
        &mut self,
        f: impl FnOnce(&Tx<'_>) -> std::result::Result<(T, bool), E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        self.transact(|_, tx| f(tx))
    }

    /// Like [`Store::write`], but `f` also gets the store itself, so that it
    /// can read through the store's query methods (the indicator board, SLO
    /// reports) inside the same `BEGIN IMMEDIATE` transaction: what it reads
    /// cannot change before it writes. Used by alert evaluation.
    pub fn write_with_reads<T, E>(
        &mut self,
        f: impl FnOnce(&Store, &Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        self.transact(|store, tx| f(store, tx).map(|v| (v, true)))
    }

    /// The one transaction runner behind every write: `BEGIN IMMEDIATE`
    /// (a writer that must wait waits for the busy timeout instead of
    /// failing on upgrade), then commit or roll back as `f` says. An error
    /// from `f` rolls back.
    fn transact<T, E>(
        &mut self,
        f: impl FnOnce(&Store, &Tx<'_>) -> std::result::Result<(T, bool), E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                reason: match self.server.as_ref().and_then(|s| s.read_only_why.clone()) {
                    Some(why) => why,
                    None => format!("{} is not writable", self.path.display()),
                },
            }
            .into());
        }
        let asked = std::time::Instant::now();
        self.conn.begin_write().map_err(|e| {
            let e = StoreError::from(e);
            if matches!(e, StoreError::Busy) {
                tracing::warn!(
                    waited_ms = asked.elapsed().as_millis() as u64,
                    "gave up waiting for the write lock (busy)"
                );
            }
            e
        })?;
        let tx = Guard {
            conn: &self.conn,
            done: false,
        };
        let waited = asked.elapsed();
        if waited >= std::time::Duration::from_millis(100) {
            tracing::info!(
                waited_ms = waited.as_millis() as u64,
                "waited for the write lock"
            );
        }
        let (value, commit) = match f(
            self,
            &Tx {
                tx: &self.conn,
                actor: &self.actor,
            },
        ) {
            Ok(v) => v,
            Err(e) => {
                drop(tx);
                return Err(e);
            }
        };
        if commit {
            // The hourly summaries of what this transaction changed, in it.
            hours::refresh_stale(&self.conn)?;
            tx.commit(true).map_err(StoreError::from)?;
        } else {
            tx.rollback().map_err(StoreError::from)?;
        }
        Ok(value)
    }

    /// The connection, for the store's own reads: code above the store
    /// calls store functions, never SQL.
    pub(in crate::store) fn conn(&self) -> &Conn {
        &self.conn
    }

    /// Holds one read transaction while the guard lives, so that many
    /// reads share one snapshot and take the file's read lock once instead
    /// of once per statement. Inside a transaction already open (a write
    /// that reads, such as `check`'s evaluation) it does nothing.
    pub(in crate::store) fn read_tx(&self) -> Result<ReadTx<'_>> {
        if !self.conn.is_autocommit() {
            return Ok(ReadTx { conn: None });
        }
        self.conn.begin_read()?;
        Ok(ReadTx {
            conn: Some(&self.conn),
        })
    }

    /// The raw connection, for tests that go around the store on purpose
    /// (tampering with the audit trail, query plans, counting rows). Code
    /// under `src/` never calls it: `tests/it/module_graph.rs` fails if it
    /// does.
    #[doc(hidden)]
    pub fn raw_conn_for_tests(&self) -> &Connection {
        self.conn
            .sqlite()
            .expect("raw_conn_for_tests is for SQLite stores")
    }

    /// The file this store is over.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who the changes are attributed to.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// True when the file could only be opened for reading.
    pub(crate) fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// `PRAGMA data_version`: changes when another connection commits. Costs
    /// microseconds; the cockpit polls it to stay live.
    pub fn data_version(&self) -> Result<i64> {
        if self.conn.is_pg() {
            if self.listener.get().is_none() {
                let l = pg::Listener::start(&self.path.to_string_lossy())?;
                let _ = self.listener.set(l);
            }
            return Ok(self.listener.get().map(pg::Listener::count).unwrap_or(0));
        }
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// True once the cockpit's listener listens (PostgreSQL; started by
    /// the first [`Store::data_version`]); always true on SQLite.
    pub fn is_listening(&self) -> bool {
        match self.conn.pg() {
            Some(_) => self.listener.get().is_some_and(pg::Listener::is_listening),
            None => true,
        }
    }

    /// True when the database is on a PostgreSQL server (team mode).
    pub fn is_server(&self) -> bool {
        self.conn.is_pg()
    }

    /// True while the database server cannot be reached (PostgreSQL: the
    /// listener or this store's own connection is down); the cockpit says
    /// `reconnecting…`. Always false on SQLite.
    pub fn is_reconnecting(&self) -> bool {
        match self.conn.pg() {
            Some(pg) => pg.is_closed() || self.listener.get().is_some_and(pg::Listener::is_down),
            None => false,
        }
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// `PRAGMA journal_mode` of the open file (`wal` when all is well).
    pub fn journal_mode(&self) -> Result<String> {
        if self.conn.is_pg() {
            return Ok("wal".into());
        }
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: `ok`, or the first problem SQLite found
    /// (on PostgreSQL the server keeps its own; `ok`).
    pub fn integrity_check(&self) -> Result<String> {
        if self.conn.is_pg() {
            return Ok("ok".into());
        }
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        if self.conn.is_pg() {
            return Ok(self
                .conn
                .query_row("SELECT version FROM opsdeck_schema", [], |r| r.get(0))?);
        }
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// A write transaction with the acting user, handed to store functions.
/// Only the store opens one (through the transaction runner); code above
/// the store gets it inside `Store::write` and cannot reach its SQL.
pub struct Tx<'a> {
    pub(in crate::store) tx: &'a Conn,
    pub(in crate::store) actor: &'a str,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.tx
    }
}

/// An open write transaction of the runner: rolled back when dropped
/// without [`Guard::commit`] (an error or a panic in the middle of a write
/// leaves nothing behind).
struct Guard<'c> {
    conn: &'c Conn,
    done: bool,
}

impl Guard<'_> {
    fn commit(mut self, wrote: bool) -> rusqlite::Result<()> {
        self.done = true;
        self.conn.commit(wrote)
    }

    fn rollback(mut self) -> rusqlite::Result<()> {
        self.done = true;
        self.conn.rollback()
    }
}

impl std::ops::Deref for Guard<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.rollback();
        }
    }
}

impl<'a> Tx<'a> {
    /// Who the changes made through this transaction are attributed to.
    pub fn actor(&self) -> &str {
        self.actor
    }

    /// The same transaction, with its changes attributed to `actor`: for
    /// changes opsdeck makes on someone's behalf (the rules evaluated by
    /// `opsdeck (rules)`), and for scripted histories (the demo story, the
    /// benchmark dataset) where several people act in one transaction.
    /// The audit trail records `actor` as given.
    pub fn acting_as<'b>(&'b self, actor: &'b str) -> Tx<'b>
    where
        'a: 'b,
    {
        Tx { tx: self.tx, actor }
    }

    /// Sets a `meta` value.
    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}

fn not_a_database(path: &str, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ffi::ErrorCode::DatabaseBusy)
        | Some(rusqlite::ffi::ErrorCode::DatabaseLocked) => StoreError::Busy,
        _ => StoreError::NotADatabase {
            path: path.to_string(),
            detail: e.to_string(),
        },
    }
}

/// What SQLite opens for a read-only store: the path, or, for a WAL
/// database in a folder this user cannot write and without a `-shm` file
/// (which a reader of a WAL database needs and cannot create there), an
/// `immutable` URI; refused with the reason when the `-wal` file holds
/// changes that such a read would miss.
fn read_only_target(path: &Path) -> Result<String> {
    let shown = path.display().to_string();
    let side = |suffix: &str| PathBuf::from(format!("{shown}{suffix}"));
    let folder_writable = path.parent().map(dir_writable).unwrap_or(true);
    if folder_writable || side("-shm").exists() || !is_wal_file(path) {
        return Ok(shown);
    }
    let wal = std::fs::metadata(side("-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    if wal > 0 {
        return Err(StoreError::ReadOnly {
            reason: format!(
                "{shown} is a WAL database with changes in {shown}-wal, and its folder is not writable, so SQLite cannot create the {shown}-shm it needs to read them; someone who can write the folder must open it once (any opsdeck command checkpoints it), or copy the three files to a writable folder"
            ),
        });
    }
    Ok(format!("file:{}?immutable=1", uri_path(path)))
}

/// True when the file's header says WAL (bytes 18 and 19 are 2).
fn is_wal_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head[18] == 2
        && head[19] == 2
}

/// A path as the path part of an SQLite `file:` URI (percent-encoded).
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.as_os_str()
        .as_bytes()
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dir_writable(dir: &Path) -> bool {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let probe = dir.join(format!(".opsdeck-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
    }
}

/// Refuses, before SQLite opens it, a file that cannot be an opsdeck
/// database: an empty file (never initialised: a killed backup or a typo
/// must not become a new, empty database) or one without the SQLite header.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let shown = path.display().to_string();
    let mut head = Vec::with_capacity(100);
    let read = std::fs::File::open(path).and_then(|f| f.take(100).read_to_end(&mut head));
    if read.is_err() {
        // Unreadable (a folder, no permission): SQLite's open says why.
        return Ok(());
    }
    if head.is_empty() {
        return Err(StoreError::NotOpsdeck {
            path: shown,
            detail: "an empty file (0 bytes), not an opsdeck database; opsdeck never initialises an existing file — remove it".into(),
        });
    }
    if !head.starts_with(b"SQLite format 3\0") {
        return Err(StoreError::NotADatabase {
            path: shown,
            detail: "no SQLite header".into(),
        });
    }
    Ok(())
}

/// Creates the database file with mode 0660 and any missing folders 0770,
/// both less the umask: the group bits follow the umask (`umask 007` in a
/// setgid team folder shares the file with the group, `umask 077` keeps it
/// private), "other" never gets anything. SQLite gives the `-wal` and
/// `-shm` files the mode of the database file. True when this call created
/// the file.
fn create_private_file(path: &Path) -> std::result::Result<bool, String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o770)
                .create(dir)
                .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
        }
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o660)
        .open(path)
    {
        Ok(f) => {
            // Never "other", whatever the umask (an umask of 002 or 000).
            use std::os::unix::fs::PermissionsExt;
            let mode = f
                .metadata()
                .map(|m| m.permissions().mode())
                .unwrap_or(0o600);
            if mode & 0o007 != 0 {
                let _ = f.set_permissions(std::fs::Permissions::from_mode(mode & 0o770));
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(format!("cannot create the database file: {e}")),
    }
}

/// A new database on the test server when the library's tests run on
/// PostgreSQL (`OPSDECK_TEST_ENGINE=postgres`, `OPSDECK_TEST_PG`).
#[cfg(test)]
fn test_server_database() -> Option<String> {
    if std::env::var("OPSDECK_TEST_ENGINE").ok().as_deref() != Some("postgres") {
        return None;
    }
    let admin = std::env::var("OPSDECK_TEST_PG")
        .expect("OPSDECK_TEST_ENGINE=postgres needs OPSDECK_TEST_PG, a server's admin URL");
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "opsdeck_unit_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the test server");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a test database");
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

/// Loads the starter indicators, roles and capacity into a new database.
fn seed(tx: &Conn, actor: &str, now: i64) -> Result<()> {
    let op =
        crate::definition::parse_operation("assets/operation.toml", crate::assets::OPERATION_TOML)
            .map_err(|e| {
                StoreError::Invalid(
                    e.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
    let inds =
        crate::assets::parse_indicators("assets/indicators.toml", crate::assets::INDICATORS_TOML)
            .map_err(StoreError::Invalid)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('company', ?1)",
        [&op.company],
    )?;
    for r in &op.roles {
        tx.execute(
            "INSERT INTO roles (key, name) VALUES (?1, ?2)",
            [&r.key, &r.name],
        )?;
    }
    for c in &op.capacity {
        tx.execute(
            "INSERT INTO capacity (work_kind, units_per_day, warn_at, breach_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![c.work_kind, c.units_per_day, c.warn_at, c.breach_at],
        )?;
    }
    for (i, d) in inds.iter().enumerate() {
        indicators::insert_indicator(tx, d, i as i64)?;
    }
    audit::record_raw(
        tx,
        now,
        actor,
        "create",
        "database",
        None,
        &serde_json::json!({"schema": 1, "indicators": inds.len()}),
    )?;
    Ok(())
}
