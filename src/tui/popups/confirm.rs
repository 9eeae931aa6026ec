//! Confirmation of an action that cannot be undone: `y` runs it, anything
//! else cancels.

use super::PopupOutcome;
use crate::tui::action::{Action, Effect};
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// `Confirmed` runs the pending effect; anything else cancels it.
pub fn update(effect: &Effect, action: &Action) -> PopupOutcome {
    match action {
        Action::Confirmed => PopupOutcome::CloseWith(effect.clone()),
        _ => PopupOutcome::Close,
    }
}

/// Draws the confirmation box.
pub fn render(frame: &mut Frame, area: Rect, prompt: &str, theme: &Theme) {
    let w = (prompt.chars().count() as u16 + 6).clamp(30, area.width.saturating_sub(4).max(10));
    let r = super::help::centered(area, w, 5);
    frame.render_widget(Clear, r);
    let text = vec![
        Line::from(crate::text::sanitize(prompt)),
        Line::from(vec![
            Span::styled("y", theme.header()),
            Span::raw(" yes   any other key: no"),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Confirm ", theme.title())),
        ),
        r,
    );
}
