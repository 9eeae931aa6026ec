//! The operation's definition as a folder of TOML files (`operation.toml`,
//! `indicators.toml`, `slos.toml`, `playbooks/*.toml`): parsing and
//! validating the whole folder, writing it back, and planning the change
//! from what the database holds. Pure: texts in, typed definition and plan
//! out; reading the folder and the database is the caller's job.

mod indicators;
mod oncall;
mod operation;
pub mod plan;
mod write;

pub(crate) use oncall::ONCALL_FILE;
pub use plan::{plan, Change, Plan, Retired};
pub use write::to_files;

/// Parses an `operation.toml` on its own (the starter set seeding a new
/// database); references to other files are not checked.
pub(crate) fn parse_operation(file: &str, text: &str) -> Result<Operation, Vec<DefError>> {
    operation::parse(file, text)
}

use crate::domain::budget::{parse_slos, SloDef};
use crate::domain::capacity::Capacity;
use crate::domain::indicator::IndicatorDef;
use crate::domain::oncall::OnCallDef;
use crate::domain::playbook::{parse_playbook, EscalationTarget, PlaybookDef};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The operation file's name in a definition folder.
pub(crate) const OPERATION_FILE: &str = "operation.toml";
/// The indicators file's name.
pub(crate) const INDICATORS_FILE: &str = "indicators.toml";
/// The SLO file's name.
pub(crate) const SLOS_FILE: &str = "slos.toml";
/// The sources file's name (parsed and planned by the `sources` module,
/// which sits above this one; here it is only a known file).
pub(crate) const SOURCES_FILE: &str = "sources.toml";
/// The folder of playbook files.
pub(crate) const PLAYBOOKS_DIR: &str = "playbooks";

/// A role of the operation (demand capture, fulfilment, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Stable key playbooks and indicators name (`fulfilment`).
    pub key: String,
    /// Name shown on screens.
    pub name: String,
}

/// A person and the roles they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The person's name (unique), as escalation levels and history name them.
    pub name: String,
    /// Role keys, sorted.
    pub roles: Vec<String>,
}

/// One level of the default escalation path (after the owning role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertLevel {
    /// Seconds since the alert opened after which this level is due.
    pub after_secs: i64,
    /// The role or person called.
    pub target: EscalationTarget,
}

/// Alert defaults: the escalation path used when no playbook gives one, and
/// how long an acknowledgement holds before the alert re-opens. The default
/// value is the built-in behaviour of an operation that never set them
/// (the owner, `ops-lead` after 30 minutes, the person `founder` after 2 h;
/// acknowledgements hold 4 h), the same path as
/// [`crate::domain::escalation::default_escalation_path`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDefaults {
    /// Seconds an acknowledged alert may stay unresolved (0 = for ever).
    pub ack_timeout_secs: i64,
    /// Levels after the owning role, in order.
    pub escalation: Vec<AlertLevel>,
}

impl Default for AlertDefaults {
    fn default() -> Self {
        AlertDefaults {
            ack_timeout_secs: crate::domain::escalation::DEFAULT_ACK_TIMEOUT_SECS,
            escalation: vec![
                AlertLevel {
                    after_secs: 30 * 60,
                    target: EscalationTarget::Role("ops-lead".into()),
                },
                AlertLevel {
                    after_secs: 2 * crate::domain::HOUR,
                    target: EscalationTarget::Person("founder".into()),
                },
            ],
        }
    }
}

/// What `operation.toml` says.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The company's name, shown in the cockpit's header.
    pub company: String,
    /// IANA name (`Europe/Berlin`) or `UTC`.
    pub timezone: String,
    /// The roles, in file order.
    pub roles: Vec<Role>,
    /// The people and the roles they hold.
    pub people: Vec<Person>,
    /// Capacity and early-warning bands per work kind.
    pub capacity: Vec<Capacity>,
    /// The default escalation path and acknowledgement timeout.
    pub alerts: AlertDefaults,
}

/// The whole definition of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// `operation.toml`.
    pub operation: Operation,
    /// In board order.
    pub indicators: Vec<IndicatorDef>,
    /// `slos.toml`, in file order.
    pub slos: Vec<SloDef>,
    /// Sorted by key.
    pub playbooks: Vec<PlaybookDef>,
    /// `oncall.toml` (the defaults when the folder has none).
    pub oncall: OnCallDef,
}

/// One problem in a definition folder: `FILE:LINE: field: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub(crate) struct DefError {
    /// Path inside the folder (`playbooks/x.toml`).
    pub file: String,
    /// 1-based line in that file (1 when the file as a whole is wrong).
    pub line: usize,
    /// `field: reason`.
    pub message: String,
}

impl DefError {
    pub(crate) fn new(file: &str, line: usize, field: &str, reason: impl AsRef<str>) -> DefError {
        DefError {
            file: file.to_string(),
            line,
            message: format!("{field}: {}", reason.as_ref()),
        }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The line where `field = "value"` is written (1 when not found).
fn line_of_value(text: &str, field: &str, value: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(field) && l.contains(&format!("\"{value}\""))
        })
        .map_or(1, |i| i + 1)
}

/// A TOML syntax or shape error as `FILE:LINE: field: reason`.
pub(crate) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> DefError {
    let line = e.span().map_or(1, |s| line_of(text, s.start));
    let msg = e.message().trim().replace('\n', " ");
    let field = msg
        .split('`')
        .nth(1)
        .filter(|_| msg.starts_with("unknown field") || msg.starts_with("missing field"))
        .unwrap_or("toml")
        .to_string();
    DefError::new(file, line, &field, msg)
}

/// Parses and validates a whole folder given as `(path inside the folder,
/// text)` pairs; every problem is returned, sorted by file and line.
pub(crate) fn parse_folder(files: &[(String, String)]) -> Result<Definition, Vec<DefError>> {
    let mut errors = Vec::new();
    let find = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, t)| t);
    for (name, _) in files {
        let known = name == OPERATION_FILE
            || name == INDICATORS_FILE
            || name == SLOS_FILE
            || name == SOURCES_FILE
            || name == ONCALL_FILE
            || (name.starts_with("playbooks/") && name.ends_with(".toml"));
        if !known {
            errors.push(DefError::new(
                name,
                1,
                "file",
                "not part of an operation folder (operation.toml, indicators.toml, slos.toml, sources.toml, oncall.toml, playbooks/*.toml)",
            ));
        }
    }
    let operation = match find(OPERATION_FILE) {
        Some(t) => operation::parse(OPERATION_FILE, t)
            .map_err(|e| errors.extend(e))
            .ok(),
        None => {
            errors.push(DefError::new(OPERATION_FILE, 1, "file", "missing"));
            None
        }
    };
    let indicators = match find(INDICATORS_FILE) {
        Some(t) => indicators::parse(INDICATORS_FILE, t)
            .map_err(|e| errors.extend(e))
            .ok(),
        None => Some(Vec::new()),
    };
    let slos = match find(SLOS_FILE) {
        Some(t) => parse_slos(SLOS_FILE, t)
            .map_err(|e| {
                errors.extend(e.into_iter().map(|e| DefError {
                    file: e.file,
                    line: e.line,
                    message: e.reason,
                }))
            })
            .ok(),
        None => Some(Vec::new()),
    };
    let oncall = match (find(ONCALL_FILE), &operation) {
        (Some(t), Some(op)) => oncall::parse(ONCALL_FILE, t, op)
            .map_err(|e| errors.extend(e))
            .ok(),
        (None, _) => Some(OnCallDef::default()),
        (Some(_), None) => None,
    };
    let role_keys: Vec<&str> = operation
        .as_ref()
        .map(|o| o.roles.iter().map(|r| r.key.as_str()).collect())
        .unwrap_or_default();
    let mut parsed: Vec<(&str, &str, PlaybookDef)> = Vec::new();
    for (name, text) in files.iter().filter(|(n, _)| n.starts_with("playbooks/")) {
        match parse_playbook(name, text, &role_keys) {
            Ok(p) => {
                if let Some((other, _, _)) = parsed.iter().find(|(_, _, q)| q.key == p.key) {
                    errors.push(DefError::new(
                        name,
                        line_of_value(text, "key", &p.key),
                        "key",
                        format!("duplicate playbook key '{}' (also in {other})", p.key),
                    ));
                }
                parsed.push((name, text, p));
            }
            Err(e) => errors.extend(e.into_iter().map(|e| DefError {
                file: e.file,
                line: e.line,
                message: e.message.replacen('`', "", 2),
            })),
        }
    }
    if let (Some(op), Some(inds), Some(slos)) = (&operation, &indicators, &slos) {
        let texts = Texts {
            operation: find(OPERATION_FILE).map_or("", |t| t.as_str()),
            indicators: find(INDICATORS_FILE).map_or("", |t| t.as_str()),
            slos: find(SLOS_FILE).map_or("", |t| t.as_str()),
        };
        let pbs: Vec<(&str, &str, &PlaybookDef)> =
            parsed.iter().map(|(n, t, p)| (*n, *t, p)).collect();
        cross_check(op, inds, slos, &pbs, &texts, &mut errors);
    }
    let mut playbooks: Vec<PlaybookDef> = parsed.into_iter().map(|(_, _, p)| p).collect();
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        errors.dedup();
        return Err(errors);
    }
    playbooks.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Definition {
        operation: operation.expect("checked above"),
        indicators: indicators.expect("checked above"),
        slos: slos.expect("checked above"),
        playbooks,
        oncall: oncall.expect("checked above"),
    })
}

struct Texts<'a> {
    operation: &'a str,
    indicators: &'a str,
    slos: &'a str,
}

/// References across files: owner roles, work kinds, SLO playbooks,
/// escalation people.
fn cross_check(
    op: &Operation,
    inds: &[IndicatorDef],
    slos: &[SloDef],
    playbooks: &[(&str, &str, &PlaybookDef)],
    texts: &Texts<'_>,
    errors: &mut Vec<DefError>,
) {
    let roles: HashSet<&str> = op.roles.iter().map(|r| r.key.as_str()).collect();
    let people: HashSet<&str> = op.people.iter().map(|p| p.name.as_str()).collect();
    let kinds: HashSet<&str> = op.capacity.iter().map(|c| c.work_kind.as_str()).collect();
    let role_list = || {
        let mut v: Vec<&str> = roles.iter().copied().collect();
        v.sort();
        v.join(", ")
    };
    let kind_list = || {
        let mut v: Vec<&str> = kinds.iter().copied().collect();
        v.sort();
        v.join(", ")
    };
    for i in inds {
        if !roles.contains(i.owner_role.as_str()) {
            errors.push(DefError::new(
                INDICATORS_FILE,
                line_of_value(texts.indicators, "owner", &i.owner_role),
                "owner",
                format!(
                    "unknown role '{}' (roles in operation.toml: {})",
                    i.owner_role,
                    role_list()
                ),
            ));
        }
        if let Some(k) = i.work_kind.as_deref().filter(|k| !kinds.contains(k)) {
            errors.push(DefError::new(
                INDICATORS_FILE,
                line_of_value(texts.indicators, "work_kind", k),
                "work_kind",
                format!(
                    "unknown work kind '{k}' (capacities in operation.toml: {})",
                    kind_list()
                ),
            ));
        }
    }
    let playbook_keys: HashSet<&str> = playbooks.iter().map(|(_, _, p)| p.key.as_str()).collect();
    for s in slos {
        if let Some(r) = s.owner_role.as_deref().filter(|r| !roles.contains(r)) {
            errors.push(DefError::new(
                SLOS_FILE,
                line_of_value(texts.slos, "owner_role", r),
                "owner_role",
                format!(
                    "unknown role '{r}' (roles in operation.toml: {})",
                    role_list()
                ),
            ));
        }
        if let Some(p) = s.playbook.as_deref().filter(|p| !playbook_keys.contains(p)) {
            errors.push(DefError::new(
                SLOS_FILE,
                line_of_value(texts.slos, "playbook", p),
                "playbook",
                format!("unknown playbook '{p}' (not in playbooks/)"),
            ));
        }
    }
    let mut check_target = |file: &str, text: &str, t: &EscalationTarget| match t {
        EscalationTarget::Role(r) if !roles.contains(r.as_str()) => errors.push(DefError::new(
            file,
            line_of_value(text, "role", r),
            "role",
            format!(
                "unknown role '{r}' (roles in operation.toml: {})",
                role_list()
            ),
        )),
        EscalationTarget::Person(p) if !people.contains(p.as_str()) => errors.push(DefError::new(
            file,
            line_of_value(text, "person", p),
            "person",
            format!("unknown person '{p}' (add a [[person]] to operation.toml)"),
        )),
        _ => {}
    };
    for l in &op.alerts.escalation {
        check_target(OPERATION_FILE, texts.operation, &l.target);
    }
    for (file, text, p) in playbooks {
        for l in &p.escalation {
            check_target(file, text, &l.target);
        }
    }
}

#[cfg(test)]
mod tests;
