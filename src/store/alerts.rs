//! Alerts: one row per alert, one open (or acknowledged) alert per cause,
//! every transition appended to `alert_events` and to the audit trail.
//! The lifecycle rules themselves are the domain's
//! ([`crate::domain::escalation::apply`]); this module stores their result.

mod evaluate;
mod lifecycle;
mod model;
mod runs_link;

pub use evaluate::{
    escalate_due_alerts, evaluate_rules, mark_cleared, AlertPolicy, Evaluation, NotifyReason,
    ToNotify,
};
pub use lifecycle::{
    acknowledge, add_alert_note, escalate, pause, raise, record_notification, resolve, resume,
    snooze, upsert_candidate, Upserted,
};
pub use model::{
    AlertRow, AlertsModel, HistoryEntry, OnCallLine, SilenceLine, SloPanel, SQL_ALERT_HISTORY,
    SQL_ALERT_NEWS_SINCE,
};
pub use runs_link::{operation_path, path_from_levels, run_link, RunLink};

use super::{audit, Result, Store, StoreError, Tx};

/// Who the changes opsdeck makes by itself are attributed to: the alert
/// rules evaluated on the minute by the cockpit and by `opsdeck check`
/// (the audit trail's `login`/`uid` still name the process that ran them).
pub const RULES_ACTOR: &str = "opsdeck (rules)";
use crate::domain::alert_rules::{AlertSource, Severity};
use crate::domain::escalation::{AlertState, AlertTiming, EscalationStep};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// One alert as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Row id of the alert (what `alert ack ID` and the other alert commands take).
    pub id: i64,
    /// The cause (`indicator:on_time_rate`, `burn:billing_correct`, ...).
    pub key: String,
    /// Which rule family raised it; manual alerts are never cleared by the rules.
    pub source: AlertSource,
    /// How urgent it is; only critical makes `opsdeck check` exit 1.
    pub severity: Severity,
    /// One-line summary shown in lists (not sanitised here: sanitise on output).
    pub title: String,
    /// What the rule saw when it last fired (value, threshold, burn rate), free text; may be empty.
    pub detail: String,
    /// Open, acknowledged or resolved.
    pub state: AlertState,
    /// Onsets of the cause while the alert was not resolved (1 at opening).
    pub count: i64,
    /// When it first opened (unix seconds, UTC); kept across re-openings.
    pub first_seen: Timestamp,
    /// Last evaluation that found the cause holding.
    pub last_seen: Timestamp,
    /// Start of the escalation clock: opening or the last re-opening.
    pub opened_at: Timestamp,
    /// Who opened it: the actor of the command that raised it or ran the rules (`--as`, `OPSDECK_USER`, login name).
    pub opened_by: String,
    /// Note given when it was opened, if any.
    pub open_note: Option<String>,
    /// When it was last acknowledged (unix seconds, UTC); `None` when never, or after an ack timed out.
    pub acked_at: Option<Timestamp>,
    /// Who acknowledged it; `None` unless acknowledged.
    pub acked_by: Option<String>,
    /// Note given with the acknowledgement, if any.
    pub ack_note: Option<String>,
    /// When it was resolved (unix seconds, UTC); `None` while not resolved.
    pub resolved_at: Option<Timestamp>,
    /// Who resolved it (for `auto_resolve`, whoever ran the rules); `None` while not resolved.
    pub resolved_by: Option<String>,
    /// Note given with the resolution, if any.
    pub resolve_note: Option<String>,
    /// Held until this time (unix seconds, UTC, exclusive); a past value is kept and means the snooze is over.
    pub snoozed_until: Option<Timestamp>,
    /// Index into `path`; 0 is the first step.
    pub level: usize,
    /// Its escalation path: who is called at each level, and after how long.
    pub path: Vec<EscalationStep>,
    /// When it last climbed a level (unix seconds, UTC); `None` if it never climbed.
    pub escalated_at: Option<Timestamp>,
    /// Escalation stopped by a manual override (`alert pause`).
    pub paused: bool,
    /// Why escalation was paused; `None` when not paused.
    pub pause_reason: Option<String>,
    /// When a pause was last lifted (unix seconds, UTC); restarts the escalation clock.
    pub resumed_at: Option<Timestamp>,
    /// When the rules last found the cause gone; `None` while it holds.
    pub cleared_at: Option<Timestamp>,
    /// Role that owns the cause (from the rule), if the rule names one.
    pub owner_role: Option<String>,
    /// Playbook a critical alert names.
    pub playbook: Option<String>,
    /// Checklist run started for this alert.
    pub run_id: Option<i64>,
}

impl Alert {
    /// The timing facts escalation and the lifecycle look at.
    pub fn timing(&self) -> AlertTiming {
        AlertTiming {
            state: self.state,
            opened_at: self.opened_at,
            acknowledged_at: self.acked_at,
            resolved_at: self.resolved_at,
            snoozed_until: self.snoozed_until,
            escalation_paused: self.paused,
            resumed_at: self.resumed_at,
            level: self.level,
        }
    }

    /// Who the current escalation level calls (`?` for an empty path).
    pub fn target(&self) -> &str {
        self.path
            .get(self.level)
            .or(self.path.last())
            .map(|s| s.target.as_str())
            .unwrap_or("?")
    }

    /// Who owns it now: whoever acknowledged it, else the current target.
    pub fn owner(&self) -> &str {
        match (&self.state, &self.acked_by) {
            (AlertState::Acknowledged, Some(who)) => who,
            _ => self.target(),
        }
    }

    /// Whether a snooze holds it at `now`.
    pub(crate) fn is_snoozed(&self, now: Timestamp) -> bool {
        self.snoozed_until.is_some_and(|u| now < u)
    }

    /// Open or acknowledged.
    pub(crate) fn is_active(&self) -> bool {
        self.state != AlertState::Resolved
    }

    /// The alert as JSON for scripts and notification commands; text
    /// fields are sanitised, times are RFC 3339.
    pub(crate) fn to_json(&self, now: Timestamp) -> serde_json::Value {
        use crate::format::rfc3339;
        use crate::text::sanitize;
        let t = |v: Option<Timestamp>| v.map(rfc3339);
        let s = |v: &Option<String>| v.as_deref().map(sanitize);
        serde_json::json!({
            "id": self.id,
            "key": sanitize(&self.key),
            "source": self.source,
            "severity": self.severity,
            "title": sanitize(&self.title),
            "detail": sanitize(&self.detail),
            "state": self.state,
            "count": self.count,
            "first_seen": rfc3339(self.first_seen),
            "last_seen": rfc3339(self.last_seen),
            "age_secs": (now - self.first_seen).max(0),
            "opened_by": sanitize(&self.opened_by),
            "acked_at": t(self.acked_at),
            "acked_by": s(&self.acked_by),
            "resolved_at": t(self.resolved_at),
            "resolved_by": s(&self.resolved_by),
            "snoozed_until": t(self.snoozed_until),
            "level": self.level,
            "levels": self.path.len(),
            "target": sanitize(self.target()),
            "owner": sanitize(self.owner()),
            "paused": self.paused,
            "pause_reason": s(&self.pause_reason),
            "cleared_at": t(self.cleared_at),
            "playbook": s(&self.playbook),
            "run_id": self.run_id,
        })
    }
}

/// The columns [`alert_from_row`] reads, in order.
macro_rules! alert_columns {
    () => {
        "id, dedup_key, source, severity, title, detail, state, count,
         first_seen, last_seen, opened_at, opened_by, open_note, acked_at, acked_by, ack_note,
         resolved_at, resolved_by, resolve_note, snoozed_until, level, path, escalated_at, paused,
         pause_reason, resumed_at, cleared_at, owner_role, playbook, run_id"
    };
}

/// The columns [`alert_from_row`] reads, in order.
pub(crate) const ALERT_COLUMNS: &str = alert_columns!();

fn bad_column(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        format!("unknown {what}").into(),
    )
}

/// Reads one alert from a row selected with [`ALERT_COLUMNS`].
pub(crate) fn alert_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<Alert> {
    let key: String = r.get(1)?;
    let source = AlertSource::of_key(&format!("{}:", r.get::<_, String>(2)?))
        .ok_or_else(|| bad_column(2, "source"))?;
    let severity =
        Severity::parse(&r.get::<_, String>(3)?).ok_or_else(|| bad_column(3, "severity"))?;
    let state = state_parse(&r.get::<_, String>(6)?).ok_or_else(|| bad_column(6, "state"))?;
    let path: Vec<EscalationStep> =
        serde_json::from_str(&r.get::<_, String>(21)?).map_err(|_| bad_column(21, "path"))?;
    Ok(Alert {
        id: r.get(0)?,
        key,
        source,
        severity,
        title: r.get(4)?,
        detail: r.get(5)?,
        state,
        count: r.get(7)?,
        first_seen: r.get(8)?,
        last_seen: r.get(9)?,
        opened_at: r.get(10)?,
        opened_by: r.get(11)?,
        open_note: r.get(12)?,
        acked_at: r.get(13)?,
        acked_by: r.get(14)?,
        ack_note: r.get(15)?,
        resolved_at: r.get(16)?,
        resolved_by: r.get(17)?,
        resolve_note: r.get(18)?,
        snoozed_until: r.get(19)?,
        level: r.get::<_, i64>(20)?.max(0) as usize,
        path,
        escalated_at: r.get(22)?,
        paused: r.get(23)?,
        pause_reason: r.get(24)?,
        resumed_at: r.get(25)?,
        cleared_at: r.get(26)?,
        owner_role: r.get(27)?,
        playbook: r.get(28)?,
        run_id: r.get(29)?,
    })
}

fn state_parse(s: &str) -> Option<AlertState> {
    match s {
        "open" => Some(AlertState::Open),
        "acknowledged" => Some(AlertState::Acknowledged),
        "resolved" => Some(AlertState::Resolved),
        _ => None,
    }
}

/// Open and acknowledged alerts, critical first, then oldest first.
pub const SQL_ACTIVE_ALERTS: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE state IN ('open', 'acknowledged')
     ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, first_seen, id"
);

/// The newest `?1` alerts of any state, newest first.
pub(crate) const SQL_ALL_ALERTS: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts ORDER BY first_seen DESC, id DESC LIMIT ?1"
);

/// Reads one alert by id on any connection (a store or a transaction).
pub(crate) fn alert_by_id(conn: &crate::store::db::Conn, id: i64) -> Result<Option<Alert>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))?
        .query_row([id], alert_from_row)
        .optional()?)
}

/// The open or acknowledged alert of one cause (`dedup_key`, e.g.
/// `indicator:first_response`), on any connection.
pub(crate) fn active_alert_for_cause(
    conn: &crate::store::db::Conn,
    dedup_key: &str,
) -> Result<Option<Alert>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE dedup_key = ?1 AND state IN ('open', 'acknowledged')"
        ))?
        .query_row([dedup_key], alert_from_row)
        .optional()?)
}

/// Reads one alert or says that it does not exist.
pub(crate) fn alert_required(conn: &crate::store::db::Conn, id: i64) -> Result<Alert> {
    alert_by_id(conn, id)?.ok_or_else(|| StoreError::Invalid(format!("alert {id}: no such alert")))
}

/// Open and acknowledged alerts on any connection, critical first, oldest first.
pub fn active_alerts(conn: &crate::store::db::Conn) -> Result<Vec<Alert>> {
    let mut stmt = conn.prepare_cached(SQL_ACTIVE_ALERTS)?;
    let rows = stmt.query_map([], alert_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Appends one entry to an alert's history, by the transaction's actor.
pub(crate) fn append_event(
    tx: &Tx<'_>,
    alert_id: i64,
    at: Timestamp,
    kind: &str,
    level: Option<usize>,
    note: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO alert_events (alert_id, at, actor, kind, level, note, login, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        alert_id,
        at,
        tx.actor,
        kind,
        level.map(|l| l as i64),
        note,
        audit::os_user().login,
        audit::os_user().uid
    ])?;
    audit::record(
        tx,
        at,
        kind,
        "alert",
        Some(&alert_id.to_string()),
        &serde_json::json!({"level": level, "note": note}),
    )
}

/// One entry of an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertEvent {
    /// Row id of the alert this entry belongs to.
    pub alert_id: i64,
    /// When it happened (unix seconds, UTC).
    pub at: Timestamp,
    /// Who did it: the command's actor (for rule events, whoever ran the rules).
    pub actor: String,
    /// The OS login that wrote it (None before schema 6).
    pub login: Option<String>,
    /// `opened`, `acknowledged`, `escalated`, ...
    pub kind: String,
    /// Escalation level (0-based) after the event, for events that set one.
    pub level: Option<i64>,
    /// Free-text note kept with the event, if any.
    pub note: Option<String>,
}

impl Store {
    /// Open and acknowledged alerts, critical first, then oldest first.
    pub fn active_alerts(&self) -> Result<Vec<Alert>> {
        active_alerts(self.conn())
    }

    /// The newest `limit` alerts of any state, newest first.
    pub(crate) fn recent_alerts(&self, limit: usize) -> Result<Vec<Alert>> {
        let mut stmt = self.conn().prepare_cached(SQL_ALL_ALERTS)?;
        let rows = stmt.query_map([limit as i64], alert_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One alert, or a one-line error naming the id.
    pub fn alert(&self, id: i64) -> Result<Alert> {
        alert_required(self.conn(), id)
    }

    /// An alert's history, oldest first.
    pub fn alert_events(&self, id: i64) -> Result<Vec<AlertEvent>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT alert_id, at, actor, kind, level, note, login FROM alert_events WHERE alert_id = ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([id], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest `limit` alert events of all alerts, newest first.
    pub fn recent_alert_events(&self, limit: usize) -> Result<Vec<AlertEvent>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT alert_id, at, actor, kind, level, note, login FROM alert_events ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], event_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn event_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<AlertEvent> {
    Ok(AlertEvent {
        alert_id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        kind: r.get(3)?,
        level: r.get(4)?,
        note: r.get(5)?,
        login: r.get(6)?,
    })
}
