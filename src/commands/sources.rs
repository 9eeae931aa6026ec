//! `opsdeck sources list [--format json]` and `opsdeck sources run [NAME…]
//! [--due]`: the printing side of [`crate::sources::run`] (the lease, the
//! fetch, the write and the run record live there, shared with the
//! cockpit). Secrets come from the environment and never reach the output,
//! the database or the log.

use super::Context;
use crate::cli::sources::SourcesCommand;
use crate::cli::ListFormat;
use crate::format::utc_minute;
use crate::sources::run::{outcome_line, run_source, source_statuses, sources_in_force, RunResult};
use crate::sources::SourceDef;
use crate::store::sources::StoredSource;
use crate::store::Store;
use crate::text::sanitize;

/// `opsdeck sources ...`.
pub fn run(ctx: &Context, cmd: SourcesCommand) -> anyhow::Result<u8> {
    match cmd {
        SourcesCommand::List { format } => list(ctx, format),
        SourcesCommand::Run { names, due } => run_sources(ctx, &names, due),
    }
}

fn in_force(store: &Store) -> anyhow::Result<Vec<(StoredSource, SourceDef)>> {
    sources_in_force(store).map_err(anyhow::Error::msg)
}

fn list(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let mut rows = Vec::new();
    for st in source_statuses(&store, ctx.now).map_err(anyhow::Error::msg)? {
        let def = &st.def;
        rows.push(serde_json::json!({
            "name": def.name,
            "kind": def.fetch.kind(),
            "produces": def.produces.as_str(),
            "schedule": def.schedule.describe(),
            "last_run": st.last_run.as_ref().map(|r| serde_json::json!({
                "started_at": crate::format::rfc3339(r.started_at),
                "ended_at": r.ended_at.map(crate::format::rfc3339),
                "ok": r.ended_at.map(|_| r.outcome.ok),
                "rows_new": r.outcome.rows_new,
                "rows_changed": r.outcome.rows_changed,
                "rows_unchanged": r.outcome.rows_unchanged,
                "rows_refused": r.outcome.rows_refused,
                "errors": r.outcome.errors,
            })),
            "last_success": st.last_success.map(crate::format::rfc3339),
            "lag_secs": st.lag(ctx.now),
            "next_due": crate::format::rfc3339(st.next_due),
            "freshness": st.freshness.word(),
        }));
    }
    if format == ListFormat::Json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "at": crate::format::rfc3339(ctx.now),
            "sources": rows,
        }))?;
        println!("{}", sanitize(&text));
        return Ok(0);
    }
    if rows.is_empty() {
        println!("no sources (add a sources.toml to the definition folder and `opsdeck apply` it)");
        return Ok(0);
    }
    println!(
        "{:<20} {:<8} {:<16} {:<8} {:>6} {:>8} {:<16} FRESHNESS",
        "SOURCE", "KIND", "LAST RUN", "RESULT", "ROWS", "LAG", "NEXT DUE"
    );
    for r in &rows {
        let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
        let last = &r["last_run"];
        let (when, result, n) = if last.is_null() {
            ("never".to_string(), "-".to_string(), "-".to_string())
        } else {
            let started =
                chrono::DateTime::parse_from_rfc3339(last["started_at"].as_str().unwrap_or(""))
                    .map(|t| utc_minute(t.timestamp()))
                    .unwrap_or_default();
            let result = match last["ok"].as_bool() {
                None => "running",
                Some(true) => "ok",
                Some(false) => "failed",
            };
            let rows = ["rows_new", "rows_changed", "rows_unchanged"]
                .iter()
                .map(|k| last[*k].as_u64().unwrap_or(0))
                .sum::<u64>();
            (started, result.to_string(), rows.to_string())
        };
        let lag = r["lag_secs"]
            .as_i64()
            .map_or("-".to_string(), crate::domain::duration::format_duration);
        let next = chrono::DateTime::parse_from_rfc3339(&s("next_due"))
            .map(|t| utc_minute(t.timestamp()))
            .unwrap_or_default();
        println!(
            "{:<20} {:<8} {:<16} {:<8} {:>6} {:>8} {:<16} {}",
            sanitize(&s("name")),
            s("kind"),
            when,
            result,
            n,
            lag,
            next,
            s("freshness")
        );
        if let Some(first) = last["errors"].as_array().and_then(|e| e.first()) {
            println!("  last error: {}", sanitize(first.as_str().unwrap_or("")));
        }
    }
    Ok(0)
}

fn run_sources(ctx: &Context, names: &[String], due: bool) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let all = in_force(&store)?;
    for n in names {
        if !all.iter().any(|(_, d)| &d.name == n) {
            let known: Vec<&str> = all.iter().map(|(_, d)| d.name.as_str()).collect();
            eprintln!(
                "opsdeck: no source named '{}' (sources: {})",
                sanitize(n),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
            return Ok(2);
        }
    }
    let mut chosen = Vec::new();
    for (_, def) in all {
        if !names.is_empty() && !names.contains(&def.name) {
            continue;
        }
        if due {
            let last = store.last_source_run(&def.name)?.map(|r| r.started_at);
            if !def.schedule.is_due(last, ctx.now) {
                continue;
            }
        }
        chosen.push(def);
    }
    if chosen.is_empty() {
        println!(
            "{}",
            if due {
                "no source is due"
            } else {
                "no sources"
            }
        );
        return Ok(0);
    }
    let holder = format!("pid {}", std::process::id());
    let mut code = 0u8;
    for def in &chosen {
        code = code.max(run_one(ctx, &mut store, def, &holder)?);
    }
    Ok(code)
}

fn run_one(ctx: &Context, store: &mut Store, def: &SourceDef, holder: &str) -> anyhow::Result<u8> {
    let env = |k: &str| std::env::var(k).ok();
    match run_source(store, def, ctx.now, holder, &env)? {
        RunResult::Skipped => {
            println!(
                "source {}: skipped, another run is fetching it",
                sanitize(&def.name)
            );
            Ok(0)
        }
        RunResult::Finished(outcome) => {
            let line = outcome_line(&def.name, &outcome);
            if outcome.ok {
                println!("{}", sanitize(&line));
                return Ok(0);
            }
            for e in &outcome.errors {
                eprintln!("{}", sanitize(e));
            }
            eprintln!("{}", sanitize(&line));
            Ok(if outcome.rows_refused > 0 { 2 } else { 1 })
        }
    }
}
