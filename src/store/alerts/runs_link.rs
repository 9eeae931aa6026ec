//! Alerts and checklist runs: overdue runs raise alerts, a critical alert
//! that names a playbook starts a run linked to it, and escalation paths come
//! from the relevant playbook when there is one.

use super::append_event;
use crate::definition::AlertDefaults;
use crate::domain::alert_rules::{overdue_run_alert, AlertCandidate, RunLateness};
use crate::domain::escalation::{default_escalation_path, validate_path, EscalationStep};
use crate::domain::playbook::{EscalationLevel, EscalationTarget};
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use crate::store::definition::alert_defaults;
use crate::store::playbooks::parse_definition;
use crate::store::runs::{load_run, start_run, RunFilter, RunState};
use crate::store::{Result, Store, Tx};
use rusqlite::OptionalExtension;

/// The escalation path of an alert owned by `owner`: the owner at once,
/// then the playbook's levels (a level due at once replaces the owner); the
/// operation's default path ([`operation_path`]) when the playbook gives none
/// or an invalid one.
pub fn path_from_levels(
    owner: Option<&str>,
    levels: &[EscalationLevel],
    defaults: &AlertDefaults,
) -> Vec<EscalationStep> {
    if levels.is_empty() {
        return operation_path(owner, defaults);
    }
    let path = owner_then(owner, levels, true);
    if validate_path(&path).is_err() {
        return operation_path(owner, defaults);
    }
    path
}

/// The path an alert takes when no playbook gives one: the owner at once,
/// then the operation's `[alerts]` levels (only the owner when it lists
/// none; a level naming the owner again is kept, as the built-in path keeps
/// `ops-lead` twice for an alert `ops-lead` owns); the built-in path if the
/// stored levels do not make a valid path.
pub fn operation_path(owner: Option<&str>, defaults: &AlertDefaults) -> Vec<EscalationStep> {
    let levels: Vec<EscalationLevel> = defaults
        .escalation
        .iter()
        .map(|l| EscalationLevel {
            after_secs: l.after_secs,
            target: l.target.clone(),
        })
        .collect();
    let path = owner_then(owner, &levels, false);
    if validate_path(&path).is_err() {
        return default_escalation_path(owner);
    }
    path
}

/// The owner at once, then `levels` (a level due at once replaces the
/// owner; with `dedupe`, a target repeated right after itself is dropped).
fn owner_then(
    owner: Option<&str>,
    levels: &[EscalationLevel],
    dedupe: bool,
) -> Vec<EscalationStep> {
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
        } else if !dedupe || path.last().map(|s| &s.target) != Some(&step.target) {
            path.push(step);
        }
    }
    path
}

/// The path for an alert naming playbook `key` (its newest version), or
/// the operation's default path when it names none or an unknown one.
pub(crate) fn path_for(
    conn: &Connection,
    owner: Option<&str>,
    playbook: Option<&str>,
) -> Result<Vec<EscalationStep>> {
    let defaults = alert_defaults(conn)?;
    let Some(key) = playbook else {
        return Ok(operation_path(owner, &defaults));
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
            path_from_levels(owner, &def.escalation, &defaults)
        }
        None => operation_path(owner, &defaults),
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
pub(crate) fn overdue_run_candidates(store: &Store, now: Timestamp) -> Result<Vec<OverdueRun>> {
    let mut out = Vec::new();
    let defaults = alert_defaults(store.conn())?;
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
        let path = path_from_levels(owner.as_deref(), &run.def().escalation, &defaults);
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
pub(crate) fn start_linked_run(
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
    /// Run number (what `opsdeck run show` takes).
    pub id: i64,
    /// Key of the playbook being run.
    pub playbook: String,
    /// Items checked done.
    pub done: usize,
    /// Items skipped.
    pub skipped: usize,
    /// All items of the run.
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
        EscalationLevel::role(after_secs, role)
    }

    #[test]
    fn the_owner_first_then_the_playbook_levels() {
        let p = path_from_levels(
            Some("fulfilment"),
            &[level(900, "support"), level(1800, "ops-lead")],
            &AlertDefaults::default(),
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
            &AlertDefaults::default(),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].target, "ops-lead");
        assert_eq!(
            path_from_levels(None, &[], &AlertDefaults::default()),
            default_escalation_path(None)
        );
    }

    #[test]
    fn the_built_in_defaults_are_the_built_in_path() {
        for owner in [None, Some("fulfilment"), Some("ops-lead")] {
            assert_eq!(
                operation_path(owner, &AlertDefaults::default()),
                default_escalation_path(owner)
            );
        }
    }

    #[test]
    fn the_operation_path_replaces_the_built_in_one() {
        let defaults = AlertDefaults {
            ack_timeout_secs: 3600,
            escalation: vec![crate::definition::AlertLevel {
                after_secs: 600,
                target: EscalationTarget::Person("Dana".into()),
            }],
        };
        let t = |p: Vec<EscalationStep>| -> Vec<(i64, String)> {
            p.into_iter().map(|s| (s.after_secs, s.target)).collect()
        };
        let want = vec![(0, "support".to_string()), (600, "Dana".to_string())];
        assert_eq!(t(operation_path(Some("support"), &defaults)), want);
        // A playbook without levels, or with an invalid path, falls back to it.
        assert_eq!(t(path_from_levels(Some("support"), &[], &defaults)), want);
        let bad = [level(600, "ops-lead"), level(60, "finance")];
        assert_eq!(t(path_from_levels(Some("support"), &bad, &defaults)), want);
        // No levels at all: only the owner.
        let none = AlertDefaults {
            escalation: Vec::new(),
            ..defaults
        };
        assert_eq!(
            t(operation_path(Some("support"), &none)),
            want[..1].to_vec()
        );
    }
}
