//! The `:` command line (k9s-style): one line at the bottom that takes the
//! CLI's own verbs (`alert ack 12 --note on it`, `run start KEY --for X`).
//!
//! The clap definitions live in `cli`, above `tui` in the module graph, so
//! the cockpit is handed a [`CommandLine`] (implemented in `commands`) that
//! parses a line into the same [`Effect`] a key would produce and completes
//! the word under the cursor. This module keeps the line itself: the
//! popup's keys (Tab completes, ↑/↓ walk the history, Enter submits, Esc
//! closes), the history of submitted lines and the shell-like word splitter.

use super::action::{Action, Effect};
use super::app::{input_key, App, View};
use super::models::Models;
use super::popups::{Popup, PopupOutcome};
use super::theme::Theme;
use crate::domain::Timestamp;
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use tui_input::Input;

/// What a submitted line asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The work for the store, the same a key would produce.
    pub effect: Effect,
    /// The confirmation question naming the item, for what cannot be
    /// undone; `None` runs it at once (run items can be undone).
    pub confirm: Option<String>,
}

/// Parses and completes command lines; implemented above `tui` (where the
/// clap definitions are) and handed to the cockpit when it opens.
pub trait CommandLine: std::fmt::Debug + Send + Sync {
    /// Parses `line` (without the `:`) into an effect, against the loaded
    /// models (indicator keys to ids) at `now`; the error is the message to
    /// show (clap's own for a bad line).
    fn parse(&self, line: &str, models: &Models, now: Timestamp) -> Result<Parsed, String>;
    /// The words that may replace the last (partial) word of `line`:
    /// subcommands, flags, indicator and playbook keys, alert and run ids.
    fn complete(&self, line: &str, models: &Models) -> Vec<String>;
}

/// What the command line opens with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compose {
    /// `:` — an empty line.
    Empty,
    /// Alerts: raise an alert by hand (optionally starting a playbook run).
    RaiseAlert,
    /// Alerts: pause the selected alert's escalation (asks the reason).
    PauseAlert,
    /// Alerts: resume the selected alert's escalation.
    ResumeAlert,
    /// Playbooks: start a run of the selected playbook (or of the selected
    /// run's playbook), `--for` and `--due` to fill in.
    StartRun,
    /// Experiments, Decisions, Indicators: add a decision, the selected
    /// experiment or indicator prefilled as evidence.
    Decision,
    /// Feedback: record one response.
    Feedback,
    /// Alerts: declare an incident from the selected alert (or the one
    /// whose detail is open), its title prefilled with the alert's.
    DeclareIncident,
}

/// The command line's popup state.
#[derive(Debug, Clone)]
pub struct CommandPopup {
    /// The line being typed.
    pub input: Input,
    /// Why the last submission was refused (clap's message for a bad line).
    pub error: Option<String>,
    /// The candidates of the last Tab, when more than one fits.
    pub candidates: Vec<String>,
    /// Where ↑/↓ are in the history; `None` while editing a new line.
    pub history_pos: Option<usize>,
    /// The line typed before ↑ walked away from it.
    pub draft: String,
}

impl CommandPopup {
    /// A line holding `text`, the cursor at `cursor` (its end when `None`).
    pub fn new(text: &str, cursor: Option<usize>) -> CommandPopup {
        let mut input = Input::new(text.to_string());
        if let Some(c) = cursor {
            input = input.with_cursor(c);
        }
        CommandPopup {
            input,
            error: None,
            candidates: Vec::new(),
            history_pos: None,
            draft: String::new(),
        }
    }
}

/// Quotes `word` for the line when it needs it.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\\'))
    {
        word.to_string()
    } else {
        format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The line (and the cursor in it) that `what` opens with, from the
/// selection of the visible view.
pub(crate) fn prefill(app: &App, what: &Compose) -> (String, Option<usize>) {
    let selected_alert = || {
        app.models
            .alerts
            .as_ref()
            .and_then(|m| app.ui.alerts.selected(m))
            .map(|a| a.id)
    };
    match what {
        Compose::Empty => (String::new(), None),
        Compose::RaiseAlert => {
            let s = "alert raise \"\" --severity warning".to_string();
            (s, Some("alert raise \"".len()))
        }
        Compose::PauseAlert => match selected_alert() {
            Some(id) => (format!("alert pause {id} --reason "), None),
            None => ("alert pause ".into(), None),
        },
        Compose::ResumeAlert => match selected_alert() {
            Some(id) => (format!("alert resume {id}"), None),
            None => ("alert resume ".into(), None),
        },
        Compose::StartRun => {
            use super::state::playbooks::ListRow;
            let key = app.models.runs.as_ref().and_then(|m| {
                app.ui.playbooks.selected(m).map(|r| match r {
                    ListRow::Open(o) => o.run.key.clone(),
                    ListRow::Closed(r) => r.key.clone(),
                    ListRow::Playbook(p) => p.key.clone(),
                })
            });
            match key {
                Some(k) => (format!("run start {} --for ", quote(&k)), None),
                None => ("run start ".into(), None),
            }
        }
        Compose::Decision => {
            let evidence = match app.view {
                View::Experiments => app
                    .ui
                    .experiments
                    .list
                    .selected()
                    .map(|k| format!("experiment:{k}")),
                View::Indicators => app
                    .models
                    .board
                    .as_ref()
                    .and_then(|b| app.ui.indicators.selected(b))
                    .map(|r| format!("indicator:{}", r.def.key)),
                View::Alerts => selected_alert().map(|id| format!("alert:{id}")),
                _ => None,
            };
            // The title first (the cursor is in its quotes), then End and
            // the reason: `--why` takes the rest of the line.
            let line = match evidence {
                Some(e) => format!("decision add \"\" --evidence {} --why ", quote(&e)),
                None => "decision add \"\" --why ".to_string(),
            };
            (line, Some("decision add \"".len()))
        }
        Compose::Feedback => ("feedback add --ease ".into(), None),
        Compose::DeclareIncident => {
            let alert = app
                .models
                .alerts
                .as_ref()
                .and_then(|m| match app.ui.alerts.detail {
                    Some(id) => m.active.iter().find(|a| a.id == id),
                    None => app.ui.alerts.selected(m),
                });
            match alert {
                Some(a) => (
                    format!("incident declare {} --title {}", a.id, quote(&a.title)),
                    None,
                ),
                None => ("incident declare ".into(), None),
            }
        }
    }
}

/// Opens the command line for `what` (loading what completion needs).
pub(crate) fn open(app: &mut App, what: Compose) -> Option<Effect> {
    if app.cmdline.is_none() {
        app.flash("the command line is not available here".into());
        return None;
    }
    // An alert already in an incident says so before anything is typed.
    if what == Compose::DeclareIncident {
        let taken = app.models.alerts.as_ref().and_then(|m| {
            let row = match app.ui.alerts.detail {
                Some(id) => m.active.iter().find(|a| a.id == id),
                None => app.ui.alerts.selected(m),
            }?;
            row.incident.map(|i| (row.id, i))
        });
        if let Some((alert, incident)) = taken {
            app.flash(format!(
                "error: alert #{alert} already belongs to incident #{incident} (Enter on the alert, then Enter, opens its timeline)"
            ));
            return None;
        }
    }
    let (text, cursor) = prefill(app, &what);
    app.popup = Some(Popup::Command(CommandPopup::new(&text, cursor)));
    app.dirty = true;
    // Completion needs the indicator keys, playbooks and runs loaded.
    Some(Effect::Reload)
}

/// The command line's keys: Tab completes, ↑/↓ walk the history, Enter
/// parses and runs (or asks to confirm), Esc closes. A refused line stays,
/// with the reason; nothing typed is lost.
pub(crate) fn update(app: &mut App, popup: &mut Popup, action: &Action) -> PopupOutcome {
    let Popup::Command(p) = popup else {
        return PopupOutcome::Close;
    };
    match action {
        Action::InputKey(k) => match k.code {
            KeyCode::Tab => {
                complete(app, p);
                PopupOutcome::Stay
            }
            KeyCode::Up => {
                history_step(app, p, -1);
                PopupOutcome::Stay
            }
            KeyCode::Down => {
                history_step(app, p, 1);
                PopupOutcome::Stay
            }
            _ => {
                input_key(&mut p.input, *k);
                p.error = None;
                p.candidates.clear();
                PopupOutcome::Stay
            }
        },
        Action::Submit => submit(app, p),
        Action::Back => PopupOutcome::Close,
        _ => PopupOutcome::Stay,
    }
}

fn submit(app: &mut App, p: &mut CommandPopup) -> PopupOutcome {
    let line = p.input.value().trim().to_string();
    if line.is_empty() {
        return PopupOutcome::Close;
    }
    let Some(cl) = app.cmdline.clone() else {
        return PopupOutcome::Close;
    };
    remember(app, &line);
    p.history_pos = None;
    match cl.parse(&line, &app.models, app.now) {
        Ok(Parsed {
            effect,
            confirm: Some(prompt),
        }) => PopupOutcome::Replace(Popup::Confirm { prompt, effect }),
        Ok(Parsed {
            effect,
            confirm: None,
        }) => PopupOutcome::CloseWith(effect),
        Err(e) => {
            p.error = Some(e);
            p.candidates.clear();
            PopupOutcome::Stay
        }
    }
}

/// Adds a submitted line to the history (not twice in a row).
pub(crate) fn remember(app: &mut App, line: &str) {
    if app.history.last().map(String::as_str) != Some(line) {
        app.history.push(line.to_string());
    }
}

/// ↑ (`-1`) or ↓ (`+1`) through the submitted lines; ↓ past the newest
/// gives back the line that was being typed.
fn history_step(app: &App, p: &mut CommandPopup, d: i32) {
    let n = app.history.len();
    if n == 0 {
        return;
    }
    let next = match (p.history_pos, d < 0) {
        (None, true) => {
            p.draft = p.input.value().to_string();
            Some(n - 1)
        }
        (None, false) => None,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < n => Some(i + 1),
        (Some(_), false) => None,
    };
    p.history_pos = next;
    let text = match next {
        Some(i) => app.history[i].clone(),
        None => p.draft.clone(),
    };
    p.input = Input::new(text);
    p.error = None;
    p.candidates.clear();
}

/// Tab: completes the word before the cursor (the line up to the cursor
/// is what is completed; the rest stays). One candidate replaces the word
/// and adds a space; several extend it to their common prefix and are
/// listed above the line.
fn complete(app: &App, p: &mut CommandPopup) {
    let Some(cl) = app.cmdline.as_ref() else {
        return;
    };
    let value = p.input.value().to_string();
    let cursor = p.input.cursor();
    let byte = value
        .char_indices()
        .nth(cursor)
        .map_or(value.len(), |(i, _)| i);
    let (before, after) = value.split_at(byte);
    let word_start = before.rfind(char::is_whitespace).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    let partial = &before[word_start..];
    let candidates: Vec<String> = cl
        .complete(before, &app.models)
        .into_iter()
        .filter(|c| c.starts_with(partial))
        .collect();
    let replacement = match candidates.as_slice() {
        [] => {
            p.candidates.clear();
            p.error = Some(format!("nothing completes '{}'", partial));
            return;
        }
        [one] => format!("{one} "),
        many => common_prefix(many),
    };
    p.candidates = if candidates.len() > 1 {
        candidates
    } else {
        Vec::new()
    };
    p.error = None;
    let new_before = format!("{}{}", &before[..word_start], replacement);
    let cursor = new_before.chars().count();
    p.input = Input::new(format!("{new_before}{after}")).with_cursor(cursor);
}

/// The longest prefix every word shares.
pub fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(w.len()), |((i, _), _)| i),
        );
    }
    first[..end].to_string()
}

/// The flags whose value is free text: on the command line their value
/// runs up to the next `--flag`, unquoted (`--note on it`).
pub const TEXT_FLAGS: [&str; 7] = [
    "--note",
    "--title",
    "--reason",
    "--why",
    "--comment",
    "--for",
    "--override",
];

/// Joins the words after a [`TEXT_FLAGS`] flag, up to the next word
/// starting with `--`, into one value.
pub fn join_free_text(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut joining = false;
    let mut fresh = false;
    for w in words {
        if w.starts_with("--") {
            joining = TEXT_FLAGS.contains(&w.as_str());
            fresh = true;
            out.push(w);
        } else if joining && !fresh {
            if let Some(last) = out.last_mut() {
                last.push(' ');
                last.push_str(&w);
            }
        } else {
            fresh = false;
            out.push(w);
        }
    }
    out
}

/// Splits a line into words like a shell: blanks separate words, `"…"`
/// and `'…'` quote (a backslash escapes the next character outside single
/// quotes). An unclosed quote is refused.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n) => word.push(n),
                            None => return Err("the line ends inside a \"quote\"".into()),
                        },
                        Some(n) => word.push(n),
                        None => return Err("a \"quote\" is not closed".into()),
                    }
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => word.push(n),
                        None => return Err("a 'quote' is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Draws the command line at the bottom of `area`: the candidates of the
/// last Tab above it, the refusal under it.
pub(crate) fn render(frame: &mut Frame, area: Rect, p: &CommandPopup, theme: &Theme) {
    let width = area.width.saturating_sub(2) as usize;
    let mut extra: Vec<Line> = Vec::new();
    if !p.candidates.is_empty() {
        let mut row = String::new();
        let mut rows = Vec::new();
        for c in &p.candidates {
            if !row.is_empty() && row.chars().count() + 2 + c.chars().count() > width {
                rows.push(std::mem::take(&mut row));
            }
            if !row.is_empty() {
                row.push_str("  ");
            }
            row.push_str(c);
        }
        rows.push(row);
        for r in rows.into_iter().take(4) {
            extra.push(Line::from(Span::styled(
                crate::text::sanitize(&r),
                theme.header(),
            )));
        }
    }
    let error_lines: Vec<Line> = p
        .error
        .as_deref()
        .map(|e| {
            e.lines()
                .filter(|l| !l.trim().is_empty())
                .take(3)
                .map(|l| {
                    Line::from(Span::styled(
                        format!("✗ {}", crate::text::sanitize(l)),
                        theme.error(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let h = (3 + extra.len() + error_lines.len()) as u16;
    let r = Rect {
        x: area.x,
        y: area.y + area.height.saturating_sub(h),
        width: area.width,
        height: h.min(area.height),
    };
    frame.render_widget(Clear, r);
    let scroll = p.input.visual_scroll(width.saturating_sub(2));
    let visible: String = p
        .input
        .value()
        .chars()
        .skip(scroll)
        .take(width.saturating_sub(1))
        .collect();
    let mut lines = extra;
    let input_row = lines.len() as u16;
    lines.push(Line::from(vec![
        Span::styled(":", theme.title()),
        Span::raw(crate::text::sanitize(&visible)),
    ]));
    lines.extend(error_lines);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(
            " command · Tab completes · ↑↓ history · Enter runs · Esc closes ",
            theme.title(),
        ))),
        r,
    );
    let cx = r.x + 2 + (p.input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position((cx.min(r.x + r.width.saturating_sub(2)), r.y + 1 + input_row));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words("alert ack 12 --note on it").unwrap(),
            vec!["alert", "ack", "12", "--note", "on", "it"]
        );
        assert_eq!(
            split_words(r#"alert raise "Courier down" --note 'since 9'"#).unwrap(),
            vec!["alert", "raise", "Courier down", "--note", "since 9"]
        );
        assert_eq!(
            split_words(r#"a "" b\ c "say \"hi\"""#).unwrap(),
            vec!["a", "", "b c", "say \"hi\""]
        );
        assert!(split_words("alert raise \"open").is_err());
        assert!(split_words("  ").unwrap().is_empty());
    }

    #[test]
    fn free_text_runs_to_the_next_flag() {
        let w = |s: &str| join_free_text(split_words(s).unwrap());
        assert_eq!(
            w("alert ack 12 --note on it"),
            vec!["alert", "ack", "12", "--note", "on it"]
        );
        assert_eq!(
            w("run skip 3 pack.2 --reason out of stock --override gate open"),
            vec![
                "run",
                "skip",
                "3",
                "pack.2",
                "--reason",
                "out of stock",
                "--override",
                "gate open"
            ]
        );
        assert_eq!(
            w("alert note 12 two words"),
            vec!["alert", "note", "12", "two", "words"]
        );
    }

    #[test]
    fn common_prefixes() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&w(&["resolve", "resume"])), "res");
        assert_eq!(common_prefix(&w(&["run", "role"])), "r");
        assert_eq!(common_prefix(&w(&["ack"])), "ack");
    }

    #[test]
    fn quoting_round_trips() {
        for w in ["plain", "two words", "", "say \"hi\"", "back\\slash"] {
            assert_eq!(split_words(&quote(w)).unwrap(), vec![w.to_string()]);
        }
    }
}
