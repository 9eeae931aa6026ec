//! The loop's side of the alerts: evaluating the rules on the minute tick
//! and running a confirmed alert action, each in one transaction, audited.
//! Notifications run on a background thread so the screen never waits.

use super::action::{Action, Effect};
use super::alert_actions::AlertOp;
use super::app::App;
use crate::notify::deliver_in_background;
use crate::store::alerts::{self, evaluate_rules, NotifyReason, ToNotify};
use crate::store::Store;

/// Evaluates every alert rule at the app's clock (unless the database is
/// read-only), sends notifications, then reloads the models.
pub fn evaluate(store: &mut Store, app: &App) -> Option<Action> {
    if !store.is_read_only() {
        let policy = app.alert_settings.policy.clone();
        match store.write_with_reads(|s, tx| evaluate_rules(s, tx, app.now, &policy)) {
            Ok(ev) => deliver_in_background(store, &app.alert_settings, ev.notify, app.now),
            Err(e) => return Some(Action::Done(Err(format!("alert rules: {e}")))),
        }
    }
    super::run_effect(store, app, Effect::Reload)
}

/// Runs one confirmed action on alert `id`; the result is the status line.
pub fn execute(store: &mut Store, app: &App, id: i64, op: AlertOp) -> Action {
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
