//! The operating model as plain types and pure functions. No I/O, no clock:
//! `now` is always a parameter (unix seconds, UTC).

pub mod alert_rules;
pub mod anomaly;
pub mod budget;
pub mod capacity;
pub mod decision;
pub mod duration;
pub mod escalation;
pub mod experiment;
pub mod feedback;
pub mod flow;
pub mod freshness;
pub mod incident;
pub mod indicator;
pub mod limits;
pub mod oncall;
pub mod plausible;
pub mod playbook;
pub mod summary;
#[cfg(test)]
pub(crate) mod test_rng;
pub mod work_list;

use serde::{Deserialize, Serialize};

/// Unix seconds, UTC. The one time representation of the store and the domain.
pub(crate) type Timestamp = i64;

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// Seconds in an hour.
pub const HOUR: i64 = 3_600;

/// How a measure stands against its tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within target tolerance.
    Ok,
    /// Past the warn threshold: act before customers feel it.
    Warn,
    /// Past the breach threshold: the promise is broken.
    Breach,
    /// Nothing within the window (stale).
    NoData,
}

impl Status {
    /// The status word shown everywhere (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Breach => "breach",
            Status::NoData => "no data",
        }
    }

    /// A symbol that carries the status without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "▲",
            Status::Breach => "✗",
            Status::NoData => "·",
        }
    }

    /// Sort key, worst first: breach, warn, no data, ok.
    pub(crate) fn severity_rank(self) -> u8 {
        match self {
            Status::Breach => 0,
            Status::Warn => 1,
            Status::NoData => 2,
            Status::Ok => 3,
        }
    }
}

/// Feedback metrics an indicator can derive: the mean of one score (1–5), the
/// share of responses with any score of 2 or less, or the response count.
pub(crate) const FEEDBACK_METRICS: &[&str] =
    &["ease", "reliability", "value", "low_share", "responses"];

/// Whether `metric` names a feedback metric of [`FEEDBACK_METRICS`].
pub(crate) fn feedback_metric_known(metric: &str) -> bool {
    FEEDBACK_METRICS.contains(&metric)
}
