//! `experiment start` and `experiment conclude`.

use crate::commands::Context;
use crate::domain::experiment::Decision;
use crate::store::decisions::insert_decision;
use crate::store::experiments::{check_concludable, mark_concluded, start_experiment};
use crate::text::sanitize;
use anyhow::anyhow;

/// Pre-registers an experiment and prints its registration hash.
pub fn start(ctx: &Context, key: &str) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let e = store.write(|tx| start_experiment(tx, ctx.now, key))?;
    let hash = e.registered_hash.unwrap_or_default();
    println!(
        "started experiment {key}: hypothesis, scope, period, criteria and control are now locked"
    );
    println!("registration sha256 {hash}");
    if e.def.start < ctx.now {
        println!(
            "note: the measured period began at {} UTC, before this registration",
            crate::format::utc_minute(e.def.start)
        );
    }
    println!("change locked fields only with: opsdeck experiment amend {key} ... --reason TEXT");
    Ok(0)
}

/// Records the team's decision on an experiment: computes the result now,
/// writes a decision-log entry with the result as evidence, and marks the
/// experiment concluded, in one transaction.
pub fn conclude(
    ctx: &Context,
    key: &str,
    decision: &str,
    why: &str,
    title: Option<&str>,
) -> anyhow::Result<u8> {
    let decision = Decision::parse(decision).map_err(|e| anyhow!("--decision: {e}"))?;
    let mut store = ctx.open()?;
    let e = store.experiment(key)?;
    check_concludable(&e)?;
    let evidence = store.capture_experiment(&e, ctx.now)?;
    let title = title.map(str::to_string).unwrap_or_else(|| {
        let word = decision.as_str();
        let mut cap = word[..1].to_ascii_uppercase();
        cap.push_str(&word[1..]);
        format!("{cap}: {} (experiment {key})", e.def.title)
    });
    let summary = evidence.summary.clone();
    let id = store.write(|tx| -> anyhow::Result<i64> {
        let id = insert_decision(
            tx,
            ctx.now,
            &title,
            why,
            std::slice::from_ref(&evidence),
            None,
        )?;
        mark_concluded(tx, ctx.now, key, decision, id)?;
        Ok(id)
    })?;
    println!(
        "concluded experiment {key}: {decision}; decision #{id} recorded: {}",
        sanitize(&title)
    );
    println!("evidence: {}", sanitize(&summary));
    if ctx.now < e.def.end {
        println!(
            "note: concluded before its planned end ({} UTC)",
            crate::format::utc_minute(e.def.end)
        );
    }
    Ok(0)
}
