//! On call in the database: overrides and silences (typed at the command
//! line, audited), and [`OnCallBook`], everything the rules and the screens
//! need to say who is on call and what is silenced at a time.

mod book;
pub mod outbox;

pub use book::OnCallBook;

use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::oncall::{zone, Matcher, Override, SilenceRule};
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use chrono_tz::Tz;
use rusqlite::params;

/// One override as listed (with who made it and whether it was ended).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OverrideRow {
    /// The override itself.
    #[serde(flatten)]
    pub o: Override,
    /// Who typed it.
    pub created_by: String,
    /// When it was ended early, if it was.
    pub ended_at: Option<Timestamp>,
}

/// One silence as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SilenceRow {
    /// The silence itself.
    #[serde(flatten)]
    pub s: SilenceRule,
    /// Who typed it.
    pub created_by: String,
    /// When it was ended early, if it was.
    pub ended_at: Option<Timestamp>,
}

/// The operation's zone (`UTC` when unset or unreadable).
pub fn operation_zone(conn: &Connection) -> Result<Tz> {
    use rusqlite::OptionalExtension;
    let tz: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'timezone'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(zone(tz.as_deref(), chrono_tz::UTC))
}

fn override_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<OverrideRow> {
    Ok(OverrideRow {
        o: Override {
            id: r.get(0)?,
            role: r.get(1)?,
            person: r.get(2)?,
            from: r.get(3)?,
            until: r.get(4)?,
            reason: r.get(5)?,
        },
        created_by: r.get(6)?,
        ended_at: r.get(7)?,
    })
}

/// Overrides that end after `after` (current and future ones, not ended
/// before they began), by start.
pub fn overrides_after(conn: &Connection, after: Timestamp) -> Result<Vec<OverrideRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, role, person, starts_at, ends_at, reason, created_by, ended_at
         FROM oncall_overrides WHERE ends_at > ?1 AND (ended_at IS NULL OR ended_at > starts_at) ORDER BY starts_at, id",
    )?;
    let rows = stmt.query_map([after], override_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn silence_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<SilenceRow> {
    let matchers: String = r.get(1)?;
    let matchers: Vec<Matcher> = serde_json::from_str(&matchers).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(SilenceRow {
        s: SilenceRule {
            id: r.get(0)?,
            matchers,
            from: r.get(2)?,
            until: r.get(3)?,
            reason: r.get(4)?,
        },
        created_by: r.get(5)?,
        ended_at: r.get(6)?,
    })
}

/// Silences that end after `after` and were not ended before they began, by id.
pub fn silences_after(conn: &Connection, after: Timestamp) -> Result<Vec<SilenceRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, matchers, starts_at, ends_at, reason, created_by, ended_at
         FROM silences WHERE ends_at > ?1 AND (ended_at IS NULL OR ended_at > starts_at) ORDER BY id",
    )?;
    let rows = stmt.query_map([after], silence_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn exists(conn: &Connection, sql: &str, v: &str) -> Result<bool> {
    Ok(conn.prepare_cached(sql)?.exists([v])?)
}

/// Whether `name` is a person of the operation: in `people`, or named by
/// the alert defaults' escalation (the starter's `founder`, who holds no
/// role). Overrides, incident commanders and action owners must be one.
pub(crate) fn is_person(conn: &Connection, name: &str) -> Result<bool> {
    let named = super::definition::alert_defaults(conn)?
        .escalation
        .iter()
        .any(|l| l.target == crate::domain::playbook::EscalationTarget::Person(name.to_string()));
    Ok(named || exists(conn, "SELECT 1 FROM people WHERE name = ?1", name)?)
}

/// Records an override (audited) and returns its id. The role must be a
/// role of the operation and the person one of its people.
pub fn add_override(
    tx: &Tx<'_>,
    now: Timestamp,
    role: &str,
    person: &str,
    from: Timestamp,
    until: Timestamp,
    reason: &str,
) -> Result<i64> {
    if !exists(tx, "SELECT 1 FROM roles WHERE key = ?1", role)? {
        return Err(StoreError::Invalid(format!(
            "ROLE: unknown role '{role}' (see `opsdeck definition` or the roles in operation.toml)"
        )));
    }
    if !is_person(tx, person)? {
        return Err(StoreError::Invalid(format!(
            "PERSON: unknown person '{person}' (add a [[person]] to operation.toml)"
        )));
    }
    if until <= now {
        return Err(StoreError::Invalid(
            "--until: is in the past; an override must still hold at some point".to_string(),
        ));
    }
    if until <= from {
        return Err(StoreError::Invalid(
            "--until: must be after --from".to_string(),
        ));
    }
    tx.execute(
        "INSERT INTO oncall_overrides (role, person, starts_at, ends_at, reason, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![role, person, from, until, reason, now, tx.actor()],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        tx,
        now,
        "override",
        "oncall",
        Some(&id.to_string()),
        &serde_json::json!({"role": role, "person": person, "from": from, "until": until, "reason": reason}),
    )?;
    Ok(id)
}

/// Ends an override now (or drops a future one); audited. Refused when it
/// is already over.
pub fn end_override(tx: &Tx<'_>, now: Timestamp, id: i64) -> Result<()> {
    end_row(tx, now, id, "oncall_overrides", "override", "oncall")
}

fn end_row(
    tx: &Tx<'_>,
    now: Timestamp,
    id: i64,
    table: &str,
    what: &str,
    entity: &str,
) -> Result<()> {
    use rusqlite::OptionalExtension;
    let (select, update) = match table {
        "silences" => (
            "SELECT ends_at FROM silences WHERE id = ?1",
            "UPDATE silences SET ends_at = max(?2, starts_at + 1), ended_at = ?2, ended_by = ?3 WHERE id = ?1",
        ),
        _ => (
            "SELECT ends_at FROM oncall_overrides WHERE id = ?1",
            "UPDATE oncall_overrides SET ends_at = max(?2, starts_at + 1), ended_at = ?2, ended_by = ?3 WHERE id = ?1",
        ),
    };
    let ends: Option<Timestamp> = tx
        .prepare_cached(select)?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match ends {
        None => return Err(StoreError::Invalid(format!("ID: no {what} {id}"))),
        Some(e) if e <= now => {
            return Err(StoreError::Invalid(format!(
                "ID: {what} {id} is already over"
            )))
        }
        // A future one is kept as ended before it started: never listed, never holding.
        Some(_) => {}
    }
    tx.execute(update, params![id, now, tx.actor()])?;
    audit::record(
        tx,
        now,
        "end",
        entity,
        Some(&id.to_string()),
        &serde_json::json!({}),
    )
}

/// Records a silence (audited) and returns its id.
pub fn add_silence(
    tx: &Tx<'_>,
    now: Timestamp,
    matchers: &[Matcher],
    until: Timestamp,
    reason: &str,
) -> Result<i64> {
    if until <= now {
        return Err(StoreError::Invalid(
            "--until: is not in the future".to_string(),
        ));
    }
    let json = serde_json::to_string(matchers).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT INTO silences (matchers, starts_at, ends_at, reason, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?2, ?5)",
        params![json, now, until, reason, tx.actor()],
    )?;
    let id = tx.last_insert_rowid();
    let texts: Vec<String> = matchers.iter().map(Matcher::text).collect();
    audit::record(
        tx,
        now,
        "silence",
        "silence",
        Some(&id.to_string()),
        &serde_json::json!({"match": texts, "until": until, "reason": reason}),
    )?;
    Ok(id)
}

/// Ends a silence now; audited. Notifications it held are sent on the next
/// `check` or cockpit tick when their cause is still there.
pub fn end_silence(tx: &Tx<'_>, now: Timestamp, id: i64) -> Result<()> {
    end_row(tx, now, id, "silences", "silence", "silence")
}

impl Store {
    /// For each role `person` holds that has a rotation or an override:
    /// the role and who is on call for it at `at` (the header's line).
    pub fn oncall_for_person(&self, person: &str, at: Timestamp) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.key FROM roles r JOIN role_assignments a ON a.role_id = r.id
             JOIN people p ON p.id = a.person_id WHERE p.name = ?1 ORDER BY r.id",
        )?;
        let roles = stmt
            .query_map([person], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let book = self.oncall_book(at)?;
        let covered = book.covered_roles();
        Ok(roles
            .into_iter()
            .filter(|r| covered.contains(&r.as_str()))
            .filter_map(|r| {
                let p = book.on_call(&r, at).person?;
                Some((r, p))
            })
            .collect())
    }

    /// The on-call book for times from `at` on.
    pub fn oncall_book(&self, at: Timestamp) -> Result<OnCallBook> {
        OnCallBook::load(self.conn(), at)
    }

    /// Overrides ending after `after`, by start.
    pub fn overrides_after(&self, after: Timestamp) -> Result<Vec<OverrideRow>> {
        overrides_after(self.conn(), after)
    }

    /// Silences ending after `after` (every one with `i64::MIN`).
    pub fn silences_after(&self, after: Timestamp) -> Result<Vec<SilenceRow>> {
        silences_after(self.conn(), after)
    }
}

/// A change to on call or silences, as the cockpit's `:` line runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnCallOp {
    /// `oncall override ROLE PERSON ...`
    Override {
        /// Role key.
        role: String,
        /// Person.
        person: String,
        /// Start.
        from: Timestamp,
        /// End (exclusive).
        until: Timestamp,
        /// Why.
        reason: String,
    },
    /// `oncall override end ID`
    EndOverride(i64),
    /// `silence add ...`
    Silence {
        /// All must hold.
        matchers: Vec<Matcher>,
        /// Expiry.
        until: Timestamp,
        /// Why.
        reason: String,
    },
    /// `silence end ID`
    EndSilence(i64),
}

impl OnCallOp {
    /// Applies it (audited) and returns the status line.
    pub fn apply(&self, tx: &Tx<'_>, now: Timestamp) -> Result<String> {
        Ok(match self {
            OnCallOp::Override {
                role,
                person,
                from,
                until,
                reason,
            } => {
                let id = add_override(tx, now, role, person, *from, *until, reason)?;
                format!("override #{id}: {person} holds {role}")
            }
            OnCallOp::EndOverride(id) => {
                end_override(tx, now, *id)?;
                format!("ended override #{id}")
            }
            OnCallOp::Silence {
                matchers,
                until,
                reason,
            } => {
                let id = add_silence(tx, now, matchers, *until, reason)?;
                let m: Vec<String> = matchers.iter().map(Matcher::text).collect();
                format!("silence #{id}: {}", m.join(" "))
            }
            OnCallOp::EndSilence(id) => {
                end_silence(tx, now, *id)?;
                format!("ended silence #{id}")
            }
        })
    }
}
