//! The thresholds in force over a span of time, as steps: what the
//! Indicators chart draws so that a target raised today is drawn from today.

use super::IndicatorChange;
use crate::domain::indicator::IndicatorDef;
use crate::domain::Timestamp;

/// Target, warn and breach in force over `[from, to)` (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdStep {
    /// Start of the step (unix seconds, UTC).
    pub from: Timestamp,
    /// End of the step (unix seconds, UTC).
    pub to: Timestamp,
    /// The target in force over the step, in the indicator's unit.
    pub target: f64,
    /// The warn threshold in force.
    pub warn: f64,
    /// The breach threshold in force.
    pub breach: f64,
}

fn step(d: &IndicatorDef, from: Timestamp, to: Timestamp) -> ThresholdStep {
    ThresholdStep {
        from,
        to,
        target: d.target,
        warn: d.warn,
        breach: d.breach,
    }
}

/// The thresholds over `[from, to]` of an indicator whose definition is now
/// `current`, given its `changes` oldest first: one step per stretch with
/// the same definition; no step while it did not exist or was retired.
/// A change that leaves the thresholds alone does not split a step.
pub fn threshold_steps(
    current: &IndicatorDef,
    changes: &[IndicatorChange],
    from: Timestamp,
    to: Timestamp,
) -> Vec<ThresholdStep> {
    // What held at `from`: the old side of the first change after it.
    let mut in_force: Option<&IndicatorDef> = match changes.iter().find(|c| c.at > from) {
        Some(c) => c.old.as_ref(),
        None => Some(current),
    };
    let mut start = from;
    let mut out: Vec<ThresholdStep> = Vec::new();
    for c in changes.iter().filter(|c| c.at > from && c.at < to) {
        let next = c.new.as_ref();
        let same = |a: Option<&IndicatorDef>, b: Option<&IndicatorDef>| match (a, b) {
            (Some(a), Some(b)) => (a.target, a.warn, a.breach) == (b.target, b.warn, b.breach),
            (None, None) => true,
            _ => false,
        };
        if same(in_force, next) {
            continue;
        }
        if let Some(d) = in_force {
            out.push(step(d, start, c.at));
        }
        in_force = next;
        start = c.at;
    }
    if let Some(d) = in_force {
        out.push(step(d, start, to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(target: f64) -> IndicatorDef {
        let mut d =
            crate::assets::parse_indicators("indicators.toml", crate::assets::INDICATORS_TOML)
                .expect("the starter indicators")
                .remove(0);
        d.target = target;
        d.warn = target + 1.0;
        d.breach = target + 2.0;
        d
    }

    fn change(at: Timestamp, old: Option<f64>, new: Option<f64>) -> IndicatorChange {
        IndicatorChange {
            at,
            actor: "t".into(),
            old: old.map(def),
            new: new.map(def),
        }
    }

    fn spans(s: &[ThresholdStep]) -> Vec<(Timestamp, Timestamp, f64)> {
        s.iter().map(|s| (s.from, s.to, s.target)).collect()
    }

    #[test]
    fn one_step_without_changes_in_the_span() {
        let changes = [change(0, None, Some(5.0))];
        assert_eq!(
            spans(&threshold_steps(&def(5.0), &changes, 10, 100)),
            [(10, 100, 5.0)]
        );
    }

    #[test]
    fn a_raised_target_is_drawn_from_when_it_was_applied() {
        let changes = [
            change(0, None, Some(5.0)),
            change(40, Some(5.0), Some(6.0)),
            change(70, Some(6.0), Some(7.0)),
            // After the span: what held at its end is the old side.
            change(200, Some(7.0), Some(9.0)),
        ];
        assert_eq!(
            spans(&threshold_steps(&def(9.0), &changes, 10, 100)),
            [(10, 40, 5.0), (40, 70, 6.0), (70, 100, 7.0)]
        );
    }

    #[test]
    fn no_step_before_it_existed_or_while_retired_and_no_split_for_a_rename() {
        let mut renamed = change(30, Some(5.0), Some(5.0));
        if let Some(d) = renamed.new.as_mut() {
            d.name = "new name".into();
        }
        let changes = [
            change(20, None, Some(5.0)),
            renamed,
            change(50, Some(5.0), None),
            change(80, None, Some(6.0)),
        ];
        assert_eq!(
            spans(&threshold_steps(&def(6.0), &changes, 10, 100)),
            [(20, 50, 5.0), (80, 100, 6.0)]
        );
    }
}
