//! Plausible values: the range a recorded value must fall in. Each indicator
//! may set `min` and `max`; without them a `%` indicator is 0–100 and a
//! duration (h, m, min, s, d) is at least 0. Values beyond [`MAX_MAGNITUDE`]
//! or dated more than [`MAX_FUTURE_SECS`] ahead are refused unless forced.

use super::indicator::{IndicatorDef, Source};
use super::{Timestamp, DAY};

/// Largest magnitude accepted without `--force` (a typo of a few digits too many).
pub(crate) const MAX_MAGNITUDE: f64 = 1e15;

/// How far in the future a value may be dated without `--force`: one day.
pub(crate) const MAX_FUTURE_SECS: i64 = DAY;

/// Units that measure a duration, so their values cannot be negative.
const DURATION_UNITS: &[&str] = &[
    "h", "m", "min", "s", "d", "ms", "hours", "minutes", "days", "seconds",
];

/// The range in force: the indicator's own `min`/`max`, else the unit's
/// default (`%` 0–100, durations ≥ 0), else unbounded.
pub(crate) fn valid_range(def: &IndicatorDef) -> (Option<f64>, Option<f64>) {
    let unit = def.unit.trim();
    let (dmin, dmax) = if unit == "%" {
        (Some(0.0), Some(100.0))
    } else if DURATION_UNITS.contains(&unit) {
        (Some(0.0), None)
    } else {
        (None, None)
    };
    (def.min.or(dmin), def.max.or(dmax))
}

/// Why a value may not be recorded for `def` at `at` (the clock reads
/// `now`); `force` lifts only the magnitude and future-time guards. The
/// reason reads `first_response: -5 h is below the minimum 0`.
pub(crate) fn check_value(
    def: &IndicatorDef,
    value: f64,
    at: Timestamp,
    now: Timestamp,
    force: bool,
) -> Result<(), String> {
    let key = &def.key;
    let unit = if def.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", def.unit)
    };
    if def.source != Source::Observations {
        return Err(format!(
            "{key}: is derived from {} and cannot be recorded",
            def.source.as_str().replace('_', " ")
        ));
    }
    if !value.is_finite() {
        return Err(format!("{key}: the value must be a finite number"));
    }
    let (min, max) = valid_range(def);
    if let Some(min) = min.filter(|m| value < *m) {
        return Err(format!(
            "{key}: {}{unit} is below the minimum {}",
            number(value),
            number(min)
        ));
    }
    if let Some(max) = max.filter(|m| value > *m) {
        return Err(format!(
            "{key}: {}{unit} is above the maximum {}",
            number(value),
            number(max)
        ));
    }
    if !force && value.abs() > MAX_MAGNITUDE {
        return Err(format!(
            "{key}: {}{unit} is beyond 1e15 (pass --force if it is real)",
            number(value)
        ));
    }
    if !force && at > now.saturating_add(MAX_FUTURE_SECS) {
        return Err(format!(
            "{key}: the time is more than a day in the future (pass --force if it is real)"
        ));
    }
    Ok(())
}

/// A number as people write it: no trailing `.0`.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::{Aggregation, Direction, Kind};

    fn def(unit: &str) -> IndicatorDef {
        IndicatorDef {
            key: "first_response".into(),
            name: "n".into(),
            definition: "d".into(),
            kind: Kind::Leading,
            unit: unit.into(),
            direction: Direction::Lower,
            aggregation: Aggregation::Mean,
            window_secs: DAY,
            target: 1.0,
            warn: 2.0,
            breach: 4.0,
            owner_role: "support".into(),
            source: Source::Observations,
            metric: None,
            work_kind: None,
            min: None,
            max: None,
            min_events: None,
        }
    }

    #[test]
    fn durations_are_not_negative_and_percentages_stay_in_0_to_100() {
        let e = check_value(&def("h"), -5.0, 0, 0, false).unwrap_err();
        assert_eq!(e, "first_response: -5 h is below the minimum 0");
        assert!(check_value(&def("h"), 0.0, 0, 0, false).is_ok());
        let e = check_value(&def("%"), 100.5, 0, 0, false).unwrap_err();
        assert_eq!(e, "first_response: 100.5 % is above the maximum 100");
        assert!(check_value(&def("%"), 100.0, 0, 0, false).is_ok());
        assert!(check_value(&def(""), -5.0, 0, 0, false).is_ok());
    }

    #[test]
    fn an_explicit_range_replaces_the_units_default() {
        let mut d = def("%");
        d.min = Some(10.0);
        d.max = Some(200.0);
        assert!(check_value(&d, 150.0, 0, 0, false).is_ok());
        assert!(check_value(&d, 5.0, 0, 0, false).is_err());
    }

    #[test]
    fn huge_values_and_future_times_need_force_but_the_range_never_yields() {
        let d = def("");
        assert!(check_value(&d, 2e15, 0, 0, false).is_err());
        assert!(check_value(&d, 2e15, 0, 0, true).is_ok());
        assert!(check_value(&d, 1.0, DAY + 1, 0, false).is_err());
        assert!(check_value(&d, 1.0, DAY, 0, false).is_ok());
        assert!(check_value(&d, 1.0, DAY + 1, 0, true).is_ok());
        assert!(check_value(&def("h"), -1.0, 0, 0, true).is_err());
    }

    #[test]
    fn derived_indicators_take_no_values() {
        let mut d = def("");
        d.source = Source::WorkItems;
        let e = check_value(&d, 1.0, 0, 0, false).unwrap_err();
        assert!(e.contains("derived from work items"), "{e}");
    }
}
