//! Writing alerts: opening or updating one per cause, and every step a
//! person takes (ack, resolve, snooze, escalate, pause, resume, note). Each
//! step is checked by the domain's state machine, stored, appended to the
//! alert's history and audited, inside the caller's transaction.

use super::runs_link::{path_for, start_linked_run};
use super::{alert_required, append_event, Alert, ALERT_COLUMNS};
use crate::domain::alert_rules::{manual_alert, AlertCandidate, Severity};
use crate::domain::escalation::{apply, AlertTiming, EscalationStep, LifecycleAction};
use crate::domain::Timestamp;
use crate::store::{Result, StoreError, Tx};
use rusqlite::{params, OptionalExtension};

/// What [`upsert_candidate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// A new alert.
    Opened(i64),
    /// The cause came back (after clearing, or a manual alert raised again).
    Recurred(i64),
    /// The cause still holds; last seen, title and detail refreshed.
    Updated(i64),
}

/// Opens an alert for the candidate, or updates the open (or acknowledged)
/// alert with its key: last seen, severity, title and detail; a cause that
/// had cleared (or a manual alert raised again) counts one more onset.
/// Returns what happened and whether the severity went up.
pub fn upsert_candidate(
    tx: &Tx<'_>,
    c: &AlertCandidate,
    owner_role: Option<&str>,
    path: &[EscalationStep],
    now: Timestamp,
    note: Option<&str>,
) -> Result<(Upserted, bool)> {
    let existing = tx
        .prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE dedup_key = ?1 AND state IN ('open', 'acknowledged')"
        ))?
        .query_row([&c.key], super::alert_from_row)
        .optional()?;
    let Some(a) = existing else {
        let path_json =
            serde_json::to_string(path).map_err(|e| StoreError::Invalid(e.to_string()))?;
        tx.prepare_cached(
            "INSERT INTO alerts (dedup_key, source, severity, title, detail, state, count, first_seen,
                last_seen, opened_at, opened_by, open_note, level, path, owner_role, playbook)
             VALUES (?1, ?2, ?3, ?4, ?5, 'open', 1, ?6, ?6, ?6, ?7, ?8, 0, ?9, ?10, ?11)",
        )?
        .execute(params![
            c.key,
            c.source.word(),
            c.severity.word(),
            c.title,
            c.detail,
            now,
            tx.actor,
            note,
            path_json,
            owner_role,
            c.playbook
        ])?;
        let id = tx.last_insert_rowid();
        let mut opened = format!("{} → {}", c.severity.word(), target_of(path, 0));
        if let Some(n) = note {
            opened = format!("{opened}: {n}");
        }
        append_event(tx, id, now, "opened", Some(0), Some(&opened))?;
        return Ok((Upserted::Opened(id), false));
    };
    let recurred = a.cleared_at.is_some() || !c.source.clears_itself();
    tx.prepare_cached(
        "UPDATE alerts SET last_seen = max(last_seen, ?2), severity = ?3, title = ?4, detail = ?5,
            cleared_at = NULL, count = count + ?6 WHERE id = ?1",
    )?
    .execute(params![
        a.id,
        now,
        c.severity.word(),
        c.title,
        c.detail,
        i64::from(recurred)
    ])?;
    if recurred {
        append_event(tx, a.id, now, "recurred", None, note)?;
    }
    let raised = c.severity > a.severity;
    if c.severity != a.severity {
        let change = format!("{} → {}", a.severity.word(), c.severity.word());
        append_event(tx, a.id, now, "severity", None, Some(&change))?;
    }
    let what = if recurred {
        Upserted::Recurred(a.id)
    } else {
        Upserted::Updated(a.id)
    };
    Ok((what, raised))
}

fn target_of(path: &[EscalationStep], level: usize) -> &str {
    path.get(level).map(|s| s.target.as_str()).unwrap_or("?")
}

/// Stores the timing facts the domain computed.
pub(super) fn save_timing(tx: &Tx<'_>, id: i64, t: &AlertTiming) -> Result<()> {
    tx.prepare_cached(
        "UPDATE alerts SET state = ?2, opened_at = ?3, acked_at = ?4, resolved_at = ?5,
            snoozed_until = ?6, paused = ?7, resumed_at = ?8, level = ?9 WHERE id = ?1",
    )?
    .execute(params![
        id,
        t.state.word(),
        t.opened_at,
        t.acknowledged_at,
        t.resolved_at,
        t.snoozed_until,
        t.escalation_paused,
        t.resumed_at,
        t.level as i64
    ])?;
    Ok(())
}

/// Applies a lifecycle step to the alert, or says (one line) why it is refused.
pub(super) fn step(
    tx: &Tx<'_>,
    id: i64,
    action: &LifecycleAction,
    now: Timestamp,
) -> Result<(Alert, AlertTiming)> {
    let a = alert_required(tx, id)?;
    let t = apply(&a.timing(), action, now)
        .map_err(|e| StoreError::Invalid(format!("alert {id}: {e}")))?;
    save_timing(tx, id, &t)?;
    Ok((a, t))
}

/// Acknowledges an open alert: the acting user owns it now. Acknowledging
/// an acknowledged alert again refreshes its ack timeout (PagerDuty
/// semantics) and records a `re-acknowledged` event.
pub fn acknowledge(tx: &Tx<'_>, id: i64, now: Timestamp, note: Option<&str>) -> Result<Alert> {
    let (before, _) = step(tx, id, &LifecycleAction::Acknowledge, now)?;
    let again = before.timing().state == crate::domain::escalation::AlertState::Acknowledged;
    tx.execute(
        "UPDATE alerts SET acked_by = ?2, ack_note = COALESCE(?3, ack_note) WHERE id = ?1",
        params![id, tx.actor, note],
    )?;
    let kind = if again {
        "re-acknowledged"
    } else {
        "acknowledged"
    };
    append_event(tx, id, now, kind, None, note)?;
    alert_required(tx, id)
}

/// Resolves an open or acknowledged alert. Final: a recurring cause opens a
/// new alert.
pub fn resolve(tx: &Tx<'_>, id: i64, now: Timestamp, note: Option<&str>) -> Result<Alert> {
    step(tx, id, &LifecycleAction::Resolve, now)?;
    tx.execute(
        "UPDATE alerts SET resolved_by = ?2, resolve_note = ?3 WHERE id = ?1",
        params![id, tx.actor, note],
    )?;
    append_event(tx, id, now, "resolved", None, note)?;
    alert_required(tx, id)
}

/// Holds the alert (no escalation, no ack expiry) until `until`.
pub fn snooze(
    tx: &Tx<'_>,
    id: i64,
    until: Timestamp,
    now: Timestamp,
    note: Option<&str>,
) -> Result<Alert> {
    step(tx, id, &LifecycleAction::Snooze { until }, now)?;
    let text = match note {
        Some(n) => format!("until {}: {n}", crate::format::rfc3339(until)),
        None => format!("until {}", crate::format::rfc3339(until)),
    };
    append_event(tx, id, now, "snoozed", None, Some(&text))?;
    alert_required(tx, id)
}

/// Escalates one level up by hand (allowed while acknowledged or paused).
pub fn escalate(tx: &Tx<'_>, id: i64, now: Timestamp, note: Option<&str>) -> Result<Alert> {
    let a = alert_required(tx, id)?;
    let (_, t) = step(
        tx,
        id,
        &LifecycleAction::Escalate {
            path_len: a.path.len(),
        },
        now,
    )?;
    tx.execute(
        "UPDATE alerts SET escalated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    let text = match note {
        Some(n) => format!("→ {}: {n}", target_of(&a.path, t.level)),
        None => format!("→ {} (by hand)", target_of(&a.path, t.level)),
    };
    append_event(tx, id, now, "escalated", Some(t.level), Some(&text))?;
    alert_required(tx, id)
}

/// The manual override: stops the alert climbing, with a reason.
pub fn pause(tx: &Tx<'_>, id: i64, now: Timestamp, reason: &str) -> Result<Alert> {
    let reason = reason.trim();
    step(
        tx,
        id,
        &LifecycleAction::PauseEscalation {
            reason: reason.to_string(),
        },
        now,
    )?;
    tx.execute(
        "UPDATE alerts SET pause_reason = ?2 WHERE id = ?1",
        params![id, reason],
    )?;
    append_event(tx, id, now, "paused", None, Some(reason))?;
    alert_required(tx, id)
}

/// Lifts the override; the escalation clock restarts now.
pub fn resume(tx: &Tx<'_>, id: i64, now: Timestamp, note: Option<&str>) -> Result<Alert> {
    step(tx, id, &LifecycleAction::ResumeEscalation, now)?;
    tx.execute(
        "UPDATE alerts SET pause_reason = NULL WHERE id = ?1",
        params![id],
    )?;
    append_event(tx, id, now, "resumed", None, note)?;
    alert_required(tx, id)
}

/// Adds a note to the alert's history (any state, resolved included).
pub fn add_alert_note(tx: &Tx<'_>, id: i64, now: Timestamp, text: &str) -> Result<Alert> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::Invalid("a note needs some text".into()));
    }
    alert_required(tx, id)?;
    append_event(tx, id, now, "note", None, Some(text))?;
    alert_required(tx, id)
}

/// Raises an alert by hand. Raising the same title again while it is open
/// updates that alert (one more onset) instead of adding one. A `playbook`
/// gives the alert its escalation path and starts a run of it linked to the
/// alert. Returns the alert and whether it is new.
pub fn raise(
    tx: &Tx<'_>,
    now: Timestamp,
    title: &str,
    severity: Severity,
    note: Option<&str>,
    playbook: Option<&str>,
) -> Result<(Alert, bool)> {
    let title = title.trim();
    if title.is_empty() {
        return Err(StoreError::Invalid("an alert needs a title".into()));
    }
    let token: String = title
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = manual_alert(&token, title, severity, note.unwrap_or(""));
    c.playbook = playbook
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    let path = path_for(tx, Some("ops-lead"), c.playbook.as_deref())?;
    let (what, _) = upsert_candidate(tx, &c, Some("ops-lead"), &path, now, note)?;
    let (id, new) = match what {
        Upserted::Opened(id) => (id, true),
        Upserted::Recurred(id) | Upserted::Updated(id) => (id, false),
    };
    if let (Some(key), true) = (&c.playbook, new) {
        start_linked_run(tx, id, key, title, now)?;
    }
    Ok((alert_required(tx, id)?, new))
}

/// Records the outcome of a notification command in the alert's history
/// (`notified` or `notify_failed`).
pub fn record_notification(
    tx: &Tx<'_>,
    id: i64,
    now: Timestamp,
    delivered: bool,
    detail: &str,
) -> Result<()> {
    let kind = if delivered {
        "notified"
    } else {
        "notify_failed"
    };
    append_event(tx, id, now, kind, None, Some(detail))
}
