//! On call as pure functions of a fixed clock: who holds a role at a time
//! (a rotation, overridden by a swap), whether a person's quiet hours hold,
//! whether a recurring maintenance window is open, and which silence (or
//! window) matches an alert. Times are unix seconds; local times are read in
//! an IANA zone (`chrono-tz`), so handoffs follow daylight-saving changes.

mod matching;
#[cfg(test)]
mod tests;

pub use matching::{silenced_by, AlertFacts, MatchField, Matcher, SilenceRule, Silenced};

use super::Timestamp;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How long one person holds a role before the next one takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftLength {
    /// One day, handoff to handoff.
    Daily,
    /// Seven days, handoff to handoff (the weekday of `start`).
    Weekly,
}

impl ShiftLength {
    /// The word written in `oncall.toml`.
    pub fn word(self) -> &'static str {
        match self {
            ShiftLength::Daily => "daily",
            ShiftLength::Weekly => "weekly",
        }
    }

    fn days(self) -> i64 {
        match self {
            ShiftLength::Daily => 1,
            ShiftLength::Weekly => 7,
        }
    }
}

/// A role's rotation: people in order, each for one shift, handing off at a
/// local time in a zone. The first person's first shift starts on `start`
/// at `handoff`; before that nobody is on call by rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    /// The role key it covers.
    pub role: String,
    /// People in turn order (names of `[[person]]`s).
    pub people: Vec<String>,
    /// Daily or weekly shifts.
    pub length: ShiftLength,
    /// Local handoff time, `HH:MM`.
    pub handoff: String,
    /// Local date of the first shift, `YYYY-MM-DD`.
    pub start: String,
    /// IANA zone of the handoff; `None` = the operation's.
    pub timezone: Option<String>,
}

/// A person's quiet hours: a local span (`22:00-07:00`, may cross midnight)
/// in which warnings wait; criticals always go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    /// The person's name.
    pub person: String,
    /// `HH:MM-HH:MM`, local.
    pub hours: String,
    /// IANA zone; `None` = the operation's.
    pub timezone: Option<String>,
}

/// A recurring maintenance window: alerts matching it (all alerts when it
/// has no matcher) are recorded but neither notify nor escalate while open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceWindow {
    /// Short name (`roaster`), unique.
    pub name: String,
    /// `sun 02:00-04:00`, or `daily 02:00-04:00`.
    pub every: String,
    /// IANA zone; `None` = the operation's.
    pub timezone: Option<String>,
    /// Shown next to the alerts it silences.
    pub reason: String,
    /// Which alerts it covers; empty = all.
    pub matchers: Vec<Matcher>,
}

/// A swap: `person` holds `role` from `from` until `until` (exclusive),
/// whatever the rotation says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    /// Row id (`oncall override end ID`).
    pub id: i64,
    /// Role key.
    pub role: String,
    /// Who holds it.
    pub person: String,
    /// Start, unix seconds.
    pub from: Timestamp,
    /// End (exclusive), unix seconds.
    pub until: Timestamp,
    /// Why (a holiday swap, ...).
    pub reason: String,
}

/// Who is on call for a role at a time, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnCall {
    /// Role key.
    pub role: String,
    /// The person, or `None` when the rotation has not started.
    pub person: Option<String>,
    /// When this holding ends (the next handoff or the override's end).
    pub until: Option<Timestamp>,
    /// The override that decided it, if any.
    pub override_id: Option<i64>,
}

/// A zone by name; `None` (or a name that is not a zone) falls back to `default`.
pub fn zone(name: Option<&str>, default: Tz) -> Tz {
    name.and_then(|n| n.parse::<Tz>().ok()).unwrap_or(default)
}

/// `HH:MM` as a time of day.
pub fn parse_hm(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| format!("'{text}' is not a time of day (HH:MM, e.g. 09:00)"))
}

/// `HH:MM-HH:MM` as a start and an end; start and end must differ.
pub fn parse_span(text: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| format!("'{text}' is not a span (HH:MM-HH:MM, e.g. 22:00-07:00)"))?;
    let (a, b) = (parse_hm(a)?, parse_hm(b)?);
    if a == b {
        return Err(format!("'{text}' is an empty span"));
    }
    Ok((a, b))
}

/// `sun 02:00-04:00` or `daily 02:00-04:00`: a weekday (none = every day)
/// and a local span.
pub fn parse_every(text: &str) -> Result<(Option<Weekday>, NaiveTime, NaiveTime), String> {
    let mut words = text.split_whitespace();
    let (day, span) = match (words.next(), words.next(), words.next()) {
        (Some(d), Some(s), None) => (d, s),
        _ => {
            return Err(format!(
                "'{text}' is not a window (a day and a span: sun 02:00-04:00, daily 23:00-01:00)"
            ))
        }
    };
    let day = match day.to_ascii_lowercase().as_str() {
        "daily" | "day" => None,
        d => Some(d.parse::<Weekday>().map_err(|_| {
            format!("'{day}' is not a day (mon, tue, wed, thu, fri, sat, sun or daily)")
        })?),
    };
    let (a, b) = parse_span(span)?;
    Ok((day, a, b))
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)"))
}

/// The instant of a local wall time: the earlier one when the clock falls
/// back and repeats it, one hour later when it springs forward over it.
pub fn local_instant(tz: Tz, at: NaiveDateTime) -> Timestamp {
    match tz.from_local_datetime(&at) {
        chrono::LocalResult::Single(t) => t.timestamp(),
        chrono::LocalResult::Ambiguous(a, _) => a.timestamp(),
        chrono::LocalResult::None => local_instant(tz, at + Duration::hours(1)),
    }
}

fn local(tz: Tz, t: Timestamp) -> NaiveDateTime {
    tz.timestamp_opt(t, 0)
        .single()
        .map(|d| d.naive_local())
        .unwrap_or_default()
}

/// The rotation's holder at `at`: the person and the end of their shift
/// (`None` before the first shift or for a rotation that cannot be read).
pub fn rotation_at(r: &Rotation, default_tz: Tz, at: Timestamp) -> Option<(String, Timestamp)> {
    let tz = zone(r.timezone.as_deref(), default_tz);
    let handoff = parse_hm(&r.handoff).ok()?;
    let start = parse_date(&r.start).ok()?;
    if r.people.is_empty() {
        return None;
    }
    let now = local(tz, at);
    // The local day whose handoff began the current shift.
    // Compared as instants, so a handoff moved by a daylight-saving gap
    // happens when it is said to.
    let mut day = now.date();
    if at < local_instant(tz, day.and_time(handoff)) {
        day = day.pred_opt()?;
    }
    let since = (day - start).num_days();
    if since < 0 {
        return None;
    }
    let len = r.length.days();
    let shift = since.div_euclid(len);
    let person = r.people[(shift % r.people.len() as i64) as usize].clone();
    let next = start + Duration::days((shift + 1) * len);
    Some((person, local_instant(tz, next.and_time(handoff))))
}

/// When the rotation's first shift starts (for "nobody until ...").
pub fn rotation_start(r: &Rotation, default_tz: Tz) -> Option<Timestamp> {
    let tz = zone(r.timezone.as_deref(), default_tz);
    let at = parse_date(&r.start)
        .ok()?
        .and_time(parse_hm(&r.handoff).ok()?);
    Some(local_instant(tz, at))
}

/// Who holds `role` at `at`: an override covering `at` wins (the most
/// recent one when several do), else the rotation; `until` is the end of
/// that holding, brought forward to the start of the next override.
pub fn on_call_at(
    role: &str,
    rotation: Option<&Rotation>,
    overrides: &[Override],
    default_tz: Tz,
    at: Timestamp,
) -> OnCall {
    let mine = overrides.iter().filter(|o| o.role == role);
    if let Some(o) = mine
        .clone()
        .filter(|o| o.from <= at && at < o.until)
        .max_by_key(|o| o.id)
    {
        return OnCall {
            role: role.to_string(),
            person: Some(o.person.clone()),
            until: Some(o.until),
            override_id: Some(o.id),
        };
    }
    let next_override = mine.filter(|o| o.from > at).map(|o| o.from).min();
    let (person, until) = match rotation.and_then(|r| rotation_at(r, default_tz, at)) {
        Some((p, u)) => (Some(p), Some(u)),
        None => (
            None,
            rotation.and_then(|r| rotation_start(r, default_tz).filter(|s| *s > at)),
        ),
    };
    let until = match (until, next_override) {
        (Some(u), Some(n)) => Some(u.min(n)),
        (u, n) => u.or(n),
    };
    OnCall {
        role: role.to_string(),
        person,
        until,
        override_id: None,
    }
}

/// When a local span that holds at `at` ends (the span may cross midnight);
/// `None` when `at` is outside it. `day` restricts the span to start on
/// that weekday.
fn span_end(
    tz: Tz,
    day: Option<Weekday>,
    start: NaiveTime,
    end: NaiveTime,
    at: Timestamp,
) -> Option<Timestamp> {
    let now = local(tz, at);
    // The span may have started today or (when it crosses midnight) yesterday.
    for back in 0..=1 {
        let d = now.date() - Duration::days(back);
        if day.is_some_and(|w| d.weekday() != w) {
            continue;
        }
        let from = local_instant(tz, d.and_time(start));
        let end_day = if end > start {
            d
        } else {
            d + Duration::days(1)
        };
        let to = local_instant(tz, end_day.and_time(end));
        if from <= at && at < to {
            return Some(to);
        }
    }
    None
}

/// When `person`'s quiet hours end, if they hold at `at`.
pub fn quiet_until(q: &QuietHours, default_tz: Tz, at: Timestamp) -> Option<Timestamp> {
    let (a, b) = parse_span(&q.hours).ok()?;
    span_end(zone(q.timezone.as_deref(), default_tz), None, a, b, at)
}

/// When the window closes, if it is open at `at`.
pub fn window_open_until(
    w: &MaintenanceWindow,
    default_tz: Tz,
    at: Timestamp,
) -> Option<Timestamp> {
    let (day, a, b) = parse_every(&w.every).ok()?;
    span_end(zone(w.timezone.as_deref(), default_tz), day, a, b, at)
}

/// Default group window: notifications for one person within a minute go
/// out as one.
pub const DEFAULT_GROUP_WINDOW_SECS: i64 = 60;

/// The on-call part of the operation's definition (`oncall.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCallDef {
    /// Seconds within which notifications for one person are grouped.
    pub group_window_secs: i64,
    /// One per role at most, in file order.
    pub rotations: Vec<Rotation>,
    /// One per person at most.
    pub quiet_hours: Vec<QuietHours>,
    /// Recurring maintenance windows.
    pub windows: Vec<MaintenanceWindow>,
}

impl Default for OnCallDef {
    fn default() -> Self {
        OnCallDef {
            group_window_secs: DEFAULT_GROUP_WINDOW_SECS,
            rotations: Vec::new(),
            quiet_hours: Vec::new(),
            windows: Vec::new(),
        }
    }
}

impl OnCallDef {
    /// The rotation of `role`, if it has one.
    pub fn rotation(&self, role: &str) -> Option<&Rotation> {
        self.rotations.iter().find(|r| r.role == role)
    }

    /// The quiet hours of `person`, if they set some.
    pub fn quiet(&self, person: &str) -> Option<&QuietHours> {
        self.quiet_hours.iter().find(|q| q.person == person)
    }
}
