//! The standup board: one section at a time in large, high-contrast type,
//! what changed since the previous standup, and a per-speaker timer.

use crate::domain::indicator::Trend;
use crate::format::{number, utc_date, utc_minute, value_unit};

use crate::tui::models::Models;
use crate::tui::state::standup::StandupState;
use crate::tui::views::Look;
use crate::tui::widgets::bigtext::{big_lines, big_width};
use crate::tui::widgets::{clean, status_span};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap,
};
use ratatui::Frame;

/// A section of the standup: a title and its lines.
pub struct Section {
    /// Section heading, e.g. "Alerts" or "Overdue checklist items".
    pub title: String,
    /// The section's rendered lines.
    pub lines: Vec<Line<'static>>,
}

/// How many sections the standup has with these models.
pub(crate) fn section_count(models: &Models) -> usize {
    sections(models, &crate::tui::theme::Theme::mono()).len()
}

/// How many lines section `idx` has (what scrolling is bounded by).
pub(crate) fn section_lines(models: &Models, idx: usize) -> usize {
    sections(models, &crate::tui::theme::Theme::mono())
        .get(idx)
        .map(|s| s.lines.len())
        .unwrap_or(0)
}

/// The trend in words, by the indicator's direction: `▲ better`,
/// `▼ worse`, `→ steady`; empty when it cannot be told.
pub(crate) fn trend_words(t: Trend) -> &'static str {
    match t {
        Trend::Better => "▲ better",
        Trend::Worse => "▼ worse",
        Trend::Flat => "→ steady",
        Trend::Unknown => "",
    }
}

/// `  stale` when a stale source feeds the indicator `key`.
fn stale_mark(stale: &std::collections::BTreeSet<String>, key: &str) -> Span<'static> {
    if stale.contains(key) {
        Span::styled(" stale", Style::new().add_modifier(Modifier::BOLD))
    } else {
        Span::raw("")
    }
}

/// The sections, in the order the team goes through them. One pure
/// function of the loaded models: the screen and `standup --format
/// markdown` both draw from it.
pub(crate) fn sections(models: &Models, theme: &crate::tui::theme::Theme) -> Vec<Section> {
    let mut out = Vec::new();
    let standup = models.standup.clone().unwrap_or_default();
    // 1. Indicators that changed status, then the most at risk now.
    let mut lines: Vec<Line<'static>> = Vec::new();
    match standup.previous {
        None => lines.push(Line::from("First standup: no earlier one to compare with.")),
        Some(p) => {
            if standup.changes.is_empty() {
                lines.push(Line::from(format!(
                    "No indicator changed status since {}.",
                    utc_minute(p)
                )));
            } else {
                lines.push(Line::from(Span::styled(
                    "Changed since the previous standup:",
                    Style::new().add_modifier(Modifier::BOLD),
                )));
            }
            for c in &standup.changes {
                let trend = trend_words(c.trend);
                lines.push(Line::from(vec![
                    status_span(c.after, theme),
                    stale_mark(&standup.stale, &c.key),
                    Span::raw(format!("  {}  ", clean(&c.name))),
                    Span::raw(format!("{} → {}", c.before_text, c.after_text)),
                    Span::raw(format!(
                        " · was {}, now {}",
                        value_unit(c.before_value, &c.unit),
                        value_unit(c.value, &c.unit)
                    )),
                    Span::styled(
                        if trend.is_empty() {
                            String::new()
                        } else {
                            format!("  {trend}")
                        },
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                ]));
            }
        }
    }
    if !standup.attention.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Most at risk now:",
            Style::new().add_modifier(Modifier::BOLD),
        )));
        for r in &standup.attention {
            let trend = trend_words(r.trend);
            lines.push(Line::from(vec![
                status_span(r.status, theme),
                stale_mark(&standup.stale, &r.def.key),
                Span::raw(format!(
                    "  {}  {} (target {})",
                    clean(&r.def.name),
                    value_unit(r.value, &r.def.unit),
                    value_unit(Some(r.def.target), &r.def.unit)
                )),
                Span::styled(
                    match r.trend {
                        Trend::Better | Trend::Worse => {
                            format!("  {trend} than the window before")
                        }
                        Trend::Flat => format!("  {trend}"),
                        Trend::Unknown => String::new(),
                    },
                    Style::new().add_modifier(Modifier::BOLD),
                ),
            ]));
        }
    }
    let stale_ok: Vec<&str> = models
        .board
        .iter()
        .flat_map(|b| b.readings.iter())
        .filter(|r| standup.stale.contains(&r.def.key))
        .filter(|r| !standup.attention.iter().any(|a| a.id == r.id))
        .filter(|r| !standup.changes.iter().any(|c| c.key == r.def.key))
        .map(|r| r.def.name.as_str())
        .collect();
    if !stale_ok.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "Fed by a stale source: {}",
            stale_ok
                .iter()
                .map(|n| clean(n))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    out.push(Section {
        title: "Indicators".into(),
        lines,
    });
    out.push(alerts_section(models, theme));
    out.push(review_section(&standup.to_review));
    out.push(checklists_section(models, theme));
    // Work and capacity.
    let mut lines: Vec<Line<'static>> = Vec::new();
    for r in models
        .flow
        .iter()
        .flat_map(|f| f.rows.iter())
        .filter(|r| r.in_capacity_panes())
    {
        let s = &r.summary;
        lines.push(Line::from(Span::styled(
            clean(&r.kind).to_uppercase(),
            Style::new().add_modifier(Modifier::BOLD),
        )));
        lines.push(Line::from(format!(
            "  in progress {}   done per day {}   on time {}   cycle p90 {}",
            s.wip,
            number(s.throughput_per_day),
            value_unit(s.on_time_pct, "%"),
            s.cycle_p90_h
                .map(|h| format!("{}h", number(h)))
                .unwrap_or_else(|| "—".into())
        )));
        if let Some(c) = &r.capacity {
            let forecast = match c.warn_forecast {
                Some(t) if t <= models.board.as_ref().map(|b| b.now).unwrap_or(t) => {
                    "already in the warn band".to_string()
                }
                Some(t) => format!("reaches the warn band around {}", utc_date(t)),
                None => "not heading for the warn band".to_string(),
            };
            lines.push(Line::from(vec![
                Span::raw("  capacity used "),
                Span::raw(value_unit(c.utilisation.map(|u| u * 100.0), "%")),
                Span::raw("  "),
                status_span(c.band, theme),
                Span::raw(format!("  · {forecast}")),
            ]));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from("No work items yet."));
    }
    out.push(Section {
        title: "Work and capacity".into(),
        lines,
    });
    out.push(super::decisions::standup_section(models, theme));
    out
}

/// One alert's events since the previous standup in a few words, oldest
/// first; repeated events of one kind count once (the latest).
fn alert_story(events: &[&crate::store::alerts::HistoryEntry]) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    for e in events {
        let ev = &e.event;
        let who = clean(&ev.actor);
        let what = match ev.kind.as_str() {
            "opened" => "raised".to_string(),
            "reopened" => "re-opened".to_string(),
            "escalated" => format!(
                "escalated to level {}",
                ev.level.map(|l| l + 1).unwrap_or(0)
            ),
            "acknowledged" => format!("acked by {who}"),
            "resolved" => format!("resolved by {who}"),
            "cleared" => "cleared (the cause is gone)".to_string(),
            "snoozed" => format!("snoozed by {who}"),
            "recurred" => "recurred".to_string(),
            "severity" => "severity changed".to_string(),
            "paused" => "escalation paused".to_string(),
            "resumed" => "escalation resumed".to_string(),
            "run_started" => "playbook run started".to_string(),
            "run_failed" => "playbook run failed".to_string(),
            other => clean(other),
        };
        let kind = ev.kind.clone();
        match parts.last_mut() {
            Some((k, w)) if *k == kind => *w = what,
            _ => parts.push((kind, what)),
        }
    }
    parts
        .into_iter()
        .map(|(_, w)| w)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What happened to each alert since the previous standup: one line per
/// alert (raised, acked by X, escalated, resolved...), the most severe and
/// then the most recent first.
fn alerts_section(models: &Models, theme: &crate::tui::theme::Theme) -> Section {
    let news = models
        .standup
        .as_ref()
        .map(|s| s.alert_news.as_slice())
        .unwrap_or_default();
    let mut lines: Vec<Line<'static>> = Vec::new();
    if news.is_empty() {
        lines.push(Line::from(
            "Nothing happened to any alert since the previous standup.",
        ));
    }
    // Events come newest first: group by alert, keep the groups' order.
    let mut groups: Vec<(i64, Vec<&crate::store::alerts::HistoryEntry>)> = Vec::new();
    for e in news {
        match groups.iter_mut().find(|(id, _)| *id == e.event.alert_id) {
            Some((_, g)) => g.push(e),
            None => groups.push((e.event.alert_id, vec![e])),
        }
    }
    groups.sort_by_key(|(_, g)| std::cmp::Reverse(g[0].severity));
    for (id, mut g) in groups {
        let latest = g[0];
        g.reverse();
        let when = chrono::DateTime::from_timestamp(latest.event.at, 0)
            .map(|d| d.format("%a %H:%M").to_string())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            crate::tui::views::alerts::severity_span(latest.severity, theme),
            Span::raw(format!(" #{id} {} — ", clean(&latest.title))),
            Span::styled(alert_story(&g), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(" · {when}")),
        ]));
    }
    // Last: who the next page goes to.
    let oncall = models
        .standup
        .as_ref()
        .map(|s| s.oncall.as_slice())
        .unwrap_or_default();
    if !oncall.is_empty() {
        let who: Vec<String> = oncall
            .iter()
            .map(|o| {
                let p = o
                    .person
                    .as_deref()
                    .map(clean)
                    .unwrap_or_else(|| "nobody".into());
                let swap = if o.override_reason.is_some() {
                    " (override)"
                } else {
                    ""
                };
                format!("{} {p}{swap}", clean(&o.role))
            })
            .collect();
        lines.push(Line::from(format!("☎ On call today: {}", who.join(" · "))));
    }
    Section {
        title: "Alerts".into(),
        lines,
    }
}

/// Values far from their indicator's recent ones, waiting for someone to
/// look (`opsdeck observation confirm ID` clears one).
fn review_section(items: &[crate::tui::models::ReviewItem]) -> Section {
    let mut lines: Vec<Line<'static>> = Vec::new();
    if items.is_empty() {
        lines.push(Line::from("No value is waiting for review."));
    }
    for r in items {
        lines.push(Line::from(vec![
            Span::styled("? review", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(
                "  #{} {} {} · {} · {}",
                r.id,
                clean(&r.indicator),
                value_unit(Some(r.value), &r.unit),
                utc_minute(r.at),
                clean(&r.why)
            )),
        ]));
    }
    if !items.is_empty() {
        lines.push(Line::from(
            "Looked right? `opsdeck observation confirm ID` clears the mark.",
        ));
    }
    Section {
        title: "To review".into(),
        lines,
    }
}

/// Lateness to the minute (`1d23h59m`).
fn late_text(secs: i64) -> String {
    crate::domain::duration::format_duration(secs.max(60) - secs.max(60) % 60)
}

/// Overdue checklist items, the latest first, with their owner role.
fn checklists_section(models: &Models, theme: &crate::tui::theme::Theme) -> Section {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let runs = models
        .runs
        .as_ref()
        .map(|r| r.open_runs.as_slice())
        .unwrap_or_default();
    // Closest to done first: the fewest items left.
    let mut late: Vec<_> = runs.iter().filter(|r| r.late_by.is_some()).collect();
    late.sort_by_key(|r| r.progress.total.saturating_sub(r.progress.closed()));
    for r in late {
        let late = late_text(r.late_by.unwrap_or(0));
        lines.push(Line::from(vec![
            crate::tui::widgets::status_span(crate::domain::Status::Breach, theme),
            Span::raw(format!(
                " run #{} {}{} · {late} late · {}/{} done",
                r.run.id,
                clean(&r.run.key),
                r.run
                    .context
                    .as_deref()
                    .map(|c| format!(" for {}", clean(c)))
                    .unwrap_or_default(),
                r.progress.closed(),
                r.progress.total
            )),
        ]));
        for item in r.late_items.iter().take(3) {
            lines.push(Line::from(format!(
                "    {} {} · {} · {} late",
                clean(&item.label),
                crate::tui::widgets::clean_cut(&item.text, 44),
                clean(&item.owner_role),
                late_text(item.late_by)
            )));
        }
    }
    // Incident action items past their due date: late work like any other.
    let late_actions = models
        .standup
        .as_ref()
        .map(|s| s.late_actions.as_slice())
        .unwrap_or_default();
    for (incident, a, late_by) in late_actions {
        lines.push(Line::from(vec![
            crate::tui::widgets::status_span(crate::domain::Status::Breach, theme),
            Span::raw(format!(
                " {} {} · {} · {} late (incident #{incident})",
                clean(&a.external_id),
                crate::tui::widgets::clean_cut(&a.text, 44),
                clean(&a.owner),
                late_text(*late_by)
            )),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::from("No checklist item or action item is overdue."));
    }
    Section {
        title: "Overdue checklist items".into(),
        lines,
    }
}

/// The plain text of a line (what the Markdown form prints).
fn plain(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Who speaks today, in order, for the header: the current speaker in
/// brackets.
fn speakers_line(st: &StandupState, order: &[String]) -> String {
    if order.is_empty() {
        return "No people in the definition: t counts speakers".into();
    }
    let current = (st.speaker > 0).then(|| (st.speaker - 1) % order.len());
    let names: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if Some(i) == current {
                format!("[{}]", clean(n))
            } else {
                clean(n)
            }
        })
        .collect();
    format!("Speakers: {}", names.join(" · "))
}

/// The standup as Markdown (`opsdeck standup --format markdown`): the same
/// sections as the screen, from the same function, for a chat post or an
/// email.
pub fn markdown(models: &Models) -> String {
    let theme = crate::tui::theme::Theme::mono();
    let standup = models.standup.clone().unwrap_or_default();
    let mut out = format!("# Standup · {}\n\n", clean(&models.header.company));
    match standup.previous {
        Some(p) => out.push_str(&format!(
            "Changes since the previous standup, {} UTC.\n\n",
            utc_minute(p)
        )),
        None => out.push_str("First standup: no earlier one to compare with.\n\n"),
    }
    if !standup.speakers.is_empty() {
        let names: Vec<String> = standup.speakers.iter().map(|n| clean(n)).collect();
        out.push_str(&format!("Speakers, in order: {}\n", names.join(", ")));
    }
    for section in sections(models, &theme) {
        out.push_str(&format!("\n## {}\n\n", section.title));
        for line in &section.lines {
            let text = plain(line);
            let body = text.trim_start();
            if body.is_empty() {
                out.push('\n');
            } else if body.ends_with(':') {
                out.push_str(&format!("**{body}**\n\n"));
            } else if text.starts_with("  ") {
                out.push_str(&format!("  - {}\n", body.trim_end()));
            } else {
                out.push_str(&format!("- {}\n", body.trim_end()));
            }
        }
    }
    out
}

/// Draws the standup.
pub fn render(frame: &mut Frame, area: Rect, st: &StandupState, models: &Models, look: &Look) {
    let theme = &look.theme;
    let all = sections(models, theme);
    let idx = st.section.min(all.len().saturating_sub(1));
    let order = models
        .standup
        .as_ref()
        .map(|s| s.speakers.as_slice())
        .unwrap_or_default();
    let [top, body, footer] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);

    // Timer in large digits on the right, title on the left.
    let elapsed = st
        .speaker_started
        .map(|s| (look.now - s).max(0))
        .unwrap_or(0);
    let timer = format!("{:02}:{:02}", (elapsed / 60).min(99), elapsed % 60);
    let timer_w = big_width(&timer) as u16 + 2;
    let [title_area, timer_area] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(timer_w.min(top.width / 2)),
    ])
    .areas(top);
    let since = models
        .standup
        .as_ref()
        .and_then(|s| s.previous)
        .map(|p| format!("changes since the previous standup, {} UTC", utc_minute(p)))
        .unwrap_or_else(|| "first standup".into());
    let lines = all.get(idx).map(|s| s.lines.clone()).unwrap_or_default();
    let total = lines.len();
    let visible = body.height.saturating_sub(1) as usize;
    // Rows a line takes once wrapped (the scrollbar's column kept free).
    let wrap_w = body.width.saturating_sub(1).max(1) as usize;
    let rows = |l: &Line| l.width().div_ceil(wrap_w).max(1);
    let overflow = lines.iter().map(rows).sum::<usize>() > visible;
    let from = st.scroll.min(total.saturating_sub(1));
    let mut shown_to = from;
    let mut used = 0;
    for l in &lines[from.min(total)..] {
        used += rows(l);
        if used > visible && shown_to > from {
            break;
        }
        shown_to += 1;
    }
    let position = if overflow {
        format!("  lines {}–{} of {total}", from + 1, shown_to)
    } else {
        String::new()
    };
    let title_lines = vec![
        Line::from(Span::styled(
            format!("STANDUP · {}", clean(&models.header.company)),
            theme.title().add_modifier(Modifier::BOLD),
        )),
        Line::from(since),
        Line::from(speakers_line(st, order)),
        Line::from(vec![
            Span::styled(
                format!(
                    "{}  ({}/{})",
                    all.get(idx)
                        .map(|s| s.title.to_uppercase())
                        .unwrap_or_default(),
                    idx + 1,
                    all.len().max(1)
                ),
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ),
            Span::styled(position, theme.dim()),
        ]),
    ];
    frame.render_widget(Paragraph::new(title_lines), title_area);
    let mut timer_lines: Vec<Line> = big_lines(&timer).into_iter().map(Line::from).collect();
    timer_lines.push(Line::from(match st.speaker_name(order) {
        Some(name) => clean(name),
        None if st.speaker == 0 => match st.next_name(order) {
            Some(first) => format!("t: {} first", clean(first)),
            None => "t: first speaker".to_string(),
        },
        None => format!("speaker {}", st.speaker),
    }));
    frame.render_widget(
        Paragraph::new(timer_lines).style(Style::new().add_modifier(Modifier::BOLD)),
        timer_area,
    );

    // Double spacing where the terminal is tall enough: readable across a room.
    let spaced: Vec<Line> = if !overflow && lines.iter().map(rows).sum::<usize>() * 2 <= visible {
        lines
            .into_iter()
            .flat_map(|l| [l, Line::from("")])
            .collect()
    } else {
        lines.into_iter().skip(from).collect()
    };
    let text_area = Rect {
        width: body.width.saturating_sub(u16::from(overflow)),
        ..body
    };
    frame.render_widget(
        Paragraph::new(spaced)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::TOP)),
        text_area,
    );
    if overflow {
        let mut bar = ScrollbarState::new(total).position(from);
        let bar_area = Rect {
            y: body.y + 1,
            height: body.height.saturating_sub(1),
            ..body
        };
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None),
            bar_area,
            &mut bar,
        );
    }
    let next = st
        .next_name(order)
        .map(|n| format!("t {} next", clean(n)))
        .unwrap_or_else(|| "t next speaker".into());
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!("Space/→ section  ← back  j/k PgDn scroll  {next}  ? help  q leave"),
            theme.dim(),
        )),
        footer,
    );
}
