//! Reading the TOML into spanned raw structs: syntax errors first, then every
//! unknown or mistyped field.

use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{shorten, Checker, MAX_STRUCTURE_ERRORS};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlaybook {
    pub(super) key: Option<Spanned<String>>,
    pub(super) name: Option<Spanned<String>>,
    pub(super) version: Option<Spanned<i64>>,
    pub(super) description: Option<Spanned<String>>,
    pub(super) review_every: Option<Spanned<String>>,
    pub(super) last_reviewed: Option<Spanned<toml::Value>>,
    pub(super) escalation: Option<Spanned<Vec<Spanned<RawEscalation>>>>,
    pub(super) step: Option<Spanned<Vec<Spanned<RawStep>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEscalation {
    pub(super) after: Option<Spanned<String>>,
    pub(super) role: Option<Spanned<String>>,
    pub(super) person: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub(super) key: Option<Spanned<String>>,
    pub(super) title: Option<Spanned<String>>,
    pub(super) owner: Option<Spanned<String>>,
    pub(super) entry: Option<Spanned<String>>,
    pub(super) exit: Option<Spanned<String>>,
    pub(super) tolerance: Option<Spanned<String>>,
    pub(super) handoff: Option<Spanned<String>>,
    pub(super) items: Option<Spanned<Vec<Spanned<String>>>>,
}

impl Checker<'_> {
    /// Syntax first; then serde with `deny_unknown_fields`, which stops at the
    /// first problem: each time, the offending entry is reported and removed
    /// and the rest is read again, so every unknown or mistyped field is
    /// reported, not only the first.
    pub(super) fn read_structure(&mut self) -> Option<RawPlaybook> {
        let (mut doc, syntax) = DeTable::parse_recoverable(self.text);
        if !syntax.is_empty() {
            let mut seen = Vec::new();
            let mut syntax: Vec<_> = syntax.into_iter().map(|e| (e.span(), e)).collect();
            syntax.sort_by_key(|(span, _)| span.as_ref().map_or(0, |s| s.start));
            for (span, e) in syntax {
                let span = span.unwrap_or(0..0);
                let line = self.line_of(span.start);
                if seen.contains(&line) {
                    continue; // one message per line: the rest is usually fallout
                }
                seen.push(line);
                let mut message = format!("TOML syntax: {}", e.message());
                if e.message() == "duplicate key" {
                    if let Some(key) = self.text.get(span.clone()) {
                        message = format!("TOML syntax: duplicate key `{}`", shorten(key));
                    }
                }
                self.err(&span, message);
            }
            return None;
        }
        let doc_span = doc.span();
        self.top = doc_span.clone();
        // Each round removes one entry and reports it.
        for _ in 0..MAX_STRUCTURE_ERRORS {
            match RawPlaybook::deserialize(toml::de::Deserializer::from(doc.clone())) {
                Ok(raw) => return Some(raw),
                Err(e) => {
                    let Some(span) = e.span() else {
                        self.err(&(0..0), e.message().to_string());
                        return None;
                    };
                    match remove_entry_at(doc.get_mut(), &doc_span, span.start) {
                        Some((table, key)) => {
                            let message = if e.message().starts_with("unknown field") {
                                e.message().to_string()
                            } else {
                                let reason =
                                    e.message().replace("expected i64", "expected an integer");
                                format!("`{key}`: {reason}")
                            };
                            self.err(&span, message);
                            self.removed.push((table, key));
                        }
                        None => {
                            self.err(&span, e.message().to_string());
                            return None;
                        }
                    }
                }
            }
        }
        self.err(
            &doc_span,
            format!("too many problems: stopped after {MAX_STRUCTURE_ERRORS}; fix these first"),
        );
        None
    }
}

fn contains(span: &Range<usize>, pos: usize) -> bool {
    span.contains(&pos) || span.start == pos
}

/// Finds the innermost entry (key and value) at byte `pos`, removes it from
/// its table and returns that table's span and the key.
fn remove_entry_at(
    table: &mut DeTable<'_>,
    table_span: &Range<usize>,
    pos: usize,
) -> Option<(Range<usize>, String)> {
    for (_, value) in table.iter_mut() {
        let value_span = value.span();
        match value.get_mut() {
            DeValue::Table(inner) => {
                if let Some(hit) = remove_entry_at(inner, &value_span, pos) {
                    return Some(hit);
                }
            }
            DeValue::Array(array) => {
                for element in array.iter_mut() {
                    let element_span = element.span();
                    if let DeValue::Table(inner) = element.get_mut() {
                        if let Some(hit) = remove_entry_at(inner, &element_span, pos) {
                            return Some(hit);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let key = table
        .iter()
        .find(|(k, v)| contains(&k.span(), pos) || contains(&v.span(), pos))
        .map(|(k, _)| k.get_ref().to_string())?;
    table.remove(key.as_str());
    Some((table_span.clone(), key))
}
