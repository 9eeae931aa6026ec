//! Checklist runs in the database: one execution of one playbook version.
//! A run is loaded into the domain's [`ChecklistRun`], which computes
//! progress, gating and overdue with `now` passed in; this module only reads
//! and writes rows. Writes are in [`items`].

mod items;

pub use items::{
    add_run_note, cancel_run, close_item, start_run, undo_item, ItemAction, ItemChange, ItemUndo,
    StartedRun,
};

use super::playbooks::parse_definition;
use super::{Result, Store, StoreError};
use crate::domain::playbook::EntryRefusal;
use crate::domain::playbook::{
    ChecklistRun, ItemRef, PlaybookDef, Progress, RunItemState, StepDef,
};
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::HashMap;

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Some items are still pending.
    Open,
    /// Every item is done or skipped.
    Done,
    /// Stopped by someone, with a reason; its items no longer change.
    Cancelled,
}

impl RunState {
    /// The word stored and shown: `open`, `done`, `cancelled`.
    pub fn word(self) -> &'static str {
        match self {
            RunState::Open => "open",
            RunState::Done => "done",
            RunState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<RunState> {
        match s {
            "open" => Some(RunState::Open),
            "done" => Some(RunState::Done),
            "cancelled" => Some(RunState::Cancelled),
            _ => None,
        }
    }
}

/// Why a run or item change was refused. Each message is one line.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No run with this number.
    #[error("no run #{0}")]
    NoSuchRun(i64),
    /// No playbook with this key.
    #[error("no playbook '{key}' (playbooks: {known})")]
    NoSuchPlaybook {
        /// The key that was asked for.
        key: String,
        /// The keys that exist, comma-separated, for the message.
        known: String,
    },
    /// The reference matches no item of the run's playbook version.
    #[error("run #{run}: no item '{reference}' (give STEP.N like '{example}', or the item's number from `run show`)")]
    NoSuchItem {
        /// Run number.
        run: i64,
        /// The item reference as typed.
        reference: String,
        /// A valid `STEP.N` of this run, to show the form.
        example: String,
    },
    /// The run was cancelled; its items are frozen.
    #[error("run #{0} was cancelled; its items no longer change")]
    Cancelled(i64),
    /// The run is finished or cancelled and cannot be cancelled again.
    #[error("run #{run} is already {state}")]
    NotOpen {
        /// Run number.
        run: i64,
        /// What it is instead: `done` or `cancelled`.
        state: &'static str,
    },
    /// The item is already done or skipped.
    #[error("run #{run}: {label} is already {word} (by {by}); undo it first")]
    AlreadyClosed {
        /// Run number.
        run: i64,
        /// The item as `STEP.N`.
        label: String,
        /// `done` or `skipped`.
        word: &'static str,
        /// Who closed it.
        by: String,
    },
    /// The item is pending: nothing to undo.
    #[error("run #{run}: {label} is still pending; there is nothing to undo")]
    NotClosed {
        /// Run number.
        run: i64,
        /// The item as `STEP.N`.
        label: String,
    },
    /// The step's entry criteria are not met (or the override had no reason).
    #[error("run #{run}, {label}: {refusal}")]
    Gated {
        /// Run number.
        run: i64,
        /// The item as `STEP.N`.
        label: String,
        /// Why it may not be closed yet (previous step unfinished, empty override reason).
        refusal: EntryRefusal,
    },
    /// Bad input: an empty reason, a text over the limit.
    #[error("{0}")]
    Invalid(String),
    /// The database said no.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for RunError {
    fn from(e: rusqlite::Error) -> Self {
        RunError::Store(e.into())
    }
}

/// One checklist run with its playbook version and item states.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The run number people type (`run show 3`).
    pub id: i64,
    /// The playbook's key.
    pub key: String,
    /// The playbook version the run started with.
    pub version: i64,
    /// What the run is for: an order id, a date, an incident.
    pub context: Option<String>,
    /// Who started it (the command's actor: `--as`, `OPSDECK_USER` or the login name).
    pub started_by: String,
    /// Open, done or cancelled.
    pub state: RunState,
    /// When it was completed or cancelled.
    pub closed_at: Option<Timestamp>,
    /// Who cancelled it, or closed its last item.
    pub closed_by: Option<String>,
    /// Why it was cancelled; `None` unless cancelled.
    pub cancel_reason: Option<String>,
    /// The domain's view: definition, start, due time and item states.
    pub checklist: ChecklistRun,
    /// Items checked past a closed entry gate, with the override reason.
    pub overrides: Vec<(ItemRef, String)>,
}

impl Run {
    /// The playbook version this run follows.
    pub fn def(&self) -> &PlaybookDef {
        &self.checklist.def
    }

    /// Done, skipped and total items.
    pub fn progress(&self) -> Progress {
        self.checklist.progress()
    }

    /// Seconds the run is late at `now`: the larger of its lateness against
    /// its due time and against any step's tolerance. Only open runs are late.
    pub fn late_by(&self, now: Timestamp) -> Option<i64> {
        if self.state != RunState::Open {
            return None;
        }
        let steps = self
            .checklist
            .overdue_steps(now)
            .into_iter()
            .map(|s| s.late_by);
        self.checklist
            .run_overdue_by(now)
            .into_iter()
            .chain(steps)
            .max()
    }

    /// The step being worked (the first incomplete one) and its index.
    pub(crate) fn current_step(&self) -> Option<(usize, &StepDef)> {
        let i = self.checklist.current_step()?;
        Some((i, self.def().steps.get(i)?))
    }

    /// The override reason of an item, if it was checked past a closed gate.
    pub fn override_reason(&self, item: ItemRef) -> Option<&str> {
        self.overrides
            .iter()
            .find(|(r, _)| *r == item)
            .map(|(_, s)| s.as_str())
    }

    /// Resolves what a user typed (`pack.2` or `7`) to an item of this run.
    pub fn resolve(&self, reference: &str) -> std::result::Result<ItemRef, RunError> {
        self.def()
            .resolve_item(reference)
            .ok_or_else(|| RunError::NoSuchItem {
                run: self.id,
                reference: crate::text::sanitize_truncate(reference, 40),
                example: self
                    .def()
                    .item_label(ItemRef { step: 0, item: 0 })
                    .unwrap_or_default(),
            })
    }
}

/// Which runs to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunFilter {
    /// Open runs, oldest start first.
    Open,
    /// Every run, newest first, at most this many.
    Latest(usize),
    /// Runs completed or cancelled at or after this time, newest first, at
    /// most this many.
    ClosedSince(Timestamp, usize),
}

const SQL_RUN_COLUMNS: &str = "SELECT r.id, p.key, v.version, v.id, v.definition, r.context,
    r.started_by, r.started_at, r.due_at, r.state, r.closed_at, r.closed_by, r.cancel_reason
    FROM checklist_runs r JOIN playbook_versions v ON v.id = r.version_id
    JOIN playbooks p ON p.id = v.playbook_id";

/// Open runs, oldest first: the cockpit's hot query.
pub const SQL_OPEN_RUNS: &str = "SELECT r.id, p.key, v.version, v.id, v.definition, r.context,
    r.started_by, r.started_at, r.due_at, r.state, r.closed_at, r.closed_by, r.cancel_reason
    FROM checklist_runs r JOIN playbook_versions v ON v.id = r.version_id
    JOIN playbooks p ON p.id = v.playbook_id WHERE r.state = 'open' ORDER BY r.started_at, r.id";

/// The closed items of one run.
pub const SQL_RUN_ITEMS: &str = "SELECT step, item, state, actor, at, note, reason, override_reason
    FROM run_items WHERE run_id = ?1";

/// A closed item of a run: step, item, what was done, the override reason.
type RunItemRow = (i64, i64, RunItemState, Option<String>);

fn run_item_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<RunItemRow> {
    let step: i64 = r.get(0)?;
    let item: i64 = r.get(1)?;
    let state: String = r.get(2)?;
    let by: String = r.get(3)?;
    let at: Timestamp = r.get(4)?;
    let item_state = if state == "skipped" {
        RunItemState::Skipped {
            by,
            at,
            reason: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        }
    } else {
        RunItemState::Done {
            by,
            at,
            note: r.get(5)?,
        }
    };
    Ok((step, item, item_state, r.get::<_, Option<String>>(7)?))
}

/// The closed items of the runs `ids`, by run: one statement for all of
/// them (on a server each statement is a round trip), the ids written into
/// its text (integers only).
fn run_items(conn: &Connection, ids: &[i64]) -> Result<HashMap<i64, Vec<RunItemRow>>> {
    let mut out: HashMap<i64, Vec<RunItemRow>> = HashMap::new();
    match ids {
        [] => {}
        [id] => {
            let mut stmt = conn.prepare_cached(SQL_RUN_ITEMS)?;
            let rows = stmt.query_map([id], run_item_from_row)?;
            out.insert(*id, rows.collect::<rusqlite::Result<_>>()?);
        }
        _ => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let mut stmt = conn.prepare(&format!(
                "SELECT step, item, state, actor, at, note, reason, override_reason, run_id
                   FROM run_items WHERE run_id IN ({list})"
            ))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(8)?, run_item_from_row(r)?)))?;
            for row in rows {
                let (run, item) = row?;
                out.entry(run).or_default().push(item);
            }
        }
    }
    Ok(out)
}

struct RawRun {
    id: i64,
    key: String,
    version: i64,
    version_id: i64,
    json: String,
    context: Option<String>,
    started_by: String,
    started_at: Timestamp,
    due_at: Option<Timestamp>,
    state: String,
    closed_at: Option<Timestamp>,
    closed_by: Option<String>,
    cancel_reason: Option<String>,
}

fn raw_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<RawRun> {
    Ok(RawRun {
        id: r.get(0)?,
        key: r.get(1)?,
        version: r.get(2)?,
        version_id: r.get(3)?,
        json: r.get(4)?,
        context: r.get(5)?,
        started_by: r.get(6)?,
        started_at: r.get(7)?,
        due_at: r.get(8)?,
        state: r.get(9)?,
        closed_at: r.get(10)?,
        closed_by: r.get(11)?,
        cancel_reason: r.get(12)?,
    })
}

/// Turns rows into runs, parsing each playbook version once.
fn finish(conn: &Connection, raws: Vec<RawRun>) -> Result<Vec<Run>> {
    let mut defs: HashMap<i64, PlaybookDef> = HashMap::new();
    let mut items = run_items(conn, &raws.iter().map(|r| r.id).collect::<Vec<_>>())?;
    let mut runs = Vec::with_capacity(raws.len());
    for raw in raws {
        let def = match defs.get(&raw.version_id) {
            Some(d) => d.clone(),
            None => {
                let d = parse_definition(&raw.key, raw.version, &raw.json)?;
                defs.insert(raw.version_id, d.clone());
                d
            }
        };
        let state = RunState::parse(&raw.state).ok_or_else(|| {
            StoreError::Invalid(format!("run #{}: unknown state '{}'", raw.id, raw.state))
        })?;
        let mut checklist = ChecklistRun::new(def, raw.started_at, raw.due_at);
        let mut overrides = Vec::new();
        for (step, item, item_state, override_reason) in items.remove(&raw.id).unwrap_or_default() {
            let (Ok(step), Ok(item)) = (usize::try_from(step), usize::try_from(item)) else {
                continue;
            };
            let at = ItemRef { step, item };
            checklist.set(at, item_state);
            if let Some(reason) = override_reason {
                overrides.push((at, reason));
            }
        }
        overrides.sort();
        runs.push(Run {
            id: raw.id,
            key: raw.key,
            version: raw.version,
            context: raw.context,
            started_by: raw.started_by,
            state,
            closed_at: raw.closed_at,
            closed_by: raw.closed_by,
            cancel_reason: raw.cancel_reason,
            checklist,
            overrides,
        });
    }
    Ok(runs)
}

/// Loads one run on any connection (a write transaction included).
pub(crate) fn load_run(conn: &Connection, id: i64) -> Result<Option<Run>> {
    let sql = format!("{SQL_RUN_COLUMNS} WHERE r.id = ?1");
    let raw = conn
        .prepare_cached(&sql)?
        .query_row([id], raw_from_row)
        .optional()?;
    Ok(finish(conn, raw.into_iter().collect())?.pop())
}

impl Store {
    /// One run; `None` when there is no such number.
    pub fn run(&self, id: i64) -> Result<Option<Run>> {
        load_run(self.conn(), id)
    }

    /// The runs `filter` selects.
    pub fn runs(&self, filter: RunFilter) -> Result<Vec<Run>> {
        let conn = self.conn();
        let raws = match filter {
            RunFilter::Open => conn
                .prepare_cached(SQL_OPEN_RUNS)?
                .query_map([], raw_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            RunFilter::Latest(limit) => {
                let sql = format!("{SQL_RUN_COLUMNS} ORDER BY r.id DESC LIMIT ?1");
                conn.prepare_cached(&sql)?
                    .query_map([limit as i64], raw_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            }
            RunFilter::ClosedSince(since, limit) => {
                let sql = format!(
                    "{SQL_RUN_COLUMNS} WHERE r.closed_at >= ?1 ORDER BY r.closed_at DESC, r.id DESC LIMIT ?2"
                );
                conn.prepare_cached(&sql)?
                    .query_map(params![since, limit as i64], raw_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            }
        };
        finish(conn, raws)
    }
}

#[cfg(test)]
mod tests;
