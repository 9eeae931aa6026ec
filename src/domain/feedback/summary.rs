//! Feedback aggregated for indicators and screens: means, response counts and
//! the share of low scores per group, and weekly series for charts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FeedbackInput;
use crate::domain::{Timestamp, DAY};

/// Seconds in a week.
pub const WEEK: i64 = 7 * DAY;

/// Most weeks a weekly series holds (20 years); a longer range keeps the latest.
pub const MAX_WEEKS: i64 = 1_040;

/// The group label of responses without a (non-blank) segment.
pub const NO_SEGMENT: &str = "(no segment)";

/// How responses are grouped in [`summarize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One group per segment; responses without one form [`NO_SEGMENT`].
    Segment,
    /// One group per channel (`survey`, `interview`, `support`).
    Channel,
    /// A single group, `all`.
    None,
}

/// Aggregates of one group of responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackSummary {
    /// The segment name (as recorded, unsanitised), the channel word, or `all`.
    pub group: String,
    /// Number of responses in the group (at least 1).
    pub responses: u32,
    /// Mean ease-of-use score, 1.0 to 5.0.
    pub mean_ease: f64,
    /// Mean perceived-reliability score, 1.0 to 5.0.
    pub mean_reliability: f64,
    /// Mean value-confirmation score, 1.0 to 5.0.
    pub mean_value: f64,
    /// Fraction (0.0 to 1.0, not percent) of responses with any score of 2 or
    /// below.
    pub low_share: f64,
}

/// Summarises responses per group. Groups are sorted by name, with
/// [`NO_SEGMENT`] last; groups without responses do not appear, so no rows
/// give an empty list. Scores are taken as stored (validate on the way in).
pub fn summarize(rows: &[FeedbackInput], group_by: GroupBy) -> Vec<FeedbackSummary> {
    // Key: (is the no-segment group, label) so that it sorts last.
    let mut groups: BTreeMap<(bool, String), Vec<&FeedbackInput>> = BTreeMap::new();
    for row in rows {
        let key = match group_by {
            GroupBy::None => (false, "all".to_string()),
            GroupBy::Channel => (false, row.channel.as_str().to_string()),
            GroupBy::Segment => match row.segment.as_deref().map(str::trim) {
                Some(s) if !s.is_empty() => (false, s.to_string()),
                _ => (true, NO_SEGMENT.to_string()),
            },
        };
        groups.entry(key).or_default().push(row);
    }
    groups
        .into_iter()
        .map(|((_, group), rows)| {
            let n = rows.len() as f64;
            let mean = |score: fn(&FeedbackInput) -> u8| {
                rows.iter().map(|r| f64::from(score(r))).sum::<f64>() / n
            };
            FeedbackSummary {
                group,
                responses: u32::try_from(rows.len()).unwrap_or(u32::MAX),
                mean_ease: mean(|r| r.ease),
                mean_reliability: mean(|r| r.reliability),
                mean_value: mean(|r| r.value),
                low_share: rows.iter().filter(|r| r.is_low()).count() as f64 / n,
            }
        })
        .collect()
}

/// Which score a weekly series follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    /// Ease of use.
    Ease,
    /// Perceived reliability.
    Reliability,
    /// Value confirmation.
    Value,
    /// The mean of the three scores of each response.
    Overall,
}

/// The Monday 00:00 UTC that starts the week containing `ts` (unix seconds).
pub fn week_start(ts: Timestamp) -> Timestamp {
    let days = ts.div_euclid(DAY);
    // 1970-01-01 was a Thursday: 3 days after a Monday.
    let since_monday = (days + 3).rem_euclid(7);
    (days - since_monday).saturating_mul(DAY)
}

/// Weekly means of the overall score (mean of ease, reliability and value)
/// for charts; see [`weekly_means_of`].
pub fn weekly_means(
    rows: &[FeedbackInput],
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, Option<f64>)> {
    weekly_means_of(rows, from, to, Score::Overall)
}

/// One point per week (Monday 00:00 UTC, from the week containing `from` up to
/// the last week that starts before `to`): the mean of `score` over responses
/// with `from <= at < to` in that week, or `None` for a week without any. The
/// first and last weeks may be partial. Empty when `to <= from`; at most
/// [`MAX_WEEKS`] points (the latest).
pub fn weekly_means_of(
    rows: &[FeedbackInput],
    from: Timestamp,
    to: Timestamp,
    score: Score,
) -> Vec<(Timestamp, Option<f64>)> {
    if to <= from {
        return Vec::new();
    }
    let mut first = i128::from(week_start(from));
    let week = i128::from(WEEK);
    let weeks = (i128::from(to) - first + week - 1) / week;
    if weeks > i128::from(MAX_WEEKS) {
        first += (weeks - i128::from(MAX_WEEKS)) * week;
    }
    let count = weeks.min(i128::from(MAX_WEEKS));
    // Per week: sum of scores and number of scores summed.
    let mut sums = vec![(0.0_f64, 0_u32); usize::try_from(count).unwrap_or(0)];
    for row in rows {
        if row.at < from || row.at >= to || i128::from(row.at) < first {
            continue;
        }
        let index = (i128::from(row.at) - first) / week;
        let Some(slot) = usize::try_from(index).ok().and_then(|i| sums.get_mut(i)) else {
            continue;
        };
        let (total, n) = match score {
            Score::Ease => (f64::from(row.ease), 1),
            Score::Reliability => (f64::from(row.reliability), 1),
            Score::Value => (f64::from(row.value), 1),
            Score::Overall => (
                f64::from(row.ease) + f64::from(row.reliability) + f64::from(row.value),
                3,
            ),
        };
        slot.0 += total;
        slot.1 += n;
    }
    sums.into_iter()
        .enumerate()
        .filter_map(|(i, (total, n))| {
            let start = i64::try_from(first + i128::try_from(i).ok()? * week).ok()?;
            Some((start, (n > 0).then(|| total / f64::from(n))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::response;
    use super::super::Channel;
    use super::*;

    /// Day numbers since 1970-01-01: 19842 = Monday 2024-04-29.
    const MON_APR_29: i64 = 19_842 * DAY;

    fn sample_rows() -> Vec<FeedbackInput> {
        let mut rows = vec![
            response(MON_APR_29 + DAY, 5, 4, 5),      // Tue, survey, smb
            response(MON_APR_29 + 2 * DAY, 4, 4, 3),  // Wed, survey, smb
            response(MON_APR_29 + 14 * DAY, 2, 5, 4), // interview, enterprise: low
            response(MON_APR_29 + 15 * DAY, 3, 1, 2), // support, no segment: low
            response(MON_APR_29 + 3_600, 4, 5, 5),    // survey, enterprise
        ];
        rows[0].segment = Some("smb".into());
        rows[1].segment = Some("smb".into());
        rows[2].segment = Some("enterprise".into());
        rows[2].channel = Channel::Interview;
        rows[3].channel = Channel::Support;
        rows[3].segment = Some("  ".into());
        rows[4].segment = Some("enterprise".into());
        rows
    }

    fn summary(group: &str, n: u32, means: (f64, f64, f64), low: f64) -> FeedbackSummary {
        FeedbackSummary {
            group: group.into(),
            responses: n,
            mean_ease: means.0,
            mean_reliability: means.1,
            mean_value: means.2,
            low_share: low,
        }
    }

    #[test]
    fn summary_of_all_responses() {
        // ease (5+4+2+3+4)/5 = 3.6; reliability (4+4+5+1+5)/5 = 3.8;
        // value (5+3+4+2+5)/5 = 3.8; 2 of 5 responses have a score <= 2 → 0.4.
        assert_eq!(
            summarize(&sample_rows(), GroupBy::None),
            vec![summary("all", 5, (3.6, 3.8, 3.8), 0.4)]
        );
    }

    #[test]
    fn summary_per_segment_with_the_unsegmented_last() {
        // enterprise: (2,5,4) and (4,5,5) → 3, 5, 4.5, 1 low of 2;
        // smb: (5,4,5) and (4,4,3) → 4.5, 4, 4, none low; blank segment → no segment.
        assert_eq!(
            summarize(&sample_rows(), GroupBy::Segment),
            vec![
                summary("enterprise", 2, (3.0, 5.0, 4.5), 0.5),
                summary("smb", 2, (4.5, 4.0, 4.0), 0.0),
                summary(NO_SEGMENT, 1, (3.0, 1.0, 2.0), 1.0),
            ]
        );
    }

    #[test]
    fn summary_per_channel() {
        // survey: (5,4,5), (4,4,3), (4,5,5) → 13/3 each, none low.
        assert_eq!(
            summarize(&sample_rows(), GroupBy::Channel),
            vec![
                summary("interview", 1, (2.0, 5.0, 4.0), 1.0),
                summary("support", 1, (3.0, 1.0, 2.0), 1.0),
                summary("survey", 3, (13.0 / 3.0, 13.0 / 3.0, 13.0 / 3.0), 0.0),
            ]
        );
        assert!(summarize(&[], GroupBy::None).is_empty());
    }

    #[test]
    fn weeks_start_on_monday_utc() {
        assert_eq!(week_start(MON_APR_29), MON_APR_29);
        assert_eq!(week_start(MON_APR_29 + 6 * DAY + 86_399), MON_APR_29);
        assert_eq!(week_start(MON_APR_29 - 1), MON_APR_29 - WEEK);
        // 1970-01-01 (Thursday) belongs to the week of Monday 1969-12-29.
        assert_eq!(week_start(0), -3 * DAY);
        assert_eq!(week_start(-1), -3 * DAY);
        let _ = week_start(i64::MIN);
        let _ = week_start(i64::MAX);
    }

    #[test]
    fn weekly_series_with_empty_weeks() {
        let rows = sample_rows();
        // From Tuesday 05:00 (excludes the Monday 01:00 response) to Monday May 20.
        let from = MON_APR_29 + DAY + 5 * 3_600;
        let to = MON_APR_29 + 21 * DAY;
        // Week 1: only Wed (4,4,3) counts — Tue 00:00 is before `from`: 11/3.
        // Week 2: nothing. Week 3: (2,5,4) and (3,1,2) → 17 / 6.
        assert_eq!(
            weekly_means(&rows, from, to),
            vec![
                (MON_APR_29, Some(11.0 / 3.0)),
                (MON_APR_29 + WEEK, None),
                (MON_APR_29 + 2 * WEEK, Some(17.0 / 6.0)),
            ]
        );
        // From Monday 00:00: week 1 holds (4,5,5), (5,4,5), (4,4,3) → ease 13/3.
        assert_eq!(
            weekly_means_of(&rows, MON_APR_29, MON_APR_29 + WEEK, Score::Ease),
            vec![(MON_APR_29, Some(13.0 / 3.0))]
        );
        // `to` is exclusive: a response exactly at `to` is left out.
        assert_eq!(
            weekly_means_of(&rows, MON_APR_29, MON_APR_29 + 14 * DAY, Score::Reliability)[1],
            (MON_APR_29 + WEEK, None)
        );
    }

    #[test]
    fn weekly_series_edges() {
        assert!(weekly_means(&sample_rows(), 10, 10).is_empty());
        assert!(weekly_means(&sample_rows(), 10, 5).is_empty());
        let long = weekly_means(&sample_rows(), i64::MIN, i64::MAX);
        assert_eq!(long.len(), MAX_WEEKS as usize);
        assert!(long.iter().all(|(_, v)| v.is_none()));
    }
}
