//! `opsdeck status [--format text|json|markdown]`: the indicator board once.

use super::Context;
use crate::cli::OutputFormat;
use crate::domain::indicator::{Kind, Trend};
use crate::format::{rfc3339, utc_minute, value_unit};
use crate::store::board::{Board, Reading};
use crate::text::sanitize;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The status word, with `stale` when a stale source feeds the indicator.
fn status_word(r: &Reading, stale: &BTreeSet<String>) -> String {
    if stale.contains(&r.def.key) {
        format!("{} stale", r.status_text())
    } else {
        r.status_text()
    }
}

/// Prints the board.
pub fn run(ctx: &Context, format: OutputFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    // No output of status shows a sparkline.
    let board = store.indicator_board_totals(ctx.now)?;
    let company = store.meta("company")?.unwrap_or_default();
    let stale = store.stale_indicator_keys(ctx.now)?;
    let out = match format {
        OutputFormat::Text => text(&board, &company, &stale),
        OutputFormat::Json => super::json_document(json(&board, &stale))?,
        OutputFormat::Markdown => markdown(&board, &company, &stale),
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

fn trend_word(r: &Reading) -> &'static str {
    match r.trend {
        Trend::Better => "better",
        Trend::Worse => "worse",
        Trend::Flat => "flat",
        Trend::Unknown => "",
    }
}

fn trend_arrow(r: &Reading) -> &'static str {
    let up = matches!((r.value, r.previous), (Some(v), Some(p)) if v > p);
    r.trend.arrow(up)
}

fn summary(board: &Board) -> String {
    use crate::domain::Status::*;
    format!(
        "{} breach · {} warn · {} ok · {} no data",
        board.count(Breach),
        board.count(Warn),
        board.count(Ok),
        board.count(NoData)
    )
}

/// The board as aligned plain text; `stale` holds the keys of indicators
/// fed by a stale source.
pub fn text(board: &Board, company: &str, stale: &BTreeSet<String>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} UTC — {}",
        sanitize(company),
        utc_minute(board.now),
        summary(board)
    );
    for (kind, title) in [(Kind::Leading, "LEADING"), (Kind::Lagging, "LAGGING")] {
        let _ = writeln!(
            s,
            "\n{title:<28} {:>12} {:>10}  {:<9} trend",
            "value", "target", "status"
        );
        for r in board.readings.iter().filter(|r| r.def.kind == kind) {
            let _ = writeln!(
                s,
                "{:<28} {:>12} {:>10}  {} {:<7} {} {}",
                crate::text::sanitize_truncate(&r.def.name, 28),
                value_unit(r.value, &r.def.unit),
                value_unit(Some(r.def.target), &r.def.unit),
                r.status.symbol(),
                status_word(r, stale),
                trend_arrow(r),
                trend_word(r)
            );
        }
    }
    s
}

/// The board as JSON for scripts (`stale`: fed by a stale source).
pub fn json(board: &Board, stale: &BTreeSet<String>) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = board
        .readings
        .iter()
        .map(|r| {
            serde_json::json!({
                "key": r.def.key,
                "name": r.def.name,
                "kind": r.def.kind,
                "unit": r.def.unit,
                "value": r.value,
                "previous": r.previous,
                "target": r.def.target,
                "warn": r.def.warn,
                "breach": r.def.breach,
                "direction": r.def.direction,
                "status": if r.events > 0 && !r.enough_data() {
                    serde_json::json!("not_enough_data")
                } else {
                    serde_json::json!(r.status)
                },
                "status_text": r.status_text(),
                "stale": stale.contains(&r.def.key),
                "trend": r.trend,
                "events": r.events,
                "min_events": r.min_events,
                "window_secs": r.def.window_secs,
                "owner": r.def.owner_role,
            })
        })
        .collect();
    serde_json::json!({ "at": rfc3339(board.now), "indicators": rows })
}

fn md_cell(text: &str) -> String {
    sanitize(text).replace('|', "\\|")
}

/// The board as a Markdown table for a standup note.
pub fn markdown(board: &Board, company: &str, stale: &BTreeSet<String>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## {} — indicators at {} UTC\n",
        md_cell(company),
        utc_minute(board.now)
    );
    let _ = writeln!(s, "{}\n", summary(board));
    for (kind, title) in [(Kind::Leading, "Leading"), (Kind::Lagging, "Lagging")] {
        let _ = writeln!(s, "### {title}\n");
        let _ = writeln!(s, "| Indicator | Value | Target | Status | Trend |");
        let _ = writeln!(s, "|---|---:|---:|---|---|");
        for r in board.readings.iter().filter(|r| r.def.kind == kind) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} {} | {} {} |",
                md_cell(&r.def.name),
                md_cell(&value_unit(r.value, &r.def.unit)),
                md_cell(&value_unit(Some(r.def.target), &r.def.unit)),
                r.status.symbol(),
                status_word(r, stale),
                trend_arrow(r),
                trend_word(r)
            );
        }
        s.push('\n');
    }
    s
}
