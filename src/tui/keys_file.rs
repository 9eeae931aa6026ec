//! `keys.toml` in the config folder (beside `config.toml`): remaps any
//! action of the key table. Each line names an action and its key or keys,
//! which replace the action's default keys wherever it is bound:
//!
//! ```toml
//! "alert.ack" = "A"
//! "run.check" = ["x", "Space"]
//! quit = "Q"
//! ```
//!
//! Keys: one character, or Enter, Esc, Tab, S-Tab, Space, Up, Down, Left,
//! Right, PgUp, PgDn, Home, End. An unknown action, an unknown key or a key
//! that would mean two things in one view is an error `FILE:LINE: reason`;
//! nothing is remapped then.

use super::app::View;
use super::keys::{Act, Context, KeyTable};
use crossterm::event::KeyCode;
use std::borrow::Cow;
use std::path::Path;

impl Act {
    /// Every action, in table order of first appearance.
    pub(crate) const ALL: [Act; 38] = [
        Act::Quit,
        Act::NextView,
        Act::PrevView,
        Act::GotoTab,
        Act::Up,
        Act::Down,
        Act::PageUp,
        Act::PageDown,
        Act::Top,
        Act::Bottom,
        Act::Enter,
        Act::Back,
        Act::Help,
        Act::Filter,
        Act::Sort,
        Act::Record,
        Act::Correct,
        Act::AlertAck,
        Act::AlertResolve,
        Act::AlertSnooze,
        Act::AlertEscalate,
        Act::AlertNote,
        Act::RunCheck,
        Act::RunSkip,
        Act::RunUndo,
        Act::RunNote,
        Act::StandupNext,
        Act::StandupPrev,
        Act::StandupSpeaker,
        Act::SourceRun,
        Act::Command,
        Act::AlertRaise,
        Act::AlertPause,
        Act::AlertResume,
        Act::RunStart,
        Act::DecisionAdd,
        Act::FeedbackAdd,
        Act::IncidentDeclare,
    ];

    /// The action's name in `keys.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Act::Quit => "quit",
            Act::NextView => "view.next",
            Act::PrevView => "view.previous",
            Act::GotoTab => "view.goto",
            Act::Up => "move.up",
            Act::Down => "move.down",
            Act::PageUp => "move.page_up",
            Act::PageDown => "move.page_down",
            Act::Top => "move.top",
            Act::Bottom => "move.bottom",
            Act::Enter => "open",
            Act::Back => "back",
            Act::Help => "help",
            Act::Filter => "filter",
            Act::Sort => "indicator.sort",
            Act::Record => "indicator.record",
            Act::Correct => "indicator.correct",
            Act::AlertAck => "alert.ack",
            Act::AlertResolve => "alert.resolve",
            Act::AlertSnooze => "alert.snooze",
            Act::AlertEscalate => "alert.escalate",
            Act::AlertNote => "alert.note",
            Act::RunCheck => "run.check",
            Act::RunSkip => "run.skip",
            Act::RunUndo => "run.undo",
            Act::RunNote => "run.note",
            Act::StandupNext => "standup.next",
            Act::StandupPrev => "standup.previous",
            Act::StandupSpeaker => "standup.speaker",
            Act::SourceRun => "source.run",
            Act::Command => "command",
            Act::AlertRaise => "alert.raise",
            Act::AlertPause => "alert.pause",
            Act::AlertResume => "alert.resume",
            Act::RunStart => "run.start",
            Act::DecisionAdd => "decision.add",
            Act::FeedbackAdd => "feedback.add",
            Act::IncidentDeclare => "incident.declare",
        }
    }

    /// The action named `name` in `keys.toml`.
    pub(crate) fn from_name(name: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// A key as written in `keys.toml`.
pub(crate) fn parse_key(text: &str) -> Result<KeyCode, String> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if !c.is_control() {
            return Ok(KeyCode::Char(c));
        }
    }
    Ok(match text {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "S-Tab" => KeyCode::BackTab,
        "Space" => KeyCode::Char(' '),
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PgUp" => KeyCode::PageUp,
        "PgDn" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        _ => {
            return Err(format!(
                "'{}' is not a key (one character, or Enter, Esc, Tab, S-Tab, Space, Up, Down, Left, Right, PgUp, PgDn, Home, End)",
                crate::text::sanitize_truncate(text, 20)
            ))
        }
    })
}

/// Flattens groups (`[alert]` then `ack = "A"`, or the dotted
/// `alert.ack = "A"`) into (`alert.ack`, value).
fn flatten(prefix: &str, table: toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (name, value) in table {
        let full = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(t) => flatten(&full, t, out),
            v => out.push((full, v)),
        }
    }
}

/// The line that sets `full` (`alert.ack`): a line `alert.ack = …` or
/// `"alert.ack" = …`, or `ack = …` under `[alert]`.
fn line_for(text: &str, full: &str) -> usize {
    let mut section = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            section = h.trim().trim_matches('"').to_string();
            continue;
        }
        let Some((key, _)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let name = if section.is_empty() {
            key.to_string()
        } else {
            format!("{section}.{key}")
        };
        if name == full {
            return i + 1;
        }
    }
    1
}

impl KeyTable {
    /// The defaults remapped by the text of a `keys.toml` named `file`.
    pub fn parse(file: &str, text: &str) -> Result<KeyTable, String> {
        let map: toml::Table =
            toml::from_str(text).map_err(|e| crate::assets::toml_error(file, text, &e))?;
        let mut entries = Vec::new();
        flatten("", map, &mut entries);
        let mut entries: Vec<(usize, String, toml::Value)> = entries
            .into_iter()
            .map(|(n, v)| (line_for(text, &n), n, v))
            .collect();
        entries.sort_by_key(|(line, _, _)| *line);
        let mut table = KeyTable::default();
        let mut lines: Vec<(Act, usize)> = Vec::new();
        for (line, name, value) in entries {
            let act = Act::from_name(&name).ok_or_else(|| {
                format!(
                    "{file}:{line}: '{}' is not an action (known: {})",
                    crate::text::sanitize_truncate(&name, 40),
                    known_names()
                )
            })?;
            let texts: Vec<String> = match value {
                toml::Value::String(k) => vec![k],
                toml::Value::Array(ks) => ks
                    .into_iter()
                    .map(|k| match k {
                        toml::Value::String(k) => Ok(k),
                        _ => Err(()),
                    })
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("{file}:{line}: {}: keys are strings", act.name()))?,
                _ => {
                    return Err(format!(
                    "{file}:{line}: {}: give a key (\"A\") or a list of keys ([\"A\", \"Enter\"])",
                    act.name()
                ))
                }
            };
            if act == Act::GotoTab {
                return Err(format!(
                    "{file}:{line}: view.goto: the number keys 1-9 cannot be remapped"
                ));
            }
            if texts.is_empty() {
                return Err(format!(
                    "{file}:{line}: {}: give at least one key",
                    act.name()
                ));
            }
            let codes = texts
                .iter()
                .map(|t| parse_key(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{file}:{line}: {}: {e}", act.name()))?;
            table.remap(act, codes);
            lines.push((act, line));
        }
        if let Some((a, b, key, view)) = table.conflict() {
            let line = lines
                .iter()
                .find(|(act, _)| *act == a || *act == b)
                .map_or(1, |(_, l)| *l);
            return Err(format!(
                "{file}:{line}: {} would be both {} and {} in {}",
                super::keys::key_label(key),
                a.name(),
                b.name(),
                view.title()
            ));
        }
        Ok(table)
    }

    /// The table for the config folder that holds `config_file`: the
    /// defaults when there is no `keys.toml` beside it.
    pub(crate) fn load_beside(config_file: Option<&Path>) -> Result<KeyTable, String> {
        let Some(path) = config_file
            .and_then(|p| p.parent())
            .map(|d| d.join("keys.toml"))
        else {
            return Ok(KeyTable::default());
        };
        if !path.exists() {
            return Ok(KeyTable::default());
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        KeyTable::parse(&path.display().to_string(), &text)
    }

    /// Gives every binding of `act` the keys `keys`.
    fn remap(&mut self, act: Act, keys: Vec<KeyCode>) {
        for b in self.bindings_mut().iter_mut().filter(|b| b.act == act) {
            b.keys = Cow::Owned(keys.clone());
        }
    }

    /// A key bound to two different actions in one context, if any.
    fn conflict(&self) -> Option<(Act, Act, KeyCode, View)> {
        let views = std::iter::once(View::Standup).chain(View::TABS);
        for view in views {
            for detail in [false, true] {
                let cx = Context::new(view, detail);
                let active: Vec<_> = self.active(cx).collect();
                for (i, a) in active.iter().enumerate() {
                    for b in &active[i + 1..] {
                        if a.act == b.act {
                            continue;
                        }
                        if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                            return Some((a.act, b.act, *k, view));
                        }
                    }
                }
            }
        }
        None
    }
}

fn known_names() -> String {
    let mut names: Vec<&str> = Act::ALL.iter().map(|a| a.name()).collect();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::Context;

    fn cx(view: View) -> Context {
        Context::new(view, false)
    }

    #[test]
    fn every_action_has_a_name_that_reads_back() {
        for a in Act::ALL {
            assert_eq!(Act::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn a_remap_replaces_the_keys_of_the_action() {
        let t = KeyTable::parse("keys.toml", "\"alert.ack\" = \"A\"\nquit = \"Q\"\n").unwrap();
        assert!(matches!(
            t.lookup(cx(View::Alerts), KeyCode::Char('A')),
            Some(crate::tui::action::Action::Alert(_))
        ));
        assert!(t.lookup(cx(View::Alerts), KeyCode::Char('a')).is_none());
        assert!(t.footer(cx(View::Alerts)).starts_with("A ack"));
        assert!(t.footer(cx(View::Work)).ends_with("Q quit  : cmd"));
    }

    #[test]
    fn the_documented_example_parses() {
        let t = KeyTable::parse(
            "keys.toml",
            "\"alert.ack\" = \"A\"\n[run]\ncheck = [\"x\", \"Space\"]\n",
        )
        .unwrap();
        let detail = Context::new(View::Playbooks, true);
        assert!(t.lookup(detail, KeyCode::Char(' ')).is_some());
    }

    #[test]
    fn bad_files_name_the_file_and_line() {
        let err = |text: &str| KeyTable::parse("k.toml", text).unwrap_err();
        let e = err("help = \"?\"\nalert.nope = \"x\"\n");
        assert!(
            e.starts_with("k.toml:2: 'alert.nope' is not an action"),
            "{e}"
        );
        let e = err("[alert]\nack = \"A\"\nresolve = \"A\"\n");
        assert!(e.starts_with("k.toml:2: A would be both"), "{e}");
        let e = err("\n\"alert.ack\" = \"Ctrl-Q\"\n");
        assert!(
            e.starts_with("k.toml:2: alert.ack: 'Ctrl-Q' is not a key"),
            "{e}"
        );
        let e = err("\"alert.ack\" = \"r\"\n");
        assert_eq!(
            e,
            "k.toml:1: r would be both alert.ack and alert.resolve in Alerts"
        );
        assert!(err("quit = 3\n").starts_with("k.toml:1:"));
        assert!(err("quit = []\n").contains("at least one key"));
    }
}
