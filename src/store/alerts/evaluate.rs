//! One evaluation of every alert rule at `now`, reconciled with the open
//! alerts, then escalation: all inside the caller's `BEGIN IMMEDIATE`
//! transaction, so two concurrent evaluations (two `check`s, a `check` and
//! the cockpit) are serialised and never open the same cause twice or undo
//! an acknowledgement.

use super::lifecycle::{resolve, save_timing, upsert_candidate, Upserted};
use super::runs_link::{overdue_run_candidates, path_for, start_linked_run};
use super::{active_alerts, alert_required, append_event, Alert};
use crate::domain::alert_rules::{
    burn_alert, capacity_alert, indicator_alert, reconcile, AlertCandidate, CapacityReading,
    IndicatorReading,
};
use crate::domain::duration::format_duration;
use crate::domain::escalation::{
    ack_expired, apply, escalation_due, EscalationStep, LifecycleAction,
};
use crate::domain::{Status, Timestamp, DAY};
use crate::store::definition::alert_defaults;
use crate::store::{Result, Store, StoreError, Tx};
use std::collections::HashMap;

/// How alerts behave; defaults until the config file supplies them.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPolicy {
    /// Resolve an alert automatically when its cause clears (default: no,
    /// it is only marked cleared and waits for a person).
    pub auto_resolve: bool,
    /// An acknowledged alert not resolved within this many seconds is
    /// re-opened and escalates again; 0 = never. `None` (the default) uses the
    /// operation's `[alerts] ack_timeout` (4 h when it never set one); a value
    /// here (`OPSDECK_ACK_TIMEOUT`) overrides it for this process.
    pub ack_timeout_secs: Option<i64>,
    /// Window over which capacity utilisation is measured (default 7 days,
    /// the Work view's window).
    pub capacity_window_secs: i64,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            auto_resolve: false,
            ack_timeout_secs: None,
            capacity_window_secs: 7 * DAY,
        }
    }
}

/// Why a notification is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyReason {
    /// A new alert.
    Opened,
    /// It climbed a level (or was escalated by hand).
    Escalated,
    /// An acknowledgement timed out.
    Reopened,
    /// Its severity went up (e.g. a slow burn turned fast).
    SeverityRaised,
}

impl NotifyReason {
    /// The word given to notification commands.
    pub fn word(self) -> &'static str {
        match self {
            NotifyReason::Opened => "opened",
            NotifyReason::Escalated => "escalated",
            NotifyReason::Reopened => "reopened",
            NotifyReason::SeverityRaised => "severity_raised",
        }
    }
}

/// An alert to notify about once the transaction has committed.
#[derive(Debug, Clone, PartialEq)]
pub struct ToNotify {
    /// The alert as it stands after the change.
    pub alert: Alert,
    /// Why the notification is sent.
    pub reason: NotifyReason,
}

/// What one evaluation changed (alert ids).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// Newly opened alerts.
    pub opened: Vec<i64>,
    /// Causes that came back after clearing.
    pub recurred: Vec<i64>,
    /// Open alerts whose cause still holds (refreshed).
    pub updated: usize,
    /// Alerts whose cause went away in this evaluation (marked cleared; also resolved under `auto_resolve`).
    pub cleared: Vec<i64>,
    /// Resolved automatically (policy `auto_resolve`).
    pub auto_resolved: Vec<i64>,
    /// Alerts that climbed an escalation level.
    pub escalated: Vec<i64>,
    /// Acknowledged alerts re-opened because their acknowledgement timed out.
    pub reopened: Vec<i64>,
    /// Notifications to send after commit, in order.
    pub notify: Vec<ToNotify>,
}

impl Evaluation {
    /// Whether anything worth a line changed.
    pub fn changed_anything(&self) -> bool {
        !(self.opened.is_empty()
            && self.recurred.is_empty()
            && self.cleared.is_empty()
            && self.escalated.is_empty()
            && self.reopened.is_empty())
    }
}

/// Evaluates every rule at `now` (indicator warn/breach, SLO burn, capacity
/// bands, overdue checklist runs), opens, updates and clears alerts, starts
/// the run of a playbook a critical alert names, then advances escalation. Run it
/// inside [`Store::write_with_reads`]: `store` reads the data, `tx` writes.
pub fn evaluate_rules(
    store: &Store,
    tx: &Tx<'_>,
    now: Timestamp,
    policy: &AlertPolicy,
) -> Result<Evaluation> {
    let mut ev = Evaluation::default();
    let (candidates, mut routes) = gather_candidates(store, now, policy)?;
    let active = active_alerts(tx)?;
    let keys: Vec<&str> = active.iter().map(|a| a.key.as_str()).collect();
    let rec = reconcile(&keys, candidates);
    for c in &rec.to_open_or_update {
        let route = match routes.remove(&c.key) {
            Some(r) => r,
            None => Route::default_for(None),
        };
        let owner = route.owner.as_deref();
        let path = match (&route.path, &c.playbook) {
            (Some(p), _) => p.clone(),
            (None, playbook) => path_for(tx, owner, playbook.as_deref())?,
        };
        let (what, raised) = upsert_candidate(tx, c, owner, &path, now, None)?;
        let id = match what {
            Upserted::Opened(id) => {
                ev.opened.push(id);
                id
            }
            Upserted::Recurred(id) => {
                ev.recurred.push(id);
                id
            }
            Upserted::Updated(id) => {
                ev.updated += 1;
                id
            }
        };
        let reason = match what {
            Upserted::Opened(_) => Some(NotifyReason::Opened),
            _ if raised => Some(NotifyReason::SeverityRaised),
            _ => None,
        };
        if let Some(playbook) = &c.playbook {
            if alert_required(tx, id)?.run_id.is_none() {
                start_linked_run(tx, id, playbook, &c.title, now)?;
            }
        }
        if let Some(reason) = reason {
            ev.notify.push(ToNotify {
                alert: alert_required(tx, id)?,
                reason,
            });
        }
    }
    for key in &rec.to_clear {
        let Some(a) = active.iter().find(|a| &a.key == key) else {
            continue;
        };
        if a.cleared_at.is_none() {
            mark_cleared(tx, a.id, now)?;
            ev.cleared.push(a.id);
        }
        if policy.auto_resolve {
            resolve(tx, a.id, now, Some("cause cleared (auto-resolve)"))?;
            ev.auto_resolved.push(a.id);
        }
    }
    escalate_due_alerts(tx, now, policy, &mut ev)?;
    tracing::info!(
        actor = %crate::text::sanitize(tx.actor()),
        opened = ev.opened.len(),
        recurred = ev.recurred.len(),
        updated = ev.updated,
        cleared = ev.cleared.len(),
        escalated = ev.escalated.len(),
        reopened = ev.reopened.len(),
        to_notify = ev.notify.len(),
        "rules evaluated"
    );
    Ok(ev)
}

/// Marks alert `id` as cleared at `now` (its cause is gone; it stays open
/// until someone resolves it, unless the policy auto-resolves) and appends
/// the `cleared` event.
pub fn mark_cleared(tx: &Tx<'_>, id: i64, now: Timestamp) -> Result<()> {
    tx.execute(
        "UPDATE alerts SET cleared_at = ?2 WHERE id = ?1",
        rusqlite::params![id, now],
    )?;
    append_event(tx, id, now, "cleared", None, Some("the cause is gone"))
}

/// Re-opens acknowledged alerts whose acknowledgement timed out (the
/// policy's override, else the operation's ack timeout) and climbs
/// unacknowledged ones whose level's wait has run out. A cleared alert (its
/// cause is gone) does not climb: it waits for someone to resolve it; nor
/// does a silenced one (a silence or an open maintenance window), whose
/// clock restarts at the last evaluation that found it silenced.
pub fn escalate_due_alerts(
    tx: &Tx<'_>,
    now: Timestamp,
    policy: &AlertPolicy,
    ev: &mut Evaluation,
) -> Result<()> {
    let ack_timeout_secs = match policy.ack_timeout_secs {
        Some(secs) => secs,
        None => alert_defaults(tx)?.ack_timeout_secs,
    };
    let book = crate::store::oncall::OnCallBook::load(tx, now)?;
    for a in active_alerts(tx)? {
        // A silence or an open maintenance window holds its alerts where they
        // are: recorded and shown, but not climbing (nor re-opening).
        if book.silenced(&a, now).is_some() {
            // Held time never counts (as for a snooze): the escalation
            // clock restarts when the silence ends.
            if a.resumed_at != Some(now) {
                tx.execute(
                    "UPDATE alerts SET resumed_at = ?2 WHERE id = ?1",
                    rusqlite::params![a.id, now],
                )?;
            }
            continue;
        }
        let timing = a.timing();
        let invalid = |e| StoreError::Invalid(format!("alert {}: {e}", a.id));
        if ack_expired(&timing, ack_timeout_secs, now) {
            let t = apply(&timing, &LifecycleAction::Reopen, now).map_err(invalid)?;
            save_timing(tx, a.id, &t)?;
            tx.execute(
                "UPDATE alerts SET acked_by = NULL, ack_note = NULL WHERE id = ?1",
                [a.id],
            )?;
            let why = format!(
                "not resolved within {} of acknowledgement",
                format_duration(ack_timeout_secs)
            );
            append_event(tx, a.id, now, "reopened", Some(t.level), Some(&why))?;
            ev.reopened.push(a.id);
            ev.notify.push(ToNotify {
                alert: alert_required(tx, a.id)?,
                reason: NotifyReason::Reopened,
            });
            continue;
        }
        if a.cleared_at.is_some() {
            continue;
        }
        if let Some(level) = escalation_due(&timing, &a.path, now) {
            let t = apply(&timing, &LifecycleAction::ClimbTo { level }, now).map_err(invalid)?;
            save_timing(tx, a.id, &t)?;
            tx.execute(
                "UPDATE alerts SET escalated_at = ?2 WHERE id = ?1",
                rusqlite::params![a.id, now],
            )?;
            let target = a.path.get(level).map(|s| s.target.as_str()).unwrap_or("?");
            let person = book.person_for(target, now);
            let note = if person == target {
                format!("→ {target} (unacknowledged)")
            } else {
                format!("→ {target}: {person} on call (unacknowledged)")
            };
            append_event(tx, a.id, now, "escalated", Some(level), Some(&note))?;
            ev.escalated.push(a.id);
            ev.notify.push(ToNotify {
                alert: alert_required(tx, a.id)?,
                reason: NotifyReason::Escalated,
            });
        }
    }
    Ok(())
}

/// Who a new alert goes to: its owner role and, when known already, its
/// escalation path (else the path of the playbook it names, or the default).
struct Route {
    owner: Option<String>,
    path: Option<Vec<EscalationStep>>,
}

impl Route {
    fn default_for(owner: Option<String>) -> Route {
        Route { owner, path: None }
    }
}

type Candidates = (Vec<AlertCandidate>, HashMap<String, Route>);

/// Every rule's candidates at `now`, with the route of each key.
fn gather_candidates(store: &Store, now: Timestamp, policy: &AlertPolicy) -> Result<Candidates> {
    let mut out = Vec::new();
    let mut owners: HashMap<String, Route> = HashMap::new();
    let capacities = store.capacities_at(now)?;
    // The board and the flow read the same work items: load them once.
    let mut work = crate::store::board::WorkCache::default();
    // The rules read values and statuses, never sparklines.
    let board = store.indicator_board_totals_cached(now, &mut work)?;
    let mut kind_owner: HashMap<String, String> = HashMap::new();
    for r in &board.readings {
        let kind = r.def.work_kind.as_deref().unwrap_or_default();
        // Utilisation of a kind with a capacity is the capacity rule's cause:
        // one alert per cause, not one per indicator and one per band.
        if r.def.metric.as_deref() == Some("utilisation")
            && capacities.iter().any(|c| c.work_kind == kind)
        {
            kind_owner.insert(kind.to_string(), r.def.owner_role.clone());
            continue;
        }
        let threshold = match r.status {
            Status::Breach => r.def.breach,
            Status::Warn => r.def.warn,
            Status::Ok | Status::NoData => continue,
        };
        let reading = IndicatorReading {
            key: &r.def.key,
            name: &r.def.name,
            status: r.status,
            value: r.value.unwrap_or(f64::NAN),
            threshold,
            playbook: None,
        };
        if let Some(c) = indicator_alert(&reading) {
            owners.insert(
                c.key.clone(),
                Route::default_for(Some(r.def.owner_role.clone())),
            );
            out.push(c);
        }
    }
    for s in store.slo_standings(now)? {
        if let Some(c) = burn_alert(&s.slo.def, &s.assessments) {
            owners.insert(
                c.key.clone(),
                Route::default_for(s.slo.def.owner_role.clone()),
            );
            out.push(c);
        }
    }
    let flow = store.flow_model_cached(now, policy.capacity_window_secs, &mut work)?;
    for row in flow.rows.iter().filter(|r| r.segment.is_none()) {
        let Some(cap) = &row.capacity else { continue };
        let reading = CapacityReading {
            work_kind: &row.kind,
            utilisation: cap.utilisation.unwrap_or(f64::NAN),
            warn_at: cap.capacity.warn_at,
            breach_at: cap.capacity.breach_at,
            playbook: None,
        };
        if let Some(c) = capacity_alert(&reading) {
            let owner = kind_owner
                .get(&row.kind)
                .cloned()
                .unwrap_or_else(|| "ops-lead".to_string());
            owners.insert(c.key.clone(), Route::default_for(Some(owner)));
            out.push(c);
        }
    }
    for src in store.stored_sources()?.iter().filter(|s| !s.retired) {
        let f = store.source_freshness(src, now)?;
        let since = match f {
            crate::domain::freshness::Freshness::Stale { since, .. } => since,
            crate::domain::freshness::Freshness::Fresh => continue,
        };
        let since_text = if now - since < 86_400 {
            crate::format::utc_hm(since)
        } else {
            crate::format::utc_minute(since)
        };
        if let Some(c) = crate::domain::alert_rules::stale_source_alert(&src.name, &f, &since_text)
        {
            owners.insert(c.key.clone(), Route::default_for(Some("ops-lead".into())));
            out.push(c);
        }
    }
    for late in overdue_run_candidates(store, now)? {
        let route = Route {
            owner: late.owner,
            path: Some(late.path),
        };
        owners.insert(late.candidate.key.clone(), route);
        out.push(late.candidate);
    }
    Ok((out, owners))
}
