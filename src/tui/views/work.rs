//! Work: flow per kind and segment — WIP, throughput, cycle time, on-time,
//! deviation, capacity utilisation and when it crosses the warn band.

use crate::format::{number, utc_date, utc_minute, value_unit};
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

/// How a state reads and looks: late like a breach, at risk like a warn.
fn state_span(
    s: crate::domain::work_list::ItemState,
    theme: &crate::tui::theme::Theme,
) -> Span<'static> {
    use crate::domain::work_list::ItemState;
    use crate::domain::Status;
    let status = match s {
        ItemState::Late | ItemState::ClosedLate => Status::Breach,
        ItemState::AtRisk => Status::Warn,
        _ => Status::Ok,
    };
    let symbol = match s {
        ItemState::Late | ItemState::ClosedLate => "✗",
        ItemState::AtRisk => "!",
        _ => "·",
    };
    Span::styled(format!("{symbol} {}", s.word()), theme.status(status))
}

/// `in 3h`, `5h ago`: a time relative to now, in whole hours or days.
fn relative(t: crate::domain::Timestamp, now: crate::domain::Timestamp) -> String {
    let d = t - now;
    let text = crate::domain::duration::format_age(d.abs());
    if d >= 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// Draws the Work list: the items behind a flow row, late first.
pub fn render_list(
    frame: &mut Frame,
    area: Rect,
    st: &crate::tui::state::work::WorkListState,
    wl: &crate::tui::models::WorkList,
    filter: &str,
    look: &Look,
) {
    use crate::domain::work_list::item_state;
    let theme = &look.theme;
    let list = st.rows(wl);
    let wide = area.width >= 100;
    let mut heads = vec!["state", "id", "customer", "segment", "promised", ""];
    if wide {
        heads.extend(["opened", "closed"]);
    }
    let header = super::table::header(heads, theme);
    let rows: Vec<Row> = list
        .iter()
        .map(|l| {
            let w = &l.item;
            let promised = w.promised_at.map(utc_minute).unwrap_or_else(|| "—".into());
            let when = match (w.closed_at, w.promised_at) {
                (Some(c), Some(p)) => {
                    format!("{} late", crate::domain::duration::format_age(c - p))
                }
                (None, Some(p)) => relative(p, look.now),
                _ => String::new(),
            };
            let mut cells = vec![
                Cell::from(state_span(item_state(w, look.now), theme)),
                Cell::from(clean(&w.external_id)),
                Cell::from(clean(w.customer.as_deref().unwrap_or("—"))),
                Cell::from(clean(w.segment.as_deref().unwrap_or("—"))),
                Cell::from(promised),
                Cell::from(when),
            ];
            if wide {
                cells.push(Cell::from(utc_minute(w.opened_at)));
                cells.push(Cell::from(w.closed_at.map(utc_minute).unwrap_or_default()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(16),
        Constraint::Fill(1),
    ];
    if wide {
        widths.extend([Constraint::Length(16), Constraint::Length(16)]);
    }
    let what = match &wl.segment {
        Some(s) => format!("{} / {}", clean(&wl.kind), clean(s)),
        None => clean(&wl.kind),
    };
    let late = list
        .iter()
        .filter(|l| item_state(&l.item, look.now) == crate::domain::work_list::ItemState::Late)
        .count();
    let title = format!(
        "Work list · {what} · open, closed late in {}d · {late} late{}{}{}",
        super::super::models::FLOW_WINDOW / 86_400,
        if filter.is_empty() {
            String::new()
        } else {
            format!(" · filter \"{}\"", clean(filter))
        },
        if wl.truncated { " · first 500" } else { "" },
        cut_note(visible_rows(area, 3), list.len())
    );
    let table = super::table::pane_table(rows, widths, header, &title, theme)
        .row_highlight_style(theme.selected());
    st.list.render(frame, area, table, 1, true);
    if list.is_empty() {
        super::cockpit::empty_note(
            frame,
            Rect {
                y: area.y + 1,
                ..area
            },
            if filter.is_empty() {
                "no open or late items"
            } else {
                "no item matches the filter"
            },
            theme,
        );
    }
}

/// Draws one work item: its times, outcome and linked runs.
pub fn render_item(
    frame: &mut Frame,
    area: Rect,
    d: &crate::tui::models::WorkItemDetail,
    look: &Look,
) {
    use crate::domain::work_list::item_state;
    let theme = &look.theme;
    let w = &d.item.item;
    let t = |v: Option<crate::domain::Timestamp>| {
        v.map(|t| format!("{} UTC", utc_minute(t)))
            .unwrap_or_else(|| "—".into())
    };
    let mut lines = vec![
        Line::from(vec![
            state_span(item_state(w, look.now), theme),
            Span::raw(format!(
                " · {} · customer {} · segment {}",
                clean(&w.kind),
                clean(w.customer.as_deref().unwrap_or("—")),
                clean(w.segment.as_deref().unwrap_or("—"))
            )),
        ]),
        Line::from(""),
        Line::from(format!("opened    {}", t(Some(w.opened_at)))),
        Line::from(format!(
            "promised  {}{}",
            t(w.promised_at),
            match (w.promised_at, w.closed_at) {
                (Some(p), None) => format!("  ({})", relative(p, look.now)),
                _ => String::new(),
            }
        )),
        Line::from(format!(
            "closed    {}{}",
            t(w.closed_at),
            match (w.promised_at, w.closed_at) {
                (Some(p), Some(c)) if c > p =>
                    format!("  ({} late)", crate::domain::duration::format_age(c - p)),
                (Some(_), Some(_)) => "  (on time)".into(),
                _ => String::new(),
            }
        )),
        Line::from(format!(
            "cycle     {}",
            w.closed_at
                .map(|c| format!("{}h", number((c - w.opened_at) as f64 / 3600.0)))
                .unwrap_or_else(|| format!(
                    "open for {}",
                    crate::domain::duration::format_age((look.now - w.opened_at).max(0))
                ))
        )),
        Line::from(format!(
            "outcome   {}{}",
            w.outcome.map(|o| o.as_str()).unwrap_or("—"),
            w.satisfaction
                .map(|s| format!(" · satisfaction {}", number(s)))
                .unwrap_or_default()
        )),
        Line::from(""),
    ];
    if d.runs.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "no linked runs · opsdeck run start PLAYBOOK --for {}",
                clean(&w.external_id)
            ),
            theme.dim(),
        )));
    } else {
        lines.push(Line::from(Span::styled("linked runs", theme.title())));
        for r in &d.runs {
            let late = if r.overdue { " · overdue" } else { "" };
            lines.push(Line::from(format!(
                "  run #{} {} {}/{} items {}{late}",
                r.id,
                clean(&r.playbook),
                r.done + r.skipped,
                r.total,
                r.state
            )));
        }
    }
    let title = format!("Work item {} · #{}", clean(&w.external_id), d.item.id);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(super::cockpit::pane(&title, theme)),
        area,
    );
}
