//! `opsdeck record INDICATOR VALUE [--at TIME] [--note TEXT]`

use super::Context;
use crate::ingest::fields::{check_len, parse_number, MAX_TEXT};
use crate::ingest::parse_time;
use crate::store::audit;
use anyhow::{anyhow, bail};

/// Records one value and prints what was stored.
pub fn run(
    ctx: &Context,
    key: &str,
    value: &str,
    at: Option<&str>,
    note: Option<&str>,
    force: bool,
) -> anyhow::Result<u8> {
    let value = parse_number(value).map_err(|e| anyhow!("value: {e}"))?;
    let at = match at {
        Some(t) => parse_time(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => ctx.now,
    };
    if let Some(n) = note {
        check_len(n, MAX_TEXT).map_err(|e| anyhow!("--note: {e}"))?;
    }
    let mut store = ctx.open()?;
    let ind = store.indicator_required(key)?;
    if ind.def.source != crate::domain::indicator::Source::Observations {
        bail!(
            "{} is derived from {}; record the underlying data with `opsdeck import` instead",
            ind.def.key,
            ind.def.source.as_str().replace('_', " ")
        );
    }
    crate::domain::plausible::check_value(&ind.def, value, at, ctx.now, force)
        .map_err(|e| anyhow!(e))?;
    let far = store.write(|tx| -> anyhow::Result<Option<String>> {
        let (_, far) = crate::store::review::insert_manual(tx, ind.id, at, value, note)?;
        audit::record(
            tx,
            ctx.now,
            "record",
            "observation",
            Some(&ind.def.key),
            &serde_json::json!({"at": at, "value": value, "note": note}),
        )?;
        Ok(far)
    })?;
    let when = chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default();
    outln!(
        "recorded {} = {} {} at {}",
        ind.def.key,
        value,
        crate::text::sanitize(&ind.def.unit),
        when
    );
    if let Some(why) = &far {
        println!("? marked for review: {why} (`opsdeck observation confirm ID` once checked)");
    }
    Ok(0)
}
