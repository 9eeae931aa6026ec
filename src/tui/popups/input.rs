//! The one-line inputs: the `/` filter and the record/note line of the
//! Indicators view. Input is validated here and refused in place, with the
//! reason, before anything is written.

use super::{Popup, PopupOutcome};
use crate::tui::action::{Action, Effect};
use crate::tui::app::{input_key, typed, App};
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use tui_input::Input;

/// The filter line: typing filters live; Enter keeps it, Esc clears it.
pub(crate) fn update_filter(app: &mut App, input: &mut Input, action: &Action) -> PopupOutcome {
    match action {
        Action::InputKey(k) => {
            input_key(input, *k);
            app.set_filter(input.value());
            PopupOutcome::Stay
        }
        Action::Submit => PopupOutcome::Close,
        Action::Back => {
            app.set_filter("");
            PopupOutcome::Close
        }
        _ => PopupOutcome::Stay,
    }
}

/// What the record line means: `VALUE [note]`, or `# note` for a note alone.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordInput {
    /// The value, in the indicator's unit; `None` for `# note`.
    pub value: Option<f64>,
    /// The note after the value (or after `#`); `None` without one.
    pub note: Option<String>,
}

/// Parses the record line. `derived` indicators accept notes only.
pub(crate) fn parse_record_line(text: &str, derived: bool) -> Result<RecordInput, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a value (and optionally a note), or # and a note".into());
    }
    if let Some(note) = t.strip_prefix('#') {
        let note = note.trim();
        if note.is_empty() {
            return Err("the note is empty".into());
        }
        crate::domain::limits::check_len(note, crate::domain::limits::MAX_TEXT)
            .map_err(|e| format!("note: {e}"))?;
        return Ok(RecordInput {
            value: None,
            note: Some(note.to_string()),
        });
    }
    if derived {
        return Err("this indicator is derived from work items or feedback: only notes (# text) can be added".into());
    }
    let (first, rest) = match t.split_once(char::is_whitespace) {
        Some((a, b)) => (a, b.trim()),
        None => (t, ""),
    };
    let value = crate::ingest::fields::parse_number(first)?;
    let note = (!rest.is_empty()).then(|| rest.to_string());
    if let Some(n) = &note {
        crate::domain::limits::check_len(n, crate::domain::limits::MAX_TEXT)
            .map_err(|e| format!("note: {e}"))?;
    }
    Ok(RecordInput {
        value: Some(value),
        note,
    })
}

/// The record line: Enter validates and records; a bad number keeps the
/// line open with the reason.
pub(crate) fn update_record(popup: &mut Popup, action: &Action) -> PopupOutcome {
    let Popup::Record {
        indicator_id,
        key,
        derived,
        input,
        error,
        ..
    } = popup
    else {
        return PopupOutcome::Close;
    };
    match action {
        Action::InputKey(k) => typed(input, error, *k),
        Action::Submit => match parse_record_line(input.value(), *derived) {
            Ok(r) => PopupOutcome::CloseWith(Effect::Record {
                indicator_id: *indicator_id,
                key: key.clone(),
                value: r.value,
                note: r.note,
            }),
            Err(e) => {
                *error = Some(e);
                PopupOutcome::Stay
            }
        },
        Action::Back => PopupOutcome::Close,
        _ => PopupOutcome::Stay,
    }
}

/// Draws an input line at the bottom of `area`.
pub(crate) fn render_line(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    input: &Input,
    error: Option<&str>,
    theme: &Theme,
) {
    let h = if error.is_some() { 4 } else { 3 };
    let r = Rect {
        x: area.x,
        y: area.y + area.height.saturating_sub(h),
        width: area.width,
        height: h.min(area.height),
    };
    frame.render_widget(Clear, r);
    let inner_w = r.width.saturating_sub(2) as usize;
    let scroll = input.visual_scroll(inner_w.saturating_sub(1));
    let visible: String = input.value().chars().skip(scroll).take(inner_w).collect();
    let mut lines = vec![Line::from(crate::text::sanitize(&visible))];
    if let Some(e) = error {
        lines.push(Line::from(Span::styled(
            format!("✗ {}", crate::text::sanitize(e)),
            theme.error(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(format!(" {title} "), theme.title())),
        ),
        r,
    );
    let cx = r.x + 1 + (input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position((cx.min(r.x + r.width.saturating_sub(2)), r.y + 1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_line_forms() {
        assert_eq!(
            parse_record_line("2.5", false).unwrap(),
            RecordInput {
                value: Some(2.5),
                note: None
            }
        );
        assert_eq!(
            parse_record_line(" 3 slow morning ", false).unwrap(),
            RecordInput {
                value: Some(3.0),
                note: Some("slow morning".into())
            }
        );
        assert_eq!(
            parse_record_line("# courier strike", true).unwrap(),
            RecordInput {
                value: None,
                note: Some("courier strike".into())
            }
        );
        assert!(parse_record_line("abc", false)
            .unwrap_err()
            .contains("not a number"));
        assert!(parse_record_line("NaN", false)
            .unwrap_err()
            .contains("finite"));
        assert!(parse_record_line("3", true)
            .unwrap_err()
            .contains("only notes"));
        assert!(parse_record_line("", false).is_err());
        assert!(parse_record_line("#", false).is_err());
    }
}
