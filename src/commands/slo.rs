//! `opsdeck slo list|import FILE`: the SLOs with their error budgets, and
//! importing definitions (all-or-nothing, versioned like playbooks).

use super::Context;
use crate::cli::{ListFormat, SloCommand};
use crate::domain::budget::{exhaustion_text, parse_slos};
use crate::format::{burn_text, percent_left, rfc3339};
use crate::store::slos::{import_slo, ImportOutcome};
use crate::text::{sanitize, sanitize_truncate};
use anyhow::Context as _;
use std::fmt::Write as _;

/// Runs one SLO subcommand.
pub fn run(ctx: &Context, action: SloCommand) -> anyhow::Result<u8> {
    match action {
        SloCommand::List { format } => list(ctx, format),
        SloCommand::Import { file } => import(ctx, &file),
    }
}

fn list(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let model = store.alerts_model(ctx.now)?;
    let out = match format {
        ListFormat::Json => {
            let rows: Vec<_> = model
                .slos
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "key": p.key, "name": p.name, "objective": p.objective,
                        "window_secs": p.window_secs, "good": p.good, "total": p.total,
                        "budget_remaining": p.remaining_fraction,
                        "budget_remaining_events": p.remaining_events,
                        "burn_long": p.burn_long, "burn_short": p.burn_short,
                        "long_window_secs": p.long_window_secs,
                        "short_window_secs": p.short_window_secs,
                        "exhaustion": p.exhaustion,
                        "firing": p.firing,
                    })
                })
                .collect();
            super::json_document(serde_json::json!({"at": rfc3339(ctx.now), "slos": rows}))?
        }
        ListFormat::Text => {
            let mut s = format!(
                "{:<34} {:>7} {:>9} {:>7} {:>7}  {}\n",
                "SLO", "target", "good/all", "budget", "burn", "exhaustion"
            );
            for p in &model.slos {
                let firing = p
                    .firing
                    .map(|f| format!("  ✗ {}", f.word()))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "{:<34} {:>6.1}% {:>9} {:>7} {:>7}  {}{firing}",
                    sanitize_truncate(&p.name, 34),
                    p.objective * 100.0,
                    format!("{}/{}", p.good, p.total),
                    percent_left(p.remaining_fraction),
                    burn_text(p.burn_long),
                    exhaustion_text(p.exhaustion),
                );
            }
            s
        }
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

fn import(ctx: &Context, file: &str) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read", sanitize(file)))?;
    let defs = match parse_slos(file, &text) {
        Ok(d) => d,
        Err(errors) => {
            for e in &errors {
                errln!("{}", sanitize(&e.to_string()));
            }
            anyhow::bail!(
                "{}: {} problem(s); nothing was imported",
                sanitize(file),
                errors.len()
            );
        }
    };
    let mut store = ctx.open()?;
    let outcomes = store.write(|tx| -> crate::store::Result<Vec<ImportOutcome>> {
        defs.iter()
            .map(|d| import_slo(tx, d, Some(file), ctx.now))
            .collect()
    })?;
    for (d, o) in defs.iter().zip(&outcomes) {
        let what = match o {
            ImportOutcome::Added => "added".to_string(),
            ImportOutcome::Updated { version } => format!("updated to version {version}"),
            ImportOutcome::Unchanged => "unchanged".to_string(),
        };
        outln!("{}: {what}", sanitize(&d.key));
    }
    Ok(0)
}
