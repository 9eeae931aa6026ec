//! `experiment new` and `experiment amend`.

use super::{apply, missing_for_new};
use crate::cli::learning::DefinitionArgs;
use crate::commands::Context;
use crate::domain::experiment::{validate_key, ChangeKind, ExperimentDef, Field};
use crate::store::experiments::{change_experiment, insert_experiment, short_hash};
use crate::text::sanitize;
use anyhow::{anyhow, bail};

/// Defines a new draft experiment.
pub fn new(ctx: &Context, key: &str, args: &DefinitionArgs) -> anyhow::Result<u8> {
    validate_key("experiment key", key).map_err(|e| anyhow!(e))?;
    let missing = missing_for_new(args);
    if !missing.is_empty() {
        bail!(
            "experiment new {key}: missing {} (see `opsdeck experiment new --help`)",
            missing.join(", ")
        );
    }
    let empty = ExperimentDef {
        key: key.to_string(),
        title: String::new(),
        objective: String::new(),
        hypothesis: String::new(),
        scope: String::new(),
        start: 0,
        end: 0,
        indicators: Vec::new(),
        criteria: Vec::new(),
        control: None,
    };
    let mut def = apply(&empty, args)?;
    if def.indicators.is_empty() {
        // The indicators it moves default to those its criteria measure.
        for c in &def.criteria {
            if !def.indicators.contains(&c.indicator) {
                def.indicators.push(c.indicator.clone());
            }
        }
    }
    let mut store = ctx.open()?;
    store.write(|tx| insert_experiment(tx, ctx.now, &def))?;
    outln!("created experiment {key} (draft): {}", sanitize(&def.title));
    outln!("pre-register it with: opsdeck experiment start {key}");
    Ok(0)
}

/// Changes an experiment; after the start, locked fields need a reason and
/// are recorded as an amendment that keeps the original.
pub fn amend(
    ctx: &Context,
    key: &str,
    args: &DefinitionArgs,
    reason: Option<&str>,
) -> anyhow::Result<u8> {
    let mut store = ctx.open()?;
    let change = store.write(|tx| -> anyhow::Result<ChangeKind> {
        let current = crate::store::experiments::require_experiment(tx, key)?;
        let mut base = current.def.clone();
        if args.end.is_some()
            && args.start.is_none()
            && args.baseline.is_none()
            && args.control_segment.is_none()
        {
            // A new end lengthens or shortens the measured period only: the
            // default baseline (the period of equal length before the start)
            // would move with it, so it is kept where it was, explicitly.
            base.pin_baseline();
        }
        let new = apply(&base, args)?;
        Ok(change_experiment(tx, ctx.now, key, &new, reason)?)
    })?;
    let names = |fields: &[Field]| {
        fields
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match change {
        ChangeKind::Unchanged => outln!("experiment {key}: nothing changed"),
        ChangeKind::Edit { fields } => {
            outln!("experiment {key}: changed {}", names(&fields))
        }
        ChangeKind::Amendment {
            fields,
            reason,
            original_hash,
            amended_hash,
        } => {
            outln!(
                "experiment {key}: amendment recorded ({}); registration {} -> {}",
                names(&fields),
                short_hash(&original_hash),
                short_hash(&amended_hash)
            );
            outln!("reason: {}", sanitize(&reason));
            outln!("the original registration is kept and shown with the experiment");
        }
    }
    Ok(0)
}
