//! One file per screen. `draw` only reads the app: no I/O, no SQL.

pub mod alert_detail;
pub mod alerts;
pub mod checklists;
pub mod cockpit;
pub mod decisions;
pub mod experiments;
pub mod feedback;
pub mod incident;
pub mod indicators;
pub mod placeholder;
pub mod playbooks;
pub mod run_detail;
pub mod sources;
pub mod standup;
pub(crate) mod table;
pub mod work;

use super::app::{App, View};
use super::popups::{self, Popup};
use super::widgets::clean;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// What every view needs besides its state and model: colours and the
/// clock.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Colours (or none).
    pub theme: crate::tui::theme::Theme,
    /// The clock.
    pub now: crate::domain::Timestamp,
    /// The zone every time on screen is shown in; the header names it.
    pub zone: crate::format::Zone,
}

impl Look {
    /// A time of day in the zone: `14:05`, or `14:05 UTC` when the zone is
    /// UTC (as the CLI writes it).
    pub fn clock(&self, t: crate::domain::Timestamp) -> String {
        match self.zone {
            crate::format::Zone::Utc => format!("{} UTC", self.zone.hm(t)),
            z => z.hm(t),
        }
    }

    /// The header's clock: the time and the zone's name, `09:00 UTC`,
    /// `10:00 CET`, `10:00 +01:00`.
    pub fn header_clock(&self, t: crate::domain::Timestamp) -> String {
        format!("{} {}", self.zone.hm(t), self.zone.label(t))
    }
}

/// Below this size a message replaces the layout.
pub(crate) const MIN_WIDTH: u16 = 60;
/// Below this size a message replaces the layout.
pub(crate) const MIN_HEIGHT: u16 = 16;
/// The smallest frame the layout draws, `(width, height)`: below it the
/// cockpit shows a message and `opsdeck snapshot` refuses.
pub const MIN_SIZE: (u16, u16) = (MIN_WIDTH, MIN_HEIGHT);

/// Draws the whole frame.
pub fn draw(frame: &mut Frame, app: &App) {
    // What this frame draws is what a click hits next: nothing until drawn.
    app.drawn.replace(Default::default());
    if let Some(list) = app.ui.cursor(app.view) {
        list.forget_drawn();
    }
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = vec![
            Line::from(format!(
                "Terminal too small: {}x{}",
                area.width, area.height
            )),
            Line::from(format!("opsdeck needs {MIN_WIDTH}x{MIN_HEIGHT}.")),
            Line::from("Enlarge it, or q to quit."),
        ];
        frame.render_widget(
            Paragraph::new(msg).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let look = app.look();
    let (m, ui) = (&app.models, &app.ui);
    if app.view == View::Standup {
        standup::render(frame, area, &ui.standup, m, &look);
    } else {
        let [header, tabs, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        render_header(frame, header, app);
        render_tabs(frame, tabs, app);
        let empty_alerts = crate::store::alerts::AlertsModel::default();
        match app.view {
            View::Cockpit => {
                app.drawn.borrow_mut().panes = cockpit::render(frame, body, m, &ui.cockpit, &look)
            }
            View::Indicators => indicators::render(
                frame,
                body,
                &ui.indicators,
                (m.board.as_ref(), &m.stale),
                m.detail.as_ref(),
                &app.filter,
                &look,
            ),
            View::Work => match (&ui.work.items, &m.work_list, &m.work_item) {
                (Some(items), _, Some(d)) if items.detail.is_some() => {
                    work::render_item(frame, body, d, &look)
                }
                (Some(items), Some(wl), _) => {
                    work::render_list(frame, body, items, wl, &app.filter, &look)
                }
                _ => work::render(frame, body, &ui.work, m.flow.as_ref(), &look),
            },
            View::Alerts if ui.alerts.incident.is_some() && m.incident.is_some() => {
                if let Some(d) = &m.incident {
                    incident::render(frame, body, d, ui.alerts.incident_scroll, &look)
                }
            }
            View::Alerts if ui.alerts.detail.is_some() && m.alert_detail.is_some() => {
                if let Some(d) = &m.alert_detail {
                    alert_detail::render(frame, body, d, &look)
                }
            }
            View::Alerts => alerts::render(
                frame,
                body,
                &ui.alerts,
                m.alerts.as_ref().unwrap_or(&empty_alerts),
                &look,
            ),
            View::Playbooks => match &m.runs {
                Some(runs) => playbooks::render(frame, body, &ui.playbooks, runs, &look),
                None => placeholder::render(frame, body, &app.theme, View::Playbooks),
            },
            View::Experiments => {
                experiments::render(frame, body, &ui.experiments, m.experiments.as_ref(), &look)
            }
            View::Decisions => {
                decisions::render(frame, body, &ui.decisions, m.decisions.as_ref(), &look)
            }
            View::Feedback => feedback::render(frame, body, m.feedback.as_ref(), &look),
            View::Sources => sources::render(
                frame,
                body,
                &ui.sources,
                m.sources.as_deref(),
                &app.filter,
                &look,
            ),
            v => placeholder::render(frame, body, &app.theme, v),
        }
        render_footer(frame, (footer, body), app);
    }
    match &app.popup {
        Some(Popup::Help) => {
            let indicator_keys: Vec<&str> = m
                .board
                .as_ref()
                .map(|b| b.readings.iter().map(|r| r.def.key.as_str()).collect())
                .unwrap_or_default();
            popups::help::render(
                frame,
                area,
                &app.keys,
                app.key_context(),
                &app.theme,
                app.mouse,
                &indicator_keys,
            )
        }
        Some(Popup::Filter(input)) => popups::input::render_line(
            frame,
            area,
            "filter (Enter keeps, Esc clears)",
            input,
            None,
            &app.theme,
        ),
        Some(Popup::Record {
            name,
            derived,
            input,
            error,
            ..
        }) => {
            let title = if *derived {
                format!("note on {} — # text", clean(name))
            } else {
                format!("record {} — VALUE [note], or # note", clean(name))
            };
            popups::input::render_line(frame, area, &title, input, error.as_deref(), &app.theme)
        }
        Some(Popup::Confirm { prompt, .. }) => {
            popups::confirm::render(frame, area, prompt, &app.theme)
        }
        Some(Popup::AlertInput {
            id,
            verb,
            input,
            error,
            ..
        }) => {
            let prompt = crate::tui::state::alerts::input_prompt(*id, *verb);
            popups::input::render_line(frame, area, &prompt, input, error.as_deref(), &app.theme)
        }
        Some(Popup::Correct {
            id,
            old,
            at,
            value,
            input,
            error,
            ..
        }) => popups::input::render_line(
            frame,
            area,
            &crate::tui::corrections::prompt(*id, *old, *at, *value),
            input,
            error.as_deref(),
            &app.theme,
        ),
        Some(Popup::RunInput {
            prompt,
            input,
            error,
            ..
        }) => popups::input::render_line(
            frame,
            area,
            &format!("{} · Esc cancels", clean(prompt)),
            input,
            error.as_deref(),
            &app.theme,
        ),
        Some(Popup::Command(p)) => crate::tui::cmdline::render(frame, area, p, &app.theme),
        None => {}
    }
}

fn render_header(frame: &mut Frame, area: Rect, app: &App) {
    let h = &app.models.header;
    let look = app.look();
    // The clock on the right names the zone once for the whole line.
    let changed = h
        .last_change
        .map(|t| look.zone.hm(t))
        .unwrap_or_else(|| "—".into());
    let mut parts = Vec::new();
    if area.width >= 100 {
        parts.push("opsdeck".to_string());
    }
    parts.extend([
        clean(&h.company),
        clean(&h.db_name),
        format!("as {}", clean(&h.actor)),
    ]);
    // Who is on call for the acting user's roles, before the change time
    // (cut first when the line is short).
    if !h.oncall.is_empty() && h.oncall.iter().all(|(_, p)| p == &h.actor) {
        parts.push("☎ you are on call".to_string());
    } else if !h.oncall.is_empty() {
        let who: Vec<String> = h
            .oncall
            .iter()
            .map(|(role, person)| {
                if person == &h.actor {
                    format!("{}: you", clean(role))
                } else {
                    format!("{}: {}", clean(role), clean(person))
                }
            })
            .collect();
        parts.push(format!("☎ {}", who.join(", ")));
    }
    parts.push(format!("changed {changed}"));
    // `READ-ONLY` and `reconnecting…` are never cut: the other parts give
    // way to them.
    let suffix = format!(
        "{}{}",
        if h.reconnecting {
            " │ reconnecting…"
        } else {
            ""
        },
        if h.read_only { " │ READ-ONLY" } else { "" }
    );
    // The clock and its zone are never cut either.
    let right = look.header_clock(app.now);
    let right_w = right.chars().count();
    let left = format!(" {}", parts.join(" │ "));
    let width = area.width as usize;
    let room = width.saturating_sub(right_w + 2 + suffix.chars().count());
    let left = format!("{}{suffix}", crate::text::truncate(&left, room));
    let pad = width.saturating_sub(left.chars().count() + right_w + 1);
    let line = format!("{left}{}{right} ", " ".repeat(pad));
    frame.render_widget(Paragraph::new(line).style(app.theme.bar()), area);
}

fn render_tabs(frame: &mut Frame, area: Rect, app: &App) {
    // Each label is ` N title `, one space apart: full titles when they
    // fit, then full titles with `Playbooks` for `Playbooks & runs`, then
    // the short ones with no space between.
    let medium = |v: View| match v {
        View::Playbooks => "Playbooks",
        v => v.title(),
    };
    let width = |name: &dyn Fn(View) -> &'static str| -> usize {
        View::TABS
            .iter()
            .map(|v| name(*v).chars().count() + 4)
            .sum::<usize>()
            + View::TABS.len()
            - 1
    };
    let fits = |name: &dyn Fn(View) -> &'static str| width(name) <= area.width as usize;
    let name: &dyn Fn(View) -> &'static str = if fits(&View::title) {
        &View::title
    } else if fits(&medium) {
        &medium
    } else {
        &View::short
    };
    let gap = if fits(&medium) { " " } else { "" };
    let mut spans = Vec::new();
    let mut hits = Vec::new();
    let mut x = area.x;
    for (i, v) in View::TABS.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, name(*v));
        let style = if *v == app.view {
            app.theme.tab_active()
        } else {
            app.theme.dim()
        };
        // Where the label lands, for a click (cut at the bar's right end).
        let w = label.chars().count() as u16;
        let r = Rect {
            x,
            y: area.y,
            width: w,
            height: 1,
        }
        .intersection(area);
        if !r.is_empty() {
            hits.push((r, *v));
        }
        x = x.saturating_add(w + gap.len() as u16);
        spans.push(Span::styled(label, style));
        if i + 1 < View::TABS.len() {
            spans.push(Span::raw(gap));
        }
    }
    app.drawn.borrow_mut().tabs = hits;
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer says this while a write waits for another process's lock.
pub const WAITING: &str = "waiting for the database… (Esc cancels)";

/// The footer: the keys of the view, the filter, and the last message —
/// always whole. A message that does not fit after the keys takes the line
/// for itself; one longer than the line is drawn wrapped in a box above the
/// footer (`body` is where the box may go). While a write waits, the footer
/// says so instead.
fn render_footer(frame: &mut Frame, (area, body): (Rect, Rect), app: &App) {
    if app
        .pending
        .as_ref()
        .is_some_and(|p| p.shown && (!p.background || p.deferred.is_some()))
    {
        let text = if app.pending.as_ref().is_some_and(|p| p.cancelled) {
            "cancelling…".to_string()
        } else {
            WAITING.to_string()
        };
        let line = Line::from(Span::styled(
            text,
            app.theme.status(crate::domain::Status::Warn),
        ));
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let hints = app.keys.footer(app.key_context());
    let mut spans = vec![Span::styled(hints.to_string(), app.theme.dim())];
    if !app.filter.is_empty() {
        spans.push(Span::raw(format!("  filter: {}", clean(&app.filter))));
    }
    let width = area.width as usize;
    if let Some((f, _)) = &app.flash {
        let msg = clean(f);
        let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        let len = msg.chars().count();
        if used + 4 + len <= width {
            spans.push(Span::raw("  │ "));
            spans.push(Span::styled(msg, app.theme.header()));
        } else if len <= width {
            spans = vec![Span::styled(msg, app.theme.header())];
        } else {
            let inner = (area.width as usize).saturating_sub(2);
            let lines = crate::text::wrap_words(&msg, inner);
            let h = (lines.len() as u16 + 2).min(body.height);
            // Above the footer; at the top while a popup (drawn at the
            // bottom) is open, so neither hides the other.
            let y = if app.popup.is_some() {
                body.y
            } else {
                body.y + body.height - h
            };
            let boxed = Rect {
                x: body.x,
                y,
                width: body.width,
                height: h,
            };
            let title = if msg.starts_with("error") {
                "error · any key dismisses"
            } else {
                "message"
            };
            let text: Vec<Line> = lines.into_iter().map(Line::from).collect();
            frame.render_widget(ratatui::widgets::Clear, boxed);
            frame.render_widget(
                Paragraph::new(text).block(
                    ratatui::widgets::Block::bordered()
                        .title(Span::styled(title, app.theme.header())),
                ),
                boxed,
            );
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
