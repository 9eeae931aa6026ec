//! The `?` overlay: every key of the current view.

use crate::tui::app::View;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// Keys that work everywhere.
pub const GLOBAL_KEYS: &[(&str, &str)] = &[
    ("1-8", "go to a view"),
    ("Tab / S-Tab", "next / previous view"),
    ("↑↓ / k j", "move the selection"),
    ("PgUp PgDn g G", "page, top, bottom"),
    ("Enter", "open the detail"),
    ("Esc", "back / clear the filter"),
    ("/", "filter the list"),
    ("?", "this help"),
    ("q", "quit"),
];

/// Keys of one view (besides the global ones).
pub fn view_keys(view: View) -> &'static [(&'static str, &'static str)] {
    match view {
        View::Cockpit => &[("(read only)", "the board; open a view for actions")],
        View::Indicators => &[
            ("Enter", "chart, thresholds, definition, notes"),
            ("n", "record a value (VALUE [note]) or a note (# text)"),
            ("o", "sort by status, name, kind, owner"),
            ("c", "correct a recent value (in the detail)"),
        ],
        View::Work => &[("/", "filter by kind or segment")],
        View::Alerts => &[
            ("a", "acknowledge the selected alert (you own it)"),
            ("r", "resolve it"),
            ("s", "snooze it until a time (2h, 1d, RFC 3339)"),
            ("e", "escalate it one level"),
            ("n", "add a note to its history"),
            ("/", "filter by title or owner"),
        ],
        View::Playbooks => &[
            ("Enter", "open a run's items or a playbook's steps"),
            ("x", "check the selected item"),
            ("s", "skip the selected item, with a reason"),
            ("u", "undo: put the item back to pending"),
            ("n", "add a note to the run"),
            ("(gated)", "x/s on a step not started asks a reason"),
            ("Esc", "back to the list"),
        ],
        View::Experiments => &[
            ("↑↓", "choose an experiment; its criteria show below"),
            ("/", "filter by key, title or status"),
        ],
        View::Decisions => &[
            ("↑↓", "choose a decision; its evidence shows below"),
            ("/", "filter by title, reason or who"),
        ],
        View::Feedback => &[("(read only)", "scores by segment and channel, comments")],
        View::Standup => &[
            ("Space / → / l", "next section"),
            ("← / h", "previous section"),
            ("t", "next speaker (starts the timer)"),
            ("q / Esc", "leave the standup"),
        ],
    }
}

/// A rectangle of `w`×`h` centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws the help overlay for `view`.
pub fn render(frame: &mut Frame, area: Rect, view: View, extra: &[(&str, &str)], theme: &Theme) {
    let mut lines: Vec<Line> = Vec::new();
    let key_line = |k: &str, d: &str| {
        Line::from(vec![
            Span::styled(format!(" {k:<15}"), theme.header()),
            Span::raw(format!(" {d}")),
        ])
    };
    lines.push(Line::from(Span::styled(
        format!(" {} ", view.title()),
        theme.title(),
    )));
    for (k, d) in view_keys(view).iter().chain(extra.iter()) {
        lines.push(key_line(k, d));
    }
    if view != View::Standup {
        lines.push(Line::from(Span::styled(" Everywhere ", theme.title())));
        for (k, d) in GLOBAL_KEYS {
            lines.push(key_line(k, d));
        }
    }
    lines.push(Line::from(Span::styled(
        " any key closes this help",
        theme.dim(),
    )));
    let h = lines.len() as u16 + 2;
    let r = centered(area, 64, h);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Keys ")),
        r,
    );
}
