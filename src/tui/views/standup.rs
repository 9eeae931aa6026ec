//! The standup board: one section at a time in large, high-contrast type,
//! what changed since the previous standup, and a per-speaker timer.

use crate::format::{number, utc_date, utc_minute, value_unit};

use crate::tui::models::Models;
use crate::tui::state::standup::StandupState;
use crate::tui::views::Look;
use crate::tui::widgets::bigtext::{big_lines, big_width};
use crate::tui::widgets::{clean, status_span};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// A section of the standup: a title and its lines.
pub struct Section {
    /// Section heading, e.g. "Alerts" or "Overdue checklist items".
    pub title: String,
    /// The section's rendered lines.
    pub lines: Vec<Line<'static>>,
}

/// How many sections the standup has with these models.
pub(crate) fn section_count(models: &Models) -> usize {
    sections(models, &crate::tui::theme::Theme::mono()).len()
}

/// The sections, in the order the team goes through them.
pub(crate) fn sections(models: &Models, theme: &crate::tui::theme::Theme) -> Vec<Section> {
    let mut out = Vec::new();
    let standup = models.standup.clone().unwrap_or_default();
    // 1. Indicators that changed status.
    let mut lines: Vec<Line<'static>> = Vec::new();
    match standup.previous {
        None => lines.push(Line::from("First standup: no earlier one to compare with.")),
        Some(p) => {
            if standup.changes.is_empty() {
                lines.push(Line::from(format!(
                    "No indicator changed status since {}.",
                    utc_minute(p)
                )));
            }
            for c in &standup.changes {
                lines.push(Line::from(vec![
                    status_span(c.after, theme),
                    Span::raw(format!("  {}  ", clean(&c.name))),
                    Span::raw(format!("{} → {}", c.before_text, c.after_text)),
                    Span::raw(format!("   now {}", value_unit(c.value, &c.unit))),
                ]));
            }
        }
    }
    if !standup.attention.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Needs attention now:",
            Style::new().add_modifier(Modifier::BOLD),
        )));
        for r in &standup.attention {
            lines.push(Line::from(vec![
                status_span(r.status, theme),
                Span::raw(format!(
                    "  {}  {} (target {})",
                    clean(&r.def.name),
                    value_unit(r.value, &r.def.unit),
                    value_unit(Some(r.def.target), &r.def.unit)
                )),
            ]));
        }
    }
    out.push(Section {
        title: "Indicators".into(),
        lines,
    });
    out.push(alerts_section(models, theme));
    out.push(checklists_section(models, theme));
    // Work and capacity.
    let mut lines: Vec<Line<'static>> = Vec::new();
    for r in models
        .flow
        .iter()
        .flat_map(|f| f.rows.iter())
        .filter(|r| r.segment.is_none())
    {
        let s = &r.summary;
        lines.push(Line::from(Span::styled(
            clean(&r.kind).to_uppercase(),
            Style::new().add_modifier(Modifier::BOLD),
        )));
        lines.push(Line::from(format!(
            "  in progress {}   done per day {}   on time {}   cycle p90 {}",
            s.wip,
            number(s.throughput_per_day),
            value_unit(s.on_time_pct, "%"),
            s.cycle_p90_h
                .map(|h| format!("{}h", number(h)))
                .unwrap_or_else(|| "—".into())
        )));
        if let Some(c) = &r.capacity {
            let forecast = match c.warn_forecast {
                Some(t) if t <= models.board.as_ref().map(|b| b.now).unwrap_or(t) => {
                    "already in the warn band".to_string()
                }
                Some(t) => format!("reaches the warn band around {}", utc_date(t)),
                None => "not heading for the warn band".to_string(),
            };
            lines.push(Line::from(vec![
                Span::raw("  capacity used "),
                Span::raw(value_unit(c.utilisation.map(|u| u * 100.0), "%")),
                Span::raw("  "),
                status_span(c.band, theme),
                Span::raw(format!("  · {forecast}")),
            ]));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from("No work items yet."));
    }
    out.push(Section {
        title: "Work and capacity".into(),
        lines,
    });
    out.push(super::decisions::standup_section(models, theme));
    out
}

/// Alerts that opened, re-opened or escalated since the previous standup.
fn alerts_section(models: &Models, theme: &crate::tui::theme::Theme) -> Section {
    let news = models
        .standup
        .as_ref()
        .map(|s| s.alert_news.as_slice())
        .unwrap_or_default();
    let mut lines: Vec<Line<'static>> = Vec::new();
    if news.is_empty() {
        lines.push(Line::from(
            "No alert opened or escalated since the previous standup.",
        ));
    }
    for e in news {
        let what = match e.event.kind.as_str() {
            "escalated" => format!(
                "escalated to level {}",
                e.event.level.map(|l| l + 1).unwrap_or(0)
            ),
            "reopened" => "re-opened".to_string(),
            _ => "opened".to_string(),
        };
        let sev = crate::tui::views::alerts::severity_span(e.severity, theme);
        let when = chrono::DateTime::from_timestamp(e.event.at, 0)
            .map(|d| d.format("%a %H:%M").to_string())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            sev,
            Span::raw(format!(" #{} {} — ", e.event.alert_id, clean(&e.title))),
            Span::styled(what, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(" · {when}")),
        ]));
    }
    Section {
        title: "Alerts".into(),
        lines,
    }
}

/// Lateness to the minute (`1d23h59m`).
fn late_text(secs: i64) -> String {
    crate::domain::duration::format_duration(secs.max(60) - secs.max(60) % 60)
}

/// Overdue checklist items, the latest first, with their owner role.
fn checklists_section(models: &Models, theme: &crate::tui::theme::Theme) -> Section {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let runs = models
        .runs
        .as_ref()
        .map(|r| r.open_runs.as_slice())
        .unwrap_or_default();
    for r in runs.iter().filter(|r| r.late_by.is_some()) {
        let late = late_text(r.late_by.unwrap_or(0));
        lines.push(Line::from(vec![
            crate::tui::widgets::status_span(crate::domain::Status::Breach, theme),
            Span::raw(format!(
                " run #{} {}{} · {late} late · {}/{} done",
                r.run.id,
                clean(&r.run.key),
                r.run
                    .context
                    .as_deref()
                    .map(|c| format!(" for {}", clean(c)))
                    .unwrap_or_default(),
                r.progress.closed(),
                r.progress.total
            )),
        ]));
        for item in r.late_items.iter().take(3) {
            lines.push(Line::from(format!(
                "    {} {} · {} · {} late",
                clean(&item.label),
                crate::tui::widgets::clean_cut(&item.text, 44),
                clean(&item.owner_role),
                late_text(item.late_by)
            )));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from("No checklist item is overdue."));
    }
    Section {
        title: "Overdue checklist items".into(),
        lines,
    }
}

/// Draws the standup.
pub fn render(frame: &mut Frame, area: Rect, st: &StandupState, models: &Models, look: &Look) {
    let theme = &look.theme;
    let all = sections(models, theme);
    let idx = st.section.min(all.len().saturating_sub(1));
    let [top, body, footer] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);

    // Timer in large digits on the right, title on the left.
    let elapsed = st
        .speaker_started
        .map(|s| (look.now - s).max(0))
        .unwrap_or(0);
    let timer = format!("{:02}:{:02}", (elapsed / 60).min(99), elapsed % 60);
    let timer_w = big_width(&timer) as u16 + 2;
    let [title_area, timer_area] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(timer_w.min(top.width / 2)),
    ])
    .areas(top);
    let since = models
        .standup
        .as_ref()
        .and_then(|s| s.previous)
        .map(|p| format!("changes since the previous standup, {} UTC", utc_minute(p)))
        .unwrap_or_else(|| "first standup".into());
    let title_lines = vec![
        Line::from(Span::styled(
            format!("STANDUP · {}", clean(&models.header.company)),
            theme.title().add_modifier(Modifier::BOLD),
        )),
        Line::from(since),
        Line::from(""),
        Line::from(Span::styled(
            format!(
                "{}  ({}/{})",
                all.get(idx)
                    .map(|s| s.title.to_uppercase())
                    .unwrap_or_default(),
                idx + 1,
                all.len().max(1)
            ),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )),
    ];
    frame.render_widget(Paragraph::new(title_lines), title_area);
    let mut timer_lines: Vec<Line> = big_lines(&timer).into_iter().map(Line::from).collect();
    timer_lines.push(Line::from(if st.speaker == 0 {
        "t: first speaker".to_string()
    } else {
        format!("speaker {}", st.speaker)
    }));
    frame.render_widget(
        Paragraph::new(timer_lines).style(Style::new().add_modifier(Modifier::BOLD)),
        timer_area,
    );

    let lines = all
        .into_iter()
        .nth(idx)
        .map(|s| s.lines)
        .unwrap_or_default();
    // Double spacing where the terminal is tall enough: readable across a room.
    let spaced: Vec<Line> = if (lines.len() as u16) * 2 <= body.height.saturating_sub(2) {
        lines
            .into_iter()
            .flat_map(|l| [l, Line::from("")])
            .collect()
    } else {
        lines
    };
    frame.render_widget(
        Paragraph::new(spaced)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::TOP)),
        body,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Space/→ next section  ← previous  t next speaker  ? help  q leave",
            theme.dim(),
        )),
        footer,
    );
}
