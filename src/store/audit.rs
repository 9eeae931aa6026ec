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
pub fn record_raw(
    conn: &rusqlite::Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    detail: &serde_json::Value,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO audit (at, actor, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![at, actor, action, entity, entity_id, detail.to_string()])?;
    Ok(())
}

impl Store {
    /// The newest `limit` audit entries, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, at, actor, action, entity, entity_id, detail FROM audit ORDER BY id DESC LIMIT ?1",
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
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Time of the last change recorded in the audit trail.
    pub fn last_change(&self) -> Result<Option<Timestamp>> {
        Ok(self
            .conn()
            .query_row("SELECT max(at) FROM audit", [], |r| r.get(0))?)
    }
}
