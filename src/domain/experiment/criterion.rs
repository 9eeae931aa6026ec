//! Success criteria: an indicator, a comparison and a threshold, and the
//! parser for criteria typed on the CLI (`on_time_rate>=95`).

use serde::{Deserialize, Serialize};

use super::definition::validate_key;
use crate::text::sanitize_truncate;

/// Fewest events a value must rest on, during the experiment and in the
/// baseline or control, before its criterion is judged.
pub const DEFAULT_MIN_EVENTS: u32 = 5;

/// How a criterion's value is compared with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// value >= threshold
    Ge,
    /// value <= threshold
    Le,
    /// value > threshold
    Gt,
    /// value < threshold
    Lt,
}

impl Comparison {
    /// The operator as typed: `>=`, `<=`, `>` or `<`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Ge => ">=",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Lt => "<",
        }
    }

    /// The word used in storage: `ge`, `le`, `gt` or `lt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Ge => "ge",
            Comparison::Le => "le",
            Comparison::Gt => "gt",
            Comparison::Lt => "lt",
        }
    }

    /// Parses an operator (`>=`, `<=`, `>`, `<`, also `≥`, `≤`) or its storage
    /// word (`ge`, `le`, `gt`, `lt`), surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<Comparison, String> {
        match text.trim() {
            ">=" | "≥" | "ge" => Ok(Comparison::Ge),
            "<=" | "≤" | "le" => Ok(Comparison::Le),
            ">" | "gt" => Ok(Comparison::Gt),
            "<" | "lt" => Ok(Comparison::Lt),
            _ => Err(format!(
                "'{}' is not a comparison (expected >=, <=, > or <)",
                sanitize_truncate(text, 20)
            )),
        }
    }

    /// Whether `value` satisfies the comparison with `threshold`. A NaN on
    /// either side never satisfies it.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Ge => value >= threshold,
            Comparison::Le => value <= threshold,
            Comparison::Gt => value > threshold,
            Comparison::Lt => value < threshold,
        }
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

/// One success criterion: the indicator's value *during* the experiment must
/// satisfy `comparison threshold` (an absolute level in the indicator's unit,
/// e.g. `on_time_rate >= 95`). The baseline/control value is shown beside it
/// so the change is visible, and both must rest on enough events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// Key of the indicator measured, e.g. `on_time_rate`.
    pub indicator: String,
    /// How the value is compared with the threshold.
    pub comparison: Comparison,
    /// The level to reach, in the indicator's unit; must be finite.
    pub threshold: f64,
    /// True for the one criterion that decides success; false for guardrails
    /// (criteria that must not fail while the primary improves).
    #[serde(default)]
    pub primary: bool,
    /// Fewest events behind each value (during and baseline) for a judgement;
    /// at least 1.
    #[serde(default = "default_min_events")]
    pub min_events: u32,
}

fn default_min_events() -> u32 {
    DEFAULT_MIN_EVENTS
}

impl Criterion {
    /// A guardrail criterion with the default minimum of events.
    pub fn new(indicator: &str, comparison: Comparison, threshold: f64) -> Criterion {
        Criterion {
            indicator: indicator.to_string(),
            comparison,
            threshold,
            primary: false,
            min_events: DEFAULT_MIN_EVENTS,
        }
    }

    /// The same criterion marked as the primary one.
    pub(crate) fn into_primary(mut self) -> Criterion {
        self.primary = true;
        self
    }

    /// Compact text as typed on the CLI, e.g. `on_time_rate >= 95`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}",
            self.indicator,
            self.comparison.symbol(),
            self.threshold
        )
    }
}

/// Parses a criterion as typed on the CLI: `INDICATOR OP THRESHOLD` with OP one
/// of `>=`, `<=`, `>`, `<` and optional spaces, e.g. `on_time_rate>=95` or
/// `cycle_time_p90 < 48`. The threshold is a plain number in the indicator's
/// unit (no `%` sign). The result is a guardrail with the default minimum of
/// events; mark the primary one with [`Criterion::into_primary`].
pub fn parse_criterion(text: &str) -> Result<Criterion, String> {
    let shown = sanitize_truncate(text, 60);
    let expected =
        "expected INDICATOR OP THRESHOLD with OP one of >=, <=, >, < (e.g. on_time_rate>=95)";
    let Some(op_at) = text.find(['<', '>', '≥', '≤']) else {
        return Err(format!("'{shown}' is not a criterion: {expected}"));
    };
    let indicator = text[..op_at].trim();
    let after = &text[op_at..];
    let op_len = match after.chars().next() {
        Some(c @ ('<' | '>')) if after[c.len_utf8()..].starts_with('=') => 2,
        Some(c) => c.len_utf8(),
        None => 0,
    };
    let comparison = Comparison::parse(&after[..op_len])?;
    let threshold_text = after[op_len..].trim();
    if indicator.is_empty() {
        return Err(format!(
            "'{shown}' is not a criterion: the indicator before {} is missing; {expected}",
            comparison.symbol()
        ));
    }
    validate_key("indicator key", indicator).map_err(|e| format!("criterion '{shown}': {e}"))?;
    if threshold_text.is_empty() {
        return Err(format!(
            "'{shown}' is not a criterion: the threshold after {} is missing; {expected}",
            comparison.symbol()
        ));
    }
    let threshold: f64 = threshold_text
        .parse()
        .ok()
        .filter(|t: &f64| t.is_finite())
        .ok_or_else(|| {
            format!(
                "criterion '{shown}': threshold '{}' is not a number (write it in the \
                 indicator's unit, without %, e.g. 95 or 0.5)",
                sanitize_truncate(threshold_text, 30)
            )
        })?;
    Ok(Criterion::new(indicator, comparison, threshold))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_criteria_as_typed() {
        let c = parse_criterion("on_time_rate>=95").unwrap();
        assert_eq!(c, Criterion::new("on_time_rate", Comparison::Ge, 95.0));
        assert!(!c.primary);
        assert_eq!(c.min_events, 5);
        let c = parse_criterion("cycle_time_p90<48").unwrap();
        assert_eq!((c.comparison, c.threshold), (Comparison::Lt, 48.0));
        let c = parse_criterion(" defect_rate <= 2.5 ").unwrap();
        assert_eq!(
            (c.indicator.as_str(), c.comparison, c.threshold),
            ("defect_rate", Comparison::Le, 2.5)
        );
        let c = parse_criterion("nps > -10").unwrap();
        assert_eq!((c.comparison, c.threshold), (Comparison::Gt, -10.0));
        let c = parse_criterion("on_time_rate≥0.9").unwrap();
        assert_eq!((c.comparison, c.threshold), (Comparison::Ge, 0.9));
        assert_eq!(c.describe(), "on_time_rate >= 0.9");
    }

    #[test]
    fn criterion_parse_errors_say_what_is_wrong() {
        let e = parse_criterion("on_time_rate95").unwrap_err();
        assert!(
            e.contains("is not a criterion") && e.contains(">=, <=, >, <"),
            "{e}"
        );
        let e = parse_criterion("on_time_rate=95").unwrap_err();
        assert!(e.contains("is not a criterion"), "{e}");
        let e = parse_criterion(">=95").unwrap_err();
        assert!(e.contains("the indicator before >= is missing"), "{e}");
        let e = parse_criterion("on_time_rate>=").unwrap_err();
        assert!(e.contains("the threshold after >= is missing"), "{e}");
        let e = parse_criterion("on_time_rate>=95%").unwrap_err();
        assert!(e.contains("threshold '95%' is not a number"), "{e}");
        let e = parse_criterion("on_time_rate>=>95").unwrap_err();
        assert!(e.contains("threshold '>95' is not a number"), "{e}");
        for bad in ["x>=NaN", "x<inf", "x>abc"] {
            assert!(
                parse_criterion(bad)
                    .unwrap_err()
                    .contains("is not a number"),
                "{bad}"
            );
        }
        let e = parse_criterion("On Time>=95").unwrap_err();
        assert!(e.contains("indicator key 'On Time' is not valid"), "{e}");
        let e = parse_criterion("\x1b]52;c;eA==\x07x>=1y").unwrap_err();
        assert!(!e.contains('\x1b') && !e.contains('\x07'), "{e:?}");
    }

    #[test]
    fn comparisons() {
        for c in [
            Comparison::Ge,
            Comparison::Le,
            Comparison::Gt,
            Comparison::Lt,
        ] {
            assert_eq!(Comparison::parse(c.symbol()), Ok(c));
            assert_eq!(Comparison::parse(c.as_str()), Ok(c));
        }
        assert!(Comparison::parse("==").is_err());
        assert!(Comparison::Ge.holds(90.0, 90.0));
        assert!(!Comparison::Gt.holds(90.0, 90.0));
        assert!(Comparison::Le.holds(3.0, 3.0));
        assert!(!Comparison::Lt.holds(3.0, 3.0));
        assert!(!Comparison::Ge.holds(f64::NAN, 0.0));
    }

    #[test]
    fn min_events_defaults_when_missing_from_storage() {
        let c: Criterion = serde_json::from_str(
            r#"{"indicator":"on_time_rate","comparison":"ge","threshold":95}"#,
        )
        .unwrap();
        assert_eq!(c.min_events, DEFAULT_MIN_EVENTS);
        assert!(!c.primary);
    }
}
