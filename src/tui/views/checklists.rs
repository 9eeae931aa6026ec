//! The cockpit's "today's checklists" pane: open runs, overdue first, each
//! with a progress bar and the role owning its current step; an overdue
//! run's most late item on the line below it.

use super::cockpit::{pane, promise_pane};
use crate::domain::Status;
use crate::store::runs_model::{lateness, OpenRun, RunsModel};
use crate::tui::theme::Theme;
use crate::tui::views::Look;
use crate::tui::widgets::clean_cut;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// A text progress bar of `width` cells: `█` done or skipped, `░` pending.
/// Readable without colour.
pub(crate) fn progress_bar(ratio: f64, width: usize) -> String {
    let ratio = if ratio.is_finite() {
        ratio.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let full = (ratio * width as f64).round() as usize;
    let full = full.min(width);
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

/// What a run is called on screen: what it is for, else its playbook.
pub(crate) fn run_label(o: &OpenRun) -> String {
    o.run
        .context
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| o.run.key.clone())
}

/// `✗` for an overdue run (styled as a breach), `▶` for one on time.
pub(crate) fn run_symbol(o: &OpenRun, theme: &Theme) -> Span<'static> {
    if o.is_overdue() {
        Span::styled("✗", theme.status(Status::Breach))
    } else {
        Span::raw("▶")
    }
}

fn run_line(o: &OpenRun, width: usize, theme: &Theme) -> Line<'static> {
    let wide = width >= 40;
    let (label_w, bar_w) = if wide { (14, 10) } else { (10, 5) };
    let owner = o.owner_role.clone().unwrap_or_default();
    let mut spans = vec![
        run_symbol(o, theme),
        Span::raw(format!(" {:<label_w$} ", clean_cut(&run_label(o), label_w))),
        Span::raw(progress_bar(o.progress.ratio(), bar_w)),
    ];
    let used = 2 + label_w + 1 + bar_w;
    let mut rest = width.saturating_sub(used);
    if wide {
        spans.push(Span::raw(format!(" {:>3}%", o.progress.percent())));
        rest = rest.saturating_sub(5);
    }
    if rest > 1 {
        spans.push(Span::styled(
            format!(" {}", clean_cut(&owner, rest - 1)),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

fn late_line(o: &OpenRun, width: usize, theme: &Theme) -> Option<Line<'static>> {
    let late = o.late_by?;
    let (what, text) = match o.late_items.first() {
        Some(i) => (i.label.clone(), i.text.clone()),
        None => (String::new(), String::new()),
    };
    let head = format!(
        "  late {} · {}/{} · {}",
        lateness(late),
        o.progress.closed(),
        o.progress.total,
        what
    );
    let room = width.saturating_sub(head.chars().count() + 1);
    let tail = if room > 3 {
        format!(" {}", clean_cut(&text, room))
    } else {
        String::new()
    };
    Some(Line::from(vec![
        Span::styled(
            clean_cut(&head, width),
            theme
                .status(Status::Breach)
                .remove_modifier(ratatui::style::Modifier::BOLD),
        ),
        Span::styled(tail, theme.dim()),
    ]))
}

/// The pane's lines for `height` rows: overdue runs with their late item,
/// then the others; a last line counts what did not fit.
pub fn lines(model: &RunsModel, width: usize, height: usize, theme: &Theme) -> Vec<Line<'static>> {
    lines_marked(model, width, height, None, theme)
}

/// [`lines`], with the run `selected` (the cockpit's cursor) highlighted.
pub(crate) fn lines_marked(
    model: &RunsModel,
    width: usize,
    height: usize,
    selected: Option<i64>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    lines_of_runs(model, width, height, selected, theme)
        .into_iter()
        .map(|(l, _)| l)
        .collect()
}

/// [`lines_marked`], each line with the run it belongs to (a run's line and
/// its late line; none for the `+N more` line).
fn lines_of_runs(
    model: &RunsModel,
    width: usize,
    height: usize,
    selected: Option<i64>,
    theme: &Theme,
) -> Vec<(Line<'static>, Option<i64>)> {
    if model.open_runs.is_empty() {
        let note = "No open checklist runs. Start one: S on a playbook in 4 Playbooks & runs, or :run start PLAYBOOK";
        return crate::text::wrap_words(note, width)
            .into_iter()
            .map(|l| (Line::from(Span::styled(l, theme.dim())), None))
            .collect();
    }
    let mut out: Vec<(Line<'static>, Option<i64>)> = Vec::new();
    let total = model.open_runs.len();
    for (shown, o) in model.open_runs.iter().enumerate() {
        let needed = if o.is_overdue() { 2 } else { 1 };
        let left_after = total - shown - 1;
        let reserve = usize::from(left_after > 0);
        if out.len() + 1 + reserve > height {
            out.push((more_line(total - shown, theme), None));
            return out;
        }
        let line = run_line(o, width, theme);
        let id = Some(o.run.id);
        out.push(if selected == id {
            (line.style(theme.selected()), id)
        } else {
            (line, id)
        });
        if needed == 2 && out.len() + 1 + reserve <= height {
            if let Some(l) = late_line(o, width, theme) {
                out.push((l, id));
            }
        }
    }
    out
}

fn more_line(n: usize, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        format!("+{n} more · 4 Playbooks & runs"),
        theme.dim(),
    ))
}

/// Draws the pane; returns the screen row of each run's lines (for a
/// mouse click).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    model: Option<&RunsModel>,
    selected: Option<i64>,
    look: &Look,
) -> Vec<(u16, i64)> {
    let theme = &look.theme;
    let Some(model) = model else {
        promise_pane(frame, area, "Today's checklists", "Loading…", theme);
        return Vec::new();
    };
    let overdue = model.overdue_count();
    let title = if overdue > 0 && area.width >= 36 {
        format!("Today's checklists · {overdue} overdue")
    } else if overdue > 0 {
        format!("Checklists · {overdue} overdue")
    } else {
        "Today's checklists".to_string()
    };
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let lines = lines_of_runs(model, width, height, selected, theme);
    let rows = lines
        .iter()
        .zip(area.y.saturating_add(1)..area.bottom().saturating_sub(1))
        .filter_map(|((_, id), y)| id.map(|id| (y, id)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines.into_iter().map(|(l, _)| l).collect::<Vec<_>>())
            .block(pane(&title, theme)),
        area,
    );
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_is_text_and_bounded() {
        assert_eq!(progress_bar(0.0, 5), "░░░░░");
        assert_eq!(progress_bar(0.5, 4), "██░░");
        assert_eq!(progress_bar(1.0, 3), "███");
        assert_eq!(progress_bar(7.0, 3), "███");
        assert_eq!(progress_bar(f64::NAN, 2), "░░");
    }
}
