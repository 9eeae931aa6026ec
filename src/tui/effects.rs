//! The one place that executes every [`Effect`] against the store: each
//! write is one short transaction (the store's runner), audited by the store
//! functions it calls; the result comes back as an [`Action`] (a message for
//! the status line, or fresh models). Notifications run on a background
//! thread so the screen never waits.

use super::action::{Action, Effect};
use super::app::App;
use super::models;
use super::state::alerts::AlertOp;
use super::state::playbooks::{ItemChangeKind, RunEffect};
use crate::domain::Timestamp;
use crate::notify::deliver_in_background;
use crate::store::alerts::{self, evaluate_rules, NotifyReason, ToNotify};
use crate::store::runs::{add_run_note, close_item, undo_item, ItemAction};
use crate::store::{audit, indicators, notes, Store};

/// Runs `effect` against the store; the result comes back as an action.
pub fn run_effect(store: &mut Store, app: &App, effect: Effect) -> Option<Action> {
    match effect {
        Effect::Reload => Some(match models::load(store, app.needs(), app.now) {
            Ok(m) => Action::Loaded(Box::new(m)),
            Err(e) => Action::Done(Err(e.to_string())),
        }),
        Effect::Record {
            indicator_id,
            key,
            value,
            note,
        } => {
            let now = app.now;
            let result = store.write(|tx| -> crate::store::Result<String> {
                match value {
                    Some(v) => {
                        // The same plausible range as `record` and `import`.
                        if let Some(def) = indicators::definitions_by_id(tx)?.get(&indicator_id) {
                            crate::domain::plausible::check_value(def, v, now, now, false)
                                .map_err(crate::store::StoreError::Invalid)?;
                        }
                        indicators::insert_observation(
                            tx,
                            indicator_id,
                            now,
                            v,
                            note.as_deref(),
                            indicators::Origin::Manual,
                        )?;
                        audit::record(
                            tx,
                            now,
                            "record",
                            "observation",
                            Some(&key),
                            &serde_json::json!({"at": now, "value": v, "note": note}),
                        )?;
                        Ok(format!("recorded {key} = {}", crate::format::number(v)))
                    }
                    None => {
                        notes::add_note(
                            tx,
                            now,
                            "indicator",
                            &key,
                            note.as_deref().unwrap_or_default(),
                        )?;
                        Ok(format!("note added to {key}"))
                    }
                }
            });
            Some(Action::Done(result.map_err(|e| e.to_string())))
        }
        Effect::EvaluateAlerts => evaluate(store, app),
        Effect::Alert { id, op } => Some(alert(store, app, id, op)),
        Effect::Run(e) => Some(run(store, app.now, e)),
        Effect::Correct { id, value, reason } => Some(super::corrections::execute(
            store, app.now, id, value, &reason,
        )),
        Effect::RunSource { name } => Some(Action::Done(
            run_source_in_background(store, &name, app.now)
                .map(|_| format!("running source {}…", crate::text::sanitize(&name))),
        )),
    }
}

/// Starts `name` on a thread with its own connection to the same file (the
/// fetch can take its whole timeout; the screen must not wait). The run
/// takes the source's lease like `opsdeck sources run`, so a cron run at the
/// same time is skipped, never doubled; its result lands in the run record,
/// which the Sources view shows once the loop sees the commit.
pub(crate) fn run_source_in_background(
    store: &Store,
    name: &str,
    now: Timestamp,
) -> Result<std::thread::JoinHandle<()>, String> {
    let def = crate::sources::run::sources_in_force(store)?
        .into_iter()
        .map(|(_, d)| d)
        .find(|d| d.name == name)
        .ok_or_else(|| format!("no source named {}", crate::text::sanitize(name)))?;
    let path = store.path().to_path_buf();
    let actor = store.actor().to_string();
    let holder = format!("cockpit pid {}", std::process::id());
    std::thread::Builder::new()
        .name(format!("source {name}"))
        .spawn(move || {
            let env = |k: &str| std::env::var(k).ok();
            let result = Store::open_existing(&path, &actor, now, false).and_then(|mut s| {
                crate::sources::run::run_source(&mut s, &def, now, &holder, &env)
            });
            match result {
                Ok(crate::sources::run::RunResult::Skipped) => tracing::info!(
                    source = def.name.as_str(),
                    "cockpit: source skipped, another run is fetching it"
                ),
                Ok(crate::sources::run::RunResult::Finished(o)) => tracing::info!(
                    source = def.name.as_str(),
                    "cockpit: {}",
                    crate::sources::run::outcome_line(&def.name, &o)
                ),
                Err(e) => tracing::warn!(
                    source = def.name.as_str(),
                    "cockpit: source run failed: {}",
                    crate::text::sanitize(&e.to_string())
                ),
            }
        })
        .map_err(|e| format!("cannot start the source run: {e}"))
}

/// Evaluates every alert rule at the app's clock (unless the database is
/// read-only), sends notifications, then reloads the models.
fn evaluate(store: &mut Store, app: &App) -> Option<Action> {
    if !store.is_read_only() {
        let policy = app.alert_settings.policy.clone();
        match store.write_with_reads(|s, tx| evaluate_rules(s, tx, app.now, &policy)) {
            Ok(ev) => deliver_in_background(store, &app.alert_settings, ev.notify, app.now),
            Err(e) => return Some(Action::Done(Err(format!("alert rules: {e}")))),
        }
    }
    run_effect(store, app, Effect::Reload)
}

/// Runs one confirmed action on alert `id`; the result is the status line.
fn alert(store: &mut Store, app: &App, id: i64, op: AlertOp) -> Action {
    let now = app.now;
    let result = store.write(|tx| match &op {
        AlertOp::Ack => alerts::acknowledge(tx, id, now, None),
        AlertOp::Resolve => alerts::resolve(tx, id, now, None),
        AlertOp::Snooze { until } => alerts::snooze(tx, id, *until, now, None),
        AlertOp::Escalate => alerts::escalate(tx, id, now, None),
        AlertOp::Note { text } => alerts::add_alert_note(tx, id, now, text),
    });
    match result {
        Ok(alert) => {
            let owner = crate::text::sanitize(alert.owner());
            if op == AlertOp::Escalate {
                let list = vec![ToNotify {
                    alert,
                    reason: NotifyReason::Escalated,
                }];
                deliver_in_background(store, &app.alert_settings, list, now);
            }
            Action::Done(Ok(format!("#{id} {} · {owner}", op.done_word())))
        }
        Err(e) => Action::Done(Err(e.to_string())),
    }
}

/// Runs a Playbooks-view effect against the store at `now`.
fn run(store: &mut Store, now: Timestamp, effect: RunEffect) -> Action {
    let result = match effect {
        RunEffect::Item {
            run,
            item,
            change,
            override_reason,
        } => match change {
            ItemChangeKind::Undo => store
                .write(|tx| undo_item(tx, now, run, &item))
                .map(|u| format!("run #{run}: {} back to pending", u.label)),
            ItemChangeKind::Done | ItemChangeKind::Skip(_) => {
                let action = match &change {
                    ItemChangeKind::Skip(reason) => ItemAction::Skip { reason },
                    _ => ItemAction::Done { note: None },
                };
                store
                    .write(|tx| close_item(tx, now, run, &item, action, override_reason.as_deref()))
                    .map(|c| {
                        let mut m = format!("run #{run}: {} {}", c.label, c.word);
                        if c.overrode.is_some() {
                            m.push_str(" (override audited)");
                        }
                        if c.completed {
                            m.push_str(&format!(" — run #{run} complete"));
                        }
                        m
                    })
            }
        },
        RunEffect::Note { run, text } => store
            .write(|tx| add_run_note(tx, now, run, &text))
            .map(|_| format!("note added to run #{run}")),
    };
    Action::Done(result.map_err(|e| e.to_string()))
}
