//! The time zone the cockpit shows its clock and times in: UTC, the
//! machine's local zone, a fixed offset (`+01:00`) or a zone of the IANA
//! database (`Europe/Paris`, through `chrono-tz`). Its label is the
//! abbreviation where one is known for that instant (`UTC`, `CET`, `CEST`),
//! otherwise the offset (`+01:00`).

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};

/// Unix seconds, UTC.
type Timestamp = i64;

/// Where the cockpit's times are shown: `timezone` in the config file, else
/// the operation's `timezone` (`operation.toml`, `UTC` by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// UTC, as the CLI prints times.
    #[default]
    Utc,
    /// The machine's local zone (`TZ`, else `/etc/localtime`).
    Local,
    /// A fixed offset east of UTC, in seconds (`+01:00` is 3600).
    Fixed(i32),
    /// A zone of the IANA database, with its daylight-saving rules.
    Named(chrono_tz::Tz),
}

/// What a wrong `timezone` value is told (after the value).
pub const ZONE_HINT: &str =
    "is not a time zone: use local, UTC, an offset like +01:00 or an IANA name like Europe/Paris";

impl Zone {
    /// Parses `local`, `UTC`, an offset `+HH:MM`/`-HH:MM` (−12:00 to
    /// +14:00) or an IANA name (`Europe/Paris`). The error is the reason,
    /// without the file.
    pub fn parse(text: &str) -> Result<Zone, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(Zone::Utc);
        }
        if t.starts_with('+') || t.starts_with('-') {
            return parse_offset(t)
                .map(Zone::Fixed)
                .ok_or_else(|| format!("'{}' {ZONE_HINT}", crate::text::sanitize(t)));
        }
        t.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("'{}' {ZONE_HINT}", crate::text::sanitize(t)))
    }

    /// The offset east of UTC at `t`, in seconds.
    pub fn offset_secs(self, t: Timestamp) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Fixed(s) => s,
            Zone::Local => chrono::Local
                .timestamp_opt(t, 0)
                .single()
                .map_or(0, |d| d.offset().fix().local_minus_utc()),
            Zone::Named(tz) => tz
                .timestamp_opt(t, 0)
                .single()
                .map_or(0, |d| d.offset().fix().local_minus_utc()),
        }
    }

    /// `t` in this zone, formatted with a chrono `fmt` (`%H:%M`); `?` when
    /// out of range.
    pub fn format(self, t: Timestamp, fmt: &str) -> String {
        let Some(utc) = DateTime::<Utc>::from_timestamp(t, 0) else {
            return "?".into();
        };
        let Some(offset) = FixedOffset::east_opt(self.offset_secs(t)) else {
            return "?".into();
        };
        utc.with_timezone(&offset).format(fmt).to_string()
    }

    /// Time of day in this zone, `14:05`.
    pub fn hm(self, t: Timestamp) -> String {
        self.format(t, "%H:%M")
    }

    /// How the header names the zone at `t`: `UTC`; the IANA zone's
    /// abbreviation (`CET`, `CEST`) when the database has a letter one;
    /// the local zone's when its IANA name is known and agrees with the
    /// local offset; otherwise the offset (`+01:00`).
    pub fn label(self, t: Timestamp) -> String {
        let abbreviation = match self {
            Zone::Utc => return "UTC".into(),
            Zone::Fixed(_) => None,
            Zone::Named(tz) => abbreviation(tz, t),
            Zone::Local => local_iana()
                .filter(|tz| Zone::Named(*tz).offset_secs(t) == self.offset_secs(t))
                .and_then(|tz| abbreviation(tz, t)),
        };
        abbreviation.unwrap_or_else(|| offset_text(self.offset_secs(t)))
    }
}

/// `+01:00`, `-05:30`, `+00:00`.
pub fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// `+HH:MM` or `-HH:MM` within −12:00 and +14:00, in seconds.
fn parse_offset(t: &str) -> Option<i32> {
    let b = t.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let digits = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (h, m) = (digits(&t[1..3])?, digits(&t[4..6])?);
    if m >= 60 {
        return None;
    }
    let secs = (h * 60 + m) * 60;
    let secs = if b[0] == b'-' { -secs } else { secs };
    (-12 * 3600..=14 * 3600).contains(&secs).then_some(secs)
}

/// The zone's abbreviation at `t` when the database has a letter one
/// (`CET`); zones whose abbreviation is only a number (`+04`) get none.
fn abbreviation(tz: chrono_tz::Tz, t: Timestamp) -> Option<String> {
    use chrono_tz::OffsetName;
    let d = tz.timestamp_opt(t, 0).single()?;
    let a = d.offset().abbreviation()?;
    a.chars()
        .all(|c| c.is_ascii_alphabetic())
        .then(|| a.to_string())
        .filter(|a| !a.is_empty())
}

/// The local zone's IANA name, when known: `TZ` (`Europe/Paris` or
/// `:Europe/Paris`), else the system's setting.
fn local_iana() -> Option<chrono_tz::Tz> {
    let name = match std::env::var("TZ") {
        Ok(v) if !v.is_empty() => v.trim_start_matches(':').to_string(),
        _ => iana_time_zone::get_timezone().ok()?,
    };
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-24T09:00:00Z (winter in Europe).
    const WINTER: i64 = 1_795_510_800;
    /// 2026-07-01T09:00:00Z (summer in Europe).
    const SUMMER: i64 = 1_782_896_400;

    #[test]
    fn values_parse() {
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Utc));
        assert_eq!(Zone::parse("utc"), Ok(Zone::Utc));
        assert_eq!(Zone::parse("local"), Ok(Zone::Local));
        assert_eq!(Zone::parse("+01:00"), Ok(Zone::Fixed(3600)));
        assert_eq!(Zone::parse("-05:30"), Ok(Zone::Fixed(-19_800)));
        assert_eq!(Zone::parse("+14:00"), Ok(Zone::Fixed(14 * 3600)));
        assert_eq!(
            Zone::parse("Europe/Paris"),
            Ok(Zone::Named(chrono_tz::Tz::Europe__Paris))
        );
        for bad in [
            "+1:00",
            "+01",
            "+15:00",
            "-13:00",
            "+01:60",
            "Mars/Olympus",
            "",
            "CET1",
        ] {
            let e = Zone::parse(bad).unwrap_err();
            assert!(e.contains("is not a time zone"), "{bad}: {e}");
        }
    }

    #[test]
    fn times_and_labels_in_each_zone() {
        assert_eq!(
            (Zone::Utc.hm(WINTER), Zone::Utc.label(WINTER)),
            ("09:00".into(), "UTC".into())
        );
        let plus1 = Zone::Fixed(3600);
        assert_eq!(
            (plus1.hm(WINTER), plus1.label(WINTER)),
            ("10:00".into(), "+01:00".into())
        );
        let minus = Zone::Fixed(-19_800);
        assert_eq!(
            (minus.hm(WINTER), minus.label(WINTER)),
            ("03:30".into(), "-05:30".into())
        );
        let paris = Zone::Named(chrono_tz::Tz::Europe__Paris);
        assert_eq!(
            (paris.hm(WINTER), paris.label(WINTER)),
            ("10:00".into(), "CET".into())
        );
        assert_eq!(
            (paris.hm(SUMMER), paris.label(SUMMER)),
            ("11:00".into(), "CEST".into())
        );
        // tzdata names Dubai's zone only by its number: the offset is shown.
        let dubai = Zone::Named(chrono_tz::Tz::Asia__Dubai);
        assert_eq!(
            (dubai.hm(WINTER), dubai.label(WINTER)),
            ("13:00".into(), "+04:00".into())
        );
        assert_eq!(Zone::Utc.format(i64::MAX, "%H:%M"), "?");
    }
}
