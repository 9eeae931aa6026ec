//! Service level objectives: their imported, versioned definitions, the
//! events each one judges from closed work items, and the budget report.

use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::budget::{
    assess_burn, parse_slos, slo_report, BurnAssessment, ClosedItem, EventSource, ItemOutcome,
    SloDef, SloEvent, SloReport,
};
use crate::domain::flow::Outcome;
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// The migration that adds SLOs and alerts (schema file `0003_alerts.sql`).
pub(crate) const ALERTS_MIGRATION: &str = include_str!("migrations/0003_alerts.sql");

/// The starter SLOs shipped in `assets/slos.toml`.
pub(crate) const STARTER_SLOS_TOML: &str = include_str!("../../assets/slos.toml");

/// Runs after each migration step: when the step was [`ALERTS_MIGRATION`],
/// loads the starter SLOs (new and upgraded databases alike).
pub(crate) fn after_migration(
    conn: &crate::store::db::Conn,
    sql: &str,
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    if sql != ALERTS_MIGRATION {
        return Ok(());
    }
    let defs = parse_slos("assets/slos.toml", STARTER_SLOS_TOML).map_err(|errors| {
        StoreError::Invalid(
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    for (i, def) in defs.iter().enumerate() {
        upsert(conn, def, i as i64, Some("assets/slos.toml"), now, actor)?;
    }
    audit::record_raw(
        conn,
        now,
        actor,
        "create",
        "slo",
        None,
        &serde_json::json!({"file": "assets/slos.toml", "slos": defs.len()}),
    )
}

/// An SLO as stored: its definition and version.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSlo {
    /// Row id of the SLO.
    pub id: i64,
    /// 1 for the first import; each changed re-import adds one.
    pub version: i64,
    /// The definition: key, objective, window, events, burn rules.
    pub def: SloDef,
    /// When this version was imported (unix seconds, UTC).
    pub imported_at: Timestamp,
    /// Who imported this version.
    pub imported_by: String,
}

/// What importing one SLO did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ImportOutcome {
    /// A new key.
    Added,
    /// A changed definition: a new version.
    Updated {
        /// The new version number.
        version: i64,
    },
    /// The same definition as the current version.
    Unchanged,
}

fn upsert(
    conn: &crate::store::db::Conn,
    def: &SloDef,
    position: i64,
    file: Option<&str>,
    now: Timestamp,
    actor: &str,
) -> Result<ImportOutcome> {
    let json = serde_json::to_string(def).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let current: Option<(i64, i64, String)> = conn
        .query_row(
            "SELECT id, version, definition FROM slos WHERE key = ?1",
            [&def.key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (id, version, outcome) = match current {
        Some((_, _, old)) if old == json => return Ok(ImportOutcome::Unchanged),
        Some((id, version, _)) => {
            conn.execute(
                "UPDATE slos SET name = ?2, version = ?3, definition = ?4, imported_at = ?5, imported_by = ?6 WHERE id = ?1",
                params![id, def.name, version + 1, json, now, actor],
            )?;
            (
                id,
                version + 1,
                ImportOutcome::Updated {
                    version: version + 1,
                },
            )
        }
        None => {
            conn.execute(
                "INSERT INTO slos (key, name, version, definition, imported_at, imported_by, position)
                 VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)",
                params![def.key, def.name, json, now, actor, position],
            )?;
            (conn.last_insert_rowid(), 1, ImportOutcome::Added)
        }
    };
    conn.execute(
        "INSERT INTO slo_versions (slo_id, version, definition, imported_at, imported_by, file)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, version, json, now, actor, file],
    )?;
    Ok(outcome)
}

/// Imports one SLO definition (a changed definition becomes a new version;
/// the same one changes nothing), audited.
pub(crate) fn import_slo(
    tx: &Tx<'_>,
    def: &SloDef,
    file: Option<&str>,
    now: Timestamp,
) -> Result<ImportOutcome> {
    let position: i64 = tx.query_row("SELECT count(*) FROM slos", [], |r| r.get(0))?;
    let outcome = upsert(tx, def, position, file, now, tx.actor)?;
    if outcome != ImportOutcome::Unchanged {
        audit::record(
            tx,
            now,
            "import",
            "slo",
            Some(&def.key),
            &serde_json::json!({"file": file, "outcome": outcome}),
        )?;
    }
    Ok(outcome)
}

/// One SLO's standing at a time: budget, burn and each burn rule's verdict.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SloStanding {
    /// The SLO as stored.
    pub slo: StoredSlo,
    /// Budget and burn numbers at the time asked for.
    pub report: SloReport,
    /// Each burn rule's verdict (firing or not) with its numbers.
    pub assessments: Vec<BurnAssessment>,
}

impl Store {
    /// Every stored SLO, in import order.
    pub fn slos(&self) -> Result<Vec<StoredSlo>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, version, definition, imported_at, imported_by FROM slos WHERE retired_at IS NULL ORDER BY position, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, version, json, imported_at, imported_by) = row?;
            let def: SloDef = serde_json::from_str(&json)
                .map_err(|e| StoreError::Invalid(format!("stored SLO {id} is unreadable: {e}")))?;
            out.push(StoredSlo {
                id,
                version,
                def,
                imported_at,
                imported_by,
            });
        }
        Ok(out)
    }

    /// The SLO's events with `from < at <= to` (one per closed, not cancelled
    /// work item the criterion counts).
    pub(crate) fn slo_events(
        &self,
        def: &SloDef,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SloEvent>> {
        let EventSource::WorkItems {
            work_kind,
            segment,
            good,
        } = &def.source;
        // The work items the board and the flow read, shared (and kept
        // between reloads while unchanged): no second read of the same rows.
        let items = self.work_items_shared(work_kind, from)?;
        let mut events = Vec::new();
        for w in &items.items {
            let Some(closed_at) = w.closed_at.filter(|c| *c > from && *c <= to) else {
                continue;
            };
            if segment.is_some() && w.segment.as_deref() != segment.as_deref() {
                continue;
            }
            let outcome = match w.outcome {
                Some(Outcome::Cancelled) => ItemOutcome::Cancelled,
                Some(Outcome::Deviation) => ItemOutcome::Deviation,
                Some(Outcome::Defect) => ItemOutcome::Defect,
                // Closed without a recorded outcome counts as done.
                Some(Outcome::Ok) | None => ItemOutcome::Ok,
            };
            let item = ClosedItem {
                opened_at: w.opened_at,
                promised_at: w.promised_at,
                closed_at,
                outcome,
            };
            events.extend(good.judge(&item));
        }
        Ok(events)
    }

    /// `slo` as it was defined at `at`: its newest version imported at or
    /// before `at` (its first version when every version is later), so a
    /// past window is judged by the SLO in force then.
    pub(crate) fn slo_at(&self, slo: &StoredSlo, at: Timestamp) -> Result<StoredSlo> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT version, definition, imported_at, imported_by FROM slo_versions
             WHERE slo_id = ?1
             ORDER BY imported_at <= ?2 DESC,
                      CASE WHEN imported_at <= ?2 THEN -version ELSE version END
             LIMIT 1",
        )?;
        let row = stmt
            .query_row(params![slo.id, at], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        let Some((version, json, imported_at, imported_by)) = row else {
            return Ok(slo.clone());
        };
        if version == slo.version {
            return Ok(slo.clone());
        }
        let def: SloDef = serde_json::from_str(&json).map_err(|e| {
            StoreError::Invalid(format!(
                "stored SLO {} version {version} is unreadable: {e}",
                slo.id
            ))
        })?;
        Ok(StoredSlo {
            id: slo.id,
            version,
            def,
            imported_at,
            imported_by,
        })
    }

    /// Every SLO's budget, burn rates and burn-rule verdicts at `now`, each
    /// by the version of the SLO in force at `now`.
    pub(crate) fn slo_standings(&self, now: Timestamp) -> Result<Vec<SloStanding>> {
        let mut out = Vec::new();
        for current in self.slos()? {
            let slo = self.slo_at(&current, now)?;
            let widest = slo
                .def
                .burn_rules
                .iter()
                .map(|r| r.long_window_secs)
                .chain([slo.def.window_secs])
                .max()
                .unwrap_or(slo.def.window_secs);
            let events = self.slo_events(&slo.def, now - widest, now)?;
            let report = slo_report(&slo.def, &events, now);
            let assessments = assess_burn(&slo.def, &events, now);
            out.push(SloStanding {
                slo,
                report,
                assessments,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flow::WorkItem;
    use crate::domain::{DAY, HOUR};
    use crate::store::work_items::upsert_work_item;

    fn invoice(n: i64, closed: i64, outcome: Outcome) -> WorkItem {
        WorkItem {
            kind: "invoice".into(),
            external_id: format!("INV-{n}"),
            customer: None,
            segment: None,
            opened_at: closed - HOUR,
            promised_at: None,
            closed_at: Some(closed),
            outcome: Some(outcome),
            satisfaction: None,
        }
    }

    #[test]
    fn starter_slos_are_loaded_and_reimport_is_versioned() {
        let mut store = Store::open_in_memory("t").unwrap();
        let slos = store.slos().unwrap();
        let keys: Vec<_> = slos.iter().map(|s| s.def.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "on_time_fulfilment",
                "support_first_response",
                "billing_correct"
            ]
        );
        let mut def = slos[2].def.clone();
        let same = store
            .write(|tx| import_slo(tx, &def, Some("f.toml"), 10))
            .unwrap();
        assert_eq!(same, ImportOutcome::Unchanged);
        def.objective = 0.98;
        let changed = store
            .write(|tx| import_slo(tx, &def, Some("f.toml"), 10))
            .unwrap();
        assert_eq!(changed, ImportOutcome::Updated { version: 2 });
        let versions: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM slo_versions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions, 4);
    }

    #[test]
    fn a_version_1_database_gains_the_starter_slos() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(crate::store::MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&path, "t").unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::store::SCHEMA_VERSION
        );
        assert_eq!(store.slos().unwrap().len(), 3);
        assert!(store.active_alerts().unwrap().is_empty());
    }

    #[test]
    fn billing_events_come_from_invoices_and_skip_cancelled() {
        let mut store = Store::open_in_memory("t").unwrap();
        let now = 100 * DAY;
        store
            .write(|tx| -> Result<()> {
                upsert_work_item(tx, &invoice(1, now - DAY, Outcome::Ok))?;
                upsert_work_item(tx, &invoice(2, now - DAY, Outcome::Defect))?;
                upsert_work_item(tx, &invoice(3, now - DAY, Outcome::Cancelled))?;
                upsert_work_item(tx, &invoice(4, now - 40 * DAY, Outcome::Defect))?;
                Ok(())
            })
            .unwrap();
        let standing = store.slo_standings(now).unwrap();
        let billing = standing
            .iter()
            .find(|s| s.slo.def.key == "billing_correct")
            .unwrap();
        assert_eq!(billing.report.budget.counts.total, 2);
        assert_eq!(billing.report.budget.counts.good, 1);
    }
}
