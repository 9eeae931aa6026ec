//! The TOML playbook format: reading, and validating the whole file.
//!
//! ```toml
//! key = "support-ticket"
//! name = "Support ticket"
//! description = "From a customer's message to a confirmed answer."
//! review_every = "90d"
//! last_reviewed = 2025-06-02          # or "2025-06-02"
//!
//! [[escalation]]
//! after = "4h"                         # since the ticket was opened
//! role = "ops-lead"                    # or: person = "Dana"
//!
//! [[step]]
//! key = "triage"
//! title = "Triage the ticket"
//! owner = "support"
//! entry = "A ticket arrives."
//! exit = "Urgency and complexity are set."
//! tolerance = "2h"
//! handoff = "support"                  # optional on the last step only
//! items = ["Read the whole thread", "Set urgency and complexity"]
//! ```

use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;

use super::PlaybookDef;
use crate::domain::duration::parse_duration;

/// Longest text field (name, description, title, criteria, item, person), in
/// characters.
pub const MAX_TEXT_CHARS: usize = crate::domain::limits::MAX_TEXT;

/// How many unknown or mistyped fields are reported before giving up.
const MAX_STRUCTURE_ERRORS: usize = 100;

/// Longest playbook or step key, in characters.
pub const MAX_KEY_CHARS: usize = crate::domain::limits::MAX_KEY;

/// One problem in a playbook file. Displays as `FILE:LINE: reason`, the reason
/// naming the field where there is one. The reason may quote (shortened)
/// text from the file: sanitise before printing to a terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PlaybookError {
    /// The file name as given to [`parse_playbook`].
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong, in one line.
    pub message: String,
}

mod sections;
mod structure;

/// Reads and validates a playbook file as a whole and returns every problem
/// found, sorted by line: TOML syntax, unknown or mistyped fields, missing
/// fields, unknown roles (step `owner` and `handoff`, escalation `role`; roles
/// are matched exactly against `known_roles`), malformed keys, duplicate step
/// keys, duplicate items within a step (ignoring case and spacing), values
/// that are not durations, an empty or non-increasing escalation path, no
/// steps, steps without items, empty text and text over [`MAX_TEXT_CHARS`].
///
/// `file` is only used in the messages. When the TOML syntax is broken only
/// the syntax errors are reported, since the rest cannot be read reliably.
pub fn parse_playbook(
    file: &str,
    text: &str,
    known_roles: &[&str],
) -> Result<PlaybookDef, Vec<PlaybookError>> {
    let mut check = Checker {
        file,
        text,
        known_roles,
        errors: Vec::new(),
        removed: Vec::new(),
        top: 0..0,
    };
    let raw = check.read_structure();
    let def = raw.and_then(|raw| check.validate(&raw));
    check.errors.sort_by_key(|e| e.line);
    match def {
        Some(def) if check.errors.is_empty() => Ok(def),
        _ if check.errors.is_empty() => {
            // Every refusal above reports its reason; this keeps the promise
            // of a non-empty list should one ever not.
            let top = check.top.clone();
            check.err(&top, "the playbook could not be read".into());
            Err(check.errors)
        }
        _ => Err(check.errors),
    }
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    known_roles: &'a [&'a str],
    errors: Vec<PlaybookError>,
    /// Entries removed after a serde error: (span of the enclosing table, key),
    /// so that their absence is not reported again as a missing field.
    removed: Vec<(Range<usize>, String)>,
    /// Span of the whole document: where top-level problems are reported.
    top: Range<usize>,
}

impl Checker<'_> {
    fn line_of(&self, pos: usize) -> usize {
        let end = pos.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&mut self, span: &Range<usize>, message: String) {
        let line = self.line_of(span.start);
        self.errors.push(PlaybookError {
            file: self.file.to_string(),
            line,
            message,
        });
    }

    fn was_removed(&self, table: &Range<usize>, key: &str) -> bool {
        self.removed.iter().any(|(t, k)| t == table && k == key)
    }

    /// Reports a missing required field at the line of `table_span`, unless it
    /// was present but unreadable (already reported).
    fn missing(&mut self, table_span: &Range<usize>, context: &str, key: &str, hint: &str) {
        if !self.was_removed(table_span, key) {
            self.err(table_span, format!("{context}missing field `{key}`{hint}"));
        }
    }

    /// A required, non-empty text field of at most [`MAX_TEXT_CHARS`].
    fn text_field(
        &mut self,
        value: Option<&Spanned<String>>,
        table_span: &Range<usize>,
        context: &str,
        field: &str,
    ) -> Option<String> {
        let Some(value) = value else {
            self.missing(table_span, context, field, "");
            return None;
        };
        self.check_text(value, field)
    }

    fn check_text(&mut self, value: &Spanned<String>, field: &str) -> Option<String> {
        let s = value.get_ref();
        let chars = s.chars().count();
        if s.trim().is_empty() {
            self.err(&value.span(), format!("`{field}`: must not be empty"));
            None
        } else if chars > MAX_TEXT_CHARS {
            self.err(
                &value.span(),
                format!(
                    "`{field}`: text is {chars} characters long; the limit is {MAX_TEXT_CHARS}"
                ),
            );
            None
        } else {
            Some(s.clone())
        }
    }

    fn key_field(
        &mut self,
        value: Option<&Spanned<String>>,
        table_span: &Range<usize>,
        context: &str,
    ) -> Option<String> {
        let Some(value) = value else {
            self.missing(table_span, context, "key", "");
            return None;
        };
        let key = value.get_ref();
        if is_valid_key(key) {
            Some(key.clone())
        } else {
            self.err(
                &value.span(),
                format!(
                    "`key`: '{}' is not a valid key (lower-case letters, digits and '-', \
                     starting with a letter or digit, at most {MAX_KEY_CHARS} characters)",
                    shorten(key)
                ),
            );
            None
        }
    }

    fn duration_field(
        &mut self,
        value: Option<&Spanned<String>>,
        table_span: &Range<usize>,
        context: &str,
        field: &str,
    ) -> Option<i64> {
        let Some(value) = value else {
            self.missing(table_span, context, field, "");
            return None;
        };
        match parse_duration(value.get_ref()) {
            Ok(d) => Some(d.num_seconds()),
            Err(reason) => {
                let reason = reason.replace(value.get_ref().as_str(), &shorten(value.get_ref()));
                self.err(&value.span(), format!("`{field}`: {reason}"));
                None
            }
        }
    }

    fn role_field(&mut self, value: &Spanned<String>, field: &str) -> Option<String> {
        let role = value.get_ref();
        if self.known_roles.contains(&role.as_str()) {
            Some(role.clone())
        } else {
            let known = if self.known_roles.is_empty() {
                "none are defined".to_string()
            } else {
                format!("known roles: {}", self.known_roles.join(", "))
            };
            self.err(
                &value.span(),
                format!("`{field}`: unknown role '{}' ({known})", shorten(role)),
            );
            None
        }
    }

    fn date_field(&mut self, value: Option<&Spanned<toml::Value>>) -> Option<NaiveDate> {
        let Some(value) = value else {
            let top = self.top.clone();
            self.missing(&top, "", "last_reviewed", " (YYYY-MM-DD)");
            return None;
        };
        let date = match value.get_ref() {
            toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                })
            }
            _ => None,
        };
        if date.is_none() {
            let shown = match value.get_ref() {
                toml::Value::String(s) => format!("'{}'", shorten(s)),
                other => format!("'{}'", shorten(&other.to_string())),
            };
            self.err(
                &value.span(),
                format!("`last_reviewed`: {shown} is not a date (expected YYYY-MM-DD)"),
            );
        }
        date
    }
}

/// Whether `key` is a playbook or step key: `[a-z0-9][a-z0-9-]*`, at most
/// [`MAX_KEY_CHARS`].
fn is_valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && key.len() <= MAX_KEY_CHARS
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Case and spacing do not make two items different.
fn normalise(item: &str) -> String {
    item.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Text quoted in a message: at most 40 characters.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests;
