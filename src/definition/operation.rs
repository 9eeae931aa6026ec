//! `operation.toml`: company, time zone, roles, people, capacities and the
//! alert defaults.

use super::{line_of, toml_error, AlertDefaults, AlertLevel, DefError, Operation, Person, Role};
use crate::domain::capacity::Capacity;
use crate::domain::duration::parse_duration;
use crate::domain::playbook::EscalationTarget;
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    company: Spanned<String>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    role: Vec<RawRole>,
    #[serde(default)]
    person: Vec<RawPerson>,
    #[serde(default)]
    capacity: Vec<RawCapacity>,
    #[serde(default)]
    alerts: Option<RawAlerts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    key: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: Spanned<String>,
    #[serde(default)]
    roles: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapacity {
    work_kind: Spanned<String>,
    units_per_day: Spanned<f64>,
    #[serde(default)]
    warn_at: Option<Spanned<f64>>,
    #[serde(default)]
    breach_at: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    #[serde(default)]
    ack_timeout: Option<Spanned<String>>,
    #[serde(default)]
    escalation: Vec<RawLevel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    after: Spanned<String>,
    #[serde(default)]
    role: Option<Spanned<String>>,
    #[serde(default)]
    person: Option<Spanned<String>>,
}

/// Parses `operation.toml`; every problem with its line.
pub(super) fn parse(file: &str, text: &str) -> Result<Operation, Vec<DefError>> {
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
    if raw.company.get_ref().trim().is_empty() {
        err(raw.company.span(), "company", "must not be empty".into());
    }
    let timezone = match &raw.timezone {
        None => "UTC".to_string(),
        Some(tz) => {
            let t = tz.get_ref().trim();
            // A zone of the IANA database the cockpit's clock can show.
            let ok = t == "UTC"
                || (t.contains('/')
                    && matches!(
                        crate::format::Zone::parse(t),
                        Ok(crate::format::Zone::Named(_))
                    ));
            if !ok {
                err(
                    tz.span(),
                    "timezone",
                    format!(
                        "'{}' is not a time zone name (UTC or Area/City, e.g. Europe/Berlin)",
                        crate::text::sanitize(t)
                    ),
                );
            }
            t.to_string()
        }
    };
    let mut seen = HashSet::new();
    let mut roles = Vec::new();
    for r in &raw.role {
        let k = r.key.get_ref();
        if !valid_key(k) {
            err(
                r.key.span(),
                "key",
                format!("'{k}' is not a valid role key (a-z, 0-9, - and _)"),
            );
        } else if !seen.insert(k.clone()) {
            err(r.key.span(), "key", format!("duplicate role '{k}'"));
        }
        roles.push(Role {
            key: k.clone(),
            name: r.name.clone(),
        });
    }
    let mut people = Vec::new();
    let mut names = HashSet::new();
    for p in &raw.person {
        let n = p.name.get_ref().trim().to_string();
        if n.is_empty() || crate::text::sanitize(&n) != n {
            err(
                p.name.span(),
                "name",
                "must be a plain, non-empty name".into(),
            );
        } else if !names.insert(n.clone()) {
            err(p.name.span(), "name", format!("duplicate person '{n}'"));
        }
        let mut held = Vec::new();
        for r in &p.roles {
            if !seen.contains(r.get_ref()) {
                err(
                    r.span(),
                    "roles",
                    format!(
                        "unknown role '{}' (not a [[role]] of this file)",
                        r.get_ref()
                    ),
                );
            }
            held.push(r.get_ref().clone());
        }
        held.sort();
        held.dedup();
        people.push(Person {
            name: n,
            roles: held,
        });
    }
    let mut kinds = HashSet::new();
    let mut capacity = Vec::new();
    for c in &raw.capacity {
        let k = c.work_kind.get_ref();
        if !valid_key(k) {
            err(
                c.work_kind.span(),
                "work_kind",
                format!("'{k}' is not a valid work kind (a-z, 0-9, - and _)"),
            );
        } else if !kinds.insert(k.clone()) {
            err(
                c.work_kind.span(),
                "work_kind",
                format!("duplicate work kind '{k}'"),
            );
        }
        let units = *c.units_per_day.get_ref();
        if !(units.is_finite() && units > 0.0) {
            err(
                c.units_per_day.span(),
                "units_per_day",
                "must be a positive number".into(),
            );
        }
        let warn = c.warn_at.as_ref().map_or(0.6, |w| *w.get_ref());
        let breach = c.breach_at.as_ref().map_or(0.9, |b| *b.get_ref());
        if !(warn > 0.0 && warn < breach && breach.is_finite()) {
            let span = c
                .warn_at
                .as_ref()
                .or(c.breach_at.as_ref())
                .map_or(c.work_kind.span(), |s| s.span());
            err(
                span,
                "warn_at",
                format!("the bands must be 0 < warn_at < breach_at (got {warn} and {breach})"),
            );
        }
        capacity.push(Capacity {
            work_kind: k.clone(),
            units_per_day: units,
            warn_at: warn,
            breach_at: breach,
        });
    }
    // Without an [alerts] table: the default acknowledgement timeout and no
    // levels beyond the owning role.
    let mut alerts = AlertDefaults {
        escalation: Vec::new(),
        ..AlertDefaults::default()
    };
    if let Some(a) = &raw.alerts {
        if let Some(t) = &a.ack_timeout {
            match parse_duration(t.get_ref()) {
                Ok(d) => alerts.ack_timeout_secs = d.num_seconds(),
                Err(e) => err(t.span(), "ack_timeout", e),
            }
        }
        let mut last = 0;
        for l in &a.escalation {
            let after = match parse_duration(l.after.get_ref()) {
                Ok(d) => d.num_seconds(),
                Err(e) => {
                    err(l.after.span(), "after", e);
                    continue;
                }
            };
            if after < last {
                err(
                    l.after.span(),
                    "after",
                    "each level must come after the previous one".into(),
                );
            }
            last = after;
            let target = match (&l.role, &l.person) {
                (Some(r), None) => EscalationTarget::Role(r.get_ref().clone()),
                (None, Some(p)) => EscalationTarget::Person(p.get_ref().clone()),
                _ => {
                    err(
                        l.after.span(),
                        "role",
                        "give exactly one of role or person".into(),
                    );
                    continue;
                }
            };
            alerts.escalation.push(AlertLevel {
                after_secs: after,
                target,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Operation {
        company: raw.company.into_inner().trim().to_string(),
        timezone,
        roles,
        people,
        capacity,
        alerts,
    })
}

/// Lower-case letters, digits, `-` and `_`, not empty, at most 64.
pub(super) fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
