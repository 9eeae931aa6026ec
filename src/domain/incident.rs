//! Incidents: alerts declared as one incident, with a title, a severity, a
//! commander and a state that only moves forward (open → mitigated →
//! resolved → reviewed); its timeline, its action items (work items of kind
//! [`ACTION_KIND`]) and the post-mortem written from them. Pure: the store
//! reads the rows, `now` is a parameter.

use crate::domain::alert_rules::Severity;
use crate::domain::Timestamp;
use serde::Serialize;

pub mod postmortem;

/// The work kind of an incident's action items. Always known (no capacity
/// needed): action items are written only by `opsdeck incident action`,
/// never imported, and carry no capacity, so they appear in the Work view
/// as their own row (open, late) without touching any utilisation figure.
pub const ACTION_KIND: &str = "action";

/// Where an incident stands. Ordered: a state only moves to a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Declared; the harm goes on.
    Open,
    /// The harm is contained (a workaround holds); the cause is not fixed.
    Mitigated,
    /// The cause is fixed.
    Resolved,
    /// The post-mortem was held; the incident is closed for good.
    Reviewed,
}

impl IncidentState {
    /// Every state, in order.
    pub const ALL: [IncidentState; 4] = [
        IncidentState::Open,
        IncidentState::Mitigated,
        IncidentState::Resolved,
        IncidentState::Reviewed,
    ];

    /// The word stored and shown.
    pub fn word(self) -> &'static str {
        match self {
            IncidentState::Open => "open",
            IncidentState::Mitigated => "mitigated",
            IncidentState::Resolved => "resolved",
            IncidentState::Reviewed => "reviewed",
        }
    }

    /// The state named by `word`.
    pub fn parse(word: &str) -> Option<IncidentState> {
        IncidentState::ALL.into_iter().find(|s| s.word() == word)
    }
}

/// Why a state change is refused: `to` is not after `from`, or a review
/// before the incident is resolved. The message names the incident.
pub fn check_transition(id: i64, from: IncidentState, to: IncidentState) -> Result<(), String> {
    if to <= from {
        return Err(format!(
            "incident #{id} is {}: an incident's state only moves forward (open → mitigated → resolved → reviewed)",
            from.word()
        ));
    }
    if to == IncidentState::Reviewed && from != IncidentState::Resolved {
        return Err(format!(
            "incident #{id} is {}: resolve it before the review",
            from.word()
        ));
    }
    Ok(())
}

/// Who moved an incident to a state, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When (unix seconds, UTC).
    pub at: Timestamp,
    /// Who (the acting user).
    pub by: String,
}

/// One incident as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// Row id: `incident show 3`.
    pub id: i64,
    /// One-line title (not sanitised here: sanitise on output).
    pub title: String,
    /// How bad it is.
    pub severity: Severity,
    /// The person who runs the response, if named.
    pub commander: Option<String>,
    /// Where it stands.
    pub state: IncidentState,
    /// The declaration.
    pub declared: Step,
    /// The mitigation, if it happened (a resolution may skip it).
    pub mitigated: Option<Step>,
    /// The resolution.
    pub resolved: Option<Step>,
    /// The review (post-mortem held).
    pub reviewed: Option<Step>,
    /// The alerts it groups, by id.
    pub alerts: Vec<i64>,
    /// Runs started for it by hand (`--run`), besides its alerts' runs.
    pub runs: Vec<i64>,
    /// When it began: its earliest alert's first sighting (or the declaration).
    pub started_at: Timestamp,
}

impl Incident {
    /// The incident's time span at `now`: from its start to its resolution
    /// (or `now` while unresolved).
    pub fn span(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        let end = self.resolved.as_ref().map_or(now, |s| s.at);
        (self.started_at, end.max(self.started_at))
    }

    /// The step that reached `state`, if any.
    pub fn step(&self, state: IncidentState) -> Option<&Step> {
        match state {
            IncidentState::Open => Some(&self.declared),
            IncidentState::Mitigated => self.mitigated.as_ref(),
            IncidentState::Resolved => self.resolved.as_ref(),
            IncidentState::Reviewed => self.reviewed.as_ref(),
        }
    }
}

/// What a timeline entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// An event in one of its alerts' history.
    Alert,
    /// A checklist item checked or skipped in a run linked to one of its alerts.
    Run,
    /// A note on a linked run.
    Note,
    /// A decision logged within its time span.
    Decision,
    /// The incident itself: declared, mitigated, resolved, reviewed, an action.
    Incident,
}

impl Origin {
    /// The word shown in the timeline's second column.
    pub fn word(self) -> &'static str {
        match self {
            Origin::Incident => "incident",
            Origin::Alert => "alert",
            Origin::Run => "run",
            Origin::Note => "note",
            Origin::Decision => "decision",
        }
    }
}

/// One line of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// When (unix seconds, UTC).
    pub at: Timestamp,
    /// What it comes from.
    pub origin: Origin,
    /// Who did it.
    pub actor: String,
    /// What happened, e.g. `#3 acknowledged`, `run #2 triage.1 done`.
    pub what: String,
    /// The note, reason or why kept with it.
    pub note: Option<String>,
}

/// Sorts a timeline: oldest first; within one second alerts, runs, notes,
/// decisions, then the incident's own steps (what happened, then what was
/// declared about it); stable otherwise.
pub fn sort_timeline(entries: &mut [TimelineEntry]) {
    entries.sort_by_key(|e| (e.at, e.origin));
}

/// One action item of an incident: a work item of kind [`ACTION_KIND`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionItem {
    /// Row id of the work item.
    pub work_item_id: i64,
    /// The work item's external id, `INC-<incident>-<n>`.
    pub external_id: String,
    /// Who owns it.
    pub owner: String,
    /// What is to be done.
    pub text: String,
    /// When it was written down.
    pub created_at: Timestamp,
    /// When it is due (the work item's promise).
    pub due: Option<Timestamp>,
    /// When it was done.
    pub closed_at: Option<Timestamp>,
}

impl ActionItem {
    /// Open and past its due time at `now`: late work.
    pub fn is_late(&self, now: Timestamp) -> bool {
        self.closed_at.is_none() && self.due.is_some_and(|d| d < now)
    }

    /// `done`, `late` or `open` at `now`.
    pub fn state_word(&self, now: Timestamp) -> &'static str {
        if self.closed_at.is_some() {
            "done"
        } else if self.is_late(now) {
            "late"
        } else {
            "open"
        }
    }
}

/// The external id of an incident's `n`-th action item (1-based).
pub fn action_external_id(incident: i64, n: i64) -> String {
    format!("INC-{incident}-{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_only_move_forward() {
        use IncidentState::*;
        assert!(check_transition(1, Open, Mitigated).is_ok());
        assert!(check_transition(1, Open, Resolved).is_ok());
        assert!(check_transition(1, Mitigated, Resolved).is_ok());
        assert!(check_transition(1, Resolved, Reviewed).is_ok());
        let back = check_transition(4, Resolved, Mitigated).unwrap_err();
        assert!(back.contains("incident #4 is resolved"), "{back}");
        assert!(back.contains("only moves forward"), "{back}");
        assert!(check_transition(1, Mitigated, Mitigated).is_err());
        let early = check_transition(2, Open, Reviewed).unwrap_err();
        assert!(early.contains("resolve it before the review"), "{early}");
    }

    #[test]
    fn words_round_trip() {
        for s in IncidentState::ALL {
            assert_eq!(IncidentState::parse(s.word()), Some(s));
        }
        assert_eq!(IncidentState::parse("closed"), None);
    }

    #[test]
    fn an_action_is_late_when_open_past_its_due_time() {
        let mut a = ActionItem {
            work_item_id: 1,
            external_id: action_external_id(3, 1),
            owner: "Ana".into(),
            text: "x".into(),
            created_at: 0,
            due: Some(100),
            closed_at: None,
        };
        assert_eq!(a.external_id, "INC-3-1");
        assert_eq!(a.state_word(100), "open");
        assert_eq!(a.state_word(101), "late");
        a.closed_at = Some(150);
        assert_eq!(a.state_word(200), "done");
    }
}
