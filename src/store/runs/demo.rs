//! The demo operation's checklist runs: one of every state (done, in
//! progress, overdue by due time and by step tolerance, cancelled), a run
//! that kept its playbook version across a review, and one playbook left
//! past its review date.

use super::items::{cancel_run, close_item, start_run, ItemAction};
use super::RunError;
use crate::domain::playbook::PlaybookDef;
use crate::domain::{Timestamp, DAY, HOUR};
use crate::store::playbooks::{import_playbook, parse_definition};
use crate::store::Tx;

const MINUTE: i64 = 60;

/// One person's work on a run: checks (or skips, with `Some(reason)`) each
/// item at `at`, one minute apart.
fn work(
    tx: &Tx<'_>,
    who: &str,
    at: Timestamp,
    run: i64,
    items: &[(&str, Option<&str>)],
) -> Result<(), RunError> {
    let as_who = Tx {
        tx: tx.tx,
        actor: who,
    };
    for (i, (item, skip)) in items.iter().enumerate() {
        let action = match skip {
            Some(reason) => ItemAction::Skip { reason },
            None => ItemAction::Done { note: None },
        };
        close_item(&as_who, at + i as i64 * MINUTE, run, item, action, None)?;
    }
    Ok(())
}

fn done(items: &[&'static str]) -> Vec<(&'static str, Option<&'static str>)> {
    items.iter().map(|i| (*i, None)).collect()
}

fn start(
    tx: &Tx<'_>,
    who: &str,
    at: Timestamp,
    key: &str,
    context: &str,
    due_at: Option<Timestamp>,
) -> Result<i64, RunError> {
    let as_who = Tx {
        tx: tx.tx,
        actor: who,
    };
    Ok(start_run(&as_who, at, key, Some(context), due_at)?.id)
}

/// The team reviews four playbooks (a new version each, with a fresh review
/// date); the weekly operations review is left past its review date.
fn review_playbooks(tx: &Tx<'_>, at: Timestamp) -> Result<(), RunError> {
    let as_ana = Tx {
        tx: tx.tx,
        actor: "Ana",
    };
    let reviewed = chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    for key in [
        "order-fulfilment",
        "support-ticket",
        "daily-standup",
        "incident-response",
    ] {
        let (version, json): (i64, String) = tx.query_row(
            "SELECT v.version, v.definition FROM playbooks p
             JOIN playbook_versions v ON v.playbook_id = p.id
             WHERE p.key = ?1 ORDER BY v.version DESC LIMIT 1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut def: PlaybookDef = parse_definition(key, version, &json)?;
        def.last_reviewed = reviewed;
        import_playbook(&as_ana, at, &def, &format!("{key}.toml"))?;
    }
    Ok(())
}

/// Adds the demo's checklist runs relative to `now`; call once, on a fresh
/// demo database whose people and roles are already in place.
pub fn seed_demo_runs(tx: &Tx<'_>, now: Timestamp) -> Result<(), RunError> {
    // The operation adopted the starter playbooks when it started, 90 days
    // ago (a new database records the moment it was created).
    tx.execute(
        "UPDATE playbook_versions SET imported_at = ?1 WHERE version = 1",
        [now - 90 * DAY],
    )?;
    tx.execute("UPDATE playbooks SET created_at = ?1", [now - 90 * DAY])?;
    // ... and its starter playbooks were last reviewed the day before.
    let started = chrono::DateTime::from_timestamp(now - 91 * DAY, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let firsts: Vec<(i64, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT v.id, p.key, v.definition FROM playbook_versions v
             JOIN playbooks p ON p.id = v.playbook_id WHERE v.version = 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, key, json) in firsts {
        let mut def: PlaybookDef = parse_definition(&key, 1, &json)?;
        def.last_reviewed = started;
        let json = serde_json::to_string(&def)
            .map_err(|e| crate::store::StoreError::Invalid(e.to_string()))?;
        tx.execute(
            "UPDATE playbook_versions SET definition = ?2, review_due_at = ?3 WHERE id = ?1",
            rusqlite::params![id, json, def.review_due_at()],
        )?;
    }
    // An incident run on the first version of its playbook, finished before
    // the review: it keeps version 1.
    let t = now - 26 * DAY;
    let inc = start(
        tx,
        "Ana",
        t,
        "incident-response",
        "INC-7 courier API down",
        None,
    )?;
    work(
        tx,
        "Ana",
        t + 10 * MINUTE,
        inc,
        &done(&["declare.1", "declare.2", "declare.3"]),
    )?;
    work(
        tx,
        "Ana",
        t + 40 * MINUTE,
        inc,
        &done(&["contain.1", "contain.2", "contain.3"]),
    )?;
    let inform = [
        ("inform.1", None),
        (
            "inform.2",
            Some("No status page yet: the 11 affected customers were e-mailed directly"),
        ),
    ];
    work(tx, "Chloe", t + HOUR, inc, &inform)?;
    work(
        tx,
        "Ben",
        t + 3 * HOUR,
        inc,
        &done(&["recover.1", "recover.2", "recover.3"]),
    )?;
    work(tx, "Fay", t + DAY, inc, &done(&["settle.1", "settle.2"]))?;
    let review = done(&["review.1", "review.2", "review.3", "review.4"]);
    work(tx, "Ana", t + 3 * DAY, inc, &review)?;

    review_playbooks(tx, now - 20 * DAY)?;

    // A finished order.
    let t = now - 5 * DAY;
    let ord = start(
        tx,
        "Eli",
        t,
        "order-fulfilment",
        "ORD-1041",
        Some(now - DAY),
    )?;
    let confirm = done(&["confirm.1", "confirm.2", "confirm.3", "confirm.4"]);
    work(tx, "Eli", t + HOUR, ord, &confirm)?;
    let prepare = done(&["prepare.1", "prepare.2", "prepare.3"]);
    work(tx, "Ben", t + 6 * HOUR, ord, &prepare)?;
    work(
        tx,
        "Ben",
        t + 8 * HOUR,
        ord,
        &done(&["ship.1", "ship.2", "ship.3"]),
    )?;
    let deliver = done(&["deliver.1", "deliver.2", "deliver.3"]);
    work(tx, "Chloe", t + 2 * DAY, ord, &deliver)?;
    work(
        tx,
        "Fay",
        t + 2 * DAY + 4 * HOUR,
        ord,
        &done(&["bill.1", "bill.2", "bill.3"]),
    )?;

    // An order stuck at shipping: past its step tolerance and its due time.
    let t = now - 3 * DAY;
    let ord = start(
        tx,
        "Dev",
        t,
        "order-fulfilment",
        "ORD-1187",
        Some(now - 6 * HOUR),
    )?;
    work(tx, "Dev", t + 2 * HOUR, ord, &confirm)?;
    work(tx, "Ana", t + 20 * HOUR, ord, &prepare)?;
    work(tx, "Ben", t + 22 * HOUR, ord, &done(&["ship.1"]))?;

    // A cancelled order.
    let t = now - 2 * DAY;
    let ord = start(
        tx,
        "Dev",
        t,
        "order-fulfilment",
        "ORD-1190",
        Some(now + DAY),
    )?;
    let as_dev = Tx {
        tx: tx.tx,
        actor: "Dev",
    };
    cancel_run(
        &as_dev,
        t + 3 * HOUR,
        ord,
        "The customer cancelled before confirmation",
    )?;

    // An order in progress, on time, with one item checked past its gate.
    let t = now - 5 * HOUR;
    let ord = start(
        tx,
        "Eli",
        t,
        "order-fulfilment",
        "ORD-1203",
        Some(now + 2 * DAY),
    )?;
    work(tx, "Eli", t + HOUR, ord, &confirm)?;
    work(tx, "Ben", now - HOUR, ord, &done(&["prepare.1"]))?;
    let as_ben = Tx {
        tx: tx.tx,
        actor: "Ben",
    };
    close_item(
        &as_ben,
        now - 50 * MINUTE,
        ord,
        "ship.1",
        ItemAction::Done { note: None },
        Some("Packed with the morning batch; the sign-off follows"),
    )?;

    // A support ticket whose resolve step is past its one-day tolerance.
    let t = now - 30 * HOUR;
    let tck = start(
        tx,
        "Chloe",
        t,
        "support-ticket",
        "TCK-882 wrong grind size",
        None,
    )?;
    let triage = done(&["triage.1", "triage.2", "triage.3"]);
    work(tx, "Chloe", t + HOUR, tck, &triage)?;
    work(tx, "Dev", now - 20 * HOUR, tck, &done(&["resolve.1"]))?;

    // Today's standup, under way.
    let t = now - 20 * MINUTE;
    let today = crate::format::utc_date(now);
    let standup = start(tx, "Ana", t, "daily-standup", &today, Some(now + 2 * HOUR))?;
    let prep = done(&["prepare.1", "prepare.2", "prepare.3", "prepare.4"]);
    work(tx, "Ana", t + 5 * MINUTE, standup, &prep)?;
    work(tx, "Eli", now - 5 * MINUTE, standup, &done(&["round.1"]))?;
    Ok(())
}
