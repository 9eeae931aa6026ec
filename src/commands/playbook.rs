//! `opsdeck playbook list|show KEY|import FILE`

use super::Context;
use crate::cli::{ListFormat, PlaybookCommand};
use crate::domain::duration::format_duration;
use crate::domain::playbook::{parse_playbook, EscalationTarget, PlaybookDef};
use crate::format::{rfc3339, utc_date, utc_minute};
use crate::store::playbooks::{import_playbook, ImportOutcome, PlaybookSummary};
use crate::store::roles::RoleHolders;
use crate::text::sanitize;
use anyhow::{anyhow, bail};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Largest playbook file accepted, in bytes.
pub(crate) const MAX_PLAYBOOK_BYTES: u64 = 1024 * 1024;

/// Runs one `playbook` subcommand.
pub fn run(ctx: &Context, command: PlaybookCommand) -> anyhow::Result<u8> {
    match command {
        PlaybookCommand::List { format } => list(ctx, format),
        PlaybookCommand::Show { key } => show(ctx, &key),
        PlaybookCommand::Import { file } => import(ctx, &file),
        PlaybookCommand::Reviewed { key } => reviewed(ctx, &key),
    }
}

/// `opsdeck playbook reviewed KEY`: a new version whose review date is
/// today (the clock's UTC day); audited by the import.
fn reviewed(ctx: &Context, key: &str) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let current = store
        .playbook(key)?
        .ok_or_else(|| anyhow::anyhow!("unknown playbook '{}'", sanitize(key)))?;
    let mut def = current.def.clone();
    def.last_reviewed = chrono::DateTime::from_timestamp(ctx.now, 0)
        .map(|t| t.date_naive())
        .ok_or_else(|| anyhow::anyhow!("the clock is out of range"))?;
    let source = format!("reviewed by {}", ctx.actor);
    let outcome = store.write(|tx| import_playbook(tx, ctx.now, &def, &source))?;
    let due = utc_date(def.review_due_at());
    match outcome {
        ImportOutcome::Unchanged { version } => println!(
            "{} version {version} was already reviewed today; next review due {due}",
            sanitize(key)
        ),
        _ => println!("{} reviewed today; next review due {due}", sanitize(key)),
    }
    Ok(0)
}

fn print(out: &str) -> anyhow::Result<u8> {
    crate::commands::emit(out)?;
    Ok(0)
}

/// The review column: a word and a symbol, never colour alone.
pub(crate) fn review_flag(past_review: bool, due: i64) -> String {
    if past_review {
        format!("✗ past review (due {})", utc_date(due))
    } else {
        format!("✓ next review {}", utc_date(due))
    }
}

fn list(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let playbooks = store.playbooks(ctx.now)?;
    let out = match format {
        ListFormat::Json => super::json_document(json(&playbooks, ctx.now))?,
        ListFormat::Text => text(&playbooks),
    };
    print(&out)
}

fn json(playbooks: &[PlaybookSummary], now: i64) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = playbooks
        .iter()
        .map(|p| {
            serde_json::json!({
                "key": p.key,
                "name": sanitize(&p.name),
                "version": p.version,
                "versions": p.versions,
                "steps": p.steps,
                "items": p.items,
                "open_runs": p.open_runs,
                "review_due_at": rfc3339(p.review_due_at),
                "past_review": p.past_review,
            })
        })
        .collect();
    serde_json::json!({ "at": rfc3339(now), "playbooks": rows })
}

fn text(playbooks: &[PlaybookSummary]) -> String {
    let mut s = String::new();
    if playbooks.is_empty() {
        s.push_str("no playbooks yet: import one with `opsdeck playbook import FILE`\n");
        return s;
    }
    let _ = writeln!(
        s,
        "{:<20} {:<26} {:>4} {:>5} {:>5} {:>4}  REVIEW",
        "KEY", "NAME", "VER", "STEPS", "ITEMS", "OPEN"
    );
    for p in playbooks {
        let _ = writeln!(
            s,
            "{:<20} {:<26} {:>4} {:>5} {:>5} {:>4}  {}",
            sanitize(&p.key),
            crate::text::sanitize_truncate(&p.name, 26),
            format!("v{}", p.version),
            p.steps,
            p.items,
            p.open_runs,
            review_flag(p.past_review, p.review_due_at)
        );
    }
    let past = playbooks.iter().filter(|p| p.past_review).count();
    if past > 0 {
        let _ = writeln!(
            s,
            "{past} playbook{} past its review date: review it and re-import it with a new last_reviewed",
            if past == 1 { "" } else { "s" }
        );
    }
    s
}

/// A role as shown next to a step: name, key and the single-point-of-failure
/// flag.
pub(crate) fn role_label(roles: &[RoleHolders], key: &str) -> String {
    match roles.iter().find(|r| r.key == key) {
        Some(r) if r.is_single_point_of_failure() => format!(
            "{} ({}) ⚠ single point of failure: {} {}",
            sanitize(&r.name),
            sanitize(&r.key),
            r.people.len(),
            if r.people.len() == 1 {
                "person"
            } else {
                "people"
            }
        ),
        Some(r) => format!("{} ({})", sanitize(&r.name), sanitize(&r.key)),
        None => format!("{} (unknown role)", sanitize(key)),
    }
}

fn escalation_line(def: &PlaybookDef) -> String {
    def.escalation
        .iter()
        .map(|l| {
            let who = match &l.target {
                EscalationTarget::Role(r) => format!("role {}", sanitize(r)),
                EscalationTarget::Person(p) => format!("person {}", sanitize(p)),
            };
            format!("after {} → {who}", format_duration(l.after_secs))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn show(ctx: &Context, key: &str) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let Some(pb) = store.playbook(key)? else {
        bail!(
            "no playbook '{}' (see `opsdeck playbook list`)",
            crate::text::sanitize_truncate(key, 40)
        );
    };
    let roles = store.roles()?;
    let versions = store.playbook_versions(key)?;
    let def = &pb.def;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({}) — version {}, imported {} UTC by {} from {}",
        sanitize(&def.name),
        sanitize(&pb.key),
        pb.version,
        utc_minute(pb.imported_at),
        sanitize(&pb.imported_by),
        sanitize(&pb.source)
    );
    let _ = writeln!(s, "{}", sanitize(&def.description));
    let _ = writeln!(
        s,
        "review every {}, last reviewed {}: {}",
        format_duration(def.review_every_secs),
        def.last_reviewed,
        review_flag(def.is_past_review(ctx.now), def.review_due_at())
    );
    let _ = writeln!(s, "escalation: {}", escalation_line(def));
    if versions.len() > 1 {
        let list: Vec<String> = versions
            .iter()
            .map(|v| format!("v{} {}", v.version, utc_date(v.imported_at)))
            .collect();
        let _ = writeln!(s, "versions: {}", list.join(", "));
    }
    let mut n = 0;
    for (i, step) in def.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "\nstep {}/{} {} — {}",
            i + 1,
            def.steps.len(),
            sanitize(&step.key),
            sanitize(&step.title)
        );
        let _ = writeln!(s, "  owner:     {}", role_label(&roles, &step.owner));
        let _ = writeln!(s, "  tolerance: {}", format_duration(step.tolerance_secs));
        if let Some(h) = &step.handoff {
            let _ = writeln!(s, "  handoff:   → {}", role_label(&roles, h));
        }
        let _ = writeln!(s, "  entry:     {}", sanitize(&step.entry));
        let _ = writeln!(s, "  exit:      {}", sanitize(&step.exit));
        for (j, item) in step.items.iter().enumerate() {
            n += 1;
            let label = format!("{}.{}", step.key, j + 1);
            let _ = writeln!(s, "  {n:>3} {:<14} {}", sanitize(&label), sanitize(item));
        }
    }
    print(&s)
}

fn import(ctx: &Context, file: &Path) -> anyhow::Result<u8> {
    let label = file.display().to_string();
    let shown = sanitize(&label);
    let meta = std::fs::metadata(file).map_err(|e| anyhow!("{shown}: cannot open: {e}"))?;
    if meta.len() > MAX_PLAYBOOK_BYTES {
        bail!(
            "{shown}: the file is {} bytes; a playbook is at most {MAX_PLAYBOOK_BYTES} bytes",
            meta.len()
        );
    }
    let bytes = std::fs::read(file).map_err(|e| anyhow!("{shown}: cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{shown}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let mut store = ctx.open()?;
    let roles = store.role_keys()?;
    let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
    let def = match parse_playbook(&label, &text, &roles) {
        Ok(def) => def,
        Err(errors) => {
            let mut err = std::io::stderr().lock();
            for e in &errors {
                let _ = writeln!(err, "{}", sanitize(&e.to_string()));
            }
            let _ = writeln!(
                err,
                "opsdeck: {shown}: {} problem{}; nothing was imported",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return Ok(2);
        }
    };
    let today = chrono::DateTime::from_timestamp(ctx.now, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    if def.last_reviewed > today {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("last_reviewed"))
            .map_or(1, |i| i + 1);
        errln!(
            "{shown}:{line}: last_reviewed: {} is in the future (today is {today}); it records a review that happened",
            def.last_reviewed
        );
        errln!("opsdeck: {shown}: 1 problem; nothing was imported");
        return Ok(2);
    }
    let outcome = store.write(|tx| import_playbook(tx, ctx.now, &def, &label))?;
    let key = sanitize(&def.key);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let size = format!(
        "{}, {}",
        plural(def.steps.len(), "step"),
        plural(def.item_count(), "item")
    );
    let line = match outcome {
        ImportOutcome::Created { version } => {
            format!("imported playbook {key} version {version} ({size})")
        }
        ImportOutcome::NewVersion { version, previous } => format!(
            "imported playbook {key} version {version} ({size}); runs started on version {previous} or earlier keep their version"
        ),
        ImportOutcome::Unchanged { version } => {
            format!("playbook {key} is unchanged (version {version}); nothing was written")
        }
    };
    print(&(line + "\n"))
}
