//! What can happen (Action) and what the loop must do about it (Effect).

use super::app::View;
use super::models::Models;
use crate::domain::Timestamp;
use crossterm::event::KeyEvent;

/// Everything that changes the app's state: keys turned into intents,
/// ticks, database changes and the results of effects.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    NextView,
    PrevView,
    Goto(View),
    /// Move the selection by rows (negative is up).
    Move(i32),
    Top,
    Bottom,
    /// Open the detail of the selection.
    Enter,
    /// Close a detail or popup.
    Back,
    ToggleHelp,
    OpenFilter,
    /// Cycle the sort column of the Indicators table.
    CycleSort,
    /// Open the record/note input for the selected indicator.
    OpenRecord,
    /// A key typed into the open input line.
    InputKey(KeyEvent),
    Submit,
    /// A confirmation answered yes.
    Confirmed,
    /// The clock moved on.
    Tick(Timestamp),
    /// Another process committed to the database.
    DataChanged,
    /// Models reloaded from the store.
    Loaded(Box<Models>),
    /// An effect finished: a message for the status line, or an error.
    Done(Result<String, String>),
    /// Standup: next and previous section, next speaker.
    StandupNext,
    StandupPrev,
    NextSpeaker,
    /// The terminal was resized.
    Resize,
    /// An alert key of the Alerts view (a, r, s, e, n): asks first.
    Alert(super::state::alerts::AlertVerb),
    /// A key of the Playbooks & runs view: check, skip, undo, note.
    Run(super::state::playbooks::RunAction),
}

/// Work for the loop: the only place the store is touched.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Reload the models of the visible view.
    Reload,
    /// Record a value and/or a note for an indicator.
    Record {
        indicator_id: i64,
        key: String,
        value: Option<f64>,
        note: Option<String>,
    },
    /// Evaluate the alert rules and advance escalation (the minute tick),
    /// then reload.
    EvaluateAlerts,
    /// Acknowledge, resolve, snooze, escalate or annotate one alert.
    Alert {
        id: i64,
        op: super::state::alerts::AlertOp,
    },
    /// Change a checklist item or note a run.
    Run(super::state::playbooks::RunEffect),
}
