//! `opsdeck run start|list|show|done|skip|undo|cancel|note`

mod view;

use super::Context;
use crate::cli::RunCommand;
use crate::domain::duration::parse_duration;
use crate::domain::playbook::EntryRefusal;
use crate::domain::Timestamp;
use crate::format::utc_minute;
use crate::store::runs::{
    add_run_note, cancel_run, close_item, start_run, undo_item, ItemAction, ItemChange, RunError,
    RunFilter,
};
use crate::store::runs_model::{sort_open_runs, OpenRun};
use crate::text::sanitize;
use anyhow::{anyhow, bail};

/// Runs one `run` subcommand.
pub fn run(ctx: &Context, command: RunCommand) -> anyhow::Result<u8> {
    let out = match command {
        RunCommand::Start { key, context, due } => start(ctx, &key, context.as_deref(), due)?,
        RunCommand::List {
            open,
            format,
            limit,
        } => {
            let store = ctx.open()?;
            let filter = if open {
                RunFilter::Open
            } else {
                RunFilter::Latest(limit)
            };
            let mut runs: Vec<OpenRun> = store
                .runs(filter)?
                .into_iter()
                .map(|r| OpenRun::new(r, ctx.now))
                .collect();
            if open {
                sort_open_runs(&mut runs);
                runs.truncate(limit);
            }
            view::list(&runs, format, ctx.now)?
        }
        RunCommand::Show { run } => {
            let id = run_number(&run)?;
            let store = ctx.open()?;
            let run = store.run(id)?.ok_or(RunError::NoSuchRun(id))?;
            let notes = store.notes("run", &id.to_string(), 20)?;
            view::show(&run, &notes, &store.roles()?, ctx.now)
        }
        RunCommand::Done {
            run,
            item,
            note,
            override_reason,
        } => {
            let action = ItemAction::Done {
                note: note.as_deref(),
            };
            close(ctx, &run, &item, action, override_reason.as_deref())?
        }
        RunCommand::Skip {
            run,
            item,
            reason,
            override_reason,
        } => {
            let action = ItemAction::Skip { reason: &reason };
            close(ctx, &run, &item, action, override_reason.as_deref())?
        }
        RunCommand::Undo { run, item } => {
            let id = run_number(&run)?;
            let undo = ctx
                .open()?
                .write(|tx| undo_item(tx, ctx.now, id, &item))
                .map_err(with_hint)?;
            let mut s = format!(
                "run #{id}: {} is pending again (was {}) — {}\n",
                sanitize(&undo.label),
                undo.was,
                sanitize(&undo.text)
            );
            if undo.reopened {
                s.push_str(&format!("run #{id} is open again\n"));
            }
            s
        }
        RunCommand::Cancel { run, reason } => {
            let id = run_number(&run)?;
            ctx.open()?
                .write(|tx| cancel_run(tx, ctx.now, id, &reason))
                .map_err(with_hint)?;
            format!("run #{id} cancelled\n")
        }
        RunCommand::Note { run, text } => {
            let id = run_number(&run)?;
            ctx.open()?
                .write(|tx| add_run_note(tx, ctx.now, id, &text))
                .map_err(with_hint)?;
            format!("note added to run #{id}\n")
        }
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

/// `5` or `#5`.
pub(crate) fn run_number(text: &str) -> anyhow::Result<i64> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            anyhow!(
                "'{}' is not a run number (see `opsdeck run list`)",
                crate::text::sanitize_truncate(text, 40)
            )
        })
}

/// `--due`: a time (RFC 3339 or YYYY-MM-DD) or a duration from now (`4h`).
pub(crate) fn parse_due(text: &str, now: Timestamp) -> anyhow::Result<Timestamp> {
    if let Ok(t) = crate::ingest::parse_time(text) {
        return Ok(t);
    }
    match parse_duration(text) {
        Ok(d) => Ok(now.saturating_add(d.num_seconds())),
        Err(_) => bail!(
            "--due: '{}' is neither a time (2026-03-01T17:00:00Z, 2026-03-01) nor a duration from now (4h, 2d)",
            crate::text::sanitize_truncate(text, 40)
        ),
    }
}

/// Adds the command-line hint to a gate refusal.
fn with_hint(e: RunError) -> anyhow::Error {
    match &e {
        RunError::Gated {
            refusal: EntryRefusal::Gated { .. },
            ..
        } => anyhow!("{e} (--override REASON)"),
        RunError::NoSuchRun(_) => anyhow!("{e} (see `opsdeck run list`)"),
        RunError::NoSuchPlaybook { .. } => anyhow!("{e}"),
        _ => e.into(),
    }
}

fn start(
    ctx: &Context,
    key: &str,
    context: Option<&str>,
    due: Option<String>,
) -> anyhow::Result<String> {
    let due_at = due.as_deref().map(|d| parse_due(d, ctx.now)).transpose()?;
    let started = ctx
        .open()?
        .write(|tx| start_run(tx, ctx.now, key, context, due_at))
        .map_err(with_hint)?;
    let mut s = format!(
        "started run #{}: {} (v{}){}, {} items",
        started.id,
        sanitize(&started.name),
        started.version,
        context
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| format!(" for {}", sanitize(c)))
            .unwrap_or_default(),
        started.items
    );
    if let Some(d) = due_at {
        s.push_str(&format!(", due {} UTC", utc_minute(d)));
        if d <= ctx.now {
            s.push_str(" (already past: the run is overdue)");
        }
    }
    s.push('\n');
    Ok(s)
}

fn close(
    ctx: &Context,
    run: &str,
    item: &str,
    action: ItemAction<'_>,
    override_reason: Option<&str>,
) -> anyhow::Result<String> {
    let id = run_number(run)?;
    let change: ItemChange = ctx
        .open()?
        .write(|tx| close_item(tx, ctx.now, id, item, action, override_reason))
        .map_err(with_hint)?;
    let mut s = format!(
        "run #{id}: {} {} — {}\n",
        sanitize(&change.label),
        change.word,
        sanitize(&change.text)
    );
    if let Some(step) = &change.overrode {
        s.push_str(&format!(
            "  entry gate overridden (step '{}' unfinished); the reason is in the audit trail\n",
            sanitize(step)
        ));
    }
    if change.override_unneeded {
        s.push_str("  (no override was needed: the step had started)\n");
    }
    if change.completed {
        s.push_str(&format!("run #{id} is complete\n"));
    }
    Ok(s)
}
