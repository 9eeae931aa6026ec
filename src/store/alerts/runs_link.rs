//! Alerts and checklist runs: overdue runs raise alerts, a critical alert
//! that names a playbook starts a run linked to it, and escalation paths come
//! from the relevant playbook when there is one.

use super::append_event;
use crate::domain::alert_rules::{overdue_run_alert, AlertCandidate, RunLateness};
use crate::domain::escalation::{default_escalation_path, validate_path, EscalationStep};
use crate::domain::playbook::{EscalationLevel, EscalationTarget};
use crate::domain::Timestamp;
use crate::store::playbooks::parse_definition;
use crate::store::runs::{load_run, start_run, RunFilter, RunState};
use crate::store::{Result, Store, Tx};
use rusqlite::{Connection, OptionalExtension};

/// The escalation path of an alert owned by `owner`: the owner at once,
/// then the playbook's levels (a level due at once replaces the owner); the
/// default path when the playbook gives none or an invalid one.
pub fn path_from_levels(owner: Option<&str>, levels: &[EscalationLevel]) -> Vec<EscalationStep> {
    let mut path = default_escalation_path(owner);
    path.truncate(1);
    for level in levels {
        let target = match &level.target {
            EscalationTarget::Role(r) | EscalationTarget::Person(r) => r.clone(),
        };
        let step = EscalationStep {
            after_secs: level.after_secs.max(0),
            target,
        };
        if step.after_secs == 0 && path.len() == 1 {
            path[0] = step;
        } else if path.last().map(|s| &s.target) != Some(&step.target) {
            path.push(step);
        }
    }
    if levels.is_empty() || validate_path(&path).is_err() {
        return default_escalation_path(owner);
    }
    path
}

/// The path for an alert naming playbook `key` (its newest version), or
/// the default path when it names none or an unknown one.
pub fn path_for(
    conn: &Connection,
    owner: Option<&str>,
    playbook: Option<&str>,
) -> Result<Vec<EscalationStep>> {
    let Some(key) = playbook else {
        return Ok(default_escalation_path(owner));
    };
    let newest: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT v.version, v.definition FROM playbooks p
             JOIN playbook_versions v ON v.playbook_id = p.id
             WHERE p.key = ?1 ORDER BY v.version DESC LIMIT 1",
        )?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match newest {
        Some((version, json)) => {
            let def = parse_definition(key, version, &json)?;
            path_from_levels(owner, &def.escalation)
        }
        None => default_escalation_path(owner),
    })
}

/// An overdue-run candidate with its owner (the current step's role) and
/// escalation path (its playbook's).
pub struct OverdueRun {
    pub candidate: AlertCandidate,
    pub owner: Option<String>,
    pub path: Vec<EscalationStep>,
}

/// One candidate per open run that is late at `now`.
pub fn overdue_run_candidates(store: &Store, now: Timestamp) -> Result<Vec<OverdueRun>> {
    let mut out = Vec::new();
    for run in store.runs(RunFilter::Open)? {
        let Some(late_secs) = run.late_by(now) else {
            continue;
        };
        let lateness = RunLateness {
            run_id: run.id,
            playbook_key: &run.key,
            late_secs,
        };
        let Some(candidate) = overdue_run_alert(&lateness) else {
            continue;
        };
        let owner = run.current_step().map(|(_, s)| s.owner.clone());
        let path = path_from_levels(owner.as_deref(), &run.def().escalation);
        out.push(OverdueRun {
            candidate,
            owner,
            path,
        });
    }
    Ok(out)
}

/// Starts a run of the alert's playbook and links it (`alerts.run_id`).
/// A playbook that cannot be started is noted in the alert's history and
/// does not stop the evaluation. Returns the run id when one started.
pub fn start_linked_run(
    tx: &Tx<'_>,
    alert_id: i64,
    playbook: &str,
    title: &str,
    now: Timestamp,
) -> Result<Option<i64>> {
    let context = crate::text::sanitize_truncate(&format!("alert #{alert_id}: {title}"), 200);
    match start_run(tx, now, playbook, Some(&context), None) {
        Ok(run) => {
            tx.execute(
                "UPDATE alerts SET run_id = ?2 WHERE id = ?1",
                rusqlite::params![alert_id, run.id],
            )?;
            let note = format!("run #{} of {} ({} items)", run.id, run.key, run.items);
            append_event(tx, alert_id, now, "run_started", None, Some(&note))?;
            Ok(Some(run.id))
        }
        Err(crate::store::runs::RunError::Store(e)) => Err(e),
        Err(e) => {
            let note = format!("could not start a run of {playbook}: {e}");
            append_event(tx, alert_id, now, "run_failed", None, Some(&note))?;
            Ok(None)
        }
    }
}

/// A linked run's progress, for the alert's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLink {
    pub id: i64,
    pub playbook: String,
    pub done: usize,
    pub skipped: usize,
    pub total: usize,
    /// `open`, `done` or `cancelled`.
    pub state: &'static str,
    /// Late at the time of loading.
    pub overdue: bool,
}

/// The progress of run `id`, if it exists.
pub fn run_link(conn: &Connection, id: i64, now: Timestamp) -> Result<Option<RunLink>> {
    let Some(run) = load_run(conn, id)? else {
        return Ok(None);
    };
    let p = run.progress();
    Ok(Some(RunLink {
        id,
        playbook: crate::text::sanitize(&run.key),
        done: p.done,
        skipped: p.skipped,
        total: p.total,
        state: run.state.word(),
        overdue: run.state == RunState::Open && run.late_by(now).is_some(),
    }))
}

impl crate::store::Store {
    /// The checklist run `id` as linked from an alert, with its progress.
    pub fn run_link(&self, id: i64, now: Timestamp) -> Result<Option<RunLink>> {
        run_link(self.conn(), id, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(after_secs: i64, role: &str) -> EscalationLevel {
        EscalationLevel {
            after_secs,
            target: EscalationTarget::Role(role.into()),
        }
    }

    #[test]
    fn the_owner_first_then_the_playbook_levels() {
        let p = path_from_levels(
            Some("fulfilment"),
            &[level(900, "support"), level(1800, "ops-lead")],
        );
        let t: Vec<_> = p
            .iter()
            .map(|s| (s.after_secs, s.target.as_str()))
            .collect();
        assert_eq!(t, [(0, "fulfilment"), (900, "support"), (1800, "ops-lead")]);
        // A level due at once replaces the owner; a repeated target is dropped.
        let p = path_from_levels(
            Some("support"),
            &[level(0, "ops-lead"), level(60, "ops-lead")],
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].target, "ops-lead");
        assert_eq!(path_from_levels(None, &[]), default_escalation_path(None));
    }
}
