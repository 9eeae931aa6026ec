//! The Playbooks & runs view's state, its part of `update` (pure: no I/O)
//! and the execution of its effects against the store.
//!
//! The view lists open runs (overdue first), recently finished runs and the
//! playbooks. `Enter` opens the selection: a run's items (`x` check, `s` skip
//! with a reason, `u` undo, `n` note) or a playbook's steps. While open, the
//! view's selected row is the item (or step) cursor; the list selection is
//! kept aside and restored by `Esc`.

use super::action::{Action, Effect};
use super::app::{App, View};
use super::popups::Popup;
use crate::domain::playbook::{Gate, ItemRef};
use crate::domain::Timestamp;
use crate::store::playbooks::PlaybookSummary;
use crate::store::runs::{add_run_note, close_item, undo_item, ItemAction, Run};
use crate::store::runs_model::OpenRun;
use crate::store::Store;
use tui_input::Input;

/// What `Enter` opened in the Playbooks view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A run's items, by run number.
    Run(i64),
    /// A playbook's steps, by key.
    Playbook(String),
}

/// The Playbooks view's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunsUi {
    /// The run or playbook whose detail has the cursor.
    pub opened: Option<Opened>,
    /// The list selection to restore when the detail closes.
    pub list_selected: usize,
}

/// Intents of the Playbooks view's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    /// `x`: check the selected item.
    Check,
    /// `s`: skip the selected item (asks for the reason).
    Skip,
    /// `u`: put the selected item back to pending.
    Undo,
    /// `n`: add a note to the run.
    Note,
}

/// What to do to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemChangeKind {
    /// Check the item.
    Done,
    /// Skip, with the reason.
    Skip(String),
    /// Put a done or skipped item back to pending.
    Undo,
}

/// Work for the loop from the Playbooks view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEffect {
    /// Change an item of a run (`item` as its `STEP.N` label).
    Item {
        /// Run number.
        run: i64,
        /// The item as `STEP.N`.
        item: String,
        /// Check, skip or undo.
        change: ItemChangeKind,
        /// Why the closed entry gate is overridden; `None` when not overriding.
        override_reason: Option<String>,
    },
    /// Add a note to a run.
    Note {
        /// Run number.
        run: i64,
        /// The note's text.
        text: String,
    },
}

/// What an input popup of this view is asking for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asking {
    /// Why the item is skipped; `override_reason` when the gate was closed.
    SkipReason {
        /// The override reason already given, when the gate was closed; `None` otherwise.
        override_reason: Option<String>,
    },
    /// Why the closed entry gate is overridden; then check or skip.
    OverrideReason {
        /// After the reason, skip the item (`true`) or check it (`false`).
        then_skip: bool,
    },
    /// A note on the run.
    Note,
}

/// One row of the view's list.
#[derive(Debug, Clone, Copy)]
pub enum ListRow<'a> {
    /// An open run with its computed lateness and late items.
    Open(&'a OpenRun),
    /// A run finished or cancelled recently.
    Closed(&'a Run),
    /// A playbook's newest version.
    Playbook(&'a PlaybookSummary),
}

use super::app::matches_filter as matches;

/// The list as shown: open runs, recent runs, playbooks, filtered.
pub fn list_rows(app: &App) -> Vec<ListRow<'_>> {
    let Some(m) = &app.models.runs else {
        return Vec::new();
    };
    let f = app.filter.to_lowercase();
    let run_texts = |r: &'_ Run| {
        let ctx = r.context.clone().unwrap_or_default();
        [r.key.clone(), r.def().name.clone(), ctx]
    };
    let mut rows: Vec<ListRow<'_>> = Vec::new();
    for o in &m.open_runs {
        let t = run_texts(&o.run);
        if matches(&f, &[&t[0], &t[1], &t[2]]) {
            rows.push(ListRow::Open(o));
        }
    }
    for r in &m.recent_closed {
        let t = run_texts(r);
        if matches(&f, &[&t[0], &t[1], &t[2]]) {
            rows.push(ListRow::Closed(r));
        }
    }
    for p in &m.playbooks {
        if matches(&f, &[&p.key, &p.name]) {
            rows.push(ListRow::Playbook(p));
        }
    }
    rows
}

/// A run of the model by number, open or recently closed.
pub fn find_run(app: &App, id: i64) -> Option<&Run> {
    let m = app.models.runs.as_ref()?;
    m.open_runs
        .iter()
        .map(|o| &o.run)
        .chain(m.recent_closed.iter())
        .find(|r| r.id == id)
}

/// Every item of a run in order: what the cursor walks over.
pub fn run_items(run: &Run) -> Vec<ItemRef> {
    run.def().items().map(|(r, _)| r).collect()
}

/// Rows of the view: items or steps when something is open, else the list.
pub fn row_count(app: &App) -> usize {
    match &app.runs_ui.opened {
        Some(Opened::Run(id)) => find_run(app, *id).map_or(0, |r| run_items(r).len()),
        Some(Opened::Playbook(key)) => app
            .models
            .runs
            .as_ref()
            .and_then(|m| m.playbooks.iter().find(|p| &p.key == key))
            .map_or(0, |p| p.def.steps.len()),
        None => list_rows(app).len(),
    }
}

/// `Enter` on the list: open the selected run (cursor on its first pending
/// item) or playbook.
pub fn enter(app: &mut App) -> Option<Effect> {
    if app.runs_ui.opened.is_some() {
        return None;
    }
    let i = app.selected();
    let (opened, cursor) = match list_rows(app).get(i) {
        Some(ListRow::Open(o)) => {
            let first = run_items(&o.run)
                .iter()
                .position(|r| !o.run.checklist.state(*r).is_closed())
                .unwrap_or(0);
            (Opened::Run(o.run.id), first)
        }
        Some(ListRow::Closed(r)) => (Opened::Run(r.id), 0),
        Some(ListRow::Playbook(p)) => (Opened::Playbook(p.key.clone()), 0),
        None => return None,
    };
    app.runs_ui.opened = Some(opened);
    app.runs_ui.list_selected = i;
    app.selected[view_slot()] = cursor;
    app.dirty = true;
    None
}

fn view_slot() -> usize {
    View::TABS
        .iter()
        .position(|v| *v == View::Playbooks)
        .unwrap_or(3)
}

/// `Esc` with something open: back to the list. False when nothing was open.
pub fn back(app: &mut App) -> bool {
    if app.runs_ui.opened.take().is_none() {
        return false;
    }
    app.selected[view_slot()] = app.runs_ui.list_selected;
    app.dirty = true;
    true
}

fn flash(app: &mut App, text: String) -> Option<Effect> {
    app.flash = Some((text, app.now));
    app.dirty = true;
    None
}

/// The open run and the item under the cursor.
fn selected_item(app: &App) -> Option<(&Run, ItemRef)> {
    let Some(Opened::Run(id)) = app.runs_ui.opened else {
        return None;
    };
    let run = find_run(app, id)?;
    let item = *run_items(run).get(app.selected())?;
    Some((run, item))
}

fn input_popup(run: i64, item: Option<String>, asking: Asking, prompt: String) -> Popup {
    Popup::RunInput {
        run,
        item,
        asking,
        prompt,
        input: Input::default(),
        error: None,
    }
}

/// The Playbooks view's part of `update`: opens popups or returns effects.
pub fn update(app: &mut App, action: RunAction) -> Option<Effect> {
    if app.view != View::Playbooks {
        return None;
    }
    if action == RunAction::Note {
        let run = match (&app.runs_ui.opened, list_rows(app).get(app.selected())) {
            (Some(Opened::Run(id)), _) => Some(*id),
            (None, Some(ListRow::Open(o))) => Some(o.run.id),
            (None, Some(ListRow::Closed(r))) => Some(r.id),
            _ => None,
        };
        let Some(run) = run else {
            return flash(app, "select a run to add a note to".into());
        };
        app.popup = Some(input_popup(
            run,
            None,
            Asking::Note,
            format!("note on run #{run}"),
        ));
        app.dirty = true;
        return None;
    }
    let Some((run, item)) = selected_item(app) else {
        return flash(app, "Enter opens a run's items; then x, s or u".into());
    };
    let id = run.id;
    let label = run.def().item_label(item).unwrap_or_default();
    let state = run.checklist.state(item);
    if run.state == crate::store::runs::RunState::Cancelled {
        return flash(app, format!("run #{id} was cancelled"));
    }
    match action {
        RunAction::Undo => {
            if !state.is_closed() {
                return flash(app, format!("{label} is pending: nothing to undo"));
            }
            Some(Effect::Run(RunEffect::Item {
                run: id,
                item: label,
                change: ItemChangeKind::Undo,
                override_reason: None,
            }))
        }
        RunAction::Check | RunAction::Skip => {
            if state.is_closed() {
                let word = state.word();
                return flash(app, format!("{label} is already {word}; u undoes it"));
            }
            let then_skip = action == RunAction::Skip;
            let popup = match run.checklist.gate(item.step) {
                Gate::Closed {
                    waiting_on,
                    open_items,
                } => {
                    let step = run
                        .def()
                        .steps
                        .get(waiting_on)
                        .map(|s| s.key.clone())
                        .unwrap_or_default();
                    input_popup(
                        id,
                        Some(label),
                        Asking::OverrideReason { then_skip },
                        format!(
                            "step '{step}' not finished ({open_items} open): reason to override"
                        ),
                    )
                }
                Gate::Open if then_skip => input_popup(
                    id,
                    Some(label.clone()),
                    Asking::SkipReason {
                        override_reason: None,
                    },
                    format!("skip {label}: reason"),
                ),
                Gate::Open => {
                    return Some(Effect::Run(RunEffect::Item {
                        run: id,
                        item: label,
                        change: ItemChangeKind::Done,
                        override_reason: None,
                    }))
                }
            };
            app.popup = Some(popup);
            app.dirty = true;
            None
        }
        RunAction::Note => None,
    }
}

/// Runs a Playbooks-view effect against the store at `now`.
pub fn execute(store: &mut Store, now: Timestamp, effect: RunEffect) -> Action {
    let result = match effect {
        RunEffect::Item {
            run,
            item,
            change,
            override_reason,
        } => match change {
            ItemChangeKind::Undo => store
                .write(|tx| undo_item(tx, now, run, &item))
                .map(|u| format!("run #{run}: {} back to pending", u.label)),
            ItemChangeKind::Done | ItemChangeKind::Skip(_) => {
                let action = match &change {
                    ItemChangeKind::Skip(reason) => ItemAction::Skip { reason },
                    _ => ItemAction::Done { note: None },
                };
                store
                    .write(|tx| close_item(tx, now, run, &item, action, override_reason.as_deref()))
                    .map(|c| {
                        let mut m = format!("run #{run}: {} {}", c.label, c.word);
                        if c.overrode.is_some() {
                            m.push_str(" (override audited)");
                        }
                        if c.completed {
                            m.push_str(&format!(" — run #{run} complete"));
                        }
                        m
                    })
            }
        },
        RunEffect::Note { run, text } => store
            .write(|tx| add_run_note(tx, now, run, &text))
            .map(|_| format!("note added to run #{run}")),
    };
    Action::Done(result.map_err(|e| e.to_string()))
}
