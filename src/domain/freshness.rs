//! Whether a data source is keeping up: fresh while its last successful run
//! is recent, stale once it has had no success for its `stale_after`
//! (three intervals unless the definition says otherwise) or its last run
//! failed, critical once stale for longer than `critical_after`. Pure:
//! `now` is a parameter.

use super::Timestamp;

/// A source's health at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Its last run succeeded recently enough.
    Fresh,
    /// It has not delivered since `since` (its last success, or its
    /// definition when it never succeeded); `failing` when its latest run
    /// failed.
    Stale {
        /// Last success (or when the source was defined).
        since: Timestamp,
        /// True when the latest run failed (as opposed to not running).
        failing: bool,
        /// True once it has been stale for longer than `critical_after`.
        critical: bool,
    },
}

impl Freshness {
    /// The word shown next to the numbers a source feeds.
    pub fn word(&self) -> &'static str {
        match self {
            Freshness::Fresh => "fresh",
            Freshness::Stale { critical: true, .. } => "stale (critical)",
            Freshness::Stale { .. } => "stale",
        }
    }

    /// True unless fresh.
    pub(crate) fn is_stale(&self) -> bool {
        !matches!(self, Freshness::Fresh)
    }
}

/// The inputs of the judgement, from the source's definition and its runs.
#[derive(Debug, Clone, Copy)]
pub struct SourceHistory {
    /// When the source was first defined.
    pub defined_at: Timestamp,
    /// End of the latest successful run.
    pub last_success: Option<Timestamp>,
    /// True when the latest finished run failed.
    pub last_failed: bool,
    /// Seconds without a success after which it is stale.
    pub stale_after_secs: i64,
    /// Seconds of staleness after which it is critical.
    pub critical_after_secs: i64,
}

/// Judges a source at `now`.
pub fn freshness(h: &SourceHistory, now: Timestamp) -> Freshness {
    let since = h.last_success.unwrap_or(h.defined_at);
    let quiet = now - since >= h.stale_after_secs;
    if !(quiet || h.last_failed) {
        return Freshness::Fresh;
    }
    // A failure makes it stale at once; critical counts from when it
    // would have gone stale anyway, or from the failure's last success.
    let stale_from = if h.last_failed {
        since
    } else {
        since + h.stale_after_secs
    };
    Freshness::Stale {
        since,
        failing: h.last_failed,
        critical: now - stale_from >= h.critical_after_secs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = 1_796_029_380;

    fn h(last_success: Option<Timestamp>, last_failed: bool) -> SourceHistory {
        SourceHistory {
            defined_at: T - 86_400,
            last_success,
            last_failed,
            stale_after_secs: 900,
            critical_after_secs: 3_600,
        }
    }

    #[test]
    fn stale_after_three_intervals_without_a_success() {
        assert_eq!(freshness(&h(Some(T), false), T + 899), Freshness::Fresh);
        let s = freshness(&h(Some(T), false), T + 900);
        assert_eq!(
            s,
            Freshness::Stale {
                since: T,
                failing: false,
                critical: false
            }
        );
        assert_eq!(s.word(), "stale");
        let c = freshness(&h(Some(T), false), T + 900 + 3_600);
        assert_eq!(c.word(), "stale (critical)");
    }

    #[test]
    fn a_failed_run_is_stale_at_once_and_a_source_that_never_ran_counts_from_its_definition() {
        assert!(freshness(&h(Some(T), true), T + 60).is_stale());
        let never = freshness(&h(None, false), T);
        assert_eq!(
            never,
            Freshness::Stale {
                since: T - 86_400,
                failing: false,
                critical: true
            }
        );
    }
}
