//! The Playbooks & runs view's state and its part of `update` (pure: no
//! I/O; the effects run in `tui::effects`).
//!
//! The view lists open runs (overdue first), recently finished runs and the
//! playbooks. `Enter` opens the selection: a run's items (`x` check, `s` skip
//! with a reason, `u` undo, `n` note) or a playbook's steps. While open, the
//! cursor walks the items (or steps); the list keeps its selection by run
//! number or playbook key, so `Esc` returns to the same run.

use crate::domain::playbook::{Gate, ItemRef};
use crate::store::playbooks::PlaybookSummary;
use crate::store::runs::Run;
use crate::store::runs_model::{OpenRun, RunsModel};
use crate::tui::action::{Action, Effect};
use crate::tui::app::{matches_filter as matches, App};
use crate::tui::list::{Cursor, Picker};
use crate::tui::popups::Popup;
use tui_input::Input;

/// What `Enter` opened in the Playbooks view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A run's items, by run number.
    Run(i64),
    /// A playbook's steps, by key.
    Playbook(String),
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
    /// Check the item, with a note kept with it when given.
    Done(Option<String>),
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

/// The identity of a list row: a run by number or a playbook by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsKey {
    /// A run, open or recently closed, by number.
    Run(i64),
    /// A playbook by key.
    Playbook(String),
}

impl RunsKey {
    /// How a message names it: `run #5`, `playbook order-fulfilment`.
    pub(crate) fn describe(&self) -> String {
        match self {
            RunsKey::Run(id) => format!("run #{id}"),
            RunsKey::Playbook(k) => format!("playbook {}", crate::text::sanitize(k)),
        }
    }
}

/// Where a list row is in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRef {
    /// Index in [`RunsModel::open_runs`].
    Open(usize),
    /// Index in [`RunsModel::recent_closed`].
    Closed(usize),
    /// Index in [`RunsModel::playbooks`].
    Playbook(usize),
}

/// The Playbooks view's own state.
#[derive(Debug, Clone, Default)]
pub struct PlaybooksState {
    /// The list: open runs, recent runs, playbooks, filtered.
    pub list: Picker<RunsKey, RowRef>,
    /// The run or playbook whose detail has the cursor.
    pub opened: Option<Opened>,
    /// The item (or step) cursor of the opened detail, by position: a
    /// run's items never move.
    pub items: Picker<usize, ()>,
}

impl PlaybooksState {
    /// Recomputes the list from the model and filter (and the detail's
    /// cursor range); returns the selected key when it is no longer listed.
    pub fn recompute(&mut self, model: Option<&RunsModel>, filter: &str) -> Option<RunsKey> {
        let Some(m) = model else {
            self.items.set_rows(Vec::new());
            return self.list.set_rows(Vec::new());
        };
        let f = filter.to_lowercase();
        let run_ok = |r: &Run| {
            let ctx = r.context.clone().unwrap_or_default();
            matches(&f, &[&r.key, &r.def().name, &ctx])
        };
        let mut rows = Vec::new();
        for (i, o) in m.open_runs.iter().enumerate() {
            if run_ok(&o.run) {
                rows.push((RunsKey::Run(o.run.id), RowRef::Open(i)));
            }
        }
        for (i, r) in m.recent_closed.iter().enumerate() {
            if run_ok(r) {
                rows.push((RunsKey::Run(r.id), RowRef::Closed(i)));
            }
        }
        for (i, p) in m.playbooks.iter().enumerate() {
            if matches(&f, &[&p.key, &p.name]) {
                rows.push((RunsKey::Playbook(p.key.clone()), RowRef::Playbook(i)));
            }
        }
        let n = detail_len(m, self.opened.as_ref());
        self.items.set_rows((0..n).map(|i| (i, ())).collect());
        self.list.set_rows(rows)
    }

    /// The listed rows, in order.
    pub fn rows<'m>(&self, model: &'m RunsModel) -> Vec<ListRow<'m>> {
        self.list
            .rows()
            .filter_map(|(_, r)| resolve(model, *r))
            .collect()
    }

    /// The selected list row.
    pub fn selected<'m>(&self, model: &'m RunsModel) -> Option<ListRow<'m>> {
        self.list.selected_row().and_then(|r| resolve(model, *r))
    }

    /// The cursor that `↑`/`↓` move: the detail's when something is open.
    pub(crate) fn cursor_mut(&mut self) -> &mut dyn Cursor {
        if self.opened.is_some() {
            &mut self.items
        } else {
            &mut self.list
        }
    }

    /// The cursor's row (items when open, else the list).
    pub fn index(&self) -> usize {
        if self.opened.is_some() {
            self.items.index()
        } else {
            self.list.index()
        }
    }

    /// The row count under the cursor.
    pub fn len(&self) -> usize {
        if self.opened.is_some() {
            self.items.len()
        } else {
            self.list.len()
        }
    }

    /// Whether there is nothing under the cursor.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

fn resolve(m: &RunsModel, r: RowRef) -> Option<ListRow<'_>> {
    Some(match r {
        RowRef::Open(i) => ListRow::Open(m.open_runs.get(i)?),
        RowRef::Closed(i) => ListRow::Closed(m.recent_closed.get(i)?),
        RowRef::Playbook(i) => ListRow::Playbook(m.playbooks.get(i)?),
    })
}

/// A run of the model by number, open or recently closed.
pub(crate) fn find_run(m: &RunsModel, id: i64) -> Option<&Run> {
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

/// Rows of the opened detail: a run's items or a playbook's steps.
fn detail_len(m: &RunsModel, opened: Option<&Opened>) -> usize {
    match opened {
        Some(Opened::Run(id)) => find_run(m, *id).map_or(0, |r| run_items(r).len()),
        Some(Opened::Playbook(key)) => m
            .playbooks
            .iter()
            .find(|p| &p.key == key)
            .map_or(0, |p| p.def.steps.len()),
        None => 0,
    }
}

/// The Playbooks view's part of `update`.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Enter => enter(app),
        Action::Back if app.ui.playbooks.opened.is_some() => {
            app.ui.playbooks.opened = None;
            app.dirty = true;
            None
        }
        Action::Run(a) => run_action(app, a),
        other => super::common(app, other),
    }
}

/// `Enter` on the list: open the selected run (cursor on its first pending
/// item) or playbook.
fn enter(app: &mut App) -> Option<Effect> {
    let model = app.models.runs.as_ref()?;
    let st = &app.ui.playbooks;
    if st.opened.is_some() {
        return None;
    }
    let (opened, cursor) = match st.selected(model)? {
        ListRow::Open(o) => {
            let first = run_items(&o.run)
                .iter()
                .position(|r| !o.run.checklist.state(*r).is_closed())
                .unwrap_or(0);
            (Opened::Run(o.run.id), first)
        }
        ListRow::Closed(r) => (Opened::Run(r.id), 0),
        ListRow::Playbook(p) => (Opened::Playbook(p.key.clone()), 0),
    };
    let n = detail_len(model, Some(&opened));
    let st = &mut app.ui.playbooks;
    st.opened = Some(opened);
    st.items.set_rows((0..n).map(|i| (i, ())).collect());
    st.items.set_cursor(cursor);
    app.dirty = true;
    None
}

fn flash(app: &mut App, text: String) -> Option<Effect> {
    app.flash(text);
    app.dirty = true;
    None
}

/// The open run and the item under the cursor.
fn selected_item(app: &App) -> Option<(&Run, ItemRef)> {
    let Some(Opened::Run(id)) = app.ui.playbooks.opened else {
        return None;
    };
    let run = find_run(app.models.runs.as_ref()?, id)?;
    let item = *run_items(run).get(app.ui.playbooks.items.index())?;
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

/// A run key: opens popups or returns effects naming the run and item.
fn run_action(app: &mut App, action: RunAction) -> Option<Effect> {
    if action == RunAction::Note {
        let st = &app.ui.playbooks;
        let run = match (&st.opened, st.list.selected()) {
            (Some(Opened::Run(id)), _) => Some(*id),
            (None, Some(RunsKey::Run(id))) => Some(*id),
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
                        change: ItemChangeKind::Done(None),
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
