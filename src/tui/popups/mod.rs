//! Popups: help, filter, the record/note input line and confirmations. One
//! file each; they take the keys while open.

pub mod confirm;
pub mod help;
pub mod input;

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
    }
}
