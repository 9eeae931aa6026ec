//! Work: flow per kind and segment — WIP, throughput, cycle time, on-time,
//! deviation, capacity utilisation and when it crosses the warn band.

use crate::format::{number, utc_date, value_unit};
use crate::store::board::FlowModel;
use crate::tui::list::{cut_note, visible_rows};
use crate::tui::state::lists::WorkState;
use crate::tui::views::Look;
use crate::tui::widgets::{clean, status_symbol};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

/// Draws the Work view.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    st: &WorkState,
    flow: Option<&FlowModel>,
    look: &Look,
) {
    let theme = &look.theme;
    let list = flow.map(|f| st.rows(f)).unwrap_or_default();
    let wide = area.width >= 100;
    let mut heads = vec!["kind / segment", "WIP", "per day", "p90"];
    if wide {
        heads.insert(3, "p50");
    }
    heads.extend(["on-time", "deviat.", "capacity", "warn by"]);
    let header = super::table::header(heads, theme);
    let rows: Vec<Row> = list
        .iter()
        .map(|r| {
            let s = &r.summary;
            let name = match &r.segment {
                None => clean(&r.kind),
                Some(seg) => format!("  {}", clean(seg)),
            };
            let hours = |h: Option<f64>| {
                h.map(|h| format!("{}h", number(h)))
                    .unwrap_or_else(|| "—".into())
            };
            let mut cells = vec![
                Cell::from(name),
                Cell::from(Line::from(s.wip.to_string()).right_aligned()),
                Cell::from(Line::from(number(s.throughput_per_day)).right_aligned()),
            ];
            if wide {
                cells.push(Cell::from(Line::from(hours(s.cycle_p50_h)).right_aligned()));
            }
            cells.push(Cell::from(Line::from(hours(s.cycle_p90_h)).right_aligned()));
            cells.push(Cell::from(
                Line::from(value_unit(s.on_time_pct, "%")).right_aligned(),
            ));
            cells.push(Cell::from(
                Line::from(value_unit(s.deviation_pct, "%")).right_aligned(),
            ));
            match &r.capacity {
                Some(c) => {
                    cells.push(Cell::from(Line::from(vec![
                        Span::raw(format!(
                            "{:>4} ",
                            value_unit(c.utilisation.map(|u| u * 100.0), "%")
                        )),
                        status_symbol(c.band, theme),
                        Span::styled(format!(" {}", c.band.word()), theme.status(c.band)),
                    ])));
                    let forecast = match c.warn_forecast {
                        Some(t) if t <= look.now => "now".to_string(),
                        Some(t) => utc_date(t),
                        None => "—".into(),
                    };
                    cells.push(Cell::from(forecast));
                }
                None => {
                    cells.push(Cell::from(""));
                    cells.push(Cell::from(""));
                }
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Length(7),
    ];
    if wide {
        widths.push(Constraint::Length(6));
    }
    widths.extend([
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(14),
        Constraint::Length(10),
    ]);
    let window = flow.map(|f| f.window_secs / 86_400).unwrap_or(7);
    let title = format!(
        "Work · last {window} days · capacity warn band from 60 %, breach 90 %{}",
        cut_note(visible_rows(area, 3), list.len())
    );
    let table = super::table::pane_table(rows, widths, header, &title, theme)
        .row_highlight_style(theme.selected());
    st.list.render(frame, area, table, 1, true);
}
