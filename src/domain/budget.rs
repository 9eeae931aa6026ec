//! Service level objectives and their error budgets.
//!
//! An SLO is a good/total ratio that must stay at or above an objective over a
//! rolling window (e.g. on-time orders ÷ closed orders ≥ 95 % over 28 days). The
//! error budget is the share of events the objective allows to fail; the burn
//! rate says how fast that share is being used (1.0 = exactly on budget).
//!
//! Everything here works on plain [`SloEvent`]s (the store turns work items into
//! events with [`GoodCriterion::judge`]) and takes `now` as a parameter.
//! Slices of events do not need to be sorted: every function scans them once.
//!
//! Windows are half-open and end at `now`: an event counts in the window of
//! length `w` when `now - w < at <= now`. Events after `now` are ignored.

pub mod burn;
pub mod config;
mod criterion;

pub use burn::{
    assess_burn, assess_burn_rule, default_burn_rules, exceeds_factor, scale_window,
    workbook_rules, BurnAssessment, BurnRule, BurnSeverity, BurnVerdict, DEFAULT_MIN_EVENTS,
    REFERENCE_WINDOW_SECS,
};
pub use config::{parse_slos, SloError};
pub use criterion::{ClosedItem, GoodCriterion, ItemOutcome};

use serde::{Deserialize, Serialize};

use super::{Timestamp, DAY};

/// One judged event of an SLO: at `at` (unix seconds, UTC) something either met
/// the promise (`good`) or did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SloEvent {
    /// When the event happened (for work items: when the item was closed).
    pub at: Timestamp,
    /// Whether the event met the objective's definition of good.
    pub good: bool,
}

/// Where an SLO's events come from. The store turns the source into
/// [`SloEvent`]s; the domain only names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum EventSource {
    /// Closed work items of one kind (and optionally one segment), one event per
    /// item at its closed time, judged by `good`. Cancelled items are not events.
    WorkItems {
        /// The work kind, e.g. `order` or `ticket`.
        work_kind: String,
        /// Only items of this segment, when given.
        segment: Option<String>,
        /// What makes an item good.
        good: GoodCriterion,
    },
}

/// A service level objective, validated (see [`parse_slos`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloDef {
    /// Stable identifier (`[a-z0-9_-]`), used in alert keys (`burn:<key>`).
    pub key: String,
    /// Human name shown on screens.
    pub name: String,
    /// One sentence saying exactly what is counted as good and as total.
    pub description: String,
    /// Required good/total ratio, strictly between 0 and 1 (0.95 = 95 %).
    pub objective: f64,
    /// Length of the rolling window, seconds (e.g. 28 days).
    pub window_secs: i64,
    /// Where the events come from.
    pub source: EventSource,
    /// Fewest events a burn rule's long window must hold before the rule may
    /// fire (low-volume guard, default [`DEFAULT_MIN_EVENTS`]).
    pub min_events: u32,
    /// Multi-window burn rules, windows already in seconds for this SLO: either
    /// the workbook defaults scaled to `window_secs`, or the file's own rules.
    /// Empty means burn alerts are off for this SLO.
    pub burn_rules: Vec<BurnRule>,
    /// Role that owns the SLO (first escalation target), when given.
    pub owner_role: Option<String>,
    /// Playbook a critical burn alert names (e.g. incident response), when given.
    pub playbook: Option<String>,
}

/// Good and total event counts over one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WindowCounts {
    /// Events that met the objective.
    pub good: u64,
    /// All events in the window.
    pub total: u64,
}

impl WindowCounts {
    /// Events that did not meet the objective.
    pub fn bad(&self) -> u64 {
        self.total.saturating_sub(self.good)
    }

    /// good ÷ total, `None` when the window holds no events.
    pub fn good_ratio(&self) -> Option<f64> {
        (self.total > 0).then(|| self.good as f64 / self.total as f64)
    }
}

/// Counts the events in the window of `window_secs` seconds ending at `now`
/// (`now - window_secs < at <= now`). Order of `events` does not matter.
pub(crate) fn count_window(events: &[SloEvent], now: Timestamp, window_secs: i64) -> WindowCounts {
    let start = now.saturating_sub(window_secs);
    let mut counts = WindowCounts::default();
    for e in events.iter().filter(|e| e.at > start && e.at <= now) {
        counts.total += 1;
        if e.good {
            counts.good += 1;
        }
    }
    counts
}

/// The most recent event in the window ending at `now` (ties: the first in the
/// slice). `None` when the window is empty.
pub fn latest_in_window(events: &[SloEvent], now: Timestamp, window_secs: i64) -> Option<SloEvent> {
    let start = now.saturating_sub(window_secs);
    events
        .iter()
        .filter(|e| e.at > start && e.at <= now)
        .fold(None, |best: Option<SloEvent>, e| match best {
            Some(b) if b.at >= e.at => Some(b),
            _ => Some(*e),
        })
}

/// The error budget of an objective over a set of counted events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct ErrorBudget {
    /// The objective the budget derives from (0..1).
    pub objective: f64,
    /// The events the budget is computed over.
    pub counts: WindowCounts,
    /// The budget as a share of events: `1 - objective` (0.05 for 95 %).
    pub allowed_fraction: f64,
    /// Failures the objective allows among the counted events:
    /// `(1 - objective) × total`, in events (may be fractional).
    pub allowed_bad: f64,
    /// `allowed_bad - bad`, in events; negative when overspent.
    pub remaining_events: f64,
    /// Share of the allowed failures not yet used: `1 - bad / allowed_bad`.
    /// 1.0 = untouched, 0 = spent, negative = overspent (-1.0 = spent twice).
    /// `None` when there are no events (nothing to judge).
    pub remaining_fraction: Option<f64>,
}

/// The error budget of `objective` over `counts`. An objective outside (0, 1)
/// (which [`parse_slos`] refuses) gives an empty budget with no remaining fraction.
pub(crate) fn error_budget(objective: f64, counts: WindowCounts) -> ErrorBudget {
    let valid = objective > 0.0 && objective < 1.0;
    let allowed_fraction = if valid { 1.0 - objective } else { 0.0 };
    let allowed_bad = allowed_fraction * counts.total as f64;
    let bad = counts.bad() as f64;
    let remaining_fraction = (valid && counts.total > 0).then(|| 1.0 - bad / allowed_bad);
    ErrorBudget {
        objective,
        counts,
        allowed_fraction,
        allowed_bad,
        remaining_events: allowed_bad - bad,
        remaining_fraction,
    }
}

/// Burn rate over the counted events: `(bad / total) / (1 - objective)`.
/// 1.0 uses the budget exactly over the SLO window, 2.0 twice as fast, 0 not at
/// all. `None` when there are no events or the objective is outside (0, 1).
pub(crate) fn burn_rate(objective: f64, counts: WindowCounts) -> Option<f64> {
    if counts.total == 0 || !(objective > 0.0 && objective < 1.0) {
        return None;
    }
    Some((counts.bad() as f64 / counts.total as f64) / (1.0 - objective))
}

/// When the remaining budget runs out if the burn rate holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exhaustion {
    /// No budget left (remaining fraction ≤ 0).
    Exhausted,
    /// Nothing is burning (burn rate 0), or the inputs are not numbers.
    Never,
    /// Runs out after this many seconds from now.
    In {
        /// Seconds until the budget is spent.
        secs: i64,
    },
}

/// Time to exhaustion in words: `exhausted`, `not burning`, `in 3d4h`,
/// `> 1 year`, `—` when unknown.
pub(crate) fn exhaustion_text(e: Option<Exhaustion>) -> String {
    match e {
        None => "—".into(),
        Some(Exhaustion::Exhausted) => "exhausted".into(),
        Some(Exhaustion::Never) => "not burning".into(),
        Some(Exhaustion::In { secs }) if secs > 365 * DAY => "> 1 year".into(),
        Some(Exhaustion::In { secs }) => format!(
            "in {}",
            super::duration::format_duration(secs.max(60) / 60 * 60)
        ),
    }
}

/// Time to exhaustion at a constant burn rate: at rate `b` the whole budget
/// lasts `window_secs / b`, so the remaining share lasts
/// `remaining_fraction × window_secs / burn_rate` seconds (rounded).
/// Example: half the budget left, burning at 2× over a 28-day window → 7 days.
pub(crate) fn time_to_exhaustion(
    remaining_fraction: f64,
    burn_rate: f64,
    window_secs: i64,
) -> Exhaustion {
    if !remaining_fraction.is_finite() || !burn_rate.is_finite() {
        return Exhaustion::Never;
    }
    if remaining_fraction <= 0.0 {
        return Exhaustion::Exhausted;
    }
    if burn_rate <= 0.0 {
        return Exhaustion::Never;
    }
    let secs = (remaining_fraction * window_secs as f64 / burn_rate).round();
    // Saturating float-to-int cast: an enormous value becomes i64::MAX.
    Exhaustion::In { secs: secs as i64 }
}

/// The numbers the error-budget panel shows for one SLO at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct SloReport {
    /// Budget over the whole SLO window.
    pub budget: ErrorBudget,
    /// Long window of the "current burn" reading: one day scaled to the SLO
    /// window (22h24m for 28 days), seconds.
    pub long_window_secs: i64,
    /// Short window, 1/12 of the long one, seconds.
    pub short_window_secs: i64,
    /// Burn rate over the long window (`None`: no events in it).
    pub burn_long: Option<f64>,
    /// Burn rate over the short window (`None`: no events in it).
    pub burn_short: Option<f64>,
    /// Time to exhaustion at the long-window burn rate; `None` without events
    /// in the SLO window. With events in the window but none in the long
    /// window, nothing is burning now: [`Exhaustion::Never`] (or `Exhausted`).
    pub exhaustion: Option<Exhaustion>,
}

/// Budget, current burn (long and short window) and time to exhaustion for
/// one SLO at `now`.
pub(crate) fn slo_report(slo: &SloDef, events: &[SloEvent], now: Timestamp) -> SloReport {
    let budget = error_budget(slo.objective, count_window(events, now, slo.window_secs));
    let long_window_secs = scale_window(DAY, slo.window_secs);
    let short_window_secs = (long_window_secs / 12).max(1);
    let burn_long = burn_rate(slo.objective, count_window(events, now, long_window_secs));
    let burn_short = burn_rate(slo.objective, count_window(events, now, short_window_secs));
    let exhaustion = budget
        .remaining_fraction
        .map(|rem| time_to_exhaustion(rem, burn_long.unwrap_or(0.0), slo.window_secs));
    SloReport {
        budget,
        long_window_secs,
        short_window_secs,
        burn_long,
        burn_short,
        exhaustion,
    }
}

#[cfg(test)]
mod tests;
