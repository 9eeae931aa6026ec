//! The operation's definition in the database: read as a
//! [`Definition`] (for `opsdeck definition` and the plan of `apply`) and
//! changed by applying a [`Plan`] in the caller's transaction.

use super::capacity_changes::{remove_capacity, set_capacity};
use super::indicator_changes::{add_indicator, retire_indicator, update_indicator};
use super::{audit, playbooks, slos, Result, Store, StoreError, Tx};
use crate::definition::{
    AlertDefaults, Change, Definition, Operation, Person, Plan, Retired, Role,
};
use crate::domain::capacity::Capacity;
use crate::domain::indicator::IndicatorDef;
use crate::domain::oncall::OnCallDef;
use crate::domain::playbook::EscalationTarget;
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use rusqlite::params;

/// The `meta` key of the time zone.
const META_TIMEZONE: &str = "timezone";
/// The `meta` key of the alert defaults (JSON).
const META_ALERTS: &str = "alert_defaults";
/// The `meta` key of the on-call definition (JSON of [`OnCallDef`]).
const META_ONCALL: &str = "oncall";

fn keys(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The operation's alert defaults as last applied (`operation.toml`'s
/// `[alerts]`), or the built-in ones ([`AlertDefaults::default`]) when the
/// operation never set them.
pub fn alert_defaults(conn: &Connection) -> Result<AlertDefaults> {
    use rusqlite::OptionalExtension;
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([META_ALERTS], |r| r.get(0))
        .optional()?;
    match stored {
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| StoreError::Invalid(format!("stored alert defaults are unreadable: {e}"))),
        None => Ok(AlertDefaults::default()),
    }
}

/// The on-call definition as last applied (`oncall.toml`), or the
/// defaults (no rotation, a one-minute group window).
pub fn oncall_def(conn: &Connection) -> Result<OnCallDef> {
    use rusqlite::OptionalExtension;
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([META_ONCALL], |r| r.get(0))
        .optional()?;
    match stored {
        Some(j) => serde_json::from_str(&j).map_err(|e| {
            StoreError::Invalid(format!("stored on-call definition is unreadable: {e}"))
        }),
        None => Ok(OnCallDef::default()),
    }
}

/// Sets the on-call definition from `now` on: the current one (meta) and a
/// new version (`apply`, and the demo story).
pub(crate) fn set_oncall_def(tx: &Tx<'_>, now: Timestamp, def: &OnCallDef) -> Result<()> {
    let json = serde_json::to_string(def).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.set_meta(META_ONCALL, &json)?;
    tx.execute(
        "INSERT INTO oncall_definitions (at, actor, def) VALUES (?1, ?2, ?3)",
        params![now, tx.actor(), json],
    )?;
    Ok(())
}

/// The on-call definition in force at `at`: the newest version applied at
/// or before it; the defaults before the first one (the current one when
/// the database holds no version at all).
pub fn oncall_def_at(conn: &Connection, at: Timestamp) -> Result<OnCallDef> {
    use rusqlite::OptionalExtension;
    let row: Option<String> = conn
        .prepare_cached(
            "SELECT def FROM oncall_definitions WHERE at <= ?1 ORDER BY at DESC, id DESC LIMIT 1",
        )?
        .query_row([at], |r| r.get(0))
        .optional()?;
    match row {
        Some(j) => serde_json::from_str(&j).map_err(|e| {
            StoreError::Invalid(format!("stored on-call definition is unreadable: {e}"))
        }),
        None if conn
            .prepare_cached("SELECT 1 FROM oncall_definitions LIMIT 1")?
            .exists([])? =>
        {
            Ok(OnCallDef::default())
        }
        None => oncall_def(conn),
    }
}

impl Store {
    /// What the database holds as its definition now, and what it holds
    /// retired. People named only by an escalation level (the starter's
    /// `founder`) are listed as people without roles.
    pub fn current_definition(&self) -> Result<(Definition, Retired)> {
        let conn = self.conn();
        let company = self
            .meta("company")?
            .unwrap_or_else(|| "My operation".into());
        let timezone = self.meta(META_TIMEZONE)?.unwrap_or_else(|| "UTC".into());
        let alerts = alert_defaults(conn)?;
        let mut stmt = conn.prepare_cached("SELECT key, name FROM roles ORDER BY id")?;
        let roles = stmt
            .query_map([], |r| {
                Ok(Role {
                    key: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT p.name, group_concat(r.key, ?1) FROM people p
             LEFT JOIN role_assignments a ON a.person_id = p.id
             LEFT JOIN roles r ON r.id = a.role_id
             GROUP BY p.id ORDER BY p.id",
        )?;
        let mut people = stmt
            .query_map(["\u{1f}"], |r| {
                let held: Option<String> = r.get(1)?;
                let mut roles: Vec<String> = held
                    .map(|h| h.split('\u{1f}').map(str::to_string).collect())
                    .unwrap_or_default();
                roles.sort();
                Ok(Person {
                    name: r.get(0)?,
                    roles,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT work_kind, units_per_day, warn_at, breach_at FROM capacity ORDER BY work_kind",
        )?;
        let capacity = stmt
            .query_map([], |r| {
                Ok(Capacity {
                    work_kind: r.get(0)?,
                    units_per_day: r.get(1)?,
                    warn_at: r.get(2)?,
                    breach_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let indicators: Vec<IndicatorDef> = self.indicators()?.into_iter().map(|i| i.def).collect();
        let slos = self.slos()?.into_iter().map(|s| s.def).collect();
        let playbooks: Vec<_> = self.playbooks(0)?.into_iter().map(|p| p.def).collect();
        let mut named: Vec<String> = Vec::new();
        let levels = playbooks
            .iter()
            .flat_map(|p| p.escalation.iter().map(|l| &l.target))
            .chain(alerts.escalation.iter().map(|l| &l.target));
        for t in levels {
            if let EscalationTarget::Person(n) = t {
                if !people.iter().any(|p| &p.name == n) && !named.contains(n) {
                    named.push(n.clone());
                }
            }
        }
        named.sort();
        people.extend(named.into_iter().map(|name| Person {
            name,
            roles: Vec::new(),
        }));
        let retired = Retired {
            indicators: keys(
                conn,
                "SELECT key FROM indicators WHERE retired_at IS NOT NULL",
            )?,
            slos: keys(conn, "SELECT key FROM slos WHERE retired_at IS NOT NULL")?,
            playbooks: keys(
                conn,
                "SELECT key FROM playbooks WHERE retired_at IS NOT NULL",
            )?,
        };
        Ok((
            Definition {
                operation: Operation {
                    company,
                    timezone,
                    roles,
                    people,
                    capacity,
                    alerts,
                },
                indicators,
                slos,
                playbooks,
                oncall: oncall_def(conn)?,
            },
            retired,
        ))
    }
}

fn set_person_roles(tx: &Tx<'_>, now: Timestamp, p: &Person, roles: &[String]) -> Result<()> {
    tx.execute(
        "INSERT INTO people (name) VALUES (?1) ON CONFLICT(name) DO NOTHING",
        [&p.name],
    )?;
    tx.execute(
        "DELETE FROM role_assignments WHERE person_id = (SELECT id FROM people WHERE name = ?1)",
        [&p.name],
    )?;
    for r in roles {
        tx.execute(
            "INSERT INTO role_assignments (role_id, person_id, assigned_at)
             SELECT r.id, p.id, ?3 FROM roles r, people p WHERE r.key = ?1 AND p.name = ?2
             ON CONFLICT DO NOTHING",
            params![r, p.name, now],
        )?;
    }
    Ok(())
}

/// Applies `plan` in the caller's transaction and audits it once, with the
/// plan's lines. `dir` names the folder in the audit entry.
pub(crate) fn apply_plan(tx: &Tx<'_>, now: Timestamp, plan: &Plan, dir: &str) -> Result<()> {
    for c in &plan.changes {
        match c {
            Change::Company(_, b) => tx.set_meta("company", b)?,
            Change::Timezone(_, b) => tx.set_meta(META_TIMEZONE, b)?,
            Change::Alerts(_, b) => tx.set_meta(
                META_ALERTS,
                &serde_json::to_string(b).map_err(|e| StoreError::Invalid(e.to_string()))?,
            )?,
            Change::OnCall(_, b) => set_oncall_def(tx, now, b)?,
            Change::AddRole(r) => {
                tx.execute(
                    "INSERT INTO roles (key, name) VALUES (?1, ?2)",
                    [&r.key, &r.name],
                )?;
            }
            Change::RenameRole(r, n) => {
                tx.execute("UPDATE roles SET name = ?2 WHERE key = ?1", [&r.key, n])?;
            }
            Change::RemoveRole(k) => {
                tx.execute("DELETE FROM roles WHERE key = ?1", [k])?;
            }
            Change::AddPerson(p) => set_person_roles(tx, now, p, &p.roles)?,
            Change::SetPersonRoles(p, r) => set_person_roles(tx, now, p, r)?,
            Change::RemovePerson(n) => {
                tx.execute("DELETE FROM people WHERE name = ?1", [n])?;
            }
            Change::AddCapacity(c) | Change::SetCapacity(_, c) => set_capacity(tx, now, c)?,
            Change::RemoveCapacity(k) => remove_capacity(tx, now, k)?,
            Change::AddIndicator(d, true) | Change::SetIndicator(_, d) => {
                update_indicator(tx, now, d)?
            }
            Change::AddIndicator(d, false) => add_indicator(tx, now, d)?,
            Change::RetireIndicator(k) => {
                retire_indicator(tx, k, now)?;
            }
            Change::AddSlo(d, _) | Change::SetSlo(_, d) => {
                slos::import_slo(tx, d, Some(dir), now)?;
                tx.execute("UPDATE slos SET retired_at = NULL WHERE key = ?1", [&d.key])?;
            }
            Change::RetireSlo(k) => {
                tx.execute(
                    "UPDATE slos SET retired_at = ?2 WHERE key = ?1",
                    params![k, now],
                )?;
            }
            Change::AddPlaybook(d, _) | Change::SetPlaybook(_, d) => {
                playbooks::import_playbook(tx, now, d, &format!("{dir}/playbooks/{}.toml", d.key))?;
                tx.execute(
                    "UPDATE playbooks SET retired_at = NULL WHERE key = ?1",
                    [&d.key],
                )?;
            }
            Change::RetirePlaybook(k) => {
                tx.execute(
                    "UPDATE playbooks SET retired_at = ?2 WHERE key = ?1",
                    params![k, now],
                )?;
            }
        }
    }
    audit::record(
        tx,
        now,
        "apply",
        "definition",
        Some(dir),
        &serde_json::json!({ "plan": plan.lines(dir) }),
    )
}
