//! Pre-registration: the canonical text of what an experiment promised to test,
//! its content hash, and the lock that refuses silent edits after the start.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::criterion::Criterion;
use super::definition::{text_error, Control, ExperimentDef};

/// First line of the canonical registration text; changes only if the format
/// below changes, so old hashes stay verifiable.
pub const REGISTRATION_FORMAT: &str = "opsdeck experiment registration v1";

/// The canonical text that is hashed at pre-registration. One line per item,
/// each ending in `\n`, in this fixed order:
///
/// ```text
/// opsdeck experiment registration v1
/// hypothesis <byte length>:<text as stored>
/// scope <byte length>:<text as stored>
/// start <unix seconds>
/// end <unix seconds>
/// control baseline <from> <to>          (or: control segment <len>:<name>)
/// criterion primary <len>:<indicator> <op> <threshold> min_events <n>
/// criterion guardrail <len>:<indicator> <op> <threshold> min_events <n>
/// ```
///
/// Texts are length-prefixed (UTF-8 bytes) and kept byte for byte, so a
/// newline inside a hypothesis cannot forge another line. The control is the
/// effective one (an absent control is written as its default baseline).
/// Thresholds use Rust's shortest round-trip decimal form (`95`, `0.9`; `-0`
/// is written as `0`). The primary criterion comes first, then guardrails in
/// the sort order of their lines, so reordering criteria does not change it.
pub fn registration_text(def: &ExperimentDef) -> String {
    let mut out = String::new();
    out.push_str(REGISTRATION_FORMAT);
    out.push('\n');
    out.push_str(&format!("hypothesis {}\n", prefixed(&def.hypothesis)));
    out.push_str(&format!("scope {}\n", prefixed(&def.scope)));
    out.push_str(&format!("start {}\n", def.start));
    out.push_str(&format!("end {}\n", def.end));
    out.push_str(&control_line(&def.effective_control()));
    for line in criteria_lines(&def.criteria) {
        out.push_str(&line);
    }
    out
}

/// Lowercase hex SHA-256 (64 characters) of [`registration_text`]: shown with
/// a started experiment so anyone can check that what was registered is what
/// is evaluated (`sha256sum` of the text gives the same value).
pub fn registration_hash(def: &ExperimentDef) -> String {
    let digest = Sha256::digest(registration_text(def).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn prefixed(text: &str) -> String {
    format!("{}:{}", text.len(), text)
}

fn control_line(control: &Control) -> String {
    match control {
        Control::Segment(name) => format!("control segment {}\n", prefixed(name)),
        Control::Baseline { from, to } => format!("control baseline {from} {to}\n"),
    }
}

fn criterion_line(c: &Criterion) -> String {
    // Normalise -0 to 0 so that two equal thresholds always print the same.
    let threshold = if c.threshold == 0.0 { 0.0 } else { c.threshold };
    format!(
        "criterion {} {} {} {} min_events {}\n",
        if c.primary { "primary" } else { "guardrail" },
        prefixed(&c.indicator),
        c.comparison.symbol(),
        threshold,
        c.min_events
    )
}

/// Canonical criterion lines: primaries first, each group sorted.
fn criteria_lines(criteria: &[Criterion]) -> Vec<String> {
    let mut lines: Vec<(bool, String)> = criteria
        .iter()
        .map(|c| (!c.primary, criterion_line(c)))
        .collect();
    lines.sort();
    lines.into_iter().map(|(_, line)| line).collect()
}

/// A part of an experiment definition, as named in change reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The key (identity); never changes after the start.
    Key,
    /// The title (free to edit).
    Title,
    /// The decision objective (free to edit).
    Objective,
    /// The hypothesis (locked after the start).
    Hypothesis,
    /// The scope (locked after the start).
    Scope,
    /// The start of the period (locked after the start).
    Start,
    /// The end of the period (locked after the start).
    End,
    /// The indicators the change moves (free to edit; criteria are separate).
    Indicators,
    /// The success criteria (locked after the start).
    Criteria,
    /// The control or baseline (locked after the start).
    Control,
}

impl Field {
    /// The field's name as shown to the user.
    pub fn name(self) -> &'static str {
        match self {
            Field::Key => "key",
            Field::Title => "title",
            Field::Objective => "objective",
            Field::Hypothesis => "hypothesis",
            Field::Scope => "scope",
            Field::Start => "start",
            Field::End => "end",
            Field::Indicators => "indicators",
            Field::Criteria => "criteria",
            Field::Control => "control",
        }
    }

    /// True for the fields covered by the registration hash, which only an
    /// amendment may change once the experiment has started.
    pub(crate) fn is_locked(self) -> bool {
        matches!(
            self,
            Field::Hypothesis
                | Field::Scope
                | Field::Start
                | Field::End
                | Field::Criteria
                | Field::Control
        )
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// "a", "a and b", "a, b and c".
fn names(fields: &[Field]) -> String {
    match fields {
        [] => String::new(),
        [one] => one.name().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "),
            last.name()
        ),
    }
}

/// What an accepted edit of an experiment is, so the caller knows what to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChangeKind {
    /// Nothing differs.
    Unchanged,
    /// An ordinary edit: before the start, or of unlocked fields only.
    Edit {
        /// Every field that differs, in definition order.
        fields: Vec<Field>,
    },
    /// A change to locked fields after the start, accepted because a reason
    /// was given. The caller must keep the original definition and record
    /// this amendment visibly (shown with the experiment, audited).
    Amendment {
        /// Every field that differs, in definition order (locked or not).
        fields: Vec<Field>,
        /// Why the registered experiment was changed (trimmed).
        reason: String,
        /// [`registration_hash`] of the definition before the amendment.
        original_hash: String,
        /// [`registration_hash`] of the amended definition.
        amended_hash: String,
    },
}

/// Why an edit of a started experiment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// Locked fields changed and no (non-blank) amendment reason was given.
    #[error(
        "the experiment has started, so its {} {} locked; \
         record an amendment with a reason to change {}",
        names(fields),
        if fields.len() == 1 { "is" } else { "are" },
        if fields.len() == 1 { "it" } else { "them" }
    )]
    Locked {
        /// The locked fields the edit would change.
        fields: Vec<Field>,
    },
    /// The key of a started experiment cannot change: decisions and evidence
    /// refer to it.
    #[error("the key of a started experiment cannot change (decisions and evidence refer to it)")]
    KeyChanged,
    /// The amendment reason is longer than the allowed text.
    #[error("{0}")]
    ReasonTooLong(String),
}

/// The fields that differ between two definitions, in definition order.
/// Criteria are compared as a set of canonical lines (order does not matter);
/// controls are compared as effective controls (absent = default baseline).
fn changed_fields(old: &ExperimentDef, new: &ExperimentDef) -> Vec<Field> {
    let checks = [
        (Field::Key, old.key != new.key),
        (Field::Title, old.title != new.title),
        (Field::Objective, old.objective != new.objective),
        (Field::Hypothesis, old.hypothesis != new.hypothesis),
        (Field::Scope, old.scope != new.scope),
        (Field::Start, old.start != new.start),
        (Field::End, old.end != new.end),
        (Field::Indicators, old.indicators != new.indicators),
        (
            Field::Criteria,
            criteria_lines(&old.criteria) != criteria_lines(&new.criteria),
        ),
        (
            Field::Control,
            old.effective_control() != new.effective_control(),
        ),
    ];
    checks
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| field)
        .collect()
}

/// Decides whether `old` may become `new`. Before the start anything goes
/// ([`ChangeKind::Edit`]). After the start (`started`), title, objective and
/// indicators stay editable, the key never changes, and a change to any
/// locked field (hypothesis, scope, start, end, criteria, control) is refused
/// unless `amendment_reason` is a non-blank text of at most 2,000 characters,
/// in which case it is an [`ChangeKind::Amendment`] to record visibly. A reason
/// given where none is needed is ignored. Does not validate `new`: call
/// [`super::validate`] as well.
pub fn check_change(
    old: &ExperimentDef,
    new: &ExperimentDef,
    started: bool,
    amendment_reason: Option<&str>,
) -> Result<ChangeKind, LockError> {
    let fields = changed_fields(old, new);
    if fields.is_empty() {
        return Ok(ChangeKind::Unchanged);
    }
    if !started {
        return Ok(ChangeKind::Edit { fields });
    }
    if fields.contains(&Field::Key) {
        return Err(LockError::KeyChanged);
    }
    let locked: Vec<Field> = fields.iter().copied().filter(|f| f.is_locked()).collect();
    if locked.is_empty() {
        return Ok(ChangeKind::Edit { fields });
    }
    let reason = amendment_reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(LockError::Locked { fields: locked });
    }
    if let Some(problem) = text_error("amendment reason", reason, true) {
        return Err(LockError::ReasonTooLong(problem));
    }
    Ok(ChangeKind::Amendment {
        fields,
        reason: reason.to_string(),
        original_hash: registration_hash(old),
        amended_hash: registration_hash(new),
    })
}

#[cfg(test)]
mod tests;
