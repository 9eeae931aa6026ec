//! `opsdeck sources list [--format json]` and `opsdeck sources run [NAME…]
//! [--due]`: each run takes the source's lease in the database (two
//! overlapping runs never fetch the same source at once), fetches with no
//! lock held, writes all-or-nothing through the one import pipeline under
//! the source's origin (a re-fetch changes nothing) and keeps a run record.
//! Secrets come from the environment and never reach the output, the
//! database or the log.

use super::sources_plan::current_sources;
use super::Context;
use crate::cli::sources::SourcesCommand;
use crate::cli::ListFormat;
use crate::format::utc_minute;
use crate::ingest::pipeline::{import_stream, Source};
use crate::ingest::Format;
use crate::sources::{fetch, to_import_jsonl, SourceDef};
use crate::store::sources::{
    finish_run, release_lease, start_run, take_lease, RunOutcome, StoredSource,
};
use crate::store::{indicators, Store};
use crate::text::sanitize;
use std::collections::HashMap;

/// Errors kept in a run record.
pub(crate) const KEPT_ERRORS: usize = 5;

/// `opsdeck sources ...`.
pub fn run(ctx: &Context, cmd: SourcesCommand) -> anyhow::Result<u8> {
    match cmd {
        SourcesCommand::List { format } => list(ctx, format),
        SourcesCommand::Run { names, due } => run_sources(ctx, &names, due),
    }
}

fn in_force(store: &Store) -> anyhow::Result<Vec<(StoredSource, SourceDef)>> {
    Ok(current_sources(store)?
        .into_iter()
        .filter(|(s, _)| !s.retired)
        .collect())
}

fn list(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let mut rows = Vec::new();
    for (stored, def) in in_force(&store)? {
        let last = store.last_source_run(&def.name)?;
        let success = store.last_source_success(&def.name)?;
        let fresh = store.source_freshness(&stored, ctx.now)?;
        let next_due = match &last {
            None => ctx.now,
            Some(r) => def.schedule.next_after(r.started_at),
        };
        rows.push(serde_json::json!({
            "name": def.name,
            "kind": def.fetch.kind(),
            "produces": def.produces.as_str(),
            "schedule": def.schedule.describe(),
            "last_run": last.as_ref().map(|r| serde_json::json!({
                "started_at": crate::format::rfc3339(r.started_at),
                "ended_at": r.ended_at.map(crate::format::rfc3339),
                "ok": r.ended_at.map(|_| r.outcome.ok),
                "rows_new": r.outcome.rows_new,
                "rows_changed": r.outcome.rows_changed,
                "rows_unchanged": r.outcome.rows_unchanged,
                "rows_refused": r.outcome.rows_refused,
                "errors": r.outcome.errors,
            })),
            "last_success": success.map(crate::format::rfc3339),
            "lag_secs": success.map(|t| ctx.now - t),
            "next_due": crate::format::rfc3339(next_due),
            "freshness": fresh.word(),
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

/// `source NAME:17: field: reason` → `source NAME: row 17: field: reason`.
fn row_message(label: &str, line: &str) -> String {
    let prefix = format!("{label}:");
    if let Some(rest) = line.strip_prefix(&prefix) {
        if let Some((n, tail)) = rest.split_once(':') {
            if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                return format!("{label}: row {n}:{tail}");
            }
        }
    }
    line.to_string()
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
    let name = def.name.as_str();
    let ttl = def.timeout.as_secs() as i64 + 60;
    let run_id = store.write(|tx| -> crate::store::Result<Option<i64>> {
        if !take_lease(tx, name, holder, ctx.now, ttl)? {
            return Ok(None);
        }
        start_run(tx, name, ctx.now).map(Some)
    })?;
    let Some(run_id) = run_id else {
        println!(
            "source {}: skipped, another run is fetching it",
            sanitize(name)
        );
        tracing::info!(source = name, "sources: skipped, leased by another run");
        return Ok(0);
    };
    tracing::info!(source = name, kind = def.fetch.kind(), "sources: fetching");
    // The fetch holds no database lock.
    let env = |k: &str| std::env::var(k).ok();
    let label = format!("source {name}");
    let mut outcome = RunOutcome::default();
    match fetch(def, &env) {
        Err(e) => {
            outcome.errors.push(format!("{label}: {e}"));
            outcome.rows_refused = 0;
        }
        Ok(fetched) => {
            let jsonl = to_import_jsonl(def, &fetched.records);
            let map: HashMap<String, i64> = store
                .indicators()?
                .into_iter()
                .map(|i| (i.def.key, i.id))
                .collect();
            let origin = indicators::source_origin(name);
            let source = Source {
                label: &label,
                origin: &origin,
                format: Format::Jsonl,
                kind: Some(def.produces),
                force: false,
            };
            let mut errors: Vec<String> = Vec::new();
            let mut report = |line: &str| {
                if errors.len() < KEPT_ERRORS {
                    errors.push(row_message(&label, line));
                }
            };
            let result = import_stream(
                store,
                ctx.now,
                source,
                Box::new(std::io::Cursor::new(jsonl)),
                &map,
                false,
                &mut report,
            );
            match result {
                Ok((c, _)) => {
                    outcome.ok = c.bad == 0;
                    outcome.rows_refused = c.bad;
                    if outcome.ok {
                        outcome.rows_changed = c.changed;
                        outcome.rows_new = c.written - c.changed;
                        outcome.rows_unchanged = c.valid - c.written;
                    }
                }
                Err(e) => errors.push(format!("{label}: {e}")),
            }
            outcome.errors = errors;
        }
    }
    let ended = ctx.now;
    store.write(|tx| -> crate::store::Result<()> {
        finish_run(tx, run_id, ended, &outcome)?;
        release_lease(tx, name, holder)
    })?;
    if outcome.ok {
        let line = format!(
            "{label}: {} new, {} changed, {} unchanged",
            outcome.rows_new, outcome.rows_changed, outcome.rows_unchanged
        );
        tracing::info!(source = name, "sources: {line}");
        println!("{}", sanitize(&line));
        Ok(0)
    } else {
        for e in &outcome.errors {
            tracing::warn!(source = name, "sources: {e}");
            eprintln!("{}", sanitize(e));
        }
        let line = if outcome.rows_refused > 0 {
            format!(
                "{label}: failed: {} row(s) refused; nothing was written",
                outcome.rows_refused
            )
        } else {
            format!("{label}: failed; nothing was written")
        };
        eprintln!("{}", sanitize(&line));
        Ok(if outcome.rows_refused > 0 { 2 } else { 1 })
    }
}
