//! What can happen (Action) and what the loop must do about it (Effect).

use super::app::View;
use super::models::Models;
use crate::domain::Timestamp;
use crossterm::event::KeyEvent;

/// Everything that changes the app's state: keys turned into intents,
/// ticks, database changes and the results of effects.
#[derive(Debug, Clone)]
pub enum Action {
    /// `q` or `Ctrl-C`: leave the cockpit.
    Quit,
    /// `Tab`, `→`, `l`: the next tab.
    NextView,
    /// `Shift-Tab`, `←`, `h`: the previous tab.
    PrevView,
    /// `1`–`8`: jump to that tab.
    Goto(View),
    /// Move the selection by rows (negative is up).
    Move(i32),
    /// `Home`, `g`: select the first row.
    Top,
    /// `End`, `G`: select the last row.
    Bottom,
    /// Open the detail of the selection.
    Enter,
    /// Close a detail or popup.
    Back,
    /// `?`: show or hide the help overlay.
    ToggleHelp,
    /// `/`: open the filter line.
    OpenFilter,
    /// Cycle the sort column of the Indicators table.
    CycleSort,
    /// Open the record/note input for the selected indicator.
    OpenRecord,
    /// Open the correction line for the selected recent value (indicator detail).
    OpenCorrect,
    /// A key typed into the open input line.
    InputKey(KeyEvent),
    /// `Enter` in an input line: submit what was typed.
    Submit,
    /// A confirmation answered yes.
    Confirmed,
    /// The clock moved on.
    Tick(Timestamp),
    /// Another process committed to the database.
    DataChanged,
    /// Models reloaded from the store.
    Loaded(Box<Models>),
    /// An effect finished: a message for the status line, or an error.
    Done(Result<String, String>),
    /// The minute's alert rules were evaluated: reload what is on screen.
    Evaluated,
    /// A reload or refresh could not read the database: the error is shown
    /// and nothing is read again until the next change or minute (a read
    /// that keeps failing must not spin).
    LoadFailed(String),
    /// Standup: next and previous section, next speaker.
    StandupNext,
    /// Standup: back one section.
    StandupPrev,
    /// Standup `t`: the next speaker; restarts the speaker's clock.
    NextSpeaker,
    /// The terminal was resized.
    Resize,
    /// An alert key of the Alerts view (a, r, s, e, n): asks first.
    Alert(super::state::alerts::AlertVerb),
    /// A key of the Playbooks & runs view: check, skip, undo, note.
    Run(super::state::playbooks::RunAction),
    /// Sources `r`: run the selected source now.
    RunSource,
    /// Open an incident's detail (its timeline) in the Alerts view
    /// (`:incident show ID`).
    OpenIncident(i64),
    /// `:` opens the command line (empty), or a key opens it prefilled.
    OpenCommand(super::cmdline::Compose),
    /// The mouse wheel turned by `d` notches (negative is up): the view's
    /// selection moves as with `↑`/`↓`.
    Wheel(i32),
    /// A left click on screen cell (`column`, `row`): a tab, a row, a pane.
    Click {
        /// Screen column, 0 at the left.
        column: u16,
        /// Screen row, 0 at the top.
        row: u16,
    },
}

impl Action {
    /// Whether a person did this (a key, a click, a command): such an
    /// action goes to the open popup first and dismisses an error message.
    /// Ticks, data arriving, resizes and the results of effects do neither.
    pub fn is_from_user(&self) -> bool {
        !matches!(
            self,
            Action::Tick(_)
                | Action::DataChanged
                | Action::Loaded(_)
                | Action::Done(_)
                | Action::Evaluated
                | Action::LoadFailed(_)
                | Action::Resize
        )
    }
}

impl Effect {
    /// The effect's name, for the log (never its data).
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Reload => "reload",
            Effect::Refresh => "refresh",
            Effect::Record { value: Some(_), .. } => "record",
            Effect::Record { value: None, .. } => "note",
            Effect::EvaluateAlerts => "evaluate alerts",
            Effect::Alert { .. } => "alert",
            Effect::Run(_) => "run item",
            Effect::Correct { .. } => "correct",
            Effect::RunSource { .. } => "run source",
            Effect::RaiseAlert { .. } => "raise alert",
            Effect::StartRun { .. } => "start run",
            Effect::AddDecision { .. } => "add decision",
            Effect::AddFeedback(_) => "add feedback",
            Effect::OnCall(_) => "on call",
            Effect::Incident(_) => "incident",
            Effect::ShowIncident(_) => "show incident",
        }
    }
}

/// Work for the loop: the only place the store is touched.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Reload the models of the visible view.
    Reload,
    /// Another process committed: read only what it changed
    /// ([`super::models::refresh`]).
    Refresh,
    /// Record a value and/or a note for an indicator.
    Record {
        /// Row id of the indicator.
        indicator_id: i64,
        /// The indicator's key, for the status-line message.
        key: String,
        /// The value to record, in the indicator's unit; `None` for a note alone.
        value: Option<f64>,
        /// Note to keep with the value (or on the indicator); `None` for none.
        note: Option<String>,
    },
    /// Evaluate the alert rules and advance escalation (the minute tick),
    /// then reload.
    EvaluateAlerts,
    /// Acknowledge, resolve, snooze, escalate, pause, resume or annotate
    /// one alert.
    Alert {
        /// Row id of the alert.
        id: i64,
        /// What to do to it.
        op: super::state::alerts::AlertOp,
        /// A note kept in the alert's history with the change (`--note`).
        note: Option<String>,
    },
    /// Raise an alert by hand (`alert raise`), optionally starting a
    /// playbook run linked to it.
    RaiseAlert {
        /// One-line title.
        title: String,
        /// How urgent it is.
        severity: crate::domain::alert_rules::Severity,
        /// A note kept in the new alert's history.
        note: Option<String>,
        /// Start a run of this playbook, linked to the alert.
        playbook: Option<String>,
    },
    /// Start a run of a playbook (`run start`).
    StartRun {
        /// Playbook key.
        key: String,
        /// What the run is for (`--for`).
        context: Option<String>,
        /// When it must be finished (unix seconds).
        due: Option<Timestamp>,
    },
    /// Add an entry to the decision log (`decision add`); the evidence is
    /// captured when it runs.
    AddDecision {
        /// What was decided.
        title: String,
        /// Why.
        why: String,
        /// The evidence references.
        evidence: Vec<crate::domain::decision::EvidenceRef>,
        /// The decision this one replaces.
        supersedes: Option<i64>,
    },
    /// Record one feedback response (`feedback add`).
    AddFeedback(crate::store::feedback::FeedbackRow),
    /// An override or a silence added or ended (`oncall override`, `silence`).
    OnCall(crate::store::oncall::OnCallOp),
    /// Declare, move forward or add to an incident (confirmed).
    Incident(super::state::incident::IncidentOp),
    /// Open an incident's detail (`:incident show ID`): nothing is written;
    /// the loop hands it back as [`Action::OpenIncident`].
    ShowIncident(i64),
    /// Change a checklist item or note a run.
    Run(super::state::playbooks::RunEffect),
    /// Run one data source now, on a thread of its own with its own
    /// connection (a fetch may take its whole timeout); the Sources view
    /// shows it running, then its result, from the run record.
    RunSource {
        /// The source's name.
        name: String,
    },
    /// Correct one recorded value (confirmed; audited by the store).
    Correct {
        /// The observation's id.
        id: i64,
        /// The corrected value.
        value: f64,
        /// Why (kept in the history and the audit trail).
        reason: String,
    },
}
