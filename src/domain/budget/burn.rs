//! Multi-window burn-rate rules (the SRE-workbook pattern), scaled for SLO
//! windows other than 30 days and guarded for low-volume operations.
//!
//! A rule fires when the burn rate over its long window AND over its short
//! window (1/12 of the long one) both exceed the rule's factor. The long window
//! says "enough budget is gone to matter", the short one "and it is still
//! happening", so the alert clears soon after the problem stops.
//!
//! Low volume (an early operation closes a handful of orders a day), what we
//! chose:
//! - the long window must hold at least `min_events` events, or the rule is
//!   [`BurnVerdict::TooFewEvents`] (one late order out of two must not page);
//! - the short window must contain at least one bad event (implied: a burn
//!   above a positive factor needs one). An empty short window has no burn
//!   rate and never fires: the long window's last event does not stand in
//!   for it, so "both windows burn faster than the factor" is exactly what
//!   fires. At five orders a day a page rule's short window of minutes
//!   rarely holds an order; the ticket rules (hours) are the ones that speak
//!   for a slow operation;
//! - a factor that no burn rate can exceed for the objective (14.4× needs more
//!   than 100 % failures when the objective is 90 %: the highest possible burn
//!   is 1 / (1 - objective) = 10) is met by every event failing.

use serde::{Deserialize, Serialize};

use super::{burn_rate, count_window, SloDef, SloEvent, WindowCounts};
use crate::domain::{Timestamp, DAY, HOUR};

/// The budget window the workbook's default rules are written for: 30 days.
pub const REFERENCE_WINDOW_SECS: i64 = 30 * DAY;

/// Default fewest events in a rule's long window before it may fire.
pub const DEFAULT_MIN_EVENTS: u32 = 5;

/// Relative tolerance when comparing a burn rate with a factor, so that a burn
/// exactly at the factor (which floats may compute a hair above) does not fire.
const FACTOR_TOLERANCE: f64 = 1e-9;

/// How loudly a burn rule speaks when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BurnSeverity {
    /// Slow burn: someone should look today (alert severity warning).
    Ticket,
    /// Fast burn: wake someone now (alert severity critical).
    Page,
}

impl BurnSeverity {
    /// The word used in SLO files and on screen: `page` or `ticket`.
    pub fn word(self) -> &'static str {
        match self {
            BurnSeverity::Page => "page",
            BurnSeverity::Ticket => "ticket",
        }
    }
}

/// One multi-window burn rule with its windows in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurnRule {
    /// What firing means.
    pub severity: BurnSeverity,
    /// Long window, seconds.
    pub long_window_secs: i64,
    /// Short window, seconds: 1/12 of the long one (at least one second).
    pub short_window_secs: i64,
    /// Burn rate both windows must exceed (14.4 = 14.4× the sustainable rate).
    pub factor: f64,
}

impl BurnRule {
    /// A rule whose short window is 1/12 of `long_window_secs` (rounded down,
    /// at least one second).
    pub fn new(severity: BurnSeverity, long_window_secs: i64, factor: f64) -> Self {
        BurnRule {
            severity,
            long_window_secs,
            short_window_secs: (long_window_secs / 12).max(1),
            factor,
        }
    }
}

/// The workbook's rules for a 30-day budget: page at 14.4× over 1h (5m) and 6×
/// over 6h (30m); ticket at 3× over 1d (2h) and 1× over 3d (6h).
pub fn workbook_rules() -> [BurnRule; 4] {
    [
        BurnRule::new(BurnSeverity::Page, HOUR, 14.4),
        BurnRule::new(BurnSeverity::Page, 6 * HOUR, 6.0),
        BurnRule::new(BurnSeverity::Ticket, DAY, 3.0),
        BurnRule::new(BurnSeverity::Ticket, 3 * DAY, 1.0),
    ]
}

/// Scales a window written for a 30-day budget to an SLO window:
/// `secs_for_30d × slo_window_secs / 30 days`, rounded to the nearest second,
/// at least one second. 1h for a 28-day SLO → 56m.
pub fn scale_window(secs_for_30d: i64, slo_window_secs: i64) -> i64 {
    let num = i128::from(secs_for_30d) * i128::from(slo_window_secs);
    let den = i128::from(REFERENCE_WINDOW_SECS);
    let rounded = (num + den / 2) / den;
    i64::try_from(rounded).unwrap_or(i64::MAX).max(1)
}

/// The workbook rules scaled to an SLO window (short windows stay 1/12 of
/// their long ones).
pub fn default_burn_rules(slo_window_secs: i64) -> Vec<BurnRule> {
    workbook_rules()
        .iter()
        .map(|r| {
            BurnRule::new(
                r.severity,
                scale_window(r.long_window_secs, slo_window_secs),
                r.factor,
            )
        })
        .collect()
}

/// Whether a burn rate exceeds a factor for an objective: strictly above it
/// (a burn exactly at the factor does not fire). When the factor is at or
/// above the highest possible burn `1 / (1 - objective)`, every event failing
/// meets it.
pub fn exceeds_factor(burn: f64, factor: f64, objective: f64) -> bool {
    if !(objective > 0.0 && objective < 1.0 && burn.is_finite()) {
        return false;
    }
    let max_burn = 1.0 / (1.0 - objective);
    if factor >= max_burn * (1.0 - FACTOR_TOLERANCE) {
        burn >= max_burn * (1.0 - FACTOR_TOLERANCE)
    } else {
        burn > factor * (1.0 + FACTOR_TOLERANCE)
    }
}

/// What a burn rule says at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum BurnVerdict {
    /// Both windows exceed the factor and the long window has enough events.
    Firing,
    /// Enough events, but at least one window is at or under the factor.
    Quiet,
    /// The long window holds fewer than `need` events: suppressed.
    TooFewEvents {
        /// Events in the long window.
        have: u64,
        /// The SLO's `min_events`.
        need: u32,
    },
}

/// One rule's evaluation, with the numbers that explain it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurnAssessment {
    /// The rule evaluated.
    pub rule: BurnRule,
    /// Counts over the long window.
    pub long: WindowCounts,
    /// Counts over the short window.
    pub short: WindowCounts,
    /// Burn rate over the long window (`None`: no events).
    pub long_burn: Option<f64>,
    /// Burn rate over the short window (`None`: no events in it, which
    /// never fires).
    pub short_burn: Option<f64>,
    /// The outcome.
    pub verdict: BurnVerdict,
}

impl BurnAssessment {
    /// Whether this rule fires.
    pub(crate) fn is_firing(&self) -> bool {
        self.verdict == BurnVerdict::Firing
    }
}

/// Evaluates one rule over `events` at `now` (see the module notes for the
/// low-volume choices).
pub fn assess_burn_rule(
    rule: &BurnRule,
    objective: f64,
    min_events: u32,
    events: &[SloEvent],
    now: Timestamp,
) -> BurnAssessment {
    let long = count_window(events, now, rule.long_window_secs);
    let short = count_window(events, now, rule.short_window_secs);
    let long_burn = burn_rate(objective, long);
    let short_burn = burn_rate(objective, short);
    let verdict = if long.total < u64::from(min_events) {
        BurnVerdict::TooFewEvents {
            have: long.total,
            need: min_events,
        }
    } else {
        let over = |b: Option<f64>| b.is_some_and(|b| exceeds_factor(b, rule.factor, objective));
        if over(long_burn) && over(short_burn) && short.bad() > 0 {
            BurnVerdict::Firing
        } else {
            BurnVerdict::Quiet
        }
    };
    BurnAssessment {
        rule: *rule,
        long,
        short,
        long_burn,
        short_burn,
        verdict,
    }
}

/// Evaluates every burn rule of an SLO at `now`, in the SLO's rule order.
pub fn assess_burn(slo: &SloDef, events: &[SloEvent], now: Timestamp) -> Vec<BurnAssessment> {
    slo.burn_rules
        .iter()
        .map(|r| assess_burn_rule(r, slo.objective, slo.min_events, events, now))
        .collect()
}
