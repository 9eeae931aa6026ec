//! Checklist runs: one execution of one playbook version, its item states,
//! progress, entry-criteria gating and overdue computation.
//!
//! Timing rules:
//! - A step *becomes current* at the run's start (step 1) or when the last
//!   item of the previous step was closed (done or skipped): the latest `at`
//!   among the previous step's items.
//! - A step is *overdue* when it is not complete and `now` is later than the
//!   time it became current plus its tolerance; exactly at the tolerance it
//!   is not yet overdue.
//! - The run is *overdue* when it has a due time, `now` is later than it, and
//!   the run is not complete.

use serde::{Deserialize, Serialize};

use super::{ItemRef, PlaybookDef};
use crate::domain::Timestamp;

/// The state of one check item in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunItemState {
    /// Not yet done.
    Pending,
    /// Done by `by` at `at` (unix seconds), with an optional note.
    Done {
        /// Who checked the item.
        by: String,
        /// When, unix seconds UTC.
        at: Timestamp,
        /// Optional note left with the check.
        note: Option<String>,
    },
    /// Deliberately not done, with the reason; counts as closed.
    Skipped {
        /// Who skipped the item.
        by: String,
        /// When, unix seconds UTC.
        at: Timestamp,
        /// Why it was skipped (required).
        reason: String,
    },
}

impl RunItemState {
    /// Done or skipped: the item no longer holds the step open.
    pub(crate) fn is_closed(&self) -> bool {
        !matches!(self, RunItemState::Pending)
    }

    /// When the item was closed; `None` while pending.
    pub fn closed_at(&self) -> Option<Timestamp> {
        match self {
            RunItemState::Pending => None,
            RunItemState::Done { at, .. } | RunItemState::Skipped { at, .. } => Some(*at),
        }
    }

    /// The state word shown on screens: `pending`, `done`, `skipped`.
    pub fn word(&self) -> &'static str {
        match self {
            RunItemState::Pending => "pending",
            RunItemState::Done { .. } => "done",
            RunItemState::Skipped { .. } => "skipped",
        }
    }
}

/// How far a run has got: closed (done + skipped) items out of all items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Items done.
    pub done: usize,
    /// Items skipped (with a reason).
    pub skipped: usize,
    /// All items of the run.
    pub total: usize,
}

impl Progress {
    /// Done plus skipped.
    pub fn closed(&self) -> usize {
        self.done + self.skipped
    }

    /// Closed share from 0.0 to 1.0 (1.0 for a run without items), for a
    /// progress bar.
    pub(crate) fn ratio(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.closed() as f64 / self.total as f64
        }
    }

    /// Closed share in whole percent, rounded down (100 only when complete).
    pub fn percent(&self) -> u8 {
        if self.total == 0 {
            return 100;
        }
        // closed <= total, so the result is at most 100.
        u8::try_from(self.closed().min(self.total) * 100 / self.total).unwrap_or(100)
    }
}

/// Whether a step's items may be checked, by its entry criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The first step, or the previous step is complete.
    Open,
    /// The previous step (`waiting_on`, 0-based) still has `open_items`
    /// pending items.
    Closed {
        /// 0-based index of the step that must be finished first.
        waiting_on: usize,
        /// How many of its items are still pending.
        open_items: usize,
    },
}

/// Permission to check (or skip) an item, from [`ChecklistRun::may_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryPermit {
    /// The step's entry criteria are met; nothing to audit.
    Open,
    /// The step was gated and the user overrode the gate: the caller must
    /// write this to the audit trail.
    Overridden {
        /// 0-based index of the unfinished step that gated the item.
        gated_by: usize,
        /// The user's reason, trimmed.
        reason: String,
    },
}

/// Why an item may not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryRefusal {
    /// The playbook has no such item.
    #[error("no such item in this run")]
    NoSuchItem,
    /// The previous step's exit criteria are not met and no override was given.
    #[error(
        "step '{step}' has not started: step '{waiting_on}' still has {open_items} open \
         item(s); finish them, or override with a reason"
    )]
    Gated {
        /// Key of the step the item belongs to.
        step: String,
        /// Key of the unfinished previous step.
        waiting_on: String,
        /// How many of its items are still pending.
        open_items: usize,
    },
    /// An override was asked for with an empty reason.
    #[error("an override needs a reason")]
    EmptyOverrideReason,
}

/// A step that is past its tolerance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueStep {
    /// 0-based step index.
    pub step: usize,
    /// When the step should have been complete (became current + tolerance).
    pub due_at: Timestamp,
    /// Seconds past `due_at` (always > 0).
    pub late_by: i64,
    /// 0-based indices of its pending items.
    pub open_items: Vec<usize>,
}

/// Why an item is overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverdueCause {
    /// Its step is past its tolerance.
    StepTolerance,
    /// The run is past its due time.
    RunDue,
}

/// A pending item that is late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueItem {
    /// Which item.
    pub item: ItemRef,
    /// Seconds late: the larger of its step's and the run's lateness.
    pub late_by: i64,
    /// Which of the two gave `late_by`.
    pub cause: OverdueCause,
}

/// One checklist run: a playbook version and the state of each of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistRun {
    /// The playbook version the run started with (later versions do not
    /// change it).
    pub def: PlaybookDef,
    /// When the run started, unix seconds.
    pub started_at: Timestamp,
    /// When the run as a whole is due, if it has a due time.
    pub due_at: Option<Timestamp>,
    /// `items[step][item]`, the same shape as `def`. Positions missing from a
    /// malformed shape count as pending; extra ones are ignored.
    pub items: Vec<Vec<RunItemState>>,
}

const PENDING: RunItemState = RunItemState::Pending;

impl ChecklistRun {
    /// A new run with every item pending.
    pub fn new(def: PlaybookDef, started_at: Timestamp, due_at: Option<Timestamp>) -> Self {
        let items = def
            .steps
            .iter()
            .map(|s| vec![RunItemState::Pending; s.items.len()])
            .collect();
        ChecklistRun {
            def,
            started_at,
            due_at,
            items,
        }
    }

    /// The state of an item (pending when the position is unknown).
    pub fn state(&self, item: ItemRef) -> &RunItemState {
        self.items
            .get(item.step)
            .and_then(|s| s.get(item.item))
            .unwrap_or(&PENDING)
    }

    /// Sets an item's state (no gating here: see [`ChecklistRun::may_check`]).
    /// Returns false, changing nothing, when the playbook has no such item.
    pub fn set(&mut self, item: ItemRef, state: RunItemState) -> bool {
        let Some(len) = self.def.steps.get(item.step).map(|s| s.items.len()) else {
            return false;
        };
        if item.item >= len {
            return false;
        }
        if self.items.len() <= item.step {
            self.items.resize_with(item.step + 1, Vec::new);
        }
        let step = &mut self.items[item.step];
        if step.len() < len {
            step.resize(len, RunItemState::Pending);
        }
        step[item.item] = state;
        true
    }

    fn step_states(&self, step: usize) -> impl Iterator<Item = &RunItemState> + '_ {
        let len = self.def.steps.get(step).map_or(0, |s| s.items.len());
        (0..len).map(move |item| self.state(ItemRef { step, item }))
    }

    fn open_items(&self, step: usize) -> Vec<usize> {
        self.step_states(step)
            .enumerate()
            .filter(|(_, s)| !s.is_closed())
            .map(|(i, _)| i)
            .collect()
    }

    /// Done, skipped and total items over the whole run.
    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            done: 0,
            skipped: 0,
            total: 0,
        };
        for step in 0..self.def.steps.len() {
            for state in self.step_states(step) {
                p.total += 1;
                match state {
                    RunItemState::Pending => {}
                    RunItemState::Done { .. } => p.done += 1,
                    RunItemState::Skipped { .. } => p.skipped += 1,
                }
            }
        }
        p
    }

    /// Every item of the step is done or skipped: its exit criteria are met.
    pub(crate) fn is_step_complete(&self, step: usize) -> bool {
        self.step_states(step).all(RunItemState::is_closed)
    }

    /// Every item of the run is done or skipped.
    pub(crate) fn is_complete(&self) -> bool {
        (0..self.def.steps.len()).all(|s| self.is_step_complete(s))
    }

    /// The step being worked: the first step that is not complete (0-based);
    /// `None` when the run is complete.
    pub(crate) fn current_step(&self) -> Option<usize> {
        (0..self.def.steps.len()).find(|&s| !self.is_step_complete(s))
    }

    /// When the step's last item was closed; `None` while any is pending.
    pub(crate) fn step_closed_at(&self, step: usize) -> Option<Timestamp> {
        self.step_states(step)
            .map(RunItemState::closed_at)
            .try_fold(None, |latest: Option<Timestamp>, at| {
                at.map(|at| Some(latest.map_or(at, |l| l.max(at))))
            })
            .flatten()
    }

    /// When the step became current: the run start for the first step, else
    /// when the previous step was completed; `None` while the previous step
    /// is open (or the step does not exist).
    pub(crate) fn step_started_at(&self, step: usize) -> Option<Timestamp> {
        if step >= self.def.steps.len() {
            None
        } else if step == 0 {
            Some(self.started_at)
        } else {
            self.step_closed_at(step - 1)
        }
    }

    /// When the step must be complete: became current + tolerance; `None`
    /// while it has not become current.
    pub(crate) fn step_due_at(&self, step: usize) -> Option<Timestamp> {
        let tolerance = self.def.steps.get(step)?.tolerance_secs;
        Some(self.step_started_at(step)?.saturating_add(tolerance))
    }

    /// The entry gate of a step: open for the first step and when every item
    /// of the previous step is done or skipped (only the immediately previous
    /// step counts).
    pub fn gate(&self, step: usize) -> Gate {
        if step == 0 {
            return Gate::Open;
        }
        let open = self.open_items(step - 1).len();
        if open == 0 {
            Gate::Open
        } else {
            Gate::Closed {
                waiting_on: step - 1,
                open_items: open,
            }
        }
    }

    /// Whether the item may be checked or skipped now. An open gate needs no
    /// reason (a reason given anyway is ignored, nothing to audit); a closed
    /// gate needs a non-blank `override_reason` and then returns
    /// [`EntryPermit::Overridden`], which the caller audits. Undoing an item is
    /// never gated and does not go through here.
    pub(crate) fn may_check(
        &self,
        item: ItemRef,
        override_reason: Option<&str>,
    ) -> Result<EntryPermit, EntryRefusal> {
        if self.def.item_text(item).is_none() {
            return Err(EntryRefusal::NoSuchItem);
        }
        let Gate::Closed {
            waiting_on,
            open_items,
        } = self.gate(item.step)
        else {
            return Ok(EntryPermit::Open);
        };
        match override_reason.map(str::trim) {
            Some("") => Err(EntryRefusal::EmptyOverrideReason),
            Some(reason) => Ok(EntryPermit::Overridden {
                gated_by: waiting_on,
                reason: reason.to_string(),
            }),
            None => Err(EntryRefusal::Gated {
                step: self.def.steps[item.step].key.clone(),
                waiting_on: self.def.steps[waiting_on].key.clone(),
                open_items,
            }),
        }
    }

    /// Seconds the run is past its due time, when it has one, is not complete
    /// and `now` is later than it.
    pub(crate) fn run_overdue_by(&self, now: Timestamp) -> Option<i64> {
        let due = self.due_at?;
        (now > due && !self.is_complete()).then(|| now - due)
    }

    /// Seconds the step is past its tolerance, when it is not complete and
    /// has become current.
    pub(crate) fn step_overdue_by(&self, step: usize, now: Timestamp) -> Option<i64> {
        let due = self.step_due_at(step)?;
        (now > due && !self.is_step_complete(step)).then(|| now - due)
    }

    /// Steps past their tolerance, in step order, with their pending items.
    pub(crate) fn overdue_steps(&self, now: Timestamp) -> Vec<OverdueStep> {
        (0..self.def.steps.len())
            .filter_map(|step| {
                let late_by = self.step_overdue_by(step, now)?;
                Some(OverdueStep {
                    step,
                    due_at: now - late_by,
                    late_by,
                    open_items: self.open_items(step),
                })
            })
            .collect()
    }

    /// The run is overdue: past its due time, or some step past its
    /// tolerance.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.run_overdue_by(now).is_some() || !self.overdue_steps(now).is_empty()
    }

    /// Every pending item that is late, latest first (then in playbook
    /// order). When the run is past its due time every pending item is late
    /// by at least that much; items of a step past its tolerance are late by
    /// the step's lateness if that is larger.
    pub(crate) fn overdue_items(&self, now: Timestamp) -> Vec<OverdueItem> {
        let run_late = self.run_overdue_by(now);
        let mut out = Vec::new();
        for step in 0..self.def.steps.len() {
            let step_late = self.step_overdue_by(step, now);
            let late = match (step_late, run_late) {
                (Some(s), Some(r)) if r > s => Some((r, OverdueCause::RunDue)),
                (Some(s), _) => Some((s, OverdueCause::StepTolerance)),
                (None, Some(r)) => Some((r, OverdueCause::RunDue)),
                (None, None) => None,
            };
            let Some((late_by, cause)) = late else {
                continue;
            };
            for item in self.open_items(step) {
                out.push(OverdueItem {
                    item: ItemRef { step, item },
                    late_by,
                    cause,
                });
            }
        }
        out.sort_by(|a, b| b.late_by.cmp(&a.late_by).then(a.item.cmp(&b.item)));
        out
    }
}

#[cfg(test)]
mod tests;
