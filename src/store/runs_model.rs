//! The view model of the cockpit's "today's checklists" pane and the
//! Playbooks & runs view: plain data, computed once per load with `now`
//! passed in, so the screens only draw.

use super::notes::Note;
use super::playbooks::PlaybookSummary;
use super::roles::RoleHolders;
use super::runs::{Run, RunFilter};
use super::{Result, Store};
use crate::domain::playbook::{OverdueCause, Progress};
use crate::domain::{Timestamp, DAY};

/// Notes loaded per open run.
pub(crate) const NOTES_PER_RUN: usize = 3;
/// How far back the view lists finished and cancelled runs.
pub(crate) const RECENT_CLOSED_WINDOW: i64 = 7 * DAY;
/// At most this many finished runs are listed.
pub(crate) const RECENT_CLOSED_LIMIT: usize = 20;

/// A pending item that is late.
#[derive(Debug, Clone, PartialEq)]
pub struct LateItem {
    /// `STEP.N`.
    pub label: String,
    /// The item's text (raw: sanitise before showing).
    pub text: String,
    /// The owner role of the item's step.
    pub owner_role: String,
    /// Seconds late at the model's `now`.
    pub late_by: i64,
    /// Late against the step's tolerance or the run's due time.
    pub cause: OverdueCause,
}

/// An open run as the screens show it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRun {
    /// The run with its playbook version and item states.
    pub run: Run,
    /// How many items are done, skipped and still pending.
    pub progress: Progress,
    /// Seconds late (run due time or a step's tolerance); `None` when on time.
    pub late_by: Option<i64>,
    /// 0-based index of the step being worked.
    pub current_step: Option<usize>,
    /// Role key owning the current step.
    pub owner_role: Option<String>,
    /// Late pending items, latest first.
    pub late_items: Vec<LateItem>,
    /// The newest notes on the run, newest first (filled by
    /// [`Store::runs_model`]).
    pub notes: Vec<Note>,
}

impl OpenRun {
    /// Built from a loaded run at `now`.
    pub fn new(run: Run, now: Timestamp) -> OpenRun {
        let current = run.current_step().map(|(i, s)| (i, s.owner.clone()));
        let late_items = run
            .checklist
            .overdue_items(now)
            .into_iter()
            .map(|o| LateItem {
                label: run.def().item_label(o.item).unwrap_or_default(),
                text: run.def().item_text(o.item).unwrap_or_default().to_string(),
                owner_role: run
                    .def()
                    .steps
                    .get(o.item.step)
                    .map(|s| s.owner.clone())
                    .unwrap_or_default(),
                late_by: o.late_by,
                cause: o.cause,
            })
            .collect();
        OpenRun {
            progress: run.progress(),
            late_by: run.late_by(now),
            current_step: current.as_ref().map(|c| c.0),
            owner_role: current.map(|c| c.1),
            late_items,
            notes: Vec::new(),
            run,
        }
    }

    /// Overdue at the model's `now`.
    pub(crate) fn is_overdue(&self) -> bool {
        self.late_by.is_some()
    }
}

/// Everything the checklists pane and the Playbooks & runs view draw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunsModel {
    /// The time the model was computed for.
    pub now: Timestamp,
    /// Open runs: overdue first (latest first), then by due time (runs
    /// without one last), then by start.
    pub open_runs: Vec<OpenRun>,
    /// Runs finished or cancelled within [`RECENT_CLOSED_WINDOW`], newest
    /// first.
    pub recent_closed: Vec<Run>,
    /// Every playbook's newest version with its review flag, by key.
    pub playbooks: Vec<PlaybookSummary>,
    /// Roles with their holders (single point of failure when fewer than two).
    pub roles: Vec<RoleHolders>,
}

impl RunsModel {
    /// How many open runs are overdue.
    pub(crate) fn overdue_count(&self) -> usize {
        self.open_runs.iter().filter(|r| r.is_overdue()).count()
    }

    /// The display name of a role key (the key itself when unknown).
    pub fn role_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.roles
            .iter()
            .find(|r| r.key == key)
            .map_or(key, |r| r.name.as_str())
    }

    /// Whether the role is held by fewer than two people.
    pub(crate) fn role_is_spof(&self, key: &str) -> bool {
        self.roles
            .iter()
            .find(|r| r.key == key)
            .is_none_or(RoleHolders::is_single_point_of_failure)
    }
}

/// How late something is, in its two largest units, without seconds:
/// `45m`, `4h58m`, `1d23h`, `2w3d`.
pub(crate) fn lateness(secs: i64) -> String {
    const UNITS: [(&str, i64); 4] = [("w", 7 * DAY), ("d", DAY), ("h", 3600), ("m", 60)];
    if secs < 60 {
        return "<1m".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    let mut parts = 0;
    for (unit, size) in UNITS {
        if parts == 2 {
            break;
        }
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
            parts += 1;
        } else if parts == 1 {
            break;
        }
    }
    out
}

/// Sorts open runs: overdue first (latest first), then due soonest, then
/// started first.
pub(crate) fn sort_open_runs(runs: &mut [OpenRun]) {
    runs.sort_by(|a, b| {
        b.late_by
            .unwrap_or(-1)
            .cmp(&a.late_by.unwrap_or(-1))
            .then_with(|| {
                let due = |r: &OpenRun| r.run.checklist.due_at.unwrap_or(i64::MAX);
                due(a).cmp(&due(b))
            })
            .then_with(|| a.run.checklist.started_at.cmp(&b.run.checklist.started_at))
            .then_with(|| a.run.id.cmp(&b.run.id))
    });
}

impl Store {
    /// Loads the runs model at `now`.
    pub(crate) fn runs_model(&self, now: Timestamp) -> Result<RunsModel> {
        let mut open_runs: Vec<OpenRun> = self
            .runs(RunFilter::Open)?
            .into_iter()
            .map(|r| OpenRun::new(r, now))
            .collect();
        let ids: Vec<i64> = open_runs.iter().map(|o| o.run.id).collect();
        let mut notes = self.notes_each("run", &ids, NOTES_PER_RUN)?;
        for o in &mut open_runs {
            o.notes = notes.remove(&o.run.id).unwrap_or_default();
        }
        sort_open_runs(&mut open_runs);
        Ok(RunsModel {
            now,
            open_runs,
            recent_closed: self.runs(RunFilter::ClosedSince(
                now - RECENT_CLOSED_WINDOW,
                RECENT_CLOSED_LIMIT,
            ))?,
            playbooks: self.playbooks(now)?,
            roles: self.roles()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_keeps_two_adjacent_units() {
        assert_eq!(lateness(30), "<1m");
        assert_eq!(lateness(45 * 60), "45m");
        assert_eq!(lateness(4 * 3600 + 58 * 60 + 7), "4h58m");
        assert_eq!(lateness(DAY + 23 * 3600 + 58 * 60), "1d23h");
        assert_eq!(lateness(DAY + 5 * 60), "1d");
        assert_eq!(lateness(17 * DAY), "2w3d");
    }
}
