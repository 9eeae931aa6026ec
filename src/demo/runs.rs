//! The demo operation's checklist runs: one of every state (done, in
//! progress, overdue by due time and by step tolerance, cancelled), a run
//! that kept its playbook version across a review, and one playbook left
//! past its review date.

use crate::domain::{Timestamp, DAY, HOUR};
use crate::store::playbooks::{backdate_adoption, import_playbook, latest_playbook};
use crate::store::runs::{cancel_run, close_item, start_run, ItemAction, RunError};
use crate::store::{StoreError, Tx};

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
    let as_who = tx.acting_as(who);
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
    let as_who = tx.acting_as(who);
    Ok(start_run(&as_who, at, key, Some(context), due_at)?.id)
}

/// The team reviews four playbooks (a new version each, with a fresh review
/// date); the weekly operations review is left past its review date.
fn review_playbooks(tx: &Tx<'_>, at: Timestamp) -> Result<(), RunError> {
    let as_ana = tx.acting_as("Ana");
    let reviewed = chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    for key in [
        "order-fulfilment",
        "support-ticket",
        "daily-standup",
        "incident-response",
    ] {
        let mut def = latest_playbook(tx, key)?
            .ok_or_else(|| StoreError::Invalid(format!("no playbook '{key}'")))?
            .def;
        def.last_reviewed = reviewed;
        import_playbook(&as_ana, at, &def, &format!("{key}.toml"))?;
    }
    Ok(())
}

/// Adds the demo's checklist runs relative to `now`; call once, on a fresh
/// demo database whose people and roles are already in place.
/// Returns the number of the incident-response run, which the demo's
/// reviewed incident names.
pub(crate) fn seed_demo_runs(tx: &Tx<'_>, now: Timestamp) -> Result<i64, RunError> {
    // The operation adopted the starter playbooks when it started, 90 days
    // ago (a new database records the moment it was created).
    backdate_adoption(tx, now - 90 * DAY)?;
    // An incident run on the first version of its playbook, finished before
    // the review: it keeps version 1.
    let t = now - 26 * DAY;
    let inc = start(
        tx,
        "Ana",
        t,
        "incident-response",
        "incident #1: courier API down",
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
    let as_dev = tx.acting_as("Dev");
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
    let as_ben = tx.acting_as("Ben");
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

    // Today's standup: the round is done, the follow-ups are under way. Its
    // open step has most of its two hours left, so it does not fall due
    // minutes after the demo is created.
    let t = now - 50 * MINUTE;
    let today = crate::format::utc_date(now);
    let standup = start(tx, "Ana", t, "daily-standup", &today, Some(now + 2 * HOUR))?;
    let prep = done(&["prepare.1", "prepare.2", "prepare.3", "prepare.4"]);
    work(tx, "Ana", t + 5 * MINUTE, standup, &prep)?;
    work(tx, "Eli", t + 12 * MINUTE, standup, &done(&["round.1"]))?;
    work(tx, "Ben", t + 14 * MINUTE, standup, &done(&["round.2"]))?;
    work(tx, "Chloe", t + 16 * MINUTE, standup, &done(&["round.3"]))?;
    work(tx, "Fay", t + 18 * MINUTE, standup, &done(&["round.4"]))?;
    work(
        tx,
        "Ana",
        now - 10 * MINUTE,
        standup,
        &done(&["follow-up.1"]),
    )?;
    Ok(inc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::runs::{RunFilter, RunState};
    use crate::store::Store;

    #[test]
    fn the_demo_runs_cover_every_state() {
        let mut s = Store::open_in_memory("ana").unwrap();
        let now: Timestamp = 1_795_000_000;
        s.write(|tx| seed_demo_runs(tx, now)).unwrap();
        let m = s.runs_model(now).unwrap();
        let states: Vec<RunState> = s
            .runs(RunFilter::Latest(50))
            .unwrap()
            .iter()
            .map(|r| r.state)
            .collect();
        assert!(states.contains(&RunState::Done) && states.contains(&RunState::Cancelled));
        assert!(m.open_runs.iter().any(|r| r.is_overdue()));
        assert!(m.open_runs.iter().any(|r| !r.is_overdue()));
        assert!(m.open_runs.iter().any(|r| !r.run.overrides.is_empty()));
        let past: Vec<&str> = m
            .playbooks
            .iter()
            .filter(|p| p.past_review)
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(past, ["weekly-ops-review"]);
        let incident = s
            .runs(RunFilter::Latest(50))
            .unwrap()
            .into_iter()
            .find(|r| r.key == "incident-response")
            .unwrap();
        assert_eq!((incident.version, incident.state), (1, RunState::Done));
    }
}
