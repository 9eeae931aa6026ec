//! The detail of one checklist run in the Playbooks & runs view: its
//! progress, each step with owner, tolerance and status, and each item with
//! who closed it and when; the cursor line when the run is open.

use super::checklists::progress_bar;
use crate::domain::duration::format_duration;
use crate::domain::playbook::{Gate, ItemRef, RunItemState};
use crate::domain::{Status, Timestamp};
use crate::store::runs::{Run, RunState};
use crate::store::runs_model::RunsModel;
use crate::store::runs_model::{lateness, OpenRun};
use crate::tui::state::playbooks::run_items;
use crate::tui::views::Look;
use crate::tui::widgets::{clean, clean_cut};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `11-24 09:00`, in the cockpit's zone.
pub(crate) fn short_time(look: &Look, t: Timestamp) -> String {
    look.zone.format(t, "%m-%d %H:%M")
}

/// Lines of a detail and the line the cursor is on.
pub(crate) struct Detail {
    /// Title line, already cut to the width: `#RUN NAME vN` for a run, `NAME · KEY vN` for a playbook.
    pub title: String,
    /// The rendered lines, top to bottom.
    pub lines: Vec<Line<'static>>,
    /// Index into `lines` of the selected item; `None` when nothing is selectable.
    pub cursor_line: Option<usize>,
}

fn item_mark(state: &RunItemState) -> &'static str {
    match state {
        RunItemState::Pending => "[ ]",
        RunItemState::Done { .. } => "[x]",
        RunItemState::Skipped { .. } => "[-]",
    }
}

fn step_status(look: &Look, run: &Run, step: usize) -> (String, Style) {
    let c = &run.checklist;
    let theme = &look.theme;
    if c.is_step_complete(step) {
        return ("✓ done".into(), theme.dim());
    }
    if run.state != RunState::Open {
        return ("not done".into(), theme.dim());
    }
    if let Gate::Closed { .. } = c.gate(step) {
        return ("waiting".into(), theme.dim());
    }
    match (c.step_overdue_by(step, look.now), c.step_due_at(step)) {
        (Some(l), _) => (
            format!("✗ late {}", lateness(l)),
            theme.status(Status::Breach),
        ),
        (None, Some(due)) => (format!("▶ due {}", short_time(look, due)), Style::new()),
        (None, None) => ("▶".into(), Style::new()),
    }
}

/// A role key with `⚠` when it is a single point of failure.
pub(crate) fn owner_text(model: &RunsModel, role: &str) -> String {
    let spof = model.role_is_spof(role);
    format!("{}{}", clean(role), if spof { " ⚠" } else { "" })
}

/// The lines of a run's detail; `cursor` is the index of the selected item.
pub(crate) fn run_detail(
    look: &Look,
    model: &RunsModel,
    run: &Run,
    open: Option<&OpenRun>,
    cursor: Option<usize>,
    width: usize,
) -> Detail {
    let theme = &look.theme;
    let def = run.def();
    let p = run.progress();
    let mut lines: Vec<Line<'static>> = Vec::new();
    let head = match (run.state, run.late_by(look.now)) {
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
        .map(|d| format!(" · due {}", short_time(look, d)))
        .unwrap_or_default();
    lines.push(Line::from(Span::styled(
        clean_cut(
            &format!(
                "started {} by {}{due}",
                short_time(look, run.checklist.started_at),
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
        let (status, style) = step_status(look, run, si);
        let head = format!(
            "{} {} · {} · {}",
            si + 1,
            step.title,
            owner_text(model, &step.owner),
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
                        format!(" — {by} {}", short_time(look, *at))
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
                &format!("note {} {}: {}", short_time(look, n.at), n.actor, n.text),
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
