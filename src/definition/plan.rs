//! The plan: what applying a folder would change in the database, one line
//! per change (`+ indicator mrr`, `~ indicator on_time_rate: target 95 → 97`,
//! `= 14 unchanged`).

use super::{AlertDefaults, Definition, Person, Role};
use crate::domain::budget::SloDef;
use crate::domain::capacity::Capacity;
use crate::domain::duration::format_duration;
use crate::domain::indicator::IndicatorDef;
use crate::domain::oncall::OnCallDef;
use crate::domain::plausible::number;
use crate::domain::playbook::PlaybookDef;

/// Keys of what the database holds retired (they return with their history).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Retired {
    /// Retired indicator keys.
    pub indicators: Vec<String>,
    /// Retired SLO keys.
    pub slos: Vec<String>,
    /// Retired playbook keys.
    pub playbooks: Vec<String>,
}

/// One change the plan makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The company's name: old → new.
    Company(String, String),
    /// The time zone: old → new.
    Timezone(String, String),
    /// The alert defaults: old → new.
    Alerts(AlertDefaults, AlertDefaults),
    /// The on-call part (`oncall.toml`): old → new.
    OnCall(OnCallDef, OnCallDef),
    /// A new role.
    AddRole(Role),
    /// A role's name changes (the role, its new name).
    RenameRole(Role, String),
    /// A role leaves (`--prune`), by key.
    RemoveRole(String),
    /// A new person with their roles.
    AddPerson(Person),
    /// A person's roles change (the person as before, the new role keys).
    SetPersonRoles(Person, Vec<String>),
    /// A person leaves (`--prune`), by name.
    RemovePerson(String),
    /// A capacity for a new work kind.
    AddCapacity(Capacity),
    /// A capacity changes: old → new.
    SetCapacity(Capacity, Capacity),
    /// A work kind's capacity leaves (`--prune`).
    RemoveCapacity(String),
    /// A new indicator, or (`true`) a retired one defined again.
    AddIndicator(IndicatorDef, bool),
    /// An indicator's definition changes: old → new (a new version).
    SetIndicator(IndicatorDef, IndicatorDef),
    /// An indicator is retired (`--prune`); its values are kept.
    RetireIndicator(String),
    /// A new SLO, or (`true`) a retired one defined again.
    AddSlo(SloDef, bool),
    /// An SLO changes: old → new.
    SetSlo(SloDef, SloDef),
    /// An SLO is retired (`--prune`).
    RetireSlo(String),
    /// A new playbook, or (`true`) a retired one defined again.
    AddPlaybook(PlaybookDef, bool),
    /// A playbook changes: old → new (a new version; runs keep theirs).
    SetPlaybook(PlaybookDef, PlaybookDef),
    /// A playbook is retired (`--prune`); its runs are kept.
    RetirePlaybook(String),
}

/// Everything applying a folder does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The changes, in the order they are printed and applied.
    pub changes: Vec<Change>,
    /// Things defined identically on both sides.
    pub unchanged: usize,
    /// In the database but not in the files, left as they are (no `--prune`).
    pub kept: Vec<String>,
}

impl Plan {
    /// The plan as the lines `apply` prints.
    pub fn lines(&self, dir: &str) -> Vec<String> {
        let mut out: Vec<String> = self.changes.iter().map(describe).collect();
        for k in &self.kept {
            out.push(format!("  kept (not in {dir}): {k}"));
        }
        out.push(format!("= {} unchanged", self.unchanged));
        out
    }
}

fn arrow(field: &str, old: String, new: String) -> Option<String> {
    (old != new).then(|| format!("{field} {old} → {new}"))
}

fn describe(c: &Change) -> String {
    match c {
        Change::Company(a, b) => format!("~ company: {a} → {b}"),
        Change::Timezone(a, b) => format!("~ timezone: {a} → {b}"),
        Change::Alerts(a, b) => {
            let mut parts: Vec<String> = Vec::new();
            parts.extend(arrow(
                "ack_timeout",
                format_duration(a.ack_timeout_secs),
                format_duration(b.ack_timeout_secs),
            ));
            if a.escalation != b.escalation {
                parts.push("escalation path".into());
            }
            format!("~ alerts: {}", parts.join(", "))
        }
        Change::OnCall(a, b) => {
            let mut parts: Vec<String> = Vec::new();
            parts.extend(arrow(
                "group_window",
                format_duration(a.group_window_secs),
                format_duration(b.group_window_secs),
            ));
            let count = |what: &str, x: usize, y: usize, same: bool| {
                (!same).then(|| format!("{what} {x} → {y}"))
            };
            parts.extend(count(
                "rotations",
                a.rotations.len(),
                b.rotations.len(),
                a.rotations == b.rotations,
            ));
            parts.extend(count(
                "quiet hours",
                a.quiet_hours.len(),
                b.quiet_hours.len(),
                a.quiet_hours == b.quiet_hours,
            ));
            parts.extend(count(
                "maintenance windows",
                a.windows.len(),
                b.windows.len(),
                a.windows == b.windows,
            ));
            format!("~ on call: {}", parts.join(", "))
        }
        Change::AddRole(r) => format!("+ role {}", r.key),
        Change::RenameRole(r, n) => format!("~ role {}: name {} → {n}", r.key, r.name),
        Change::RemoveRole(k) => format!("- role {k}"),
        Change::AddPerson(p) => format!("+ person {} ({})", p.name, p.roles.join(", ")),
        Change::SetPersonRoles(p, r) => format!(
            "~ person {}: roles {} → {}",
            p.name,
            p.roles.join(", "),
            r.join(", ")
        ),
        Change::RemovePerson(n) => format!("- person {n} (roles taken away)"),
        Change::AddCapacity(c) => format!(
            "+ capacity {}: {} per day",
            c.work_kind,
            number(c.units_per_day)
        ),
        Change::SetCapacity(a, b) => {
            let mut parts = Vec::new();
            if a.units_per_day != b.units_per_day {
                parts.push(format!(
                    "{} → {} per day",
                    number(a.units_per_day),
                    number(b.units_per_day)
                ));
            }
            parts.extend(arrow("warn_at", number(a.warn_at), number(b.warn_at)));
            parts.extend(arrow("breach_at", number(a.breach_at), number(b.breach_at)));
            format!("~ capacity {}: {}", a.work_kind, parts.join(", "))
        }
        Change::RemoveCapacity(k) => format!("- capacity {k}"),
        Change::AddIndicator(d, back) => format!(
            "+ indicator {}{}",
            d.key,
            if *back {
                " (returns with its history)"
            } else {
                ""
            }
        ),
        Change::SetIndicator(a, b) => {
            format!("~ indicator {}: {}", a.key, indicator_diff(a, b).join(", "))
        }
        Change::RetireIndicator(k) => format!("- indicator {k} (retired; its history is kept)"),
        Change::AddSlo(d, back) => {
            format!("+ slo {}{}", d.key, if *back { " (returns)" } else { "" })
        }
        Change::SetSlo(a, b) => {
            let mut parts = Vec::new();
            parts.extend(arrow("objective", number(a.objective), number(b.objective)));
            parts.extend(arrow(
                "window",
                format_duration(a.window_secs),
                format_duration(b.window_secs),
            ));
            if parts.is_empty() {
                parts.push("definition".into());
            }
            format!("~ slo {}: {}", a.key, parts.join(", "))
        }
        Change::RetireSlo(k) => format!("- slo {k} (retired)"),
        Change::AddPlaybook(d, back) => {
            format!(
                "+ playbook {}{}",
                d.key,
                if *back { " (returns)" } else { "" }
            )
        }
        Change::SetPlaybook(a, b) => {
            let mut parts = Vec::new();
            if a.name != b.name || a.description != b.description {
                parts.push("text");
            }
            if a.steps != b.steps {
                parts.push("steps");
            }
            if a.escalation != b.escalation {
                parts.push("escalation");
            }
            if a.review_every_secs != b.review_every_secs || a.last_reviewed != b.last_reviewed {
                parts.push("review");
            }
            if parts.is_empty() {
                parts.push("version");
            }
            format!("~ playbook {}: {} (new version)", a.key, parts.join(", "))
        }
        Change::RetirePlaybook(k) => format!("- playbook {k} (retired; its runs are kept)"),
    }
}

/// `field old → new` for each field that differs.
pub(crate) fn indicator_diff(a: &IndicatorDef, b: &IndicatorDef) -> Vec<String> {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), number);
    let s = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    [
        arrow("name", a.name.clone(), b.name.clone()),
        arrow("definition", a.definition.clone(), b.definition.clone()),
        arrow("kind", a.kind.as_str().into(), b.kind.as_str().into()),
        arrow("unit", a.unit.clone(), b.unit.clone()),
        arrow(
            "direction",
            a.direction.as_str().into(),
            b.direction.as_str().into(),
        ),
        arrow(
            "aggregation",
            a.aggregation.as_str().into(),
            b.aggregation.as_str().into(),
        ),
        arrow(
            "window",
            format_duration(a.window_secs),
            format_duration(b.window_secs),
        ),
        arrow("target", number(a.target), number(b.target)),
        arrow("warn", number(a.warn), number(b.warn)),
        arrow("breach", number(a.breach), number(b.breach)),
        arrow("owner", a.owner_role.clone(), b.owner_role.clone()),
        arrow("source", a.source.as_str().into(), b.source.as_str().into()),
        arrow("metric", s(&a.metric), s(&b.metric)),
        arrow("work_kind", s(&a.work_kind), s(&b.work_kind)),
        arrow("min", opt(a.min), opt(b.min)),
        arrow("max", opt(a.max), opt(b.max)),
        arrow(
            "min_events",
            a.min_events
                .map(|n| n.to_string())
                .unwrap_or_else(|| "default".into()),
            b.min_events
                .map(|n| n.to_string())
                .unwrap_or_else(|| "default".into()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Diffs keyed lists: adds, changes, and what only `current` has.
fn diff_keyed<T: Clone + PartialEq>(
    current: &[T],
    desired: &[T],
    key: impl Fn(&T) -> String,
    plan: &mut Plan,
    add: impl Fn(T) -> Change,
    set: impl Fn(T, T) -> Change,
) -> Vec<String> {
    for d in desired {
        match current.iter().find(|c| key(c) == key(d)) {
            None => plan.changes.push(add(d.clone())),
            Some(c) if c == d => plan.unchanged += 1,
            Some(c) => plan.changes.push(set(c.clone(), d.clone())),
        }
    }
    current
        .iter()
        .filter(|c| !desired.iter().any(|d| key(d) == key(c)))
        .map(&key)
        .collect()
}

/// What applying `desired` over `current` does. With `prune`, what only the
/// database has is retired (indicators, SLOs, playbooks) or removed (roles,
/// role assignments, capacities); without, it is listed as kept.
pub fn plan(current: &Definition, retired: &Retired, desired: &Definition, prune: bool) -> Plan {
    let mut p = Plan::default();
    let (co, de) = (&current.operation, &desired.operation);
    let same = |changed: bool, c: Change, p: &mut Plan| {
        if changed {
            p.changes.push(c)
        } else {
            p.unchanged += 1
        }
    };
    same(
        co.company != de.company,
        Change::Company(co.company.clone(), de.company.clone()),
        &mut p,
    );
    same(
        co.timezone != de.timezone,
        Change::Timezone(co.timezone.clone(), de.timezone.clone()),
        &mut p,
    );
    same(
        co.alerts != de.alerts,
        Change::Alerts(co.alerts.clone(), de.alerts.clone()),
        &mut p,
    );
    same(
        current.oncall != desired.oncall,
        Change::OnCall(current.oncall.clone(), desired.oncall.clone()),
        &mut p,
    );
    let mut only: Vec<(String, Change)> = Vec::new();
    for k in diff_keyed(
        &co.roles,
        &de.roles,
        |r| r.key.clone(),
        &mut p,
        Change::AddRole,
        |a, b| {
            let n = b.name.clone();
            Change::RenameRole(a, n)
        },
    ) {
        only.push((format!("role {k}"), Change::RemoveRole(k)));
    }
    for k in diff_keyed(
        &co.people,
        &de.people,
        |x| x.name.clone(),
        &mut p,
        Change::AddPerson,
        |a, b| {
            let r = b.roles.clone();
            Change::SetPersonRoles(a, r)
        },
    ) {
        only.push((format!("person {k}"), Change::RemovePerson(k)));
    }
    for k in diff_keyed(
        &co.capacity,
        &de.capacity,
        |c| c.work_kind.clone(),
        &mut p,
        Change::AddCapacity,
        Change::SetCapacity,
    ) {
        only.push((format!("capacity {k}"), Change::RemoveCapacity(k)));
    }
    let back = |keys: &[String], k: &str| keys.iter().any(|r| r == k);
    for k in diff_keyed(
        &current.indicators,
        &desired.indicators,
        |i| i.key.clone(),
        &mut p,
        |d| {
            let b = back(&retired.indicators, &d.key);
            Change::AddIndicator(d, b)
        },
        Change::SetIndicator,
    ) {
        only.push((format!("indicator {k}"), Change::RetireIndicator(k)));
    }
    for k in diff_keyed(
        &current.slos,
        &desired.slos,
        |s| s.key.clone(),
        &mut p,
        |d| {
            let b = back(&retired.slos, &d.key);
            Change::AddSlo(d, b)
        },
        Change::SetSlo,
    ) {
        only.push((format!("slo {k}"), Change::RetireSlo(k)));
    }
    for k in diff_keyed(
        &current.playbooks,
        &desired.playbooks,
        |s| s.key.clone(),
        &mut p,
        |d| {
            let b = back(&retired.playbooks, &d.key);
            Change::AddPlaybook(d, b)
        },
        Change::SetPlaybook,
    ) {
        only.push((format!("playbook {k}"), Change::RetirePlaybook(k)));
    }
    for (label, change) in only {
        if prune {
            p.changes.push(change);
        } else {
            p.kept.push(label);
        }
    }
    p
}
