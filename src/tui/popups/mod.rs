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
        indicator_id: i64,
        key: String,
        name: String,
        /// Derived indicators take notes only.
        derived: bool,
        input: Input,
        /// Why the last submission was refused.
        error: Option<String>,
    },
    /// "Are you sure?" for an action that cannot be undone: `y` runs the
    /// effect, anything else drops it.
    Confirm { prompt: String, effect: Effect },
    /// The snooze-time or note line of the Alerts view; Enter asks to confirm.
    AlertInput {
        id: i64,
        verb: crate::tui::state::alerts::AlertVerb,
        /// The alert's title, cut, for the confirmation.
        title: String,
        input: Input,
        error: Option<String>,
    },
    /// A reason or note in the Playbooks & runs view.
    RunInput {
        run: i64,
        /// The item's `STEP.N` label (none for a note on the run).
        item: Option<String>,
        asking: crate::tui::state::playbooks::Asking,
        prompt: String,
        input: Input,
        error: Option<String>,
    },
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
    if matches!(
        action,
        Action::Loaded(_)
            | Action::Tick(_)
            | Action::DataChanged
            | Action::Done(_)
            | Action::Resize
    ) {
        return PopupOutcome::PassThrough;
    }
    match popup {
        Popup::Help => PopupOutcome::Close,
        Popup::Filter(input) => input::update_filter(app, input, action),
        Popup::Record { .. } => input::update_record(popup, action),
        Popup::Confirm { effect, .. } => confirm::update(effect, action),
        Popup::AlertInput { .. } => crate::tui::state::alerts::update_input(app.now, popup, action),
        Popup::RunInput { .. } => run_input::update(popup, action),
    }
}
