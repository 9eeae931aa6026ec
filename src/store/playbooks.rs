//! Playbooks in the database: the starter set every new database gets,
//! imports that add a version when a definition changed, and the queries of
//! `playbook list|show` and the cockpit.

use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::playbook::{parse_playbook, PlaybookDef};
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// The starter playbooks shipped in `assets/playbooks/`: (file name, TOML).
pub(crate) const STARTER_PLAYBOOKS: &[(&str, &str)] = &[
    (
        "order-fulfilment.toml",
        include_str!("../../assets/playbooks/order-fulfilment.toml"),
    ),
    (
        "support-ticket.toml",
        include_str!("../../assets/playbooks/support-ticket.toml"),
    ),
    (
        "daily-standup.toml",
        include_str!("../../assets/playbooks/daily-standup.toml"),
    ),
    (
        "incident-response.toml",
        include_str!("../../assets/playbooks/incident-response.toml"),
    ),
    (
        "weekly-ops-review.toml",
        include_str!("../../assets/playbooks/weekly-ops-review.toml"),
    ),
];

/// One stored version of a playbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaybookVersion {
    /// Row id of the version (what runs point at).
    pub id: i64,
    /// The playbook's key.
    pub key: String,
    /// Store-assigned version, 1 for the first import.
    pub version: i64,
    /// The definition as imported.
    pub def: PlaybookDef,
    /// The file it came from (as given to import).
    pub source: String,
    /// When it was imported, unix seconds.
    pub imported_at: Timestamp,
    /// Who imported it.
    pub imported_by: String,
}

/// A playbook as `playbook list` and the cockpit show it: its newest version
/// and what is going on with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaybookSummary {
    /// Playbook key (what `playbook show` and `run start` take).
    pub key: String,
    /// Human name of the playbook.
    pub name: String,
    /// Newest version number.
    pub version: i64,
    /// How many versions have been imported.
    pub versions: i64,
    /// Number of steps in the newest version.
    pub steps: usize,
    /// Number of checklist items over all its steps.
    pub items: usize,
    /// When the newest version is due for review, unix seconds.
    pub review_due_at: Timestamp,
    /// Past its review date at the `now` of the query.
    pub past_review: bool,
    /// Runs of any version still open.
    pub open_runs: i64,
    /// When the newest version was imported (unix seconds, UTC).
    pub imported_at: Timestamp,
    /// Who imported the newest version.
    pub imported_by: String,
    /// The newest version's definition: steps, criteria, tolerances.
    #[serde(skip)]
    pub def: PlaybookDef,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum ImportOutcome {
    /// A playbook the database did not have: version 1.
    Created {
        /// The version written: 1.
        version: i64,
    },
    /// The definition changed: a new version; runs of `previous` keep it.
    NewVersion {
        /// The new version number.
        version: i64,
        /// The version it replaces (runs already started keep following it).
        previous: i64,
    },
    /// Identical to the newest version: nothing written.
    Unchanged {
        /// The newest version, unchanged.
        version: i64,
    },
}

/// Imports a validated definition: a new playbook gets version 1, a changed
/// definition the next version, an identical one nothing (not even an audit
/// entry). Audited in the same transaction.
pub(crate) fn import_playbook(
    tx: &Tx<'_>,
    now: Timestamp,
    def: &PlaybookDef,
    source: &str,
) -> Result<ImportOutcome> {
    let outcome = import_raw(tx, tx.actor, now, def, source)?;
    if !matches!(outcome, ImportOutcome::Unchanged { .. }) {
        audit::record(
            tx,
            now,
            "import",
            "playbook",
            Some(&def.key),
            &serde_json::json!({ "source": source, "result": outcome }),
        )?;
    }
    Ok(outcome)
}

fn import_raw(
    conn: &Connection,
    actor: &str,
    now: Timestamp,
    def: &PlaybookDef,
    source: &str,
) -> Result<ImportOutcome> {
    let json = serde_json::to_string(def)
        .map_err(|e| StoreError::Invalid(format!("playbook {}: {e}", def.key)))?;
    let latest: Option<(i64, i64, String)> = conn
        .query_row(
            "SELECT p.id, v.version, v.definition FROM playbooks p
             JOIN playbook_versions v ON v.playbook_id = p.id
             WHERE p.key = ?1 ORDER BY v.version DESC LIMIT 1",
            [&def.key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (playbook_id, version, outcome) = match latest {
        Some((_, v, old)) if old == json => return Ok(ImportOutcome::Unchanged { version: v }),
        Some((id, v, _)) => (
            id,
            v + 1,
            ImportOutcome::NewVersion {
                version: v + 1,
                previous: v,
            },
        ),
        None => {
            conn.execute(
                "INSERT INTO playbooks (key, created_at) VALUES (?1, ?2)
                 ON CONFLICT(key) DO NOTHING",
                params![def.key, now],
            )?;
            let id: i64 =
                conn.query_row("SELECT id FROM playbooks WHERE key = ?1", [&def.key], |r| {
                    r.get(0)
                })?;
            (id, 1, ImportOutcome::Created { version: 1 })
        }
    };
    conn.execute(
        "INSERT INTO playbook_versions
           (playbook_id, version, name, definition, review_due_at, source, imported_at, imported_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            playbook_id,
            version,
            def.name,
            json,
            def.review_due_at(),
            source,
            now,
            actor
        ],
    )?;
    Ok(outcome)
}

/// Imports the starter playbooks into a database being migrated to schema 2.
/// A starter playbook that does not validate against the database's roles
/// (an older database whose roles were changed) is left out and the reason
/// audited, rather than failing the upgrade.
pub(crate) fn seed_starter_playbooks(tx: &Tx<'_>, now: Timestamp) -> Result<()> {
    let roles = role_keys(tx)?;
    let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
    let mut imported = Vec::new();
    let mut left_out = Vec::new();
    let today = chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    for (file, text) in STARTER_PLAYBOOKS {
        let source = format!("assets/playbooks/{file}");
        // A new database's starter playbooks count their review from its
        // creation, not from the date written in the shipped file.
        let text = reviewed_on(text, today);
        match parse_playbook(&source, &text, &roles) {
            Ok(def) => {
                import_raw(tx, tx.actor, now, &def, &source)?;
                imported.push(def.key);
            }
            Err(errors) => left_out.push(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    }
    audit::record(
        tx,
        now,
        "create",
        "playbook",
        None,
        &serde_json::json!({ "schema": 2, "starter": imported, "left_out": left_out }),
    )
}

/// A playbook's TOML with its `last_reviewed` line set to `day`.
pub(crate) fn reviewed_on(text: &str, day: chrono::NaiveDate) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("last_reviewed") {
            out.push_str(&format!("last_reviewed = {}\n", day.format("%Y-%m-%d")));
        } else {
            out.push_str(line);
        }
    }
    out
}

fn role_keys(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT key FROM roles ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads a stored definition; a damaged one is an error naming the version.
pub(crate) fn parse_definition(key: &str, version: i64, json: &str) -> Result<PlaybookDef> {
    serde_json::from_str(json).map_err(|e| {
        StoreError::Invalid(format!(
            "playbook {key} version {version}: the stored definition is unreadable ({e})"
        ))
    })
}

const SQL_VERSION_SELECT: &str =
    "SELECT v.id, p.key, v.version, v.definition, v.source, v.imported_at, v.imported_by";
const SQL_VERSION_FROM: &str = "FROM playbooks p JOIN playbook_versions v ON v.playbook_id = p.id";

/// A version row before its definition is parsed.
struct RawVersion {
    id: i64,
    key: String,
    version: i64,
    json: String,
    source: String,
    imported_at: Timestamp,
    imported_by: String,
}

fn version_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<RawVersion> {
    Ok(RawVersion {
        id: r.get(0)?,
        key: r.get(1)?,
        version: r.get(2)?,
        json: r.get(3)?,
        source: r.get(4)?,
        imported_at: r.get(5)?,
        imported_by: r.get(6)?,
    })
}

fn finish(raw: RawVersion) -> Result<PlaybookVersion> {
    Ok(PlaybookVersion {
        def: parse_definition(&raw.key, raw.version, &raw.json)?,
        id: raw.id,
        key: raw.key,
        version: raw.version,
        source: raw.source,
        imported_at: raw.imported_at,
        imported_by: raw.imported_by,
    })
}

/// The newest version of a playbook on any connection (a transaction
/// included); `None` when there is no such key.
pub(crate) fn latest_playbook(conn: &Connection, key: &str) -> Result<Option<PlaybookVersion>> {
    let sql = format!(
        "{SQL_VERSION_SELECT} {SQL_VERSION_FROM} WHERE p.key = ?1 ORDER BY v.version DESC LIMIT 1"
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row([key], version_from_row)
        .optional()?;
    row.map(finish).transpose()
}

/// Dates the adoption of every playbook's first version at `at`. Only for
/// scripted histories that begin in the past (the demo, the benchmark
/// dataset): a real database records the moment a playbook was imported.
/// The first versions also count as reviewed the day before `at`.
pub(crate) fn backdate_adoption(tx: &Tx<'_>, at: Timestamp) -> Result<()> {
    tx.execute(
        "UPDATE playbook_versions SET imported_at = ?1 WHERE version = 1",
        [at],
    )?;
    tx.execute("UPDATE playbooks SET created_at = ?1", [at])?;
    let reviewed = chrono::DateTime::from_timestamp(at - crate::domain::DAY, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let firsts: Vec<(i64, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT v.id, p.key, v.definition FROM playbook_versions v
             JOIN playbooks p ON p.id = v.playbook_id WHERE v.version = 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, key, json) in firsts {
        let mut def = parse_definition(&key, 1, &json)?;
        def.last_reviewed = reviewed;
        let json = serde_json::to_string(&def).map_err(|e| StoreError::Invalid(e.to_string()))?;
        tx.execute(
            "UPDATE playbook_versions SET definition = ?2, review_due_at = ?3 WHERE id = ?1",
            rusqlite::params![id, json, def.review_due_at()],
        )?;
    }
    Ok(())
}

impl Store {
    /// The role keys, in the order they were created: what playbooks may name.
    pub(crate) fn role_keys(&self) -> Result<Vec<String>> {
        role_keys(self.conn())
    }

    /// The newest version of a playbook; `None` when there is no such key.
    pub fn playbook(&self, key: &str) -> Result<Option<PlaybookVersion>> {
        latest_playbook(self.conn(), key)
    }

    /// Every version of a playbook, oldest first.
    pub fn playbook_versions(&self, key: &str) -> Result<Vec<PlaybookVersion>> {
        let sql =
            format!("{SQL_VERSION_SELECT} {SQL_VERSION_FROM} WHERE p.key = ?1 ORDER BY v.version");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt
            .query_map([key], version_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish).collect()
    }

    /// Every playbook's newest version with its review flag at `now` and its
    /// open runs, by key.
    pub fn playbooks(&self, now: Timestamp) -> Result<Vec<PlaybookSummary>> {
        let sql = format!(
            "{SQL_VERSION_SELECT},
             (SELECT count(*) FROM playbook_versions c WHERE c.playbook_id = p.id),
             (SELECT count(*) FROM checklist_runs r JOIN playbook_versions o ON o.id = r.version_id
               WHERE r.state = 'open' AND o.playbook_id = p.id)
             {SQL_VERSION_FROM} WHERE v.version = (SELECT max(m.version) FROM playbook_versions m WHERE m.playbook_id = p.id)
               AND p.retired_at IS NULL
             ORDER BY p.key"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    version_from_row(r)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(row, versions, open_runs)| {
                let v = finish(row)?;
                Ok(PlaybookSummary {
                    def: v.def.clone(),
                    name: v.def.name.clone(),
                    steps: v.def.steps.len(),
                    items: v.def.item_count(),
                    review_due_at: v.def.review_due_at(),
                    past_review: v.def.is_past_review(now),
                    key: v.key,
                    version: v.version,
                    versions,
                    open_runs,
                    imported_at: v.imported_at,
                    imported_by: v.imported_by,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
