//! Feedback: ease, reliability and value scores by segment and channel over
//! the last weeks, each group's weekly trend, and the recent comments
//! (sanitised: a comment is data, never terminal control).

use crate::domain::feedback::FeedbackSummary;
use crate::domain::Status;
use crate::format::utc_date;
use crate::store::learning_models::{
    FeedbackModel, WeeklySeries, FEEDBACK_WEEKS, FEEDBACK_WINDOW_DAYS,
};
use crate::tui::theme::Theme;
use crate::tui::views::cockpit::{pane, promise_pane};
use crate::tui::views::Look;
use crate::tui::widgets::spark::spark_text;
use crate::tui::widgets::{clean, clean_cut};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;

/// A mean score's status, for colour (the number is always shown): below 3
/// is a breach, below 4 a warning.
fn score_status(mean: f64) -> Status {
    if mean < 3.0 {
        Status::Breach
    } else if mean < 4.0 {
        Status::Warn
    } else {
        Status::Ok
    }
}

fn weeks_of<'a>(series: &'a [WeeklySeries], group: &str) -> &'a [(i64, Option<f64>)] {
    series
        .iter()
        .find(|s| s.group == group)
        .map(|s| s.weeks.as_slice())
        .unwrap_or(&[])
}

fn score_row<'a>(
    label: String,
    s: &FeedbackSummary,
    weeks: &[(i64, Option<f64>)],
    theme: &Theme,
) -> Row<'a> {
    let score = |v: f64| {
        Cell::from(
            Line::from(Span::styled(
                format!("{v:.2}"),
                theme.status(score_status(v)),
            ))
            .right_aligned(),
        )
    };
    let values: Vec<Option<f64>> = weeks.iter().map(|(_, v)| *v).collect();
    Row::new(vec![
        Cell::from(label),
        Cell::from(Line::from(s.responses.to_string()).right_aligned()),
        score(s.mean_ease),
        score(s.mean_reliability),
        score(s.mean_value),
        Cell::from(Line::from(format!("{:.0}%", s.low_share * 100.0)).right_aligned()),
        Cell::from(spark_text(&values, FEEDBACK_WEEKS as usize)),
    ])
}

/// Draws the Feedback view.
pub fn render(frame: &mut Frame, area: Rect, model: Option<&FeedbackModel>, look: &Look) {
    let theme = &look.theme;
    let Some(model) = model else {
        promise_pane(frame, area, "Feedback", "Loading…", theme);
        return;
    };
    let Some(all) = &model.overall else {
        let text = format!(
            "No feedback in the last {FEEDBACK_WINDOW_DAYS} days. Record a response with \
             `opsdeck feedback add --ease N --reliability N --value N`, or import a file \
             with `opsdeck import FILE --kind feedback`."
        );
        promise_pane(frame, area, "Feedback", &text, theme);
        return;
    };
    let groups = 1 + model.by_segment.len() + model.by_channel.len();
    let table_height = (groups as u16 + 3).min(area.height.saturating_sub(5));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(table_height), Constraint::Fill(1)]).areas(area);
    render_scores(frame, top, model, all, theme);
    render_comments(frame, bottom, model, theme);
}

fn render_scores(
    frame: &mut Frame,
    area: Rect,
    model: &FeedbackModel,
    all: &FeedbackSummary,
    theme: &Theme,
) {
    let header = super::table::header(
        ["group", "n", "ease", "reliab.", "value", "low", "8 weeks"],
        theme,
    );
    let mut rows = vec![score_row("all responses".into(), all, &model.weekly, theme)];
    for s in &model.by_segment {
        let label = format!("segment {}", clean(&s.group));
        rows.push(score_row(
            label,
            s,
            weeks_of(&model.weekly_by_segment, &s.group),
            theme,
        ));
    }
    for s in &model.by_channel {
        let label = format!("channel {}", clean(&s.group));
        rows.push(score_row(
            label,
            s,
            weeks_of(&model.weekly_by_channel, &s.group),
            theme,
        ));
    }
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(FEEDBACK_WEEKS as u16),
    ];
    let title = format!(
        "Feedback · last {FEEDBACK_WINDOW_DAYS} days · mean scores 1–5 · low = a score of 2 or less"
    );
    frame.render_widget(
        super::table::pane_table(rows, widths, header, &title, theme),
        area,
    );
}

fn render_comments(frame: &mut Frame, area: Rect, model: &FeedbackModel, theme: &Theme) {
    let inner = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = if model.comments.is_empty() {
        vec![Line::from(Span::styled(
            "No comments in this period.",
            theme.dim(),
        ))]
    } else {
        model
            .comments
            .iter()
            .map(|c| {
                let who = c
                    .segment
                    .as_deref()
                    .map(|s| clean_cut(s, 10))
                    .unwrap_or_else(|| "—".into());
                let head = format!(
                    "{} {:<9} {:<10} {:.1} ",
                    &utc_date(c.at)[5..],
                    c.channel,
                    who,
                    c.overall
                );
                let mark = if c.low { "low " } else { "    " };
                let room = inner.saturating_sub(head.chars().count() + mark.len());
                Line::from(vec![
                    Span::raw(head),
                    Span::styled(
                        mark,
                        theme.status(if c.low { Status::Warn } else { Status::Ok }),
                    ),
                    Span::raw(clean_cut(&c.text, room)),
                ])
            })
            .collect()
    };
    frame.render_widget(
        Paragraph::new(lines).block(pane("Recent comments · newest first", theme)),
        area,
    );
}
