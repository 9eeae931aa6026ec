//! The demo's alerts: invoices for the billing SLO, then a morning of real
//! rule evaluations ("cron" every hour from four hours ago) with people
//! acknowledging, snoozing and pausing, so the demo shows burning SLOs,
//! escalated unacknowledged alerts, acknowledged ones and resolved history.
//!
//! Everything is dated so that nothing falls due in the first half hour
//! after the demo is created: the acknowledgements come after the second
//! check, under three hours ago (the ack timeout is four), and the incident
//! declared 25 minutes ago has most of its containment hour left. A `check` right after
//! `opsdeck demo` finds what the demo shows, not a burst of re-opened and
//! overdue alerts.

use super::{generate, invoices, tickets_closed_at_first_reply, DemoSettings};
use crate::domain::alert_rules::Severity;
use crate::domain::{Timestamp, DAY, HOUR};
use crate::store::alerts::{
    acknowledge, active_alert_for_cause, add_alert_note, evaluate_rules, pause, raise, resolve,
    snooze, AlertPolicy,
};
use crate::store::runs::{close_item, ItemAction};
use crate::store::work_items::upsert_work_item;
use crate::store::{Result, Store, StoreError, Tx};

const MIN: i64 = 60;

/// Adds the demo's invoices and first replies, resolved alert history, and
/// today's alerts at `now`. Call once, right after the demo data is written.
pub(crate) fn seed_demo_alerts(store: &mut Store, now: Timestamp) -> Result<()> {
    let settings = DemoSettings::shipped();
    let data = generate(&settings, now);
    store.write(|tx| -> Result<()> {
        for w in invoices(&data, &settings, now)
            .iter()
            .chain(&tickets_closed_at_first_reply(&data))
        {
            upsert_work_item(tx, w)?;
        }
        resolved_history(tx, now)
    })?;
    let policy = AlertPolicy::default();
    let start = now - 4 * HOUR;
    cron(store, start, &policy)?;
    store.write(|tx| morning(tx, start))?;
    cron(store, now - 3 * HOUR, &policy)?;
    store.write(|tx| acknowledgements(tx, now - 3 * HOUR))?;
    for at in [now - 2 * HOUR, now - HOUR] {
        cron(store, at, &policy)?;
    }
    store.write(|tx| incident(tx, now - 25 * MIN))?;
    cron(store, now, &policy)?;
    Ok(())
}

/// One `opsdeck check` run by cron at `at`.
fn cron(store: &mut Store, at: Timestamp, policy: &AlertPolicy) -> Result<()> {
    store.write_with_reads(|store, tx| {
        evaluate_rules(store, &tx.acting_as("cron"), at, policy).map(|_| ())
    })
}

fn as_person<'a>(tx: &'a Tx<'_>, who: &'a str) -> Tx<'a> {
    tx.acting_as(who)
}

fn id_of(tx: &Tx<'_>, key: &str) -> Result<Option<i64>> {
    Ok(active_alert_for_cause(tx, key)?.map(|a| a.id))
}

/// Who took which alert after the second check of the morning (at `at`).
fn acknowledgements(tx: &Tx<'_>, at: Timestamp) -> Result<()> {
    let steps: [(&str, &str, i64, &str); 4] = [
        (
            "capacity:order",
            "Ana",
            12,
            "Ben is doing extra roasting shifts this week",
        ),
        (
            "indicator:first_response",
            "Chloe",
            20,
            "Dev covers the inbox until 14:00",
        ),
        (
            "burn:support_first_response",
            "Chloe",
            21,
            "same cause as the first-response breach",
        ),
        (
            "indicator:deviation_rate",
            "Ben",
            35,
            "packing checklist reprinted",
        ),
    ];
    for (key, who, after, note) in steps {
        if let Some(id) = id_of(tx, key)? {
            acknowledge(&as_person(tx, who), id, at + after * MIN, Some(note))?;
        }
    }
    Ok(())
}

/// What the team did after the first check of the morning.
fn morning(tx: &Tx<'_>, start: Timestamp) -> Result<()> {
    if let Some(id) = id_of(tx, "indicator:trial_to_paid")? {
        let until = start - start.rem_euclid(DAY) + DAY + 9 * HOUR;
        snooze(
            &as_person(tx, "Eli"),
            id,
            until,
            start + 40 * MIN,
            Some("waiting for this week's numbers"),
        )?;
    }
    if let Some(id) = id_of(tx, "indicator:billing_error_rate")? {
        pause(
            &as_person(tx, "Fay"),
            id,
            start + 50 * MIN,
            "weekly figure; the VAT template fix ships Thursday",
        )?;
    }
    Ok(())
}

/// A critical alert raised by hand that started an incident-response run,
/// acknowledged, with the run's first step done.
fn incident(tx: &Tx<'_>, at: Timestamp) -> Result<()> {
    let ana = as_person(tx, "Ana");
    let (a, _) = raise(
        &ana,
        at,
        "Roaster 2 burner fault: roasting capacity halved",
        Severity::Critical,
        Some("technician booked for tomorrow 08:00"),
        Some("incident-response"),
    )?;
    acknowledge(&ana, a.id, at + 4 * MIN, Some("I own the incident"))?;
    let Some(run) = a.run_id else {
        return Ok(());
    };
    for (i, item) in ["declare.1", "declare.2", "declare.3"].iter().enumerate() {
        let done = ItemAction::Done { note: None };
        close_item(&ana, at + (6 + 3 * i as i64) * MIN, run, item, done, None)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
    }
    Ok(())
}

/// Alerts raised and resolved by hand over the past weeks.
fn resolved_history(tx: &Tx<'_>, now: Timestamp) -> Result<()> {
    let past: [(i64, &str, Severity, &str, &str, &str); 3] = [
        (
            26,
            "Payment provider outage",
            Severity::Critical,
            "Fay",
            "Ana",
            "provider status page green again; 3 failed charges retried",
        ),
        (
            17,
            "Courier missed the afternoon pickup",
            Severity::Warning,
            "Ben",
            "Ben",
            "collected next morning; 6 customers emailed",
        ),
        (
            9,
            "Green coffee delivery delayed at customs",
            Severity::Warning,
            "Ana",
            "Ana",
            "released; two single origins out of stock for 2 days",
        ),
    ];
    for (days, title, severity, by, solver, fix) in past {
        let at = now - days * DAY + 10 * HOUR;
        let (a, _) = raise(&as_person(tx, by), at, title, severity, None, None)?;
        acknowledge(&as_person(tx, solver), a.id, at + 7 * MIN, None)?;
        add_alert_note(
            &as_person(tx, solver),
            a.id,
            at + 40 * MIN,
            "looking into it",
        )?;
        resolve(&as_person(tx, solver), a.id, at + 5 * HOUR, Some(fix))?;
    }
    Ok(())
}
