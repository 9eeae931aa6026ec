//! Which key means what, in which view or popup.

use super::action::Action;
use super::app::{App, View};
use super::popups::Popup;
use super::state::playbooks::RunAction;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Rows moved by PgUp/PgDn.
pub const PAGE: i32 = 10;

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
        | Some(Popup::AlertInput { .. }) => {
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
    if app.view == View::Standup {
        return match key.code {
            KeyCode::Char(' ')
            | KeyCode::Right
            | KeyCode::Char('l')
            | KeyCode::Down
            | KeyCode::Char('j')
            | KeyCode::PageDown => Some(Action::StandupNext),
            KeyCode::Left
            | KeyCode::Char('h')
            | KeyCode::Up
            | KeyCode::Char('k')
            | KeyCode::PageUp => Some(Action::StandupPrev),
            KeyCode::Char('t') => Some(Action::NextSpeaker),
            KeyCode::Char('q') | KeyCode::Esc => Some(Action::Quit),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            _ => None,
        };
    }
    let action = match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Tab => Action::NextView,
        KeyCode::BackTab => Action::PrevView,
        KeyCode::Char(c @ '1'..='8') => Action::Goto(View::TABS[(c as u8 - b'1') as usize]),
        KeyCode::Up | KeyCode::Char('k') => Action::Move(-1),
        KeyCode::Down | KeyCode::Char('j') => Action::Move(1),
        KeyCode::PageUp => Action::Move(-PAGE),
        KeyCode::PageDown => Action::Move(PAGE),
        KeyCode::Home | KeyCode::Char('g') => Action::Top,
        KeyCode::End | KeyCode::Char('G') => Action::Bottom,
        KeyCode::Left | KeyCode::Char('h') => Action::PrevView,
        KeyCode::Right | KeyCode::Char('l') => Action::NextView,
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('/') => Action::OpenFilter,
        KeyCode::Char('o') if app.view == View::Indicators => Action::CycleSort,
        KeyCode::Char('n') if app.view == View::Indicators => Action::OpenRecord,
        KeyCode::Char(c @ ('a' | 'r' | 's' | 'e' | 'n')) if app.view == View::Alerts => {
            use super::state::alerts::AlertVerb;
            Action::Alert(match c {
                'a' => AlertVerb::Ack,
                'r' => AlertVerb::Resolve,
                's' => AlertVerb::Snooze,
                'e' => AlertVerb::Escalate,
                _ => AlertVerb::Note,
            })
        }
        KeyCode::Char(c @ ('x' | 's' | 'u' | 'n')) if app.view == View::Playbooks => {
            Action::Run(match c {
                'x' => RunAction::Check,
                's' => RunAction::Skip,
                'u' => RunAction::Undo,
                _ => RunAction::Note,
            })
        }
        _ => return None,
    };
    Some(action)
}
