//! Issue 5: every rule type firing and clearing through `evaluate_rules` with
//! a fixed clock, dedup, escalation timing, auto-resolve and the audit.

use crate::common::store::{active, count};
use opsdeck::domain::alert_rules::{AlertSource, Severity};
use opsdeck::domain::escalation::AlertState;
use opsdeck::domain::flow::{Outcome, WorkItem};
use opsdeck::domain::{DAY, HOUR};
use opsdeck::store::alerts::{self, evaluate_rules, AlertPolicy, Evaluation};
use opsdeck::store::indicators::{insert_observation, Origin};
use opsdeck::store::work_items::upsert_work_item;
use opsdeck::store::Store;

/// 2026-11-25T12:00:00Z
const T: i64 = 1_795_608_000;
const MIN: i64 = 60;

fn store() -> Store {
    Store::open_in_memory("tester").unwrap()
}

fn eval_with(store: &mut Store, now: i64, policy: &AlertPolicy) -> Evaluation {
    store
        .write_with_reads(|s, tx| evaluate_rules(s, tx, now, policy))
        .unwrap()
}

fn eval(store: &mut Store, now: i64) -> Evaluation {
    eval_with(store, now, &AlertPolicy::default())
}

fn record(store: &mut Store, key: &str, at: i64, value: f64) {
    let id = store.indicator_required(key).unwrap().id;
    store
        .write(|tx| insert_observation(tx, id, at, value, None, Origin::Manual))
        .unwrap();
}

fn items(store: &mut Store, list: &[WorkItem]) {
    store
        .write(|tx| -> opsdeck::store::Result<()> {
            for w in list {
                upsert_work_item(tx, w)?;
            }
            Ok(())
        })
        .unwrap();
}

fn invoice(n: usize, closed: i64, defect: bool) -> WorkItem {
    WorkItem {
        kind: "invoice".into(),
        external_id: format!("INV-{n}"),
        customer: None,
        segment: None,
        opened_at: closed - HOUR,
        promised_at: None,
        closed_at: Some(closed),
        outcome: Some(if defect { Outcome::Defect } else { Outcome::Ok }),
        satisfaction: None,
    }
}

fn open_order(n: usize, opened: i64) -> WorkItem {
    WorkItem {
        kind: "order".into(),
        external_id: format!("ORD-{n}"),
        customer: Some(format!("C{n}")),
        segment: None,
        opened_at: opened,
        promised_at: Some(opened + 2 * DAY),
        closed_at: None,
        outcome: None,
        satisfaction: None,
    }
}

#[test]
fn indicator_warn_then_breach_then_clears_at_the_window_edge() {
    // first_response: p90 over 7 days, lower is better, warn 3, breach 4.
    let fresh = |value: f64| {
        let mut s = store();
        record(&mut s, "first_response", T, value);
        eval(&mut s, T);
        active(&s, "indicator:first_response").map(|a| a.severity)
    };
    assert_eq!(fresh(2.99), None);
    assert_eq!(fresh(3.0), Some(Severity::Warning));
    assert_eq!(fresh(3.99), Some(Severity::Warning));
    assert_eq!(fresh(4.0), Some(Severity::Critical));

    let mut s = store();
    record(&mut s, "first_response", T, 3.0);
    let ev = eval(&mut s, T);
    let a = active(&s, "indicator:first_response").unwrap();
    assert_eq!(ev.opened, [a.id]);
    assert_eq!(a.source, AlertSource::Indicator);
    assert_eq!(a.target(), "support", "the owner role is the first level");
    record(&mut s, "first_response", T + 2, 4.5);
    let ev = eval(&mut s, T + 2);
    let b = active(&s, "indicator:first_response").unwrap();
    assert_eq!(b.id, a.id, "the same alert, now critical");
    assert_eq!(b.severity, Severity::Critical);
    assert_eq!(ev.notify.len(), 1, "a raised severity notifies");
    // The newest value leaves the 7-day window at T+2+7d: one second before,
    // still in breach; at the edge, no data: cleared (not resolved, not deleted).
    eval(&mut s, T + 7 * DAY + 1);
    assert!(active(&s, "indicator:first_response")
        .unwrap()
        .cleared_at
        .is_none());
    let ev = eval(&mut s, T + 7 * DAY + 2);
    let c = active(&s, "indicator:first_response").unwrap();
    assert_eq!(ev.cleared, [c.id]);
    assert_eq!(c.cleared_at, Some(T + 7 * DAY + 2));
    assert_eq!(c.state, AlertState::Open);
}

#[test]
fn burn_needs_min_events_then_pages_and_clears_when_the_windows_empty() {
    let mut s = store();
    // billing_correct: 99 % over 28 days; page at 14.4x over 56m (short 4m40s).
    let mut list: Vec<WorkItem> = (0..3)
        .map(|i| invoice(i, T - (50 - 10 * i as i64) * MIN, false))
        .collect();
    list.push(invoice(9, T - 2 * MIN, true));
    items(&mut s, &list);
    // 4 events, one bad: 25x burn, but fewer than min_events (5): no page.
    eval(&mut s, T);
    assert!(active(&s, "burn:billing_correct").is_none());
    items(&mut s, &[invoice(4, T - 20 * MIN, false)]);
    eval(&mut s, T);
    let a = active(&s, "burn:billing_correct").expect("5 events, 1 bad in 56m: 20x > 14.4");
    assert_eq!(a.severity, Severity::Critical);
    assert_eq!(a.source, AlertSource::Burn);
    assert!(a.detail.contains("1 of 5 bad"), "{}", a.detail);
    assert_eq!(a.target(), "finance");
    // Three days on, every rule's long window (at most 2d19h12m) is empty.
    let ev = eval(&mut s, T + 3 * DAY);
    assert_eq!(ev.cleared, [a.id]);
}

#[test]
fn capacity_bands_warn_at_60_and_go_critical_at_90_percent() {
    let mut s = store();
    // order: 20 a day; 7-day window of complete days. 83 opened yesterday
    // = 59.3 %: quiet. (Today's orders would not count until today ends.)
    let orders: Vec<WorkItem> = (0..126).map(|i| open_order(i, T - DAY)).collect();
    items(&mut s, &orders[..83]);
    eval(&mut s, T);
    assert!(active(&s, "capacity:order").is_none());
    items(&mut s, &orders[83..84]);
    eval(&mut s, T);
    let a = active(&s, "capacity:order").expect("84 = 60 %");
    assert_eq!(a.severity, Severity::Warning);
    assert_eq!(a.target(), "ops-lead");
    items(&mut s, &orders[84..125]);
    eval(&mut s, T);
    assert_eq!(
        active(&s, "capacity:order").unwrap().severity,
        Severity::Warning
    );
    items(&mut s, &orders[125..]);
    eval(&mut s, T);
    assert_eq!(
        active(&s, "capacity:order").unwrap().severity,
        Severity::Critical
    );
    // The utilisation indicator is the same cause: no second alert for it.
    assert!(active(&s, "indicator:capacity_utilisation").is_none());
    // A week later the orders are out of the window: cleared.
    let ev = eval(&mut s, T + 7 * DAY);
    assert_eq!(ev.cleared, [a.id]);
}

#[test]
fn a_capacity_raised_later_leaves_the_earlier_evaluation_as_it_was() {
    let mut s = store();
    // 84 orders opened yesterday (a complete day of the 7-day window)
    // against 20 a day: 60 %, the warn band.
    let orders: Vec<WorkItem> = (0..84).map(|i| open_order(i, T - DAY)).collect();
    items(&mut s, &orders);
    // An hour after T the capacity is raised to 40 a day (30 %).
    let mut raised = s
        .capacities()
        .unwrap()
        .into_iter()
        .find(|c| c.work_kind == "order")
        .expect("the starter order capacity");
    assert_eq!(raised.units_per_day, 20.0);
    raised.units_per_day = 40.0;
    s.write(|tx| opsdeck::store::capacity_changes::set_capacity(tx, T + HOUR, &raised))
        .unwrap();
    let at_t = s.capacities_at(T).unwrap();
    let order_at_t = at_t.iter().find(|c| c.work_kind == "order").unwrap();
    assert_eq!(order_at_t.units_per_day, 20.0);
    // Evaluated for T, the capacity in force then: a warning.
    eval(&mut s, T);
    let a = active(&s, "capacity:order").expect("60 % of the capacity at T");
    assert_eq!(a.severity, Severity::Warning);
    // Evaluated after the raise: 30 %, cleared.
    let ev = eval(&mut s, T + 2 * HOUR);
    assert_eq!(ev.cleared, [a.id]);
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM capacity_changes WHERE work_kind = 'order'"
        ),
        1
    );
}

#[test]
fn manual_alerts_dedup_by_title_and_are_never_cleared() {
    let mut s = store();
    let (a, new) = s
        .write(|tx| {
            alerts::raise(
                tx,
                T,
                "Courier strike",
                Severity::Critical,
                Some("all day"),
                None,
            )
        })
        .unwrap();
    assert!(new);
    let (b, new) = s
        .write(|tx| {
            alerts::raise(
                tx,
                T + MIN,
                "  courier   STRIKE ",
                Severity::Critical,
                None,
                None,
            )
        })
        .unwrap();
    assert!(!new);
    assert_eq!(b.id, a.id);
    assert_eq!(b.count, 2);
    let ev = eval(&mut s, T + DAY);
    assert!(ev.cleared.is_empty(), "rules never clear a manual alert");
    assert_eq!(count(&s, "SELECT count(*) FROM alerts"), 1);
}

#[test]
fn a_recurring_cause_updates_the_open_alert_instead_of_adding_one() {
    let mut s = store();
    record(&mut s, "first_response", T, 5.0);
    let first = eval(&mut s, T);
    assert_eq!(first.opened.len(), 1);
    let again = eval(&mut s, T + MIN);
    assert!(again.opened.is_empty());
    let a = active(&s, "indicator:first_response").unwrap();
    assert_eq!((a.count, a.first_seen, a.last_seen), (1, T, T + MIN));
    // Clears a week later, comes back: the same alert, one more onset.
    eval(&mut s, T + 8 * DAY);
    record(&mut s, "first_response", T + 8 * DAY + 1, 5.0);
    let back = eval(&mut s, T + 8 * DAY + 1);
    assert_eq!(back.recurred, [a.id]);
    let b = active(&s, "indicator:first_response").unwrap();
    assert_eq!((b.id, b.count, b.cleared_at), (a.id, 2, None));
    // Resolved while the cause holds: the next evaluation opens a new alert.
    s.write(|tx| alerts::resolve(tx, a.id, T + 8 * DAY + 2, None))
        .unwrap();
    let new = eval(&mut s, T + 8 * DAY + 3);
    assert_eq!(new.opened.len(), 1);
    assert_ne!(new.opened[0], a.id);
    assert_eq!(count(&s, "SELECT count(*) FROM alerts"), 2, "never deleted");
}

#[test]
fn unacknowledged_alerts_climb_exactly_when_each_wait_runs_out() {
    let mut s = store();
    record(&mut s, "first_response", T, 5.0);
    eval(&mut s, T);
    let id = active(&s, "indicator:first_response").unwrap().id;
    let level = |s: &Store| s.alert(id).unwrap().level;
    assert!(eval(&mut s, T + 30 * MIN - 1).escalated.is_empty());
    assert_eq!(level(&s), 0);
    let ev = eval(&mut s, T + 30 * MIN);
    assert_eq!(ev.escalated, [id]);
    assert_eq!(ev.notify.len(), 1);
    assert_eq!((level(&s), s.alert(id).unwrap().target()), (1, "ops-lead"));
    eval(&mut s, T + 2 * HOUR - 1);
    assert_eq!(level(&s), 1);
    eval(&mut s, T + 2 * HOUR);
    assert_eq!((level(&s), s.alert(id).unwrap().target()), (2, "founder"));
    // At the top: no more climbing, no more notifications.
    assert!(eval(&mut s, T + DAY).notify.is_empty());
}

#[test]
fn acknowledged_alerts_hold_until_the_ack_times_out_then_reopen() {
    let mut s = store();
    record(&mut s, "first_response", T, 5.0);
    eval(&mut s, T);
    let id = active(&s, "indicator:first_response").unwrap().id;
    s.write(|tx| alerts::acknowledge(tx, id, T + 10 * MIN, Some("on it")))
        .unwrap();
    assert!(
        eval(&mut s, T + 3 * HOUR).escalated.is_empty(),
        "acked: no climb"
    );
    // Default ack timeout: 4 h after the acknowledgement.
    assert!(eval(&mut s, T + 10 * MIN + 4 * HOUR - 1)
        .reopened
        .is_empty());
    let ev = eval(&mut s, T + 10 * MIN + 4 * HOUR);
    assert_eq!(ev.reopened, [id]);
    let a = s.alert(id).unwrap();
    assert_eq!((a.state, a.acked_by.as_deref()), (AlertState::Open, None));
    // The clock restarted at the re-open: the next level 30 min later.
    let reopened = T + 10 * MIN + 4 * HOUR;
    eval(&mut s, reopened + 30 * MIN);
    assert_eq!(s.alert(id).unwrap().level, 1);
}

#[test]
fn pause_and_snooze_hold_escalation_and_resume_restarts_the_clock() {
    let mut s = store();
    record(&mut s, "first_response", T, 5.0);
    eval(&mut s, T);
    let id = active(&s, "indicator:first_response").unwrap().id;
    let refused = s.write(|tx| alerts::pause(tx, id, T, "  "));
    assert!(refused.unwrap_err().to_string().contains("needs a reason"));
    s.write(|tx| alerts::pause(tx, id, T + MIN, "known; supplier called"))
        .unwrap();
    eval(&mut s, T + 3 * HOUR);
    assert_eq!(s.alert(id).unwrap().level, 0, "paused");
    s.write(|tx| alerts::resume(tx, id, T + 3 * HOUR, None))
        .unwrap();
    eval(&mut s, T + 3 * HOUR + 30 * MIN - 1);
    assert_eq!(s.alert(id).unwrap().level, 0);
    eval(&mut s, T + 3 * HOUR + 30 * MIN);
    assert_eq!(s.alert(id).unwrap().level, 1);
    s.write(|tx| alerts::snooze(tx, id, T + 6 * HOUR, T + 4 * HOUR, None))
        .unwrap();
    eval(&mut s, T + 6 * HOUR - 1);
    assert_eq!(s.alert(id).unwrap().level, 1, "snoozed");
    // The end of the snooze restarts the clock: founder due 2 h after it.
    eval(&mut s, T + 8 * HOUR - 1);
    assert_eq!(s.alert(id).unwrap().level, 1);
    eval(&mut s, T + 8 * HOUR);
    assert_eq!(s.alert(id).unwrap().level, 2);
}

#[test]
fn cleared_alerts_stop_climbing_and_auto_resolve_when_configured() {
    let mut s = store();
    record(&mut s, "first_response", T, 5.0);
    eval(&mut s, T);
    let id = active(&s, "indicator:first_response").unwrap().id;
    eval(&mut s, T + 3 * HOUR);
    eval(&mut s, T + 7 * DAY + 1);
    eval(&mut s, T + 8 * DAY - 1);
    let a = s.alert(id).unwrap();
    assert!(a.cleared_at.is_some());
    assert_eq!(a.level, 2, "climbed while the cause held");
    let policy = AlertPolicy {
        auto_resolve: true,
        ..AlertPolicy::default()
    };
    record(&mut s, "first_response", T + 8 * DAY, 5.0);
    eval_with(&mut s, T + 8 * DAY, &policy);
    let ev = eval_with(&mut s, T + 16 * DAY, &policy);
    let b = s.alert(id).unwrap();
    assert_eq!(ev.auto_resolved, [id]);
    assert_eq!(b.state, AlertState::Resolved);
    assert_eq!(
        b.resolve_note.as_deref(),
        Some("cause cleared (auto-resolve)")
    );
}

#[test]
fn every_transition_is_in_the_history_and_the_audit() {
    let mut s = store();
    record(&mut s, "first_response", T, 5.0);
    eval(&mut s, T);
    let id = active(&s, "indicator:first_response").unwrap().id;
    s.write(|tx| alerts::acknowledge(tx, id, T + MIN, Some("mine")))
        .unwrap();
    s.write(|tx| alerts::escalate(tx, id, T + 2 * MIN, Some("need the lead")))
        .unwrap();
    s.write(|tx| alerts::add_alert_note(tx, id, T + 3 * MIN, "supplier called back"))
        .unwrap();
    s.write(|tx| alerts::resolve(tx, id, T + 4 * MIN, Some("fixed")))
        .unwrap();
    let kinds: Vec<String> = s
        .alert_events(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["opened", "acknowledged", "escalated", "note", "resolved"]
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit WHERE entity = 'alert' AND actor = 'tester'"
        ),
        5
    );
    let again = s.write(|tx| alerts::acknowledge(tx, id, T + 5 * MIN, None));
    assert!(again.unwrap_err().to_string().contains("already resolved"));
    let tamper = s
        .raw_conn_for_tests()
        .execute("UPDATE alert_events SET note = 'x'", []);
    assert!(tamper.is_err(), "history is append-only");
    assert!(
        s.raw_conn_for_tests()
            .execute("DELETE FROM alerts", [])
            .is_err(),
        "never deleted"
    );
}
