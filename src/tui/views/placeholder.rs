//! Views whose capability has not landed yet say what will appear there,
//! instead of showing invented data.

use crate::tui::app::View;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// What each not-yet-built view will show.
pub(crate) fn promise(view: View) -> &'static str {
    match view {
        View::Playbooks => "Playbooks and their checklist runs will appear here: steps with owners, entry and exit criteria, tolerances, and each run's items to check off.",
        View::Alerts => "Alerts will appear here: open and acknowledged alerts, critical first, with their escalation level, and the error budget of each service level.",
        View::Experiments => "Operational experiments will appear here: status, days left, and each success criterion against its threshold.",
        View::Decisions => "The decision log will appear here: what was decided, by whom, why, and the evidence captured at the time.",
        View::Feedback => "Customer feedback will appear here: ease, reliability and value scores by segment and channel, and recent comments.",
        _ => "",
    }
}

/// Draws the promise of `view`.
pub fn render(frame: &mut Frame, area: Rect, theme: &Theme, view: View) {
    let text = vec![Line::from(""), Line::from(promise(view))];
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(ratatui::text::Span::styled(
                    format!(" {} ", view.title()),
                    theme.title(),
                )),
        ),
        area,
    );
}
