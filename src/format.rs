//! Number, time and unit formatting shared by the CLI and the screens.

mod zone;
pub use zone::{offset_text, Zone, ZONE_HINT};

/// Unix seconds, UTC (the domain's `Timestamp`; format sits below the
/// domain and names the plain type).
type Timestamp = i64;

/// A value with sensible precision for its magnitude: `1234`, `95.2`, `4.35`.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 || (a - a.round()).abs() < 1e-9 {
        format!("{:.0}", v)
    } else if a >= 10.0 {
        format!("{:.1}", v)
    } else {
        format!("{:.2}", v)
    }
}

/// A value and its unit: `95.2 %`, `36 h`, `4.10 /5`; `—` for none.
pub(crate) fn value_unit(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "—".to_string(),
        Some(v) if unit == "%" => format!("{}%", number(v)),
        Some(v) if unit.is_empty() => number(v),
        Some(v) => format!("{} {}", number(v), crate::text::sanitize(unit)),
    }
}

/// UTC time as `2026-11-25 14:05`.
pub(crate) fn utc_minute(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "?".into())
}

/// UTC time of day as `14:05`.
pub(crate) fn utc_hm(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%H:%M").to_string())
        .unwrap_or_else(|| "?".into())
}

/// UTC date as `2026-11-25`.
pub(crate) fn utc_date(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "?".into())
}

/// RFC 3339 UTC.
pub fn rfc3339(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "?".into())
}

/// A share left (0–1) as a whole percentage, `42%`, or `—` without one
/// (an error budget with no events yet).
pub(crate) fn percent_left(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) => format!("{:.0}%", f * 100.0),
        None => "—".into(),
    }
}

/// A burn rate as `2.4×`, or `—`.
pub(crate) fn burn_text(b: Option<f64>) -> String {
    b.map(|b| format!("{b:.1}×")).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_units() {
        assert_eq!(number(95.0), "95");
        assert_eq!(number(95.25), "95.2");
        assert_eq!(number(4.354), "4.35");
        assert_eq!(number(1234.5), "1234");
        assert_eq!(value_unit(Some(95.0), "%"), "95%");
        assert_eq!(value_unit(Some(36.0), "h"), "36 h");
        assert_eq!(value_unit(None, "h"), "—");
        assert_eq!(utc_minute(0), "1970-01-01 00:00");
        assert_eq!(rfc3339(86_400), "1970-01-02T00:00:00Z");
    }
}

/// Who did it, for history views: the acting name, or `as NAME (by login)`
/// when the OS login that wrote the row is known and differs from it (`--as`,
/// `OPSDECK_USER` or config `user`). Both parts are sanitised and each is
/// cut to `max` characters.
pub fn acting(actor: &str, login: Option<&str>, max: usize) -> String {
    let name = crate::text::sanitize_truncate(actor, max);
    match login.map(|l| crate::text::sanitize_truncate(l, max)) {
        Some(l) if !l.is_empty() && l != name => format!("as {name} (by {l})"),
        _ => name,
    }
}

#[cfg(test)]
mod acting_tests {
    use super::acting;

    #[test]
    fn the_login_is_shown_only_when_it_differs() {
        assert_eq!(acting("maria", Some("maria"), 12), "maria");
        assert_eq!(acting("maria", None, 12), "maria");
        assert_eq!(acting("boss", Some("maria"), 12), "as boss (by maria)");
        assert_eq!(
            acting("\u{1b}[31mboss", Some("m\u{7}"), 12),
            "as boss (by m?)"
        );
    }
}
