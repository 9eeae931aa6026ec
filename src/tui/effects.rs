//! The one place that executes every [`Effect`] against the store: each
//! write is one short transaction (the store's runner), audited by the store
//! functions it calls; the result comes back as an [`Action`] (a message for
//! the status line, or fresh models). Notifications run on a background
//! thread so the screen never waits.

use super::action::{Action, Effect};
use super::app::App;
use super::models;
use super::state::alerts::AlertOp;
use super::state::incident::IncidentOp;
use super::state::playbooks::{ItemChangeKind, RunEffect};
use crate::domain::Timestamp;
use crate::notify::deliver_in_background;
use crate::store::alerts::{self, evaluate_rules, NotifyReason, ToNotify, RULES_ACTOR};
use crate::store::decisions::insert_decision;
use crate::store::feedback::add_feedback;
use crate::store::runs::{add_run_note, close_item, start_run, undo_item, ItemAction};
use crate::store::{audit, indicators, notes, Store};

/// Runs `effect` against the store; the result comes back as an action.
pub fn run_effect(store: &mut Store, app: &App, effect: Effect) -> Option<Action> {
    match effect {
        Effect::Reload => Some(match models::load(store, app.needs(), app.now) {
            Ok(m) => Action::Loaded(Box::new(m)),
            Err(e) => Action::LoadFailed(e.to_string()),
        }),
        Effect::Refresh => Some(
            match models::refresh(store, app.needs(), app.now, &app.models) {
                Ok(m) => Action::Loaded(Box::new(m)),
                Err(e) => Action::LoadFailed(e.to_string()),
            },
        ),
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
                        let (_, far) = crate::store::review::insert_manual(
                            tx,
                            indicator_id,
                            now,
                            v,
                            note.as_deref(),
                        )?;
                        audit::record(
                            tx,
                            now,
                            "record",
                            "observation",
                            Some(&key),
                            &serde_json::json!({"at": now, "value": v, "note": note}),
                        )?;
                        let recorded = format!("recorded {key} = {}", crate::format::number(v));
                        Ok(match far {
                            Some(why) => format!("{recorded} · ? marked for review: {why}"),
                            None => recorded,
                        })
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
        Effect::Alert { id, op, note } => Some(alert(store, app, id, op, note.as_deref())),
        Effect::RaiseAlert {
            title,
            severity,
            note,
            playbook,
        } => Some(raise(
            store,
            app,
            &title,
            severity,
            note.as_deref(),
            playbook.as_deref(),
        )),
        Effect::StartRun { key, context, due } => Some(Action::Done(
            store
                .write(|tx| start_run(tx, app.now, &key, context.as_deref(), due))
                .map(|s| {
                    let mut m = format!("started run #{}: {} (v{})", s.id, s.name, s.version);
                    if let Some(c) = context.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                        m.push_str(&format!(" for {c}"));
                    }
                    m.push_str(&format!(", {} items", s.items));
                    m
                })
                .map_err(|e| e.to_string()),
        )),
        Effect::AddDecision {
            title,
            why,
            evidence,
            supersedes,
        } => Some(Action::Done(
            decision(store, app.now, &title, &why, &evidence, supersedes)
                .map_err(|e| e.to_string()),
        )),
        Effect::OnCall(op) => Some(Action::Done(
            store
                .write(|tx| op.apply(tx, app.now))
                .map_err(|e| e.to_string()),
        )),
        Effect::AddFeedback(row) => Some(Action::Done(
            store
                .write(|tx| add_feedback(tx, app.now, &row))
                .map(|new| {
                    let what = format!(
                        "ease {}, reliability {}, value {} ({})",
                        row.ease, row.reliability, row.value, row.channel
                    );
                    if new {
                        format!("recorded feedback: {what}")
                    } else {
                        format!("already recorded: {what} (nothing changed)")
                    }
                })
                .map_err(|e| e.to_string()),
        )),
        Effect::Run(e) => Some(run(store, app.now, e)),
        Effect::Incident(op) => Some(incident(store, app.now, op)),
        Effect::ShowIncident(id) => Some(Action::OpenIncident(id)),
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
        // Rule changes are attributed to `opsdeck (rules)`, not the user.
        let rules = |s: &Store, tx: &crate::store::Tx<'_>| {
            evaluate_rules(s, &tx.acting_as(RULES_ACTOR), app.now, &policy)
        };
        match store.write_with_reads(rules) {
            Ok(ev) => deliver_in_background(
                store,
                &app.alert_settings,
                ev.notify,
                crate::notify::Urgency::Rules,
                app.now,
            ),
            Err(e) => return Some(Action::Done(Err(format!("alert rules: {e}")))),
        }
    }
    // The reload runs where the screen is (the UI thread), with what it
    // needs then, not with the app as it was when the rules were sent.
    Some(Action::Evaluated)
}

/// Records a decision as `decision add` does: the evidence is captured
/// (a snapshot of each reference now), then the entry is written.
fn decision(
    store: &mut Store,
    now: Timestamp,
    title: &str,
    why: &str,
    evidence: &[crate::domain::decision::EvidenceRef],
    supersedes: Option<i64>,
) -> anyhow::Result<String> {
    let captured = store.capture_evidence(evidence, now)?;
    let id = store.write(|tx| insert_decision(tx, now, title, why, &captured, supersedes))?;
    let mut m = format!("recorded decision #{id}: {title}");
    if !captured.is_empty() {
        let refs: Vec<String> = captured.iter().map(|e| e.reference.to_string()).collect();
        m.push_str(&format!(" · evidence {}", refs.join(", ")));
    }
    Ok(m)
}

/// Raises an alert by hand as `alert raise` does (a run of `playbook`
/// started with it when new) and notifies about a new one.
fn raise(
    store: &mut Store,
    app: &App,
    title: &str,
    severity: crate::domain::alert_rules::Severity,
    note: Option<&str>,
    playbook: Option<&str>,
) -> Action {
    let now = app.now;
    match store.write(|tx| alerts::raise(tx, now, title, severity, note, playbook)) {
        Ok((a, new)) => {
            let mut m = if new {
                format!("raised #{}: {}", a.id, a.title)
            } else {
                format!("#{} already open, updated", a.id)
            };
            if let (Some(run), true) = (a.run_id, new) {
                m.push_str(&format!(
                    " · started run #{run} of {}",
                    playbook.unwrap_or_default()
                ));
            }
            if new {
                let list = vec![ToNotify {
                    alert: a,
                    reason: NotifyReason::Opened,
                }];
                deliver_in_background(
                    store,
                    &app.alert_settings,
                    list,
                    crate::notify::Urgency::ByHand,
                    now,
                );
            }
            Action::Done(Ok(m))
        }
        Err(e) => Action::Done(Err(e.to_string())),
    }
}

/// Runs one confirmed action on alert `id` (with the `--note` of the
/// command line, if any); the result is the status line.
fn alert(store: &mut Store, app: &App, id: i64, op: AlertOp, note: Option<&str>) -> Action {
    let now = app.now;
    let result = store.write(|tx| match &op {
        AlertOp::Ack => alerts::acknowledge(tx, id, now, note),
        AlertOp::Resolve => alerts::resolve(tx, id, now, note),
        AlertOp::Snooze { until } => alerts::snooze(tx, id, *until, now, note),
        AlertOp::Escalate => alerts::escalate(tx, id, now, note),
        AlertOp::Note { text } => alerts::add_alert_note(tx, id, now, text),
        AlertOp::Pause { reason } => alerts::pause(tx, id, now, reason),
        AlertOp::Resume => alerts::resume(tx, id, now, note),
    });
    match result {
        Ok(alert) => {
            let owner = crate::text::sanitize(alert.owner());
            if op == AlertOp::Escalate {
                let list = vec![ToNotify {
                    alert,
                    reason: NotifyReason::Escalated,
                }];
                deliver_in_background(
                    store,
                    &app.alert_settings,
                    list,
                    crate::notify::Urgency::ByHand,
                    now,
                );
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
        } => {
            let action = match &change {
                ItemChangeKind::Undo => None,
                ItemChangeKind::Done(note) => Some(ItemAction::Done {
                    note: note.as_deref(),
                }),
                ItemChangeKind::Skip(reason) => Some(ItemAction::Skip { reason }),
            };
            match action {
                None => store
                    .write(|tx| undo_item(tx, now, run, &item))
                    .map(|u| format!("run #{run}: {} back to pending", u.label)),
                Some(action) => store
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
                    }),
            }
        }
        RunEffect::Note { run, text } => store
            .write(|tx| add_run_note(tx, now, run, &text))
            .map(|_| format!("note added to run #{run}")),
    };
    Action::Done(result.map_err(|e| e.to_string()))
}

/// Runs a confirmed incident change at `now`; the result is the status line.
fn incident(store: &mut Store, now: Timestamp, op: IncidentOp) -> Action {
    use crate::store::incidents;
    let result = match op {
        IncidentOp::Declare {
            alerts,
            title,
            severity,
            commander,
            runs,
        } => store
            .write(|tx| {
                let d = incidents::Declaration {
                    alerts: &alerts,
                    title: &title,
                    severity,
                    commander: commander.as_deref(),
                    runs: &runs,
                };
                incidents::declare(tx, now, &d)
            })
            .map(|i| format!("declared incident #{}: {}", i.id, i.title)),
        IncidentOp::Advance { id, to } => store
            .write(|tx| incidents::advance(tx, now, id, to))
            .map(|i| format!("incident #{} {}", i.id, i.state.word())),
        IncidentOp::Action {
            id,
            owner,
            due,
            text,
        } => store
            .write(|tx| incidents::add_action(tx, now, id, &owner, due, &text))
            .map(|a| {
                format!(
                    "action {} for {} added to incident #{id}",
                    a.external_id, a.owner
                )
            }),
        IncidentOp::Done { action } => store
            .write(|tx| incidents::close_action(tx, now, &action))
            .map(|a| format!("action {} done", a.external_id)),
    };
    Action::Done(result.map_err(|e| e.to_string()))
}
