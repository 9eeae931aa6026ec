//! `opsdeck indicator list|show|add|set|retire`, `opsdeck capacity
//! list|set` and `opsdeck person add`: quick edits of the definition, each
//! audited and visible in `opsdeck definition` afterwards.

use super::Context;
use crate::cli::{CapacityCommand, IndicatorAdd, IndicatorCommand};
use crate::definition::plan::indicator_diff;
use crate::domain::capacity::Capacity;
use crate::domain::duration::{format_duration, parse_duration};
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use crate::domain::plausible::{number, valid_range};
use crate::ingest::fields::parse_number;
use crate::store::capacity_changes::set_capacity;
use crate::store::indicator_changes::{add_indicator, retire_indicator, update_indicator};
use crate::store::{audit, Store};
use crate::text::sanitize;
use anyhow::{anyhow, bail};

/// Every line through the sanitiser, newlines kept.
fn clean(text: &str) -> String {
    text.lines().map(sanitize).map(|l| l + "\n").collect()
}

fn word<T>(field: &str, v: &str, parse: fn(&str) -> Option<T>, allowed: &str) -> anyhow::Result<T> {
    parse(v).ok_or_else(|| anyhow!("{field}: '{}' is not one of {allowed}", sanitize(v)))
}

fn window(v: &str) -> anyhow::Result<i64> {
    let secs = parse_duration(v)
        .map_err(|e| anyhow!("window: {e}"))?
        .num_seconds();
    if secs <= 0 {
        bail!("window: must be longer than zero");
    }
    Ok(secs)
}

fn num(field: &str, v: &str) -> anyhow::Result<f64> {
    parse_number(v).map_err(|e| anyhow!("{field}: {e}"))
}

/// Checks a definition as `apply` would: thresholds on the right side,
/// range ordered, owner a known role.
fn check(store: &Store, d: &IndicatorDef) -> anyhow::Result<()> {
    d.validate().map_err(|e| anyhow!("{}: {e}", d.key))?;
    if let (Some(lo), Some(hi)) = (d.min, d.max) {
        if lo > hi {
            bail!("max: {} is below the minimum {}", number(hi), number(lo));
        }
    }
    let roles = store.role_keys()?;
    if !roles.contains(&d.owner_role) {
        bail!(
            "owner: unknown role '{}' (known roles: {})",
            sanitize(&d.owner_role),
            roles.join(", ")
        );
    }
    Ok(())
}

fn set_field(d: &mut IndicatorDef, field: &str, v: &str) -> anyhow::Result<()> {
    let opt = |v: &str| -> anyhow::Result<Option<f64>> {
        if v.is_empty() || v == "-" {
            Ok(None)
        } else {
            num(field, v).map(Some)
        }
    };
    match field {
        "name" => d.name = v.to_string(),
        "definition" => d.definition = v.to_string(),
        "unit" => d.unit = v.to_string(),
        "owner" => d.owner_role = v.to_string(),
        "kind" => d.kind = word(field, v, Kind::parse, "leading, lagging")?,
        "direction" => d.direction = word(field, v, Direction::parse, "higher, lower")?,
        "aggregation" => {
            d.aggregation = word(field, v, Aggregation::parse, "last, mean, sum, p50, p90, rate")?
        }
        "window" => d.window_secs = window(v)?,
        "target" => d.target = num(field, v)?,
        "warn" => d.warn = num(field, v)?,
        "breach" => d.breach = num(field, v)?,
        "min" => d.min = opt(v)?,
        "max" => d.max = opt(v)?,
        _ => bail!(
            "{}: not a field (name, definition, kind, unit, direction, aggregation, window, target, warn, breach, min, max, owner)",
            sanitize(field)
        ),
    }
    Ok(())
}

fn show(d: &IndicatorDef) -> String {
    let (lo, hi) = valid_range(d);
    let range = |v: Option<f64>| v.map_or("-".to_string(), number);
    let mut s = format!(
        "{} — {}\n  {}\n  kind {} · unit {} · direction {} · {} over {}\n  target {} · warn {} · breach {} · valid {} to {}\n  owner {} · source {}",
        d.key,
        d.name,
        d.definition,
        d.kind.as_str(),
        if d.unit.is_empty() { "-" } else { &d.unit },
        d.direction.as_str(),
        d.aggregation.as_str(),
        format_duration(d.window_secs),
        number(d.target),
        number(d.warn),
        number(d.breach),
        range(lo),
        range(hi),
        d.owner_role,
        d.source.as_str()
    );
    if let Some(m) = &d.metric {
        s.push_str(&format!(" · metric {m}"));
    }
    if let Some(k) = &d.work_kind {
        s.push_str(&format!(" · work kind {k}"));
    }
    clean(&s)
}

fn add(ctx: &Context, store: &mut Store, a: IndicatorAdd) -> anyhow::Result<String> {
    let d = IndicatorDef {
        key: a.key.clone(),
        definition: a.definition.clone().unwrap_or_else(|| a.name.clone()),
        name: a.name,
        kind: word("--kind", &a.kind, Kind::parse, "leading, lagging")?,
        unit: a.unit,
        direction: word(
            "--direction",
            &a.direction,
            Direction::parse,
            "higher, lower",
        )?,
        aggregation: word(
            "--aggregation",
            &a.aggregation,
            Aggregation::parse,
            "last, mean, sum, p50, p90, rate",
        )?,
        window_secs: window(&a.window)?,
        target: num("--target", &a.target)?,
        warn: num("--warn", &a.warn)?,
        breach: num("--breach", &a.breach)?,
        owner_role: a.owner.unwrap_or_else(|| "ops-lead".into()),
        source: Source::Observations,
        metric: None,
        work_kind: None,
        min: a.min.as_deref().map(|v| num("--min", v)).transpose()?,
        max: a.max.as_deref().map(|v| num("--max", v)).transpose()?,
        min_events: None,
    };
    if !d
        .key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        || d.key.is_empty()
    {
        bail!("{}: not a valid key (a-z, 0-9, - and _)", sanitize(&d.key));
    }
    if store.indicator(&d.key)?.is_some() {
        bail!(
            "indicator {} already exists; change it with `opsdeck indicator set`",
            d.key
        );
    }
    check(store, &d)?;
    let (_, retired) = store.current_definition()?;
    let back = retired.indicators.contains(&d.key);
    store.write(|tx| -> anyhow::Result<()> {
        if back {
            update_indicator(tx, ctx.now, &d)?;
        } else {
            add_indicator(tx, ctx.now, &d)?;
        }
        audit::record(
            tx,
            ctx.now,
            "add",
            "indicator",
            Some(&d.key),
            &serde_json::to_value(&d)?,
        )?;
        Ok(())
    })?;
    Ok(format!(
        "added indicator {}{}\n",
        d.key,
        if back {
            " (it returns with its history)"
        } else {
            ""
        }
    ))
}

/// Runs one `indicator` subcommand.
pub fn run(ctx: &Context, command: IndicatorCommand) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let out = match command {
        IndicatorCommand::List => {
            let mut s = String::new();
            for i in store.indicators()? {
                let d = &i.def;
                s.push_str(&clean(&format!(
                    "{:<24} {:<8} {:<4} {} over {:<5} target {} warn {} breach {} · {}",
                    d.key,
                    d.kind.as_str(),
                    d.aggregation.as_str(),
                    d.direction.as_str(),
                    format_duration(d.window_secs),
                    number(d.target),
                    number(d.warn),
                    number(d.breach),
                    d.owner_role
                )));
            }
            s
        }
        IndicatorCommand::Show { key } => {
            let ind = store.indicator_required(&key)?;
            let mut s = show(&ind.def);
            let changes = store.indicator_changes(ind.id)?;
            if !changes.is_empty() {
                s.push_str("changes:\n");
            }
            for c in changes {
                let what = c.summary();
                s.push_str(&clean(&format!(
                    "  {}  {}  {what}",
                    crate::format::utc_minute(c.at),
                    c.actor
                )));
            }
            let marked = store.to_review(Some(&key), 20)?;
            if !marked.is_empty() {
                s.push_str("to review (`opsdeck observation confirm ID` once checked):\n");
            }
            for m in marked {
                s.push_str(&clean(&format!(
                    "  ? #{}  {}  {}  {}",
                    m.id,
                    crate::format::utc_minute(m.at),
                    number(m.value),
                    m.why
                )));
            }
            s
        }
        IndicatorCommand::Add(a) => add(ctx, &mut store, *a)?,
        IndicatorCommand::Set { key, assignments } => {
            let old = store.indicator_required(&key)?.def;
            let mut new = old.clone();
            if assignments.is_empty() {
                bail!("give at least one FIELD=VALUE");
            }
            for a in &assignments {
                let (f, v) = a
                    .split_once('=')
                    .ok_or_else(|| anyhow!("{}: expected FIELD=VALUE", sanitize(a)))?;
                set_field(&mut new, f.trim(), v.trim())?;
            }
            check(&store, &new)?;
            let diff = indicator_diff(&old, &new);
            if diff.is_empty() {
                format!("indicator {key}: no changes\n")
            } else {
                store.write(|tx| -> anyhow::Result<()> {
                    update_indicator(tx, ctx.now, &new)?;
                    audit::record(
                        tx,
                        ctx.now,
                        "set",
                        "indicator",
                        Some(&key),
                        &serde_json::json!({ "changes": diff }),
                    )?;
                    Ok(())
                })?;
                clean(&format!("~ indicator {key}: {}", diff.join(", ")))
            }
        }
        IndicatorCommand::Retire { key } => {
            store.indicator_required(&key)?;
            store.write(|tx| -> anyhow::Result<()> {
                retire_indicator(tx, &key, ctx.now)?;
                audit::record(
                    tx,
                    ctx.now,
                    "retire",
                    "indicator",
                    Some(&key),
                    &serde_json::json!({}),
                )?;
                Ok(())
            })?;
            format!("retired indicator {key}: it leaves the board, its values are kept\n")
        }
    };
    print!("{out}");
    Ok(0)
}

/// Runs one `capacity` subcommand.
pub fn capacity(ctx: &Context, command: CapacityCommand) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let (def, _) = store.current_definition()?;
    match command {
        CapacityCommand::List => {
            for c in &def.operation.capacity {
                println!(
                    "{:<12} {} per day · warn at {} % · breach at {} %",
                    sanitize(&c.work_kind),
                    number(c.units_per_day),
                    number(c.warn_at * 100.0),
                    number(c.breach_at * 100.0)
                );
            }
        }
        CapacityCommand::Set {
            kind,
            units_per_day,
            warn_at,
            breach_at,
        } => {
            let old = def.operation.capacity.iter().find(|c| c.work_kind == kind);
            let new = Capacity {
                work_kind: kind.clone(),
                units_per_day: num("UNITS_PER_DAY", &units_per_day)?,
                warn_at: warn_at.or(old.map(|o| o.warn_at)).unwrap_or(0.6),
                breach_at: breach_at.or(old.map(|o| o.breach_at)).unwrap_or(0.9),
            };
            if !(new.units_per_day.is_finite() && new.units_per_day > 0.0) {
                bail!("UNITS_PER_DAY: must be a positive number");
            }
            if !(new.warn_at > 0.0 && new.warn_at < new.breach_at && new.breach_at.is_finite()) {
                bail!("--warn-at: the bands must be 0 < warn-at < breach-at");
            }
            if !kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
                || kind.is_empty()
            {
                bail!(
                    "{}: not a valid work kind (a-z, 0-9, - and _)",
                    sanitize(&kind)
                );
            }
            store.write(|tx| -> anyhow::Result<()> {
                set_capacity(tx, ctx.now, &new)?;
                audit::record(
                    tx,
                    ctx.now,
                    "set",
                    "capacity",
                    Some(&kind),
                    &serde_json::json!({ "old": old, "new": new }),
                )?;
                Ok(())
            })?;
            match old {
                Some(o) => println!(
                    "~ capacity {kind}: {} → {} per day",
                    number(o.units_per_day),
                    number(new.units_per_day)
                ),
                None => println!("+ capacity {kind}: {} per day", number(new.units_per_day)),
            }
        }
    }
    Ok(0)
}

/// `opsdeck person add NAME [--role ROLE ...]`.
pub(crate) fn person_add(ctx: &Context, name: &str, roles: &[String]) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let name = crate::store::roles::clean_person(name)?;
    store.write(|tx| -> anyhow::Result<()> {
        crate::store::roles::add_person(tx, ctx.now, &name)?;
        for r in roles {
            crate::store::roles::assign(tx, ctx.now, &name, r)?;
        }
        Ok(())
    })?;
    if roles.is_empty() {
        println!("+ person {}", sanitize(&name));
    } else {
        println!(
            "+ person {} ({})",
            sanitize(&name),
            sanitize(&roles.join(", "))
        );
    }
    Ok(0)
}
