//! Durations as operators write them: `30m`, `4h`, `7d`, `2w`, `1d12h`.

use chrono::Duration;

/// The longest duration or horizon opsdeck accepts: ten years (of 366 days),
/// for durations, snoozes and anything else that reaches into the future.
pub(crate) const MAX_SECS: i64 = 10 * 366 * 86_400;

/// Parses a human duration made of one or more `<number><unit>` parts, where the
/// unit is `s`, `m` (minutes), `h`, `d` or `w`. The total must be positive and at
/// most ten years. Returns the reason as text when the input is not a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration (expected e.g. 30m, 4h, 7d, 1d12h)".into());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit_secs = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => {
                return Err(format!(
                    "'{text}' is not a duration (expected e.g. 30m, 4h, 7d, 1d12h)"
                ))
            }
        };
        if number.is_empty() {
            return Err(format!(
                "'{text}' is not a duration: a unit without a number"
            ));
        }
        let n: i64 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a duration: number too large"))?;
        number.clear();
        total = n
            .checked_mul(unit_secs)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("'{text}' is too long a duration"))?;
    }
    if !number.is_empty() {
        return Err(format!(
            "'{text}' is not a duration: the number needs a unit (s, m, h, d or w)"
        ));
    }
    if total <= 0 {
        return Err(format!("'{text}' is not a positive duration"));
    }
    if total > MAX_SECS {
        return Err(format!("'{text}' is longer than ten years"));
    }
    Ok(Duration::seconds(total))
}

/// Formats seconds the way [`parse_duration`] reads them, largest units first
/// (`90000` -> `1d1h`).
pub fn format_duration(secs: i64) -> String {
    if secs <= 0 {
        return "0m".into();
    }
    let mut rest = secs;
    let mut out = String::new();
    for (unit, size) in [
        ("w", 604_800),
        ("d", 86_400),
        ("h", 3600),
        ("m", 60),
        ("s", 1),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{}", rest / size, unit));
            rest %= size;
        }
    }
    out
}

/// A compact age for screens: `45s`, `12m`, `3h`, `2d`, `5w`.
pub(crate) fn format_age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        86_400..=1_209_599 => format!("{}d", s / 86_400),
        _ => format!("{}w", s / 604_800),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit_and_combinations() {
        assert_eq!(parse_duration("30m").unwrap().num_seconds(), 1800);
        assert_eq!(parse_duration("4h").unwrap().num_seconds(), 14_400);
        assert_eq!(parse_duration("7d").unwrap().num_seconds(), 604_800);
        assert_eq!(parse_duration("2w").unwrap().num_seconds(), 1_209_600);
        assert_eq!(parse_duration("1d12h").unwrap().num_seconds(), 129_600);
        assert_eq!(parse_duration(" 90s ").unwrap().num_seconds(), 90);
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in [
            "",
            "24",
            "h",
            "4x",
            "-4h",
            "0h",
            "1.5h",
            "99999999999999999999d",
            "20y",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
        assert!(parse_duration("11000d").is_err());
    }

    #[test]
    fn formats_round_trip() {
        for s in ["30m", "4h", "1d1h", "2w", "1w1d1h1m1s"] {
            let secs = parse_duration(s).unwrap().num_seconds();
            assert_eq!(format_duration(secs), s);
        }
        assert_eq!(format_age(59), "59s");
        assert_eq!(format_age(3600), "1h");
        assert_eq!(format_age(86_400 * 3), "3d");
    }
}
