//! An incident's detail in the Alerts view (its timeline), opened with Enter
//! from the detail of an alert that belongs to one, or with `:incident show
//! ID`; and what the cockpit asks the store to do to incidents (declare with
//! `I`, mitigate, resolve, review, action items: all through the `:` line).
//! Pure: the store work leaves as an [`Effect::Incident`].

use crate::domain::alert_rules::Severity;
use crate::domain::incident::IncidentState;
use crate::domain::Timestamp;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, View};

/// What to do to incidents, once confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentOp {
    /// Declare an incident from alerts (`incident declare`).
    Declare {
        /// The alerts it groups.
        alerts: Vec<i64>,
        /// Its title.
        title: String,
        /// Its severity; `None`: the most severe of its alerts.
        severity: Option<Severity>,
        /// Who runs the response.
        commander: Option<String>,
        /// Runs started for it by hand.
        runs: Vec<i64>,
    },
    /// Move an incident forward (`incident mitigate|resolve|review`).
    Advance {
        /// The incident.
        id: i64,
        /// The state it moves to.
        to: IncidentState,
    },
    /// Add an action item (`incident action`).
    Action {
        /// The incident.
        id: i64,
        /// Who owns it.
        owner: String,
        /// When it is due (unix seconds).
        due: Timestamp,
        /// What is to be done.
        text: String,
    },
    /// Mark an action item done (`incident done INC-3-1`).
    Done {
        /// The action item's external id.
        action: String,
    },
}

/// Opens incident `id`'s detail over the Alerts view (from the `:` line).
pub fn open(app: &mut App, id: i64) -> Option<Effect> {
    let reload = app.set_view(View::Alerts);
    app.ui.alerts.incident = Some(id);
    app.ui.alerts.incident_scroll = 0;
    app.dirty = true;
    reload.or(Some(Effect::Reload))
}

/// Enter in an alert's detail: its incident's timeline, when it has one.
pub fn enter_from_alert(app: &mut App) -> Option<Effect> {
    let id = app
        .models
        .alert_detail
        .as_ref()
        .and_then(|d| d.incident.as_ref())
        .map(|i| i.id);
    match id {
        Some(id) => open(app, id),
        None => {
            app.flash("this alert belongs to no incident · I declares one".into());
            None
        }
    }
}

/// The keys while an incident's detail is open: the arrows scroll the
/// timeline, Esc closes it (back to the alert's detail, if one was open).
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Move(d) => {
            let rows = app.models.incident.as_ref().map_or(0, |m| m.timeline.len());
            let next = (app.ui.alerts.incident_scroll as i64 + i64::from(d))
                .clamp(0, rows.saturating_sub(1) as i64);
            app.ui.alerts.incident_scroll = next as usize;
            app.dirty = true;
            None
        }
        Action::Top => {
            app.ui.alerts.incident_scroll = 0;
            app.dirty = true;
            None
        }
        Action::Bottom => {
            let rows = app.models.incident.as_ref().map_or(0, |m| m.timeline.len());
            app.ui.alerts.incident_scroll = rows.saturating_sub(1);
            app.dirty = true;
            None
        }
        Action::Back => {
            app.ui.alerts.incident = None;
            app.models.incident = None;
            app.dirty = true;
            None
        }
        Action::Alert(_) | Action::Enter => {
            app.flash(
                "Esc closes the incident; its actions are on the : line (incident resolve ID)"
                    .into(),
            );
            None
        }
        other => super::common(app, other),
    }
}
