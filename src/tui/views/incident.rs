//! One incident's detail (Enter on an alert's detail when the alert belongs
//! to an incident, or `:incident show ID`): its state, commander and span,
//! its alerts, its timeline (alert events, run items, run notes, decisions,
//! its own steps) and its action items, late ones marked.

use super::cockpit::pane;
use crate::domain::incident::Origin;
use crate::tui::models::IncidentDetail;
use crate::tui::views::Look;
use crate::tui::widgets::clean;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// A date and time in the look's zone: `12-01 09:10`.
fn when(look: &Look, t: crate::domain::Timestamp) -> String {
    look.zone.format(t, "%m-%d %H:%M")
}

/// Draws the detail of one incident; the timeline starts at row `scroll`.
pub fn render(frame: &mut Frame, area: Rect, d: &IncidentDetail, scroll: usize, look: &Look) {
    let theme = &look.theme;
    let i = &d.incident;
    let (from, to) = i.span(look.now);
    let mut summary = vec![
        Line::from(vec![
            super::alerts::severity_span(i.severity, theme),
            Span::raw(format!(
                " {} · {} · commander {} · {} → {}{}",
                i.severity.word(),
                i.state.word(),
                clean(i.commander.as_deref().unwrap_or("—")),
                when(look, from),
                when(look, to),
                if i.resolved.is_none() {
                    " (ongoing)"
                } else {
                    ""
                }
            )),
        ]),
        Line::from(Span::styled(
            format!(
                "declared by {} · alerts {}",
                clean(&i.declared.by),
                d.alerts
                    .iter()
                    .map(|a| format!("#{} {}", a.id, clean(&a.title)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            theme.dim(),
        )),
    ];
    let late = d.actions.iter().filter(|a| a.is_late(look.now)).count();
    summary.push(Line::from(if d.actions.is_empty() {
        format!(
            "no action items · :incident action {} --owner P --due 7d TEXT",
            i.id
        )
    } else {
        format!(
            "{} action item{} · {late} late · post-mortem: opsdeck incident postmortem {}",
            d.actions.len(),
            if d.actions.len() == 1 { "" } else { "s" },
            i.id
        )
    }));
    let actions_h = if d.actions.is_empty() {
        0
    } else {
        (d.actions.len() as u16 + 2).min(6)
    };
    let [summary_area, timeline_area, actions_area] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Min(3),
        Constraint::Length(actions_h),
    ])
    .areas(area);
    let title = format!("Incident #{} · {}", i.id, clean(&i.title));
    frame.render_widget(
        Paragraph::new(summary)
            .wrap(Wrap { trim: true })
            .block(pane(&title, theme)),
        summary_area,
    );

    let room = timeline_area.height.saturating_sub(2) as usize;
    let start = scroll.min(d.timeline.len().saturating_sub(room.max(1)));
    let lines: Vec<Line> = d
        .timeline
        .iter()
        .skip(start)
        .take(room)
        .map(|e| {
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" — {}", clean(n)))
                .unwrap_or_default();
            let style = match e.origin {
                Origin::Incident | Origin::Decision => theme.header(),
                _ => ratatui::style::Style::default(),
            };
            Line::from(vec![
                Span::styled(format!("{} ", when(look, e.at)), theme.dim()),
                Span::raw(format!("{:<9}", e.origin.word())),
                Span::raw(format!(
                    "{:<10} ",
                    crate::text::sanitize_truncate(&e.actor, 10)
                )),
                Span::styled(clean(&e.what), style),
                Span::raw(note),
            ])
        })
        .collect();
    let shown_to = (start + lines.len()).min(d.timeline.len());
    let title = if d.timeline.len() > room {
        format!(
            "Timeline · {}–{} of {} · ↑↓ scroll",
            start + 1,
            shown_to,
            d.timeline.len()
        )
    } else {
        format!("Timeline · {} entries", d.timeline.len())
    };
    frame.render_widget(
        Paragraph::new(lines).block(pane(&title, theme)),
        timeline_area,
    );

    if actions_h > 0 {
        // Late first, then open, then done; what does not fit is counted.
        let rank = |a: &&crate::domain::incident::ActionItem| match a.state_word(look.now) {
            "late" => 0,
            "done" => 2,
            _ => 1,
        };
        let mut ordered: Vec<_> = d.actions.iter().collect();
        ordered.sort_by_key(rank);
        let rows = usize::from(actions_h.saturating_sub(2));
        let hidden = ordered.len().saturating_sub(rows);
        if hidden > 0 {
            ordered.truncate(rows.saturating_sub(1));
        }
        let more = ordered.len() < d.actions.len();
        let mut lines: Vec<Line> = ordered
            .into_iter()
            .map(|a| {
                let word = a.state_word(look.now);
                let mark = match word {
                    "late" => "✗",
                    "done" => "✓",
                    _ => "·",
                };
                let text = format!(
                    "{mark} {:<9} {:<5} {:<10} due {} {}",
                    clean(&a.external_id),
                    word,
                    crate::text::sanitize_truncate(&a.owner, 10),
                    a.due.map(|t| when(look, t)).unwrap_or_else(|| "—".into()),
                    clean(&a.text)
                );
                if word == "late" {
                    Line::from(Span::styled(
                        text,
                        theme.status(crate::domain::Status::Breach),
                    ))
                } else {
                    Line::from(text)
                }
            })
            .collect();
        if more {
            lines.push(Line::from(Span::styled(
                format!(
                    "+{} more · opsdeck incident show {}",
                    d.actions.len() - lines.len(),
                    i.id
                ),
                theme.dim(),
            )));
        }
        frame.render_widget(
            Paragraph::new(lines).block(pane("Action items", theme)),
            actions_area,
        );
    }
}
