//! What an experiment is: its definition and control, and the validation of a
//! definition.

use serde::{Deserialize, Serialize};

use super::criterion::Criterion;

use crate::domain::Timestamp;
use crate::text::sanitize_truncate;

/// Most characters (not bytes) allowed in any free-text field: title,
/// objective, hypothesis, scope, control segment, reasons, comments.
pub const MAX_TEXT_CHARS: usize = super::super::limits::MAX_TEXT;

/// Most characters allowed in an experiment or indicator key.
pub const MAX_KEY_CHARS: usize = super::super::limits::MAX_KEY;

/// An experiment as the team defines it with `experiment new`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentDef {
    /// Short identifier used on the command line, e.g. `courier-pilot`
    /// (see [`validate_key`]).
    pub key: String,
    /// One-line name shown in lists.
    pub title: String,
    /// The decision this experiment informs ("decide whether to switch couriers").
    pub objective: String,
    /// The pre-registered hypothesis: what change is expected, and why.
    pub hypothesis: String,
    /// The fixed scope: which orders, customers, segments or sites take part.
    pub scope: String,
    /// Start of the measured period (unix seconds, UTC, inclusive).
    pub start: Timestamp,
    /// End of the measured period (unix seconds, UTC, exclusive); after `start`.
    pub end: Timestamp,
    /// Keys of the indicators the change is expected to move.
    pub indicators: Vec<String>,
    /// Success criteria: exactly one primary, the others are guardrails.
    pub criteria: Vec<Criterion>,
    /// What the experiment is compared with; `None` means the default
    /// baseline (see [`Control::default_baseline`]).
    pub control: Option<Control>,
}

impl ExperimentDef {
    /// The control actually used: the one given, or the default baseline (the
    /// period of equal length just before `start`).
    pub(crate) fn effective_control(&self) -> Control {
        self.control
            .clone()
            .unwrap_or_else(|| Control::default_baseline(self.start, self.end))
    }

    /// Makes the default baseline explicit (`control` set to the period it
    /// stands for now), so that a change of `end` leaves it where it is.
    /// A control already given is kept.
    pub fn pin_baseline(&mut self) {
        if self.control.is_none() {
            self.control = Some(self.effective_control());
        }
    }

    /// The primary criterion, if there is exactly one.
    pub fn primary(&self) -> Option<&Criterion> {
        let mut primaries = self.criteria.iter().filter(|c| c.primary);
        match (primaries.next(), primaries.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }
}

/// What the period of the experiment is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// A segment of work items that did not get the change (its name as
    /// recorded on work items and feedback), measured over the same period as
    /// the experiment.
    Segment(String),
    /// The same scope measured over an earlier period `[from, to)` (unix
    /// seconds, UTC), which must end no later than the experiment's start.
    Baseline {
        /// Start of the baseline period (inclusive).
        from: Timestamp,
        /// End of the baseline period (exclusive).
        to: Timestamp,
    },
}

impl Control {
    /// The default control: the period of equal length just before `start`,
    /// i.e. `[start - (end - start), start)`. Saturates instead of overflowing.
    pub(crate) fn default_baseline(start: Timestamp, end: Timestamp) -> Control {
        let length = end.saturating_sub(start).max(0);
        Control::Baseline {
            from: start.saturating_sub(length),
            to: start,
        }
    }

    /// Human description: `segment "standard"` or `baseline <from>..<to>`
    /// (unsanitised: pass through `crate::text::sanitize` before display).
    pub fn describe(&self) -> String {
        match self {
            Control::Segment(name) => format!("segment \"{name}\""),
            Control::Baseline { from, to } => format!("baseline {from}..{to}"),
        }
    }
}

/// Checks a key (experiment or indicator): 1 to [`MAX_KEY_CHARS`] characters,
/// a lowercase ASCII letter first, then lowercase letters, digits, `_`, `-`
/// or `.`. `what` names the key in the message ("experiment key").
pub fn validate_key(what: &str, key: &str) -> Result<(), String> {
    let shown = sanitize_truncate(key, 40);
    if key.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(format!(
            "{what} '{shown}' is longer than {MAX_KEY_CHARS} characters"
        ));
    }
    let mut chars = key.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "{what} '{shown}' is not valid: use a lowercase letter first, then lowercase \
             letters, digits, '_', '-' or '.' (e.g. on_time_rate)"
        ))
    }
}

/// The problem with a free-text field, if any: blank when `required`, or
/// longer than [`MAX_TEXT_CHARS`] characters.
pub(crate) fn text_error(field: &str, text: &str, required: bool) -> Option<String> {
    let chars = text.chars().count();
    if required && text.trim().is_empty() {
        Some(format!("{field} is empty"))
    } else if chars > MAX_TEXT_CHARS {
        Some(format!(
            "{field} is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed"
        ))
    } else {
        None
    }
}

/// Checks a definition before it is stored or started. Returns every problem
/// found, one sentence each: the key format, title/objective/hypothesis/scope
/// present and at most [`MAX_TEXT_CHARS`] characters, `end` after `start`,
/// indicator keys well formed, exactly one primary criterion, finite
/// thresholds, `min_events` at least 1, and a sensible control (a non-blank
/// segment, or a baseline that ends no later than the start).
pub fn validate(def: &ExperimentDef) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if let Err(e) = validate_key("experiment key", &def.key) {
        errors.push(e);
    }
    for (field, text) in [
        ("title", &def.title),
        ("objective", &def.objective),
        ("hypothesis", &def.hypothesis),
        ("scope", &def.scope),
    ] {
        errors.extend(text_error(field, text, true));
    }
    if def.end <= def.start {
        errors.push("end must be after start".to_string());
    }
    for key in &def.indicators {
        if let Err(e) = validate_key("indicator key", key) {
            errors.push(e);
        }
    }
    let primaries = def.criteria.iter().filter(|c| c.primary).count();
    if def.criteria.is_empty() {
        errors.push("at least one success criterion is needed (the primary one)".to_string());
    } else if primaries != 1 {
        errors.push(format!(
            "exactly one criterion must be primary ({primaries} are); the others are guardrails"
        ));
    }
    for c in &def.criteria {
        if let Err(e) = validate_key("criterion indicator", &c.indicator) {
            errors.push(e);
        }
        if !c.threshold.is_finite() {
            errors.push(format!(
                "criterion on '{}' has a threshold that is not a finite number",
                sanitize_truncate(&c.indicator, 40)
            ));
        }
        if c.min_events == 0 {
            errors.push(format!(
                "criterion on '{}' needs min_events of at least 1",
                sanitize_truncate(&c.indicator, 40)
            ));
        }
    }
    match &def.control {
        None => {}
        Some(Control::Segment(name)) => errors.extend(text_error("control segment", name, true)),
        Some(Control::Baseline { from, to }) => {
            if to <= from {
                errors.push("baseline end must be after baseline start".to_string());
            }
            if *to > def.start {
                errors.push("baseline must end no later than the experiment starts".to_string());
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::criterion::Comparison;
    use super::*;
    use crate::domain::DAY;

    /// A valid running example: a courier pilot for two weeks.
    pub(crate) fn courier_pilot() -> ExperimentDef {
        ExperimentDef {
            key: "courier-pilot".into(),
            title: "Courier pilot".into(),
            objective: "Decide whether to switch to the new courier".into(),
            hypothesis: "The new courier raises on-time delivery above 90 %".into(),
            scope: "Standard orders in Berlin".into(),
            start: 100 * DAY,
            end: 114 * DAY,
            indicators: vec!["on_time_rate".into()],
            criteria: vec![
                Criterion::new("on_time_rate", Comparison::Ge, 90.0).into_primary(),
                Criterion::new("defect_rate", Comparison::Le, 3.0),
            ],
            control: None,
        }
    }

    #[test]
    fn a_complete_definition_is_valid() {
        assert_eq!(validate(&courier_pilot()), Ok(()));
    }

    #[test]
    fn validation_reports_every_problem() {
        let mut d = courier_pilot();
        d.key = "Courier Pilot".into();
        d.hypothesis = "   ".into();
        d.scope = "x".repeat(MAX_TEXT_CHARS + 1);
        d.end = d.start;
        d.criteria[1].primary = true;
        d.criteria[1].threshold = f64::NAN;
        let errors = validate(&d).unwrap_err();
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].contains("experiment key 'Courier Pilot' is not valid"));
        assert_eq!(errors[1], "hypothesis is empty");
        assert_eq!(
            errors[2],
            "scope is 2001 characters long; at most 2000 are allowed"
        );
        assert_eq!(errors[3], "end must be after start");
        assert!(errors[4].starts_with("exactly one criterion must be primary (2 are)"));
        assert!(errors[5].contains("not a finite number"));
    }

    #[test]
    fn exactly_one_primary_is_required() {
        let mut d = courier_pilot();
        d.criteria[0].primary = false;
        assert!(validate(&d).unwrap_err()[0].contains("(0 are)"));
        d.criteria.clear();
        assert!(validate(&d).unwrap_err()[0].contains("at least one success criterion"));
        // 2,000 characters exactly is allowed (counted in characters, not bytes).
        let mut d = courier_pilot();
        d.hypothesis = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(validate(&d), Ok(()));
    }

    #[test]
    fn controls_are_checked_and_defaulted() {
        let mut d = courier_pilot();
        // Default: the 14 days just before the start.
        assert_eq!(
            d.effective_control(),
            Control::Baseline {
                from: 86 * DAY,
                to: 100 * DAY
            }
        );
        d.control = Some(Control::Baseline {
            from: 90 * DAY,
            to: 101 * DAY,
        });
        assert_eq!(
            validate(&d).unwrap_err(),
            vec!["baseline must end no later than the experiment starts"]
        );
        d.control = Some(Control::Segment(" ".into()));
        assert_eq!(validate(&d).unwrap_err(), vec!["control segment is empty"]);
        d.control = Some(Control::Segment("standard".into()));
        assert_eq!(validate(&d), Ok(()));
        assert_eq!(
            Control::default_baseline(i64::MIN + 5, i64::MAX),
            Control::Baseline {
                from: i64::MIN,
                to: i64::MIN + 5
            }
        );
    }

    #[test]
    fn keys() {
        assert!(validate_key("k", "on_time_rate").is_ok());
        assert!(validate_key("k", "cycle_time_p90").is_ok());
        assert!(validate_key("k", "exp-2024.q1").is_ok());
        for bad in [
            "",
            "9lives",
            "Upper",
            "has space",
            "ünï",
            "a\x1b[2J",
            &"a".repeat(65),
        ] {
            assert!(validate_key("k", bad).is_err(), "{bad:?}");
        }
        assert!(!validate_key("k", "a\x1b[2J").unwrap_err().contains('\x1b'));
    }
}
