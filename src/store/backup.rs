//! `backup`: a consistent copy of the live database through SQLite's online
//! backup API, safe while other processes write (never a file copy of a WAL
//! database, which can tear). Backups and restores are written to a
//! temporary file in the target folder, verified (`integrity_check`, row
//! counts), fsynced and only then linked under their final name: a kill at
//! any moment leaves either no file under that name or a complete one.

use super::{export::TableCounts, Result, Store, StoreError, BUSY_TIMEOUT};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackupReport {
    /// Database pages copied.
    pub pages: i64,
    /// Size of the backup file in bytes.
    pub bytes: u64,
}

impl Store {
    /// Rows per table of the open database (what a restore or backup is
    /// verified against).
    pub fn table_counts(&self) -> Result<TableCounts> {
        let c = self.conn();
        let mut out = TableCounts::new();
        for name in c.tables()? {
            let n: i64 = c.query_row(
                &format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )?;
            out.insert(name, n as u64);
        }
        Ok(out)
    }

    /// The SQLite connection, or the one-line refusal of an SQLite-only
    /// operation on PostgreSQL (`what` names it, `instead` says what to use).
    pub(crate) fn sqlite_only(&self, what: &str, instead: &str) -> Result<&Connection> {
        self.conn().sqlite().ok_or_else(|| {
            StoreError::Invalid(format!("{what} is not available on PostgreSQL: {instead}"))
        })
    }

    /// Copies the database to a new file at `dest` (mode 0600), all pages in
    /// one step under a read snapshot, so writers in other processes carry on
    /// and the copy is the database as of one commit. Waits up to the busy
    /// timeout when the source is locked (e.g. during a checkpoint). The copy
    /// is written to a temporary file next to `dest`, checked with `PRAGMA
    /// integrity_check` and against the snapshot's row counts, fsynced and
    /// linked to `dest`. Refuses to overwrite an existing file.
    pub(crate) fn backup_to(&self, dest: &Path) -> Result<BackupReport> {
        let shown = dest.display().to_string();
        let io = |detail: String| StoreError::Io {
            path: shown.clone(),
            detail,
        };
        if dest.symlink_metadata().is_ok() {
            return Err(io(
                "exists already; a backup never overwrites a file, choose a new name".into(),
            ));
        }
        self.sqlite_only(
            "backup",
            "use pg_dump (or `opsdeck export`, which works on both engines)",
        )?;
        let tmp = temp_path(dest, "backup");
        create_private(&tmp).map_err(|e| io(format!("cannot create the backup file: {e}")))?;
        let conn = self.sqlite_only(
            "backup",
            "use pg_dump (or `opsdeck export`, which works on both engines)",
        )?;
        let result = copy_into(conn, &tmp).and_then(|pages| {
            place(&tmp, dest)?;
            Ok(pages)
        });
        if result.is_err() {
            remove_with_journals(&tmp);
        }
        let pages = result?;
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport { pages, bytes })
    }

    /// Replaces everything in this database with the content of `fresh`, in
    /// one write transaction on this file: SQLite's online backup from
    /// `fresh` into the live file (not a new file under the same name). The
    /// file keeps its inode, so a process that has it open (a cockpit)
    /// reads the old content or the new, never a mix and never an unlinked
    /// file, and sees `PRAGMA data_version` change, as after any commit.
    /// Waits up to the busy timeout for the write lock.
    pub(crate) fn replace_contents_with(&mut self, fresh: &Store) -> Result<()> {
        let (super::db::Conn::Sqlite(from), super::db::Conn::Sqlite(to)) =
            (&fresh.conn, &mut self.conn)
        else {
            return Err(StoreError::Invalid(
                "replacing a database file in place is SQLite's; on PostgreSQL restore into an empty database".into(),
            ));
        };
        let backup = Backup::new(from, to)?;
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                StepResult::Busy | StepResult::Locked => return Err(StoreError::Busy),
                _ => {}
            }
        }
        Ok(())
    }

    /// Switches the file to a rollback journal and closes it, so that it is
    /// one self-contained file (no `-wal`) ready to be moved into place. The
    /// next opsdeck open switches it back to WAL.
    pub(crate) fn close_as_single_file(self) -> Result<()> {
        self.conn
            .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get::<_, String>(0))?;
        match self.conn {
            super::db::Conn::Sqlite(c) => c.close().map_err(|(_, e)| StoreError::from(e)),
            super::db::Conn::Pg(_) => Ok(()),
        }
    }
}

/// A temporary name for `dest` in its own folder (a rename or link within
/// one file system), unique to this process.
pub(crate) fn temp_path(dest: &Path, what: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "opsdeck.db".into());
    let tmp = format!(".{name}.{what}-{}.tmp", std::process::id());
    match dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.join(tmp),
        None => PathBuf::from(tmp),
    }
}

/// Removes a temporary database and its journals (after a failure).
pub(crate) fn remove_with_journals(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Verifies the finished file at `tmp` (`integrity_check`, and the row
/// counts when given), fsyncs it, links it to `dest` (which must not exist:
/// never overwritten), removes the temporary name and fsyncs the folder.
pub(crate) fn place_verified(tmp: &Path, dest: &Path, counts: Option<&TableCounts>) -> Result<()> {
    let c = Connection::open_with_flags(tmp, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    verify(&c, counts)?;
    c.close().map_err(|(_, e)| StoreError::from(e))?;
    place(tmp, dest)
}

fn verify(c: &Connection, counts: Option<&TableCounts>) -> Result<()> {
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Invalid(format!(
            "the new file failed its integrity check ({check}); it was removed"
        )));
    }
    if let Some(want) = counts {
        let got = table_counts(c)?;
        for (table, n) in want {
            let has = got.get(table).copied().unwrap_or(0);
            if has != *n {
                return Err(StoreError::Invalid(format!(
                    "the new file has {has} rows in {table} where {n} were written; it was removed"
                )));
            }
        }
    }
    Ok(())
}

/// Rows per ordinary table.
pub fn table_counts(c: &Connection) -> Result<TableCounts> {
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = TableCounts::new();
    for name in names {
        let n: i64 = c.query_row(
            &format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")),
            [],
            |r| r.get(0),
        )?;
        out.insert(name, n as u64);
    }
    Ok(out)
}

/// fsync `tmp`, link it to `dest` (fails if `dest` exists), drop the
/// temporary name, fsync the folder.
fn place(tmp: &Path, dest: &Path) -> Result<()> {
    let shown = dest.display().to_string();
    let io = |detail: String| StoreError::Io {
        path: shown.clone(),
        detail,
    };
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(format!("cannot sync the new file: {e}")))?;
    std::fs::hard_link(tmp, dest).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            io("exists already; it was not overwritten, choose a new name".into())
        }
        _ => io(format!("cannot move the new file into place: {e}")),
    })?;
    let _ = std::fs::remove_file(tmp);
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

fn copy_into(src: &Connection, dest: &Path) -> Result<i64> {
    let mut dst = Connection::open(dest)?;
    // One read snapshot for the copy and the counts it is checked against.
    let snapshot = src.unchecked_transaction()?;
    let counts = table_counts(&snapshot)?;
    let pages = {
        let backup = Backup::new(&snapshot, &mut dst)?;
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                StepResult::Busy | StepResult::Locked => return Err(StoreError::Busy),
                _ => {}
            }
        }
        i64::from(backup.progress().pagecount)
    };
    snapshot.finish()?;
    dst.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get::<_, String>(0))?;
    verify(&dst, Some(&counts))?;
    dst.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(pages)
}
