//! Sources: every data source in force with its state (fresh, stale,
//! failing, running, never run), last success, lag, rows of its last run
//! and next due time; below, the selected source's schedule, what it
//! produces and its last error in full. `r` runs the selected one now.

use crate::domain::duration::format_duration;
use crate::sources::run::SourceStatus;
use crate::tui::list::{cut_note, visible_rows};
use crate::tui::state::sources::SourcesState;
use crate::tui::theme::Theme;
use crate::tui::views::cockpit::{pane, promise_pane};
use crate::tui::views::Look;
use crate::tui::widgets::clean;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use ratatui::Frame;

fn state_style(s: &SourceStatus, theme: &Theme) -> Style {
    use crate::domain::Status;
    match s.state_word() {
        "fresh" => theme.status(Status::Ok),
        "stale (critical)" | "failing" => theme.status(Status::Breach),
        "stale" => theme.status(Status::Warn),
        _ => theme.dim(),
    }
}

/// Draws the Sources view.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    st: &SourcesState,
    model: Option<&[SourceStatus]>,
    filter: &str,
    look: &Look,
) {
    let theme = &look.theme;
    let Some(model) = model else {
        promise_pane(frame, area, "Sources", "Loading…", theme);
        return;
    };
    if model.is_empty() {
        let text = "No data sources. Declare them in sources.toml in the definition folder \
            (a command, another SQLite file, PostgreSQL or an HTTP endpoint, with how often) \
            and `opsdeck apply` it; cron runs them with `opsdeck sources run --due`.";
        promise_pane(frame, area, "Sources", text, theme);
        return;
    }
    let list = st.rows(model);
    let list_height = (list.len() as u16 + 3).clamp(4, area.height.saturating_sub(6).max(4));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1)]).areas(area);
    let wide = area.width >= 100;
    let mut heads = vec!["source", "kind", "state", "last ok", "lag", "rows", "next"];
    if wide {
        heads.push("produces");
    }
    let header = super::table::header(heads, theme);
    let rows: Vec<Row> = list
        .iter()
        .map(|s| {
            let lag = s
                .lag(look.now)
                .map_or("-".to_string(), |l| format_duration(l.max(0)));
            let mut cells = vec![
                Cell::from(clean(&s.def.name)),
                Cell::from(s.def.fetch.kind()),
                Cell::from(Span::styled(s.state_word(), state_style(s, theme))),
                Cell::from(
                    s.last_success
                        .map_or("never".to_string(), |t| look.clock(t)),
                ),
                Cell::from(Line::from(lag).right_aligned()),
                Cell::from(
                    Line::from(s.last_rows().map_or("-".to_string(), |n| n.to_string()))
                        .right_aligned(),
                ),
                Cell::from(if s.next_due <= look.now {
                    "due".to_string()
                } else {
                    look.clock(s.next_due)
                }),
            ];
            if wide {
                cells.push(Cell::from(s.def.produces.as_str()));
            }
            Row::new(cells)
        })
        .collect();
    let clock_w = if look.zone == crate::format::Zone::Utc {
        9
    } else {
        7
    };
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(16),
        Constraint::Length(clock_w),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(clock_w),
    ];
    if wide {
        widths.push(Constraint::Length(12));
    }
    let title = format!(
        "Sources{}{}",
        if filter.is_empty() {
            String::new()
        } else {
            format!(" · filter \"{}\"", clean(filter))
        },
        cut_note(visible_rows(top, 3), list.len())
    );
    let table = super::table::pane_table(rows, widths, header, &title, theme)
        .row_highlight_style(theme.selected());
    st.list.render(frame, top, table, 1, true);

    let Some(sel) = st
        .list
        .selected()
        .and_then(|n| model.iter().find(|s| &s.def.name == n))
    else {
        return;
    };
    let mut lines = vec![Line::from(format!(
        "{} · produces {} · {} · stale after {}",
        sel.def.fetch.kind(),
        sel.def.produces.as_str(),
        sel.def.schedule.describe(),
        format_duration(sel.def.stale_after_secs)
    ))];
    match &sel.last_run {
        None => lines.push(Line::from(Span::styled(
            "never run: r runs it now, or cron runs `opsdeck sources run --due`",
            theme.dim(),
        ))),
        Some(r) => {
            let o = &r.outcome;
            lines.push(Line::from(match r.ended_at {
                None => format!("running since {}", look.clock(r.started_at)),
                Some(end) if o.ok => format!(
                    "last run {}: {} new, {} changed, {} unchanged",
                    look.clock(end),
                    o.rows_new,
                    o.rows_changed,
                    o.rows_unchanged
                ),
                Some(end) => format!(
                    "last run {} failed{}; nothing was written",
                    look.clock(end),
                    if o.rows_refused > 0 {
                        format!(": {} row(s) refused", o.rows_refused)
                    } else {
                        String::new()
                    }
                ),
            }));
            if let Some(e) = sel.last_error() {
                lines.push(Line::from(Span::styled(
                    format!("error: {}", clean(e)),
                    theme.status(crate::domain::Status::Breach),
                )));
            }
        }
    }
    let title = format!("source {}", clean(&sel.def.name));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane(&title, theme)),
        bottom,
    );
}
