//! Decisions: the decision log newest first, the selected decision's reason
//! and the evidence captured when it was taken; and the standup's section of
//! decisions and experiment milestones.

use crate::domain::decision::DecisionRecord;
use crate::format::{utc_date, utc_minute};
use crate::store::learning_models::DecisionsModel;
use crate::tui::list::cut_note;
use crate::tui::models::Models;
use crate::tui::state::lists::DecisionsState;
use crate::tui::theme::Theme;
use crate::tui::views::cockpit::{pane, promise_pane};
use crate::tui::views::standup::Section;
use crate::tui::views::Look;
use crate::tui::widgets::clean;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use ratatui::Frame;

fn links(d: &DecisionRecord) -> String {
    match (d.supersedes, d.superseded_by) {
        (Some(old), Some(new)) => format!("⇠#{old} ⇢#{new}"),
        (Some(old), None) => format!("⇠#{old}"),
        (None, Some(new)) => format!("⇢#{new}"),
        (None, None) => String::new(),
    }
}

/// Draws the Decisions view.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    st: &DecisionsState,
    model: Option<&DecisionsModel>,
    look: &Look,
) {
    let theme = &look.theme;
    let Some(model) = model else {
        promise_pane(frame, area, "Decisions", "Loading…", theme);
        return;
    };
    if model.rows.is_empty() {
        let text = "No decisions recorded yet. Record one with `opsdeck decision add TITLE \
            --why TEXT --evidence indicator:KEY`, or conclude an experiment.";
        promise_pane(frame, area, "Decisions", text, theme);
        return;
    }
    let list = st.rows(model);
    let list_height = (list.len() as u16 + 3).clamp(4, area.height / 2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1)]).areas(area);
    let header = super::table::header(["#", "date", "who", "decision", "links"], theme);
    let table_rows: Vec<Row> = list
        .iter()
        .map(|d| {
            let style = if d.superseded_by.is_some() {
                theme.dim()
            } else {
                Style::new()
            };
            Row::new(vec![
                Cell::from(format!("#{}", d.id)),
                Cell::from(utc_date(d.at)),
                Cell::from(clean(&d.who)),
                Cell::from(clean(&d.title)),
                Cell::from(links(d)),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(4),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Fill(1),
        Constraint::Length(9),
    ];
    let title = format!(
        "Decisions · {} recorded{} · newest first · ⇠ supersedes ⇢ superseded by",
        model.rows.len(),
        cut_note(top.height.saturating_sub(3) as usize, list.len())
    );
    let table = super::table::pane_table(table_rows, widths, header, &title, theme)
        .row_highlight_style(theme.selected());
    st.list.render(frame, top, table, 1, true);
    match list.get(st.list.index()) {
        Some(d) => render_detail(frame, bottom, d, theme),
        None => promise_pane(
            frame,
            bottom,
            "Detail",
            "No decision matches the filter.",
            theme,
        ),
    }
}

fn render_detail(frame: &mut Frame, area: Rect, d: &DecisionRecord, theme: &Theme) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::from(Span::styled(clean(&d.title), bold)),
        Line::from(format!("{} UTC by {}", utc_minute(d.at), clean(&d.who))),
    ];
    if let Some(old) = d.supersedes {
        lines.push(Line::from(format!("supersedes #{old}")));
    }
    if let Some(new) = d.superseded_by {
        lines.push(Line::from(Span::styled(
            format!("superseded by #{new}: no longer in force"),
            theme.status(crate::domain::Status::Warn),
        )));
    }
    lines.push(Line::from(vec![
        Span::styled("why ", theme.header()),
        Span::raw(clean(&d.why)),
    ]));
    if d.evidence.is_empty() {
        lines.push(Line::from(Span::styled(
            "no evidence recorded",
            theme.dim(),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "evidence, as it stood then:",
            theme.header(),
        )));
        for e in &d.evidence {
            lines.push(Line::from(format!(
                "• {} — {}",
                clean(&e.reference.to_string()),
                clean(&e.summary)
            )));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane(&format!("Decision #{}", d.id), theme)),
        area,
    );
}

/// The standup's section: decisions taken and experiment milestones since
/// the previous standup (or the last 7 days before the first one).
pub(crate) fn standup_section(models: &Models, theme: &Theme) -> Section {
    let standup = models.standup.clone().unwrap_or_default();
    let learning = standup.learning;
    let since = match standup.previous {
        Some(p) => format!("since {} UTC", utc_minute(p)),
        None => "in the last 7 days".to_string(),
    };
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if learning.decisions.is_empty() && learning.milestones.is_empty() {
        lines.push(Line::from(format!(
            "No decisions and no experiment milestones {since}."
        )));
    }
    if !learning.decisions.is_empty() {
        lines.push(Line::from(Span::styled(format!("Decided {since}:"), bold)));
        for d in &learning.decisions {
            let link = d
                .supersedes
                .map(|o| format!(" (replaces #{o})"))
                .unwrap_or_default();
            lines.push(Line::from(format!(
                "  #{} {}: {}{link}",
                d.id,
                clean(&d.who),
                clean(&d.title)
            )));
        }
    }
    if !learning.milestones.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("Experiments {since}:"),
            bold,
        )));
        for m in &learning.milestones {
            lines.push(Line::from(vec![
                Span::raw(format!("  {}  ", &utc_minute(m.at)[5..])),
                Span::styled(clean(&m.what), theme.header()),
                Span::raw(format!("  {} · {}", clean(&m.key), clean(&m.title))),
            ]));
        }
    }
    Section {
        title: "Decisions and experiments".into(),
        lines,
    }
}
