//! Issue 5 with issue 4: overdue checklist runs raise alerts, and a critical
//! alert naming a playbook starts a run linked to it, shown with its progress.

use crate::common::store::active;
use opsdeck::domain::alert_rules::{AlertSource, Severity};
use opsdeck::domain::flow::{Outcome, WorkItem};
use opsdeck::domain::HOUR;
use opsdeck::store::alerts::{self, evaluate_rules, Alert, AlertPolicy, Evaluation};
use opsdeck::store::runs::{cancel_run, close_item, start_run, ItemAction};
use opsdeck::store::work_items::upsert_work_item;
use opsdeck::store::Store;

/// 2026-11-25T12:00:00Z
const T: i64 = 1_795_608_000;
const MIN: i64 = 60;

fn eval(store: &mut Store, now: i64) -> Evaluation {
    store
        .write_with_reads(|s, tx| evaluate_rules(s, tx, now, &AlertPolicy::default()))
        .unwrap()
}

fn targets(a: &Alert) -> Vec<(i64, &str)> {
    a.path
        .iter()
        .map(|s| (s.after_secs, s.target.as_str()))
        .collect()
}

#[test]
fn an_overdue_run_raises_an_alert_that_clears_when_the_run_ends() {
    let mut s = Store::open_in_memory("tester").unwrap();
    let run = s
        .write(|tx| start_run(tx, T, "daily-standup", Some("2026-11-25"), Some(T + HOUR)))
        .unwrap();
    // The run is late once its due time or a step's tolerance has passed
    // (the runs' own rule); find that second and check both sides of it.
    let loaded = s.run(run.id).unwrap().unwrap();
    let (mut ok, mut late) = (T, T + HOUR + 1);
    assert!(loaded.late_by(late).is_some());
    while late - ok > 1 {
        let mid = (ok + late) / 2;
        if loaded.late_by(mid).is_some() {
            late = mid;
        } else {
            ok = mid;
        }
    }
    eval(&mut s, ok);
    let key = format!("overdue_run:{}", run.id);
    assert!(active(&s, &key).is_none(), "not late yet");
    eval(&mut s, late);
    let a = active(&s, &key).expect("one second later: overdue");
    assert_eq!(a.source, AlertSource::OverdueRun);
    assert_eq!(a.severity, Severity::Warning);
    assert!(a.title.contains("daily-standup"), "{}", a.title);
    s.write(|tx| cancel_run(tx, T + 2 * HOUR, run.id, "standup moved"))
        .unwrap();
    let ev = eval(&mut s, T + 2 * HOUR);
    assert_eq!(ev.cleared, [a.id]);
}

fn order(n: usize, closed: i64, late: bool) -> WorkItem {
    let promised = if late { closed - MIN } else { closed + HOUR };
    WorkItem {
        kind: "order".into(),
        external_id: format!("ORD-{n}"),
        customer: Some(format!("C{n}")),
        segment: Some("standard".into()),
        opened_at: closed - 10 * HOUR,
        promised_at: Some(promised),
        closed_at: Some(closed),
        outcome: Some(Outcome::Ok),
        satisfaction: None,
    }
}

#[test]
fn a_critical_burn_starts_the_named_playbook_and_follows_its_path() {
    let mut s = Store::open_in_memory("tester").unwrap();
    // on_time_fulfilment: 95 %, names incident-response. Two late orders of
    // five in the last hour: 40 % / 5 % = 8x, under the 14.4x rule but over
    // the 6x rule's 5h36m and 28m windows: a page, so critical.
    s.write(|tx| -> opsdeck::store::Result<()> {
        for (i, late) in [false, false, true, false, true].iter().enumerate() {
            upsert_work_item(tx, &order(i, T - (50 - 10 * i as i64) * MIN, *late))?;
        }
        Ok(())
    })
    .unwrap();
    eval(&mut s, T);
    let a = active(&s, "burn:on_time_fulfilment").expect("burning");
    assert_eq!(a.severity, Severity::Critical);
    assert_eq!(a.playbook.as_deref(), Some("incident-response"));
    let run_id = a.run_id.expect("a run was started");
    // The owner first, then the playbook's escalation levels.
    assert_eq!(
        targets(&a),
        [
            (0, "fulfilment"),
            (15 * MIN, "support"),
            (30 * MIN, "ops-lead"),
            (2 * HOUR, "founder")
        ]
    );
    let run = s.run(run_id).unwrap().unwrap();
    assert_eq!(run.key, "incident-response");
    assert!(run
        .context
        .unwrap()
        .starts_with(&format!("alert #{}", a.id)));
    // The run's progress shows on the alert's row; a second evaluation
    // starts no second run.
    s.write(|tx| {
        close_item(
            tx,
            T + MIN,
            run_id,
            "declare.1",
            ItemAction::Done { note: None },
            None,
        )
    })
    .unwrap();
    eval(&mut s, T + 2 * MIN);
    let model = s.alerts_model(T + 2 * MIN).unwrap();
    let row = model.active.iter().find(|r| r.id == a.id).unwrap();
    let link = row.run.as_ref().unwrap();
    assert_eq!((link.id, link.done, link.state), (run_id, 1, "open"));
    assert_eq!(
        s.runs(opsdeck::store::runs::RunFilter::Open).unwrap().len(),
        1
    );
    let events: Vec<String> = s
        .alert_events(a.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(events, ["opened", "run_started"]);
}

#[test]
fn a_manual_alert_can_start_a_playbook_and_an_unknown_one_is_noted() {
    let mut s = Store::open_in_memory("tester").unwrap();
    let (a, _) = s
        .write(|tx| {
            alerts::raise(
                tx,
                T,
                "Roaster down",
                Severity::Critical,
                None,
                Some("incident-response"),
            )
        })
        .unwrap();
    assert!(a.run_id.is_some());
    let (b, _) = s
        .write(|tx| alerts::raise(tx, T, "Van broken", Severity::Warning, None, Some("nope")))
        .unwrap();
    assert_eq!(b.run_id, None);
    let kinds: Vec<String> = s
        .alert_events(b.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["opened", "run_failed"]);
}
