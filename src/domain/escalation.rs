//! Escalation timing and the alert lifecycle, as pure functions of an alert's
//! timing facts and `now` (unix seconds).
//!
//! An open (unacknowledged) alert climbs its escalation path: level `i` is due
//! once `path[i].after_secs` have passed on the escalation clock. The clock
//! starts when the alert opened or was last re-opened, and restarts when a
//! snooze ends or a paused escalation is resumed (held time never counts).
//! Level 0 is the first step, whose target is told when the alert opens; the
//! level never goes down. Acknowledged, resolved, snoozed and paused alerts do
//! not climb. An acknowledged alert not resolved within the acknowledgement
//! timeout is re-opened ([`ack_expired`], then [`LifecycleAction::Reopen`]),
//! which restarts the clock from its current level.

mod lifecycle;

pub use lifecycle::{apply, LifecycleAction, LifecycleError};

use serde::{Deserialize, Serialize};

use super::{Timestamp, HOUR};

/// Default time an acknowledged alert may stay unresolved before it is
/// re-opened: 4 hours.
pub(crate) const DEFAULT_ACK_TIMEOUT_SECS: i64 = 4 * HOUR;

/// Where an alert is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Nobody has taken it yet; it escalates.
    Open,
    /// Someone owns it; it does not escalate until its ack times out.
    Acknowledged,
    /// Done. Final: a recurring cause opens a new alert.
    Resolved,
}

impl AlertState {
    /// The word shown on screen and stored.
    pub fn word(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }
}

/// The facts about one alert that escalation looks at. Times are unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertTiming {
    /// Lifecycle state.
    pub state: AlertState,
    /// When the alert opened, or was last re-opened (escalation clock start).
    pub opened_at: Timestamp,
    /// When it was acknowledged, while acknowledged.
    pub acknowledged_at: Option<Timestamp>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
    /// Snoozed until this time (exclusive: at `until` the snooze is over).
    /// A past value is kept: the end of a snooze restarts the clock.
    pub snoozed_until: Option<Timestamp>,
    /// Escalation paused by a manual override (the reason is audited).
    pub escalation_paused: bool,
    /// When a paused escalation was last resumed (restarts the clock).
    pub resumed_at: Option<Timestamp>,
    /// Current escalation level: an index into the path, 0 = first step.
    pub level: usize,
}

impl AlertTiming {
    /// A newly opened alert at level 0.
    pub fn opened(at: Timestamp) -> Self {
        AlertTiming {
            state: AlertState::Open,
            opened_at: at,
            acknowledged_at: None,
            resolved_at: None,
            snoozed_until: None,
            escalation_paused: false,
            resumed_at: None,
            level: 0,
        }
    }

    /// Whether a snooze is in force at `now` (`now < snoozed_until`).
    pub(crate) fn is_snoozed(&self, now: Timestamp) -> bool {
        self.snoozed_until.is_some_and(|until| now < until)
    }
}

/// One level of an escalation path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    /// Seconds on the escalation clock before this level is due (0 = at once).
    pub after_secs: i64,
    /// Who is told: a role or a person, as the playbook names them.
    pub target: String,
}

/// The path used when no playbook gives one: the owner role at once (or
/// `owner` when none is known), `ops-lead` after 30 minutes, `founder` after
/// 2 hours.
pub(crate) fn default_escalation_path(owner_role: Option<&str>) -> Vec<EscalationStep> {
    let owner = owner_role
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("owner");
    vec![
        EscalationStep {
            after_secs: 0,
            target: owner.to_string(),
        },
        EscalationStep {
            after_secs: 30 * 60,
            target: "ops-lead".into(),
        },
        EscalationStep {
            after_secs: 2 * HOUR,
            target: "founder".into(),
        },
    ]
}

/// Checks a path: at least one step, waits not negative and not decreasing,
/// every target named. The reason names the 1-based level at fault.
pub(crate) fn validate_path(path: &[EscalationStep]) -> Result<(), String> {
    if path.is_empty() {
        return Err("an escalation path needs at least one level".into());
    }
    let mut previous = 0;
    for (i, step) in path.iter().enumerate() {
        let n = i + 1;
        if step.target.trim().is_empty() {
            return Err(format!("escalation level {n} names no one"));
        }
        if step.after_secs < 0 {
            return Err(format!("escalation level {n} has a negative wait"));
        }
        if step.after_secs < previous {
            return Err(format!(
                "escalation level {n} waits less than the level before it"
            ));
        }
        previous = step.after_secs;
    }
    Ok(())
}

/// Why an alert is not climbing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "hold")]
pub(crate) enum EscalationHold {
    /// Acknowledged or resolved.
    NotOpen,
    /// Snoozed until then.
    Snoozed {
        /// End of the snooze.
        until: Timestamp,
    },
    /// Escalation paused by a manual override.
    Paused,
}

/// What holds the alert's escalation at `now`, if anything (state first,
/// then pause, then snooze).
pub(crate) fn escalation_hold(alert: &AlertTiming, now: Timestamp) -> Option<EscalationHold> {
    if alert.state != AlertState::Open {
        return Some(EscalationHold::NotOpen);
    }
    if alert.escalation_paused {
        return Some(EscalationHold::Paused);
    }
    match alert.snoozed_until {
        Some(until) if now < until => Some(EscalationHold::Snoozed { until }),
        _ => None,
    }
}

/// When the escalation clock started, as seen at `now`: the latest of opening
/// (or re-opening), resuming a paused escalation, and the end of a snooze that
/// is over by `now`.
pub(crate) fn escalation_clock_start(alert: &AlertTiming, now: Timestamp) -> Timestamp {
    let snooze_end = alert.snoozed_until.filter(|until| *until <= now);
    [Some(alert.opened_at), alert.resumed_at, snooze_end]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(alert.opened_at)
}

/// The level the alert should be at now, when that is higher than its current
/// `level`: the highest `i` with `path[i].after_secs` ≤ seconds on the clock
/// (exactly at the wait counts). `None` when it stays where it is: no higher
/// level is due yet, it is at the top, the path is empty, or it is held
/// (not open, snoozed, paused). A caller that missed runs jumps straight to
/// the level due.
pub(crate) fn escalation_due(
    alert: &AlertTiming,
    path: &[EscalationStep],
    now: Timestamp,
) -> Option<usize> {
    if escalation_hold(alert, now).is_some() {
        return None;
    }
    let elapsed = now.checked_sub(escalation_clock_start(alert, now))?;
    if elapsed < 0 {
        return None;
    }
    path.iter()
        .enumerate()
        .filter(|(_, step)| step.after_secs <= elapsed)
        .map(|(i, _)| i)
        .max()
        .filter(|due| *due > alert.level)
}

/// When the next level becomes due if nothing changes (may be ≤ `now` when a
/// climb is already due). `None` when held or already at the top of `path`.
pub(crate) fn next_escalation_at(
    alert: &AlertTiming,
    path: &[EscalationStep],
    now: Timestamp,
) -> Option<Timestamp> {
    if escalation_hold(alert, now).is_some() {
        return None;
    }
    let start = escalation_clock_start(alert, now);
    path.iter()
        .skip(alert.level.saturating_add(1))
        .map(|step| start.saturating_add(step.after_secs.max(0)))
        .min()
}

/// Whether an acknowledged alert has gone unresolved for `ack_timeout_secs`
/// or more since it was acknowledged (exactly at the timeout counts), so it
/// must be re-opened. Snoozed or paused alerts do not expire; a timeout ≤ 0
/// means acknowledgements never expire.
pub(crate) fn ack_expired(alert: &AlertTiming, ack_timeout_secs: i64, now: Timestamp) -> bool {
    if alert.state != AlertState::Acknowledged
        || ack_timeout_secs <= 0
        || alert.escalation_paused
        || alert.is_snoozed(now)
    {
        return false;
    }
    alert
        .acknowledged_at
        .is_some_and(|at| now.saturating_sub(at) >= ack_timeout_secs)
}

pub mod path;

#[cfg(test)]
mod tests;
