//! Field validation shared by the CSV and JSONL readers and the CLI.

use super::{ImportKind, Row};
use crate::domain::flow::{Outcome, WorkItem};
use crate::store::feedback::FeedbackRow;
use chrono::{DateTime, NaiveDate};
use std::collections::HashMap;

pub use crate::domain::limits::{check_len, MAX_NAME, MAX_TEXT};

/// Earliest accepted time: 1970-01-01.
const MIN_TIME: i64 = 0;
/// Latest accepted time: 2199-12-31T23:59:59Z.
const MAX_TIME: i64 = 7_258_118_399;

/// Reads an end time typed by a person: a duration from `now` (`2h`,
/// `1d`) or a time (RFC 3339 such as `2026-11-26T09:00Z`, or `YYYY-MM-DD`).
/// The seconds may be left out (`2026-11-26T09:00Z`, `…T09:00+01:00`), as
/// the prompts show.
pub(crate) fn parse_until(text: &str, now: i64) -> Result<i64, String> {
    if let Ok(d) = crate::domain::duration::parse_duration(text) {
        return Ok(now + d.num_seconds());
    }
    let t = text.trim();
    parse_time(t)
        .or_else(|e| with_seconds(t).map_or(Err(e), |full| parse_time(&full)))
        .map_err(|_| {
            format!(
                "UNTIL: '{}' is neither a time (RFC 3339 or YYYY-MM-DD) nor a duration (2h, 1d)",
                crate::text::sanitize_truncate(text, 40)
            )
        })
}

/// `YYYY-MM-DDTHH:MM` followed by a zone (`Z`, `+01:00`) with `:00`
/// seconds put in, for [`parse_time`]; `None` for any other text.
fn with_seconds(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let zone = t.get(16..)?;
    let minute_form = b.len() > 16
        && b[10].eq_ignore_ascii_case(&b'T')
        && b[13] == b':'
        && (zone.eq_ignore_ascii_case("z") || zone.starts_with(['+', '-']));
    minute_form.then(|| format!("{}:00{zone}", &t[..16]))
}

/// Parses a time as RFC 3339 (`2026-03-01T09:30:00Z`, any offset) or a bare
/// date `YYYY-MM-DD` (midnight UTC) into unix seconds; years 1970–2199.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let secs = if let Some(secs) = parse_utc_fast(t) {
        secs
    } else if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        dt.timestamp()
    } else if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
            .map(|n| n.and_utc().timestamp())
            .unwrap_or(i64::MIN)
    } else {
        return Err(format!(
            "'{}' is not a time (expected RFC 3339 like 2026-03-01T09:30:00Z, or YYYY-MM-DD)",
            crate::text::sanitize_truncate(t, 40)
        ));
    };
    if !(MIN_TIME..=MAX_TIME).contains(&secs) {
        return Err(format!(
            "'{}' is out of range (years 1970 to 2199)",
            crate::text::sanitize_truncate(t, 40)
        ));
    }
    Ok(secs)
}

/// The common case of machine-written files, `YYYY-MM-DDTHH:MM:SSZ`,
/// without the general parser (bulk imports spend their time here). `None`
/// for anything else, which then goes to the general parser.
fn parse_utc_fast(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
    let days = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    Some(days + i64::from(h * 3600 + mi * 60 + se))
}

/// Parses a finite number; NaN, infinities and overflow (`1e400`) are
/// refused, and so are numbers a 64-bit float cannot hold as written:
/// underflow (`1e-400` would become 0) and more significant digits than it
/// keeps (`9007199254740993`, `0.1000000000000000055511`) — refused, never
/// silently rounded.
pub(crate) fn parse_number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let shown = || crate::text::sanitize_truncate(t, 40);
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => match (decimal(t), decimal(&format!("{v:e}"))) {
            (Some(written), Some(held)) if written == held => Ok(v),
            (Some(written), _) if v == 0.0 && written.0 != "0" => Err(format!(
                "'{}' is too small for a 64-bit number (it would become 0)",
                shown()
            )),
            _ => Err(format!(
                "'{}' has more precision than a 64-bit number keeps (it would be rounded to {v})",
                shown()
            )),
        },
        Ok(_) => Err(format!("'{}' is not a finite number", shown())),
        Err(_) => Err(format!("'{}' is not a number", shown())),
    }
}

/// A decimal number as (significant digits, power of ten, negative): `-1.50e2`
/// is `("15", 1, true)`; zero is `("0", 0, false)`. None when the exponent
/// does not fit.
fn decimal(text: &str) -> Option<(String, i64, bool)> {
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{int}{frac}");
    let mut exp = exp.checked_sub(frac.len() as i64)?;
    let lead = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..lead);
    while digits.ends_with('0') {
        digits.pop();
        exp = exp.checked_add(1)?;
    }
    if digits.is_empty() {
        return Some(("0".into(), 0, false));
    }
    Some((digits, exp, neg))
}

/// Parses a 1–5 score.
pub(crate) fn parse_score(text: &str) -> Result<u8, String> {
    match text.trim().parse::<u8>() {
        Ok(v @ 1..=5) => Ok(v),
        _ => Err(format!(
            "'{}' is not a score from 1 to 5",
            crate::text::sanitize_truncate(text.trim(), 40)
        )),
    }
}

type FieldResult<T> = Result<T, (&'static str, String)>;

/// Builds a valid row from the kind's fields (in `kind.columns()` order).
pub(super) fn build_row(
    kind: ImportKind,
    v: &[Option<String>; 9],
    indicators: &HashMap<String, i64>,
) -> FieldResult<Row> {
    let cols = kind.columns();
    let get = |i: usize| v[i].as_deref();
    let required = |i: usize| -> FieldResult<&str> {
        get(i).ok_or((cols[i].0, "required value missing".to_string()))
    };
    let text = |i: usize, max: usize| -> FieldResult<Option<String>> {
        match get(i) {
            None => Ok(None),
            Some(s) => {
                check_len(s, max).map_err(|e| (cols[i].0, e))?;
                Ok(Some(s.to_string()))
            }
        }
    };
    let time = |i: usize| -> FieldResult<Option<i64>> {
        get(i)
            .map(parse_time)
            .transpose()
            .map_err(|e| (cols[i].0, e))
    };
    match kind {
        ImportKind::Observations => {
            let key = required(0)?;
            let Some(&indicator_id) = indicators.get(key) else {
                return Err((
                    "indicator",
                    format!(
                        "unknown indicator '{}' (see `opsdeck indicator list`)",
                        crate::text::sanitize_truncate(key, 60)
                    ),
                ));
            };
            let at = parse_time(required(1)?).map_err(|e| ("at", e))?;
            let value = parse_number(required(2)?).map_err(|e| ("value", e))?;
            Ok(Row::Observation {
                indicator_id,
                at,
                value,
                note: text(3, MAX_TEXT)?,
                id: text(4, MAX_NAME)?,
            })
        }
        ImportKind::WorkItems => {
            let kind = required(0)?;
            check_len(kind, MAX_NAME).map_err(|e| ("kind", e))?;
            let external_id = required(1)?;
            check_len(external_id, MAX_NAME).map_err(|e| ("external_id", e))?;
            let opened_at = time(4)?.ok_or(("opened_at", "required value missing".to_string()))?;
            let promised_at = time(5)?;
            let closed_at = time(6)?;
            if let Some(c) = closed_at {
                if c < opened_at {
                    return Err(("closed_at", "is before opened_at".into()));
                }
            }
            if promised_at.is_some_and(|p| p < opened_at) {
                return Err(("promised_at", "is before opened_at".into()));
            }
            let outcome = match get(7) {
                None => None,
                Some(o) => Some(Outcome::parse(o).ok_or((
                    "outcome",
                    format!(
                        "'{}' is not one of ok, deviation, defect, cancelled",
                        crate::text::sanitize_truncate(o, 40)
                    ),
                ))?),
            };
            if outcome.is_some() && closed_at.is_none() {
                return Err((
                    "outcome",
                    "given for an item that is not closed (closed_at is empty)".into(),
                ));
            }
            let satisfaction = match get(8) {
                None => None,
                Some(s) => {
                    let x = parse_number(s).map_err(|e| ("satisfaction", e))?;
                    if !(1.0..=5.0).contains(&x) {
                        return Err(("satisfaction", format!("{x} is not a score from 1 to 5")));
                    }
                    Some(x)
                }
            };
            Ok(Row::WorkItem(WorkItem {
                kind: kind.to_string(),
                external_id: external_id.to_string(),
                customer: text(2, MAX_NAME)?,
                segment: text(3, MAX_NAME)?,
                opened_at,
                promised_at,
                closed_at,
                outcome,
                satisfaction,
            }))
        }
        ImportKind::Feedback => {
            let at = parse_time(required(0)?).map_err(|e| ("at", e))?;
            let ease = parse_score(required(1)?).map_err(|e| ("ease", e))?;
            let reliability = parse_score(required(2)?).map_err(|e| ("reliability", e))?;
            let value = parse_score(required(3)?).map_err(|e| ("value", e))?;
            let channel = match get(4) {
                None => "survey".to_string(),
                Some(c @ ("survey" | "interview" | "support")) => c.to_string(),
                Some(c) => {
                    return Err((
                        "channel",
                        format!(
                            "'{}' is not one of survey, interview, support",
                            crate::text::sanitize_truncate(c, 40)
                        ),
                    ))
                }
            };
            Ok(Row::Feedback(FeedbackRow {
                at,
                ease,
                reliability,
                value,
                channel,
                segment: text(5, MAX_NAME)?,
                customer: text(6, MAX_NAME)?,
                comment: text(7, MAX_TEXT)?,
            }))
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn until_accepts_every_form_the_snooze_prompt_shows() {
        let now = parse_time("2026-11-25T12:00:00Z").unwrap();
        let nine = parse_time("2026-11-26T09:00:00Z").unwrap();
        assert_eq!(parse_until("2026-11-26T09:00Z", now), Ok(nine));
        assert_eq!(parse_until("2026-11-26T09:00:00Z", now), Ok(nine));
        assert_eq!(parse_until("2026-11-26T10:00+01:00", now), Ok(nine));
        assert_eq!(parse_until("2h", now), Ok(now + 7200));
        assert_eq!(parse_until("1d", now), Ok(now + 86_400));
        assert_eq!(
            parse_until("2026-11-26", now),
            Ok(parse_time("2026-11-26T00:00:00Z").unwrap())
        );
        for bad in [
            "2026-11-26T09:00",
            "2026-11-26T9:00Z",
            "2026-11-26T09:00Zx",
            "soon",
        ] {
            assert!(parse_until(bad, now).is_err(), "{bad}");
        }
    }
    use super::*;

    #[test]
    fn times_in_both_forms_and_out_of_range() {
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400);
        assert_eq!(parse_time("2026-03-01T00:00:00Z").unwrap(), 1_772_323_200);
        assert_eq!(
            parse_time("2026-03-01T01:00:00+01:00").unwrap(),
            1_772_323_200
        );
        assert!(parse_time("1969-12-31")
            .unwrap_err()
            .contains("out of range"));
        assert_eq!(parse_time("1970-01-01").unwrap(), 0);
        assert_eq!(parse_time("2199-12-31").unwrap(), 7_258_032_000);
        assert_eq!(parse_time("2199-12-31T23:59:59Z").unwrap(), 7_258_118_399);
        assert!(parse_time("2200-01-01").is_err());
        assert!(parse_time("2300-01-01")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2026-02-30").is_err());
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_parser() {
        for t in [
            "2026-03-01T09:30:00Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2199-12-31T23:59:59Z",
        ] {
            let general = DateTime::parse_from_rfc3339(t).unwrap().timestamp();
            assert_eq!(parse_utc_fast(t), Some(general), "{t}");
        }
        for t in [
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:00+01:00",
            "2026-01-01t00:00:00Z",
            "20a6-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc_fast(t), None, "{t}");
        }
        assert!(parse_time("2026-02-30T00:00:00Z").is_err());
    }

    #[test]
    fn numbers_must_be_finite() {
        assert_eq!(parse_number(" 4.5 ").unwrap(), 4.5);
        for bad in ["NaN", "inf", "-inf", "1e400", "abc", ""] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_that_underflow_or_lose_precision_are_refused() {
        for ok in [
            "0",
            "-0",
            "0.0",
            "1.5",
            "-2.25",
            "100",
            "1e2",
            "1.50E+2",
            "0.1",
            "0.3",
            "0.30000000000000004",
            "9007199254740992",
            "5e-324",
            "1.7976931348623157e308",
            "+7",
            ".5",
            "12.",
            "0e999",
        ] {
            let v = parse_number(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(v, ok.parse::<f64>().unwrap(), "{ok}");
        }
        let e = parse_number("1e-400").unwrap_err();
        assert!(e.contains("too small") && e.contains("become 0"), "{e}");
        for lossy in [
            "9007199254740993",
            "0.1000000000000000055511",
            "1.00000000000000001",
            "2e-324",
        ] {
            let e = parse_number(lossy).unwrap_err();
            assert!(
                e.contains("more precision") || e.contains("too small"),
                "{lossy}: {e}"
            );
        }
    }

    #[test]
    fn scores_are_one_to_five() {
        assert_eq!(parse_score("3").unwrap(), 3);
        for bad in ["0", "6", "abc", "3.5", ""] {
            assert!(parse_score(bad).is_err(), "{bad}");
        }
    }
}
