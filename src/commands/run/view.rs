//! Text and JSON of `run list` and `run show`. Every data-derived string
//! goes through `sanitize`.

use crate::cli::ListFormat;
use crate::commands::playbook::role_label;
use crate::domain::duration::format_duration;
use crate::domain::playbook::{Gate, ItemRef, RunItemState};
use crate::domain::Timestamp;
use crate::format::{rfc3339, utc_minute};
use crate::store::notes::Note;
use crate::store::roles::RoleHolders;
use crate::store::runs::{Run, RunState};
use crate::store::runs_model::{lateness, OpenRun};
use crate::text::{sanitize, sanitize_truncate};
use std::fmt::Write as _;

/// The state column: `done`, `cancelled`, `open`, or `✗ overdue 2h`.
pub(crate) fn state_word(run: &OpenRun) -> String {
    match (run.run.state, run.late_by) {
        (RunState::Open, Some(late)) => format!("✗ overdue {}", lateness(late)),
        (RunState::Open, None) => "open".to_string(),
        (state, _) => state.word().to_string(),
    }
}

/// `run list` as text or JSON.
pub fn list(runs: &[OpenRun], format: ListFormat, now: Timestamp) -> anyhow::Result<String> {
    if format == ListFormat::Json {
        let rows: Vec<serde_json::Value> = runs.iter().map(json).collect();
        return crate::commands::json_document(
            serde_json::json!({ "at": rfc3339(now), "runs": rows }),
        );
    }
    let mut s = String::new();
    if runs.is_empty() {
        s.push_str("no runs: start one with `opsdeck run start PLAYBOOK --for CONTEXT`\n");
        return Ok(s);
    }
    let _ = writeln!(
        s,
        "{:>5}  {:<21} {:<14} {:>10}  {:<16} {:<22} DUE",
        "RUN", "PLAYBOOK", "FOR", "PROGRESS", "STATE", "NOW AT"
    );
    for r in runs {
        let p = r.progress;
        let at = match (r.current_step, r.run.state) {
            (Some(i), RunState::Open) => r
                .run
                .def()
                .steps
                .get(i)
                .map(|st| format!("{} · {}", st.key, st.owner))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let line = format!(
            "{:>5}  {:<21} {:<14} {:>10}  {:<16} {:<22} {}",
            format!("#{}", r.run.id),
            sanitize_truncate(&format!("{} v{}", r.run.key, r.run.version), 21),
            sanitize_truncate(r.run.context.as_deref().unwrap_or("—"), 14),
            format!("{}/{} {:>3}%", p.closed(), p.total, p.percent()),
            state_word(r),
            sanitize_truncate(&at, 22),
            r.run.checklist.due_at.map(utc_minute).unwrap_or_default()
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let overdue = runs.iter().filter(|r| r.is_overdue()).count();
    if overdue > 0 {
        let _ = writeln!(s, "{overdue} overdue (times UTC)");
    }
    Ok(s)
}

fn json(r: &OpenRun) -> serde_json::Value {
    let run = &r.run;
    let p = r.progress;
    serde_json::json!({
        "id": run.id,
        "playbook": run.key,
        "version": run.version,
        "name": sanitize(&run.def().name),
        "for": run.context.as_deref().map(sanitize),
        "state": run.state,
        "started_at": rfc3339(run.checklist.started_at),
        "started_by": sanitize(&run.started_by),
        "due_at": run.checklist.due_at.map(rfc3339),
        "closed_at": run.closed_at.map(rfc3339),
        "done": p.done,
        "skipped": p.skipped,
        "total": p.total,
        "overdue": r.is_overdue(),
        "late_by_secs": r.late_by,
        "current_step": r.current_step.and_then(|i| run.def().steps.get(i)).map(|s| s.key.clone()),
        "owner_role": r.owner_role,
        "late_items": r.late_items.iter().map(|i| i.label.clone()).collect::<Vec<_>>(),
    })
}

fn item_line(s: &mut String, n: usize, run: &Run, item: ItemRef) {
    let label = run.def().item_label(item).unwrap_or_default();
    let text = run.def().item_text(item).unwrap_or_default();
    let (mark, who) = match run.checklist.state(item) {
        RunItemState::Pending => ("[ ] pending", String::new()),
        RunItemState::Done { by, at, .. } => (
            "[x] done   ",
            format!("  ({} {})", sanitize(by), utc_minute(*at)),
        ),
        RunItemState::Skipped { by, at, .. } => (
            "[-] skipped",
            format!("  ({} {})", sanitize(by), utc_minute(*at)),
        ),
    };
    let _ = writeln!(
        s,
        "  {n:>3} {:<14} {mark}  {}{who}",
        sanitize(&label),
        sanitize(text)
    );
    match run.checklist.state(item) {
        RunItemState::Done { note: Some(n), .. } => {
            let _ = writeln!(s, "{:>24}note: {}", "", sanitize(n));
        }
        RunItemState::Skipped { reason, .. } => {
            let _ = writeln!(s, "{:>24}reason: {}", "", sanitize(reason));
        }
        _ => {}
    }
    if let Some(o) = run.override_reason(item) {
        let _ = writeln!(
            s,
            "{:>24}⚠ checked before its step started: {}",
            "",
            sanitize(o)
        );
    }
}

fn step_status(run: &Run, step: usize, now: Timestamp) -> String {
    let c = &run.checklist;
    if c.is_step_complete(step) {
        return "✓ complete".into();
    }
    if run.state != RunState::Open {
        return "not finished".into();
    }
    if let Gate::Closed { waiting_on, .. } = c.gate(step) {
        let key = run
            .def()
            .steps
            .get(waiting_on)
            .map(|s| s.key.as_str())
            .unwrap_or("?");
        return format!("waiting for {}", sanitize(key));
    }
    match (c.step_due_at(step), c.step_overdue_by(step, now)) {
        (Some(_), Some(late)) => format!("✗ overdue by {}", lateness(late)),
        (Some(due), None) => format!("▶ under way, due {}", utc_minute(due)),
        (None, _) => "▶ under way".into(),
    }
}

/// `run show` as text (times UTC).
pub fn show(run: &Run, notes: &[Note], roles: &[RoleHolders], now: Timestamp) -> String {
    let mut s = String::new();
    let def = run.def();
    let p = run.progress();
    let _ = writeln!(
        s,
        "run #{} — {} ({} v{}){}",
        run.id,
        sanitize(&def.name),
        sanitize(&run.key),
        run.version,
        run.context
            .as_deref()
            .map(|c| format!(" for {}", sanitize(c)))
            .unwrap_or_default()
    );
    let state = match (run.state, run.late_by(now)) {
        (RunState::Open, Some(late)) => format!("✗ OVERDUE by {}", lateness(late)),
        (RunState::Open, None) => "open, on time".into(),
        (RunState::Done, _) => format!(
            "✓ done {}",
            run.closed_at.map(utc_minute).unwrap_or_default()
        ),
        (RunState::Cancelled, _) => format!(
            "cancelled {} by {}: {}",
            run.closed_at.map(utc_minute).unwrap_or_default(),
            sanitize(run.closed_by.as_deref().unwrap_or("?")),
            sanitize(run.cancel_reason.as_deref().unwrap_or(""))
        ),
    };
    let _ = writeln!(
        s,
        "{state} · {}/{} closed ({} done, {} skipped, {}%)",
        p.closed(),
        p.total,
        p.done,
        p.skipped,
        p.percent()
    );
    let _ = writeln!(
        s,
        "started {} by {}{} (times UTC)",
        utc_minute(run.checklist.started_at),
        sanitize(&run.started_by),
        run.checklist
            .due_at
            .map(|d| format!(" · due {}", utc_minute(d)))
            .unwrap_or_default()
    );
    let mut n = 0;
    for (i, step) in def.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "\nstep {}/{} {} — {} · {}",
            i + 1,
            def.steps.len(),
            sanitize(&step.key),
            sanitize(&step.title),
            step_status(run, i, now)
        );
        let _ = writeln!(
            s,
            "  owner {} · tolerance {}",
            role_label(roles, &step.owner),
            format_duration(step.tolerance_secs)
        );
        for item in 0..step.items.len() {
            n += 1;
            item_line(&mut s, n, run, ItemRef { step: i, item });
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(s, "\nnotes:");
        for note in notes {
            let _ = writeln!(
                s,
                "  {} {}: {}",
                utc_minute(note.at),
                sanitize(&note.actor),
                sanitize(&note.text)
            );
        }
    }
    s
}
