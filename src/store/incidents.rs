//! Incidents: declared from alerts, moved forward through their states,
//! their action items (work items of kind `action`) and their timeline
//! assembled from what the store already keeps: the alerts' history, the
//! items of the runs linked to them, the notes on those runs, and the
//! decisions logged within the incident's span. Every write is audited.

use super::alerts::{alert_by_id, Alert};
use super::{audit, Result, Store, StoreError, Tx};
use crate::domain::alert_rules::Severity;
use crate::domain::flow::WorkItem;
use crate::domain::incident::{
    action_external_id, check_transition, sort_timeline, ActionItem, Incident, IncidentState,
    Origin, Step, TimelineEntry, ACTION_KIND,
};
use crate::domain::limits::{check_len, MAX_NAME, MAX_TEXT};
use crate::domain::playbook::ItemRef;
use crate::domain::Timestamp;
use crate::store::db::Conn as Connection;
use rusqlite::{params, OptionalExtension};

const COLUMNS: &str = "id, title, severity, commander, state, declared_at, declared_by,
    mitigated_at, mitigated_by, resolved_at, resolved_by, reviewed_at, reviewed_by";

fn invalid(text: String) -> StoreError {
    StoreError::Invalid(text)
}

fn step(at: Option<Timestamp>, by: Option<String>) -> Option<Step> {
    Some(Step { at: at?, by: by? })
}

fn incident_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<Incident> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    let severity = Severity::parse(&r.get::<_, String>(2)?).ok_or_else(|| bad(2, "severity"))?;
    let state = IncidentState::parse(&r.get::<_, String>(4)?).ok_or_else(|| bad(4, "state"))?;
    let declared_at: Timestamp = r.get(5)?;
    Ok(Incident {
        id: r.get(0)?,
        title: r.get(1)?,
        severity,
        commander: r.get(3)?,
        state,
        declared: Step {
            at: declared_at,
            by: r.get(6)?,
        },
        mitigated: step(r.get(7)?, r.get(8)?),
        resolved: step(r.get(9)?, r.get(10)?),
        reviewed: step(r.get(11)?, r.get(12)?),
        alerts: Vec::new(),
        runs: Vec::new(),
        started_at: declared_at,
    })
}

/// Fills in an incident's alerts and its start (the earliest first sighting).
fn with_alerts(conn: &Connection, mut i: Incident) -> Result<Incident> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.alert_id, a.first_seen FROM incident_alerts l JOIN alerts a ON a.id = l.alert_id
          WHERE l.incident_id = ?1 ORDER BY l.alert_id",
    )?;
    let rows = stmt.query_map([i.id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (id, first_seen) = row?;
        i.alerts.push(id);
        i.started_at = i.started_at.min(first_seen);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.run_id, c.started_at FROM incident_runs r JOIN checklist_runs c ON c.id = r.run_id
          WHERE r.incident_id = ?1 ORDER BY r.run_id",
    )?;
    let rows = stmt.query_map([i.id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (id, started) = row?;
        i.runs.push(id);
        i.started_at = i.started_at.min(started);
    }
    Ok(i)
}

/// One incident by id on any connection; `None` when there is none.
pub(crate) fn load_incident(conn: &Connection, id: i64) -> Result<Option<Incident>> {
    let i = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1"))?
        .query_row([id], incident_from_row)
        .optional()?;
    i.map(|i| with_alerts(conn, i)).transpose()
}

fn require(conn: &Connection, id: i64) -> Result<Incident> {
    load_incident(conn, id)?.ok_or_else(|| invalid(format!("incident {id}: no such incident")))
}

/// A person's name as typed (trimmed, not empty, no control characters,
/// not too long) who is a person of the operation: a typo must not give
/// an action to nobody. They need not hold a role.
fn person(conn: &Connection, flag: &str, name: &str) -> Result<String> {
    let name = super::roles::clean_person(name).map_err(|e| invalid(format!("{flag}: {e}")))?;
    if !super::oncall::is_person(conn, &name)? {
        return Err(invalid(format!(
            "{flag}: unknown person '{name}' (add a [[person]] to operation.toml)"
        )));
    }
    Ok(name)
}

fn checked_text(flag: &str, text: &str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(format!("{flag}: is empty")));
    }
    check_len(t, max).map_err(|e| invalid(format!("{flag}: {e}")))?;
    Ok(t.to_string())
}

/// What an incident is declared with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declaration<'a> {
    /// The alerts it groups (at least one; each in no other incident).
    pub alerts: &'a [i64],
    /// Its one-line title.
    pub title: &'a str,
    /// Its severity; `None`: the most severe of its alerts.
    pub severity: Option<Severity>,
    /// Who runs the response.
    pub commander: Option<&'a str>,
    /// Runs started for it by hand (each must exist).
    pub runs: &'a [i64],
}

/// Declares an incident from its alerts (at least one; each must exist and
/// belong to no other incident): its title, its severity (default: the most
/// severe of its alerts), its commander (a name) and the runs started for
/// it by hand. Audited.
pub fn declare(tx: &Tx<'_>, now: Timestamp, d: &Declaration<'_>) -> Result<Incident> {
    let (alert_ids, title, severity, commander) = (d.alerts, d.title, d.severity, d.commander);
    let title = checked_text("--title", title, MAX_NAME)?;
    if alert_ids.is_empty() {
        return Err(invalid("ALERT: name at least one alert id".into()));
    }
    let mut alerts: Vec<Alert> = Vec::new();
    for &id in alert_ids {
        if alerts.iter().any(|a| a.id == id) {
            continue;
        }
        let a = alert_by_id(tx, id)?.ok_or_else(|| {
            invalid(format!(
                "ALERT: no alert #{id} (see `opsdeck alert list --all`)"
            ))
        })?;
        if let Some(other) = incident_of_alert(tx, id)? {
            return Err(invalid(format!(
                "ALERT: alert #{id} already belongs to incident #{other}"
            )));
        }
        alerts.push(a);
    }
    let commander = commander
        .map(|c| person(tx, "--commander", c))
        .transpose()?;
    let mut runs: Vec<i64> = d.runs.to_vec();
    runs.sort_unstable();
    runs.dedup();
    for &r in &runs {
        if super::runs::load_run(tx, r)?.is_none() {
            return Err(invalid(format!(
                "--run: no run #{r} (see `opsdeck run list`)"
            )));
        }
    }
    let severity = severity.unwrap_or_else(|| {
        alerts
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or(Severity::Warning)
    });
    tx.execute(
        "INSERT INTO incidents (title, severity, commander, state, declared_at, declared_by)
         VALUES (?1, ?2, ?3, 'open', ?4, ?5)",
        params![title, severity.word(), commander, now, tx.actor],
    )?;
    let id = tx.last_insert_rowid();
    let mut link =
        tx.prepare_cached("INSERT INTO incident_alerts (alert_id, incident_id) VALUES (?1, ?2)")?;
    for a in &alerts {
        link.execute(params![a.id, id])?;
    }
    let mut link =
        tx.prepare_cached("INSERT INTO incident_runs (incident_id, run_id) VALUES (?1, ?2)")?;
    for r in &runs {
        link.execute(params![id, r])?;
    }
    let ids: Vec<i64> = alerts.iter().map(|a| a.id).collect();
    audit::record(
        tx,
        now,
        "declare",
        "incident",
        Some(&id.to_string()),
        &serde_json::json!({"title": title, "severity": severity.word(),
            "commander": commander, "alerts": ids, "runs": runs}),
    )?;
    require(tx, id)
}

/// Moves incident `id` forward to `to` (refused backwards, sideways, and a
/// review before the resolution), recording who and when. Audited.
pub fn advance(tx: &Tx<'_>, now: Timestamp, id: i64, to: IncidentState) -> Result<Incident> {
    let i = require(tx, id)?;
    check_transition(id, i.state, to).map_err(invalid)?;
    let sql = match to {
        IncidentState::Open => unreachable!("check_transition refuses open"),
        IncidentState::Mitigated => {
            "UPDATE incidents SET state = 'mitigated', mitigated_at = ?2, mitigated_by = ?3 WHERE id = ?1"
        }
        IncidentState::Resolved => {
            "UPDATE incidents SET state = 'resolved', resolved_at = ?2, resolved_by = ?3 WHERE id = ?1"
        }
        IncidentState::Reviewed => {
            "UPDATE incidents SET state = 'reviewed', reviewed_at = ?2, reviewed_by = ?3 WHERE id = ?1"
        }
    };
    tx.execute(sql, params![id, now, tx.actor])?;
    audit::record(
        tx,
        now,
        to.word(),
        "incident",
        Some(&id.to_string()),
        &serde_json::json!({"from": i.state.word(), "to": to.word()}),
    )?;
    require(tx, id)
}

/// Adds an action item to incident `id`: a work item of kind `action`
/// (`INC-<id>-<n>`, owned by `owner`, promised for `due`) and its text.
/// Audited.
pub fn add_action(
    tx: &Tx<'_>,
    now: Timestamp,
    id: i64,
    owner: &str,
    due: Timestamp,
    text: &str,
) -> Result<ActionItem> {
    require(tx, id)?;
    let owner = person(tx, "--owner", owner)?;
    let text = checked_text("TEXT", text, MAX_TEXT)?;
    if due <= now {
        return Err(invalid(
            "--due: is in the past; an action item is due later than now (7d, 2w, a date)".into(),
        ));
    }
    let n: i64 = tx.query_row(
        "SELECT count(*) + 1 FROM incident_actions WHERE incident_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let item = WorkItem {
        kind: ACTION_KIND.to_string(),
        external_id: action_external_id(id, n),
        customer: None,
        segment: Some(owner.clone()),
        opened_at: now,
        promised_at: Some(due),
        closed_at: None,
        outcome: None,
        satisfaction: None,
    };
    super::work_items::upsert_work_item(tx, &item)?;
    let work_item_id: i64 = tx.query_row(
        "SELECT id FROM work_items WHERE kind = ?1 AND external_id = ?2",
        params![ACTION_KIND, item.external_id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO incident_actions (work_item_id, incident_id, owner, text, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![work_item_id, id, owner, text, now, tx.actor],
    )?;
    audit::record(
        tx,
        now,
        "add",
        "action",
        Some(&item.external_id),
        &serde_json::json!({"incident": id, "owner": owner, "due": due, "text": text}),
    )?;
    Ok(ActionItem {
        work_item_id,
        external_id: item.external_id,
        owner,
        text,
        created_at: now,
        due: Some(due),
        closed_at: None,
    })
}

/// Marks an action item (`INC-3-1`) done at `now`: its work item closes
/// with outcome ok. Refused when there is no such item or it is done. Audited.
pub fn close_action(tx: &Tx<'_>, now: Timestamp, external_id: &str) -> Result<ActionItem> {
    let row: Option<(i64, Option<Timestamp>)> = tx
        .query_row(
            "SELECT id, closed_at FROM work_items WHERE kind = ?1 AND external_id = ?2",
            params![ACTION_KIND, external_id.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, closed) = row.ok_or_else(|| {
        invalid(format!(
            "ACTION: no action item '{}' (see `opsdeck incident show ID`)",
            crate::text::sanitize_truncate(external_id, 40)
        ))
    })?;
    if closed.is_some() {
        return Err(invalid(format!(
            "ACTION: {} is already done",
            crate::text::sanitize(external_id.trim())
        )));
    }
    tx.execute(
        "UPDATE work_items SET closed_at = ?2, outcome = 'ok' WHERE id = ?1",
        params![id, now],
    )?;
    audit::record(
        tx,
        now,
        "done",
        "action",
        Some(external_id.trim()),
        &serde_json::json!({}),
    )?;
    action_by_work_item(tx, id)
}

const ACTION_COLUMNS: &str = "SELECT a.work_item_id, w.external_id, a.owner, a.text, a.created_at, w.promised_at, w.closed_at
       FROM incident_actions a JOIN work_items w ON w.id = a.work_item_id";

fn action_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<ActionItem> {
    Ok(ActionItem {
        work_item_id: r.get(0)?,
        external_id: r.get(1)?,
        owner: r.get(2)?,
        text: r.get(3)?,
        created_at: r.get(4)?,
        due: r.get(5)?,
        closed_at: r.get(6)?,
    })
}

fn action_by_work_item(conn: &Connection, id: i64) -> Result<ActionItem> {
    Ok(conn
        .prepare_cached(&format!("{ACTION_COLUMNS} WHERE a.work_item_id = ?1"))?
        .query_row([id], action_from_row)?)
}

/// The incident an alert belongs to, if any.
pub(crate) fn incident_of_alert(conn: &Connection, alert_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT incident_id FROM incident_alerts WHERE alert_id = ?1")?
        .query_row([alert_id], |r| r.get(0))
        .optional()?)
}

/// The incident of each of the alerts `ids` that has one: one statement
/// for all (the ids, integers, written into its text).
pub(crate) fn incidents_of_alerts(
    conn: &Connection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut stmt = conn.prepare(&format!(
        "SELECT alert_id, incident_id FROM incident_alerts WHERE alert_id IN ({list})"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn actions_of(conn: &Connection, id: i64) -> Result<Vec<ActionItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{ACTION_COLUMNS} WHERE a.incident_id = ?1 ORDER BY a.work_item_id"
    ))?;
    let rows = stmt.query_map([id], action_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Every incident: open, mitigated and resolved ones first, then
    /// reviewed; newest first within each.
    pub fn incidents(&self) -> Result<Vec<Incident>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM incidents
              ORDER BY state = 'reviewed', declared_at DESC, id DESC"
        ))?;
        let rows: Vec<Incident> = stmt
            .query_map([], incident_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|i| with_alerts(self.conn(), i))
            .collect()
    }

    /// One incident, or an error naming the id.
    pub fn incident(&self, id: i64) -> Result<Incident> {
        require(self.conn(), id)
    }

    /// The incident alert `alert_id` belongs to, if any.
    pub fn incident_of_alert(&self, alert_id: i64) -> Result<Option<i64>> {
        incident_of_alert(self.conn(), alert_id)
    }

    /// The action items of every incident that are late at `now` (open and
    /// past their due date), with their incident, the most overdue first.
    pub fn late_actions(&self, now: Timestamp) -> Result<Vec<(i64, ActionItem)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT a.work_item_id, w.external_id, a.owner, a.text, a.created_at, w.promised_at,
                    w.closed_at, a.incident_id
               FROM incident_actions a JOIN work_items w ON w.id = a.work_item_id
              WHERE w.closed_at IS NULL AND w.promised_at < ?1
              ORDER BY w.promised_at, a.work_item_id",
        )?;
        let rows = stmt.query_map([now], |r| Ok((r.get(7)?, action_from_row(r)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An incident's action items, in the order they were written.
    pub fn incident_actions(&self, id: i64) -> Result<Vec<ActionItem>> {
        actions_of(self.conn(), id)
    }

    /// The incident's alerts, in id order.
    pub fn incident_alerts(&self, i: &Incident) -> Result<Vec<Alert>> {
        let mut out = Vec::new();
        for &id in &i.alerts {
            if let Some(a) = alert_by_id(self.conn(), id)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// The incident's timeline at `now`, oldest first: its own steps and
    /// action items, every event of its alerts, the items checked or
    /// skipped and the notes of the runs linked to its alerts or started
    /// for it, and the decisions logged within its span.
    pub fn incident_timeline(&self, i: &Incident, now: Timestamp) -> Result<Vec<TimelineEntry>> {
        let conn = self.conn();
        let mut out = Vec::new();
        let entry = |at, origin, actor: &str, what: String, note: Option<String>| TimelineEntry {
            at,
            origin,
            actor: actor.to_string(),
            what,
            note,
        };
        out.push(entry(
            i.declared.at,
            Origin::Incident,
            &i.declared.by,
            format!("incident #{} declared", i.id),
            Some(i.title.clone()),
        ));
        for st in [
            IncidentState::Mitigated,
            IncidentState::Resolved,
            IncidentState::Reviewed,
        ] {
            if let Some(s) = i.step(st) {
                let what = format!("incident #{} {}", i.id, st.word());
                out.push(entry(s.at, Origin::Incident, &s.by, what, None));
            }
        }
        let mut stmt =
            conn.prepare_cached("SELECT created_by FROM incident_actions WHERE work_item_id = ?1")?;
        for a in actions_of(conn, i.id)? {
            let by: String = stmt.query_row([a.work_item_id], |r| r.get(0))?;
            let what = format!("action {} for {}", a.external_id, a.owner);
            out.push(entry(
                a.created_at,
                Origin::Incident,
                &by,
                what,
                Some(a.text.clone()),
            ));
            if let Some(c) = a.closed_at {
                out.push(entry(
                    c,
                    Origin::Incident,
                    &a.owner,
                    format!("action {} done", a.external_id),
                    None,
                ));
            }
        }
        let mut runs: Vec<i64> = i.runs.clone();
        for alert in self.incident_alerts(i)? {
            for e in self.alert_events(alert.id)? {
                let note = match (e.kind.as_str(), e.level, e.note) {
                    ("escalated", Some(level), None) => Some(format!("to level {}", level + 1)),
                    (_, _, note) => note,
                };
                out.push(entry(
                    e.at,
                    Origin::Alert,
                    &e.actor,
                    format!("#{} {}", alert.id, e.kind),
                    note,
                ));
            }
            if let Some(r) = alert.run_id.filter(|r| !runs.contains(r)) {
                runs.push(r);
            }
        }
        for run in runs {
            let Some(loaded) = super::runs::load_run(conn, run)? else {
                continue;
            };
            let mut items = conn.prepare_cached(
                "SELECT step, item, state, actor, at, note, reason FROM run_items WHERE run_id = ?1",
            )?;
            let rows = items.query_map([run], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            for row in rows {
                let (step, item, state, actor, at, note, reason) = row?;
                let label = loaded
                    .def()
                    .item_label(ItemRef {
                        step: step.max(0) as usize,
                        item: item.max(0) as usize,
                    })
                    .unwrap_or_else(|| format!("{}.{}", step + 1, item + 1));
                out.push(entry(
                    at,
                    Origin::Run,
                    &actor,
                    format!("run #{run} {label} {state}"),
                    reason.or(note),
                ));
            }
            for n in self.notes("run", &run.to_string(), 1_000)? {
                out.push(entry(
                    n.at,
                    Origin::Note,
                    &n.actor,
                    format!("run #{run} note"),
                    Some(n.text),
                ));
            }
        }
        let (start, end) = i.span(now);
        for d in super::decisions::load_decisions_between(conn, start - 1, end)? {
            out.push(entry(
                d.at,
                Origin::Decision,
                &d.who,
                format!("decision #{}: {}", d.id, d.title),
                Some(d.why),
            ));
        }
        sort_timeline(&mut out);
        Ok(out)
    }
}
