//! `opsdeck observation list KEY [--since T] [--format json]`,
//! `observation correct ID VALUE --reason R`, `observation delete ID --reason R`.

use super::Context;
use crate::cli::observation::ObservationCommand;
use crate::cli::ListFormat;
use crate::format::{rfc3339, utc_minute};
use crate::ingest::fields::{check_len, parse_number, MAX_TEXT};
use crate::ingest::parse_time;
use crate::store::observations::{correct_observation, withdraw_observation, RecordedValue};
use crate::text::{sanitize, sanitize_truncate};
use anyhow::{anyhow, bail};
use std::fmt::Write as _;
use std::io::Write as _;

/// Runs one `observation` subcommand.
pub fn run(ctx: &Context, command: ObservationCommand) -> anyhow::Result<u8> {
    let out = match command {
        ObservationCommand::Confirm { id } => return super::observation_confirm::run(ctx, id),
        ObservationCommand::List {
            indicator,
            since,
            limit,
            format,
        } => {
            let since = since
                .map(|t| parse_time(&t).map_err(|e| anyhow!("--since: {e}")))
                .transpose()?;
            let store = ctx.open()?;
            let ind = store.indicator_required(&indicator)?;
            let rows = store.observations_recent(ind.id, since, limit)?;
            match format {
                ListFormat::Text => text(&ind.def.key, &ind.def.unit, &rows),
                ListFormat::Json => super::json_document(serde_json::json!({
                    "at": rfc3339(ctx.now),
                    "indicator": ind.def.key,
                    "observations": rows.iter().map(json_row).collect::<Vec<_>>(),
                }))?,
            }
        }
        ObservationCommand::Correct { id, value, reason } => {
            let value = parse_number(&value).map_err(|e| anyhow!("value: {e}"))?;
            let reason = checked_reason(&reason)?;
            let mut store = ctx.open()?;
            let c = store.write(|tx| correct_observation(tx, id, value, &reason, ctx.now))?;
            format!(
                "corrected observation {id} of {} at {}: {} → {} (the original is kept in the audit trail)\n",
                sanitize(&c.before.indicator),
                utc_minute(c.before.at),
                c.before.value,
                c.after
            )
        }
        ObservationCommand::Delete { id, reason } => {
            let reason = checked_reason(&reason)?;
            let mut store = ctx.open()?;
            let v = store.write(|tx| withdraw_observation(tx, id, &reason, ctx.now))?;
            format!(
                "withdrew observation {id} of {} at {} (value {}); it is kept in the history and the audit trail\n",
                sanitize(&v.indicator),
                utc_minute(v.at),
                v.value
            )
        }
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(0)
}

fn checked_reason(reason: &str) -> anyhow::Result<String> {
    let r = reason.trim();
    if r.is_empty() {
        bail!("--reason: must not be empty (say why the value changes)");
    }
    check_len(r, MAX_TEXT).map_err(|e| anyhow!("--reason: {e}"))?;
    Ok(r.to_string())
}

fn json_row(v: &RecordedValue) -> serde_json::Value {
    serde_json::json!({
        "id": v.id,
        "at": rfc3339(v.at),
        "value": v.value,
        "note": v.note,
        "origin": v.origin,
        "recorded_by": v.recorded_by,
        "corrections": v.corrections,
    })
}

/// The values as aligned plain text, newest first.
pub fn text(key: &str, unit: &str, rows: &[RecordedValue]) -> String {
    let mut s = String::new();
    if rows.is_empty() {
        let _ = writeln!(s, "no values recorded for {}", sanitize(key));
        return s;
    }
    let _ = writeln!(
        s,
        "{:>7}  {:<17} {:>12}  {:<7} {:<12} note",
        "id", "at (UTC)", "value", "origin", "who"
    );
    for v in rows {
        let value = format!("{} {}", crate::format::number(v.value), sanitize(unit));
        let mut note = v
            .note
            .as_deref()
            .map(|n| sanitize_truncate(n, 40))
            .unwrap_or_default();
        if v.corrections > 0 {
            note = format!("(corrected) {note}");
        }
        let line = format!(
            "{:>7}  {:<17} {:>12}  {:<7} {:<12} {}",
            v.id,
            utc_minute(v.at),
            value.trim_end(),
            origin_word(&v.origin),
            sanitize_truncate(v.recorded_by.as_deref().unwrap_or("—"), 12),
            note
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    s
}

/// The origin as one word for the table (`--format json` gives it whole):
/// `manual`, `demo`, `import` (a file, or rows with their own id), or
/// `source` (a scheduled source).
fn origin_word(origin: &str) -> &'static str {
    match origin.split(':').next().unwrap_or("") {
        "manual" => "manual",
        "demo" => "demo",
        "source" => "source",
        _ => "import",
    }
}
