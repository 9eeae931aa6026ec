//! The Alerts view model: plain data for the cockpit's alerts pane, the
//! Alerts view and its error-budget panels. Text is already sanitised.

use super::runs_link::{run_link, RunLink};
use super::{Alert, AlertEvent};
use crate::domain::alert_rules::{AlertSource, Severity};
use crate::domain::budget::{BurnSeverity, Exhaustion};
use crate::domain::escalation::{next_escalation_at, AlertState};
use crate::domain::Timestamp;
use crate::store::{Result, Store};
use crate::text::sanitize;

/// How many history entries the model carries.
pub(crate) const HISTORY_LIMIT: usize = 50;

/// The newest `?1` transitions of all alerts with their alert's title.
pub const SQL_ALERT_HISTORY: &str =
    "SELECT e.alert_id, e.at, e.actor, e.kind, e.level, e.note, a.title, a.severity, e.login
       FROM alert_events e JOIN alerts a ON a.id = e.alert_id
      ORDER BY e.at DESC, e.id DESC LIMIT ?1";

/// What happened to alerts after `?1` (every event but plain notes),
/// newest first: what the standup goes through, one line per alert. The
/// limit `?2` counts alerts, not events (the newest `?2` alerts to have
/// had news), so one flapping alert cannot crowd the others out; of each
/// alert it keeps its first event since `?1` and its newest
/// [`NEWS_EVENTS_PER_ALERT`].
pub const SQL_ALERT_NEWS_SINCE: &str = "WITH news AS (
        SELECT e.id, e.alert_id, e.at, e.actor, e.kind, e.level, e.note, e.login,
               row_number() OVER (PARTITION BY e.alert_id ORDER BY e.at DESC, e.id DESC) AS newest,
               row_number() OVER (PARTITION BY e.alert_id ORDER BY e.at, e.id) AS oldest
          FROM alert_events e
         WHERE e.at > ?1 AND e.kind <> 'note'),
     latest AS (
        SELECT alert_id FROM news WHERE newest = 1
         ORDER BY at DESC, id DESC LIMIT ?2)
     SELECT n.alert_id, n.at, n.actor, n.kind, n.level, n.note, a.title, a.severity, n.login
       FROM news n JOIN latest l ON l.alert_id = n.alert_id JOIN alerts a ON a.id = n.alert_id
      WHERE n.newest <= ?3 OR n.oldest = 1
      ORDER BY n.at DESC, n.id DESC";

/// How many of an alert's newest events since the previous standup the
/// standup reads (its first one too): enough to tell its story.
pub const NEWS_EVENTS_PER_ALERT: i64 = 20;

/// One open or acknowledged alert as a row.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// Row id of the alert (what `alert ack ID` takes).
    pub id: i64,
    /// Which rule family raised it (manual alerts never clear by themselves).
    pub source: AlertSource,
    /// How urgent it is; the list is sorted critical first.
    pub severity: Severity,
    /// Open or acknowledged (resolved alerts are not in this list).
    pub state: AlertState,
    /// One-line summary, already sanitised for the screen.
    pub title: String,
    /// What the rule saw when it fired, already sanitised.
    pub detail: String,
    /// Seconds since it was first seen.
    pub age_secs: i64,
    /// Current escalation level, 0-based, and the number of levels.
    pub level: usize,
    /// Number of levels on its escalation path.
    pub levels: usize,
    /// Whoever acknowledged it, else who its current level pages: the
    /// on-call person of a role (the role itself when nobody is on call).
    pub owner: String,
    /// The silence or open maintenance window holding it (`silence #3`,
    /// `window roaster`), its reason and end; `None` when not silenced.
    pub silenced: Option<crate::domain::oncall::Silenced>,
    /// The incident it belongs to, if it was declared one.
    pub incident: Option<i64>,
    /// Held until this time (unix seconds, UTC); `None` when not snoozed now (an expired snooze is dropped).
    pub snoozed_until: Option<Timestamp>,
    /// Escalation stopped by a manual override (`alert pause`).
    pub paused: bool,
    /// Why escalation was paused, sanitised; `None` when not paused.
    pub pause_reason: Option<String>,
    /// The cause has gone; waiting for someone to resolve it.
    pub cleared: bool,
    /// Onsets of the cause while the alert was not resolved (1 at opening).
    pub count: i64,
    /// Who the next escalation level calls, if there is one.
    pub next_target: Option<String>,
    /// When the next level is due, if it is climbing.
    pub next_escalation_at: Option<Timestamp>,
    /// Playbook the alert names (for its run), if any.
    pub playbook: Option<String>,
    /// The checklist run started for it, with its progress.
    pub run: Option<RunLink>,
}

impl AlertRow {
    /// The row of an alert at `now`.
    pub(crate) fn from_alert(a: &Alert, now: Timestamp) -> AlertRow {
        let climbing = a.cleared_at.is_none();
        AlertRow {
            id: a.id,
            source: a.source,
            severity: a.severity,
            state: a.state,
            title: sanitize(&a.title),
            detail: sanitize(&a.detail),
            age_secs: (now - a.first_seen).max(0),
            level: a.level,
            levels: a.path.len(),
            owner: sanitize(a.owner()),
            silenced: None,
            incident: None,
            snoozed_until: a.snoozed_until.filter(|u| *u > now),
            paused: a.paused,
            pause_reason: a.pause_reason.as_deref().map(sanitize),
            cleared: a.cleared_at.is_some(),
            count: a.count,
            next_target: a.path.get(a.level + 1).map(|s| sanitize(&s.target)),
            next_escalation_at: climbing
                .then(|| next_escalation_at(&a.timing(), &a.path, now))
                .flatten(),
            playbook: a.playbook.as_deref().map(sanitize),
            run: None,
        }
    }
}

/// One entry of the alerts' shared history, newest first: the event with
/// its alert's title and severity for context.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// What happened (actor, login and note already cleaned).
    pub event: AlertEvent,
    /// The alert's title, for context.
    pub title: String,
    /// How urgent the alert is.
    pub severity: Severity,
}

/// One SLO's error-budget panel.
#[derive(Debug, Clone, PartialEq)]
pub struct SloPanel {
    /// SLO key, as in the SLO file (`opsdeck slo list`).
    pub key: String,
    /// Human name of the SLO.
    pub name: String,
    /// Objective, 0..1 (0.95 = 95 %).
    pub objective: f64,
    /// Length of the SLO window in seconds (e.g. 2 419 200 for 28 days).
    pub window_secs: i64,
    /// Good and total events over the window.
    pub good: u64,
    /// Total events over the window (the budget's base).
    pub total: u64,
    /// Share of the budget left (1 = untouched, negative = overspent);
    /// `None` without events.
    pub remaining_fraction: Option<f64>,
    /// Budget left, in events (negative when overspent).
    pub remaining_events: f64,
    /// Burn rate now over the long and the short window (1 = on budget).
    pub burn_long: Option<f64>,
    /// Burn rate over the short window (1 = on budget); `None` without events in it.
    pub burn_short: Option<f64>,
    /// Length of the long burn window, in seconds (one day scaled to the SLO window).
    pub long_window_secs: i64,
    /// Length of the short burn window, in seconds (1/12 of the long one).
    pub short_window_secs: i64,
    /// When the budget runs out at the long-window burn rate.
    pub exhaustion: Option<Exhaustion>,
    /// The most severe burn rule firing now (`page` or `ticket`).
    pub firing: Option<BurnSeverity>,
}

/// One role's on-call line in the Alerts view.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCallLine {
    /// Role key.
    pub role: String,
    /// Who holds it; `None` before its rotation starts.
    pub person: Option<String>,
    /// Until when.
    pub until: Option<Timestamp>,
    /// The reason of the override deciding it, if one does.
    pub override_reason: Option<String>,
}

/// One active silence or open maintenance window.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceLine {
    /// `silence #3` or `window roaster`.
    pub by: String,
    /// `indicator=on_time_rate severity=critical`, or `all alerts`.
    pub matches: String,
    /// When it ends.
    pub until: Timestamp,
    /// Why.
    pub reason: String,
}

/// Everything the alerts pane, the Alerts view and the budget panels draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertsModel {
    /// The time the model was read at (unix seconds, UTC); ages are counted from it.
    pub now: Timestamp,
    /// Open and acknowledged alerts: critical first, then oldest first.
    pub active: Vec<AlertRow>,
    /// Recent transitions of all alerts, newest first.
    pub history: Vec<HistoryEntry>,
    /// One panel per SLO, in import order.
    pub slos: Vec<SloPanel>,
    /// Who is on call now for each role with a rotation or an override.
    pub oncall: Vec<OnCallLine>,
    /// Silences in force and maintenance windows open now.
    pub silences: Vec<SilenceLine>,
}

impl AlertsModel {
    /// Ids of the critical alerts that are open (not acknowledged).
    pub fn open_critical_ids(&self) -> Vec<i64> {
        self.active
            .iter()
            .filter(|a| a.severity == Severity::Critical && a.state == AlertState::Open)
            .map(|a| a.id)
            .collect()
    }
}

fn history_entry(r: &crate::store::db::Row<'_>) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        event: AlertEvent {
            alert_id: r.get(0)?,
            at: r.get(1)?,
            actor: sanitize(&r.get::<_, String>(2)?),
            login: r.get::<_, Option<String>>(8)?.as_deref().map(sanitize),
            kind: r.get(3)?,
            level: r.get(4)?,
            note: r.get::<_, Option<String>>(5)?.as_deref().map(sanitize),
        },
        title: sanitize(&r.get::<_, String>(6)?),
        severity: Severity::parse(&r.get::<_, String>(7)?).unwrap_or(Severity::Info),
    })
}

/// Who holds each role with a rotation or an override at `now`.
fn oncall_lines(book: &crate::store::oncall::OnCallBook, now: Timestamp) -> Vec<OnCallLine> {
    book.covered_roles()
        .into_iter()
        .map(|r| {
            let o = book.on_call(r, now);
            let override_reason = o.override_id.and_then(|id| {
                book.overrides
                    .iter()
                    .find(|x| x.id == id)
                    .map(|x| sanitize(&x.reason))
            });
            OnCallLine {
                role: sanitize(r),
                person: o.person.as_deref().map(sanitize),
                until: o.until,
                override_reason,
            }
        })
        .collect()
}

impl Store {
    /// Who is on call at `now` for each role with a rotation or an
    /// override (the standup's line).
    pub fn oncall_now(&self, now: Timestamp) -> Result<Vec<OnCallLine>> {
        Ok(oncall_lines(&self.oncall_book(now)?, now))
    }

    /// What happened to alerts after `since`, newest first: the events of
    /// the newest `limit` alerts to have had news (see
    /// [`SQL_ALERT_NEWS_SINCE`]).
    pub(crate) fn alert_news_since(
        &self,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn().prepare_cached(SQL_ALERT_NEWS_SINCE)?;
        let rows = stmt.query_map(
            rusqlite::params![since, limit as i64, NEWS_EVENTS_PER_ALERT],
            history_entry,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The alerts model at `now`.
    pub fn alerts_model(&self, now: Timestamp) -> Result<AlertsModel> {
        let mut active = Vec::new();
        let book = self.oncall_book(now)?;
        let alerts = self.active_alerts()?;
        let ids: Vec<i64> = alerts.iter().map(|a| a.id).collect();
        let incidents = crate::store::incidents::incidents_of_alerts(self.conn(), &ids)?;
        for a in alerts {
            let mut row = AlertRow::from_alert(&a, now);
            row.owner = sanitize(&book.waiting_for(&a, now));
            row.silenced = book
                .silenced(&a, now)
                .map(|s| crate::domain::oncall::Silenced {
                    by: sanitize(&s.by),
                    reason: sanitize(&s.reason),
                    until: s.until,
                });
            if let Some(id) = a.run_id {
                row.run = run_link(self.conn(), id, now)?;
            }
            row.incident = incidents.get(&a.id).copied();
            active.push(row);
        }
        let mut stmt = self.conn().prepare_cached(SQL_ALERT_HISTORY)?;
        let rows = stmt.query_map([HISTORY_LIMIT as i64], history_entry)?;
        let history = rows.collect::<rusqlite::Result<_>>()?;
        let slos = self
            .slo_standings(now)?
            .into_iter()
            .map(|s| {
                let firing = s
                    .assessments
                    .iter()
                    .filter(|a| a.is_firing())
                    .map(|a| a.rule.severity)
                    .max();
                let r = &s.report;
                SloPanel {
                    key: sanitize(&s.slo.def.key),
                    name: sanitize(&s.slo.def.name),
                    objective: s.slo.def.objective,
                    window_secs: s.slo.def.window_secs,
                    good: r.budget.counts.good,
                    total: r.budget.counts.total,
                    remaining_fraction: r.budget.remaining_fraction,
                    remaining_events: r.budget.remaining_events,
                    burn_long: r.burn_long,
                    burn_short: r.burn_short,
                    long_window_secs: r.long_window_secs,
                    short_window_secs: r.short_window_secs,
                    exhaustion: r.exhaustion,
                    firing,
                }
            })
            .collect();
        let oncall = oncall_lines(&book, now);
        let text = |m: &[crate::domain::oncall::Matcher]| {
            if m.is_empty() {
                "all alerts".to_string()
            } else {
                let t: Vec<String> = m.iter().map(|m| sanitize(&m.text())).collect();
                t.join(" ")
            }
        };
        let mut silences: Vec<SilenceLine> = book
            .silences
            .iter()
            .filter(|s| s.from <= now)
            .map(|s| SilenceLine {
                by: format!("silence #{}", s.id),
                matches: text(&s.matchers),
                until: s.until,
                reason: sanitize(&s.reason),
            })
            .collect();
        for w in &book.def.windows {
            if let Some(until) = crate::domain::oncall::window_open_until(w, book.tz, now) {
                silences.push(SilenceLine {
                    by: format!("window {}", sanitize(&w.name)),
                    matches: text(&w.matchers),
                    until,
                    reason: sanitize(&w.reason),
                });
            }
        }
        Ok(AlertsModel {
            now,
            active,
            history,
            slos,
            oncall,
            silences,
        })
    }
}
