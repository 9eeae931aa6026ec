//! Values far from their indicator's recent behaviour, for a person to
//! review (a wrong unit, a feed that doubled its rows). The rule is robust
//! to the outliers it looks for: the median of the recent values ± `K`
//! times their median absolute deviation (MAD, scaled by 1.4826 so that it
//! estimates the standard deviation of normal data), once there are at
//! least `MIN_COUNT` recent values. When the recent values barely vary
//! (MAD ≈ 0), a value counts as far when it differs from the median by
//! more than `FLAT_RATIO` of the median's magnitude. Such values are kept
//! and marked, never refused.

/// How many scaled MADs from the median a value may be before it is marked.
pub(crate) const K: f64 = 5.0;
/// How many of an indicator's newest values a new value is judged against.
pub(crate) const RECENT_VALUES: usize = 30;
/// How many recent values the rule needs before it judges.
pub(crate) const MIN_COUNT: usize = 8;
/// Scale from MAD to a standard-deviation estimate for normal data.
pub(crate) const MAD_SCALE: f64 = 1.482_6;
/// For flat recent values: the relative change that counts as far.
pub(crate) const FLAT_RATIO: f64 = 0.5;

/// Why a value was marked for review.
#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    /// The median of the recent values.
    pub median: f64,
    /// The band the value fell outside: `(low, high)`.
    pub band: (f64, f64),
    /// How many recent values the judgement used.
    pub count: usize,
}

impl Anomaly {
    /// One line for the detail and the standup: `far from the recent median
    /// 4.1 (usual 3.2 – 5.0, 30 values)`.
    pub(crate) fn describe(&self) -> String {
        format!(
            "far from the recent median {} (usual {} – {}, {} values)",
            crate::format::number(self.median),
            crate::format::number(self.band.0),
            crate::format::number(self.band.1),
            self.count
        )
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Judges `value` against `recent` (the indicator's values in its window
/// before this one, any order). `None`: plausible, or too few values to say.
pub fn judge(value: f64, recent: &[f64]) -> Option<Anomaly> {
    let mut xs: Vec<f64> = recent.iter().copied().filter(|x| x.is_finite()).collect();
    if xs.len() < MIN_COUNT || !value.is_finite() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let m = median(&xs);
    let mut dev: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = median(&dev) * MAD_SCALE;
    let half = if mad > f64::EPSILON * m.abs().max(1.0) {
        K * mad
    } else {
        FLAT_RATIO * m.abs().max(f64::EPSILON)
    };
    let band = (m - half, m + half);
    (value < band.0 || value > band.1).then_some(Anomaly {
        median: m,
        band,
        count: xs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A month of first-response times in hours, with ordinary noise.
    const HOURS: [f64; 12] = [3.1, 4.2, 3.8, 2.9, 4.6, 3.5, 4.0, 3.3, 5.1, 3.9, 4.4, 3.6];

    #[test]
    fn a_value_in_minutes_instead_of_hours_is_caught() {
        let a = judge(380.0, &HOURS).expect("a 100x jump is far");
        assert!((a.median - 3.85).abs() < 1e-9, "{a:?}");
        assert!(a.band.1 < 10.0, "{a:?}");
        assert_eq!(a.count, 12);
        assert!(judge(0.038, &HOURS).is_some(), "a 100x drop too");
    }

    #[test]
    fn ordinary_and_edge_values_pass() {
        for v in [2.5, 3.85, 5.9, 6.0] {
            assert_eq!(judge(v, &HOURS), None, "{v}");
        }
        assert_eq!(
            judge(380.0, &HOURS[..MIN_COUNT - 1]),
            None,
            "too few values to judge"
        );
    }

    #[test]
    fn one_earlier_outlier_does_not_widen_the_band() {
        let mut with_outlier = HOURS.to_vec();
        with_outlier.push(500.0);
        assert!(
            judge(380.0, &with_outlier).is_some(),
            "the median and MAD ignore it"
        );
    }

    #[test]
    fn flat_recent_values_use_a_relative_band() {
        let flat = [100.0; 10];
        assert_eq!(judge(140.0, &flat), None);
        assert!(judge(151.0, &flat).is_some());
        assert!(
            judge(10_000.0, &[0.0; 10]).is_some(),
            "from a flat zero, anything sizeable"
        );
    }
}
