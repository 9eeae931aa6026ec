//! The append-only audit trail: who changed what, when. The table refuses
//! UPDATE and DELETE by trigger.

use super::{Result, Store, Tx};
use crate::domain::Timestamp;
use rusqlite::params;
use serde::Serialize;

/// One audit entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Row id of the entry; ascending in the order things happened.
    pub id: i64,
    /// When it happened (unix seconds, UTC).
    pub at: Timestamp,
    /// Who did it: the command's actor (`--as`, `OPSDECK_USER`, login name).
    pub actor: String,
    /// The OS login of the process that wrote the row (None before schema 6).
    pub login: Option<String>,
    /// The OS uid of that process.
    pub uid: Option<i64>,
    /// Verb: `record`, `import`, `ack`, ...
    pub action: String,
    /// What kind of thing changed: `observation`, `work_item`, `alert`, ...
    pub entity: String,
    /// Id or key of the changed thing (alert id, SLO key, ...); `None` when the change is not about one thing (an import).
    pub entity_id: Option<String>,
    /// JSON with the particulars.
    pub detail: Option<String>,
}

/// Appends an entry attributed to the transaction's actor.
pub fn record(
    tx: &Tx<'_>,
    at: Timestamp,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: &serde_json::Value,
) -> Result<()> {
    record_raw(tx, at, tx.actor, action, entity, entity_id, detail)
}

/// Appends an entry for `actor` on any connection (used while seeding).
pub(crate) fn record_raw(
    conn: &crate::store::db::Conn,
    at: Timestamp,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: &serde_json::Value,
) -> Result<()> {
    let os = os_user();
    let detail = detail.to_string();
    match conn.prepare_cached("INSERT INTO audit (at, actor, action, entity, entity_id, detail, login, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") {
        Ok(mut stmt) => {
            stmt.execute(params![at, actor, action, entity, entity_id, detail, os.login, os.uid])?;
        }
        // Seeding while an older schema is migrated, before the migration
        // that added the login columns: the row is written as that schema
        // had it (its login stays unknown, like every row of that time).
        Err(_) if !has_login_column(conn)? => {
            conn.prepare_cached("INSERT INTO audit (at, actor, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                .execute(params![at, actor, action, entity, entity_id, detail])?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// The migration that added the login columns.
pub(crate) const LOGIN_MIGRATION: &str = include_str!("migrations/0009_audit_login.sql");

/// The newest audit id, 0 when there is none (or no audit table yet).
pub(crate) fn last_id(conn: &crate::store::db::Conn) -> i64 {
    conn.query_row("SELECT coalesce(max(id), 0) FROM audit", [], |r| r.get(0))
        .unwrap_or(0)
}

/// Audit rows' `(entity, entity_id)`, oldest first, after the id of the
/// last of them: see [`changes_after`].
pub type Changes = (i64, Vec<(String, Option<String>)>);

/// What the audit trail says changed after row `after`: the last row's id
/// and each row's `(entity, entity_id)`, oldest first. `None` when nothing
/// was recorded after it (a program writing around opsdeck leaves no row)
/// or more than `limit` rows were: the caller then reads everything again.
pub fn changes_after(store: &super::Store, after: i64, limit: usize) -> Result<Option<Changes>> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, entity, entity_id FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![after, limit as i64 + 1], |r| {
        Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?))
    })?;
    let rows: Vec<(i64, String, Option<String>)> = rows.collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() || rows.len() > limit {
        return Ok(None);
    }
    let last = rows.last().map(|r| r.0).unwrap_or(after);
    Ok(Some((
        last,
        rows.into_iter().map(|(_, e, id)| (e, id)).collect(),
    )))
}

impl super::Store {
    /// The id of the newest audit row (0 for none): the high-water mark a
    /// screen keeps to ask [`changes_after`] what changed since it read.
    pub fn audit_mark(&self) -> Result<i64> {
        Ok(last_id(self.conn()))
    }
}

/// Right after [`LOGIN_MIGRATION`], in its transaction: the seed rows this
/// very process wrote during the same migration run (ids after `after_id`,
/// before the columns existed) get this process's login and uid. The only
/// UPDATE the audit trail ever sees; the trigger is back before commit.
pub(crate) fn stamp_seed_rows(conn: &crate::store::db::Conn, after_id: i64) -> Result<()> {
    let os = os_user();
    conn.execute_batch("DROP TRIGGER audit_no_update")?;
    conn.execute(
        "UPDATE audit SET login = ?1, uid = ?2 WHERE id > ?3 AND login IS NULL",
        params![os.login, os.uid, after_id],
    )?;
    conn.execute_batch(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
         BEGIN
             SELECT RAISE(ABORT, 'the audit trail is append-only');
         END;",
    )?;
    Ok(())
}

fn has_login_column(conn: &crate::store::db::Conn) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) FROM pragma_table_info('audit') WHERE name = 'login'",
        [],
        |r| r.get::<_, i64>(0),
    )? > 0)
}

/// The operating-system user of this process: recorded on every audit and
/// alert-history row next to the acting name, whatever `--as` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OsUser {
    /// The login name from the password database, else `uid:N`.
    pub login: String,
    /// The real uid.
    pub uid: u32,
}

/// A login pinned by [`pin_os_user_for_tests`] (test and debug builds only).
#[cfg(debug_assertions)]
static PINNED: std::sync::OnceLock<OsUser> = std::sync::OnceLock::new();

/// Test and debug builds only: makes [`os_user`] report `login` (uid 0)
/// from now on in this process, so that screen snapshots do not depend on
/// who runs the tests. The first pin wins. Absent from the release build.
#[cfg(debug_assertions)]
pub fn pin_os_user_for_tests(login: &str) {
    let _ = PINNED.set(OsUser {
        login: login.to_string(),
        uid: 0,
    });
}

/// The process's OS user, read once.
///
/// `unsafe` for `getuid`, which has no preconditions and cannot fail.
#[allow(unsafe_code)]
pub(crate) fn os_user() -> &'static OsUser {
    #[cfg(debug_assertions)]
    if let Some(pinned) = PINNED.get() {
        return pinned;
    }
    static USER: std::sync::OnceLock<OsUser> = std::sync::OnceLock::new();
    USER.get_or_init(|| {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let login = login_of(uid)
            .map(|n| crate::text::sanitize(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("uid:{uid}"));
        OsUser { login, uid }
    })
}

/// The login name of `uid` from the password database.
///
/// `unsafe` is allowed here: it is sound because getpwuid_r is the
/// re-entrant variant (no shared static buffer), every pointer handed to it
/// points into `pwd`, `buf` or `result`, which this function owns and which
/// outlive the call, `buf.len()` is the real buffer size, and `pw_name` is
/// read only after a zero return and a null check, while `buf` is alive. A
/// safe crate (nix, uzers, whoami) would add a dependency for one lookup
/// that `libc`, already a dependency, does in a dozen reviewed lines.
#[allow(unsafe_code)]
pub(crate) fn login_of(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into `pwd` and `buf`, both owned here and
    // large enough as declared; `result` is null or points to `pwd`.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name is a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

impl Store {
    /// The newest `limit` audit entries, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, at, actor, action, entity, entity_id, detail, login, uid FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                detail: r.get(6)?,
                login: r.get(7)?,
                uid: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Time of the last change recorded in the audit trail.
    pub(crate) fn last_change(&self) -> Result<Option<Timestamp>> {
        Ok(self
            .conn()
            .query_row("SELECT max(at) FROM audit", [], |r| r.get(0))?)
    }
}
