//! Indicators: the sortable table of every indicator, and the detail of one
//! (history chart with its thresholds drawn as steps of the definition in
//! force, definition, its latest changes, recent notes).

use crate::domain::{Status, Timestamp};
use crate::format::{number, utc_date, utc_minute, value_unit};
use crate::store::board::Board;
use crate::store::indicator_changes::ThresholdStep;
use crate::tui::list::{cut_note, visible_rows};
use crate::tui::models::IndicatorDetail;
use crate::tui::state::indicators::IndicatorsState;
use crate::tui::views::cockpit::pane;
use crate::tui::views::Look;
use crate::tui::widgets::{clean, spark::spark_text, status_symbol};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// Draws the Indicators view.
/// `detail` is the open indicator's detail (drawn instead of the table);
/// `filter` is named in the title; `stale` holds the keys of indicators fed
/// by a stale source (marked `stale` next to their status).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    st: &IndicatorsState,
    (board, stale): (Option<&Board>, &std::collections::BTreeSet<String>),
    detail: Option<&IndicatorDetail>,
    filter: &str,
    look: &Look,
) {
    match detail {
        Some(d) if st.detail.is_some() => {
            let is_stale = stale.contains(&d.reading.def.key);
            render_detail(frame, area, look, d, (st.value_sel, is_stale))
        }
        _ => render_table(frame, area, st, (board, stale), filter, look),
    }
}

fn render_table(
    frame: &mut Frame,
    area: Rect,
    st: &IndicatorsState,
    (board, stale): (Option<&Board>, &std::collections::BTreeSet<String>),
    filter: &str,
    look: &Look,
) {
    let theme = &look.theme;
    let list = board.map(|b| st.rows(b)).unwrap_or_default();
    let wide = area.width >= 100;
    let mut heads = vec!["", "indicator", "kind", "value", "target", "status", ""];
    if wide {
        heads.extend(["owner", "window"]);
    }
    let header = super::table::header(heads, theme);
    let rows: Vec<Row> = list
        .iter()
        .map(|r| {
            let up = matches!((r.value, r.previous), (Some(v), Some(p)) if v > p);
            let mut cells = vec![
                Cell::from(status_symbol(r.status, theme)),
                Cell::from(clean(&r.def.name)),
                Cell::from(r.def.kind.as_str()),
                Cell::from(Line::from(value_unit(r.value, &r.def.unit)).right_aligned()),
                Cell::from(Line::from(value_unit(Some(r.def.target), &r.def.unit)).right_aligned()),
                Cell::from(Span::styled(
                    crate::tui::widgets::status_word(r, stale, wide),
                    theme.status(r.status),
                )),
                Cell::from(r.trend.arrow(up)),
            ];
            if wide {
                cells.push(Cell::from(clean(&r.def.owner_role)));
                cells.push(Cell::from(spark_text(&r.spark, 16)));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(if wide { 12 } else { 7 }),
        Constraint::Length(1),
    ];
    if wide {
        widths.extend([Constraint::Length(10), Constraint::Length(16)]);
    }
    let title = format!(
        "Indicators · sorted by {}{}{}",
        st.sort.word(),
        if filter.is_empty() {
            String::new()
        } else {
            format!(" · filter \"{}\"", clean(filter))
        },
        cut_note(visible_rows(area, 3), list.len())
    );
    let table = super::table::pane_table(rows, widths, header, &title, theme)
        .row_highlight_style(theme.selected());
    st.list.render(frame, area, table, 1, true);
}

fn render_detail(
    frame: &mut Frame,
    area: Rect,
    look: &Look,
    d: &IndicatorDetail,
    (value_sel, is_stale): (usize, bool),
) {
    let theme = &look.theme;
    let r = &d.reading;
    let text_h = (area.height / 3).clamp(6, 12);
    let [chart_area, text_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(text_h)]).areas(area);

    let points: Vec<(f64, f64)> = d
        .history
        .iter()
        .filter_map(|(t, v)| v.map(|v| (((t - d.from) as f64) / 86_400.0, v)))
        .collect();
    let span_days = ((d.to - d.from) as f64 / 86_400.0).max(1.0);
    let mut lo = r.def.target.min(r.def.warn).min(r.def.breach);
    let mut hi = r.def.target.max(r.def.warn).max(r.def.breach);
    for s in &d.steps {
        lo = lo.min(s.target).min(s.warn).min(s.breach);
        hi = hi.max(s.target).max(s.warn).max(s.breach);
    }
    for (_, v) in &points {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    let pad = ((hi - lo) * 0.1).max(0.5);
    let (lo, hi) = (
        (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }),
        hi + pad,
    );
    // Each threshold as steps: the value in force over each stretch.
    let x = |t: Timestamp| ((t - d.from) as f64 / 86_400.0).clamp(0.0, span_days);
    let stepped = |y: fn(&ThresholdStep) -> f64| -> Vec<(f64, f64)> {
        d.steps
            .iter()
            .flat_map(|s| [(x(s.from), y(s)), (x(s.to), y(s))])
            .collect()
    };
    let target_line = stepped(|s| s.target);
    let warn_line = stepped(|s| s.warn);
    let breach_line = stepped(|s| s.breach);
    let unit = clean(&r.def.unit);
    let datasets = vec![
        Dataset::default()
            .name(format!("breach {}", number(r.def.breach)))
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(theme.line(Status::Breach))
            .data(&breach_line),
        Dataset::default()
            .name(format!("warn {}", number(r.def.warn)))
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(theme.line(Status::Warn))
            .data(&warn_line),
        Dataset::default()
            .name(format!("target {}", number(r.def.target)))
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(theme.line(Status::Ok))
            .data(&target_line),
        Dataset::default()
            .name(format!("daily {}", r.def.aggregation.as_str()))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .data(&points),
    ];
    let x_labels = vec![Span::raw(utc_date(d.from)), Span::raw(utc_date(d.to))];
    let y_labels = vec![
        Span::raw(number(lo)),
        Span::raw(number((lo + hi) / 2.0)),
        Span::raw(number(hi)),
    ];
    // The key in the title: what `record`, `:record` and the files name.
    let title = format!(
        "{} ({unit}) · key {} · {} days",
        clean(&r.def.name),
        clean(&r.def.key),
        span_days as i64
    );
    // The legend is a line of its own above the plot, never drawn over
    // the data: each series' marker in its style, then its name.
    let block = pane(&title, theme);
    let inner = block.inner(chart_area);
    frame.render_widget(block, chart_area);
    let [legend_area, plot_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let legend = chart_legend(&[
        (
            "•",
            theme.line(Status::Breach),
            format!("breach {}", number(r.def.breach)),
        ),
        (
            "•",
            theme.line(Status::Warn),
            format!("warn {}", number(r.def.warn)),
        ),
        (
            "•",
            theme.line(Status::Ok),
            format!("target {}", number(r.def.target)),
        ),
        (
            "⣿",
            Style::default(),
            format!("daily {}", r.def.aggregation.as_str()),
        ),
    ]);
    frame.render_widget(Paragraph::new(legend), legend_area);
    let chart = Chart::new(datasets)
        .legend_position(None)
        .x_axis(Axis::default().bounds([0.0, span_days]).labels(x_labels))
        .y_axis(Axis::default().bounds([lo, hi]).labels(y_labels));
    frame.render_widget(chart, plot_area);

    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!(
                    "{} {}{}",
                    r.status.symbol(),
                    r.status_text(),
                    if is_stale {
                        " · stale (its source stopped updating: see the Sources view)"
                    } else {
                        ""
                    }
                ),
                theme.status(r.status),
            ),
            Span::raw(format!(
                "  now {}  target {}  warn {}  breach {}  ({} is better)",
                value_unit(r.value, &r.def.unit),
                value_unit(Some(r.def.target), &r.def.unit),
                value_unit(Some(r.def.warn), &r.def.unit),
                value_unit(Some(r.def.breach), &r.def.unit),
                r.def.direction.as_str()
            )),
        ]),
        Line::from(format!(
            "{} · {} of {} over {} · owner {} · {} values",
            r.def.kind.as_str(),
            r.def.aggregation.as_str(),
            r.def.source.as_str().replace('_', " "),
            crate::domain::duration::format_duration(r.def.window_secs),
            clean(&r.def.owner_role),
            r.events
        )),
        Line::from(Span::styled(clean(&r.def.definition), theme.dim())),
    ];
    for c in d.changes.iter().take(4) {
        lines.push(Line::from(Span::styled(
            format!(
                "{} {}: {}",
                utc_minute(c.at),
                clean(&c.actor),
                clean(&c.summary())
            ),
            theme.dim(),
        )));
    }
    if d.notes.is_empty() {
        lines.push(Line::from(Span::styled(
            "no notes yet — n to add one",
            theme.dim(),
        )));
    }
    for n in &d.notes {
        let who = if n.actor.is_empty() {
            String::new()
        } else {
            format!(" {}", clean(&n.actor))
        };
        lines.push(Line::from(format!(
            "{}{who}: {}",
            utc_minute(n.at),
            clean(&n.text)
        )));
    }
    // Recorded indicators list their recent values beside the definition:
    // ↑↓ picks one, c corrects it.
    let recorded = r.def.source == crate::domain::indicator::Source::Observations;
    let text_area = if recorded {
        let values_w = (text_area.width / 2).clamp(30, 52);
        let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(values_w)])
            .areas(text_area);
        render_values(frame, right, look, value_sel, d);
        left
    } else {
        text_area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(pane("Definition and notes", theme)),
        text_area,
    );
}

/// The chart's legend as one line: for each series its marker (in the
/// series' style) and its name, two spaces apart.
fn chart_legend(series: &[(&str, Style, String)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (marker, style, name)) in series.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled((*marker).to_string(), *style));
        spans.push(Span::raw(format!(" {name}")));
    }
    Line::from(spans)
}

/// The recent recorded values, newest first, the selected one marked.
fn render_values(
    frame: &mut Frame,
    area: Rect,
    look: &Look,
    value_sel: usize,
    d: &IndicatorDetail,
) {
    let theme = &look.theme;
    let rows: Vec<Row> = d
        .values
        .iter()
        .map(|v| {
            let who = v.recorded_by.as_deref().unwrap_or(v.origin.as_str());
            let mark = match (v.review.is_some(), v.corrections > 0) {
                (true, true) => "*?",
                (true, false) => "?",
                (false, true) => "*",
                (false, false) => "",
            };
            Row::new(vec![
                Cell::from(format!("{}", v.id)),
                Cell::from(utc_minute(v.at).get(5..).unwrap_or_default().to_string()),
                Cell::from(
                    Line::from(format!(
                        "{}{mark}",
                        value_unit(Some(v.value), &d.reading.def.unit)
                    ))
                    .right_aligned(),
                ),
                Cell::from(clean(who)),
            ])
        })
        .collect();
    let title = if rows.is_empty() {
        "Recent values · none yet"
    } else {
        "Recent values · ↑↓ c correct"
    };
    // A value marked as anomalous shows `?`; the last line says what to do.
    let to_review: Vec<i64> = d
        .values
        .iter()
        .filter(|v| v.review.is_some())
        .map(|v| v.id)
        .collect();
    let (area, note_area) = if to_review.is_empty() {
        (area, None)
    } else {
        let [a, n] = Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(area);
        (a, Some(n))
    };
    if let Some(n) = note_area {
        let first = to_review[0];
        let text = format!(
            "? = to review ({}): opsdeck observation confirm {first}",
            to_review.len()
        );
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.status(Status::Warn)))
                .wrap(Wrap { trim: true }),
            n,
        );
    }
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(11),
            Constraint::Length(10),
            Constraint::Fill(1),
        ],
    )
    .column_spacing(1)
    .row_highlight_style(theme.selected())
    .highlight_symbol("▶")
    .block(pane(title, theme));
    let sel = value_sel.min(d.values.len().saturating_sub(1));
    let mut state = ratatui::widgets::TableState::default()
        .with_selected((!d.values.is_empty()).then_some(sel));
    frame.render_stateful_widget(table, area, &mut state);
}
