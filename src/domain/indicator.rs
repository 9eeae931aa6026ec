//! Indicators: a named measure with a standard definition, thresholds and a
//! window; its status is computed here from plain values.

use super::{Status, Timestamp, DAY};
use serde::{Deserialize, Serialize};

/// Leading indicators predict risk; lagging indicators validate success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Predicts risk before customers feel it (queue length, utilisation).
    Leading,
    /// Confirms success after the fact (on-time rate, satisfaction).
    Lagging,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (on-time rate, satisfaction).
    Higher,
    /// Less is better (cycle time, error rate).
    Lower,
}

/// How the values inside the window are combined into one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// The most recent value.
    Last,
    /// Arithmetic mean.
    Mean,
    /// Total.
    Sum,
    /// Median (linear interpolation between closest ranks).
    P50,
    /// 90th percentile (linear interpolation between closest ranks).
    P90,
    /// Sum per day of window: `sum / window_days` (events or units per day).
    Rate,
}

/// Where an indicator's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Values recorded by hand, script or import.
    Observations,
    /// Derived from work items of one kind (see [`super::flow::Metric`]).
    WorkItems,
    /// Derived from structured customer feedback.
    Feedback,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            /// The word used in files, the database and on screen.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            /// Parses the word written by [`Self::as_str`].
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($s => Some(Self::$v),)+ _ => None }
            }
        }
    };
}
text_enum!(Kind { Leading => "leading", Lagging => "lagging" });
text_enum!(Direction { Higher => "higher", Lower => "lower" });
text_enum!(Aggregation { Last => "last", Mean => "mean", Sum => "sum", P50 => "p50", P90 => "p90", Rate => "rate" });
text_enum!(Source { Observations => "observations", WorkItems => "work_items", Feedback => "feedback" });

/// The definition of an indicator, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDef {
    /// Stable identifier used on the command line (`on_time_rate`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// One sentence that says exactly what is counted.
    pub definition: String,
    /// Leading (predicts risk) or lagging (confirms success).
    pub kind: Kind,
    /// Unit shown after the value (`h`, `%`, `items`).
    pub unit: String,
    /// Whether higher or lower values are better.
    pub direction: Direction,
    /// How the values inside the window become one number.
    pub aggregation: Aggregation,
    /// Window length in seconds over which values are aggregated.
    pub window_secs: i64,
    /// The value aimed for, in `unit`.
    pub target: f64,
    /// Reaching this value (or worse) is `warn`.
    pub warn: f64,
    /// Reaching this value (or worse) is `breach`.
    pub breach: f64,
    /// Role that owns the indicator.
    pub owner_role: String,
    /// Where the values come from: observations, work items or feedback.
    pub source: Source,
    /// For derived indicators: the metric name (`cycle_time`, `on_time`, ...).
    pub metric: Option<String>,
    /// For work-item indicators: the work kind (`order`, `ticket`).
    pub work_kind: Option<String>,
    /// Lowest plausible value, when set (see [`super::plausible`]).
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest plausible value, when set (see [`super::plausible`]).
    #[serde(default)]
    pub max: Option<f64>,
    /// Fewest values in the window before the indicator has a status
    /// (`None`: [`IndicatorDef::min_events`] picks the default).
    #[serde(default)]
    pub min_events: Option<u32>,
}

/// Default `min_events` of indicators derived from work items or feedback:
/// one late order out of two is not a status.
pub(crate) const DEFAULT_DERIVED_MIN_EVENTS: u32 = 5;

impl IndicatorDef {
    /// Fewest values the window needs before the indicator has a status:
    /// the defined `min_events`, else 5 for work-item and feedback
    /// indicators and 1 for recorded ones.
    pub fn min_events(&self) -> u32 {
        self.min_events.unwrap_or(match self.source {
            Source::Observations => 1,
            Source::WorkItems | Source::Feedback => DEFAULT_DERIVED_MIN_EVENTS,
        })
    }

    /// Checks that the thresholds are ordered for the direction:
    /// higher-is-better needs `target >= warn >= breach`, lower-is-better the
    /// reverse; all finite; a positive window.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("target", self.target),
            ("warn", self.warn),
            ("breach", self.breach),
        ] {
            if !v.is_finite() {
                return Err(format!("{name}: must be a finite number"));
            }
        }
        if self.window_secs <= 0 {
            return Err("window: must be positive".into());
        }
        if self.min_events == Some(0) {
            return Err("min_events: must be at least 1".into());
        }
        let ordered = match self.direction {
            Direction::Higher => self.target >= self.warn && self.warn >= self.breach,
            Direction::Lower => self.target <= self.warn && self.warn <= self.breach,
        };
        if !ordered {
            return Err(format!(
                "thresholds: with direction '{}' they must be ordered target {} warn {} breach",
                self.direction.as_str(),
                if self.direction == Direction::Higher {
                    ">="
                } else {
                    "<="
                },
                if self.direction == Direction::Higher {
                    ">="
                } else {
                    "<="
                },
            ));
        }
        Ok(())
    }
}

/// Status of `value` against the thresholds, direction-aware. Reaching a
/// threshold counts: for higher-is-better `value <= breach` is a breach and
/// `value <= warn` a warning; for lower-is-better `>=`. `None` is `NoData`.
pub(crate) fn status_of(
    value: Option<f64>,
    direction: Direction,
    warn: f64,
    breach: f64,
) -> Status {
    let Some(v) = value else {
        return Status::NoData;
    };
    if !v.is_finite() {
        return Status::NoData;
    }
    match direction {
        Direction::Higher if v <= breach => Status::Breach,
        Direction::Higher if v <= warn => Status::Warn,
        Direction::Lower if v >= breach => Status::Breach,
        Direction::Lower if v >= warn => Status::Warn,
        _ => Status::Ok,
    }
}

/// Combines the values of one window. `points` are `(at, value)` pairs in
/// recording order (any order of times); `window_secs` is needed by `rate`.
/// For `last`, the latest time wins and, among equal times, the value
/// recorded last (later in `points`), never the larger one. An empty window
/// gives `None`.
pub(crate) fn aggregate(
    points: &[(Timestamp, f64)],
    aggregation: Aggregation,
    window_secs: i64,
) -> Option<f64> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    match aggregation {
        Aggregation::Last => points.iter().max_by_key(|(at, _)| *at).map(|(_, v)| *v),
        Aggregation::Mean => Some(points.iter().map(|(_, v)| v).sum::<f64>() / n),
        Aggregation::Sum => Some(points.iter().map(|(_, v)| v).sum()),
        Aggregation::Rate => {
            let days = window_secs as f64 / DAY as f64;
            Some(points.iter().map(|(_, v)| v).sum::<f64>() / days)
        }
        Aggregation::P50 => percentile(points.iter().map(|(_, v)| *v).collect(), 0.5),
        Aggregation::P90 => percentile(points.iter().map(|(_, v)| *v).collect(), 0.9),
    }
}

/// The `q` quantile (0..=1) with linear interpolation between closest ranks
/// (the method numpy and spreadsheets use by default). `None` when empty.
pub(crate) fn percentile(mut values: Vec<f64>, q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let rank = q.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let frac = rank - lo as f64;
    Some(values[lo] + (values[hi] - values[lo]) * frac)
}

/// How the current window compares with the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Moved more than 1 % the good way.
    Better,
    /// Moved more than 1 % the bad way.
    Worse,
    /// Within 1 % of the previous window.
    Flat,
    /// One of the two windows has no data.
    Unknown,
}

impl Trend {
    /// Arrow plus a word-free symbol for screens.
    pub fn arrow(self, value_up: bool) -> &'static str {
        match self {
            Trend::Flat => "→",
            Trend::Unknown => " ",
            _ if value_up => "↑",
            _ => "↓",
        }
    }
}

/// Trend of `current` against `previous`: changes within 1 % of the previous
/// magnitude (or 1e-9 absolute) are flat; otherwise better or worse by direction.
pub fn trend(current: Option<f64>, previous: Option<f64>, direction: Direction) -> Trend {
    let (Some(c), Some(p)) = (current, previous) else {
        return Trend::Unknown;
    };
    let tolerance = (p.abs() * 0.01).max(1e-9);
    if (c - p).abs() <= tolerance {
        return Trend::Flat;
    }
    let up = c > p;
    match (up, direction) {
        (true, Direction::Higher) | (false, Direction::Lower) => Trend::Better,
        _ => Trend::Worse,
    }
}

/// Splits `[from, to)` into `buckets` equal slices and aggregates the points
/// of each: the data behind a sparkline. Empty slices are `None`.
pub(crate) fn bucketed(
    points: &[(Timestamp, f64)],
    aggregation: Aggregation,
    from: Timestamp,
    to: Timestamp,
    buckets: usize,
) -> Vec<Option<f64>> {
    if buckets == 0 || to <= from {
        return Vec::new();
    }
    let span = (to - from) as f64 / buckets as f64;
    let mut groups: Vec<Vec<(Timestamp, f64)>> = vec![Vec::new(); buckets];
    for &(at, v) in points {
        if at < from || at >= to {
            continue;
        }
        let i = (((at - from) as f64) / span) as usize;
        groups[i.min(buckets - 1)].push((at, v));
    }
    let slice_secs = span.max(1.0) as i64;
    groups
        .iter()
        .map(|g| aggregate(g, aggregation, slice_secs))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(vals: &[f64]) -> Vec<(Timestamp, f64)> {
        vals.iter()
            .enumerate()
            .map(|(i, v)| (i as i64 * 10, *v))
            .collect()
    }

    #[test]
    fn every_aggregation_on_a_worked_example() {
        // Values 1..=10 at t = 0, 10, ..., 90.
        let p = pts(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]);
        assert_eq!(aggregate(&p, Aggregation::Last, DAY), Some(3.0));
        assert_eq!(aggregate(&p, Aggregation::Sum, DAY), Some(39.0));
        assert_eq!(aggregate(&p, Aggregation::Mean, DAY), Some(3.9));
        // sorted: 1 1 2 3 3 4 5 5 6 9; p50 rank 4.5 -> (3+4)/2
        assert_eq!(aggregate(&p, Aggregation::P50, DAY), Some(3.5));
        // p90 rank 8.1 -> 6 + 0.1 * (9 - 6) = 6.3
        let p90 = aggregate(&p, Aggregation::P90, DAY).unwrap();
        assert!((p90 - 6.3).abs() < 1e-9, "{p90}");
        // rate: 39 over a 3-day window = 13 per day
        assert_eq!(aggregate(&p, Aggregation::Rate, 3 * DAY), Some(13.0));
    }

    #[test]
    fn last_takes_the_latest_time_not_the_last_position() {
        let p = vec![(50, 1.0), (90, 7.0), (10, 3.0)];
        assert_eq!(aggregate(&p, Aggregation::Last, DAY), Some(7.0));
    }

    #[test]
    fn last_among_equal_times_is_the_one_recorded_last_not_the_largest() {
        // A correction (2.0) recorded after a larger value at the same time.
        let p = vec![(10, 1.0), (50, 9.0), (50, 2.0)];
        assert_eq!(aggregate(&p, Aggregation::Last, DAY), Some(2.0));
        let p = vec![(50, 2.0), (50, 9.0)];
        assert_eq!(aggregate(&p, Aggregation::Last, DAY), Some(9.0));
    }

    #[test]
    fn empty_window_has_no_value_and_no_data_status() {
        for a in [
            Aggregation::Last,
            Aggregation::Mean,
            Aggregation::Sum,
            Aggregation::P50,
            Aggregation::P90,
            Aggregation::Rate,
        ] {
            assert_eq!(aggregate(&[], a, DAY), None);
        }
        assert_eq!(
            status_of(None, Direction::Higher, 90.0, 80.0),
            Status::NoData
        );
        assert_eq!(
            status_of(Some(f64::NAN), Direction::Higher, 90.0, 80.0),
            Status::NoData
        );
    }

    #[test]
    fn single_value_percentiles() {
        assert_eq!(percentile(vec![4.0], 0.9), Some(4.0));
        assert_eq!(percentile(vec![], 0.5), None);
    }

    #[test]
    fn status_higher_is_better_at_the_edges() {
        let s = |v| status_of(Some(v), Direction::Higher, 90.0, 80.0);
        assert_eq!(s(95.0), Status::Ok);
        assert_eq!(s(90.000_001), Status::Ok);
        assert_eq!(s(90.0), Status::Warn);
        assert_eq!(s(80.000_001), Status::Warn);
        assert_eq!(s(80.0), Status::Breach);
        assert_eq!(s(0.0), Status::Breach);
    }

    #[test]
    fn status_lower_is_better_at_the_edges() {
        let s = |v| status_of(Some(v), Direction::Lower, 48.0, 72.0);
        assert_eq!(s(10.0), Status::Ok);
        assert_eq!(s(47.999), Status::Ok);
        assert_eq!(s(48.0), Status::Warn);
        assert_eq!(s(71.999), Status::Warn);
        assert_eq!(s(72.0), Status::Breach);
    }

    #[test]
    fn trend_is_direction_aware() {
        assert_eq!(
            trend(Some(95.0), Some(90.0), Direction::Higher),
            Trend::Better
        );
        assert_eq!(
            trend(Some(95.0), Some(90.0), Direction::Lower),
            Trend::Worse
        );
        assert_eq!(trend(Some(90.5), Some(90.0), Direction::Lower), Trend::Flat);
        assert_eq!(trend(None, Some(90.0), Direction::Lower), Trend::Unknown);
    }

    #[test]
    fn buckets_split_the_window() {
        let p = vec![(0, 1.0), (5, 3.0), (10, 10.0), (39, 2.0), (40, 99.0)];
        let b = bucketed(&p, Aggregation::Mean, 0, 40, 4);
        assert_eq!(b, vec![Some(2.0), Some(10.0), None, Some(2.0)]);
    }

    #[test]
    fn thresholds_must_be_ordered_for_the_direction() {
        let mut d = IndicatorDef {
            key: "k".into(),
            name: "n".into(),
            definition: "d".into(),
            kind: Kind::Leading,
            unit: "%".into(),
            direction: Direction::Higher,
            aggregation: Aggregation::Mean,
            window_secs: DAY,
            target: 95.0,
            warn: 90.0,
            breach: 80.0,
            owner_role: "ops".into(),
            min_events: None,
            source: Source::Observations,
            metric: None,
            work_kind: None,
            min: None,
            max: None,
        };
        assert!(d.validate().is_ok());
        d.direction = Direction::Lower;
        assert!(d.validate().is_err());
        d.direction = Direction::Higher;
        d.warn = f64::INFINITY;
        assert!(d.validate().is_err());
    }
}
