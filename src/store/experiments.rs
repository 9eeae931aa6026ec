//! Experiments: their definitions, pre-registration (start), amendments and
//! conclusion. The result is computed in [`super::experiment_result`].
//!
//! A definition is stored as JSON (the domain's [`ExperimentDef`]). Starting an
//! experiment copies it to `registered_definition` with its content hash;
//! the database refuses to change those afterwards (trigger), and every later
//! change of a locked field is an amendment row with the original kept.

use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::experiment::{
    self, check_change, registration_hash, ChangeKind, Decision, ExperimentDef, ExperimentStatus,
    Field,
};
use crate::domain::Timestamp;
use crate::store::db::{Conn as Connection, Row};
use crate::text::sanitize_truncate;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// An experiment as stored, with its life so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredExperiment {
    /// Row id of the experiment.
    pub id: i64,
    /// The current definition (after any amendments).
    pub def: ExperimentDef,
    /// When it was defined (unix seconds, UTC).
    pub created_at: Timestamp,
    /// Who defined it (`experiment new`'s actor).
    pub created_by: String,
    /// When `experiment start` pre-registered it; `None` for a draft.
    pub started_at: Option<Timestamp>,
    /// Who pre-registered it; `None` for a draft.
    pub started_by: Option<String>,
    /// The definition as registered at the start (never changes).
    pub registered_def: Option<ExperimentDef>,
    /// SHA-256 of the registered definition (see
    /// [`experiment::registration_text`]).
    pub registered_hash: Option<String>,
    /// When the decision was recorded (unix seconds, UTC); `None` until concluded.
    pub concluded_at: Option<Timestamp>,
    /// The decision recorded at the conclusion.
    pub decision: Option<Decision>,
    /// The decision-log entry written at the conclusion.
    pub decision_id: Option<i64>,
}

impl StoredExperiment {
    /// Draft, running, ended or concluded at `now`.
    pub fn status(&self, now: Timestamp) -> ExperimentStatus {
        experiment::status(self.started_at, self.concluded_at, self.def.end, now)
    }

    /// Hash of the current definition: equals the registered hash unless an
    /// amendment changed a locked field.
    pub(crate) fn current_hash(&self) -> String {
        registration_hash(&self.def)
    }
}

/// A recorded change to a started experiment's locked fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amendment {
    /// When the amendment was made (unix seconds, UTC).
    pub at: Timestamp,
    /// Who made it.
    pub actor: String,
    /// Every field that differs.
    pub fields: Vec<Field>,
    /// Why, as given with `--reason` (required for locked fields).
    pub reason: String,
    /// The definition before the amendment (kept, never changed).
    pub original: ExperimentDef,
    /// The definition after the amendment.
    pub amended: ExperimentDef,
    /// SHA-256 (hex) of the definition before the amendment.
    pub original_hash: String,
    /// SHA-256 (hex) of the definition after it; the next amendment starts from this.
    pub amended_hash: String,
}

const COLUMNS: &str = "id, definition, created_at, created_by, started_at, started_by, \
    registered_definition, registered_hash, concluded_at, decision, decision_id";

fn json_error(i: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredExperiment> {
    let def: String = r.get(1)?;
    let registered: Option<String> = r.get(6)?;
    let decision: Option<String> = r.get(9)?;
    Ok(StoredExperiment {
        id: r.get(0)?,
        def: serde_json::from_str(&def).map_err(|e| json_error(1, e))?,
        created_at: r.get(2)?,
        created_by: r.get(3)?,
        started_at: r.get(4)?,
        started_by: r.get(5)?,
        registered_def: registered
            .map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|e| json_error(6, e))?,
        registered_hash: r.get(7)?,
        concluded_at: r.get(8)?,
        decision: decision.as_deref().and_then(|d| Decision::parse(d).ok()),
        decision_id: r.get(10)?,
    })
}

/// One experiment by key, on any connection (a transaction included).
pub(crate) fn load_experiment(conn: &Connection, key: &str) -> Result<Option<StoredExperiment>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM experiments WHERE key = ?1"))?
        .query_row([key], from_row)
        .optional()?)
}

/// An experiment that must exist, with a message listing the known keys.
pub(crate) fn require_experiment(conn: &Connection, key: &str) -> Result<StoredExperiment> {
    if let Some(e) = load_experiment(conn, key)? {
        return Ok(e);
    }
    let mut stmt = conn.prepare_cached("SELECT key FROM experiments ORDER BY key LIMIT 10")?;
    let known: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Err(StoreError::Invalid(format!(
        "unknown experiment '{}' ({})",
        sanitize_truncate(key, 40),
        if known.is_empty() {
            "there are none yet: create one with `opsdeck experiment new`".to_string()
        } else {
            format!("known: {}", known.join(", "))
        }
    )))
}

impl Store {
    /// The experiment with `key`, or an error listing the known keys.
    pub fn experiment(&self, key: &str) -> Result<StoredExperiment> {
        require_experiment(self.conn(), key)
    }

    /// The amendments of one experiment, oldest first.
    pub fn amendments(&self, experiment_id: i64) -> Result<Vec<Amendment>> {
        load_amendments(self.conn(), experiment_id)
    }
}

/// Every experiment, open ones first, then by start and key.
pub(crate) fn load_experiments(conn: &Connection) -> Result<Vec<StoredExperiment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM experiments ORDER BY concluded_at IS NOT NULL, start_at, key"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The amendments of one experiment, oldest first.
pub(crate) fn load_amendments(conn: &Connection, experiment_id: i64) -> Result<Vec<Amendment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, fields, reason, original, amended, original_hash, amended_hash
           FROM experiment_amendments WHERE experiment_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([experiment_id], |r| {
        let fields: String = r.get(2)?;
        let original: String = r.get(4)?;
        let amended: String = r.get(5)?;
        Ok(Amendment {
            at: r.get(0)?,
            actor: r.get(1)?,
            fields: serde_json::from_str(&fields).map_err(|e| json_error(2, e))?,
            reason: r.get(3)?,
            original: serde_json::from_str(&original).map_err(|e| json_error(4, e))?,
            amended: serde_json::from_str(&amended).map_err(|e| json_error(5, e))?,
            original_hash: r.get(6)?,
            amended_hash: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Checks a definition with the domain rules and that every indicator it
/// names exists; one line with every problem.
pub(crate) fn check_definition(conn: &Connection, def: &ExperimentDef) -> Result<()> {
    let mut problems = experiment::validate(def).err().unwrap_or_default();
    let mut keys: Vec<&str> = def.indicators.iter().map(String::as_str).collect();
    keys.extend(def.criteria.iter().map(|c| c.indicator.as_str()));
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let known: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM indicators WHERE key = ?1)")?
            .query_row([key], |r| r.get(0))?;
        if !known {
            problems.push(format!(
                "unknown indicator '{}' (see `opsdeck indicator list`)",
                sanitize_truncate(key, 40)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems.join("; ")))
    }
}

/// Stores a new draft experiment, audited; refused when the key is taken or
/// the definition is not valid.
pub(crate) fn insert_experiment(tx: &Tx<'_>, now: Timestamp, def: &ExperimentDef) -> Result<i64> {
    check_definition(tx, def)?;
    if load_experiment(tx, &def.key)?.is_some() {
        return Err(StoreError::Invalid(format!(
            "experiment '{}' already exists; choose another key or change it with `opsdeck experiment amend`",
            def.key
        )));
    }
    tx.execute(
        "INSERT INTO experiments (key, title, start_at, end_at, definition, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            def.key,
            def.title,
            def.start,
            def.end,
            to_json(def)?,
            now,
            tx.actor
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        tx,
        now,
        "create",
        "experiment",
        Some(&def.key),
        &serde_json::to_value(def).unwrap_or_default(),
    )?;
    Ok(id)
}

/// Pre-registers an experiment: from now on its hypothesis, scope, period,
/// criteria and control are locked under the returned hash. Refused when it
/// was already started or its definition is no longer valid.
pub(crate) fn start_experiment(tx: &Tx<'_>, now: Timestamp, key: &str) -> Result<StoredExperiment> {
    let e = require_experiment(tx, key)?;
    if let Some(at) = e.started_at {
        return Err(StoreError::Invalid(format!(
            "experiment '{key}' was already started at {} (registration {})",
            crate::format::rfc3339(at),
            short_hash(e.registered_hash.as_deref().unwrap_or_default())
        )));
    }
    check_definition(tx, &e.def)?;
    let hash = registration_hash(&e.def);
    tx.execute(
        "UPDATE experiments SET started_at = ?2, started_by = ?3, registered_definition = ?4,
                registered_hash = ?5 WHERE id = ?1",
        params![e.id, now, tx.actor, to_json(&e.def)?, hash],
    )?;
    audit::record(
        tx,
        now,
        "start",
        "experiment",
        Some(key),
        &serde_json::json!({ "registered_hash": hash }),
    )?;
    require_experiment(tx, key)
}

/// Changes an experiment's definition to `new`. A draft changes freely; a
/// started one may change its title, objective and indicators, and its
/// locked fields only with a non-blank `reason`, recorded as a visible
/// amendment that keeps the original. A concluded one does not change.
/// Every change is audited. Returns what kind of change it was.
pub(crate) fn change_experiment(
    tx: &Tx<'_>,
    now: Timestamp,
    key: &str,
    new: &ExperimentDef,
    reason: Option<&str>,
) -> Result<ChangeKind> {
    let e = require_experiment(tx, key)?;
    if e.concluded_at.is_some() {
        return Err(StoreError::Invalid(format!(
            "experiment '{key}' is concluded; record a new decision or a new experiment instead"
        )));
    }
    let change = check_change(&e.def, new, e.started_at.is_some(), reason)
        .map_err(|err| StoreError::Invalid(err.to_string()))?;
    if change == ChangeKind::Unchanged {
        return Ok(change);
    }
    check_definition(tx, new)?;
    tx.execute(
        "UPDATE experiments SET title = ?2, start_at = ?3, end_at = ?4, definition = ?5 WHERE id = ?1",
        params![e.id, new.title, new.start, new.end, to_json(new)?],
    )?;
    if let ChangeKind::Amendment {
        fields,
        reason,
        original_hash,
        amended_hash,
    } = &change
    {
        tx.execute(
            "INSERT INTO experiment_amendments (experiment_id, at, actor, fields, reason, original,
                    amended, original_hash, amended_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.id,
                now,
                tx.actor,
                to_json(fields)?,
                reason,
                to_json(&e.def)?,
                to_json(new)?,
                original_hash,
                amended_hash
            ],
        )?;
    }
    let action = match &change {
        ChangeKind::Amendment { .. } => "amend",
        _ => "edit",
    };
    audit::record(
        tx,
        now,
        action,
        "experiment",
        Some(key),
        &serde_json::to_value(&change).unwrap_or_default(),
    )?;
    Ok(change)
}

/// Marks a started experiment concluded with `decision`, pointing at the
/// decision-log entry `decision_id`. Refused for a draft or one already
/// concluded.
pub(crate) fn mark_concluded(
    tx: &Tx<'_>,
    now: Timestamp,
    key: &str,
    decision: Decision,
    decision_id: i64,
) -> Result<()> {
    let e = require_experiment(tx, key)?;
    check_concludable(&e)?;
    tx.execute(
        "UPDATE experiments SET concluded_at = ?2, decision = ?3, decision_id = ?4 WHERE id = ?1",
        params![e.id, now, decision.as_str(), decision_id],
    )?;
    audit::record(
        tx,
        now,
        "conclude",
        "experiment",
        Some(key),
        &serde_json::json!({ "decision": decision, "decision_id": decision_id }),
    )
}

/// Whether an experiment may be concluded: started, and not yet concluded.
pub(crate) fn check_concludable(e: &StoredExperiment) -> Result<()> {
    if e.started_at.is_none() {
        return Err(StoreError::Invalid(format!(
            "experiment '{}' was never started, so there is no result to decide on; \
             start it with `opsdeck experiment start {}`",
            e.def.key, e.def.key
        )));
    }
    if let (Some(at), Some(d)) = (e.concluded_at, e.decision) {
        return Err(StoreError::Invalid(format!(
            "experiment '{}' was already concluded at {} ({}); record a new decision that supersedes #{}",
            e.def.key,
            crate::format::rfc3339(at),
            d,
            e.decision_id.unwrap_or_default()
        )));
    }
    Ok(())
}

/// The first 12 hex digits of a hash, for lists (`show` prints it whole).
pub(crate) fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}
