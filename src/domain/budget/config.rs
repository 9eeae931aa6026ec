//! The SLO file format (TOML) and its validation.
//!
//! ```toml
//! [[slo]]
//! key = "on_time_fulfilment"        # [a-z0-9_-], unique in the file
//! name = "On-time fulfilment"
//! description = "Orders closed by their promised time ÷ closed orders."
//! objective = 0.95                  # strictly between 0 and 1
//! window = "28d"                    # 1d ..= 366d
//! source = "work_items"             # the only source so far
//! work_kind = "order"
//! segment = "urgent"                # optional: only this segment
//! good = "on_time"                  # on_time | no_deviation | no_defect | closed_within:<duration>
//! min_events = 5                    # optional, default 5
//! owner_role = "fulfilment"         # optional
//! playbook = "incident-response"    # optional, named by critical burn alerts
//!
//! # Optional. Without it: the workbook rules scaled to `window`.
//! # With it: exactly these rules, windows as written (not scaled);
//! # short window = long / 12. An empty list (`burn_rule = []`) turns burn
//! # alerts off.
//! [[slo.burn_rule]]
//! severity = "page"                 # page | ticket
//! long_window = "1h"                # 1m ..= the SLO window
//! factor = 14.4                     # > 0
//! ```

use std::collections::HashSet;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::DEFAULT_MIN_EVENTS;
use super::{default_burn_rules, BurnRule, BurnSeverity, EventSource, GoodCriterion, SloDef};
use crate::domain::duration::parse_duration;
use crate::domain::DAY;

/// One problem in an SLO file, shown as `FILE:LINE: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct SloError {
    /// The file name as given to [`parse_slos`].
    pub file: String,
    /// 1-based line of the offending value (1 when the parser gives no place).
    pub line: usize,
    /// What is wrong, in one line.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    slo: Vec<RawSlo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlo {
    key: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    objective: Spanned<f64>,
    window: Spanned<String>,
    source: Spanned<String>,
    work_kind: Spanned<String>,
    #[serde(default)]
    segment: Option<Spanned<String>>,
    good: Spanned<String>,
    #[serde(default)]
    min_events: Option<Spanned<i64>>,
    #[serde(default)]
    owner_role: Option<Spanned<String>>,
    #[serde(default)]
    playbook: Option<Spanned<String>>,
    #[serde(default)]
    burn_rule: Option<Vec<RawBurnRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBurnRule {
    severity: Spanned<String>,
    long_window: Spanned<String>,
    factor: Spanned<f64>,
}

/// Collects errors with their lines while one file is validated.
struct Report<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<SloError>,
}

impl Report<'_> {
    fn at(&mut self, span: Range<usize>, reason: impl Into<String>) {
        let line = line_of(self.text, span.start);
        self.errors.push(SloError {
            file: self.file.to_string(),
            line,
            reason: reason.into(),
        });
    }
}

/// 1-based line of a byte offset (offsets past the end count as the last line).
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses and validates an SLO file. `file` is only used in messages. Returns
/// every problem found (sorted by line), not just the first; a TOML syntax or
/// shape error (unknown field, wrong type, missing field) stops at that error.
pub fn parse_slos(file: &str, text: &str) -> Result<Vec<SloDef>, Vec<SloError>> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        let reason = e.message().trim().replace('\n', " ");
        vec![SloError {
            file: file.to_string(),
            line,
            reason,
        }]
    })?;
    let mut report = Report {
        file,
        text,
        errors: Vec::new(),
    };
    let mut seen = HashSet::new();
    let mut slos = Vec::new();
    for raw_slo in raw.slo {
        if let Some(slo) = validate_slo(raw_slo, &mut report, &mut seen) {
            slos.push(slo);
        }
    }
    if report.errors.is_empty() {
        Ok(slos)
    } else {
        report.errors.sort_by_key(|e| e.line);
        Err(report.errors)
    }
}

/// A required, non-blank text field.
fn text_field(value: Spanned<String>, what: &str, report: &mut Report) -> Option<String> {
    let span = value.span();
    let text = value.into_inner().trim().to_string();
    if text.is_empty() {
        report.at(span, format!("{what} must not be empty"));
        return None;
    }
    Some(text)
}

/// An optional, non-blank text field.
fn optional_text(
    value: Option<Spanned<String>>,
    what: &str,
    report: &mut Report,
) -> Option<Option<String>> {
    match value {
        None => Some(None),
        Some(v) => text_field(v, what, report).map(Some),
    }
}

fn validate_slo(raw: RawSlo, report: &mut Report, seen: &mut HashSet<String>) -> Option<SloDef> {
    let before = report.errors.len();

    let key_span = raw.key.span();
    let key = text_field(raw.key, "key", report);
    if let Some(k) = &key {
        let valid = k.len() <= 64
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            report.at(
                key_span.clone(),
                format!("key '{k}' must be at most 64 of a-z, 0-9, '_' and '-'"),
            );
        } else if !seen.insert(k.clone()) {
            report.at(key_span, format!("duplicate SLO key '{k}'"));
        }
    }
    let name = text_field(raw.name, "name", report);
    let description = raw
        .description
        .map(|d| d.into_inner().trim().to_string())
        .unwrap_or_default();

    let objective = *raw.objective.get_ref();
    if !(objective.is_finite() && objective > 0.0 && objective < 1.0) {
        report.at(
            raw.objective.span(),
            format!("objective {objective} must be strictly between 0 and 1 (0.95 means 95 %)"),
        );
    }

    let window_secs = match parse_duration(raw.window.get_ref()) {
        Ok(d) if (DAY..=366 * DAY).contains(&d.num_seconds()) => Some(d.num_seconds()),
        Ok(_) => {
            report.at(raw.window.span(), "window must be between 1d and 366d");
            None
        }
        Err(e) => {
            report.at(raw.window.span(), format!("window: {e}"));
            None
        }
    };

    if raw.source.get_ref().trim() != "work_items" {
        report.at(
            raw.source.span(),
            format!(
                "unknown source '{}' (expected work_items)",
                raw.source.get_ref()
            ),
        );
    }
    let work_kind = text_field(raw.work_kind, "work_kind", report);
    let segment = optional_text(raw.segment, "segment", report);
    let good = match raw.good.get_ref().parse::<GoodCriterion>() {
        Ok(g) => Some(g),
        Err(e) => {
            report.at(raw.good.span(), format!("good: {e}"));
            None
        }
    };

    let min_events = match raw.min_events {
        None => Some(DEFAULT_MIN_EVENTS),
        Some(m) => match u32::try_from(*m.get_ref()) {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
            _ => {
                report.at(m.span(), "min_events must be between 1 and 1000000");
                None
            }
        },
    };
    let owner_role = optional_text(raw.owner_role, "owner_role", report);
    let playbook = optional_text(raw.playbook, "playbook", report);

    let burn_rules = match raw.burn_rule {
        None => window_secs.map(default_burn_rules),
        Some(rules) => validate_rules(rules, window_secs, report),
    };

    if report.errors.len() > before {
        return None;
    }
    Some(SloDef {
        key: key?,
        name: name?,
        description,
        objective,
        window_secs: window_secs?,
        source: EventSource::WorkItems {
            work_kind: work_kind?,
            segment: segment?,
            good: good?,
        },
        min_events: min_events?,
        burn_rules: burn_rules?,
        owner_role: owner_role?,
        playbook: playbook?,
    })
}

/// Validates written burn rules; the SLO window (when it is valid) bounds
/// their long windows.
fn validate_rules(
    rules: Vec<RawBurnRule>,
    window_secs: Option<i64>,
    report: &mut Report,
) -> Option<Vec<BurnRule>> {
    let before = report.errors.len();
    let mut out = Vec::new();
    for r in rules {
        let severity = match r.severity.get_ref().trim() {
            "page" => Some(BurnSeverity::Page),
            "ticket" => Some(BurnSeverity::Ticket),
            other => {
                report.at(
                    r.severity.span(),
                    format!("unknown severity '{other}' (expected page or ticket)"),
                );
                None
            }
        };
        let long = match parse_duration(r.long_window.get_ref()) {
            Ok(d) if d.num_seconds() < 60 => {
                report.at(r.long_window.span(), "long_window must be at least 1m");
                None
            }
            Ok(d) if window_secs.is_some_and(|w| d.num_seconds() > w) => {
                report.at(
                    r.long_window.span(),
                    "long_window must not be longer than the SLO window",
                );
                None
            }
            Ok(d) => Some(d.num_seconds()),
            Err(e) => {
                report.at(r.long_window.span(), format!("long_window: {e}"));
                None
            }
        };
        let factor = *r.factor.get_ref();
        if !(factor.is_finite() && factor > 0.0) {
            report.at(
                r.factor.span(),
                format!("factor {factor} must be a number above 0"),
            );
        }
        if let (Some(s), Some(l)) = (severity, long) {
            out.push(BurnRule::new(s, l, factor));
        }
    }
    (report.errors.len() == before).then_some(out)
}

#[cfg(test)]
mod tests;
