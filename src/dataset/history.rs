//! The history a year of operation leaves in the database, written through
//! the store's own functions (so every row, event and audit entry is the
//! one the product itself would write): checklist runs with their items,
//! alerts with their events, decisions, and the alerts open right now.

use crate::demo::Rng;
use crate::domain::alert_rules::{
    capacity_alert, indicator_alert, manual_alert, overdue_run_alert, AlertCandidate, AlertSource,
    CapacityReading, IndicatorReading, RunLateness, Severity,
};
use crate::domain::escalation::default_escalation_path;
use crate::domain::{Status, Timestamp, DAY, HOUR};
use crate::store::alerts::{
    acknowledge, add_alert_note, escalate_due_alerts, evaluate_rules, mark_cleared, resolve,
    upsert_candidate, AlertPolicy, Evaluation, Upserted,
};
use crate::store::decisions::insert_decision;
use crate::store::runs::{cancel_run, close_item, start_run, ItemAction, RunError};
use crate::store::{notes, Store, StoreError, Tx};

use super::Size;

const MIN: i64 = 60;

/// The people who act in the generated history.
const PEOPLE: [&str; 6] = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fay"];

fn as_who<'a>(tx: &'a Tx<'_>, who: &'a str) -> Tx<'a> {
    tx.acting_as(who)
}

fn person(rng: &mut Rng) -> &'static str {
    PEOPLE[rng.below(PEOPLE.len() as u64) as usize]
}

fn run_error(e: RunError) -> StoreError {
    match e {
        RunError::Store(e) => e,
        other => StoreError::Invalid(other.to_string()),
    }
}

/// Which playbook a run executes (weights: orders most often) and its
/// context and due time.
fn run_kind(rng: &mut Rng, i: usize, at: Timestamp) -> (&'static str, String, Option<Timestamp>) {
    match rng.below(20) {
        0..=9 => ("order-fulfilment", format!("ORD-{i}"), Some(at + 2 * DAY)),
        10..=14 => ("support-ticket", format!("TCK-{i}"), Some(at + DAY)),
        15..=17 => (
            "daily-standup",
            crate::format::utc_date(at),
            Some(at + 2 * HOUR),
        ),
        18 => ("incident-response", format!("INC-{i}"), None),
        _ => ("weekly-ops-review", crate::format::utc_date(at), None),
    }
}

/// `size.runs` checklist runs of the starter playbooks spread over the
/// history: most finished item by item (a few items skipped with a reason),
/// some cancelled, and the newest ones still open, part done, some of them
/// overdue. Returns the number of runs.
pub(crate) fn write_runs(
    store: &mut Store,
    size: Size,
    now: Timestamp,
    seed: u64,
) -> crate::store::Result<usize> {
    let mut rng = Rng::new(seed);
    let start = now - size.days * DAY;
    // A run every `spacing` seconds; the last 1 in 150 stay open.
    let spacing = (size.days * DAY - 6 * HOUR) / size.runs.max(1) as i64;
    let open_from = size.runs - (size.runs / 150).max(1);
    store.write(|tx| -> crate::store::Result<usize> {
        for i in 0..size.runs {
            let at = start + i as i64 * spacing + rng.below(spacing.max(1) as u64 / 2) as i64;
            let (key, context, due) = run_kind(&mut rng, i, at);
            let starter = person(&mut rng);
            let run =
                start_run(&as_who(tx, starter), at, key, Some(&context), due).map_err(run_error)?;
            if i < open_from && rng.chance(0.03) {
                let reason = "No longer needed: the customer cancelled";
                cancel_run(&as_who(tx, starter), at + 20 * MIN, run.id, reason)
                    .map_err(run_error)?;
                continue;
            }
            // Items are worked in order, a few minutes apart; an open run
            // stops part way and never past `now`.
            let last = if i < open_from {
                run.items
            } else {
                1 + rng.below(run.items.max(2) as u64 - 1) as usize
            };
            let gap = 5 * MIN + rng.below(20 * MIN as u64) as i64;
            let who = person(&mut rng);
            for n in 0..last {
                let t = at + (n as i64 + 1) * gap;
                if t >= now {
                    break;
                }
                let reference = (n + 1).to_string();
                let action = if rng.chance(0.02) {
                    ItemAction::Skip {
                        reason: "Not needed this time",
                    }
                } else {
                    ItemAction::Done { note: None }
                };
                close_item(&as_who(tx, who), t, run.id, &reference, action, None)
                    .map_err(run_error)?;
            }
            if i >= open_from && i % 2 == 0 {
                let text = "Waiting for the courier's answer";
                notes::add_note(
                    &as_who(tx, who),
                    now - HOUR,
                    "run",
                    &run.id.to_string(),
                    text,
                )?;
            }
        }
        Ok(size.runs)
    })
}

/// One alert's cause, as the rule of its source would word it.
fn candidate(rng: &mut Rng, i: usize, keys: &[String], runs: usize) -> AlertCandidate {
    let critical = rng.chance(0.2);
    match rng.below(20) {
        0..=10 => {
            let key = &keys[rng.below(keys.len() as u64) as usize];
            let name = format!("Measure {key}");
            let reading = IndicatorReading {
                key,
                name: &name,
                status: if critical {
                    Status::Breach
                } else {
                    Status::Warn
                },
                value: 61.0 + 20.0 * rng.unit(),
                threshold: if critical { 75.0 } else { 60.0 },
                playbook: None,
            };
            indicator_alert(&reading)
        }
        11..=13 => capacity_alert(&CapacityReading {
            work_kind: if rng.chance(0.7) { "order" } else { "ticket" },
            utilisation: if critical { 0.95 } else { 0.7 },
            warn_at: 0.6,
            breach_at: 0.9,
            playbook: None,
        }),
        14..=15 => {
            let slo = [
                "on_time_fulfilment",
                "support_first_response",
                "billing_correct",
            ][rng.below(3) as usize];
            Some(AlertCandidate {
                key: format!("{}:{slo}", AlertSource::Burn.word()),
                severity: if critical {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                title: format!("Error budget of {slo} burning"),
                detail: "burn rate 6.2 over 1h and 5.1 over 5m".into(),
                source: AlertSource::Burn,
                playbook: None,
            })
        }
        16..=17 => overdue_run_alert(&RunLateness {
            run_id: 1 + rng.below(runs.max(1) as u64) as i64,
            playbook_key: "order-fulfilment",
            late_secs: 3600 + rng.below(6 * 3600) as i64,
        }),
        _ => None,
    }
    .unwrap_or_else(|| {
        let severity = if critical {
            Severity::Critical
        } else {
            Severity::Warning
        };
        manual_alert(
            &format!("incident {i}"),
            &format!("Incident {i}: courier pickup missed"),
            severity,
            "raised by hand",
        )
    })
}

/// `size.alerts` alerts over the history, one every ~105 minutes at the
/// large size, each through its whole life as the product writes it:
/// opened by the rules (`cron`), escalated when nobody acknowledged within
/// 30 minutes (a quarter of them), acknowledged, noted, cleared when the
/// cause went away, resolved. Returns the number of alerts.
pub(crate) fn write_alert_history(
    store: &mut Store,
    keys: &[String],
    size: Size,
    now: Timestamp,
    seed: u64,
) -> crate::store::Result<usize> {
    let mut rng = Rng::new(seed);
    let span = size.days * DAY - 2 * HOUR;
    let start = now - size.days * DAY;
    let spacing = span / size.alerts.max(1) as i64;
    let policy = AlertPolicy::default();
    store.write(|tx| -> crate::store::Result<usize> {
        let cron = as_who(tx, "cron");
        for i in 0..size.alerts {
            let at = start + i as i64 * spacing;
            let c = candidate(&mut rng, i, keys, size.runs);
            let owner = if c.source == AlertSource::Capacity {
                "fulfilment"
            } else {
                "ops-lead"
            };
            let path = default_escalation_path(Some(owner));
            let id = match upsert_candidate(&cron, &c, Some(owner), &path, at, None)?.0 {
                Upserted::Opened(id) | Upserted::Recurred(id) | Upserted::Updated(id) => id,
            };
            let who = person(&mut rng);
            let by = as_who(tx, who);
            let acked = if rng.chance(0.25) {
                // Nobody answered: the rules climb one level first.
                escalate_due_alerts(&cron, at + 31 * MIN, &policy, &mut Evaluation::default())?;
                at + 36 * MIN
            } else {
                at + 2 * MIN + rng.below(13 * MIN as u64) as i64
            };
            acknowledge(&by, id, acked, None)?;
            if rng.chance(0.4) {
                add_alert_note(&by, id, at + 45 * MIN, "looking into it")?;
            }
            if c.source.clears_itself() {
                let cleared = at + 55 * MIN + rng.below(15 * MIN as u64) as i64;
                mark_cleared(&cron, id, cleared)?;
            }
            let resolved = at + 75 * MIN + rng.below(20 * MIN as u64) as i64;
            resolve(&by, id, resolved, Some("fixed; see the run notes"))?;
        }
        Ok(size.alerts)
    })
}

/// `size.decisions` decisions over the history, every tenth superseding
/// the one before it.
pub(crate) fn write_decisions(
    store: &mut Store,
    size: Size,
    now: Timestamp,
    seed: u64,
) -> crate::store::Result<usize> {
    let mut rng = Rng::new(seed);
    let start = now - size.days * DAY;
    let spacing = (size.days * DAY - DAY) / size.decisions.max(1) as i64;
    store.write(|tx| -> crate::store::Result<usize> {
        let mut previous = None;
        for i in 0..size.decisions {
            let at = start + i as i64 * spacing + 10 * HOUR;
            let who = as_who(tx, person(&mut rng));
            let supersedes = previous.filter(|_| i % 10 == 9);
            let title = format!("Decision {i}: change the packing station layout");
            let why = "The deviation rate on express orders stays above target";
            previous = Some(insert_decision(&who, at, &title, why, &[], supersedes)?);
        }
        Ok(size.decisions)
    })
}

/// The alerts open now: one evaluation of every rule 20 minutes before
/// `now` (as cron runs it), then every third of them acknowledged. Returns
/// the number of alerts it opened.
pub(crate) fn current_alerts(store: &mut Store, now: Timestamp) -> crate::store::Result<usize> {
    let at = now - 20 * MIN;
    let policy = AlertPolicy::default();
    let ev = store
        .write_with_reads(|store, tx| evaluate_rules(store, &as_who(tx, "cron"), at, &policy))?;
    store.write(|tx| -> crate::store::Result<()> {
        for (n, id) in ev.opened.iter().enumerate() {
            if n % 3 == 0 {
                acknowledge(&as_who(tx, PEOPLE[n % 6]), *id, at + 5 * MIN, None)?;
            }
        }
        Ok(())
    })?;
    Ok(ev.opened.len())
}

/// Yesterday's standup, so the standup view compares against it.
pub(crate) fn previous_standup(store: &mut Store, now: Timestamp) -> crate::store::Result<()> {
    store.write(|tx| notes::record_standup(&as_who(tx, "Ana"), now - DAY))
}
