//! The decision log: decisions with their evidence captured as snapshots at
//! the time of the decision, and supersede links. Append-only (triggers).

use super::board::reading_from_points;
use super::experiments::{require_experiment, StoredExperiment};
use super::export::row_to_json;
use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::decision::{
    check_supersede, experiment_evidence, indicator_evidence, validate_decision, DecisionRecord,
    Evidence, EvidenceRef,
};
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use crate::text::sanitize_truncate;
use rusqlite::{params, OptionalExtension};

/// Decisions with the later decision that superseded each, if any.
const SELECT_DECISIONS: &str = "SELECT d.id, d.at, d.actor, d.title, d.why, d.supersedes,
        (SELECT n.id FROM decisions n WHERE n.supersedes = d.id)
   FROM decisions d";

/// The Decisions view and the standup: decisions in `(?1, ?2]`, newest
/// first, each with the decision that superseded it.
pub const SQL_DECISIONS_BETWEEN: &str = "SELECT d.id, d.at, d.actor, d.title, d.why, d.supersedes,
        (SELECT n.id FROM decisions n WHERE n.supersedes = d.id)
   FROM decisions d WHERE d.at > ?1 AND d.at <= ?2 ORDER BY d.at DESC, d.id DESC";

/// The evidence of one decision, in order.
pub const SQL_DECISION_EVIDENCE: &str = "SELECT reference, captured, summary FROM decision_evidence
  WHERE decision_id = ?1 ORDER BY position";

fn decision_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<DecisionRecord> {
    Ok(DecisionRecord {
        id: r.get(0)?,
        at: r.get(1)?,
        who: r.get(2)?,
        title: r.get(3)?,
        why: r.get(4)?,
        evidence: Vec::new(),
        supersedes: r.get(5)?,
        superseded_by: r.get(6)?,
    })
}

fn with_evidence(conn: &Connection, mut d: DecisionRecord) -> Result<DecisionRecord> {
    let mut stmt = conn.prepare_cached(SQL_DECISION_EVIDENCE)?;
    let rows = stmt.query_map([d.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (reference, captured, summary) = row?;
        let reference = EvidenceRef::try_from(reference).map_err(StoreError::Invalid)?;
        d.evidence.push(Evidence {
            reference,
            captured: serde_json::from_str(&captured).unwrap_or(serde_json::Value::Null),
            summary,
        });
    }
    Ok(d)
}

/// One decision with its evidence, on any connection.
pub(crate) fn load_decision(conn: &Connection, id: i64) -> Result<Option<DecisionRecord>> {
    let d = conn
        .prepare_cached(&format!("{SELECT_DECISIONS} WHERE d.id = ?1"))?
        .query_row([id], decision_from_row)
        .optional()?;
    d.map(|d| with_evidence(conn, d)).transpose()
}

/// Decisions recorded in `(since, now]`, newest first, with evidence.
pub(crate) fn load_decisions_between(
    conn: &Connection,
    since: Timestamp,
    now: Timestamp,
) -> Result<Vec<DecisionRecord>> {
    let mut stmt = conn.prepare_cached(SQL_DECISIONS_BETWEEN)?;
    let rows: Vec<DecisionRecord> = stmt
        .query_map(params![since, now], decision_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|d| with_evidence(conn, d)).collect()
}

/// Records a decision with its (already captured) evidence, audited.
/// Refused when the title or reason is blank or too long, or when the
/// decision it supersedes does not exist or was already superseded.
pub(crate) fn insert_decision(
    tx: &Tx<'_>,
    now: Timestamp,
    title: &str,
    why: &str,
    evidence: &[Evidence],
    supersedes: Option<i64>,
) -> Result<i64> {
    validate_decision(title, why).map_err(|e| StoreError::Invalid(e.join("; ")))?;
    if let Some(old) = supersedes {
        let target = load_decision(tx, old)?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "--supersedes {old}: there is no decision #{old} (see `opsdeck decision list`)"
            ))
        })?;
        check_supersede(&target).map_err(StoreError::Invalid)?;
    }
    tx.execute(
        "INSERT INTO decisions (at, actor, title, why, supersedes) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now, tx.actor, title, why, supersedes],
    )?;
    let id = tx.last_insert_rowid();
    for (position, e) in evidence.iter().enumerate() {
        tx.execute(
            "INSERT INTO decision_evidence (decision_id, position, reference, captured, summary)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                position as i64,
                e.reference.to_string(),
                e.captured.to_string(),
                e.summary
            ],
        )?;
    }
    let refs: Vec<String> = evidence.iter().map(|e| e.reference.to_string()).collect();
    audit::record(
        tx,
        now,
        "decide",
        "decision",
        Some(&id.to_string()),
        &serde_json::json!({ "title": title, "evidence": refs, "supersedes": supersedes }),
    )?;
    Ok(id)
}

impl Store {
    /// Every decision, newest first, with evidence and supersede links.
    pub fn decisions(&self) -> Result<Vec<DecisionRecord>> {
        load_decisions_between(self.conn(), Timestamp::MIN, Timestamp::MAX)
    }

    /// Captures the evidence for `refs` as it stands at `now`: an indicator's
    /// value and status over its window, an experiment's computed result
    /// (with its registration hash), an alert's row. Refused, naming the
    /// reference, when something does not exist.
    pub(crate) fn capture_evidence(
        &self,
        refs: &[EvidenceRef],
        now: Timestamp,
    ) -> Result<Vec<Evidence>> {
        refs.iter().map(|r| self.capture_one(r, now)).collect()
    }

    fn capture_one(&self, reference: &EvidenceRef, now: Timestamp) -> Result<Evidence> {
        match reference {
            EvidenceRef::Indicator(key) => {
                let ind = self.indicator_required(key)?;
                let from = now.saturating_sub(2 * ind.def.window_secs);
                let points = self.indicator_history(ind.id, &ind.def, from, now)?;
                let r = reading_from_points(ind.id, &ind.def, &points, now);
                let mut e = indicator_evidence(key, r.value, &ind.def.unit, r.status, Some(now));
                if let serde_json::Value::Object(map) = &mut e.captured {
                    map.insert("events".into(), serde_json::json!(r.events));
                    map.insert("window_secs".into(), serde_json::json!(ind.def.window_secs));
                }
                Ok(e)
            }
            EvidenceRef::Experiment(key) => {
                let x = require_experiment(self.conn(), key)?;
                self.capture_experiment(&x, now)
            }
            EvidenceRef::Alert(id) => self.capture_alert(*id),
        }
    }

    /// An experiment's result computed at `now`, with its registration
    /// hash, current hash and what it was compared with.
    pub(crate) fn capture_experiment(
        &self,
        x: &StoredExperiment,
        now: Timestamp,
    ) -> Result<Evidence> {
        let eval = self.evaluate_experiment(&x.def, now)?;
        let mut e = experiment_evidence(&x.def.key, &eval.result);
        if let serde_json::Value::Object(map) = &mut e.captured {
            map.insert(
                "registered_hash".into(),
                serde_json::json!(x.registered_hash),
            );
            map.insert("current_hash".into(), serde_json::json!(x.current_hash()));
            map.insert(
                "compared_with".into(),
                serde_json::json!(eval.basis.compared_with),
            );
        }
        Ok(e)
    }

    /// An alert's whole row as it stands now. The alerts table comes with the
    /// alerts feature; without it, `alert:` evidence is refused.
    // TODO(alerts): once the alerts store is merged, capture its typed alert
    // (state, level, cause) instead of the generic row.
    fn capture_alert(&self, id: i64) -> Result<Evidence> {
        let has_alerts = self.conn().tables()?.iter().any(|t| t == "alerts");
        if !has_alerts {
            return Err(StoreError::Invalid(format!(
                "alert:{id}: this database has no alerts yet, so alert evidence cannot be captured; \
                 use indicator:KEY or experiment:KEY"
            )));
        }
        // The columns by name (not `*`: on PostgreSQL the table also has
        // its generated `rowid`, which is no part of the alert).
        let names = self.conn().columns("alerts")?;
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {} FROM alerts WHERE id = ?1",
            names.join(", ")
        ))?;
        let row = stmt
            .query_row([id], |r| row_to_json(r, &names))
            .optional()?
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "alert:{id}: there is no alert #{id} (see `opsdeck alert list`)"
                ))
            })?;
        let text = |k: &str| {
            row.get(k)
                .and_then(|v| v.as_str())
                .map(|s| sanitize_truncate(s, 60))
        };
        let state = text("state").or_else(|| text("status")).unwrap_or_default();
        let title = text("title").unwrap_or_default();
        Ok(Evidence {
            reference: EvidenceRef::Alert(id),
            summary: format!("alert #{id} {title} ({state})"),
            captured: serde_json::Value::Object(row),
        })
    }
}
