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

    /// The newest `limit` notes on each of the entities `ids` (numbered
    /// ones: runs, alerts), newest first, by id: one statement for all.
    pub(crate) fn notes_each(
        &self,
        entity: &str,
        ids: &[i64],
        limit: usize,
    ) -> Result<std::collections::HashMap<i64, Vec<Note>>> {
        let mut out: std::collections::HashMap<i64, Vec<Note>> = Default::default();
        if ids.is_empty() {
            return Ok(out);
        }
        // Integers only are written into the text, as the text ids are.
        let list = ids
            .iter()
            .map(|id| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(",");
        let mut stmt = self.conn().prepare(&format!(
            "SELECT entity_id, at, actor, text FROM (
                 SELECT entity_id, at, actor, text,
                        row_number() OVER (PARTITION BY entity_id ORDER BY at DESC, id DESC) AS n
                   FROM notes WHERE entity = ?1 AND entity_id IN ({list})) newest
              WHERE n <= ?2 ORDER BY entity_id, n"
        ))?;
        let rows = stmt.query_map(params![entity, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Note {
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    text: r.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (id, note) = row?;
            if let Ok(id) = id.parse() {
                out.entry(id).or_default().push(note);
            }
        }
        Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn notes_each_gives_every_entity_its_own_newest_as_notes_does() {
        let mut store = Store::open_in_memory_at("ana", 1_000).unwrap();
        store
            .write(|tx| -> Result<()> {
                // Run 7 has five notes (two at the same second), run 8 two,
                // run 9 none; an alert numbered 7 has one that is not a run's.
                for (i, at) in [100, 200, 300, 300, 400].into_iter().enumerate() {
                    add_note(tx, at, "run", "7", &format!("seven {i}"))?;
                }
                add_note(tx, 150, "run", "8", "eight a")?;
                add_note(tx, 250, "run", "8", "eight b")?;
                add_note(tx, 500, "alert", "7", "not a run's")?;
                Ok(())
            })
            .unwrap();
        let each = store.notes_each("run", &[7, 8, 9], 3).unwrap();
        let texts = |id: i64| -> Vec<String> {
            each.get(&id)
                .map(|n| n.iter().map(|n| n.text.clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(texts(7), ["seven 4", "seven 3", "seven 2"]);
        assert_eq!(texts(8), ["eight b", "eight a"]);
        assert!(texts(9).is_empty());
        for id in [7, 8, 9] {
            let one = store.notes("run", &id.to_string(), 3).unwrap();
            assert_eq!(
                one.iter().map(|n| n.text.clone()).collect::<Vec<_>>(),
                texts(id),
                "run {id}"
            );
        }
        assert!(store.notes_each("run", &[], 3).unwrap().is_empty());
    }
}
