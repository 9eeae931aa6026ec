//! Customer feedback: structured responses after a trial or an interaction
//! (ease of use, perceived reliability, value confirmation, 1–5 each), their
//! validation, and their aggregation into means, counts and low-score shares.

#![warn(missing_docs)]

mod summary;

pub use summary::{
    summarize, week_start, weekly_means, weekly_means_of, FeedbackSummary, GroupBy, Score,
    MAX_WEEKS, NO_SEGMENT, WEEK,
};

use serde::{Deserialize, Serialize};

use super::experiment::text_error;
use super::Timestamp;
use crate::text::sanitize_truncate;

/// Lowest allowed score.
pub(crate) const MIN_SCORE: u8 = 1;
/// Highest allowed score.
pub(crate) const MAX_SCORE: u8 = 5;
/// A score at or below this is a low score (counted in the low share).
pub(crate) const LOW_SCORE: u8 = 2;
/// Most characters (not bytes) in a comment, segment or customer name.
pub const MAX_COMMENT_CHARS: usize = super::limits::MAX_TEXT;

/// Where a response came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A survey after a trial or delivery (the default).
    #[default]
    Survey,
    /// A conversation with the customer.
    Interview,
    /// Gathered through a support contact.
    Support,
}

impl Channel {
    /// Every channel, in the order they are offered.
    pub(crate) const ALL: [Channel; 3] = [Channel::Survey, Channel::Interview, Channel::Support];

    /// The word used on the command line, in imports and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Survey => "survey",
            Channel::Interview => "interview",
            Channel::Support => "support",
        }
    }

    /// Parses `survey`, `interview` or `support` (case-insensitive, trimmed).
    pub fn parse(text: &str) -> Result<Channel, String> {
        let t = text.trim().to_ascii_lowercase();
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| {
                format!(
                    "'{}' is not a feedback channel (expected survey, interview or support)",
                    sanitize_truncate(text, 40)
                )
            })
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::parse(s)
    }
}

/// One feedback response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackInput {
    /// When the response was given (unix seconds, UTC).
    pub at: Timestamp,
    /// Ease of use, 1 (very hard) to 5 (very easy).
    pub ease: u8,
    /// Perceived reliability, 1 (unreliable) to 5 (fully reliable).
    pub reliability: u8,
    /// Value confirmation, 1 (not worth it) to 5 (clearly worth it).
    pub value: u8,
    /// Where the response came from.
    pub channel: Channel,
    /// The customer segment, if known (same names as on work items).
    pub segment: Option<String>,
    /// The customer, if known.
    pub customer: Option<String>,
    /// Free text; at most [`MAX_COMMENT_CHARS`] characters. Hostile until
    /// sanitised for display.
    pub comment: Option<String>,
}

impl FeedbackInput {
    /// The mean of the three scores (1.0 to 5.0).
    pub(crate) fn overall(&self) -> f64 {
        (f64::from(self.ease) + f64::from(self.reliability) + f64::from(self.value)) / 3.0
    }

    /// True when any of the three scores is [`LOW_SCORE`] or below.
    pub(crate) fn is_low(&self) -> bool {
        self.ease <= LOW_SCORE || self.reliability <= LOW_SCORE || self.value <= LOW_SCORE
    }
}

/// Reads a score as typed (`--ease 4`, an imported field): a whole number from
/// 1 to 5, surrounding spaces ignored. `field` names the score in the message,
/// e.g. `ease must be a whole number from 1 to 5, got '3.5'` or
/// `ease must be from 1 to 5, got 6`.
pub(crate) fn validate_score(field: &str, text: &str) -> Result<u8, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!(
            "{field} is missing: give a whole number from {MIN_SCORE} to {MAX_SCORE}"
        ));
    }
    if !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{field} must be a whole number from {MIN_SCORE} to {MAX_SCORE}, got '{}'",
            sanitize_truncate(t, 20)
        ));
    }
    match t.parse::<u8>() {
        Ok(n) if (MIN_SCORE..=MAX_SCORE).contains(&n) => Ok(n),
        _ => Err(format!(
            "{field} must be from {MIN_SCORE} to {MAX_SCORE}, got {}",
            sanitize_truncate(t, 20)
        )),
    }
}

/// Checks a whole response (for rows built without [`validate_score`], e.g.
/// from JSON): every score 1–5, comment, segment and customer at most
/// [`MAX_COMMENT_CHARS`] characters. Returns every problem found.
pub(crate) fn validate_feedback(row: &FeedbackInput) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (field, score) in [
        ("ease", row.ease),
        ("reliability", row.reliability),
        ("value", row.value),
    ] {
        if !(MIN_SCORE..=MAX_SCORE).contains(&score) {
            errors.push(format!(
                "{field} must be from {MIN_SCORE} to {MAX_SCORE}, got {score}"
            ));
        }
    }
    for (field, text) in [
        ("comment", &row.comment),
        ("segment", &row.segment),
        ("customer", &row.customer),
    ] {
        if let Some(text) = text {
            errors.extend(text_error(field, text, false));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A survey response with the given scores at `at`.
    pub(crate) fn response(at: Timestamp, ease: u8, reliability: u8, value: u8) -> FeedbackInput {
        FeedbackInput {
            at,
            ease,
            reliability,
            value,
            channel: Channel::Survey,
            segment: None,
            customer: None,
            comment: None,
        }
    }

    #[test]
    fn scores_one_to_five_are_accepted() {
        for (text, n) in [("1", 1), ("3", 3), (" 5 ", 5), ("05", 5)] {
            assert_eq!(validate_score("ease", text), Ok(n));
        }
    }

    #[test]
    fn out_of_range_and_non_numbers_are_refused_clearly() {
        assert_eq!(
            validate_score("ease", "0"),
            Err("ease must be from 1 to 5, got 0".into())
        );
        assert_eq!(
            validate_score("reliability", "6"),
            Err("reliability must be from 1 to 5, got 6".into())
        );
        assert_eq!(
            validate_score("value", "abc"),
            Err("value must be a whole number from 1 to 5, got 'abc'".into())
        );
        assert_eq!(
            validate_score("ease", "3.5"),
            Err("ease must be a whole number from 1 to 5, got '3.5'".into())
        );
        for bad in ["-1", "+3", "999", "1e0", "٣"] {
            let e = validate_score("ease", bad).unwrap_err();
            assert!(
                e.starts_with("ease must be") && e.contains("1 to 5"),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            validate_score("ease", "  "),
            Err("ease is missing: give a whole number from 1 to 5".into())
        );
        let e = validate_score("ease", "\x1b[2J").unwrap_err();
        assert!(!e.contains('\x1b'), "{e:?}");
    }

    #[test]
    fn whole_responses_are_checked() {
        assert_eq!(validate_feedback(&response(0, 1, 3, 5)), Ok(()));
        let mut r = response(0, 0, 6, 3);
        r.comment = Some("c".repeat(MAX_COMMENT_CHARS + 1));
        assert_eq!(
            validate_feedback(&r),
            Err(vec![
                "ease must be from 1 to 5, got 0".to_string(),
                "reliability must be from 1 to 5, got 6".to_string(),
                "comment is 2001 characters long; at most 2000 are allowed".to_string(),
            ])
        );
        r = response(0, 3, 3, 3);
        r.comment = Some("ü".repeat(MAX_COMMENT_CHARS));
        assert_eq!(validate_feedback(&r), Ok(()));
    }

    #[test]
    fn channels() {
        assert_eq!(Channel::parse("Interview"), Ok(Channel::Interview));
        assert_eq!("support".parse::<Channel>(), Ok(Channel::Support));
        assert_eq!(Channel::default(), Channel::Survey);
        let e = Channel::parse("email").unwrap_err();
        assert!(e.contains("survey, interview or support"), "{e}");
    }

    #[test]
    fn low_and_overall() {
        assert!(response(0, 2, 5, 5).is_low());
        assert!(!response(0, 3, 3, 3).is_low());
        assert_eq!(response(0, 5, 4, 3).overall(), 4.0);
    }
}
