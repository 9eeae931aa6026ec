//! Structured customer feedback.

use super::{Result, Store, Tx};
use crate::domain::Timestamp;
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// One feedback response: three scores of 1–5 and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRow {
    pub at: Timestamp,
    pub customer: Option<String>,
    pub segment: Option<String>,
    /// `survey`, `interview` or `support`.
    pub channel: String,
    pub ease: u8,
    pub reliability: u8,
    pub value: u8,
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
pub fn insert_feedback(tx: &Tx<'_>, f: &FeedbackRow) -> Result<bool> {
    let n = tx.prepare_cached(
        "INSERT OR IGNORE INTO feedback (at, customer, segment, channel, ease, reliability, value, comment)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![f.at, f.customer, f.segment, f.channel, f.ease, f.reliability, f.value, f.comment])?;
    Ok(n > 0)
}

/// Feedback responses in a time range.
pub const SQL_FEEDBACK_BETWEEN: &str =
    "SELECT at, customer, segment, channel, ease, reliability, value, comment
    FROM feedback WHERE at >= ?1 AND at <= ?2 ORDER BY at";

impl Store {
    /// Feedback in `[from, to]`, oldest first.
    pub fn feedback_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<FeedbackRow>> {
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
