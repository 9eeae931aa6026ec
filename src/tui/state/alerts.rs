//! The Alerts view's state and its part of `update`: the listed alerts and
//! the selected one by id, which key asks what, the input line for a snooze
//! time or a note, and the confirmation that precedes every write. Pure:
//! what must touch the store leaves as an [`Effect::Alert`] naming the id.
//! Also the bell watch, which decides when a new critical alert rings.

use crate::domain::alert_rules::Severity;
use crate::store::alerts::{AlertRow, AlertsModel};
use crate::tui::action::{Action, Effect};
use crate::tui::app::{matches_filter, typed, App};
use crate::tui::list::Picker;
use crate::tui::popups::{Popup, PopupOutcome};
use std::collections::HashSet;
use tui_input::Input;

/// A key of the Alerts view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertVerb {
    /// `a`: acknowledge.
    Ack,
    /// `r`: resolve.
    Resolve,
    /// `s`: snooze until a time (asks for it).
    Snooze,
    /// `e`: escalate one level.
    Escalate,
    /// `n`: add a note (asks for it).
    Note,
}

/// What to do to an alert, once confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertOp {
    /// Acknowledge: you own it; it stops escalating until the ack times out.
    Ack,
    /// Resolve: done; a cause that comes back opens a new alert.
    Resolve,
    /// Hold it until a time.
    Snooze {
        /// End of the snooze (unix seconds, UTC, exclusive).
        until: i64,
    },
    /// Escalate one level up its path now.
    Escalate,
    /// Add a note to its history.
    Note {
        /// The note's text.
        text: String,
    },
    /// Hold its escalation where it is, with the reason (`alert pause`).
    Pause {
        /// Why; kept in the alert's history.
        reason: String,
    },
    /// Lift the pause; the escalation clock restarts (`alert resume`).
    Resume,
}

impl AlertOp {
    /// The past tense for the status line.
    pub fn done_word(&self) -> &'static str {
        match self {
            AlertOp::Ack => "acknowledged",
            AlertOp::Resolve => "resolved",
            AlertOp::Snooze { .. } => "snoozed",
            AlertOp::Escalate => "escalated",
            AlertOp::Note { .. } => "noted",
            AlertOp::Pause { .. } => "escalation paused",
            AlertOp::Resume => "escalation resumed",
        }
    }
}

fn confirm(prompt: String, id: i64, op: AlertOp) -> Popup {
    Popup::Confirm {
        prompt,
        effect: Effect::Alert { id, op, note: None },
    }
}

/// The Alerts view's own state: the active alerts as listed (the model's
/// order, critical first then oldest, filtered by title or owner), the
/// selected one by id.
#[derive(Debug, Clone, Default)]
pub struct AlertsState {
    /// Alert ids and their index in [`AlertsModel::active`].
    pub list: Picker<i64>,
    /// The alert whose detail is open (it may since have been resolved).
    pub detail: Option<i64>,
    /// The incident whose detail (timeline) is open, over the list or the
    /// alert's detail.
    pub incident: Option<i64>,
    /// The first timeline row shown in the incident's detail.
    pub incident_scroll: usize,
}

impl AlertsState {
    /// Recomputes the rows from the model and the filter; returns the id of
    /// the selected alert when it is no longer listed.
    pub fn recompute(&mut self, model: Option<&AlertsModel>, filter: &str) -> Option<i64> {
        let f = filter.to_lowercase();
        let rows = model
            .map(|m| {
                m.active
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| matches_filter(&f, &[&a.title, &a.owner]))
                    .map(|(i, a)| (a.id, i))
                    .collect()
            })
            .unwrap_or_default();
        self.list.set_rows(rows)
    }

    /// The listed alerts, in order.
    pub fn rows<'m>(&self, model: &'m AlertsModel) -> Vec<&'m AlertRow> {
        self.list
            .rows()
            .filter_map(|(_, i)| model.active.get(*i))
            .collect()
    }

    /// The selected alert.
    pub fn selected<'m>(&self, model: &'m AlertsModel) -> Option<&'m AlertRow> {
        let id = self.list.selected()?;
        model.active.iter().find(|a| a.id == *id)
    }
}

/// The Alerts view's part of `update`: a verb key opens the confirmation (or
/// the input line) for the selected alert. Nothing is written until the
/// confirmation is answered `y`.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    if app.ui.alerts.incident.is_some() {
        return super::incident::update(app, action);
    }
    match action {
        Action::Alert(verb) => open(app, verb),
        Action::Enter if app.ui.alerts.detail.is_some() => super::incident::enter_from_alert(app),
        Action::Enter if app.ui.alerts.detail.is_none() => {
            let id = *app.ui.alerts.list.selected()?;
            app.ui.alerts.detail = Some(id);
            app.dirty = true;
            Some(Effect::Reload)
        }
        Action::Back if app.ui.alerts.detail.is_some() => {
            app.ui.alerts.detail = None;
            app.models.alert_detail = None;
            app.dirty = true;
            None
        }
        other => super::common(app, other),
    }
}

fn open(app: &mut App, verb: AlertVerb) -> Option<Effect> {
    app.dirty = true;
    // In a detail the keys act on the alert shown.
    let row = app
        .models
        .alerts
        .as_ref()
        .and_then(|m| match app.ui.alerts.detail {
            Some(id) => m.active.iter().find(|a| a.id == id),
            None => app.ui.alerts.selected(m),
        });
    let Some(row) = row else {
        app.flash("no alert selected".into());
        return None;
    };
    let (id, title) = (row.id, crate::text::sanitize_truncate(&row.title, 40));
    let next = row.next_target.clone();
    let holds = !row.cleared && row.source.clears_itself();
    let acked = row.state == crate::domain::escalation::AlertState::Acknowledged;
    app.popup = Some(match verb {
        AlertVerb::Ack if acked => confirm(
            format!("Re-acknowledge #{id} {title}? Its ack timeout restarts now."),
            id,
            AlertOp::Ack,
        ),
        AlertVerb::Ack => confirm(
            format!("Acknowledge #{id} {title}? You will own it."),
            id,
            AlertOp::Ack,
        ),
        AlertVerb::Resolve => {
            let warning = if holds {
                " Its cause holds: a new alert will open."
            } else {
                ""
            };
            confirm(
                format!("Resolve #{id} {title}? This cannot be undone.{warning}"),
                id,
                AlertOp::Resolve,
            )
        }
        AlertVerb::Escalate => match next {
            Some(target) => confirm(
                format!("Escalate #{id} {title} to {target}?"),
                id,
                AlertOp::Escalate,
            ),
            None => {
                app.flash(format!("#{id} is already at the last escalation level"));
                return None;
            }
        },
        AlertVerb::Snooze | AlertVerb::Note => Popup::AlertInput {
            id,
            verb,
            title,
            input: Input::default(),
            error: None,
        },
    });
    None
}

/// The prompt of the input line.
pub(crate) fn input_prompt(id: i64, verb: AlertVerb) -> String {
    match verb {
        AlertVerb::Snooze => format!("snooze #{id} until — 2h, 1d, or 2026-11-26T09:00Z"),
        _ => format!("note on #{id}"),
    }
}

/// Handles keys while the snooze/note line is open: Enter validates and
/// asks for confirmation; a bad value keeps the line open with the reason.
pub(crate) fn update_input(now: i64, popup: &mut Popup, action: &Action) -> PopupOutcome {
    let Popup::AlertInput {
        id,
        verb,
        title,
        input,
        error,
    } = popup
    else {
        return PopupOutcome::Close;
    };
    let id = *id;
    match action {
        Action::InputKey(k) => typed(input, error, *k),
        Action::Submit => match parse_input(*verb, input.value(), now) {
            Ok(AlertOp::Snooze { until }) => {
                let when = crate::format::utc_minute(until);
                let prompt = format!("Snooze #{id} {title} until {when} UTC?");
                PopupOutcome::Replace(confirm(prompt, id, AlertOp::Snooze { until }))
            }
            Ok(op) => {
                let prompt = format!("Add this note to #{id} {title}? Notes cannot be removed.");
                PopupOutcome::Replace(confirm(prompt, id, op))
            }
            Err(e) => {
                *error = Some(e);
                PopupOutcome::Stay
            }
        },
        Action::Back => PopupOutcome::Close,
        _ => PopupOutcome::Stay,
    }
}

/// Reads the input line: a snooze end (after `now`) or a note.
pub fn parse_input(verb: AlertVerb, text: &str, now: i64) -> Result<AlertOp, String> {
    let text = text.trim();
    if verb == AlertVerb::Snooze {
        let until = crate::ingest::fields::parse_until(text, now)?;
        if until <= now {
            return Err("a snooze must end after now".into());
        }
        return Ok(AlertOp::Snooze { until });
    }
    if text.is_empty() {
        return Err("the note is empty".into());
    }
    crate::domain::limits::check_len(text, crate::domain::limits::MAX_TEXT)
        .map_err(|e| format!("note: {e}"))?;
    Ok(AlertOp::Note {
        text: text.to_string(),
    })
}

/// Remembers the critical alerts already seen, so the bell rings once per
/// new critical alert (not for the ones there when the cockpit opened).
#[derive(Debug, Clone, Default)]
pub struct BellWatch {
    seen: Option<HashSet<i64>>,
}

impl BellWatch {
    /// Looks at a freshly loaded model: true when a critical alert appears
    /// that was not there before. The first model only sets the baseline.
    pub fn observe(&mut self, model: Option<&AlertsModel>) -> bool {
        let Some(model) = model else {
            return false;
        };
        let critical: HashSet<i64> = model
            .active
            .iter()
            .filter(|a| a.severity == Severity::Critical)
            .map(|a| a.id)
            .collect();
        match &mut self.seen {
            None => {
                self.seen = Some(critical);
                false
            }
            Some(seen) => {
                let new = critical.iter().any(|id| !seen.contains(id));
                seen.extend(critical);
                new
            }
        }
    }
}
