//! Store-level tests of checklist runs: lifecycle, gating, versioning,
//! overdue with a fixed clock.

use super::*;
use crate::domain::playbook::OverdueCause;
use crate::domain::{DAY, HOUR};
use crate::store::playbooks::{import_playbook, ImportOutcome};

const T0: Timestamp = 1_795_000_000;

fn store() -> Store {
    Store::open_in_memory("ana").unwrap()
}

fn start(store: &mut Store, key: &str, due: Option<Timestamp>) -> i64 {
    store
        .write(|tx| start_run(tx, T0, key, Some("ORD-1"), due))
        .unwrap()
        .id
}

fn check(store: &mut Store, run: i64, item: &str, at: Timestamp) -> Result<ItemChange, RunError> {
    store.write(|tx| close_item(tx, at, run, item, ItemAction::Done { note: None }, None))
}

#[test]
fn a_run_goes_from_start_to_done_and_back() {
    let mut s = store();
    let id = start(&mut s, "daily-standup", Some(T0 + HOUR));
    let run = s.run(id).unwrap().unwrap();
    assert_eq!(run.state, RunState::Open);
    assert_eq!(run.started_by, "ana");
    assert_eq!(run.progress().total, 11);
    let labels: Vec<String> = run
        .def()
        .items()
        .map(|(r, _)| run.def().item_label(r).unwrap())
        .collect();
    let last = labels.len() - 1;
    for (i, label) in labels.iter().enumerate() {
        let change = if i == 3 {
            s.write(|tx| {
                close_item(
                    tx,
                    T0 + 60,
                    id,
                    label,
                    ItemAction::Skip {
                        reason: " not today ",
                    },
                    None,
                )
            })
            .unwrap()
        } else {
            check(&mut s, id, label, T0 + 60).unwrap()
        };
        assert_eq!(change.completed, i == last, "{label}");
    }
    let run = s.run(id).unwrap().unwrap();
    assert_eq!(run.state, RunState::Done);
    assert_eq!(run.closed_at, Some(T0 + 60));
    assert_eq!(run.progress().skipped, 1);
    match run.checklist.state(ItemRef { step: 0, item: 3 }) {
        RunItemState::Skipped { reason, by, .. } => {
            assert_eq!((reason.as_str(), by.as_str()), ("not today", "ana"))
        }
        other => panic!("{other:?}"),
    }
    assert!(s.runs(RunFilter::Open).unwrap().is_empty());
    assert_eq!(s.runs(RunFilter::ClosedSince(T0, 5)).unwrap().len(), 1);

    let undo = s
        .write(|tx| undo_item(tx, T0 + 120, id, "prepare.4"))
        .unwrap();
    assert_eq!((undo.was, undo.reopened), ("skipped", true));
    let run = s.run(id).unwrap().unwrap();
    assert_eq!((run.state, run.closed_at), (RunState::Open, None));
    let actions: Vec<String> = s
        .audit_recent(3)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["undo", "complete", "done"]);
}

#[test]
fn refusals_name_the_run_and_item() {
    let mut s = store();
    let id = start(&mut s, "daily-standup", None);
    let err = |r: Result<ItemChange, RunError>| r.unwrap_err().to_string();
    assert_eq!(err(check(&mut s, 99, "1", T0)), "no run #99");
    assert!(err(check(&mut s, id, "nope.1", T0))
        .contains("no item 'nope.1' (give STEP.N like 'prepare.1'"));
    check(&mut s, id, "1", T0).unwrap();
    assert!(err(check(&mut s, id, "prepare.1", T0))
        .contains("prepare.1 is already done (by ana); undo it first"));
    let skip_blank =
        s.write(|tx| close_item(tx, T0, id, "2", ItemAction::Skip { reason: "  " }, None));
    assert!(err(skip_blank).contains("--reason: must not be empty"));
    let undo = s
        .write(|tx| undo_item(tx, T0, id, "prepare.2"))
        .unwrap_err();
    assert!(undo.to_string().contains("still pending"));
    let start_bad = s
        .write(|tx| start_run(tx, T0, "nope", None, None))
        .unwrap_err();
    assert!(start_bad
        .to_string()
        .starts_with("no playbook 'nope' (playbooks: daily-standup,"));
}

#[test]
fn gating_refuses_then_an_override_is_stored_and_audited() {
    let mut s = store();
    let id = start(&mut s, "daily-standup", None);
    let e = check(&mut s, id, "round.1", T0).unwrap_err();
    assert!(matches!(e, RunError::Gated { .. }));
    assert!(
        e.to_string()
            .contains("step 'round' has not started: step 'prepare' still has 4 open item(s)"),
        "{e}"
    );
    let blank = s.write(|tx| {
        close_item(
            tx,
            T0,
            id,
            "round.1",
            ItemAction::Done { note: None },
            Some(" "),
        )
    });
    assert!(blank
        .unwrap_err()
        .to_string()
        .contains("an override needs a reason"));
    let change = s
        .write(|tx| {
            close_item(
                tx,
                T0,
                id,
                "round.1",
                ItemAction::Done {
                    note: Some("early"),
                },
                Some("Dana is away"),
            )
        })
        .unwrap();
    assert_eq!(change.overrode.as_deref(), Some("prepare"));
    let run = s.run(id).unwrap().unwrap();
    assert_eq!(
        run.override_reason(ItemRef { step: 1, item: 0 }),
        Some("Dana is away")
    );
    let audit = s.audit_recent(2).unwrap();
    assert_eq!(audit[0].action, "override");
    assert!(audit[0]
        .detail
        .as_deref()
        .unwrap_or("")
        .contains("Dana is away"));
    assert_eq!(audit[1].action, "done");
    // On an open gate the reason is not needed and nothing is overridden.
    let open = s
        .write(|tx| {
            close_item(
                tx,
                T0,
                id,
                "prepare.1",
                ItemAction::Done { note: None },
                Some("x"),
            )
        })
        .unwrap();
    assert!(open.overrode.is_none() && open.override_unneeded);
}

#[test]
fn a_run_keeps_its_version_after_a_reimport() {
    let mut s = store();
    let before = start(&mut s, "support-ticket", None);
    let mut def = s.playbook("support-ticket").unwrap().unwrap().def;
    def.steps[0].items.push("Thank the customer".into());
    let outcome = s
        .write(|tx| import_playbook(tx, T0, &def, "new.toml"))
        .unwrap();
    assert_eq!(
        outcome,
        ImportOutcome::NewVersion {
            version: 2,
            previous: 1
        }
    );
    let after = start(&mut s, "support-ticket", None);
    let (old, new) = (
        s.run(before).unwrap().unwrap(),
        s.run(after).unwrap().unwrap(),
    );
    assert_eq!((old.version, new.version), (1, 2));
    assert_eq!(new.progress().total, old.progress().total + 1);
    // The old run's references still resolve against version 1.
    assert!(check(&mut s, before, "triage.4", T0).is_err());
    check(&mut s, after, "triage.4", T0).unwrap();
}

#[test]
fn overdue_is_computed_at_the_given_now() {
    let mut s = store();
    let id = start(&mut s, "order-fulfilment", Some(T0 + 2 * DAY));
    // confirm: tolerance 4h from the start.
    let open = |s: &Store, now| {
        s.runs_model(now)
            .unwrap()
            .open_runs
            .into_iter()
            .find(|r| r.run.id == id)
            .unwrap()
    };
    assert_eq!(open(&s, T0 + 4 * HOUR).late_by, None);
    let late = open(&s, T0 + 5 * HOUR);
    assert_eq!(late.late_by, Some(HOUR));
    assert_eq!(late.owner_role.as_deref(), Some("demand"));
    assert_eq!(late.late_items.len(), 4);
    assert_eq!(late.late_items[0].cause, OverdueCause::StepTolerance);
    // Past the run's due time, every pending item is late.
    let late = open(&s, T0 + 3 * DAY);
    assert_eq!(late.late_by, Some(3 * DAY - 4 * HOUR));
    assert_eq!(late.late_items.len(), 16);
    // A cancelled run is neither open nor late.
    s.write(|tx| cancel_run(tx, T0, id, "customer cancelled"))
        .unwrap();
    assert!(s.runs_model(T0 + 3 * DAY).unwrap().open_runs.is_empty());
    assert!(matches!(
        check(&mut s, id, "1", T0),
        Err(RunError::Cancelled(_))
    ));
}

#[test]
fn the_model_sorts_overdue_first_and_flags_roles() {
    let mut s = store();
    let on_time = start(&mut s, "order-fulfilment", Some(T0 + 10 * DAY));
    let late = start(&mut s, "daily-standup", None);
    let m = s.runs_model(T0 + 2 * HOUR).unwrap();
    let ids: Vec<i64> = m.open_runs.iter().map(|r| r.run.id).collect();
    assert_eq!(ids, [late, on_time]);
    assert_eq!(m.overdue_count(), 1);
    assert!(m.role_is_spof("finance"));
    assert_eq!(m.role_name("ops-lead"), "Operations lead");
    assert_eq!(m.playbooks.len(), 5);
}

#[test]
fn runs_read_together_carry_each_runs_own_items_as_one_run_read_alone() {
    // The items of many runs are read in one statement: each run must get
    // its own, with skips and their reasons, and a run with none none.
    let mut s = store();
    let a = start(&mut s, "daily-standup", None);
    let b = start(&mut s, "daily-standup", None);
    let c = start(&mut s, "daily-standup", None);
    let labels: Vec<String> = {
        let run = s.run(a).unwrap().unwrap();
        run.def()
            .items()
            .map(|(r, _)| run.def().item_label(r).unwrap())
            .collect()
    };
    for label in &labels[..3] {
        check(&mut s, a, label, T0 + 60).unwrap();
    }
    s.write(|tx| {
        close_item(
            tx,
            T0 + 90,
            b,
            &labels[1],
            ItemAction::Skip { reason: "not b's" },
            None,
        )
    })
    .unwrap();
    let together = s.runs(RunFilter::Open).unwrap();
    assert_eq!(together.len(), 3);
    for run in &together {
        let alone = s.run(run.id).unwrap().unwrap();
        assert_eq!(
            (run.progress().done, run.progress().skipped),
            (alone.progress().done, alone.progress().skipped),
            "run #{}",
            run.id
        );
        for (r, _) in run.def().items() {
            assert_eq!(
                format!("{:?}", run.checklist.state(r)),
                format!("{:?}", alone.checklist.state(r))
            );
        }
    }
    let by_id = |id: i64| together.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        (by_id(a).progress().done, by_id(a).progress().skipped),
        (3, 0)
    );
    assert_eq!(
        (by_id(b).progress().done, by_id(b).progress().skipped),
        (0, 1)
    );
    assert_eq!(
        (by_id(c).progress().done, by_id(c).progress().skipped),
        (0, 0)
    );
}
