//! An alert's escalation path as the alert detail shows it: every level
//! with who it calls, whether it was passed, is current or is still to
//! come, and when each level to come fires if nothing changes.

use super::{escalation_clock_start, escalation_hold, AlertTiming, EscalationStep};
use crate::domain::Timestamp;

/// Where one level of the path stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Already climbed past.
    Passed,
    /// The level the alert is at.
    Current,
    /// Still to come; fires at this time if nothing changes (`None` while
    /// escalation is held: acknowledged, snoozed, paused or cleared).
    Ahead(Option<Timestamp>),
}

/// One level of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    /// Who is told at this level.
    pub target: String,
    /// Seconds on the escalation clock before it is due.
    pub after_secs: i64,
    /// Passed, current or ahead.
    pub state: StepState,
}

/// The path of an alert at `now`. `climbing` is false when escalation
/// stopped for a reason the timing does not carry (the cause cleared).
pub fn path_steps(
    alert: &AlertTiming,
    path: &[EscalationStep],
    climbing: bool,
    now: Timestamp,
) -> Vec<PathStep> {
    let held = !climbing || escalation_hold(alert, now).is_some();
    let start = escalation_clock_start(alert, now);
    path.iter()
        .enumerate()
        .map(|(i, s)| PathStep {
            target: s.target.clone(),
            after_secs: s.after_secs,
            state: if i < alert.level {
                StepState::Passed
            } else if i == alert.level {
                StepState::Current
            } else {
                StepState::Ahead((!held).then(|| start.saturating_add(s.after_secs.max(0))))
            },
        })
        .collect()
}

/// The first level ahead: who is next and when it fires.
pub fn next_step(steps: &[PathStep]) -> Option<&PathStep> {
    steps
        .iter()
        .find(|s| matches!(s.state, StepState::Ahead(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::escalation::AlertState;

    fn path() -> Vec<EscalationStep> {
        [(0, "owner"), (1800, "ops-lead"), (7200, "founder")]
            .iter()
            .map(|(a, t)| EscalationStep {
                after_secs: *a,
                target: t.to_string(),
            })
            .collect()
    }

    #[test]
    fn an_open_alert_shows_when_each_level_ahead_fires() {
        let mut t = AlertTiming::opened(1000);
        t.level = 1;
        let steps = path_steps(&t, &path(), true, 3000);
        assert_eq!(steps[0].state, StepState::Passed);
        assert_eq!(steps[1].state, StepState::Current);
        assert_eq!(steps[2].state, StepState::Ahead(Some(1000 + 7200)));
        let next = next_step(&steps).unwrap();
        assert_eq!(next.target, "founder");
    }

    #[test]
    fn a_held_alert_has_no_firing_times() {
        let mut t = AlertTiming::opened(1000);
        t.state = AlertState::Acknowledged;
        let steps = path_steps(&t, &path(), true, 3000);
        assert_eq!(steps[1].state, StepState::Ahead(None));
        let steps = path_steps(&AlertTiming::opened(1000), &path(), false, 3000);
        assert_eq!(steps[2].state, StepState::Ahead(None));
        // Snoozed: held until the snooze ends, then the clock restarts there.
        let mut t = AlertTiming::opened(1000);
        t.snoozed_until = Some(5000);
        assert_eq!(
            path_steps(&t, &path(), true, 3000)[1].state,
            StepState::Ahead(None)
        );
        assert_eq!(
            path_steps(&t, &path(), true, 6000)[1].state,
            StepState::Ahead(Some(5000 + 1800))
        );
    }

    #[test]
    fn at_the_top_nothing_is_next() {
        let mut t = AlertTiming::opened(1000);
        t.level = 2;
        assert!(next_step(&path_steps(&t, &path(), true, 9000)).is_none());
    }
}
