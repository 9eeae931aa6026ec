//! The plain view models the screens draw from, loaded by the loop from the
//! store (never from `draw` or `update`).

use crate::domain::indicator::bucketed;
use crate::domain::{Status, Timestamp, DAY};
use crate::store::board::{Board, FlowModel, Reading};
use crate::store::indicator_changes::{threshold_steps, IndicatorChange, ThresholdStep};
use crate::store::learning_models::{
    DecisionsModel, ExperimentsModel, FeedbackModel, LearningSince,
};
use crate::store::notes::Note;
use crate::store::runs_model::RunsModel;
use crate::store::{Result, Store};

/// Facts for the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderInfo {
    /// The operation's name from the database (`company` meta); empty when unset.
    pub company: String,
    /// File name of the database.
    pub db_name: String,
    /// Who changes are attributed to (the command's actor, as resolved from `--as` and the rest).
    pub actor: String,
    /// Opened with `--read-only` or on a file that cannot be written: every change is refused.
    pub read_only: bool,
    /// Team mode: the database server cannot be reached right now; the
    /// cockpit retries by itself and says `reconnecting…`.
    pub reconnecting: bool,
    /// Time of the newest audit entry (unix seconds, UTC); `None` on an empty database.
    pub last_change: Option<Timestamp>,
    /// The operation's time zone (`timezone` in `operation.toml`; UTC when
    /// unset or not a zone).
    pub zone: crate::format::Zone,
    /// Who is on call for each of the acting user's roles that has a
    /// rotation or an override: `(role, person)`.
    pub oncall: Vec<(String, String)>,
}

/// One indicator's detail: its reading, daily history and notes.
#[derive(Debug, Clone)]
pub struct IndicatorDetail {
    /// The indicator's reading now: value, status, trend, sparkline.
    pub reading: Reading,
    /// Daily aggregated values over `[from, to]`.
    pub history: Vec<(Timestamp, Option<f64>)>,
    /// First day of the history (unix seconds, UTC).
    pub from: Timestamp,
    /// End of the history (unix seconds, UTC): the model's `now`.
    pub to: Timestamp,
    /// Notes on recorded values and on the indicator, newest first.
    pub notes: Vec<Note>,
    /// The newest recorded values (recorded indicators only), for `c`.
    pub values: Vec<crate::store::observations::RecordedValue>,
    /// Target, warn and breach in force over `[from, to]`, oldest first:
    /// the chart draws them as steps.
    pub steps: Vec<ThresholdStep>,
    /// The indicator's definition changes, newest first.
    pub changes: Vec<IndicatorChange>,
}

/// An indicator whose status changed since the previous standup.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    /// Indicator key (to mark it `stale`).
    pub key: String,
    /// Indicator name, as on the board.
    pub name: String,
    /// The indicator's unit (e.g. `%`, `h`, `orders`).
    pub unit: String,
    /// Status at the previous standup.
    pub before: Status,
    /// Status now.
    pub after: Status,
    /// The statuses in words (`not enough data (3 of 5)` below min_events).
    pub before_text: String,
    /// The status now in words.
    pub after_text: String,
    /// The value now, in the indicator's unit; `None` without data.
    pub value: Option<f64>,
    /// The value at the previous standup; `None` without data then.
    pub before_value: Option<f64>,
    /// The value now against the value at the previous standup, judged by
    /// the indicator's direction (better or worse).
    pub trend: crate::domain::indicator::Trend,
}

/// How many alerts the standup reads the news of at most (one line per
/// alert, the newest first).
pub(crate) const STANDUP_ALERT_LIMIT: usize = 200;

/// How many values marked for review the standup lists at most.
pub(crate) const STANDUP_REVIEW_LIMIT: usize = 20;

/// A value marked for review (far from its indicator's recent values),
/// listed in the standup's "To review" section.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    /// The observation's id (what `opsdeck observation confirm` takes).
    pub id: i64,
    /// The indicator's name (its key when the board does not list it).
    pub indicator: String,
    /// The indicator's unit.
    pub unit: String,
    /// When the value was measured (unix seconds, UTC).
    pub at: Timestamp,
    /// The value.
    pub value: f64,
    /// Why it was marked.
    pub why: String,
}

/// The standup's speaking order: the people of the operation in the order
/// they were added, rotated by the UTC day number (day `d` starts with
/// person `d mod n`), so the same person does not always go first and
/// everyone knows who is next.
pub fn speaker_order(mut people: Vec<String>, now: Timestamp) -> Vec<String> {
    if !people.is_empty() {
        let start = now.div_euclid(DAY).rem_euclid(people.len() as i64) as usize;
        people.rotate_left(start);
    }
    people
}

/// The standup's content.
#[derive(Debug, Clone, Default)]
pub struct StandupModel {
    /// When the previous standup started; `None` before the first.
    pub previous: Option<Timestamp>,
    /// Indicators whose status changed since the previous standup.
    pub changes: Vec<StatusChange>,
    /// Indicators in breach or warn now (whether or not they changed).
    pub attention: Vec<Reading>,
    /// Decisions and experiment milestones since the previous standup (the
    /// last 7 days before the first one).
    pub learning: LearningSince,
    /// Alerts opened, re-opened or escalated since the previous standup (the
    /// last day before the first one), newest first.
    pub alert_news: Vec<crate::store::alerts::HistoryEntry>,
    /// Today's speaking order (see [`speaker_order`]).
    pub speakers: Vec<String>,
    /// Keys of the indicators fed by a stale source (shown `stale`).
    pub stale: std::collections::BTreeSet<String>,
    /// Values marked for review, newest first.
    pub to_review: Vec<ReviewItem>,
    /// Who is on call today, per role with a rotation or an override.
    pub oncall: Vec<crate::store::alerts::OnCallLine>,
    /// Incident action items past their due date: their incident, the
    /// item, and by how many seconds it is late.
    pub late_actions: Vec<(i64, crate::domain::incident::ActionItem, i64)>,
}

/// Everything the views may draw. Only the parts the visible view needs are
/// loaded; the rest stay `None`.
#[derive(Debug, Clone, Default)]
pub struct Models {
    /// The newest audit row when these models were read: [`refresh`] reads
    /// only what the audit trail says changed after it.
    pub audit_mark: i64,
    /// Company, database, actor, read-only flag and last change, for the header line.
    pub header: HeaderInfo,
    /// The indicator board; `None` unless the view needs it.
    pub board: Option<Board>,
    /// Flow by work kind and segment (Work view); `None` unless needed.
    pub flow: Option<FlowModel>,
    /// The open indicator detail; `None` when no detail is open.
    pub detail: Option<IndicatorDetail>,
    /// The standup's content; `None` outside the standup.
    pub standup: Option<StandupModel>,
    /// Open and acknowledged alerts, history and error budgets.
    pub alerts: Option<crate::store::alerts::AlertsModel>,
    /// Open runs, playbooks and roles (cockpit checklists, Playbooks view).
    pub runs: Option<RunsModel>,
    /// Experiments with live criteria; `None` unless the Experiments view is shown.
    pub experiments: Option<ExperimentsModel>,
    /// The decision log; `None` unless the Decisions view is shown.
    pub decisions: Option<DecisionsModel>,
    /// Feedback scores and comments; `None` unless the Feedback view is shown.
    pub feedback: Option<FeedbackModel>,
    /// Keys of the indicators fed by a stale source (loaded with the board):
    /// their status is marked `stale`, so nobody trusts a number that
    /// stopped updating.
    pub stale: std::collections::BTreeSet<String>,
    /// The data sources with their state (Sources view); `None` unless needed.
    pub sources: Option<Vec<crate::sources::run::SourceStatus>>,
    /// The open alert detail; `None` when no alert detail is open.
    pub alert_detail: Option<AlertDetail>,
    /// The open Work list; `None` when no list is open.
    pub work_list: Option<WorkList>,
    /// The open work item's detail; `None` when none is open.
    pub work_item: Option<WorkItemDetail>,
    /// The open incident's detail (its timeline); `None` when none is open.
    pub incident: Option<IncidentDetail>,
}

/// One incident's detail: the incident, its alerts, its timeline and its
/// action items.
#[derive(Debug, Clone)]
pub struct IncidentDetail {
    /// The incident as stored.
    pub incident: crate::domain::incident::Incident,
    /// Its alerts, in id order.
    pub alerts: Vec<crate::store::alerts::Alert>,
    /// Its timeline, oldest first.
    pub timeline: Vec<crate::domain::incident::TimelineEntry>,
    /// Its action items.
    pub actions: Vec<crate::domain::incident::ActionItem>,
}

/// One alert's detail: the alert, its history, its escalation path and
/// its linked run.
#[derive(Debug, Clone)]
pub struct AlertDetail {
    /// The alert as stored (any state: a resolved one stays readable).
    pub alert: crate::store::alerts::Alert,
    /// Its history, oldest first (notes are events of kind `note`).
    pub events: Vec<crate::store::alerts::AlertEvent>,
    /// Every level of its path: passed, current, ahead and when it fires.
    pub path: Vec<crate::domain::escalation::path::PathStep>,
    /// When an acknowledgement times out and the alert re-opens, if it is
    /// acknowledged and acknowledgements expire.
    pub ack_expires_at: Option<Timestamp>,
    /// The checklist run started for it, with its progress.
    pub run: Option<crate::store::alerts::RunLink>,
    /// Who it waits for now: whoever acknowledged it, else the person its
    /// current level pages (a role's on-call person).
    pub waiting_for: String,
    /// For each level of its path, the person it pages now.
    pub path_people: Vec<String>,
    /// The silence or open window holding it, if any.
    pub silenced: Option<crate::domain::oncall::Silenced>,
    /// The incident it belongs to, if any (Enter opens its timeline).
    pub incident: Option<crate::domain::incident::Incident>,
}

/// The Work list: the items of one kind (and segment) behind the flow row.
#[derive(Debug, Clone, Default)]
pub struct WorkList {
    /// The work kind listed.
    pub kind: String,
    /// The segment, when the list was opened on a segment's row.
    pub segment: Option<String>,
    /// Open items and items closed late in the window, earliest promise first.
    pub items: Vec<crate::store::work_list::ListedItem>,
    /// Whether more items matched than [`WORK_LIST_LIMIT`].
    pub truncated: bool,
}

/// One work item's detail: times, outcome and the runs started for it.
#[derive(Debug, Clone)]
pub struct WorkItemDetail {
    /// The item with its row id.
    pub item: crate::store::work_list::ListedItem,
    /// Checklist runs started `--for` its external id.
    pub runs: Vec<crate::store::alerts::RunLink>,
}

/// At most this many items in the Work list.
pub(crate) const WORK_LIST_LIMIT: usize = 500;

/// What the visible view needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Needs {
    /// Load the indicator board.
    pub board: bool,
    /// Load the flow by work kind (Work view).
    pub flow: bool,
    /// Indicator id whose detail is open.
    pub detail: Option<i64>,
    /// Load the standup's content.
    pub standup: bool,
    /// Load alerts, history and error budgets.
    pub alerts: bool,
    /// Load open runs, playbooks and roles.
    pub runs: bool,
    /// Load the experiments.
    pub experiments: bool,
    /// Load the decision log.
    pub decisions: bool,
    /// Load feedback scores and comments.
    pub feedback: bool,
    /// Load the data sources and their state.
    pub sources: bool,
    /// Alert id whose detail is open.
    pub alert_detail: Option<i64>,
    /// The Work list open on this kind and segment.
    pub work_list: Option<(String, Option<String>)>,
    /// Work item (row id) whose detail is open.
    pub work_item: Option<i64>,
    /// Incident id whose detail is open.
    pub incident: Option<i64>,
    /// The process's acknowledgement timeout (`OPSDECK_ACK_TIMEOUT`), when
    /// it overrides the operation's.
    pub ack_timeout: Option<i64>,
}

/// The Work view's window.
pub(crate) const FLOW_WINDOW: i64 = 7 * DAY;

/// The operation's zone from its stored `timezone`: UTC when unset, and
/// when not a zone (`local` is no operation's zone: the operation is shared).
fn operation_zone(stored: Option<&str>) -> crate::format::Zone {
    match stored.map(crate::format::Zone::parse) {
        Some(Ok(crate::format::Zone::Local)) | Some(Err(_)) | None => crate::format::Zone::Utc,
        Some(Ok(z)) => z,
    }
}

/// Loads the models for `needs` at `now`.
pub fn load(store: &Store, needs: Needs, now: Timestamp) -> Result<Models> {
    // Read first: a change committed while the models load is read again
    // by the next refresh, never missed.
    let audit_mark = store.audit_mark()?;
    let mut m = Models {
        audit_mark,
        header: header_info(store, now)?,
        ..Models::default()
    };
    let mut cache = crate::store::board::WorkCache::default();
    // The standup compares with the board at the previous standup: read it
    // first, so the work items it loads (from further back) serve both.
    let mut previous = None;
    if needs.standup {
        if let Some(at) = store.previous_standup(now)? {
            previous = Some((at, store.indicator_board_cached(at, &mut cache)?));
        }
    }
    if needs.board || needs.detail.is_some() || needs.standup {
        m.board = Some(store.indicator_board_cached(now, &mut cache)?);
        m.stale = store.stale_indicator_keys(now)?;
    }
    if needs.flow {
        m.flow = Some(store.flow_model_cached(now, FLOW_WINDOW, &mut cache)?);
    }
    if let (Some(id), Some(board)) = (needs.detail, &m.board) {
        if let Some(r) = board.readings.iter().find(|r| r.id == id) {
            m.detail = Some(load_detail(store, r, now)?);
        }
    }
    if needs.standup {
        m.standup = Some(load_standup(
            store,
            (m.board.as_ref(), &m.stale),
            previous,
            now,
        )?);
    }
    if needs.alerts {
        m.alerts = Some(store.alerts_model(now)?);
    }
    if needs.runs {
        m.runs = Some(store.runs_model(now)?);
    }
    if needs.experiments {
        m.experiments = Some(store.experiments_model(now)?);
    }
    if needs.decisions {
        m.decisions = Some(store.decisions_model()?);
    }
    if needs.feedback {
        m.feedback = Some(store.feedback_model(now)?);
    }
    if needs.sources {
        m.sources = Some(
            crate::sources::run::source_statuses(store, now)
                .map_err(crate::store::StoreError::Invalid)?,
        );
    }
    if let Some(id) = needs.alert_detail {
        m.alert_detail = load_alert_detail(store, id, needs.ack_timeout, now)?;
    }
    if let Some(id) = needs.incident {
        m.incident = load_incident_detail(store, id, now)?;
    }
    if let Some((kind, segment)) = &needs.work_list {
        let mut items = store.work_list(
            kind,
            segment.as_deref(),
            now - FLOW_WINDOW,
            WORK_LIST_LIMIT + 1,
        )?;
        let truncated = items.len() > WORK_LIST_LIMIT;
        items.truncate(WORK_LIST_LIMIT);
        m.work_list = Some(WorkList {
            kind: kind.clone(),
            segment: segment.clone(),
            items,
            truncated,
        });
    }
    if let Some(id) = needs.work_item {
        if let Some(item) = store.work_item(id)? {
            let runs = store.runs_for_item(&item.item.external_id, now)?;
            m.work_item = Some(WorkItemDetail { item, runs });
        }
    }
    Ok(m)
}

fn header_info(store: &Store, now: Timestamp) -> Result<HeaderInfo> {
    Ok(HeaderInfo {
        oncall: store.oncall_for_person(store.actor(), now)?,
        company: store.meta("company")?.unwrap_or_default(),
        db_name: store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| store.path().display().to_string()),
        actor: store.actor().to_string(),
        read_only: store.is_read_only(),
        reconnecting: store.is_reconnecting(),
        last_change: store.last_change()?,
        zone: operation_zone(store.meta("timezone")?.as_deref()),
    })
}

/// At most this many audit rows are read by a [`refresh`]; after more, it
/// reads everything again.
const REFRESH_LIMIT: usize = 200;

/// Which parts of the models a change touches.
#[derive(Debug, Default)]
struct Touched {
    /// Keys of indicators whose values were recorded.
    keys: std::collections::BTreeSet<String>,
    board: bool,
    flow: bool,
    alerts: bool,
    runs: bool,
    experiments: bool,
    decisions: bool,
    feedback: bool,
    sources: bool,
}

impl Touched {
    /// What the audit rows `(entity, entity_id)` touched; `None` when one of
    /// them may touch anything (definitions, restores, the demo).
    fn from_audit(changes: &[(String, Option<String>)]) -> Option<Touched> {
        let mut t = Touched::default();
        for (entity, id) in changes {
            match entity.as_str() {
                // `record` names the indicator's key; corrections name the row.
                // Values also move the experiments' live criteria; work
                // items the error budgets of the Alerts view.
                "observation" => {
                    t.experiments = true;
                    match id {
                        Some(k) if k.parse::<i64>().is_err() => {
                            t.keys.insert(k.clone());
                        }
                        _ => t.board = true,
                    }
                }
                "observations" => (t.board, t.experiments) = (true, true),
                "work-items" => {
                    (t.board, t.flow, t.alerts, t.experiments) = (true, true, true, true)
                }
                "feedback" => (t.board, t.feedback, t.experiments) = (true, true, true),
                "alert" | "oncall" | "silence" => t.alerts = true,
                "run" | "playbook" => (t.runs, t.alerts) = (true, true),
                "experiment" => t.experiments = true,
                "decision" => t.decisions = true,
                // The alert detail names its incident.
                "incident" => t.alerts = true,
                // Action items are work items of kind `action`.
                "action" => (t.flow, t.alerts) = (true, true),
                "source" => (t.sources, t.board) = (true, true),
                _ => return None,
            }
        }
        Some(t)
    }
}

/// The models after another process's commit, reading only what changed:
/// the audit trail after `old.audit_mark` says which parts; the others are
/// kept. A value recorded for an indicator reads that indicator alone (the
/// rest of the board keeps its readings until the minute's full reload).
/// Reads everything again when the trail cannot say (a write around
/// opsdeck, a definition change, many changes at once) or on the standup.
pub fn refresh(store: &Store, needs: Needs, now: Timestamp, old: &Models) -> Result<Models> {
    let audit_mark = store.audit_mark()?;
    let changes = crate::store::audit::changes_after(store, old.audit_mark, REFRESH_LIMIT)?;
    let touched = changes.as_ref().and_then(|(_, c)| Touched::from_audit(c));
    let (Some(t), false) = (touched, needs.standup) else {
        return load(store, needs, now);
    };
    let mut m = old.clone();
    m.audit_mark = audit_mark;
    m.header = header_info(store, now)?;
    let wants = |needed: bool, touched: bool, have: bool| needed && (touched || !have);
    let board_needed = needs.board || needs.detail.is_some();
    // A source's failed run leaves no audit row: its stale marks are read
    // at every refresh (a few rows).
    if board_needed {
        m.stale = store.stale_indicator_keys(now)?;
    }
    if wants(board_needed, t.board, m.board.is_some()) {
        m.board = Some(store.indicator_board(now)?);
    } else if board_needed && !t.keys.is_empty() {
        let fresh = store.indicator_readings(now, &t.keys)?;
        if let Some(board) = &mut m.board {
            for r in fresh {
                match board.readings.iter_mut().find(|o| o.id == r.id) {
                    Some(o) => *o = r,
                    None => board.readings.push(r),
                }
            }
        }
    }
    if let (Some(id), Some(board)) = (needs.detail, &m.board) {
        let changed = t.board
            || m.detail.as_ref().is_none_or(|d| d.reading.id != id)
            || board
                .readings
                .iter()
                .any(|r| r.id == id && t.keys.contains(&r.def.key));
        if changed {
            m.detail = match board.readings.iter().find(|r| r.id == id) {
                Some(r) => Some(load_detail(store, r, now)?),
                None => None,
            };
        }
    } else {
        m.detail = None;
    }
    if wants(needs.flow, t.flow, m.flow.is_some()) {
        m.flow = Some(store.flow_model(now, FLOW_WINDOW)?);
    }
    if wants(needs.alerts, t.alerts, m.alerts.is_some()) {
        m.alerts = Some(store.alerts_model(now)?);
    }
    if wants(needs.runs, t.runs, m.runs.is_some()) {
        m.runs = Some(store.runs_model(now)?);
    }
    if wants(needs.experiments, t.experiments, m.experiments.is_some()) {
        m.experiments = Some(store.experiments_model(now)?);
    }
    if wants(needs.decisions, t.decisions, m.decisions.is_some()) {
        m.decisions = Some(store.decisions_model()?);
    }
    if wants(needs.feedback, t.feedback, m.feedback.is_some()) {
        m.feedback = Some(store.feedback_model(now)?);
    }
    // Source runs are recorded in their own table, not the audit trail:
    // the Sources view reads them at every refresh (a few rows).
    if needs.sources {
        m.sources = Some(
            crate::sources::run::source_statuses(store, now)
                .map_err(crate::store::StoreError::Invalid)?,
        );
    }
    // Details and lists keyed by id: read again when their part changed.
    m.alert_detail = match needs.alert_detail {
        Some(id) if t.alerts || old.alert_detail.as_ref().is_none_or(|d| d.alert.id != id) => {
            load_alert_detail(store, id, needs.ack_timeout, now)?
        }
        Some(_) => old.alert_detail.clone(),
        None => None,
    };
    // An incident's timeline reads from several tables: read it again at
    // every refresh while it is open (a few hundred rows at most).
    m.incident = match needs.incident {
        Some(id) => load_incident_detail(store, id, now)?,
        None => None,
    };
    if (needs.work_list.is_some() || needs.work_item.is_some())
        && (t.flow || t.runs || (m.work_list.is_none() && m.work_item.is_none()))
    {
        let fresh = load(
            store,
            Needs {
                work_list: needs.work_list.clone(),
                work_item: needs.work_item,
                ..Needs::default()
            },
            now,
        )?;
        m.work_list = fresh.work_list;
        m.work_item = fresh.work_item;
    }
    if needs.work_list.is_none() {
        m.work_list = None;
    }
    if needs.work_item.is_none() {
        m.work_item = None;
    }
    Ok(m)
}

fn load_alert_detail(
    store: &Store,
    id: i64,
    ack_timeout: Option<i64>,
    now: Timestamp,
) -> Result<Option<AlertDetail>> {
    use crate::domain::escalation::AlertState;
    let alert = match store.alert(id) {
        Ok(a) => a,
        Err(crate::store::StoreError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let climbing = alert.cleared_at.is_none();
    let path =
        crate::domain::escalation::path::path_steps(&alert.timing(), &alert.path, climbing, now);
    let ack_expires_at = match (alert.state, alert.acked_at) {
        (AlertState::Acknowledged, Some(at)) => {
            let secs = match ack_timeout {
                Some(s) => s,
                None => store.operation_ack_timeout_secs()?,
            };
            (secs > 0).then_some(at + secs)
        }
        _ => None,
    };
    let run = match alert.run_id {
        Some(r) => store.run_link(r, now)?,
        None => None,
    };
    let book = store.oncall_book(now)?;
    let active = alert.state != AlertState::Resolved;
    let incident = match store.incident_of_alert(id)? {
        Some(i) => Some(store.incident(i)?),
        None => None,
    };
    Ok(Some(AlertDetail {
        events: store.alert_events(id)?,
        waiting_for: book.waiting_for(&alert, now),
        path_people: alert
            .path
            .iter()
            .map(|s| book.person_for(&s.target, now))
            .collect(),
        silenced: active.then(|| book.silenced(&alert, now)).flatten(),
        alert,
        path,
        ack_expires_at,
        run,
        incident,
    }))
}

/// One incident's detail; `None` when there is no such incident.
fn load_incident_detail(store: &Store, id: i64, now: Timestamp) -> Result<Option<IncidentDetail>> {
    let incident = match store.incident(id) {
        Ok(i) => i,
        Err(crate::store::StoreError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(IncidentDetail {
        alerts: store.incident_alerts(&incident)?,
        timeline: store.incident_timeline(&incident, now)?,
        actions: store.incident_actions(id)?,
        incident,
    }))
}

/// Recent values listed in an indicator's detail.
pub(crate) const DETAIL_VALUES: usize = 20;

fn load_detail(store: &Store, r: &Reading, now: Timestamp) -> Result<IndicatorDetail> {
    let span = (4 * r.def.window_secs).clamp(28 * DAY, 90 * DAY);
    let from = now - span;
    let points = store.indicator_history(r.id, &r.def, from, now)?;
    let days = (span / DAY) as usize;
    let values = bucketed(&points, r.def.aggregation, from + 1, now + 1, days);
    let history = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (from + (i as i64 + 1) * DAY, v))
        .collect();
    let mut notes: Vec<Note> = store
        .recent_notes(r.id, 8)?
        .into_iter()
        .map(|o| Note {
            at: o.at,
            actor: String::new(),
            text: format!(
                "{} — {}",
                crate::format::number(o.value),
                o.note.unwrap_or_default()
            ),
        })
        .collect();
    notes.extend(store.notes("indicator", &r.def.key, 8)?);
    notes.sort_by_key(|n| std::cmp::Reverse(n.at));
    notes.truncate(8);
    let values = if r.def.source == crate::domain::indicator::Source::Observations {
        store.observations_recent(r.id, None, DETAIL_VALUES)?
    } else {
        Vec::new()
    };
    let mut changes = store.indicator_changes(r.id)?;
    let steps = threshold_steps(&r.def, &changes, from, now);
    changes.reverse();
    Ok(IndicatorDetail {
        reading: r.clone(),
        history,
        from,
        to: now,
        notes,
        values,
        steps,
        changes,
    })
}

/// [`Store::late_actions`] with how late each is at `now`.
fn late_actions(
    store: &Store,
    now: Timestamp,
) -> Result<Vec<(i64, crate::domain::incident::ActionItem, i64)>> {
    Ok(store
        .late_actions(now)?
        .into_iter()
        .map(|(i, a)| {
            let late = a.due.map_or(0, |d| now - d);
            (i, a, late)
        })
        .collect())
}

fn load_standup(
    store: &Store,
    (board, stale): (Option<&Board>, &std::collections::BTreeSet<String>),
    before: Option<(Timestamp, Board)>,
    now: Timestamp,
) -> Result<StandupModel> {
    let previous = before.as_ref().map(|(at, _)| *at);
    let learning = store.learning_since(previous.unwrap_or(now - 7 * DAY), now)?;
    // Before the first standup, "new" means the last day.
    let alert_news = store.alert_news_since(previous.unwrap_or(now - DAY), STANDUP_ALERT_LIMIT)?;
    let speakers = speaker_order(store.people()?, now);
    let stale = stale.clone();
    let to_review = store
        .to_review(None, STANDUP_REVIEW_LIMIT)?
        .into_iter()
        .map(|t| {
            let def = board
                .and_then(|b| b.readings.iter().find(|r| r.def.key == t.indicator))
                .map(|r| (r.def.name.clone(), r.def.unit.clone()));
            let (indicator, unit) = def.unwrap_or_else(|| (t.indicator.clone(), String::new()));
            ReviewItem {
                id: t.id,
                indicator,
                unit,
                at: t.at,
                value: t.value,
                why: t.why,
            }
        })
        .collect();
    let Some(board) = board else {
        return Ok(StandupModel {
            previous,
            learning,
            alert_news,
            speakers,
            stale,
            to_review,
            oncall: store.oncall_now(now)?,
            late_actions: late_actions(store, now)?,
            ..Default::default()
        });
    };
    let mut changes = Vec::new();
    if let Some((_, before)) = before {
        for r in &board.readings {
            let old = before.readings.iter().find(|b| b.id == r.id);
            let was = old.map(|b| b.status).unwrap_or(Status::NoData);
            if was != r.status {
                let before_value = old.and_then(|b| b.value);
                changes.push(StatusChange {
                    key: r.def.key.clone(),
                    before_value,
                    trend: crate::domain::indicator::trend(r.value, before_value, r.def.direction),
                    name: r.def.name.clone(),
                    unit: r.def.unit.clone(),
                    before: was,
                    after: r.status,
                    before_text: old
                        .map(|b| b.status_text())
                        .unwrap_or_else(|| was.word().to_string()),
                    after_text: r.status_text(),
                    value: r.value,
                });
            }
        }
        changes.sort_by_key(|c| c.after.severity_rank());
    }
    // Most at risk first: breach before warn, then the ones getting worse.
    let trend_rank = |t: crate::domain::indicator::Trend| match t {
        crate::domain::indicator::Trend::Worse => 0,
        crate::domain::indicator::Trend::Unknown => 1,
        crate::domain::indicator::Trend::Flat => 2,
        crate::domain::indicator::Trend::Better => 3,
    };
    let mut attention: Vec<Reading> = board
        .readings
        .iter()
        .filter(|r| matches!(r.status, Status::Breach | Status::Warn))
        .cloned()
        .collect();
    attention.sort_by_key(|r| (r.status.severity_rank(), trend_rank(r.trend)));
    Ok(StandupModel {
        previous,
        changes,
        attention,
        learning,
        alert_news,
        speakers,
        stale,
        to_review,
        oncall: store.oncall_now(now)?,
        late_actions: late_actions(store, now)?,
    })
}
