//! `experiment show KEY` and `experiment list`.

use crate::cli::ListFormat;
use crate::commands::Context;
use crate::domain::decision::format_number;
use crate::domain::experiment::ExperimentStatus;
use crate::format::{rfc3339, utc_date, utc_minute, value_unit};
use crate::store::experiments::short_hash;
use crate::store::learning_models::ExperimentRow;
use crate::text::{sanitize, sanitize_truncate};
use std::fmt::Write as _;

/// The times of an experiment's JSON (unix seconds in its stored and hashed
/// form), written as RFC 3339 in the output.
const TIMES: &[&str] = &["start", "end", "concluded_at", "started_at", "at"];

/// Prints every experiment.
pub fn list(ctx: &Context, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let model = store.experiments_model(ctx.now)?;
    let out = match format {
        ListFormat::Json => {
            let mut rows = serde_json::to_value(&model.rows)?;
            super::super::rfc3339_times(&mut rows, TIMES);
            super::super::json_document(
                serde_json::json!({ "at": rfc3339(ctx.now), "experiments": rows }),
            )?
        }
        ListFormat::Text if model.rows.is_empty() => {
            "no experiments yet: define one with `opsdeck experiment new`\n".to_string()
        }
        ListFormat::Text => {
            let mut s = format!(
                "{:<20} {:<12} {:<23} {:<6} {:<26} TITLE\n",
                "KEY", "STATUS", "PERIOD", "LOCK", "VERDICT"
            );
            for r in &model.rows {
                let _ = writeln!(
                    s,
                    "{:<20} {} {:<10} {} → {} {:<6} {:<26} {}",
                    sanitize_truncate(&r.key, 20),
                    r.status.symbol(),
                    r.status.word(),
                    utc_date(r.start),
                    utc_date(r.end),
                    if r.locked { "locked" } else { "-" },
                    sanitize_truncate(&verdict_text(r), 26),
                    sanitize_truncate(&r.title, 40)
                );
            }
            s
        }
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

/// The verdict as a row shows it: the symbol and label, or "draft".
pub(crate) fn verdict_text(r: &ExperimentRow) -> String {
    match (&r.status, &r.verdict) {
        (ExperimentStatus::Draft, _) => "not started".to_string(),
        (_, v) => format!("{} {}", v.symbol(), v.label()),
    }
}

/// Prints one experiment with its registration, criteria and amendments.
pub fn show(ctx: &Context, key: &str, format: ListFormat) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let stored = store.experiment(key)?;
    let model = store.experiments_model(ctx.now)?;
    let Some(row) = model.rows.into_iter().find(|r| r.key == key) else {
        anyhow::bail!("experiment '{key}' disappeared while it was read; try again");
    };
    let amendments = store.amendments(stored.id)?;
    let out = match format {
        ListFormat::Json => {
            let mut v = serde_json::json!({
                "at": rfc3339(ctx.now),
                "experiment": row,
                "definition": stored.def,
                "registered_definition": stored.registered_def,
                "started_at": stored.started_at,
                "started_by": stored.started_by,
                "amendments": amendments,
            });
            super::super::rfc3339_times(&mut v, TIMES);
            super::super::json_document(v)?
        }
        ListFormat::Text => {
            let mut s = String::new();
            let _ = writeln!(s, "experiment {}: {}", row.key, sanitize(&row.title));
            let lock = match (stored.started_at, &stored.started_by) {
                (Some(at), Some(by)) => format!(
                    " (locked: pre-registered {} UTC by {})",
                    utc_minute(at),
                    sanitize(by)
                ),
                _ => " (draft: not locked until `experiment start`)".to_string(),
            };
            let _ = writeln!(
                s,
                "  status      {} {}{lock}",
                row.status.symbol(),
                row.status.word()
            );
            let ends = row
                .days_to_end
                .map(|d| format!(" (ends in {d} day{})", if d == 1 { "" } else { "s" }))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  period      {} .. {} UTC{ends}",
                utc_minute(row.start),
                utc_minute(row.end)
            );
            let _ = writeln!(s, "  compared    {}", row.compared_with);
            let _ = writeln!(s, "  objective   {}", sanitize(&stored.def.objective));
            let _ = writeln!(s, "  hypothesis  {}", sanitize(&stored.def.hypothesis));
            let _ = writeln!(s, "  scope       {}", sanitize(&stored.def.scope));
            s.push_str(&hash_lines(&row));
            let _ = writeln!(s, "  verdict     {}", verdict_text(&row));
            s.push_str(&criteria_table(&row));
            for note in &row.notes {
                let _ = writeln!(s, "  note: {}", sanitize(note));
            }
            if !amendments.is_empty() {
                let _ = writeln!(s, "\n  amendments ({}), originals kept:", amendments.len());
                for a in &amendments {
                    let fields: Vec<&str> = a.fields.iter().map(|f| f.name()).collect();
                    let _ = writeln!(
                        s,
                        "    {} UTC by {}: {} ({} -> {})\n      reason: {}",
                        utc_minute(a.at),
                        sanitize(&a.actor),
                        fields.join(", "),
                        short_hash(&a.original_hash),
                        short_hash(&a.amended_hash),
                        sanitize(&a.reason)
                    );
                }
            }
            if let (Some(d), Some(id), Some(at)) = (row.decision, row.decision_id, row.concluded_at)
            {
                let _ = writeln!(
                    s,
                    "\n  decision    {d} (#{id}, concluded {} UTC; see `opsdeck decision list`)",
                    utc_minute(at)
                );
            }
            s
        }
    };
    crate::commands::emit(&out)?;
    Ok(0)
}

fn hash_lines(row: &ExperimentRow) -> String {
    let Some(registered) = &row.registered_hash else {
        return "  hash        (none until the experiment is started)\n".to_string();
    };
    let mut s = format!("  registered  sha256 {registered}\n");
    if row.amendments > 0 {
        let _ = writeln!(
            s,
            "  amended     sha256 {} ({} amendment{})",
            row.current_hash,
            row.amendments,
            if row.amendments == 1 { "" } else { "s" }
        );
    }
    if !row.hash_verified {
        let _ = writeln!(
            s,
            "  WARNING     the stored definition does not match its registration: it was changed outside opsdeck"
        );
    }
    s
}

fn criteria_table(row: &ExperimentRow) -> String {
    let mut s = format!(
        "\n  {:<30} {:>14} {:>14} {:>8} {:>12}  result\n",
        "criterion", "during (n)", "baseline (n)", "change", "threshold"
    );
    for c in &row.criteria {
        let unit = row
            .units
            .get(&c.criterion.indicator)
            .map(String::as_str)
            .unwrap_or_default();
        let role = if c.criterion.primary {
            "primary"
        } else {
            "guardrail"
        };
        let value = |v: Option<f64>, n: u32| format!("{} ({n})", value_unit(v, unit));
        let change = c.change.map_or_else(|| "—".to_string(), signed);
        let _ = writeln!(
            s,
            "  {:<30} {:>14} {:>14} {:>8} {:>12}  {} {}",
            sanitize_truncate(&format!("{} ({role})", c.criterion.indicator), 30),
            value(c.during.value, c.during.events),
            value(c.baseline.value, c.baseline.events),
            change,
            format!(
                "{} {}",
                c.criterion.comparison.symbol(),
                value_unit(Some(c.criterion.threshold), unit)
            ),
            c.outcome.symbol(),
            c.outcome.word()
        );
    }
    s
}

/// A change with its sign: `+12`, `-2.5`, `0`.
pub(crate) fn signed(d: f64) -> String {
    let s = format_number(d);
    if d > 0.0 && s != "0" {
        format!("+{s}")
    } else {
        s
    }
}
