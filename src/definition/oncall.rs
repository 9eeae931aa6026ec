//! `oncall.toml`: rotations per role, quiet hours per person, recurring
//! maintenance windows and the notification group window. Parsed and
//! written back here; roles and people are checked against `operation.toml`.

use super::{line_of, toml_error, DefError, Operation};
use crate::domain::duration::{format_duration, parse_duration};
use crate::domain::oncall::{
    parse_date, parse_every, parse_hm, parse_span, MaintenanceWindow, Matcher, OnCallDef,
    QuietHours, Rotation, ShiftLength,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use toml::Spanned;

/// The file's name in a definition folder.
pub(crate) const ONCALL_FILE: &str = "oncall.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    group_window: Option<Spanned<String>>,
    #[serde(default)]
    rotation: Vec<RawRotation>,
    #[serde(default)]
    quiet_hours: Vec<RawQuiet>,
    #[serde(default)]
    maintenance: Vec<RawWindow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRotation {
    role: Spanned<String>,
    people: Spanned<Vec<String>>,
    length: Spanned<String>,
    handoff: Spanned<String>,
    start: Spanned<String>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiet {
    person: Spanned<String>,
    hours: Spanned<String>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    name: Spanned<String>,
    every: Spanned<String>,
    reason: String,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default, rename = "match")]
    matchers: Option<Spanned<BTreeMap<String, String>>>,
}

/// Parses `oncall.toml` against the operation's roles and people.
pub(super) fn parse(file: &str, text: &str, op: &Operation) -> Result<OnCallDef, Vec<DefError>> {
    let raw: Raw = toml::from_str(text).map_err(|e| vec![toml_error(file, text, &e)])?;
    let mut errors = Vec::new();
    let mut err = |span: std::ops::Range<usize>, field: &str, reason: String| {
        errors.push(DefError::new(
            file,
            line_of(text, span.start),
            field,
            reason,
        ))
    };
    let roles: HashSet<&str> = op.roles.iter().map(|r| r.key.as_str()).collect();
    let people: HashSet<&str> = op.people.iter().map(|p| p.name.as_str()).collect();
    let mut def = OnCallDef::default();
    if let Some(g) = &raw.group_window {
        match parse_duration(g.get_ref()) {
            Ok(d) if d.num_seconds() <= 3600 => def.group_window_secs = d.num_seconds(),
            Ok(_) => err(g.span(), "group_window", "at most 1h".into()),
            Err(e) => err(g.span(), "group_window", e),
        }
    }
    let zone = |tz: &Option<Spanned<String>>,
                err: &mut dyn FnMut(std::ops::Range<usize>, &str, String)| {
        let t = tz.as_ref()?;
        if t.get_ref() != "UTC" && t.get_ref().parse::<chrono_tz::Tz>().is_err() {
            err(
                t.span(),
                "timezone",
                format!(
                    "'{}' is not a time zone name (UTC or Area/City, e.g. Europe/Berlin)",
                    crate::text::sanitize(t.get_ref())
                ),
            );
        }
        Some(t.get_ref().clone())
    };
    let mut covered = HashSet::new();
    for r in &raw.rotation {
        let role = r.role.get_ref();
        if !roles.contains(role.as_str()) {
            err(
                r.role.span(),
                "role",
                format!("unknown role '{role}' (not a [[role]] of operation.toml)"),
            );
        } else if !covered.insert(role.clone()) {
            err(
                r.role.span(),
                "role",
                format!("'{role}' already has a rotation"),
            );
        }
        if r.people.get_ref().is_empty() {
            err(r.people.span(), "people", "name at least one person".into());
        }
        for p in r.people.get_ref() {
            if !people.contains(p.as_str()) {
                err(
                    r.people.span(),
                    "people",
                    format!("unknown person '{p}' (add a [[person]] to operation.toml)"),
                );
            }
        }
        let length = match r.length.get_ref().as_str() {
            "daily" => ShiftLength::Daily,
            "weekly" => ShiftLength::Weekly,
            other => {
                err(
                    r.length.span(),
                    "length",
                    format!("'{other}' is not a shift length (daily or weekly)"),
                );
                ShiftLength::Weekly
            }
        };
        if let Err(e) = parse_hm(r.handoff.get_ref()) {
            err(r.handoff.span(), "handoff", e);
        }
        if let Err(e) = parse_date(r.start.get_ref()) {
            err(r.start.span(), "start", e);
        }
        let timezone = zone(&r.timezone, &mut err);
        def.rotations.push(Rotation {
            role: role.clone(),
            people: r.people.get_ref().clone(),
            length,
            handoff: r.handoff.get_ref().trim().to_string(),
            start: r.start.get_ref().trim().to_string(),
            timezone,
        });
    }
    let mut quiet_people = HashSet::new();
    for q in &raw.quiet_hours {
        let p = q.person.get_ref();
        if !people.contains(p.as_str()) {
            err(
                q.person.span(),
                "person",
                format!("unknown person '{p}' (add a [[person]] to operation.toml)"),
            );
        } else if !quiet_people.insert(p.clone()) {
            err(
                q.person.span(),
                "person",
                format!("'{p}' already has quiet hours"),
            );
        }
        if let Err(e) = parse_span(q.hours.get_ref()) {
            err(q.hours.span(), "hours", e);
        }
        let timezone = zone(&q.timezone, &mut err);
        def.quiet_hours.push(QuietHours {
            person: p.clone(),
            hours: q.hours.get_ref().trim().to_string(),
            timezone,
        });
    }
    let mut names = HashSet::new();
    for w in &raw.maintenance {
        let n = w.name.get_ref();
        if !super::operation::valid_key(n) {
            err(
                w.name.span(),
                "name",
                format!("'{n}' is not a valid name (a-z, 0-9, - and _)"),
            );
        } else if !names.insert(n.clone()) {
            err(w.name.span(), "name", format!("duplicate window '{n}'"));
        }
        if let Err(e) = parse_every(w.every.get_ref()) {
            err(w.every.span(), "every", e);
        }
        let mut matchers = Vec::new();
        if let Some(m) = &w.matchers {
            for (k, v) in m.get_ref() {
                match Matcher::parse(&format!("{k}={v}")) {
                    Ok(m) => matchers.push(m),
                    Err(e) => err(m.span(), "match", e),
                }
            }
        }
        let timezone = zone(&w.timezone, &mut err);
        def.windows.push(MaintenanceWindow {
            name: n.clone(),
            every: w.every.get_ref().trim().to_string(),
            timezone,
            reason: w.reason.trim().to_string(),
            matchers,
        });
    }
    if errors.is_empty() {
        Ok(def)
    } else {
        Err(errors)
    }
}

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `oncall.toml` for `def`, as [`parse`] reads it.
pub(super) fn write(def: &OnCallDef) -> String {
    let mut s = String::from(
        "# On call: who holds each role (rotations), when warnings wait (quiet\n# hours), recurring maintenance windows, and the window within which\n# notifications for one person go out as one. Overrides and one-off\n# silences are commands (`opsdeck oncall override`, `opsdeck silence add`).\n\n",
    );
    let _ = writeln!(
        s,
        "group_window = {}",
        q(&format_duration(def.group_window_secs))
    );
    let tz = |s: &mut String, t: &Option<String>| {
        if let Some(t) = t {
            let _ = writeln!(s, "timezone = {}", q(t));
        }
    };
    for r in &def.rotations {
        let people: Vec<String> = r.people.iter().map(|p| q(p)).collect();
        let _ = write!(
            s,
            "\n[[rotation]]\nrole = {}\npeople = [{}]\nlength = {}\nhandoff = {}\nstart = {}\n",
            q(&r.role),
            people.join(", "),
            q(r.length.word()),
            q(&r.handoff),
            q(&r.start)
        );
        tz(&mut s, &r.timezone);
    }
    for h in &def.quiet_hours {
        let _ = write!(
            s,
            "\n[[quiet_hours]]\nperson = {}\nhours = {}\n",
            q(&h.person),
            q(&h.hours)
        );
        tz(&mut s, &h.timezone);
    }
    for w in &def.windows {
        let _ = write!(
            s,
            "\n[[maintenance]]\nname = {}\nevery = {}\nreason = {}\n",
            q(&w.name),
            q(&w.every),
            q(&w.reason)
        );
        tz(&mut s, &w.timezone);
        if !w.matchers.is_empty() {
            let m: Vec<String> = w
                .matchers
                .iter()
                .map(|m| format!("{} = {}", m.field.word(), q(&m.value)))
                .collect();
            let _ = writeln!(s, "match = {{ {} }}", m.join(", "));
        }
    }
    s
}
