//! When a source is due: every N seconds since its last run, or on the
//! minutes a five-field cron expression names (UTC). Pure: `now` is a
//! parameter. The cron reader is ours (a few dozen lines for `*`, `*/n`,
//! `a-b`, `a-b/n` and lists) rather than a crate: sources only need
//! minute resolution and the standard five fields.

/// A source's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Due this many seconds after the last run started.
    Every(i64),
    /// Due on the minutes the expression matches.
    Cron(Cron),
}

/// A five-field cron expression: minute, hour, day of month, month, day of
/// week (0 or 7 = Sunday). As in cron, when both day fields are restricted
/// a day matches if either does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    text: String,
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    days_restricted: bool,
    weekdays_restricted: bool,
}

fn field(text: &str, lo: u32, hi: u32, name: &str) -> Result<(Vec<bool>, bool), String> {
    let mut set = vec![false; hi as usize + 1];
    let bad = || format!("{name} '{text}': expected *, */N, A, A-B, A-B/N or a list ({lo}–{hi})");
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| bad())?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(bad());
        }
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?)
        } else {
            let a: u32 = range.parse().map_err(|_| bad())?;
            (a, if part.contains('/') { hi } else { a })
        };
        if a < lo || b > hi || a > b {
            return Err(bad());
        }
        let mut v = a;
        while v <= b {
            set[v as usize] = true;
            v += step;
        }
    }
    Ok((set, text != "*"))
}

impl Schedule {
    /// Reads a five-field cron expression (`*/5 * * * *`).
    pub(crate) fn parse_cron(text: &str) -> Result<Schedule, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "'{}': five fields (minute hour day month weekday), e.g. \"*/5 * * * *\"",
                crate::text::sanitize_truncate(text, 40)
            ));
        }
        let (minutes, _) = field(parts[0], 0, 59, "minute")?;
        let (hours, _) = field(parts[1], 0, 23, "hour")?;
        let (days, days_restricted) = field(parts[2], 1, 31, "day")?;
        let (months, _) = field(parts[3], 1, 12, "month")?;
        let (mut weekdays, weekdays_restricted) = field(parts[4], 0, 7, "weekday")?;
        if weekdays[7] {
            weekdays[0] = true;
        }
        weekdays.truncate(7);
        Ok(Schedule::Cron(Cron {
            text: parts.join(" "),
            minutes,
            hours,
            days,
            months,
            weekdays,
            days_restricted,
            weekdays_restricted,
        }))
    }

    /// The schedule as written in `sources.toml` (`every = "5m"` or `cron = "…"`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Schedule::Every(s) => format!("every {}", crate::domain::duration::format_duration(*s)),
            Schedule::Cron(c) => format!("cron {}", c.text),
        }
    }

    /// The nominal interval in seconds (for a cron schedule, the gap after
    /// `now` to the next run after the next): what "three intervals" of
    /// staleness are counted in.
    pub fn interval_secs(&self, now: i64) -> i64 {
        match self {
            Schedule::Every(s) => *s,
            Schedule::Cron(_) => {
                let a = self.next_after(now);
                self.next_after(a) - a
            }
        }
    }

    /// The first time after `t` at which the source is due.
    pub(crate) fn next_after(&self, t: i64) -> i64 {
        match self {
            Schedule::Every(s) => t + s,
            Schedule::Cron(c) => {
                let mut m = t.div_euclid(60) * 60 + 60;
                // At most a little over four years of minutes (29 February).
                for _ in 0..(4 * 366 * 24 * 60 + 1) {
                    if c.matches(m) {
                        return m;
                    }
                    m += 60;
                }
                i64::MAX
            }
        }
    }

    /// Whether a source whose last run started at `last_start` (never:
    /// `None`) is due at `now`. A source that never ran is due at once.
    pub(crate) fn is_due(&self, last_start: Option<i64>, now: i64) -> bool {
        match last_start {
            None => true,
            Some(last) => self.next_after(last) <= now,
        }
    }
}

impl Cron {
    /// Whether the minute starting at `t` (unix seconds, UTC) matches.
    fn matches(&self, t: i64) -> bool {
        use chrono::{Datelike, Timelike};
        let Some(d) = chrono::DateTime::from_timestamp(t, 0) else {
            return false;
        };
        let day = self.days[d.day() as usize];
        let weekday = self.weekdays[d.weekday().num_days_from_sunday() as usize];
        let day_ok = match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => day || weekday,
            (true, false) => day,
            (false, true) => weekday,
            (false, false) => true,
        };
        self.minutes[d.minute() as usize]
            && self.hours[d.hour() as usize]
            && self.months[d.month() as usize]
            && day_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-30T09:03:00Z, a Monday.
    const MON_0903: i64 = 1_796_029_380;

    #[test]
    fn every_is_due_an_interval_after_the_last_start() {
        let s = Schedule::Every(300);
        assert!(s.is_due(None, MON_0903));
        assert!(!s.is_due(Some(MON_0903), MON_0903 + 299));
        assert!(s.is_due(Some(MON_0903), MON_0903 + 300));
    }

    #[test]
    fn cron_steps_ranges_and_lists() {
        let s = Schedule::parse_cron("*/5 * * * *").unwrap();
        assert_eq!(s.next_after(MON_0903), MON_0903 + 120, "09:05");
        assert_eq!(s.interval_secs(MON_0903), 300);
        let s = Schedule::parse_cron("30 8-10/2 * * 1-5").unwrap();
        assert_eq!(
            s.next_after(MON_0903),
            MON_0903 - 3 * 60 + 30 * 60 + 3600,
            "10:30"
        );
        let s = Schedule::parse_cron("0 0 * * 0").unwrap();
        let sunday = s.next_after(MON_0903);
        assert_eq!(
            (sunday - MON_0903 + 3 * 60 + 9 * 3600) / 86_400,
            6,
            "next Sunday midnight"
        );
        let seven = Schedule::parse_cron("0 0 * * 7").unwrap();
        assert_eq!(seven.next_after(MON_0903), sunday, "7 is Sunday too");
    }

    #[test]
    fn cron_due_when_a_matching_minute_passed_since_the_last_start() {
        let s = Schedule::parse_cron("0 * * * *").unwrap();
        assert!(!s.is_due(Some(MON_0903), MON_0903 + 56 * 60));
        assert!(s.is_due(Some(MON_0903), MON_0903 + 57 * 60), "10:00");
    }

    #[test]
    fn bad_cron_expressions_say_which_field() {
        for (text, word) in [
            ("*/5 * * *", "five fields"),
            ("61 * * * *", "minute '61'"),
            ("* 24 * * *", "hour '24'"),
            ("* * 0 * *", "day '0'"),
            ("* * * 13 *", "month '13'"),
            ("* * * * mon", "weekday 'mon'"),
            ("*/0 * * * *", "minute '*/0'"),
        ] {
            let e = Schedule::parse_cron(text).unwrap_err();
            assert!(e.contains(word), "{text}: {e}");
        }
    }
}
