//! Popups: help, filter, the record/note input line and confirmations. One
//! file each; they take the keys while open.

pub mod confirm;
pub mod help;
pub mod input;
pub mod run_input;

use super::action::{Action, Effect};
use super::app::App;
use tui_input::Input;

/// An open popup.
#[derive(Debug, Clone)]
pub enum Popup {
    /// The help overlay listing the keys of the current view.
    Help,
    /// The `/` filter line.
    Filter(Input),
    /// Record a value and/or note for an indicator.
    Record {
        /// Row id of the indicator.
        indicator_id: i64,
        /// The indicator's key.
        key: String,
        /// The indicator's name, for the popup's title.
        name: String,
        /// Derived indicators take notes only.
        derived: bool,
        /// The line being typed: `VALUE [note]` or `# note`.
        input: Input,
        /// Why the last submission was refused.
        error: Option<String>,
    },
    /// "Are you sure?" for an action that cannot be undone: `y` runs the
    /// effect, anything else drops it.
    Confirm {
        /// The question, naming the item it acts on.
        prompt: String,
        /// What `y` runs.
        effect: Effect,
    },
    /// The snooze-time or note line of the Alerts view; Enter asks to confirm.
    AlertInput {
        /// Row id of the alert.
        id: i64,
        /// Which action asked: snooze (a time) or note (a text).
        verb: crate::tui::state::alerts::AlertVerb,
        /// The alert's title, cut, for the confirmation.
        title: String,
        /// The line being typed: `VALUE [note]` or `# note`.
        input: Input,
        /// Why the last submission was refused.
        error: Option<String>,
    },
    /// Correct a recorded value from the indicator detail: the value first
    /// (`value` is `None`), then the reason.
    Correct {
        /// The observation's id.
        id: i64,
        /// The indicator's key (shown in the prompt).
        key: String,
        /// The value as recorded.
        old: f64,
        /// When it was measured (unix seconds).
        at: crate::domain::Timestamp,
        /// The new value once typed; `None` while asking for it.
        value: Option<f64>,
        /// What is being typed.
        input: Input,
        /// Why the last entry was refused; `None` before one.
        error: Option<String>,
    },
    /// A reason or note in the Playbooks & runs view.
    RunInput {
        /// Run number.
        run: i64,
        /// The item's `STEP.N` label (none for a note on the run).
        item: Option<String>,
        /// What the line is for: a skip reason, an override reason or a note.
        asking: crate::tui::state::playbooks::Asking,
        /// The question shown, e.g. "Resolve #3 … ? This cannot be undone." (the popup adds the y/no line).
        prompt: String,
        /// The line being typed: `VALUE [note]` or `# note`.
        input: Input,
        /// Why the last submission was refused.
        error: Option<String>,
    },
    /// The `:` command line.
    Command(crate::tui::cmdline::CommandPopup),
}

/// What an open popup did with an action.
#[derive(Debug, Clone)]
pub enum PopupOutcome {
    /// The popup took the action and stays open (possibly changed).
    Stay,
    /// The popup took the action and is replaced by the next question.
    Replace(Popup),
    /// The popup took the action and closes.
    Close,
    /// The popup closes and the loop must run this effect.
    CloseWith(Effect),
    /// Not for the popup (data, ticks): it stays open and the action goes
    /// on to the app.
    PassThrough,
}

/// Handles `action` while `popup` is open (taken out of the app meanwhile).
pub fn update(app: &mut App, popup: &mut Popup, action: &Action) -> PopupOutcome {
    // Data arriving and ticks go to the app whatever is open.
    if !action.is_from_user() {
        return PopupOutcome::PassThrough;
    }
    match popup {
        Popup::Help => PopupOutcome::Close,
        Popup::Filter(input) => input::update_filter(app, input, action),
        Popup::Record { .. } => input::update_record(popup, action),
        Popup::Confirm { effect, .. } => confirm::update(effect, action),
        Popup::AlertInput { .. } => crate::tui::state::alerts::update_input(app.now, popup, action),
        Popup::RunInput { .. } => run_input::update(popup, action),
        Popup::Correct { .. } => crate::tui::corrections::update(popup, action),
        Popup::Command(_) => crate::tui::cmdline::update(app, popup, action),
    }
}
