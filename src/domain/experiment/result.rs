//! The result of an experiment, computed from the data: each criterion's
//! value during the experiment against the baseline or control, the events
//! behind each, pass/fail per criterion, and an overall verdict.

use serde::{Deserialize, Serialize};

use super::criterion::Criterion;
use super::days_until;
use super::definition::ExperimentDef;
use crate::domain::{Timestamp, DAY};

/// Days an experiment must run (from its start) before a verdict is shown.
pub const DEFAULT_MIN_RUNTIME_DAYS: i64 = 7;

/// An indicator's value over a period and the number of events it rests on
/// (orders, tickets, responses, observations).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sample {
    /// The value in the indicator's unit; `None` when nothing was measured.
    /// A non-finite value is treated as `None`.
    pub value: Option<f64>,
    /// How many events the value is computed from.
    pub events: u32,
}

impl Sample {
    /// The value, if it is a finite number.
    fn finite(self) -> Option<f64> {
        self.value.filter(|v| v.is_finite())
    }
}

/// The measured data for one indicator: during the experiment, and in the
/// baseline period or control segment. Matched to criteria by indicator key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionInput {
    /// Key of the indicator the samples measure.
    pub indicator: String,
    /// The indicator over the experiment's period and scope.
    pub during: Sample,
    /// The indicator over the baseline period, or for the control segment.
    pub baseline: Sample,
}

/// How one criterion came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The value during the experiment satisfies the criterion.
    Pass,
    /// It does not.
    Fail,
    /// Fewer than `min_events` events during the experiment or in the
    /// baseline/control, or no value on either side: no judgement.
    NotEnoughData,
}

impl Outcome {
    /// The word shown everywhere (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotEnoughData => "not enough data",
        }
    }

    /// A symbol that carries the outcome without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::NotEnoughData => "·",
        }
    }
}

/// One criterion's line in the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    /// The criterion as registered.
    pub criterion: Criterion,
    /// The value and events during the experiment.
    pub during: Sample,
    /// The value and events in the baseline period or control segment.
    pub baseline: Sample,
    /// `during − baseline` in the indicator's unit (percentage points for a
    /// rate in %); `None` unless both values exist.
    pub change: Option<f64>,
    /// `change / |baseline|` as a fraction (0.15 = +15 %); `None` when a value
    /// is missing or the baseline is 0.
    pub relative_change: Option<f64>,
    /// Pass, fail or not enough data.
    pub outcome: Outcome,
}

/// The overall verdict of an experiment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Verdict {
    /// The minimum runtime has not passed since the start: no verdict yet.
    Pending {
        /// Whole days until the minimum runtime is reached, rounded up (≥ 1).
        days_left: i64,
    },
    /// The planned period (start to end) is shorter than the minimum runtime,
    /// so no verdict will ever be shown; amend the end to get one.
    TooShort {
        /// The planned length in days, rounded up.
        planned_days: i64,
        /// The minimum runtime in days.
        min_runtime_days: i64,
    },
    /// The primary criterion passed and no guardrail failed (guardrails
    /// without enough data do not block success; they show as such).
    Success,
    /// The primary criterion failed.
    Failure,
    /// The primary criterion has not enough data (or the definition has no
    /// single primary criterion).
    Inconclusive,
    /// The primary criterion passed but at least one guardrail failed.
    GuardrailBreached {
        /// Indicator keys of the failed guardrails, in criteria order.
        guardrails: Vec<String>,
    },
}

impl Verdict {
    /// The verdict word (`pending`, `success`, `guardrail breached`, …).
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Pending { .. } => "pending",
            Verdict::TooShort { .. } => "too short",
            Verdict::Success => "success",
            Verdict::Failure => "failure",
            Verdict::Inconclusive => "inconclusive",
            Verdict::GuardrailBreached { .. } => "guardrail breached",
        }
    }

    /// A symbol that carries the verdict without colour.
    pub fn symbol(&self) -> &'static str {
        match self {
            Verdict::Pending { .. } => "…",
            Verdict::TooShort { .. } => "·",
            Verdict::Success => "✓",
            Verdict::Failure => "✗",
            Verdict::Inconclusive => "?",
            Verdict::GuardrailBreached { .. } => "▲",
        }
    }

    /// One line for screens and CLI output, e.g. `3 days left`,
    /// `guardrail breached: defect_rate` (indicator keys are unsanitised).
    pub fn label(&self) -> String {
        match self {
            Verdict::Pending { days_left: 1 } => "1 day left".to_string(),
            Verdict::Pending { days_left } => format!("{days_left} days left"),
            Verdict::TooShort {
                planned_days,
                min_runtime_days,
            } => format!("too short: {planned_days} of at least {min_runtime_days} days"),
            Verdict::GuardrailBreached { guardrails } => {
                format!("guardrail breached: {}", guardrails.join(", "))
            }
            other => other.word().to_string(),
        }
    }
}

/// The computed result of an experiment at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    /// When it was computed (the `now` given; unix seconds, UTC).
    pub evaluated_at: Timestamp,
    /// The overall verdict.
    pub verdict: Verdict,
    /// One line per criterion, in definition order. Computed even while the
    /// verdict is pending, so screens can show live criteria.
    pub criteria: Vec<CriterionResult>,
}

/// Judges one criterion from its samples.
fn judge(criterion: &Criterion, during: Sample, baseline: Sample) -> CriterionResult {
    let d = during.finite();
    let b = baseline.finite();
    let change = d.zip(b).map(|(d, b)| d - b);
    let relative_change = change
        .zip(b)
        .filter(|(_, b)| *b != 0.0)
        .map(|(c, b)| c / b.abs());
    let enough = during.events >= criterion.min_events && baseline.events >= criterion.min_events;
    let outcome = match (enough, d, b) {
        (true, Some(d), Some(_)) if criterion.comparison.holds(d, criterion.threshold) => {
            Outcome::Pass
        }
        (true, Some(_), Some(_)) => Outcome::Fail,
        _ => Outcome::NotEnoughData,
    };
    CriterionResult {
        criterion: criterion.clone(),
        during,
        baseline,
        change,
        relative_change,
        outcome,
    }
}

/// Computes the result of `def` at `now` from the measured `inputs` (one per
/// indicator; a criterion with no matching input has no data).
///
/// Each criterion passes when its value *during* the experiment satisfies
/// `comparison threshold`, provided both the during and the baseline/control
/// samples rest on at least `min_events` events. The verdict is:
/// `TooShort` when `end − start` is under `min_runtime_days` (use
/// [`DEFAULT_MIN_RUNTIME_DAYS`]; negative counts as 0); `Pending` until
/// `min_runtime_days` have passed since `start`; then `Success` (primary
/// passes, no guardrail fails), `Failure` (primary fails), `Inconclusive`
/// (primary lacks data) or `GuardrailBreached` (primary passes, a guardrail
/// fails).
pub fn evaluate(
    def: &ExperimentDef,
    inputs: &[CriterionInput],
    now: Timestamp,
    min_runtime_days: i64,
) -> ExperimentResult {
    let criteria: Vec<CriterionResult> = def
        .criteria
        .iter()
        .map(|c| {
            let input = inputs.iter().find(|i| i.indicator == c.indicator);
            let during = input.map(|i| i.during).unwrap_or_default();
            let baseline = input.map(|i| i.baseline).unwrap_or_default();
            judge(c, during, baseline)
        })
        .collect();
    let verdict = verdict(def, &criteria, now, min_runtime_days.max(0));
    ExperimentResult {
        evaluated_at: now,
        verdict,
        criteria,
    }
}

fn verdict(
    def: &ExperimentDef,
    criteria: &[CriterionResult],
    now: Timestamp,
    min_runtime_days: i64,
) -> Verdict {
    let min_runtime = min_runtime_days.saturating_mul(DAY);
    if def.end.saturating_sub(def.start) < min_runtime {
        return Verdict::TooShort {
            planned_days: days_until(def.end, def.start),
            min_runtime_days,
        };
    }
    let verdict_from = def.start.saturating_add(min_runtime);
    if now < verdict_from {
        return Verdict::Pending {
            days_left: days_until(verdict_from, now),
        };
    }
    let mut primaries = criteria.iter().filter(|r| r.criterion.primary);
    let primary = match (primaries.next(), primaries.next()) {
        (Some(p), None) => p,
        _ => return Verdict::Inconclusive,
    };
    let failed_guardrails: Vec<String> = criteria
        .iter()
        .filter(|r| !r.criterion.primary && r.outcome == Outcome::Fail)
        .map(|r| r.criterion.indicator.clone())
        .collect();
    match primary.outcome {
        Outcome::NotEnoughData => Verdict::Inconclusive,
        Outcome::Fail => Verdict::Failure,
        Outcome::Pass if failed_guardrails.is_empty() => Verdict::Success,
        Outcome::Pass => Verdict::GuardrailBreached {
            guardrails: failed_guardrails,
        },
    }
}

#[cfg(test)]
mod tests;
