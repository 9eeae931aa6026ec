//! The notification outbox: every notification is queued with its
//! recipient and due time, then `check` and the cockpit send what is due,
//! one command per recipient. Held rows wait for a silence or window to end
//! (`due_at` NULL), for quiet hours to end (warnings), or for the
//! recipient's group window: the first page goes out at once, what follows
//! within the window goes out as one at its end.

use super::OnCallBook;
use crate::domain::alert_rules::Severity;
use crate::domain::escalation::AlertState;
use crate::domain::oncall::quiet_until;
use crate::domain::Timestamp;
use crate::store::alerts::{alert_required, NotifyReason, ToNotify};
use crate::store::{Result, Store, Tx};
use rusqlite::{params, OptionalExtension};

/// Notifications for one recipient, sent as one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The person (or the role nobody is on call for) paged.
    pub recipient: String,
    /// The alerts, oldest queued first.
    pub items: Vec<ToNotify>,
}

/// How a notification is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// From the rules: silences, quiet hours and the group window apply.
    Rules,
    /// A person acted (raised or escalated by hand): due at once.
    ByHand,
}

/// The newest page sent to `?1` (the group window starts from it).
pub const SQL_LAST_SENT_TO: &str = "SELECT max(sent_at) FROM notify_outbox WHERE recipient = ?1";

/// Whether anything waits in the outbox: asked at every rule tick of the
/// cockpit (reads the partial index of pending rows only).
pub const SQL_ANY_PENDING: &str =
    "SELECT 1 FROM notify_outbox WHERE sent_at IS NULL AND dropped IS NULL LIMIT 1";

/// Every pending notification, oldest first.
pub const SQL_PENDING: &str =
    "SELECT id, alert_id, reason, recipient, due_at, held FROM notify_outbox
         WHERE sent_at IS NULL AND dropped IS NULL ORDER BY id";

fn reason_from(word: &str) -> NotifyReason {
    match word {
        "escalated" => NotifyReason::Escalated,
        "reopened" => NotifyReason::Reopened,
        "severity_raised" => NotifyReason::SeverityRaised,
        _ => NotifyReason::Opened,
    }
}

/// When the recipient's group window lets a new page go out (`now` when
/// nothing was sent to them within the window).
fn group_due(tx: &Tx<'_>, recipient: &str, window: i64, now: Timestamp) -> Result<Timestamp> {
    let last: Option<Timestamp> = tx
        .prepare_cached(SQL_LAST_SENT_TO)?
        .query_row([recipient], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(match last {
        Some(t) if t + window > now => t + window,
        _ => now,
    })
}

/// Due time and hold reason of a rules notification for `a` at `now`.
fn schedule(
    tx: &Tx<'_>,
    book: &OnCallBook,
    n: &ToNotify,
    recipient: &str,
    now: Timestamp,
) -> Result<(Option<Timestamp>, Option<String>)> {
    if let Some(s) = book.silenced(&n.alert, now) {
        return Ok((None, Some(format!("{}: {}", s.by, s.reason))));
    }
    let mut due = group_due(tx, recipient, book.def.group_window_secs, now)?;
    let mut held = (due > now).then(|| "group window".to_string());
    if n.alert.severity != Severity::Critical {
        if let Some(end) = book
            .def
            .quiet(recipient)
            .and_then(|q| quiet_until(q, book.tz, now))
        {
            due = due.max(end);
            held = Some("quiet hours".into());
        }
    }
    Ok((Some(due), held))
}

/// Queues `list` (in the caller's transaction) for sending.
pub fn queue(tx: &Tx<'_>, list: &[ToNotify], urgency: Urgency, now: Timestamp) -> Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    let book = OnCallBook::load(tx, now)?;
    for n in list {
        let recipient = book.person_for(n.alert.target(), now);
        let (due, held) = match urgency {
            Urgency::ByHand => (Some(now), None),
            Urgency::Rules => schedule(tx, &book, n, &recipient, now)?,
        };
        tx.execute(
            "INSERT INTO notify_outbox (alert_id, reason, recipient, created_at, due_at, held)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![n.alert.id, n.reason.word(), recipient, now, due, held],
        )?;
    }
    Ok(())
}

/// Releases what silences held once they ended (dropping what was resolved
/// or cleared meanwhile), then takes every due notification, marks it sent
/// and returns them grouped by recipient. Run in one write transaction,
/// so two processes never send the same row.
pub fn take_due(tx: &Tx<'_>, now: Timestamp) -> Result<Vec<Group>> {
    let mut stmt = tx.prepare_cached(SQL_PENDING)?;
    let pending = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<Timestamp>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let book = OnCallBook::load(tx, now)?;
    let mut groups: Vec<Group> = Vec::new();
    for (id, alert_id, reason, recipient, due, held) in pending {
        let alert = alert_required(tx, alert_id)?;
        let gone = if alert.state == AlertState::Resolved {
            Some("resolved before it was sent")
        } else if alert.cleared_at.is_some() {
            Some("its cause cleared before it was sent")
        } else {
            None
        };
        if let Some(why) = gone {
            tx.execute(
                "UPDATE notify_outbox SET dropped = ?2 WHERE id = ?1",
                params![id, why],
            )?;
            continue;
        }
        let (due, recipient) = match due {
            // Held for quiet hours: judged by the quiet hours in force now
            // (changed or removed since, the page goes at once).
            Some(d) if d > now && held.as_deref() == Some("quiet hours") => {
                let end = book
                    .def
                    .quiet(&recipient)
                    .and_then(|q| quiet_until(q, book.tz, now))
                    .unwrap_or(now);
                if end != d && end > now {
                    tx.execute(
                        "UPDATE notify_outbox SET due_at = ?2 WHERE id = ?1",
                        params![id, end],
                    )?;
                }
                (end, recipient)
            }
            Some(d) => (d, recipient),
            None if book.silenced(&alert, now).is_some() => continue,
            // The silence is over and the cause is still there: send now,
            // to whoever the alert waits for now.
            None => {
                let to = book.person_for(alert.target(), now);
                // Released into the recipient's quiet hours, a warning waits on.
                let quiet = (alert.severity != Severity::Critical)
                    .then(|| {
                        book.def
                            .quiet(&to)
                            .and_then(|q| quiet_until(q, book.tz, now))
                    })
                    .flatten();
                if let Some(end) = quiet {
                    tx.execute(
                        "UPDATE notify_outbox SET due_at = ?2, held = 'quiet hours', recipient = ?3 WHERE id = ?1",
                        params![id, end, to],
                    )?;
                    continue;
                }
                (now, to)
            }
        };
        if due > now {
            continue;
        }
        tx.execute(
            "UPDATE notify_outbox SET sent_at = ?2, due_at = coalesce(due_at, ?2), recipient = ?3 WHERE id = ?1",
            params![id, now, recipient],
        )?;
        let item = ToNotify {
            alert,
            reason: reason_from(&reason),
        };
        match groups.iter_mut().find(|g| g.recipient == recipient) {
            // One alert once per page, with its latest reason.
            Some(g) => match g.items.iter_mut().find(|i| i.alert.id == alert_id) {
                Some(same) => *same = item,
                None => g.items.push(item),
            },
            None => groups.push(Group {
                recipient,
                items: vec![item],
            }),
        }
    }
    Ok(groups)
}

/// A pending (held or waiting) notification, for screens and `silence list`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pending {
    /// The alert.
    pub alert_id: i64,
    /// Who it is for.
    pub recipient: String,
    /// When it goes out; `None` while a silence holds it.
    pub due_at: Option<Timestamp>,
    /// Why it waits.
    pub held: Option<String>,
}

impl Store {
    /// Notifications not sent yet, oldest first.
    pub fn pending_notifications(&self) -> Result<Vec<Pending>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT alert_id, recipient, due_at, held FROM notify_outbox
             WHERE sent_at IS NULL AND dropped IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Pending {
                alert_id: r.get(0)?,
                recipient: r.get(1)?,
                due_at: r.get(2)?,
                held: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether anything waits in the outbox (cheap; the cockpit asks at
    /// every rule tick before it starts a sender).
    pub fn outbox_has_pending(&self) -> Result<bool> {
        Ok(self.conn().prepare_cached(SQL_ANY_PENDING)?.exists([])?)
    }
}
