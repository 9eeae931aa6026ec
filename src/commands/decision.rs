//! `opsdeck decision add|list`: the decision log.

use super::Context;
use crate::cli::learning::DecisionCommand;
use crate::cli::OutputFormat;
use crate::domain::decision::{parse_evidence_ref, to_markdown, DecisionRecord, EvidenceRef};
use crate::format::utc_minute;
use crate::store::decisions::insert_decision;
use crate::text::sanitize;
use anyhow::anyhow;
use std::fmt::Write as _;

/// Runs one decision subcommand.
pub fn run(ctx: &Context, command: DecisionCommand) -> anyhow::Result<u8> {
    match command {
        DecisionCommand::Add {
            title,
            why,
            evidence,
            supersedes,
        } => add(ctx, &title, &why, &evidence, supersedes.as_deref()),
        DecisionCommand::List { format } => list(ctx, format),
    }
}

fn add(
    ctx: &Context,
    title: &str,
    why: &str,
    evidence: &[String],
    supersedes: Option<&str>,
) -> anyhow::Result<u8> {
    let (refs, supersedes) = decision_args(evidence, supersedes)?;
    let mut store = ctx.open()?;
    let captured = store.capture_evidence(&refs, ctx.now)?;
    let id = store.write(|tx| insert_decision(tx, ctx.now, title, why, &captured, supersedes))?;
    outln!("recorded decision #{id}: {}", sanitize(title));
    if let Some(old) = supersedes {
        outln!("supersedes #{old}");
    }
    for e in &captured {
        outln!("evidence {} — {}", e.reference, sanitize(&e.summary));
    }
    Ok(0)
}

/// Checks `--evidence` and `--supersedes` of `decision add` (the CLI and the
/// cockpit's `:` line).
pub(crate) fn decision_args(
    evidence: &[String],
    supersedes: Option<&str>,
) -> anyhow::Result<(Vec<EvidenceRef>, Option<i64>)> {
    let refs = evidence
        .iter()
        .map(|e| parse_evidence_ref(e).map_err(|m| anyhow!("--evidence: {m}")))
        .collect::<anyhow::Result<Vec<EvidenceRef>>>()?;
    let supersedes = supersedes
        .map(|s| match s.trim().trim_start_matches('#').parse::<i64>() {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(anyhow!(
                "--supersedes: '{}' is not a decision id (a positive whole number, see `opsdeck decision list`)",
                crate::text::sanitize_truncate(s, 30)
            )),
        })
        .transpose()?;
    Ok((refs, supersedes))
}

fn list(ctx: &Context, format: OutputFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let decisions = store.decisions()?;
    let out = match format {
        OutputFormat::Json => {
            let mut rows = serde_json::to_value(&decisions)?;
            super::rfc3339_times(&mut rows, &["at", "evaluated_at"]);
            super::json_document(serde_json::json!({ "decisions": rows }))?
        }
        OutputFormat::Markdown => to_markdown(&decisions),
        OutputFormat::Text => text(&decisions),
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

/// The log as plain text, newest first.
pub fn text(decisions: &[DecisionRecord]) -> String {
    if decisions.is_empty() {
        return "no decisions recorded yet: add one with `opsdeck decision add`\n".to_string();
    }
    let mut s = String::new();
    for d in decisions {
        let _ = writeln!(
            s,
            "#{} {} UTC by {}: {}",
            d.id,
            utc_minute(d.at),
            sanitize(&d.who),
            sanitize(&d.title)
        );
        if let Some(old) = d.supersedes {
            let _ = writeln!(s, "    supersedes #{old}");
        }
        if let Some(new) = d.superseded_by {
            let _ = writeln!(s, "    superseded by #{new}");
        }
        let _ = writeln!(s, "    why: {}", sanitize(&d.why));
        for e in &d.evidence {
            let _ = writeln!(s, "    evidence {} — {}", e.reference, sanitize(&e.summary));
        }
        s.push('\n');
    }
    s
}
