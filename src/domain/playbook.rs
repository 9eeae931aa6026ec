//! Playbooks: the operation's workflows as data, and the checklist runs that
//! execute them.
//!
//! A playbook is an ordered list of steps, each owned by a role, with entry and
//! exit criteria, a tolerance, a handoff to the next role and check items; it
//! has an escalation path and a review cadence. Playbooks are authored as TOML
//! ([`parse_playbook`]) and kept by the store as JSON per version (the types
//! here derive `Serialize`/`Deserialize` for that). A checklist run
//! ([`ChecklistRun`]) is one execution of one version of a playbook.
//!
//! Everything here is pure: no database, no clock. Times are
//! [`Timestamp`]s (unix seconds, UTC) and `now` is always a parameter.

mod parse;
mod run;

pub use parse::{parse_playbook, PlaybookError, MAX_KEY_CHARS, MAX_TEXT_CHARS};
pub use run::{
    ChecklistRun, EntryPermit, EntryRefusal, Gate, OverdueCause, OverdueItem, OverdueStep,
    Progress, RunItemState,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;

/// One version of a playbook, validated: keys are well formed, roles are known,
/// durations are positive, there is at least one escalation level and at least
/// one step, and every step has at least one check item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookDef {
    /// Stable identifier (`[a-z0-9][a-z0-9-]*`), e.g. `order-fulfilment`.
    pub key: String,
    /// Human name shown on screens.
    pub name: String,
    /// The author's version number, informational only: the store assigns the
    /// version that runs refer to.
    pub version: Option<i64>,
    /// What the workflow is for and when to start it.
    pub description: String,
    /// Review cadence in seconds: the playbook is due for review this long
    /// after `last_reviewed`.
    pub review_every_secs: i64,
    /// The day (UTC) the playbook was last reviewed.
    pub last_reviewed: NaiveDate,
    /// Escalation path, in order; each level's `after_secs` is later than the
    /// previous one's.
    pub escalation: Vec<EscalationLevel>,
    /// The steps, in the order they are worked.
    pub steps: Vec<StepDef>,
}

/// One step of a playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDef {
    /// Identifier unique within the playbook (`[a-z0-9][a-z0-9-]*`), used in
    /// item references such as `pack.2`.
    pub key: String,
    /// Short title shown on screens.
    pub title: String,
    /// The role that owns the step.
    pub owner: String,
    /// Entry criteria: when the step may start (as text for people).
    pub entry: String,
    /// Exit criteria: when the step is done (as text for people). In a run the
    /// exit criteria count as met when every item is done or skipped.
    pub exit: String,
    /// How long the step may take, in seconds, counted from when it became
    /// current.
    pub tolerance_secs: i64,
    /// The role the work is handed to when the step is done; `None` only on the
    /// last step.
    pub handoff: Option<String>,
    /// Check items, in order; never empty, no duplicates.
    pub items: Vec<String>,
}

/// One level of an escalation path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationLevel {
    /// Seconds since the thing was opened (not since the previous level) after
    /// which this level is due.
    pub after_secs: i64,
    /// Who is called at this level.
    pub target: EscalationTarget,
}

#[cfg(test)]
impl EscalationLevel {
    /// A level calling everyone with `role` `after_secs` after the opening
    /// (for tests).
    pub(crate) fn role(after_secs: i64, role: &str) -> EscalationLevel {
        EscalationLevel {
            after_secs,
            target: EscalationTarget::Role(role.into()),
        }
    }
}

/// Who an escalation level calls: everyone holding a role, or one named person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationTarget {
    /// A role from the known roles.
    Role(String),
    /// A person by name (not checked against the people table).
    Person(String),
}

/// Position of one check item in a playbook: 0-based step and item indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemRef {
    /// 0-based index into [`PlaybookDef::steps`].
    pub step: usize,
    /// 0-based index into that step's [`StepDef::items`].
    pub item: usize,
}

impl PlaybookDef {
    /// When the next review is due: midnight UTC of `last_reviewed` plus the
    /// review cadence.
    pub(crate) fn review_due_at(&self) -> Timestamp {
        let reviewed = self
            .last_reviewed
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0);
        reviewed.saturating_add(self.review_every_secs)
    }

    /// Whether the playbook is past its review date: `last_reviewed` +
    /// `review_every` < `now`. Exactly at the due second it is not yet past.
    pub(crate) fn is_past_review(&self, now: Timestamp) -> bool {
        self.review_due_at() < now
    }

    /// Total number of check items over all steps.
    pub(crate) fn item_count(&self) -> usize {
        self.steps.iter().map(|s| s.items.len()).sum()
    }

    /// Every check item in order with its position.
    pub fn items(&self) -> impl Iterator<Item = (ItemRef, &str)> + '_ {
        self.steps.iter().enumerate().flat_map(|(step, s)| {
            s.items
                .iter()
                .enumerate()
                .map(move |(item, text)| (ItemRef { step, item }, text.as_str()))
        })
    }

    /// The item's text, or `None` when the position does not exist.
    pub(crate) fn item_text(&self, item: ItemRef) -> Option<&str> {
        self.steps
            .get(item.step)?
            .items
            .get(item.item)
            .map(String::as_str)
    }

    /// The label people type and see for an item: `STEPKEY.N`, N 1-based
    /// (`pack.2`). `None` when the position does not exist.
    pub(crate) fn item_label(&self, item: ItemRef) -> Option<String> {
        let step = self.steps.get(item.step)?;
        step.items.get(item.item)?;
        Some(format!("{}.{}", step.key, item.item + 1))
    }

    /// Resolves what a user typed to an item: `STEPKEY.N` (N 1-based within
    /// the step, e.g. `pack.2`) or a plain 1-based number over the whole run
    /// (`7`, as listed by `run show`). `None` when nothing matches.
    pub(crate) fn resolve_item(&self, reference: &str) -> Option<ItemRef> {
        let reference = reference.trim();
        let one_based = |n: &str| n.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
        if let Some((step_key, n)) = reference.rsplit_once('.') {
            let step = self.steps.iter().position(|s| s.key == step_key)?;
            let item = one_based(n)?;
            self.steps[step].items.get(item)?;
            return Some(ItemRef { step, item });
        }
        let nth = one_based(reference)?;
        self.items().nth(nth).map(|(r, _)| r)
    }

    /// Every role the playbook names (owners, handoffs, escalation roles),
    /// sorted and without duplicates.
    pub fn roles(&self) -> Vec<&str> {
        let mut roles: Vec<&str> = self
            .steps
            .iter()
            .flat_map(|s| std::iter::once(s.owner.as_str()).chain(s.handoff.as_deref()))
            .chain(self.escalation.iter().filter_map(|l| match &l.target {
                EscalationTarget::Role(r) => Some(r.as_str()),
                EscalationTarget::Person(_) => None,
            }))
            .collect();
        roles.sort_unstable();
        roles.dedup();
        roles
    }
}

/// The escalation level due for something left unowned (not acknowledged,
/// not done) for `elapsed_secs` since it was opened: the 0-based index of the
/// last level whose `after_secs` has been reached (`elapsed_secs >=
/// after_secs`). Levels count absolute time since opening, not time since the
/// previous level. `None` before the first level is due (or with no levels).
pub fn escalation_level_due(levels: &[EscalationLevel], elapsed_secs: i64) -> Option<usize> {
    levels
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| elapsed_secs >= l.after_secs)
        .map(|(i, _)| i)
}

/// Seconds until the next escalation level after the one due at
/// `elapsed_secs` (so the caller can schedule its next check); `None` when
/// the last level is already due.
pub fn next_escalation_in(levels: &[EscalationLevel], elapsed_secs: i64) -> Option<i64> {
    levels
        .iter()
        .filter(|l| l.after_secs > elapsed_secs)
        .map(|l| l.after_secs - elapsed_secs)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DAY, HOUR};

    fn level(after_secs: i64, role: &str) -> EscalationLevel {
        EscalationLevel::role(after_secs, role)
    }

    pub(super) fn sample() -> PlaybookDef {
        let step = |key: &str, owner: &str, handoff: Option<&str>, items: &[&str]| StepDef {
            key: key.into(),
            title: key.into(),
            owner: owner.into(),
            entry: "entry".into(),
            exit: "exit".into(),
            tolerance_secs: HOUR,
            handoff: handoff.map(Into::into),
            items: items.iter().map(|s| s.to_string()).collect(),
        };
        PlaybookDef {
            key: "sample".into(),
            name: "Sample".into(),
            version: None,
            description: "d".into(),
            review_every_secs: 30 * DAY,
            last_reviewed: NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
            escalation: vec![level(HOUR, "ops-lead")],
            steps: vec![
                step("pick", "fulfilment", Some("fulfilment"), &["a", "b"]),
                step("pack", "fulfilment", Some("finance"), &["c"]),
                step("bill", "finance", None, &["d", "e", "f"]),
            ],
        }
    }

    #[test]
    fn review_flag_turns_one_second_after_the_due_time() {
        let def = sample();
        // 2025-01-01T00:00:00Z + 30 days = 2025-01-31T00:00:00Z
        let due = 1_735_689_600 + 30 * DAY;
        assert_eq!(def.review_due_at(), due);
        assert!(!def.is_past_review(due - 1));
        assert!(!def.is_past_review(due));
        assert!(def.is_past_review(due + 1));
    }

    #[test]
    fn escalation_level_is_absolute_since_opened() {
        let levels = [level(30 * 60, "support"), level(2 * HOUR, "ops-lead")];
        assert_eq!(escalation_level_due(&levels, 0), None);
        assert_eq!(escalation_level_due(&levels, 30 * 60 - 1), None);
        assert_eq!(escalation_level_due(&levels, 30 * 60), Some(0));
        assert_eq!(escalation_level_due(&levels, 2 * HOUR - 1), Some(0));
        assert_eq!(escalation_level_due(&levels, 2 * HOUR), Some(1));
        assert_eq!(escalation_level_due(&levels, 100 * DAY), Some(1));
        assert_eq!(escalation_level_due(&[], 100 * DAY), None);
        assert_eq!(next_escalation_in(&levels, 0), Some(30 * 60));
        assert_eq!(next_escalation_in(&levels, 30 * 60), Some(90 * 60));
        assert_eq!(next_escalation_in(&levels, 2 * HOUR), None);
    }

    #[test]
    fn items_are_labelled_and_resolved() {
        let def = sample();
        assert_eq!(def.item_count(), 6);
        let pack1 = ItemRef { step: 1, item: 0 };
        assert_eq!(def.item_label(pack1).as_deref(), Some("pack.1"));
        assert_eq!(def.resolve_item("pack.1"), Some(pack1));
        assert_eq!(def.resolve_item(" 3 "), Some(pack1));
        assert_eq!(def.resolve_item("6"), Some(ItemRef { step: 2, item: 2 }));
        for bad in ["0", "7", "pack.0", "pack.2", "nope.1", "", "pack.", "-1"] {
            assert_eq!(def.resolve_item(bad), None, "{bad}");
        }
        assert_eq!(def.item_text(ItemRef { step: 2, item: 1 }), Some("e"));
        assert_eq!(def.item_label(ItemRef { step: 9, item: 0 }), None);
        assert_eq!(def.roles(), vec!["finance", "fulfilment", "ops-lead"]);
    }

    #[test]
    fn definition_round_trips_through_json() {
        let def = sample();
        let json = serde_json::to_string(&def).expect("serialises");
        assert!(json.contains("\"last_reviewed\":\"2025-01-01\""));
        assert!(json.contains("{\"role\":\"ops-lead\"}"));
        let back: PlaybookDef = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, def);
    }
}
