//! Roles and the people who hold them. A role held by fewer than two people
//! is a single point of failure: one absence and nobody can do the work.

use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// Longest person name, in characters.
pub(crate) const MAX_PERSON_CHARS: usize = 100;

/// A role with the people assigned to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleHolders {
    /// Stable key (`fulfilment`), as playbooks name it.
    pub key: String,
    /// Name shown on screens (`Fulfilment`).
    pub name: String,
    /// Holders' names, sorted.
    pub people: Vec<String>,
}

impl RoleHolders {
    /// Fewer than two people hold the role (none at all included).
    pub(crate) fn is_single_point_of_failure(&self) -> bool {
        self.people.len() < 2
    }
}

/// Checks a person's name as typed: trimmed, not empty, no control or
/// invisible characters, at most [`MAX_PERSON_CHARS`].
pub(crate) fn clean_person(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("the person's name is empty".into()));
    }
    if crate::text::sanitize(name) != name {
        return Err(StoreError::Invalid(format!(
            "the person's name '{}' contains control or invisible characters",
            crate::text::sanitize_truncate(name, 40)
        )));
    }
    if name.chars().count() > MAX_PERSON_CHARS {
        return Err(StoreError::Invalid(format!(
            "the person's name is longer than {MAX_PERSON_CHARS} characters"
        )));
    }
    Ok(name.to_string())
}

fn role_id(tx: &Tx<'_>, role: &str) -> Result<i64> {
    let id: Option<i64> = tx
        .query_row("SELECT id FROM roles WHERE key = ?1", [role], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => Ok(id),
        None => {
            let mut stmt = tx.prepare_cached("SELECT key FROM roles ORDER BY id")?;
            let known = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Err(StoreError::Invalid(format!(
                "unknown role '{}' (known roles: {})",
                crate::text::sanitize_truncate(role, 40),
                known.join(", ")
            )))
        }
    }
}

/// Adds a person (holding no role yet); an error when they exist. Audited.
pub(crate) fn add_person(tx: &Tx<'_>, now: Timestamp, person: &str) -> Result<()> {
    let person = clean_person(person)?;
    let added = tx.execute(
        "INSERT INTO people (name) VALUES (?1) ON CONFLICT(name) DO NOTHING",
        [&person],
    )? > 0;
    if !added {
        return Err(StoreError::Invalid(format!(
            "{} is already a person of the operation (give roles with `opsdeck role assign`)",
            crate::text::sanitize(&person)
        )));
    }
    audit::record(
        tx,
        now,
        "add",
        "person",
        Some(&person),
        &serde_json::json!({}),
    )
}

/// Assigns `person` (created when new) to `role`. Returns false, writing
/// nothing, when they already hold it. Audited.
pub fn assign(tx: &Tx<'_>, now: Timestamp, person: &str, role: &str) -> Result<bool> {
    let person = clean_person(person)?;
    let role_id = role_id(tx, role)?;
    tx.execute(
        "INSERT INTO people (name) VALUES (?1) ON CONFLICT(name) DO NOTHING",
        [&person],
    )?;
    let added = tx.execute(
        "INSERT INTO role_assignments (role_id, person_id, assigned_at)
         SELECT ?1, id, ?3 FROM people WHERE name = ?2
         ON CONFLICT DO NOTHING",
        params![role_id, person, now],
    )? > 0;
    if added {
        audit::record(
            tx,
            now,
            "assign",
            "role",
            Some(role),
            &serde_json::json!({ "person": person }),
        )?;
    }
    Ok(added)
}

/// Takes `role` from `person`; an error when they do not hold it. Audited.
pub fn unassign(tx: &Tx<'_>, now: Timestamp, person: &str, role: &str) -> Result<()> {
    let person = clean_person(person)?;
    let role_id = role_id(tx, role)?;
    let removed = tx.execute(
        "DELETE FROM role_assignments WHERE role_id = ?1
         AND person_id = (SELECT id FROM people WHERE name = ?2)",
        params![role_id, person],
    )?;
    if removed == 0 {
        return Err(StoreError::Invalid(format!(
            "{} does not hold the role '{role}'",
            crate::text::sanitize(&person)
        )));
    }
    audit::record(
        tx,
        now,
        "unassign",
        "role",
        Some(role),
        &serde_json::json!({ "person": person }),
    )
}

impl Store {
    /// The people of the operation (with or without roles), in the order
    /// they were added: the standup's speakers.
    pub fn people(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name FROM people ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every role in creation order with its holders.
    pub fn roles(&self) -> Result<Vec<RoleHolders>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.key, r.name, p.name FROM roles r
             LEFT JOIN role_assignments a ON a.role_id = r.id
             LEFT JOIN people p ON p.id = a.person_id
             ORDER BY r.id, p.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut roles: Vec<RoleHolders> = Vec::new();
        for row in rows {
            let (key, name, person) = row?;
            if roles.last().map(|r| &r.key) != Some(&key) {
                roles.push(RoleHolders {
                    key,
                    name,
                    people: Vec::new(),
                });
            }
            if let (Some(p), Some(role)) = (person, roles.last_mut()) {
                role.people.push(p);
            }
        }
        Ok(roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holders(store: &Store, key: &str) -> RoleHolders {
        store
            .roles()
            .unwrap()
            .into_iter()
            .find(|r| r.key == key)
            .unwrap()
    }

    #[test]
    fn assign_and_unassign_flag_single_points_of_failure() {
        let mut store = Store::open_in_memory("t").unwrap();
        assert!(holders(&store, "finance").is_single_point_of_failure());
        assert!(store.write(|tx| assign(tx, 1, "Fay", "finance")).unwrap());
        assert!(!store.write(|tx| assign(tx, 2, " Fay ", "finance")).unwrap());
        assert!(holders(&store, "finance").is_single_point_of_failure());
        store.write(|tx| assign(tx, 3, "Gus", "finance")).unwrap();
        let f = holders(&store, "finance");
        assert_eq!(f.people, ["Fay", "Gus"]);
        assert!(!f.is_single_point_of_failure());
        store.write(|tx| unassign(tx, 4, "Gus", "finance")).unwrap();
        assert!(holders(&store, "finance").is_single_point_of_failure());
        let audit = store.audit_recent(1).unwrap();
        assert_eq!(
            (audit[0].action.as_str(), audit[0].actor.as_str()),
            ("unassign", "t")
        );
    }

    #[test]
    fn refusals_are_one_line_and_write_nothing() {
        let mut store = Store::open_in_memory("t").unwrap();
        let err = |r: Result<bool>| r.unwrap_err().to_string();
        assert!(err(store.write(|tx| assign(tx, 1, "Fay", "sales")))
            .contains("unknown role 'sales' (known roles: demand,"));
        assert!(err(store.write(|tx| assign(tx, 1, "  ", "finance"))).contains("empty"));
        assert!(
            err(store.write(|tx| assign(tx, 1, "F\u{1b}[2Jay", "finance"))).contains("control")
        );
        let e = store
            .write(|tx| unassign(tx, 1, "Fay", "finance"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "Fay does not hold the role 'finance'");
        let people: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
            .unwrap();
        assert_eq!(people, 0);
    }
}
