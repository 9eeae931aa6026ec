//! What makes one closed work item a good event for an SLO.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::SloEvent;
use crate::domain::duration::{format_duration, parse_duration};
use crate::domain::Timestamp;

/// The rule that judges a closed work item good or bad. Written in SLO files
/// as `on_time`, `no_deviation`, `no_defect` or `closed_within:<duration>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum GoodCriterion {
    /// Closed at or before its promised time. Items without a promised time
    /// are not counted.
    OnTime,
    /// Outcome `ok` (a deviation or a defect is bad).
    NoDeviation,
    /// Outcome other than `defect` (a deviation is still good).
    NoDefect,
    /// Closed at most this many seconds after it was opened (inclusive).
    ClosedWithin {
        /// Limit in seconds.
        secs: i64,
    },
}

/// Outcome of a work item, in the spec's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Done as promised.
    Ok,
    /// Done, but not as the standard says.
    Deviation,
    /// Done wrong (a defect reached the customer).
    Defect,
    /// Not done; never an SLO event.
    Cancelled,
}

/// The facts about one closed work item that criteria look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedItem {
    /// When the item was opened (unix seconds).
    pub opened_at: Timestamp,
    /// When it was promised, if a promise was made.
    pub promised_at: Option<Timestamp>,
    /// When it was closed; the event's time.
    pub closed_at: Timestamp,
    /// How it ended.
    pub outcome: ItemOutcome,
}

impl GoodCriterion {
    /// Turns a closed item into an SLO event at its closed time, or `None` when
    /// the item does not count: cancelled, or `on_time` without a promise.
    pub fn judge(&self, item: &ClosedItem) -> Option<SloEvent> {
        if item.outcome == ItemOutcome::Cancelled {
            return None;
        }
        let good = match *self {
            GoodCriterion::OnTime => item.closed_at <= item.promised_at?,
            GoodCriterion::NoDeviation => item.outcome == ItemOutcome::Ok,
            GoodCriterion::NoDefect => item.outcome != ItemOutcome::Defect,
            GoodCriterion::ClosedWithin { secs } => {
                item.closed_at.saturating_sub(item.opened_at) <= secs
            }
        };
        Some(SloEvent {
            at: item.closed_at,
            good,
        })
    }
}

impl FromStr for GoodCriterion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s {
            "on_time" => Ok(GoodCriterion::OnTime),
            "no_deviation" => Ok(GoodCriterion::NoDeviation),
            "no_defect" => Ok(GoodCriterion::NoDefect),
            _ => match s.strip_prefix("closed_within:") {
                Some(d) => parse_duration(d).map(|d| GoodCriterion::ClosedWithin {
                    secs: d.num_seconds(),
                }),
                None => Err(format!(
                    "unknown good criterion '{s}' (expected on_time, no_deviation, no_defect or closed_within:<duration>)"
                )),
            },
        }
    }
}

impl fmt::Display for GoodCriterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoodCriterion::OnTime => f.write_str("on_time"),
            GoodCriterion::NoDeviation => f.write_str("no_deviation"),
            GoodCriterion::NoDefect => f.write_str("no_defect"),
            GoodCriterion::ClosedWithin { secs } => {
                write!(f, "closed_within:{}", format_duration(*secs))
            }
        }
    }
}

impl TryFrom<String> for GoodCriterion {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<GoodCriterion> for String {
    fn from(c: GoodCriterion) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(opened: i64, promised: Option<i64>, closed: i64, outcome: ItemOutcome) -> ClosedItem {
        ClosedItem {
            opened_at: opened,
            promised_at: promised,
            closed_at: closed,
            outcome,
        }
    }

    #[test]
    fn parses_and_prints_every_criterion() {
        for s in ["on_time", "no_deviation", "no_defect", "closed_within:4h"] {
            let c: GoodCriterion = s.parse().unwrap();
            assert_eq!(c.to_string(), s);
        }
        assert_eq!(
            "closed_within:4h".parse::<GoodCriterion>(),
            Ok(GoodCriterion::ClosedWithin { secs: 14_400 })
        );
        assert!("closed_within:soon".parse::<GoodCriterion>().is_err());
        assert!("late".parse::<GoodCriterion>().is_err());
    }

    #[test]
    fn judges_items_at_their_edges() {
        let on_time = GoodCriterion::OnTime;
        // Closed exactly at the promise: good; one second later: bad.
        assert!(
            on_time
                .judge(&item(0, Some(100), 100, ItemOutcome::Ok))
                .unwrap()
                .good
        );
        assert!(
            !on_time
                .judge(&item(0, Some(100), 101, ItemOutcome::Ok))
                .unwrap()
                .good
        );
        assert_eq!(on_time.judge(&item(0, None, 50, ItemOutcome::Ok)), None);
        assert_eq!(
            on_time.judge(&item(0, Some(100), 50, ItemOutcome::Cancelled)),
            None
        );
        let event = on_time
            .judge(&item(0, Some(100), 50, ItemOutcome::Ok))
            .unwrap();
        assert_eq!(event.at, 50);

        let within = GoodCriterion::ClosedWithin { secs: 14_400 };
        assert!(
            within
                .judge(&item(0, None, 14_400, ItemOutcome::Ok))
                .unwrap()
                .good
        );
        assert!(
            !within
                .judge(&item(0, None, 14_401, ItemOutcome::Ok))
                .unwrap()
                .good
        );

        assert!(
            !GoodCriterion::NoDeviation
                .judge(&item(0, None, 1, ItemOutcome::Deviation))
                .unwrap()
                .good
        );
        assert!(
            !GoodCriterion::NoDeviation
                .judge(&item(0, None, 1, ItemOutcome::Defect))
                .unwrap()
                .good
        );
        assert!(
            GoodCriterion::NoDefect
                .judge(&item(0, None, 1, ItemOutcome::Deviation))
                .unwrap()
                .good
        );
        assert!(
            !GoodCriterion::NoDefect
                .judge(&item(0, None, 1, ItemOutcome::Defect))
                .unwrap()
                .good
        );
    }
}
