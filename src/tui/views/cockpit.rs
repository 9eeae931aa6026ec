//! The default screen: leading and lagging indicators, flow by work kind,
//! alerts and today's checklists.

use crate::domain::indicator::Kind;
use crate::domain::Status;
use crate::format::{number, value_unit};
use crate::store::board::{FlowModel, Reading};
use crate::tui::models::Models;
use crate::tui::mouse::Pane;
use crate::tui::state::cockpit::{CockpitKey, CockpitState};
use crate::tui::theme::Theme;
use crate::tui::views::Look;
use crate::tui::widgets::{clean, spark::spark_text, status_symbol};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// Draws the cockpit: indicators and flow on the left, alerts and today's
/// checklists on the right; the item under the cockpit's cursor is
/// highlighted in its pane (Enter opens it). Returns the panes as drawn,
/// with the item on each row, for a mouse click.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    models: &Models,
    st: &CockpitState,
    look: &Look,
) -> Vec<Pane> {
    let sel_indicator = st.selected_in(|k| match k {
        CockpitKey::Indicator(id) => Some(*id),
        _ => None,
    });
    let sel_flow = st.selected_in(|k| match k {
        CockpitKey::Flow(kind) => Some(kind.clone()),
        _ => None,
    });
    let sel_alert = st.selected_in(|k| match k {
        CockpitKey::Alert(id) => Some(*id),
        _ => None,
    });
    let sel_run = st.selected_in(|k| match k {
        CockpitKey::Run(id) => Some(*id),
        _ => None,
    });
    let readings: Vec<&Reading> = models
        .board
        .as_ref()
        .map(|b| b.readings.iter().collect())
        .unwrap_or_default();
    let leading: Vec<&Reading> = readings
        .iter()
        .copied()
        .filter(|r| r.def.kind == Kind::Leading)
        .collect();
    let lagging: Vec<&Reading> = readings
        .iter()
        .copied()
        .filter(|r| r.def.kind == Kind::Lagging)
        .collect();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let lead_h = (leading.len() as u16 + 2).max(3);
    let lag_h = (lagging.len() as u16 + 2).max(3);
    let [lead_area, lag_area, flow_area] = Layout::vertical([
        Constraint::Length(lead_h),
        Constraint::Length(lag_h),
        Constraint::Min(4),
    ])
    .areas(left);
    let stale = &models.stale;
    indicator_pane(
        frame,
        lead_area,
        ("Leading indicators", &leading),
        (stale, sel_indicator),
        &look.theme,
    );
    indicator_pane(
        frame,
        lag_area,
        ("Lagging indicators", &lagging),
        (stale, sel_indicator),
        &look.theme,
    );
    flow_pane(
        frame,
        flow_area,
        models.flow.as_ref(),
        sel_flow.as_deref(),
        &look.theme,
    );
    let [alerts_area, runs_area] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    super::alerts::pane(frame, alerts_area, models.alerts.as_ref(), sel_alert, look);
    let run_rows = super::checklists::render(frame, runs_area, models.runs.as_ref(), sel_run, look);
    // The panes' items, in the order each pane draws them, one a line
    // below the border (and the flow pane's header).
    let ids = |rs: &[&Reading]| rs.iter().map(|r| CockpitKey::Indicator(r.id)).collect();
    let flow_keys = models
        .flow
        .as_ref()
        .map(|f| {
            f.rows
                .iter()
                .filter(|r| r.in_capacity_panes())
                .map(|r| CockpitKey::Flow(r.kind.clone()))
                .collect()
        })
        .unwrap_or_default();
    let alert_keys = models
        .alerts
        .as_ref()
        .map(|m| m.active.iter().map(|a| CockpitKey::Alert(a.id)).collect())
        .unwrap_or_default();
    let run_keys = models
        .runs
        .as_ref()
        .map(|m| {
            m.open_runs
                .iter()
                .map(|o| CockpitKey::Run(o.run.id))
                .collect()
        })
        .unwrap_or_default();
    vec![
        Pane::listed(lead_area, lead_area.y + 1, ids(&leading)),
        Pane::listed(lag_area, lag_area.y + 1, ids(&lagging)),
        Pane::listed(flow_area, flow_area.y + 2, flow_keys),
        Pane::listed(alerts_area, alerts_area.y + 1, alert_keys),
        Pane {
            area: runs_area,
            keys: run_keys,
            rows: run_rows
                .into_iter()
                .map(|(y, id)| (y, CockpitKey::Run(id)))
                .collect(),
        },
    ]
}

/// A row highlighted when it holds the cockpit's cursor.
pub(crate) fn select_style<'a>(row: Row<'a>, on: bool, theme: &Theme) -> Row<'a> {
    if on {
        row.style(theme.selected())
    } else {
        row
    }
}

/// A titled pane with a border.
pub fn pane<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), theme.title()))
}

/// A pane saying what will appear there.
pub(crate) fn promise_pane(frame: &mut Frame, area: Rect, title: &str, text: &str, theme: &Theme) {
    frame.render_widget(
        Paragraph::new(Span::styled(text.to_string(), theme.dim()))
            .wrap(Wrap { trim: true })
            .block(pane(title, theme)),
        area,
    );
}

/// One indicator per row: symbol, name, value, target, status word (or
/// `stale` when a stale source feeds it), trend arrow (wide panes) and a
/// sparkline of the window.
pub(crate) fn indicator_pane(
    frame: &mut Frame,
    area: Rect,
    (title, rows): (&str, &[&Reading]),
    (stale, selected): (&std::collections::BTreeSet<String>, Option<i64>),
    theme: &Theme,
) {
    let inner_w = area.width.saturating_sub(2);
    let wide = inner_w >= 64;
    let spark_w: u16 = if wide { 12 } else { 4 };
    // symbol, value, target, word, (trend), spark and the gaps between them.
    let fixed = 1 + 8 + 7 + 7 + spark_w + if wide { 2 + 6 } else { 5 };
    let name_w = inner_w.saturating_sub(fixed).max(4) as usize;
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(name_w as u16),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(7),
    ];
    if wide {
        widths.push(Constraint::Length(1));
    }
    widths.push(Constraint::Length(spark_w));
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            let up = matches!((r.value, r.previous), (Some(v), Some(p)) if v > p);
            let mut cells = vec![
                Cell::from(status_symbol(r.status, theme)),
                Cell::from(crate::tui::widgets::clean_cut(&r.def.name, name_w)),
                Cell::from(Line::from(value_unit(r.value, &r.def.unit)).right_aligned()),
                Cell::from(
                    Line::from(Span::styled(format!("/{}", target_text(r)), theme.dim()))
                        .right_aligned(),
                ),
                Cell::from(Span::styled(
                    crate::tui::widgets::status_word(r, stale, false),
                    theme.status(r.status),
                )),
            ];
            if wide {
                cells.push(Cell::from(r.trend.arrow(up)));
            }
            cells.push(Cell::from(Span::styled(
                spark_text(&r.spark, spark_w as usize),
                spark_style(r.status, theme),
            )));
            select_style(Row::new(cells), selected == Some(r.id), theme)
        })
        .collect();
    let empty = table_rows.is_empty();
    let table = Table::new(table_rows, widths)
        .column_spacing(1)
        .block(pane(title, theme));
    frame.render_widget(table, area);
    if empty {
        empty_note(frame, area, "no indicators of this kind", theme);
    }
}

/// A dim line inside a bordered pane's first row, saying why it is empty.
pub(crate) fn empty_note(frame: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    let inner = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: 1,
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text.to_string(), theme.dim())),
        inner,
    );
}

/// The target without a spaced unit, to fit a narrow column (`95%`, `48h`).
fn target_text(r: &Reading) -> String {
    let unit = clean(&r.def.unit);
    let n = number(r.def.target);
    match unit.as_str() {
        "%" | "h" => format!("{n}{unit}"),
        _ => n,
    }
}

fn spark_style(status: Status, theme: &Theme) -> Style {
    if status == Status::Breach {
        theme.status(status)
    } else {
        theme.dim()
    }
}

/// WIP, cycle time p90, on-time rate and capacity use per work kind.
pub(crate) fn flow_pane(
    frame: &mut Frame,
    area: Rect,
    flow: Option<&FlowModel>,
    selected: Option<&str>,
    theme: &Theme,
) {
    let header = super::table::header(["kind", "WIP", "p90", "on-time", "capacity"], theme);
    let rows: Vec<Row> = flow
        .map(|f| {
            f.rows
                .iter()
                .filter(|r| r.in_capacity_panes())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let s = &r.summary;
            let cap = match &r.capacity {
                Some(c) => Line::from(vec![
                    Span::raw(value_unit(c.utilisation.map(|u| u * 100.0), "%")),
                    Span::raw(" "),
                    status_symbol(c.band, theme),
                    Span::styled(format!(" {}", c.band.word()), theme.status(c.band)),
                ]),
                None => Line::from("no capacity"),
            };
            let on = selected == Some(r.kind.as_str());
            let row = Row::new(vec![
                Cell::from(clean(&r.kind)),
                Cell::from(Line::from(s.wip.to_string()).right_aligned()),
                Cell::from(
                    Line::from(
                        s.cycle_p90_h
                            .map(|h| format!("{}h", number(h)))
                            .unwrap_or_else(|| "—".into()),
                    )
                    .right_aligned(),
                ),
                Cell::from(Line::from(value_unit(s.on_time_pct, "%")).right_aligned()),
                Cell::from(cap),
            ]);
            select_style(row, on, theme)
        })
        .collect();
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(14),
    ];
    frame.render_widget(
        super::table::pane_table(rows, widths, header, "Flow · 7 days", theme),
        area,
    );
}
