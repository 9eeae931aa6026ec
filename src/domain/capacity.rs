//! Capacity and utilisation: the early-warning bands (warn in the 60–70 %
//! band, breach at 90 %, not at 100 % when customers already feel it) and a
//! simple trend forecast of when utilisation crosses the warn band.

use super::{Status, Timestamp, DAY};
use serde::{Deserialize, Serialize};

/// Units of work a team can handle per day for one work kind, and its bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// Work kind it applies to (`order`, `ticket`, ...), as on the work items.
    pub work_kind: String,
    /// Units the team can handle per day.
    pub units_per_day: f64,
    /// Utilisation (0–1) from which the kind is in the warn band (default 0.6).
    pub warn_at: f64,
    /// Utilisation (0–1) from which the kind is in breach (default 0.9).
    pub breach_at: f64,
}

/// Utilisation = demand / capacity, both per day. `None` without capacity.
pub fn utilisation(demand_per_day: f64, units_per_day: f64) -> Option<f64> {
    (units_per_day > 0.0 && demand_per_day.is_finite()).then(|| demand_per_day / units_per_day)
}

/// Band of a utilisation (0–1): reaching `warn_at` is warn, reaching
/// `breach_at` is breach.
pub fn band(utilisation: Option<f64>, cap: &Capacity) -> Status {
    match utilisation {
        None => Status::NoData,
        Some(u) if u >= cap.breach_at => Status::Breach,
        Some(u) if u >= cap.warn_at => Status::Warn,
        Some(_) => Status::Ok,
    }
}

/// Least-squares line through `(t, utilisation)` points: `(slope per second,
/// intercept)`. `None` with fewer than two distinct times.
pub(crate) fn linear_fit(points: &[(Timestamp, f64)]) -> Option<(f64, f64)> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let t0 = points[0].0 as f64;
    let mx = points.iter().map(|(t, _)| *t as f64 - t0).sum::<f64>() / n;
    let my = points.iter().map(|(_, v)| *v).sum::<f64>() / n;
    let sxx: f64 = points
        .iter()
        .map(|(t, _)| (*t as f64 - t0 - mx).powi(2))
        .sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points
        .iter()
        .map(|(t, v)| (*t as f64 - t0 - mx) * (v - my))
        .sum();
    let slope = sxy / sxx;
    Some((slope, my - slope * (mx + t0)))
}

/// When the trend line of daily utilisation crosses `level` (0–1), looking
/// at most `horizon_days` ahead of `now`. Returns `Some(now)` when the fitted
/// value at `now` is already at or past the level, `None` when the trend is
/// flat or falling below it, or the crossing is beyond the horizon.
pub(crate) fn forecast_crossing(
    points: &[(Timestamp, f64)],
    level: f64,
    now: Timestamp,
    horizon_days: i64,
) -> Option<Timestamp> {
    let (slope, intercept) = linear_fit(points)?;
    let at_now = slope * now as f64 + intercept;
    if at_now >= level {
        return Some(now);
    }
    if slope <= 0.0 {
        return None;
    }
    let t = ((level - intercept) / slope).ceil() as i64;
    (t <= now + horizon_days * DAY).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap() -> Capacity {
        Capacity {
            work_kind: "order".into(),
            units_per_day: 10.0,
            warn_at: 0.6,
            breach_at: 0.9,
        }
    }

    #[test]
    fn bands_at_the_edges() {
        assert_eq!(band(utilisation(5.9, 10.0), &cap()), Status::Ok);
        assert_eq!(band(utilisation(6.0, 10.0), &cap()), Status::Warn);
        assert_eq!(band(utilisation(8.99, 10.0), &cap()), Status::Warn);
        assert_eq!(band(utilisation(9.0, 10.0), &cap()), Status::Breach);
        assert_eq!(band(utilisation(1.0, 0.0), &cap()), Status::NoData);
    }

    #[test]
    fn forecast_of_a_rising_line() {
        // 0.30 on day 0 rising 0.05 a day: 0.60 is crossed on day 6.
        let pts: Vec<(Timestamp, f64)> =
            (0..5).map(|d| (d * DAY, 0.30 + 0.05 * d as f64)).collect();
        let t = forecast_crossing(&pts, 0.6, 4 * DAY, 90).unwrap();
        assert!((t - 6 * DAY).abs() <= 1, "{t}");
        // Beyond the horizon.
        assert_eq!(forecast_crossing(&pts, 0.6, 4 * DAY, 1), None);
        // Already past.
        assert_eq!(forecast_crossing(&pts, 0.4, 4 * DAY, 90), Some(4 * DAY));
        // Falling.
        let down: Vec<(Timestamp, f64)> =
            (0..5).map(|d| (d * DAY, 0.5 - 0.05 * d as f64)).collect();
        assert_eq!(forecast_crossing(&down, 0.6, 4 * DAY, 90), None);
        assert_eq!(forecast_crossing(&pts[..1], 0.6, 0, 90), None);
    }
}
