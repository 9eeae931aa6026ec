//! Experiments: every experiment with its status, days left and lock, and
//! the selected one's live criteria against their thresholds.

use crate::domain::decision::format_number;
use crate::domain::experiment::{
    CriterionResult, ExperimentStatus, Outcome, Verdict, DEFAULT_MIN_RUNTIME_DAYS,
};
use crate::domain::Status;
use crate::format::{utc_date, utc_minute, value_unit};
use crate::store::experiments::short_hash;
use crate::store::learning_models::ExperimentRow;
use crate::store::learning_models::ExperimentsModel;
use crate::tui::list::cut_note;
use crate::tui::state::lists::ExperimentsState;
use crate::tui::theme::Theme;
use crate::tui::views::cockpit::{pane, promise_pane};
use crate::tui::views::Look;
use crate::tui::widgets::{clean, clean_cut};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use ratatui::Frame;

/// How a verdict reads in colour (it always reads in words and symbols).
pub(crate) fn verdict_status(v: &Verdict) -> Status {
    match v {
        Verdict::Success => Status::Ok,
        Verdict::Failure => Status::Breach,
        Verdict::GuardrailBreached { .. } => Status::Warn,
        _ => Status::NoData,
    }
}

fn outcome_status(o: Outcome) -> Status {
    match o {
        Outcome::Pass => Status::Ok,
        Outcome::Fail => Status::Breach,
        Outcome::NotEnoughData => Status::NoData,
    }
}

/// `… 3 days left`, `✓ success → scale`, or `not started`.
pub(crate) fn verdict_label(r: &ExperimentRow) -> String {
    let base = format!("{} {}", r.verdict.symbol(), clean(&r.verdict.label()));
    match (r.status, r.decision) {
        (ExperimentStatus::Draft, _) => "not started".to_string(),
        (_, Some(d)) => format!("{base} → {d}"),
        _ => base,
    }
}

fn when(r: &ExperimentRow) -> String {
    match (r.status, r.days_to_end) {
        (ExperimentStatus::Running, Some(d)) => format!("ends in {d}d"),
        (ExperimentStatus::Draft, _) => format!("from {}", &utc_date(r.start)[5..]),
        _ => format!("ended {}", &utc_date(r.end)[5..]),
    }
}

/// Draws the Experiments view.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    st: &ExperimentsState,
    model: Option<&ExperimentsModel>,
    look: &Look,
) {
    let theme = &look.theme;
    let Some(model) = model else {
        promise_pane(frame, area, "Experiments", "Loading…", theme);
        return;
    };
    if model.rows.is_empty() {
        let text = "No experiments yet. Define one with `opsdeck experiment new KEY --title … \
            --hypothesis … --primary 'on_time_rate>=95'`, then pre-register it with \
            `opsdeck experiment start KEY`.";
        promise_pane(frame, area, "Experiments", text, theme);
        return;
    }
    let list = st.rows(model);
    let list_height = (list.len() as u16 + 3).clamp(4, area.height / 2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1)]).areas(area);
    let count = |s: ExperimentStatus| model.rows.iter().filter(|r| r.status == s).count();
    let title = format!(
        "Experiments{} · {} running · {} draft · {} ended · {} concluded",
        cut_note(top.height.saturating_sub(3) as usize, list.len()),
        count(ExperimentStatus::Running),
        count(ExperimentStatus::Draft),
        count(ExperimentStatus::Ended),
        count(ExperimentStatus::Concluded)
    );
    let header = super::table::header(["status", "experiment", "when", "verdict", "lock"], theme);
    let wide = area.width >= 100;
    let table_rows: Vec<Row> = list
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::from(format!("{} {}", r.status.symbol(), r.status.word())),
                Cell::from(if wide {
                    format!("{} · {}", clean(&r.key), clean(&r.title))
                } else {
                    clean(&r.key)
                }),
                Cell::from(when(r)),
                Cell::from(Span::styled(
                    verdict_label(r),
                    theme.status(verdict_status(&r.verdict)),
                )),
                Cell::from(if r.locked { "locked" } else { "open" }),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(11),
        Constraint::Fill(1),
        Constraint::Length(12),
        Constraint::Length(if wide { 30 } else { 20 }),
        Constraint::Length(6),
    ];
    let table = super::table::pane_table(table_rows, widths, header, &title, theme)
        .row_highlight_style(theme.selected());
    st.list.render(frame, top, table, 1, true);
    match list.get(st.list.index()) {
        Some(r) => render_detail(frame, bottom, r, theme),
        None => promise_pane(
            frame,
            bottom,
            "Detail",
            "No experiment matches the filter.",
            theme,
        ),
    }
}

fn render_detail(frame: &mut Frame, area: Rect, r: &ExperimentRow, theme: &Theme) {
    let inner = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled("hypothesis ", theme.header()),
        Span::raw(clean(&r.hypothesis)),
    ])];
    lines.push(Line::from(format!(
        "{} → {} UTC · vs {}",
        utc_date(r.start),
        utc_date(r.end),
        clean(&r.compared_with)
    )));
    lines.push(lock_line(r));
    if !r.hash_verified {
        lines.push(Line::from(Span::styled(
            "✗ the stored definition does not match its registration (changed outside opsdeck)",
            theme.status(Status::Breach),
        )));
    }
    let mut verdict = vec![
        Span::styled("verdict ", theme.header()),
        Span::styled(verdict_label(r), theme.status(verdict_status(&r.verdict))),
    ];
    if matches!(r.verdict, Verdict::Pending { .. }) {
        verdict.push(Span::styled(
            format!(" (shown after {DEFAULT_MIN_RUNTIME_DAYS} days; criteria below are live)"),
            theme.dim(),
        ));
    }
    lines.push(Line::from(verdict));
    let during = 15;
    // criterion, during, baseline, threshold, result (16) and, when wide, Δ.
    let wide = inner >= 96;
    let label = inner
        .saturating_sub(2 * during + 12 + 4 + 16 + if wide { 10 } else { 0 })
        .clamp(8, 26);
    lines.push(Line::from(Span::styled(
        format!(
            "{:<label$} {:>during$} {:>during$} {:>12} result",
            "criterion",
            "during (n)",
            if r.compared_with.starts_with("control") {
                "control (n)"
            } else {
                "baseline (n)"
            },
            "threshold",
        ),
        theme.header(),
    )));
    for c in &r.criteria {
        let unit = r
            .units
            .get(&c.criterion.indicator)
            .map(String::as_str)
            .unwrap_or("");
        lines.push(criterion_line(c, unit, (label, during, wide), theme));
    }
    for note in &r.notes {
        lines.push(Line::from(Span::styled(
            format!("note: {}", clean(note)),
            theme.dim(),
        )));
    }
    let title = format!(
        "{} · {}",
        clean(&r.key),
        clean_cut(&r.title, inner.saturating_sub(20))
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane(&title, theme)),
        area,
    );
}

fn lock_line(r: &ExperimentRow) -> Line<'static> {
    let Some(hash) = &r.registered_hash else {
        return Line::from("open draft: hypothesis and criteria lock at `experiment start`");
    };
    let mut text = format!("locked · registered sha256 {}", short_hash(hash));
    if r.amendments > 0 {
        text.push_str(&format!(
            " · amended {}× → {}",
            r.amendments,
            short_hash(&r.current_hash)
        ));
    }
    if let (Some(at), Some(id)) = (r.concluded_at, r.decision_id) {
        text.push_str(&format!(" · decided {} (#{id})", utc_minute(at)));
    }
    Line::from(text)
}

/// One criterion: name (`★` primary, `·` guardrail), during and baseline
/// with their events, threshold, outcome and, when `wide`, the change.
fn criterion_line(
    c: &CriterionResult,
    unit: &str,
    (label, width, wide): (usize, usize, bool),
    theme: &Theme,
) -> Line<'static> {
    let sample = |v: Option<f64>, n: u32| format!("{} ({n})", value_unit(v, unit));
    let name = format!(
        "{} {}",
        if c.criterion.primary { "★" } else { "·" },
        clean(&c.criterion.indicator)
    );
    let threshold = format!(
        "{} {}",
        c.criterion.comparison.symbol(),
        value_unit(Some(c.criterion.threshold), unit)
    );
    let change = c
        .change
        .filter(|_| wide)
        .map(|d| format!("  Δ {}{}", if d > 0.0 { "+" } else { "" }, format_number(d)))
        .unwrap_or_default();
    Line::from(vec![
        Span::raw(format!(
            "{:<label$} {:>width$} {:>width$} {:>12} ",
            crate::text::truncate(&name, label),
            sample(c.during.value, c.during.events),
            sample(c.baseline.value, c.baseline.events),
            threshold,
        )),
        Span::styled(
            format!("{} {:<15}", c.outcome.symbol(), c.outcome.word()),
            theme.status(outcome_status(c.outcome)),
        ),
        Span::styled(change, Style::new()),
    ])
}
