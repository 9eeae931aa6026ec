//! Operational experiments: test one change to the operation, measure it
//! honestly against a baseline or a control, decide, and remember why.
//!
//! The life of an experiment: a *draft* is edited freely; `start` pre-registers
//! it (hypothesis, criteria, scope, period and control are locked and hashed,
//! see [`registration_hash`]); it is *running* until its end, *ended* until the
//! team records a [`Decision`], and then *concluded*. The result is computed from
//! the data by [`evaluate`]: each criterion's value during the experiment against
//! the baseline period or control segment, with the events behind each value.
//!
//! Pure functions only: no database, no clock (`now` is a parameter).

#![warn(missing_docs)]

mod criterion;
mod definition;
mod registration;
mod result;

pub use criterion::{parse_criterion, Comparison, Criterion, DEFAULT_MIN_EVENTS};
pub(crate) use definition::text_error;
pub use definition::{
    validate, validate_key, Control, ExperimentDef, MAX_KEY_CHARS, MAX_TEXT_CHARS,
};
pub use registration::{
    check_change, registration_hash, registration_text, ChangeKind, Field, LockError,
    REGISTRATION_FORMAT,
};
pub use result::{
    evaluate, CriterionInput, CriterionResult, ExperimentResult, Outcome, Sample, Verdict,
    DEFAULT_MIN_RUNTIME_DAYS,
};

use serde::{Deserialize, Serialize};

use super::{Timestamp, DAY};

/// Where an experiment is in its life, derived from its times (never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentStatus {
    /// Not started: everything may still be edited.
    Draft,
    /// Started (pre-registered) and the end has not passed: locked.
    Running,
    /// Past its end but no decision recorded yet.
    Ended,
    /// A decision was recorded; the experiment is closed.
    Concluded,
}

impl ExperimentStatus {
    /// The status word shown everywhere (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            ExperimentStatus::Draft => "draft",
            ExperimentStatus::Running => "running",
            ExperimentStatus::Ended => "ended",
            ExperimentStatus::Concluded => "concluded",
        }
    }

    /// A symbol that carries the status without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            ExperimentStatus::Draft => "○",
            ExperimentStatus::Running => "▶",
            ExperimentStatus::Ended => "■",
            ExperimentStatus::Concluded => "✓",
        }
    }

    /// True once the experiment is pre-registered (hypothesis and criteria locked).
    pub(crate) fn is_locked(self) -> bool {
        !matches!(self, ExperimentStatus::Draft)
    }
}

/// The status of an experiment from the time it was started (pre-registered)
/// and concluded, its planned `end` and `now` (all unix seconds, UTC).
///
/// A recorded conclusion wins over everything else; an experiment that was
/// never started is a draft even after its planned end; a started one is
/// running until `now` reaches `end` (the end instant itself counts as ended).
pub fn status(
    started_at: Option<Timestamp>,
    concluded_at: Option<Timestamp>,
    end: Timestamp,
    now: Timestamp,
) -> ExperimentStatus {
    match (started_at, concluded_at) {
        (_, Some(_)) => ExperimentStatus::Concluded,
        (None, None) => ExperimentStatus::Draft,
        (Some(_), None) if now < end => ExperimentStatus::Running,
        (Some(_), None) => ExperimentStatus::Ended,
    }
}

/// Whole days from `now` until `deadline`, rounded up (a deadline 1 second
/// away is 1 day left); 0 when the deadline has passed.
pub(crate) fn days_until(deadline: Timestamp, now: Timestamp) -> i64 {
    let secs = deadline.saturating_sub(now);
    if secs <= 0 {
        0
    } else {
        secs / DAY + i64::from(secs % DAY != 0)
    }
}

/// The decision a team records when it concludes an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// It worked: roll the change out more widely.
    Scale,
    /// Promising: keep it, tune it, measure again.
    Adjust,
    /// The hypothesis was wrong: try a different approach to the objective.
    Pivot,
    /// Drop the change.
    Stop,
}

impl Decision {
    /// Every decision kind, in the order they are offered.
    pub(crate) const ALL: [Decision; 4] = [
        Decision::Scale,
        Decision::Adjust,
        Decision::Pivot,
        Decision::Stop,
    ];

    /// The word used on the command line and in storage (`scale`, `adjust`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Scale => "scale",
            Decision::Adjust => "adjust",
            Decision::Pivot => "pivot",
            Decision::Stop => "stop",
        }
    }

    /// Parses `scale`, `adjust`, `pivot` or `stop` (case-insensitive, trimmed);
    /// the error names the accepted words.
    pub fn parse(text: &str) -> Result<Decision, String> {
        let t = text.trim().to_ascii_lowercase();
        Decision::ALL
            .into_iter()
            .find(|d| d.as_str() == t)
            .ok_or_else(|| {
                format!(
                    "'{}' is not a decision (expected scale, adjust, pivot or stop)",
                    crate::text::sanitize_truncate(text, 40)
                )
            })
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Decision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decision::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_life_of_an_experiment() {
        let end = 10 * DAY;
        assert_eq!(status(None, None, end, DAY), ExperimentStatus::Draft);
        // Never started: still a draft after the planned end.
        assert_eq!(status(None, None, end, 20 * DAY), ExperimentStatus::Draft);
        assert_eq!(status(Some(0), None, end, DAY), ExperimentStatus::Running);
        assert_eq!(
            status(Some(0), None, end, end - 1),
            ExperimentStatus::Running
        );
        assert_eq!(status(Some(0), None, end, end), ExperimentStatus::Ended);
        assert_eq!(
            status(Some(0), Some(end + 5), end, end + 9),
            ExperimentStatus::Concluded
        );
        assert!(!ExperimentStatus::Draft.is_locked());
        assert!(ExperimentStatus::Running.is_locked());
    }

    #[test]
    fn days_until_rounds_up_and_stops_at_zero() {
        assert_eq!(days_until(DAY, 0), 1);
        assert_eq!(days_until(1, 0), 1);
        assert_eq!(days_until(DAY + 1, 0), 2);
        assert_eq!(days_until(3 * DAY, 0), 3);
        assert_eq!(days_until(0, 5), 0);
        assert_eq!(days_until(i64::MAX, i64::MIN), i64::MAX / DAY + 1);
    }

    #[test]
    fn decisions_parse_from_their_words_only() {
        assert_eq!(Decision::parse("scale"), Ok(Decision::Scale));
        assert_eq!(Decision::parse(" Adjust "), Ok(Decision::Adjust));
        assert_eq!("pivot".parse::<Decision>(), Ok(Decision::Pivot));
        assert_eq!(Decision::parse("STOP"), Ok(Decision::Stop));
        let err = Decision::parse("continue").unwrap_err();
        assert!(err.contains("'continue'") && err.contains("scale, adjust, pivot or stop"));
        let err = Decision::parse("\x1b[2Jx").unwrap_err();
        assert!(!err.contains('\x1b'));
        for d in Decision::ALL {
            assert_eq!(Decision::parse(&d.to_string()), Ok(d));
        }
    }
}
