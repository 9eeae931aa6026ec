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
        verb: crate::tui::alert_actions::AlertVerb,
        /// The alert's title, cut, for the confirmation.
        title: String,
        input: Input,
        error: Option<String>,
    },
    /// Correct a recorded value from the indicator detail: the value first
    /// (`value` is `None`), then the reason.
    Correct {
        id: i64,
        key: String,
        old: f64,
        at: crate::domain::Timestamp,
        value: Option<f64>,
        input: Input,
        error: Option<String>,
    },
    /// A reason or note in the Playbooks & runs view.
    RunInput {
        run: i64,
        /// The item's `STEP.N` label (none for a note on the run).
        item: Option<String>,
        asking: crate::tui::runs::Asking,
        prompt: String,
        input: Input,
        error: Option<String>,
    },
}

/// Handles `action` while `popup` is open. Returns the popup to keep open
/// (if any) and, when the popup consumed the action, `Some(effect)`.
/// `None` lets the action fall through to the view.
#[allow(clippy::type_complexity)]
pub fn update(
    app: &mut App,
    popup: Popup,
    action: &Action,
) -> (Option<Popup>, Option<Option<Effect>>) {
    // Data arriving and ticks go to the app whatever is open.
    if matches!(
        action,
        Action::Loaded(_)
            | Action::Tick(_)
            | Action::DataChanged
            | Action::Done(_)
            | Action::Resize
    ) {
        return (Some(popup), None);
    }
    match popup {
        Popup::Help => (None, Some(None)),
        Popup::Filter(input) => input::update_filter(app, input, action),
        Popup::Record { .. } => input::update_record(popup, action),
        Popup::Confirm { effect, .. } => confirm::update(effect, action),
        Popup::AlertInput { .. } => crate::tui::alert_actions::update_input(app, popup, action),
        Popup::RunInput { .. } => run_input::update(popup, action),
        Popup::Correct { .. } => crate::tui::corrections::update(popup, action),
    }
}
