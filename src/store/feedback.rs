//! Structured customer feedback.

use super::{Result, Store, Tx};
use crate::domain::Timestamp;
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// One feedback response: three scores of 1–5 and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRow {
    /// When it was given (unix seconds, UTC).
    pub at: Timestamp,
    /// The customer, if known.
    pub customer: Option<String>,
    /// Customer segment, if known (same names as on work items).
    pub segment: Option<String>,
    /// `survey`, `interview` or `support`.
    pub channel: String,
    /// Ease of use, 1 (very hard) to 5 (very easy).
    pub ease: u8,
    /// Perceived reliability, 1 (unreliable) to 5 (fully reliable).
    pub reliability: u8,
    /// Value confirmation, 1 (not worth it) to 5 (clearly worth it).
    pub value: u8,
    /// The customer's words, free text; `None` without a comment.
    pub comment: Option<String>,
}

impl FeedbackRow {
    /// The value of a feedback metric for this response (see
    /// [`crate::domain::FEEDBACK_METRICS`]).
    pub fn metric(&self, metric: &str) -> Option<f64> {
        Some(match metric {
            "ease" => self.ease as f64,
            "reliability" => self.reliability as f64,
            "value" => self.value as f64,
            "low_share" => {
                if self.ease.min(self.reliability).min(self.value) <= 2 {
                    100.0
                } else {
                    0.0
                }
            }
            "responses" => 1.0,
            _ => return None,
        })
    }
}

/// Stores one response; returns false when the same response (time,
/// customer, channel, scores and comment) was already there.
pub(crate) fn insert_feedback(tx: &Tx<'_>, f: &FeedbackRow) -> Result<bool> {
    let mut stmt = tx.prepare_cached(SQL_INSERT_FEEDBACK)?;
    insert_feedback_with(&mut stmt, f)
}

/// Records one response typed by a person (`feedback add`, the cockpit),
/// audited; returns false when the same response was already there
/// (nothing is written then).
pub fn add_feedback(tx: &Tx<'_>, now: Timestamp, f: &FeedbackRow) -> Result<bool> {
    let new = insert_feedback(tx, f)?;
    if new {
        super::audit::record(
            tx,
            now,
            "record",
            "feedback",
            None,
            &serde_json::to_value(f).unwrap_or_default(),
        )?;
    }
    Ok(new)
}

/// Inserts a feedback response unless the same one is there.
pub(crate) const SQL_INSERT_FEEDBACK: &str =
    "INSERT OR IGNORE INTO feedback (at, customer, segment, channel, ease, reliability, value, comment)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// [`insert_feedback`] on a statement prepared once from [`SQL_INSERT_FEEDBACK`].
pub(crate) fn insert_feedback_with(
    stmt: &mut crate::store::db::Stmt<'_>,
    f: &FeedbackRow,
) -> Result<bool> {
    let n = stmt.execute(params![
        f.at,
        f.customer,
        f.segment,
        f.channel,
        f.ease,
        f.reliability,
        f.value,
        f.comment
    ])?;
    Ok(n > 0)
}

/// Feedback responses in a time range.
pub const SQL_FEEDBACK_BETWEEN: &str =
    "SELECT at, customer, segment, channel, ease, reliability, value, comment
    FROM feedback WHERE at >= ?1 AND at <= ?2 ORDER BY at";

impl Store {
    /// Feedback in `[from, to]`, oldest first.
    pub(crate) fn feedback_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<FeedbackRow>> {
        let mut stmt = self.conn().prepare_cached(SQL_FEEDBACK_BETWEEN)?;
        let rows = stmt.query_map(params![from, to], |r| {
            Ok(FeedbackRow {
                at: r.get(0)?,
                customer: r.get(1)?,
                segment: r.get(2)?,
                channel: r.get(3)?,
                ease: r.get(4)?,
                reliability: r.get(5)?,
                value: r.get(6)?,
                comment: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
