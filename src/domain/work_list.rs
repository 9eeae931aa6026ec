//! Where one work item stands for the Work list: late (open past its
//! promise), at risk (open, its promise within [`AT_RISK_SECS`]), open, or
//! closed late (finished after its promise).

use crate::domain::flow::WorkItem;
use crate::domain::{Timestamp, HOUR};

/// An open item whose promise falls within this many seconds is at risk.
pub const AT_RISK_SECS: i64 = 24 * HOUR;

/// Where a work item stands at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemState {
    /// Open and past its promise.
    Late,
    /// Open, promised within [`AT_RISK_SECS`].
    AtRisk,
    /// Open, on time (or without a promise).
    Open,
    /// Closed after its promise.
    ClosedLate,
    /// Closed on time (or without a promise).
    Closed,
}

impl ItemState {
    /// The state in words (what the `/` filter matches).
    pub fn word(self) -> &'static str {
        match self {
            ItemState::Late => "late",
            ItemState::AtRisk => "at risk",
            ItemState::Open => "open",
            ItemState::ClosedLate => "closed late",
            ItemState::Closed => "closed",
        }
    }
}

/// Where `w` stands at `now`.
pub fn item_state(w: &WorkItem, now: Timestamp) -> ItemState {
    match (w.closed_at, w.promised_at) {
        (Some(c), Some(p)) if c > p => ItemState::ClosedLate,
        (Some(_), _) => ItemState::Closed,
        (None, Some(p)) if p < now => ItemState::Late,
        (None, Some(p)) if p - now <= AT_RISK_SECS => ItemState::AtRisk,
        (None, _) => ItemState::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(promised: Option<i64>, closed: Option<i64>) -> WorkItem {
        WorkItem {
            kind: "order".into(),
            external_id: "ORD-1".into(),
            customer: None,
            segment: None,
            opened_at: 0,
            promised_at: promised,
            closed_at: closed,
            outcome: None,
            satisfaction: None,
        }
    }

    #[test]
    fn states_by_promise_and_close() {
        let now = 100 * HOUR;
        assert_eq!(item_state(&item(Some(now - 1), None), now), ItemState::Late);
        assert_eq!(item_state(&item(Some(now), None), now), ItemState::AtRisk);
        assert_eq!(
            item_state(&item(Some(now + AT_RISK_SECS), None), now),
            ItemState::AtRisk
        );
        assert_eq!(
            item_state(&item(Some(now + AT_RISK_SECS + 1), None), now),
            ItemState::Open
        );
        assert_eq!(item_state(&item(None, None), now), ItemState::Open);
        assert_eq!(
            item_state(&item(Some(10), Some(11)), now),
            ItemState::ClosedLate
        );
        assert_eq!(
            item_state(&item(Some(10), Some(10)), now),
            ItemState::Closed
        );
        assert_eq!(item_state(&item(None, Some(10)), now), ItemState::Closed);
    }
}
