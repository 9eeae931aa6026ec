//! Free-text notes attached to an indicator, alert or run, and the standup log.

use super::{audit, Result, Store, Tx};
use crate::domain::Timestamp;
use rusqlite::params;
use serde::Serialize;

/// A note someone wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// When it was written (unix seconds, UTC).
    pub at: Timestamp,
    /// Who wrote it.
    pub actor: String,
    /// The note's text, as typed (sanitise on output).
    pub text: String,
}

/// Adds a note on `entity`/`entity_id` by the transaction's actor, audited.
pub(crate) fn add_note(
    tx: &Tx<'_>,
    now: Timestamp,
    entity: &str,
    entity_id: &str,
    text: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO notes (entity, entity_id, at, actor, text) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![entity, entity_id, now, tx.actor, text],
    )?;
    audit::record(
        tx,
        now,
        "note",
        entity,
        Some(entity_id),
        &serde_json::json!({ "text": text }),
    )
}

/// Records that a standup was opened now.
pub fn record_standup(tx: &Tx<'_>, now: Timestamp) -> Result<()> {
    tx.execute(
        "INSERT INTO standups (at, actor) VALUES (?1, ?2)",
        params![now, tx.actor],
    )?;
    audit::record(tx, now, "open", "standup", None, &serde_json::json!({}))
}

/// A standup reopened within this many seconds counts as the same one.
pub(crate) const SAME_STANDUP_SECS: i64 = 3 * 3600;

impl Store {
    /// The newest `limit` notes on an entity, newest first.
    pub fn notes(&self, entity: &str, entity_id: &str, limit: usize) -> Result<Vec<Note>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT at, actor, text FROM notes WHERE entity = ?1 AND entity_id = ?2 ORDER BY at DESC, id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![entity, entity_id, limit as i64], |r| {
            Ok(Note {
                at: r.get(0)?,
                actor: r.get(1)?,
                text: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The start of the previous standup: the newest one opened more than
    /// [`SAME_STANDUP_SECS`] before `now` (reopening the view during one
    /// standup does not reset it). `None` before the first.
    pub(crate) fn previous_standup(&self, now: Timestamp) -> Result<Option<Timestamp>> {
        Ok(self.conn().query_row(
            "SELECT max(at) FROM standups WHERE at < ?1",
            [now - SAME_STANDUP_SECS],
            |r| r.get(0),
        )?)
    }
}
