//! `backup`: a consistent copy of the live database through SQLite's online
//! backup API, safe while other processes write (never a file copy of a WAL
//! database, which can tear).

use super::{Result, Store, StoreError, BUSY_TIMEOUT};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Database pages copied.
    pub pages: i64,
    /// Size of the backup file in bytes.
    pub bytes: u64,
}

impl Store {
    /// Copies the database to a new file at `dest` (mode 0600), all pages in
    /// one step under a read snapshot, so writers in other processes carry on
    /// and the copy is the database as of one commit. Waits up to the busy
    /// timeout when the source is locked (e.g. during a checkpoint), then
    /// checks the copy with `PRAGMA integrity_check`. Refuses to overwrite an
    /// existing file; removes a partial copy on failure.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupReport> {
        let shown = dest.display().to_string();
        let io = |detail: String| StoreError::Io {
            path: shown.clone(),
            detail,
        };
        if dest.exists() {
            return Err(io(
                "exists already; a backup never overwrites a file, choose a new name".into(),
            ));
        }
        create_private(dest).map_err(|e| io(format!("cannot create the backup file: {e}")))?;
        let result = copy_into(self.conn(), dest);
        if result.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        let pages = result?;
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport { pages, bytes })
    }
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
    let pages = {
        let backup = Backup::new(src, &mut dst)?;
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
    let check: String = dst.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Invalid(format!(
            "the backup failed its integrity check ({check}); it was removed"
        )));
    }
    dst.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(pages)
}
