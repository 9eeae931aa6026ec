//! Colours and symbols. Status is always carried by a word or symbol too, so
//! with `NO_COLOR` (or a monochrome terminal) nothing is lost.

use crate::domain::Status;
use ratatui::style::{Color, Modifier, Style};

/// The styles of the cockpit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// False when `NO_COLOR` is set: only bold/reverse/underline are used.
    pub color: bool,
}

impl Theme {
    /// Colour unless the `NO_COLOR` convention says otherwise.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// A theme without colour.
    pub fn mono() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Style of a status word or symbol; breach is bold even without colour.
    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Ok => self.fg(Color::Green),
            Status::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Status::Breach => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::NoData => self.fg(Color::DarkGray),
        }
    }

    /// Pane titles and table headers.
    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Column headers.
    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The selected row: reverse video reads on every terminal.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Secondary text.
    pub(crate) fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// The active view tab.
    pub(crate) fn tab_active(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// The header bar.
    pub(crate) fn bar(&self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// Error text (refused input).
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// A chart line of a threshold.
    pub fn line(&self, s: Status) -> Style {
        self.status(s).remove_modifier(Modifier::BOLD)
    }
}
