use super::*;
use crate::domain::playbook::tests::sample;
use crate::domain::{DAY, HOUR};

const T0: Timestamp = 1_750_000_000;

fn at(step: usize, item: usize) -> ItemRef {
    ItemRef { step, item }
}

fn done(when: Timestamp) -> RunItemState {
    RunItemState::Done {
        by: "ana".into(),
        at: when,
        note: None,
    }
}

fn skipped(when: Timestamp) -> RunItemState {
    RunItemState::Skipped {
        by: "ben".into(),
        at: when,
        reason: "not needed".into(),
    }
}

/// pick (a, b), pack (c), bill (d, e, f); every tolerance 1h.
fn run(due: Option<Timestamp>) -> ChecklistRun {
    ChecklistRun::new(sample(), T0, due)
}

#[test]
fn progress_counts_done_and_skipped() {
    let mut r = run(None);
    assert_eq!(
        r.progress(),
        Progress {
            done: 0,
            skipped: 0,
            total: 6
        }
    );
    assert_eq!(r.progress().percent(), 0);
    assert!(r.set(at(0, 0), done(T0 + 10)));
    assert!(r.set(at(0, 1), skipped(T0 + 20)));
    let p = r.progress();
    assert_eq!((p.done, p.skipped, p.closed(), p.total), (1, 1, 2, 6));
    assert_eq!(p.percent(), 33);
    assert!((p.ratio() - 2.0 / 6.0).abs() < 1e-9);
    assert!(!r.set(at(0, 2), done(T0)), "no third item in pick");
    assert!(!r.set(at(3, 0), done(T0)), "no fourth step");
    for (s, i) in [(1, 0), (2, 0), (2, 1)] {
        r.set(at(s, i), done(T0 + 30));
    }
    assert_eq!(r.progress().percent(), 83);
    r.set(at(2, 2), done(T0 + 40));
    assert!(r.is_complete());
    assert_eq!(r.progress().percent(), 100);
    assert_eq!(r.current_step(), None);
}

#[test]
fn a_short_items_table_counts_as_pending() {
    let mut r = run(None);
    r.items.truncate(1);
    assert_eq!(r.progress().total, 6);
    assert_eq!(r.state(at(2, 2)), &RunItemState::Pending);
    assert!(r.set(at(2, 2), done(T0)));
    assert_eq!(r.progress().done, 1);
}

#[test]
fn current_step_moves_when_the_previous_step_is_closed() {
    let mut r = run(None);
    assert_eq!(r.current_step(), Some(0));
    r.set(at(0, 0), done(T0 + 100));
    assert_eq!(r.current_step(), Some(0));
    assert_eq!(r.step_closed_at(0), None);
    assert_eq!(r.step_started_at(1), None);
    r.set(at(0, 1), skipped(T0 + 50));
    assert_eq!(r.current_step(), Some(1));
    // The last item closed is the latest `at`, whatever the order of checking.
    assert_eq!(r.step_closed_at(0), Some(T0 + 100));
    assert_eq!(r.step_started_at(0), Some(T0));
    assert_eq!(r.step_started_at(1), Some(T0 + 100));
    assert_eq!(r.step_due_at(1), Some(T0 + 100 + HOUR));
    assert_eq!(r.step_started_at(9), None);
}

#[test]
fn gating_refuses_until_the_previous_step_is_done() {
    let mut r = run(None);
    assert_eq!(r.gate(0), Gate::Open);
    assert_eq!(r.may_check(at(0, 1), None), Ok(EntryPermit::Open));
    assert_eq!(
        r.gate(1),
        Gate::Closed {
            waiting_on: 0,
            open_items: 2
        }
    );
    let refused = r.may_check(at(1, 0), None);
    assert_eq!(
        refused,
        Err(EntryRefusal::Gated {
            step: "pack".into(),
            waiting_on: "pick".into(),
            open_items: 2
        })
    );
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("'pick' still has 2 open item(s)"),
        "{message}"
    );

    r.set(at(0, 0), done(T0 + 1));
    r.set(at(0, 1), skipped(T0 + 2));
    assert_eq!(r.gate(1), Gate::Open);
    assert_eq!(r.may_check(at(1, 0), None), Ok(EntryPermit::Open));
    // Only the immediately previous step gates: bill waits on pack.
    assert_eq!(
        r.gate(2),
        Gate::Closed {
            waiting_on: 1,
            open_items: 1
        }
    );
}

#[test]
fn override_needs_a_reason_and_is_returned_for_the_audit() {
    let r = run(None);
    assert_eq!(
        r.may_check(at(2, 0), Some("  customer called, bill now ")),
        Ok(EntryPermit::Overridden {
            gated_by: 1,
            reason: "customer called, bill now".into()
        })
    );
    assert_eq!(
        r.may_check(at(2, 0), Some("   ")),
        Err(EntryRefusal::EmptyOverrideReason)
    );
    // An open gate needs no override: nothing to audit.
    assert_eq!(
        r.may_check(at(0, 0), Some("why not")),
        Ok(EntryPermit::Open)
    );
    assert_eq!(r.may_check(at(0, 5), None), Err(EntryRefusal::NoSuchItem));
    assert_eq!(
        r.may_check(at(7, 0), Some("x")),
        Err(EntryRefusal::NoSuchItem)
    );
}

#[test]
fn step_overdue_exactly_at_tolerance_is_not_yet_late() {
    let mut r = run(None);
    assert_eq!(r.step_overdue_by(0, T0 + HOUR), None);
    assert!(!r.is_overdue(T0 + HOUR));
    assert_eq!(r.step_overdue_by(0, T0 + HOUR + 1), Some(1));
    assert!(r.is_overdue(T0 + HOUR + 1));
    // A step that has not become current is never overdue.
    assert_eq!(r.step_overdue_by(1, T0 + 10 * DAY), None);

    // Step 2's clock starts when step 1's last item closed.
    let closed = T0 + 3 * HOUR;
    r.set(at(0, 0), done(T0 + 60));
    r.set(at(0, 1), done(closed));
    assert_eq!(r.step_overdue_by(0, T0 + 10 * DAY), None, "complete");
    assert_eq!(r.step_overdue_by(1, closed + HOUR), None);
    assert_eq!(r.step_overdue_by(1, closed + HOUR + 1), Some(1));
    let steps = r.overdue_steps(closed + HOUR + 90);
    assert_eq!(
        steps,
        vec![OverdueStep {
            step: 1,
            due_at: closed + HOUR,
            late_by: 90,
            open_items: vec![0]
        }]
    );
}

#[test]
fn run_overdue_exactly_at_due_is_not_yet_late() {
    let due = T0 + 8 * HOUR;
    let mut r = run(Some(due));
    // Keep the steps within tolerance so only the run's due time counts.
    for (s, i) in [(0, 0), (0, 1), (1, 0)] {
        r.set(at(s, i), done(due - 30 * 60));
    }
    assert_eq!(r.run_overdue_by(due), None);
    assert!(!r.is_overdue(due));
    assert_eq!(r.run_overdue_by(due + 1), Some(1));
    assert!(r.is_overdue(due + 1));
    // A complete run is never overdue.
    for i in 0..3 {
        r.set(at(2, i), done(due + 5));
    }
    assert_eq!(r.run_overdue_by(due + DAY), None);
    assert!(!r.is_overdue(due + DAY));
    // No due time: only tolerances count.
    assert_eq!(run(None).run_overdue_by(T0 + 100 * DAY), None);
}

#[test]
fn overdue_items_take_the_larger_lateness_and_sort_latest_first() {
    let due = T0 + 2 * HOUR;
    let mut r = run(Some(due));
    r.set(at(0, 0), done(T0 + 10));
    // now: pick is 3h past its 1h tolerance, the run 2h past its due time.
    let now = T0 + 4 * HOUR;
    let items = r.overdue_items(now);
    assert_eq!(
        items,
        vec![OverdueItem {
            item: at(0, 1),
            late_by: 3 * HOUR,
            cause: OverdueCause::StepTolerance
        }]
        .into_iter()
        .chain((0..1).map(|i| OverdueItem {
            item: at(1, i),
            late_by: 2 * HOUR,
            cause: OverdueCause::RunDue
        }))
        .chain((0..3).map(|i| OverdueItem {
            item: at(2, i),
            late_by: 2 * HOUR,
            cause: OverdueCause::RunDue
        }))
        .collect::<Vec<_>>()
    );
    assert!(run(None).overdue_items(T0 + HOUR).is_empty());
}

#[test]
fn item_state_serialises_with_a_state_tag() {
    let json = serde_json::to_string(&skipped(5)).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"state":"skipped","by":"ben","at":5,"reason":"not needed"}"#
    );
    let back: RunItemState = serde_json::from_str(r#"{"state":"pending"}"#).unwrap_or(done(0));
    assert_eq!(back, RunItemState::Pending);
    assert_eq!(done(1).word(), "done");
    assert_eq!(done(1).closed_at(), Some(1));
    assert_eq!(RunItemState::Pending.closed_at(), None);
}
