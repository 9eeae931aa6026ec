//! Which key means what: a popup's keys while one is open, else the key
//! table of `keys.rs` (one table for keymap, help and footer).

use super::action::Action;
use super::app::App;
use super::popups::Popup;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use super::keys::PAGE;

/// The action for `key` in the app's current state, if any.
pub fn keymap(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    match &app.popup {
        Some(Popup::Help) => return Some(Action::Back),
        Some(Popup::Filter(_))
        | Some(Popup::Record { .. })
        | Some(Popup::RunInput { .. })
        | Some(Popup::Correct { .. })
        | Some(Popup::AlertInput { .. })
        | Some(Popup::Command(_)) => {
            return Some(match key.code {
                KeyCode::Enter => Action::Submit,
                KeyCode::Esc => Action::Back,
                _ => Action::InputKey(key),
            })
        }
        Some(Popup::Confirm { .. }) => {
            return Some(match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Action::Confirmed,
                _ => Action::Back,
            })
        }
        None => {}
    }
    let cx = app.key_context();
    if let Some(b) = app.keys.refused_write(cx, key.code) {
        return Some(Action::Done(Err(format!(
            "read-only: `{}` ({}) changes the database, and this cockpit was opened with --read-only or on a file it cannot write",
            super::keys::keys_label(b),
            b.help
        ))));
    }
    app.keys.lookup(cx, key.code)
}
