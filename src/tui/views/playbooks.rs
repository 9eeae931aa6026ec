//! Playbooks & runs: open runs (overdue first), recent runs and playbooks on
//! the left with the roles and their single-point-of-failure flag; on the
//! right the selection's detail — a run's steps and items, or a playbook's
//! steps with owners, criteria and tolerances.

use super::checklists::run_symbol;
use super::cockpit::pane;
use super::run_detail::{owner_text, run_detail, Detail};
use crate::domain::duration::format_duration;
use crate::domain::playbook::{EscalationTarget, PlaybookDef};
use crate::domain::Status;
use crate::store::playbooks::PlaybookSummary;
use crate::store::roles::RoleHolders;
use crate::store::runs::RunState;
use crate::store::runs_model::{lateness, RunsModel};
use crate::tui::list::{cut_note, visible_rows};
use crate::tui::state::playbooks::PlaybooksState;
use crate::tui::state::playbooks::{find_run, ListRow, Opened};
use crate::tui::theme::Theme;
use crate::tui::views::Look;
use crate::tui::widgets::{clean, clean_cut};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// Draws the view.
pub fn render(frame: &mut Frame, area: Rect, st: &PlaybooksState, model: &RunsModel, look: &Look) {
    let left_w = (area.width * 2 / 5).clamp(30, 48);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(area);
    let roles_h = model.roles.len() as u16 + 2;
    let (list_area, roles_area) = if left.height >= roles_h + 8 {
        let [a, b] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(roles_h)]).areas(left);
        (a, Some(b))
    } else {
        (left, None)
    };
    render_list(frame, list_area, st, model, look);
    if let Some(r) = roles_area {
        render_roles(frame, r, &model.roles, &look.theme);
    }
    render_detail(frame, right, st, model, look);
}

fn list_row<'a>(row: &ListRow<'_>, theme: &Theme, name_w: usize) -> Row<'a> {
    let (sym, name, status, style): (Span<'static>, String, String, Style) = match row {
        ListRow::Open(o) => {
            let what = o.run.context.as_deref().unwrap_or(&o.run.key);
            let status = match o.late_by {
                Some(l) => format!("late {}", lateness(l)),
                None => format!("{}%", o.progress.percent()),
            };
            let style = if o.is_overdue() {
                theme.status(Status::Breach)
            } else {
                Style::new()
            };
            (
                run_symbol(o, theme),
                format!("#{} {}", o.run.id, what),
                status,
                style,
            )
        }
        ListRow::Closed(r) => {
            let what = r.context.as_deref().unwrap_or(&r.key);
            let (sym, word) = match r.state {
                RunState::Cancelled => ("–", "cancelled"),
                _ => ("✓", "done"),
            };
            (
                Span::raw(sym),
                format!("#{} {}", r.id, what),
                word.to_string(),
                theme.dim(),
            )
        }
        ListRow::Playbook(p) => {
            let (status, style) = if p.past_review {
                ("✗ review".to_string(), theme.status(Status::Warn))
            } else {
                (format!("v{}", p.version), theme.dim())
            };
            (Span::raw("▤"), p.key.clone(), status, style)
        }
    };
    Row::new(vec![
        Cell::from(sym),
        Cell::from(clean_cut(&name, name_w)),
        Cell::from(Line::from(Span::styled(status, style)).right_aligned()),
    ])
}

fn render_list(frame: &mut Frame, area: Rect, st: &PlaybooksState, model: &RunsModel, look: &Look) {
    let rows = st.rows(model);
    let inner = area.width.saturating_sub(2) as usize;
    let status_w = 11usize;
    let name_w = inner.saturating_sub(status_w + 4).max(4);
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|r| list_row(r, &look.theme, name_w))
        .collect();
    let overdue = model.overdue_count();
    let cut = cut_note(visible_rows(area, 2), rows.len());
    let title = if overdue > 0 {
        format!("Runs & playbooks · {overdue} overdue{cut}")
    } else {
        format!("Runs & playbooks{cut}")
    };
    let table = Table::new(
        table_rows,
        [
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(status_w as u16),
        ],
    )
    .column_spacing(1)
    .row_highlight_style(if st.opened.is_some() {
        look.theme.dim()
    } else {
        look.theme.selected()
    })
    .block(pane(&title, &look.theme));
    st.list.render(frame, area, table, 0, true);
}

fn render_roles(frame: &mut Frame, area: Rect, roles: &[RoleHolders], theme: &Theme) {
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = roles
        .iter()
        .map(|r| {
            let (sym, style) = if r.is_single_point_of_failure() {
                ("⚠", theme.status(Status::Warn))
            } else {
                ("✓", theme.dim())
            };
            let people = if r.people.is_empty() {
                "nobody".to_string()
            } else {
                r.people.join(", ")
            };
            let text = format!(" {:<10} {}", clean_cut(&r.key, 10), clean(&people));
            Line::from(vec![
                Span::styled(sym, style),
                Span::raw(clean_cut(&text, width.saturating_sub(1))),
            ])
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(pane(
            if width >= 40 {
                "Roles · ⚠ single point of failure"
            } else {
                "Roles · ⚠ fewer than 2"
            },
            theme,
        )),
        area,
    );
}

fn render_detail(
    frame: &mut Frame,
    area: Rect,
    st: &PlaybooksState,
    model: &RunsModel,
    look: &Look,
) {
    let width = area.width.saturating_sub(2) as usize;
    let cursor = Some(st.items.index());
    let detail = match &st.opened {
        Some(Opened::Run(id)) => find_run(model, *id).map(|r| {
            let open = model.open_runs.iter().find(|o| o.run.id == *id);
            run_detail(look, model, r, open, cursor, width)
        }),
        Some(Opened::Playbook(key)) => model
            .playbooks
            .iter()
            .find(|p| &p.key == key)
            .map(|p| playbook_detail(look, model, p, cursor, width)),
        None => match st.selected(model) {
            Some(ListRow::Open(o)) => Some(run_detail(look, model, &o.run, Some(o), None, width)),
            Some(ListRow::Closed(r)) => Some(run_detail(look, model, r, None, None, width)),
            Some(ListRow::Playbook(p)) => Some(playbook_detail(look, model, p, None, width)),
            None => None,
        },
    };
    let Some(d) = detail else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Nothing selected. Playbooks come from assets/ and `opsdeck playbook import`.",
                look.theme.dim(),
            ))
            .block(pane("Detail", &look.theme)),
            area,
        );
        return;
    };
    let height = area.height.saturating_sub(2) as usize;
    let scroll = d
        .cursor_line
        .map(|c| c.saturating_sub(height / 3))
        .unwrap_or(0)
        .min(d.lines.len().saturating_sub(height));
    frame.render_widget(
        Paragraph::new(d.lines)
            .scroll((scroll as u16, 0))
            .block(pane(&d.title, &look.theme)),
        area,
    );
}

fn escalation_text(def: &PlaybookDef) -> String {
    def.escalation
        .iter()
        .map(|l| {
            let who = match &l.target {
                EscalationTarget::Role(r) => r.clone(),
                EscalationTarget::Person(p) => p.clone(),
            };
            format!("{} → {who}", format_duration(l.after_secs))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn playbook_detail(
    look: &Look,
    model: &RunsModel,
    p: &PlaybookSummary,
    cursor: Option<usize>,
    width: usize,
) -> Detail {
    let theme = &look.theme;
    let def = &p.def;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let review = if p.past_review {
        Span::styled(
            format!(
                "✗ past review (due {})",
                crate::format::utc_date(p.review_due_at)
            ),
            theme.status(Status::Warn),
        )
    } else {
        Span::styled(
            format!("✓ review by {}", crate::format::utc_date(p.review_due_at)),
            theme.dim(),
        )
    };
    lines.push(Line::from(vec![
        review,
        Span::styled(format!(" · {} open runs", p.open_runs), theme.dim()),
    ]));
    lines.push(Line::from(clean_cut(
        &format!("escalation: {}", escalation_text(def)),
        width,
    )));
    let mut cursor_line = None;
    for (si, step) in def.steps.iter().enumerate() {
        let at_cursor = cursor == Some(si);
        if at_cursor {
            cursor_line = Some(lines.len());
        }
        let handoff = step
            .handoff
            .as_deref()
            .map(|h| format!(" → {}", owner_text(model, h)))
            .unwrap_or_default();
        let head = format!(
            "{}{} {} · {} · {}{handoff}",
            if at_cursor { "›" } else { "" },
            si + 1,
            step.title,
            owner_text(model, &step.owner),
            format_duration(step.tolerance_secs)
        );
        let style = if at_cursor {
            theme.selected()
        } else {
            theme.title()
        };
        lines.push(Line::from(Span::styled(clean_cut(&head, width), style)));
        for (label, text) in [("entry", &step.entry), ("exit", &step.exit)] {
            lines.push(Line::from(Span::styled(
                clean_cut(&format!("  {label}: {text}"), width),
                theme.dim(),
            )));
        }
        for (ii, item) in step.items.iter().enumerate() {
            lines.push(Line::from(clean_cut(
                &format!("  {}.{} {item}", step.key, ii + 1),
                width,
            )));
        }
    }
    Detail {
        title: clean_cut(
            &format!("{} · {} v{}", def.name, p.key, p.version),
            width.saturating_sub(2),
        ),
        lines,
        cursor_line,
    }
}
