//! The Alerts view (open and acknowledged alerts, the selected one's detail,
//! an error-budget panel per SLO, recent history) and the cockpit's alerts
//! pane. Only reads the model; every text from data is cleaned.

use super::cockpit::pane as block;
use crate::domain::alert_rules::Severity;
use crate::domain::budget::exhaustion_text;
use crate::domain::duration::format_age;
use crate::domain::escalation::AlertState;
use crate::domain::Status;
use crate::format::{burn_text, percent_left};
use crate::store::alerts::{AlertRow, AlertsModel, HistoryEntry, SloPanel};
use crate::tui::list::cut_note;
use crate::tui::state::alerts::AlertsState;
use crate::tui::theme::Theme;
use crate::tui::views::Look;
use crate::tui::widgets::{clean, clean_cut};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// The status a severity reads as (style and symbol): critical like a
/// breach, warning like a warn, info like no data.
fn as_status(s: Severity) -> Status {
    match s {
        Severity::Critical => Status::Breach,
        Severity::Warning => Status::Warn,
        Severity::Info => Status::NoData,
    }
}

/// A severity as symbol and word, styled (never colour alone).
pub(crate) fn severity_span(s: Severity, theme: &Theme) -> Span<'static> {
    Span::styled(
        as_status(s).symbol().to_string(),
        theme.status(as_status(s)),
    )
}

/// The state as a short word: open, acked, snoozed, paused, cleared,
/// silenced.
fn state_word(a: &AlertRow) -> &'static str {
    if a.silenced.is_some() && a.state == AlertState::Open {
        "silenced"
    } else if a.snoozed_until.is_some() {
        "snoozed"
    } else if a.paused {
        "paused"
    } else if a.state == AlertState::Acknowledged {
        "acked"
    } else if a.cleared {
        "cleared"
    } else {
        "open"
    }
}

/// Draws the Alerts view.
pub fn render(frame: &mut Frame, area: Rect, st: &AlertsState, model: &AlertsModel, look: &Look) {
    let list = st.rows(model);
    let budget_h = (model.slos.len().max(1) as u16) + 3;
    // On call and silences: a pane with a line each from 36 rows, else
    // one summary line, taken from the history, never from the alerts.
    let tall = area.height >= 36;
    let oncall_lines = oncall_lines(model, look);
    let oncall_h = match (oncall_lines.len(), tall) {
        (0, _) => 0,
        (n, true) => n.min(8) as u16 + 2,
        (_, false) => 1,
    };
    // The table takes what it needs, leaving the history at least 5 rows.
    let room = if tall {
        area.height.saturating_sub(budget_h + oncall_h + 5).max(5)
    } else {
        area.height.saturating_sub(budget_h + 5).max(5)
    };
    let table_h = (list.len().max(1) as u16 + 4).min(room);
    let [top, oncall, budgets, history] = Layout::vertical([
        Constraint::Length(table_h),
        Constraint::Length(oncall_h),
        Constraint::Length(budget_h),
        Constraint::Min(2),
    ])
    .areas(area);
    alert_table(frame, top, st, model, look);
    if oncall_h > 0 && tall {
        let title = format!(
            "On call · {} silence{} in force",
            model.silences.len(),
            if model.silences.len() == 1 { "" } else { "s" }
        );
        let b = block(&title, &look.theme);
        let inner = b.inner(oncall);
        frame.render_widget(b, oncall);
        let width = inner.width as usize;
        let lines: Vec<Line> = oncall_lines
            .into_iter()
            .take(inner.height as usize)
            .map(|l| Line::from(crate::text::truncate(&l, width)))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    } else if oncall_h > 0 {
        let line = summary_line(model);
        frame.render_widget(
            Paragraph::new(crate::text::truncate(&line, oncall.width as usize)),
            oncall,
        );
    }
    budget_panel(frame, budgets, &model.slos, &look.theme);
    history_pane(frame, history, &model.history, look);
}

fn alert_table(frame: &mut Frame, area: Rect, st: &AlertsState, model: &AlertsModel, look: &Look) {
    let theme = &look.theme;
    let list = st.rows(model);
    // Borders, header and the detail line are not rows.
    let visible = crate::tui::list::visible_rows(area, 4);
    let title = format!(
        "Alerts · {} open · {} critical{}",
        list.len(),
        list.iter()
            .filter(|a| a.severity == Severity::Critical)
            .count(),
        cut_note(visible, list.len())
    );
    let frame_block = block(&title, theme);
    let inner = frame_block.inner(area);
    frame.render_widget(frame_block, area);
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let header = super::table::header(["", "#", "state", "lvl", "owner", "age", "alert"], theme);
    // Fixed columns and the spaces between the seven columns.
    // (and the scrollbar's column when the rows overflow).
    let bar = usize::from(list.len() > visible);
    let title_w = (table_area.width as usize).saturating_sub(1 + 3 + 8 + 4 + 10 + 3 + 6 + bar);
    let table_rows: Vec<Row> = list
        .iter()
        .map(|a| {
            Row::new(vec![
                Cell::from(severity_span(a.severity, theme)),
                Cell::from(Line::from(a.id.to_string()).right_aligned()),
                Cell::from(state_word(a)),
                Cell::from(format!("L{}/{}", a.level + 1, a.levels)),
                Cell::from(clean_cut(&a.owner, 10)),
                Cell::from(Line::from(format_age(a.age_secs)).right_aligned()),
                Cell::from(clean_cut(&a.title, title_w.max(4))),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Length(10),
        Constraint::Length(3),
        Constraint::Fill(1),
    ];
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    st.list.render(frame, table_area, table, 1, false);
    let detail = match st.selected(model) {
        Some(a) => detail_line(a, look),
        None => Line::from(Span::styled("no open alerts", theme.dim())),
    };
    frame.render_widget(Paragraph::new(detail), detail_area);
}

/// The one-line form below 36 rows: the silences in force first (they
/// change what pages), then who is on call (`*` = by override).
fn summary_line(model: &AlertsModel) -> String {
    let mut parts = Vec::new();
    if !model.silences.is_empty() {
        let by: Vec<String> = model.silences.iter().map(|s| clean(&s.by)).collect();
        parts.push(format!("◌ silenced: {}", by.join(", ")));
    }
    if !model.oncall.is_empty() {
        let who: Vec<String> = model
            .oncall
            .iter()
            .map(|o| {
                let p = o
                    .person
                    .as_deref()
                    .map(clean)
                    .unwrap_or_else(|| "nobody".into());
                let star = if o.override_reason.is_some() { "*" } else { "" };
                format!("{} {p}{star}", clean(&o.role))
            })
            .collect();
        parts.push(format!("☎ {}", who.join(" · ")));
    }
    format!(" {}", parts.join(" │ "))
}

/// The On-call pane's lines: who holds each covered role and until when
/// (with the override's reason), then each silence in force.
fn oncall_lines(model: &AlertsModel, look: &Look) -> Vec<String> {
    let mut out: Vec<String> = model
        .oncall
        .iter()
        .map(|o| {
            let who = o
                .person
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "nobody yet".into());
            let until = o
                .until
                .map(|u| format!(" until {}", look.zone.format(u, "%a %H:%M")))
                .unwrap_or_default();
            let why = o
                .override_reason
                .as_deref()
                .map(|r| format!(" · override: {}", clean(r)))
                .unwrap_or_default();
            format!("☎ {:<10} {who}{until}{why}", clean(&o.role))
        })
        .collect();
    out.extend(model.silences.iter().map(|s| {
        format!(
            "◌ {} until {}: {} · {}",
            clean(&s.by),
            look.zone.format(s.until, "%a %H:%M"),
            clean(&s.matches),
            clean(&s.reason)
        )
    }));
    out
}

/// The selected alert in one line: detail, run progress, what happens next.
fn detail_line(a: &AlertRow, look: &Look) -> Line<'static> {
    let mut parts = vec![clean(&a.detail)];
    if let Some(i) = a.incident {
        parts.insert(0, format!("incident #{i}"));
    }
    if let Some(r) = &a.run {
        let late = if r.overdue { " overdue" } else { "" };
        parts.push(format!(
            "run #{} {}/{} {}{late}",
            r.id,
            r.done + r.skipped,
            r.total,
            r.state
        ));
    }
    if let Some(x) = &a.silenced {
        // First: it is why nobody is paged.
        parts.insert(
            0,
            format!(
                "silenced by {} until {}: {}",
                clean(&x.by),
                look.clock(x.until),
                clean(&x.reason)
            ),
        );
    } else if let Some(u) = a.snoozed_until {
        parts.push(format!("snoozed until {}", look.clock(u)));
    } else if let Some(reason) = &a.pause_reason {
        parts.push(format!("paused: {}", clean(reason)));
    } else if let (Some(at), Some(t)) = (a.next_escalation_at, &a.next_target) {
        parts.push(format!("→ {} at {}", clean(t), look.clock(at)));
    }
    // A manual alert has no detail of its own: no empty part, no ` · `.
    parts.retain(|p| !p.trim().is_empty());
    Line::from(vec![
        Span::styled("↳ ", look.theme.dim()),
        Span::raw(parts.join(" · ")),
    ])
}

/// A text gauge of the budget left: `████░░░░░░`, empty when overspent.
pub(crate) fn gauge(remaining: Option<f64>, width: usize) -> String {
    let filled = remaining
        .map(|f| (f.clamp(0.0, 1.0) * width as f64).round() as usize)
        .unwrap_or(0);
    "█".repeat(filled) + &"░".repeat(width - filled.min(width))
}

/// One line per SLO: gauge, budget left, burn now (long/short window), time
/// to exhaustion, and the burn rule firing, if any.
pub(crate) fn budget_panel(frame: &mut Frame, area: Rect, slos: &[SloPanel], theme: &Theme) {
    let header = super::table::header(["SLO", "budget left", "", "burn", "runs out"], theme);
    // Fixed columns and the spaces between the five columns.
    let name_w = (area.width as usize).saturating_sub(2 + 11 + 6 + 11 + 18 + 4);
    let rows: Vec<Row> = slos
        .iter()
        .map(|p| {
            let status = match (p.firing, p.remaining_fraction) {
                (Some(_), _) => Status::Breach,
                (None, Some(f)) if f <= 0.0 => Status::Warn,
                (None, None) => Status::NoData,
                _ => Status::Ok,
            };
            let mut out = exhaustion_text(p.exhaustion);
            if let Some(f) = p.firing {
                out = format!("{out} ✗ {}", f.word());
            }
            Row::new(vec![
                Cell::from(clean_cut(&p.name, name_w.max(4))),
                Cell::from(Span::styled(
                    gauge(p.remaining_fraction, 10),
                    theme.status(status),
                )),
                Cell::from(Line::from(percent_left(p.remaining_fraction)).right_aligned()),
                Cell::from(format!(
                    "{}/{}",
                    burn_text(p.burn_long),
                    burn_text(p.burn_short)
                )),
                Cell::from(Span::styled(out, theme.status(status))),
            ])
        })
        .collect();
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(11),
        Constraint::Length(6),
        Constraint::Length(11),
        Constraint::Length(18),
    ];
    frame.render_widget(
        super::table::pane_table(
            rows,
            widths,
            header,
            "Error budgets · burn long/short",
            theme,
        ),
        area,
    );
}

fn history_pane(frame: &mut Frame, area: Rect, history: &[HistoryEntry], look: &Look) {
    let visible = area.height.saturating_sub(2) as usize;
    let wide = area.width >= 100;
    let lines: Vec<Line> = history
        .iter()
        .take(visible)
        .map(|h| {
            let mut text = format!(
                "{:<4} {} · {}",
                format!("#{}", h.event.alert_id),
                h.event.kind,
                crate::format::acting(&h.event.actor, h.event.login.as_deref(), 16)
            );
            if let Some(note) = &h.event.note {
                text = format!("{text}: {}", clean(note));
            }
            if wide {
                text = format!("{text} — {}", clean(&h.title));
            }
            Line::from(vec![
                Span::styled(format!("{} ", look.clock(h.event.at)), look.theme.dim()),
                severity_span(h.severity, &look.theme),
                Span::raw(format!(" {text}")),
            ])
        })
        .collect();
    let body = if lines.is_empty() {
        vec![Line::from(Span::styled(
            "nothing has happened yet",
            look.theme.dim(),
        ))]
    } else {
        lines
    };
    frame.render_widget(
        Paragraph::new(body).block(block("History", &look.theme)),
        area,
    );
}

/// The cockpit's alerts pane: open and acknowledged, critical first, with
/// age, escalation level and owner (`✓` marks who acknowledged it, `◌` a
/// silenced alert: nobody is paged).
pub fn pane(
    frame: &mut Frame,
    area: Rect,
    model: Option<&AlertsModel>,
    selected: Option<i64>,
    look: &Look,
) {
    let theme = &look.theme;
    let list: Vec<&AlertRow> = model.map(|m| m.active.iter().collect()).unwrap_or_default();
    let critical = list
        .iter()
        .filter(|a| a.severity == Severity::Critical)
        .count();
    let title = format!("Alerts · {} · {critical}✗", list.len());
    let title_w = (area.width as usize).saturating_sub(2 + 1 + 3 + 2 + 8 + 4);
    let rows: Vec<Row> = list
        .iter()
        .map(|a| {
            let owner = match a.state {
                AlertState::Acknowledged => format!("✓{}", clean(&a.owner)),
                _ if a.silenced.is_some() => format!("◌{}", clean(&a.owner)),
                _ => clean(&a.owner),
            };
            let row = Row::new(vec![
                Cell::from(severity_span(a.severity, theme)),
                Cell::from(clean_cut(&a.title, title_w.max(4))),
                Cell::from(Line::from(format_age(a.age_secs)).right_aligned()),
                Cell::from(format!("L{}", a.level + 1)),
                Cell::from(crate::text::truncate(&owner, 8)),
            ]);
            super::cockpit::select_style(row, selected == Some(a.id), theme)
        })
        .collect();
    let empty = rows.is_empty();
    let widths = [
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Length(8),
    ];
    frame.render_widget(
        Table::new(rows, widths)
            .column_spacing(1)
            .block(block(&title, theme)),
        area,
    );
    if empty {
        super::cockpit::empty_note(frame, area, "no open alerts", theme);
    }
}
