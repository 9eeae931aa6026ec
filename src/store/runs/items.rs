//! Writing runs: start one, check, skip or undo an item, cancel, note. Each
//! write reloads the run inside its `BEGIN IMMEDIATE` transaction, asks the
//! domain whether the change is allowed, and is audited in the same
//! transaction.

use super::{load_run, Run, RunError, RunState};
use crate::domain::limits::{MAX_NAME, MAX_TEXT};
use crate::domain::playbook::{EntryPermit, ItemRef, RunItemState};
use crate::domain::Timestamp;
use crate::store::{audit, notes, Tx};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

type Result<T> = std::result::Result<T, RunError>;

/// What to do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAction<'a> {
    /// Check it, with an optional note.
    Done { note: Option<&'a str> },
    /// Skip it deliberately; the reason is required.
    Skip { reason: &'a str },
}

/// A run that was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedRun {
    pub id: i64,
    pub key: String,
    pub name: String,
    /// The playbook version the run follows from now on.
    pub version: i64,
    pub items: usize,
}

/// An item that was checked or skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    pub run: i64,
    /// `STEP.N`.
    pub label: String,
    /// The item's text.
    pub text: String,
    /// `done` or `skipped`.
    pub word: &'static str,
    /// Key of the unfinished step whose gate was overridden, if any.
    pub overrode: Option<String>,
    /// An override reason was given but the step was open: nothing overridden.
    pub override_unneeded: bool,
    /// This was the run's last open item: the run is now done.
    pub completed: bool,
}

/// An item put back to pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemUndo {
    pub run: i64,
    pub label: String,
    pub text: String,
    /// What it was: `done` or `skipped`.
    pub was: &'static str,
    /// The run was done and is open again.
    pub reopened: bool,
}

/// A required reason or note: trimmed, not empty, at most `MAX_TEXT`.
fn required_text(field: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(RunError::Invalid(format!("{field}: must not be empty")));
    }
    optional_text(field, Some(t)).map(|t| t.unwrap_or_default())
}

fn optional_text(field: &str, text: Option<&str>) -> Result<Option<String>> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let n = t.chars().count();
    if n > MAX_TEXT {
        return Err(RunError::Invalid(format!(
            "{field}: too long ({n} characters; at most {MAX_TEXT})"
        )));
    }
    Ok(Some(t.to_string()))
}

/// Starts a run of the newest version of playbook `key`, by the transaction's
/// actor, at `now`. `context` says what it is for; `due_at` when it must be
/// finished. Audited.
pub fn start_run(
    tx: &Tx<'_>,
    now: Timestamp,
    key: &str,
    context: Option<&str>,
    due_at: Option<Timestamp>,
) -> Result<StartedRun> {
    let context = optional_text("--for", context)?;
    if let Some(c) = &context {
        if c.chars().count() > MAX_NAME {
            return Err(RunError::Invalid(format!(
                "--for: too long (at most {MAX_NAME} characters)"
            )));
        }
    }
    let found: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT v.id, v.version, v.definition FROM playbooks p
             JOIN playbook_versions v ON v.playbook_id = p.id
             WHERE p.key = ?1 ORDER BY v.version DESC LIMIT 1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((version_id, version, json)) = found else {
        let mut stmt = tx.prepare_cached("SELECT key FROM playbooks ORDER BY key")?;
        let known = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Err(RunError::NoSuchPlaybook {
            key: crate::text::sanitize_truncate(key, 40),
            known: known.join(", "),
        });
    };
    let def = crate::store::playbooks::parse_definition(key, version, &json)?;
    tx.execute(
        "INSERT INTO checklist_runs (version_id, context, started_by, started_at, due_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![version_id, context, tx.actor, now, due_at],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(
        tx,
        now,
        "start",
        "run",
        Some(&id.to_string()),
        &json!({ "playbook": key, "version": version, "for": context, "due_at": due_at }),
    )?;
    Ok(StartedRun {
        id,
        key: key.to_string(),
        name: def.name.clone(),
        version,
        items: def.item_count(),
    })
}

/// Loads a run for a change of its items: it must exist and not be cancelled.
fn changeable(tx: &Tx<'_>, id: i64) -> Result<Run> {
    let run = load_run(tx, id)?.ok_or(RunError::NoSuchRun(id))?;
    if run.state == RunState::Cancelled {
        return Err(RunError::Cancelled(id));
    }
    Ok(run)
}

fn label(run: &Run, item: ItemRef) -> (String, String) {
    (
        run.def().item_label(item).unwrap_or_default(),
        run.def().item_text(item).unwrap_or_default().to_string(),
    )
}

/// Checks or skips an item of run `id`, by the transaction's actor at `now`.
/// A step whose entry criteria are not met (the previous step has open
/// items) refuses unless `override_reason` is given; the override is stored
/// with the item and audited. The run's last open item completes it.
pub fn close_item(
    tx: &Tx<'_>,
    now: Timestamp,
    id: i64,
    reference: &str,
    action: ItemAction<'_>,
    override_reason: Option<&str>,
) -> Result<ItemChange> {
    let mut run = changeable(tx, id)?;
    let item = run.resolve(reference)?;
    let (label, text) = label(&run, item);
    match run.checklist.state(item) {
        RunItemState::Pending => {}
        RunItemState::Done { by, .. } | RunItemState::Skipped { by, .. } => {
            return Err(RunError::AlreadyClosed {
                run: id,
                word: run.checklist.state(item).word(),
                by: crate::text::sanitize(by),
                label,
            })
        }
    }
    // A blank `--override` reaches the domain as `Some("")`, which refuses it
    // when the gate is closed (and ignores it when the gate is open).
    let override_reason = override_reason.map(str::trim);
    optional_text("--override", override_reason)?;
    let permit = run
        .checklist
        .may_check(item, override_reason)
        .map_err(|refusal| RunError::Gated {
            run: id,
            label: label.clone(),
            refusal,
        })?;
    let overridden = match &permit {
        EntryPermit::Open => None,
        EntryPermit::Overridden { gated_by, reason } => Some((*gated_by, reason.clone())),
    };
    let (word, state, note, reason) = match action {
        ItemAction::Done { note } => {
            let note = optional_text("--note", note)?;
            let st = RunItemState::Done {
                by: tx.actor.to_string(),
                at: now,
                note: note.clone(),
            };
            ("done", st, note, None)
        }
        ItemAction::Skip { reason } => {
            let reason = required_text("--reason", reason)?;
            let st = RunItemState::Skipped {
                by: tx.actor.to_string(),
                at: now,
                reason: reason.clone(),
            };
            ("skipped", st, None, Some(reason))
        }
    };
    tx.execute(
        "INSERT INTO run_items (run_id, step, item, state, actor, at, note, reason, override_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            item.step as i64,
            item.item as i64,
            word,
            tx.actor,
            now,
            note,
            reason,
            overridden.as_ref().map(|(_, r)| r.as_str())
        ],
    )?;
    let entity_id = id.to_string();
    let verb = if word == "done" { "done" } else { "skip" };
    audit::record(
        tx,
        now,
        verb,
        "run",
        Some(&entity_id),
        &json!({ "item": label, "text": text, "note": note, "reason": reason }),
    )?;
    let overrode = match overridden {
        Some((gated_by, reason)) => {
            let step = run
                .def()
                .steps
                .get(gated_by)
                .map(|s| s.key.clone())
                .unwrap_or_default();
            audit::record(
                tx,
                now,
                "override",
                "run",
                Some(&entity_id),
                &json!({ "item": label, "gated_by": step, "reason": reason }),
            )?;
            Some(step)
        }
        None => None,
    };
    run.checklist.set(item, state);
    let completed = run.state == RunState::Open && run.checklist.is_complete();
    if completed {
        tx.execute(
            "UPDATE checklist_runs SET state = 'done', closed_at = ?2, closed_by = ?3 WHERE id = ?1",
            params![id, now, tx.actor],
        )?;
        audit::record(tx, now, "complete", "run", Some(&entity_id), &json!({}))?;
    }
    Ok(ItemChange {
        run: id,
        label,
        text,
        word,
        override_unneeded: overrode.is_none() && override_reason.is_some_and(|r| !r.is_empty()),
        overrode,
        completed,
    })
}

/// Puts an item back to pending (never gated). A done run is open again.
/// Audited with what the item was.
pub fn undo_item(tx: &Tx<'_>, now: Timestamp, id: i64, reference: &str) -> Result<ItemUndo> {
    let run = changeable(tx, id)?;
    let item = run.resolve(reference)?;
    let (label, text) = label(&run, item);
    let state = run.checklist.state(item);
    let (by, at) = match state {
        RunItemState::Pending => return Err(RunError::NotClosed { run: id, label }),
        RunItemState::Done { by, at, .. } | RunItemState::Skipped { by, at, .. } => (by, *at),
    };
    tx.execute(
        "DELETE FROM run_items WHERE run_id = ?1 AND step = ?2 AND item = ?3",
        params![id, item.step as i64, item.item as i64],
    )?;
    let reopened = run.state == RunState::Done;
    if reopened {
        tx.execute(
            "UPDATE checklist_runs SET state = 'open', closed_at = NULL, closed_by = NULL WHERE id = ?1",
            [id],
        )?;
    }
    audit::record(
        tx,
        now,
        "undo",
        "run",
        Some(&id.to_string()),
        &json!({ "item": label, "was": state.word(), "by": by, "at": at, "reopened": reopened }),
    )?;
    Ok(ItemUndo {
        run: id,
        label,
        text,
        was: state.word(),
        reopened,
    })
}

/// Cancels an open run with a reason: it stops counting as open or overdue.
/// Audited.
pub fn cancel_run(tx: &Tx<'_>, now: Timestamp, id: i64, reason: &str) -> Result<()> {
    let reason = required_text("--reason", reason)?;
    let run = load_run(tx, id)?.ok_or(RunError::NoSuchRun(id))?;
    if run.state != RunState::Open {
        return Err(RunError::NotOpen {
            run: id,
            state: run.state.word(),
        });
    }
    tx.execute(
        "UPDATE checklist_runs SET state = 'cancelled', closed_at = ?2, closed_by = ?3,
         cancel_reason = ?4 WHERE id = ?1",
        params![id, now, tx.actor, reason],
    )?;
    audit::record(
        tx,
        now,
        "cancel",
        "run",
        Some(&id.to_string()),
        &json!({ "reason": reason }),
    )?;
    Ok(())
}

/// Adds a note to run `id` (any state). Audited by the notes module.
pub fn add_run_note(tx: &Tx<'_>, now: Timestamp, id: i64, text: &str) -> Result<()> {
    let text = required_text("note", text)?;
    if load_run(tx, id)?.is_none() {
        return Err(RunError::NoSuchRun(id));
    }
    notes::add_note(tx, now, "run", &id.to_string(), &text)?;
    Ok(())
}
