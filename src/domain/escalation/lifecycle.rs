//! The alert lifecycle as a state machine: `open → acknowledged → resolved`,
//! with snooze, pause/resume of escalation, manual escalation and re-opening.
//! Who did it and the note are the store's to record; this decides whether a
//! step is allowed and what the timing facts become.

use serde::{Deserialize, Serialize};

use super::{AlertState, AlertTiming};
use crate::domain::Timestamp;

/// Something a person (or `check`) does to an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum LifecycleAction {
    /// Take ownership: open → acknowledged.
    Acknowledge,
    /// Close it: open or acknowledged → resolved.
    Resolve,
    /// Acknowledgement timed out (or taken back): acknowledged → open, the
    /// escalation clock restarts at `now`, the level is kept.
    Reopen,
    /// Hold it until `until` (must be later than `now`); replaces a snooze.
    Snooze {
        /// End of the snooze, unix seconds.
        until: Timestamp,
    },
    /// End a snooze early; the clock restarts at `now`.
    Unsnooze,
    /// Manual override: stop escalating. A reason is required.
    PauseEscalation {
        /// Why, for the audit trail.
        reason: String,
    },
    /// Lift the override; the clock restarts at `now`.
    ResumeEscalation,
    /// Manual escalation one level up (allowed while paused or acknowledged).
    Escalate {
        /// Number of levels in the alert's path.
        path_len: usize,
    },
    /// Automatic climb to the level [`super::escalation_due`] returned.
    ClimbTo {
        /// The new level; must be higher than the current one.
        level: usize,
    },
}

/// Why a lifecycle step is refused; the message is one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The alert is already resolved; nothing more can happen to it.
    #[error("the alert is already resolved")]
    AlreadyResolved,
    /// Re-opening an alert that is not acknowledged.
    #[error("only an acknowledged alert can be re-opened")]
    NotAcknowledged,
    /// A snooze must end in the future.
    #[error("a snooze must end after now")]
    SnoozeNotInFuture,
    /// Snoozing for longer than durations may be.
    #[error("a snooze ends at most ten years from now (like any duration); resolve or pause the alert instead")]
    SnoozeTooLong,
    /// Unsnoozing an alert that is not snoozed.
    #[error("the alert is not snoozed")]
    NotSnoozed,
    /// Pausing without saying why.
    #[error("pausing escalation needs a reason")]
    ReasonRequired,
    /// Pausing twice.
    #[error("escalation is already paused")]
    AlreadyPaused,
    /// Resuming an escalation that is not paused.
    #[error("escalation is not paused")]
    NotPaused,
    /// Escalating past the last level of the path.
    #[error("the alert is already at the last escalation level")]
    AtTopLevel,
    /// Climbing to a level that is not higher than the current one.
    #[error("escalation level {to} is not above the current level {from}")]
    NotHigher {
        /// Current level.
        from: usize,
        /// Requested level.
        to: usize,
    },
}

/// Applies one action at `now` and returns the alert's new timing facts, or
/// why the action is not allowed. The input is left untouched.
pub fn apply(
    alert: &AlertTiming,
    action: &LifecycleAction,
    now: Timestamp,
) -> Result<AlertTiming, LifecycleError> {
    if alert.state == AlertState::Resolved {
        return Err(LifecycleError::AlreadyResolved);
    }
    let mut next = *alert;
    match action {
        LifecycleAction::Acknowledge => {
            // Re-acknowledging refreshes the ack timeout (PagerDuty
            // semantics): the clock restarts at `now`.
            next.state = AlertState::Acknowledged;
            next.acknowledged_at = Some(now);
        }
        LifecycleAction::Resolve => {
            next.state = AlertState::Resolved;
            next.resolved_at = Some(now);
        }
        LifecycleAction::Reopen => {
            if alert.state != AlertState::Acknowledged {
                return Err(LifecycleError::NotAcknowledged);
            }
            next.state = AlertState::Open;
            next.opened_at = now;
            next.acknowledged_at = None;
        }
        LifecycleAction::Snooze { until } => {
            if *until <= now {
                return Err(LifecycleError::SnoozeNotInFuture);
            }
            if until.saturating_sub(now) > crate::domain::duration::MAX_SECS {
                return Err(LifecycleError::SnoozeTooLong);
            }
            next.snoozed_until = Some(*until);
        }
        LifecycleAction::Unsnooze => {
            if !alert.is_snoozed(now) {
                return Err(LifecycleError::NotSnoozed);
            }
            next.snoozed_until = Some(now);
        }
        LifecycleAction::PauseEscalation { reason } => {
            if reason.trim().is_empty() {
                return Err(LifecycleError::ReasonRequired);
            }
            if alert.escalation_paused {
                return Err(LifecycleError::AlreadyPaused);
            }
            next.escalation_paused = true;
        }
        LifecycleAction::ResumeEscalation => {
            if !alert.escalation_paused {
                return Err(LifecycleError::NotPaused);
            }
            next.escalation_paused = false;
            next.resumed_at = Some(now);
        }
        LifecycleAction::Escalate { path_len } => {
            let to = alert.level.saturating_add(1);
            if to >= *path_len {
                return Err(LifecycleError::AtTopLevel);
            }
            next.level = to;
        }
        LifecycleAction::ClimbTo { level } => {
            if *level <= alert.level {
                return Err(LifecycleError::NotHigher {
                    from: alert.level,
                    to: *level,
                });
            }
            next.level = *level;
        }
    }
    Ok(next)
}
