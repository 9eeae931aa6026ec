//! Playbooks & runs: open runs (overdue first), recent runs and playbooks on
//! the left with the roles and their single-point-of-failure flag; on the
//! right the selection's detail — a run's steps and items, or a playbook's
//! steps with owners, criteria and tolerances.

use super::checklists::{progress_bar, run_symbol};
use super::cockpit::pane;
use crate::domain::duration::format_duration;
use crate::domain::playbook::{EscalationTarget, Gate, ItemRef, PlaybookDef, RunItemState};
use crate::domain::{Status, Timestamp};
use crate::store::playbooks::PlaybookSummary;
use crate::store::roles::RoleHolders;
use crate::store::runs::{Run, RunState};
use crate::store::runs_model::{lateness, OpenRun, RunsModel};
use crate::tui::app::App;
use crate::tui::runs::{find_run, list_rows, run_items, ListRow, Opened};
use crate::tui::theme::Theme;
use crate::tui::widgets::{clean, clean_cut};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// `11-24 09:00`, local on the live screen, UTC in snapshots.
fn short_time(app: &App, t: Timestamp) -> String {
    use chrono::TimeZone;
    let fmt = "%m-%d %H:%M";
    if app.local_time {
        chrono::Local
            .timestamp_opt(t, 0)
            .single()
            .map(|d| d.format(fmt).to_string())
            .unwrap_or_else(|| "?".into())
    } else {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format(fmt).to_string())
            .unwrap_or_else(|| "?".into())
    }
}

/// Draws the view.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(model) = &app.models.runs else {
        super::placeholder::render(frame, area, app, crate::tui::app::View::Playbooks);
        return;
    };
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
    render_list(frame, list_area, app, model);
    if let Some(r) = roles_area {
        render_roles(frame, r, &model.roles, &app.theme);
    }
    render_detail(frame, right, app, model);
}

fn list_row<'a>(row: &ListRow<'_>, app: &App, name_w: usize) -> Row<'a> {
    let theme = &app.theme;
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

fn render_list(frame: &mut Frame, area: Rect, app: &App, model: &RunsModel) {
    let rows = list_rows(app);
    let inner = area.width.saturating_sub(2) as usize;
    let status_w = 11usize;
    let name_w = inner.saturating_sub(status_w + 4).max(4);
    let table_rows: Vec<Row> = rows.iter().map(|r| list_row(r, app, name_w)).collect();
    let overdue = model.overdue_count();
    let title = if overdue > 0 {
        format!("Runs & playbooks · {overdue} overdue")
    } else {
        "Runs & playbooks".to_string()
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
    .row_highlight_style(if app.runs_ui.opened.is_some() {
        app.theme.dim()
    } else {
        app.theme.selected()
    })
    .block(pane(&title, &app.theme));
    let selected = if app.runs_ui.opened.is_some() {
        app.runs_ui.list_selected
    } else {
        app.selected()
    };
    let mut state = TableState::default().with_selected((!rows.is_empty()).then_some(selected));
    frame.render_stateful_widget(table, area, &mut state);
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

/// Lines of a detail and the line the cursor is on.
struct Detail {
    title: String,
    lines: Vec<Line<'static>>,
    cursor_line: Option<usize>,
}

fn render_detail(frame: &mut Frame, area: Rect, app: &App, model: &RunsModel) {
    let width = area.width.saturating_sub(2) as usize;
    let detail = match &app.runs_ui.opened {
        Some(Opened::Run(id)) => find_run(app, *id).map(|r| {
            let open = model.open_runs.iter().find(|o| o.run.id == *id);
            run_detail(app, r, open, Some(app.selected()), width)
        }),
        Some(Opened::Playbook(key)) => model
            .playbooks
            .iter()
            .find(|p| &p.key == key)
            .map(|p| playbook_detail(app, p, Some(app.selected()), width)),
        None => match list_rows(app).get(app.selected()) {
            Some(ListRow::Open(o)) => Some(run_detail(app, &o.run, Some(o), None, width)),
            Some(ListRow::Closed(r)) => Some(run_detail(app, r, None, None, width)),
            Some(ListRow::Playbook(p)) => Some(playbook_detail(app, p, None, width)),
            None => None,
        },
    };
    let Some(d) = detail else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Nothing selected. Playbooks come from assets/ and `opsdeck playbook import`.",
                app.theme.dim(),
            ))
            .block(pane("Detail", &app.theme)),
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
            .block(pane(&d.title, &app.theme)),
        area,
    );
}

fn item_mark(state: &RunItemState) -> &'static str {
    match state {
        RunItemState::Pending => "[ ]",
        RunItemState::Done { .. } => "[x]",
        RunItemState::Skipped { .. } => "[-]",
    }
}

fn step_status(app: &App, run: &Run, step: usize) -> (String, Style) {
    let c = &run.checklist;
    let theme = &app.theme;
    if c.is_step_complete(step) {
        return ("✓ done".into(), theme.dim());
    }
    if run.state != RunState::Open {
        return ("not done".into(), theme.dim());
    }
    if let Gate::Closed { .. } = c.gate(step) {
        return ("waiting".into(), theme.dim());
    }
    match (c.step_overdue_by(step, app.now), c.step_due_at(step)) {
        (Some(l), _) => (
            format!("✗ late {}", lateness(l)),
            theme.status(Status::Breach),
        ),
        (None, Some(due)) => (format!("▶ due {}", short_time(app, due)), Style::new()),
        (None, None) => ("▶".into(), Style::new()),
    }
}

fn owner_text(app: &App, role: &str) -> String {
    let spof = app
        .models
        .runs
        .as_ref()
        .is_some_and(|m| m.role_is_spof(role));
    format!("{}{}", clean(role), if spof { " ⚠" } else { "" })
}

fn run_detail(
    app: &App,
    run: &Run,
    open: Option<&OpenRun>,
    cursor: Option<usize>,
    width: usize,
) -> Detail {
    let theme = &app.theme;
    let def = run.def();
    let p = run.progress();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let head = match (run.state, run.late_by(app.now)) {
        (RunState::Open, Some(l)) => Span::styled(
            format!("✗ overdue {}", lateness(l)),
            theme.status(Status::Breach),
        ),
        (RunState::Open, None) => Span::raw("▶ on time"),
        (RunState::Done, _) => Span::raw("✓ done"),
        (RunState::Cancelled, _) => Span::raw("– cancelled"),
    };
    lines.push(Line::from(vec![
        head,
        Span::raw(format!(
            " · {} {}/{} {}%",
            progress_bar(p.ratio(), 10),
            p.closed(),
            p.total,
            p.percent()
        )),
    ]));
    let due = run
        .checklist
        .due_at
        .map(|d| format!(" · due {}", short_time(app, d)))
        .unwrap_or_default();
    lines.push(Line::from(Span::styled(
        clean_cut(
            &format!(
                "started {} by {}{due}",
                short_time(app, run.checklist.started_at),
                run.started_by
            ),
            width,
        ),
        theme.dim(),
    )));
    if let Some(reason) = &run.cancel_reason {
        lines.push(Line::from(clean_cut(
            &format!("cancelled: {reason}"),
            width,
        )));
    }
    let items = run_items(run);
    let label_w = items
        .iter()
        .filter_map(|i| def.item_label(*i))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut cursor_line = None;
    let current = run.checklist.current_step();
    for (si, step) in def.steps.iter().enumerate() {
        let (status, style) = step_status(app, run, si);
        let head = format!(
            "{} {} · {} · {}",
            si + 1,
            step.title,
            owner_text(app, &step.owner),
            format_duration(step.tolerance_secs)
        );
        let room = width.saturating_sub(status.chars().count() + 3);
        lines.push(Line::from(vec![
            Span::styled(clean_cut(&head, room), theme.title()),
            Span::raw(" · "),
            Span::styled(status, style),
        ]));
        if current == Some(si) && run.state == RunState::Open {
            lines.push(Line::from(Span::styled(
                clean_cut(&format!("  exit: {}", step.exit), width),
                theme.dim(),
            )));
        }
        for ii in 0..step.items.len() {
            let item = ItemRef { step: si, item: ii };
            let state = run.checklist.state(item);
            let at_cursor = cursor.and_then(|c| items.get(c)) == Some(&item);
            if at_cursor {
                cursor_line = Some(lines.len());
            }
            let who = match state {
                RunItemState::Done { by, at, .. } | RunItemState::Skipped { by, at, .. } => {
                    if width >= 70 {
                        format!(" — {by} {}", short_time(app, *at))
                    } else {
                        format!(" — {by}")
                    }
                }
                RunItemState::Pending => String::new(),
            };
            let label = def.item_label(item).unwrap_or_default();
            let text = format!(
                "{}{} {label:<label_w$} {}",
                if at_cursor { "›" } else { " " },
                item_mark(state),
                def.item_text(item).unwrap_or_default()
            );
            let room = width.saturating_sub(who.chars().count());
            let line_style = if at_cursor {
                theme.selected()
            } else {
                Style::new()
            };
            lines.push(Line::from(vec![
                Span::styled(clean_cut(&text, room.max(12)), line_style),
                Span::styled(clean(&who), theme.dim()),
            ]));
            let extra = match state {
                RunItemState::Skipped { reason, .. } => Some(format!("skipped: {reason}")),
                RunItemState::Done { note: Some(n), .. } => Some(format!("note: {n}")),
                _ => None,
            };
            let ov = run
                .override_reason(item)
                .map(|o| format!("⚠ before its step: {o}"));
            for e in extra.into_iter().chain(ov) {
                lines.push(Line::from(Span::styled(
                    clean_cut(&format!("      {e}"), width),
                    theme.dim(),
                )));
            }
        }
    }
    for n in open.map(|o| o.notes.as_slice()).unwrap_or_default() {
        lines.push(Line::from(Span::styled(
            clean_cut(
                &format!("note {} {}: {}", short_time(app, n.at), n.actor, n.text),
                width,
            ),
            theme.dim(),
        )));
    }
    let what = run
        .context
        .as_deref()
        .map(|c| format!(" · {c}"))
        .unwrap_or_default();
    Detail {
        title: clean_cut(
            &format!("#{} {} v{}{what}", run.id, def.name, run.version),
            width.saturating_sub(2),
        ),
        lines,
        cursor_line,
    }
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

fn playbook_detail(app: &App, p: &PlaybookSummary, cursor: Option<usize>, width: usize) -> Detail {
    let theme = &app.theme;
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
            .map(|h| format!(" → {}", owner_text(app, h)))
            .unwrap_or_default();
        let head = format!(
            "{}{} {} · {} · {}{handoff}",
            if at_cursor { "›" } else { "" },
            si + 1,
            step.title,
            owner_text(app, &step.owner),
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
