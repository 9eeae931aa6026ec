//! One alert's detail (Enter in the Alerts view): what it is and where it
//! stands, its escalation path with the current level and when the next
//! one fires, its linked run, and its timeline of events and notes.

use super::cockpit::pane;
use crate::domain::duration::{format_age, format_duration};
use crate::domain::escalation::path::{next_step, StepState};
use crate::domain::escalation::AlertState;

use crate::tui::models::AlertDetail;
use crate::tui::views::Look;
use crate::tui::widgets::clean;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Draws the detail of one alert.
pub fn render(frame: &mut Frame, area: Rect, d: &AlertDetail, look: &Look) {
    let theme = &look.theme;
    let a = &d.alert;
    let path_h = (d.path.len() as u16 + 3).min(8);
    let summary_h = 6 + u16::from(d.silenced.is_some()) + u16::from(d.incident.is_some());
    let [summary_area, path_area, timeline_area] = Layout::vertical([
        Constraint::Length(summary_h),
        Constraint::Length(path_h),
        Constraint::Min(3),
    ])
    .areas(area);

    let state = match (a.state, a.cleared_at, a.paused) {
        (AlertState::Resolved, _, _) => "resolved".to_string(),
        (_, _, true) => "paused".to_string(),
        (_, Some(_), _) => "cleared, waiting to be resolved".to_string(),
        (AlertState::Acknowledged, _, _) => format!(
            "acknowledged by {}",
            clean(a.acked_by.as_deref().unwrap_or("?"))
        ),
        (AlertState::Open, _, _) => "open".to_string(),
    };
    let mut lines = vec![
        Line::from(vec![
            super::alerts::severity_span(a.severity, theme),
            Span::raw(format!(
                " {} · {state} · ☎ {} · age {} · seen {}×",
                a.severity.word(),
                clean(&d.waiting_for),
                format_age((look.now - a.first_seen).max(0)),
                a.count
            )),
        ]),
        Line::from(Span::styled(
            format!(
                "cause {} · opened by {}",
                clean(&a.key),
                clean(&a.opened_by)
            ),
            theme.dim(),
        )),
    ];
    if let Some(x) = &d.silenced {
        lines.push(Line::from(format!(
            "◌ silenced by {} until {}: {} (no page, no escalation)",
            clean(&x.by),
            look.clock(x.until),
            clean(&x.reason)
        )));
    }
    if !a.detail.is_empty() {
        lines.push(Line::from(clean(&a.detail)));
    }
    let run = match &d.run {
        Some(r) => {
            let late = if r.overdue { " · overdue" } else { "" };
            format!(
                "run #{} {} {}/{} items {}{late}",
                r.id,
                clean(&r.playbook),
                r.done + r.skipped,
                r.total,
                r.state
            )
        }
        None => match &a.playbook {
            Some(p) => format!("no run yet · playbook {}", clean(p)),
            None => "no linked run".to_string(),
        },
    };
    lines.push(Line::from(run));
    if let Some(i) = &d.incident {
        lines.push(Line::from(Span::styled(
            format!(
                "incident #{} {} · Enter: its timeline · {}",
                i.id,
                i.state.word(),
                clean(&i.title)
            ),
            theme.header(),
        )));
    }
    let title = format!("Alert #{} · {}", a.id, clean(&a.title));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(pane(&title, theme)),
        summary_area,
    );

    // The escalation path.
    let mut path_lines: Vec<Line> = d
        .path
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (mark, when) = match s.state {
                StepState::Passed => ("✓", "passed".to_string()),
                StepState::Current => ("▶", "now".to_string()),
                StepState::Ahead(Some(at)) if at <= look.now => ("·", "due now".to_string()),
                StepState::Ahead(Some(at)) => ("·", format!("fires at {}", look.clock(at))),
                StepState::Ahead(None) => ("·", "held".to_string()),
            };
            let target = match d.path_people.get(i) {
                Some(p) if p != &s.target => format!("{}: {}", clean(&s.target), clean(p)),
                _ => clean(&s.target),
            };
            let text = format!(
                "{mark} L{} {:<18} after {:<6} {when}",
                i + 1,
                target,
                format_duration(s.after_secs)
            );
            match s.state {
                StepState::Current => Line::from(Span::styled(text, theme.header())),
                StepState::Passed => Line::from(Span::styled(text, theme.dim())),
                StepState::Ahead(_) => Line::from(text),
            }
        })
        .collect();
    // A level's target with the person it pages now, when they differ.
    let who = |s: &crate::domain::escalation::path::PathStep| {
        let i = d.path.iter().position(|p| std::ptr::eq(p, s));
        match i.and_then(|i| d.path_people.get(i)) {
            Some(p) if p != &s.target => format!("{}: {}", clean(&s.target), clean(p)),
            _ => clean(&s.target),
        }
    };
    let next = match next_step(&d.path) {
        Some(s) => match s.state {
            StepState::Ahead(Some(at)) => format!(
                "next: {} at {} (in {})",
                who(s),
                look.clock(at),
                format_duration((at - look.now).max(0))
            ),
            _ => format!("next: {} · {}", who(s), hold_reason(d, look)),
        },
        None => "at the last level".to_string(),
    };
    path_lines.insert(0, Line::from(Span::styled(next, theme.title())));
    frame.render_widget(
        Paragraph::new(path_lines).block(pane("Escalation path", theme)),
        path_area,
    );

    // The timeline, newest last: a long note wraps under its own column;
    // what does not fit drops the oldest events whole.
    let room = timeline_area.height.saturating_sub(2) as usize;
    let inner = timeline_area.width.saturating_sub(2) as usize;
    let events: Vec<Vec<Line>> = d
        .events
        .iter()
        .map(|e| {
            let note = e
                .note
                .as_deref()
                .map(|n| format!(": {}", clean(n)))
                .unwrap_or_default();
            let level = e.level.map(|l| format!(" L{}", l + 1)).unwrap_or_default();
            let who = crate::format::acting(&e.actor, e.login.as_deref(), 16);
            let clock = format!("{} ", look.clock(e.at));
            let indent = clock.chars().count() + 12;
            let text = format!("{level} {who}{note}");
            let parts = crate::text::wrap_words(
                text.trim_start(),
                inner.saturating_sub(indent + 1).max(10),
            );
            let mut lines = Vec::with_capacity(parts.len());
            for (i, part) in parts.into_iter().enumerate() {
                if i == 0 {
                    lines.push(Line::from(vec![
                        Span::styled(clock.clone(), theme.dim()),
                        Span::styled(
                            format!("{:<12}", clean(&e.kind)),
                            if e.kind == "note" {
                                theme.header()
                            } else {
                                ratatui::style::Style::default()
                            },
                        ),
                        Span::raw(format!(" {part}")),
                    ]));
                } else {
                    lines.push(Line::from(format!("{:indent$} {part}", "")));
                }
            }
            lines
        })
        .collect();
    let notes = d.events.iter().filter(|e| e.kind == "note").count();
    let mut shown: Vec<Line> = Vec::new();
    let mut kept = 0;
    for lines in events.iter().rev() {
        if shown.len() + lines.len() > room && kept > 0 {
            break;
        }
        kept += 1;
        for l in lines.iter().rev() {
            shown.push(l.clone());
        }
    }
    shown.reverse();
    let skip = shown.len().saturating_sub(room);
    let title = format!(
        "Timeline · {} events · {notes} notes{}",
        d.events.len(),
        if kept < events.len() {
            format!(" · last {kept}")
        } else {
            String::new()
        }
    );
    frame.render_widget(
        Paragraph::new(shown.into_iter().skip(skip).collect::<Vec<_>>()).block(pane(&title, theme)),
        timeline_area,
    );
}

/// Why the path is not climbing.
fn hold_reason(d: &AlertDetail, look: &Look) -> String {
    let a = &d.alert;
    if a.state == AlertState::Resolved {
        return "resolved".into();
    }
    if a.cleared_at.is_some() {
        return "held: the cause cleared".into();
    }
    if a.paused {
        return format!(
            "held: paused ({})",
            clean(a.pause_reason.as_deref().unwrap_or("no reason"))
        );
    }
    if let Some(u) = a.snoozed_until.filter(|u| *u > look.now) {
        return format!("held: snoozed until {}", look.clock(u));
    }
    match d.ack_expires_at {
        Some(at) => format!("held: acknowledged; re-opens at {}", look.clock(at)),
        None => "held: acknowledged".into(),
    }
}
