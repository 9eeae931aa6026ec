//! `opsdeck experiment new|start|amend|show|list|conclude`: one operational
//! change, pre-registered, measured against a baseline or a control, decided.

mod define;
mod lifecycle;
mod show;

use super::Context;
use crate::cli::learning::{DefinitionArgs, ExperimentCommand};
use crate::domain::experiment::{parse_criterion, Control, Criterion, ExperimentDef};
use crate::ingest::parse_time;
use anyhow::{anyhow, bail};

/// Runs one experiment subcommand.
pub fn run(ctx: &Context, command: ExperimentCommand) -> anyhow::Result<u8> {
    match command {
        ExperimentCommand::New { key, def } => define::new(ctx, &key, &def),
        ExperimentCommand::Amend { key, def, reason } => {
            define::amend(ctx, &key, &def, reason.as_deref())
        }
        ExperimentCommand::Start { key } => lifecycle::start(ctx, &key),
        ExperimentCommand::Conclude {
            key,
            decision,
            why,
            title,
        } => lifecycle::conclude(ctx, &key, &decision, &why, title.as_deref()),
        ExperimentCommand::Show { key, format } => show::show(ctx, &key, format),
        ExperimentCommand::List { format } => show::list(ctx, format),
    }
}

/// Applies the arguments given to `base` (an empty definition for `new`, the
/// current one for `amend`). Criteria: `--primary` replaces the primary one,
/// `--criterion` (any) replaces every guardrail; `--indicator` (any) replaces
/// the list. Times, criteria and the baseline are parsed with messages that
/// name the option.
pub(crate) fn apply(base: &ExperimentDef, args: &DefinitionArgs) -> anyhow::Result<ExperimentDef> {
    let mut def = base.clone();
    let text = |v: &Option<String>, into: &mut String| {
        if let Some(v) = v {
            *into = v.clone();
        }
    };
    text(&args.title, &mut def.title);
    text(&args.objective, &mut def.objective);
    text(&args.hypothesis, &mut def.hypothesis);
    text(&args.scope, &mut def.scope);
    if let Some(t) = &args.start {
        def.start = parse_time(t).map_err(|e| anyhow!("--start: {e}"))?;
    }
    if let Some(t) = &args.end {
        def.end = parse_time(t).map_err(|e| anyhow!("--end: {e}"))?;
    }
    if !args.indicators.is_empty() {
        def.indicators = args.indicators.clone();
    }
    if let Some(p) = &args.primary {
        let primary = parse_criterion(p).map_err(|e| anyhow!("--primary: {e}"))?;
        def.criteria.retain(|c| !c.primary);
        def.criteria.insert(0, primary.into_primary());
    }
    if !args.criteria.is_empty() {
        let guardrails = args
            .criteria
            .iter()
            .map(|c| parse_criterion(c).map_err(|e| anyhow!("--criterion: {e}")))
            .collect::<anyhow::Result<Vec<Criterion>>>()?;
        def.criteria.retain(|c| c.primary);
        def.criteria.extend(guardrails);
    }
    if let Some(s) = &args.control_segment {
        def.control = Some(Control::Segment(s.clone()));
    }
    if let Some(b) = &args.baseline {
        def.control = Some(parse_baseline(b)?);
    }
    Ok(def)
}

/// `FROM..TO`, each RFC 3339 or YYYY-MM-DD.
fn parse_baseline(text: &str) -> anyhow::Result<Control> {
    let Some((from, to)) = text.split_once("..") else {
        bail!(
            "--baseline: '{}' is not a period; expected FROM..TO, e.g. 2026-02-01..2026-03-01",
            crate::text::sanitize_truncate(text, 60)
        );
    };
    let from = parse_time(from).map_err(|e| anyhow!("--baseline start: {e}"))?;
    let to = parse_time(to).map_err(|e| anyhow!("--baseline end: {e}"))?;
    Ok(Control::Baseline { from, to })
}

/// The options `new` needs that were not given, as `--title, --scope`.
pub(crate) fn missing_for_new(args: &DefinitionArgs) -> Vec<&'static str> {
    [
        ("--title", args.title.is_none()),
        ("--objective", args.objective.is_none()),
        ("--hypothesis", args.hypothesis.is_none()),
        ("--scope", args.scope.is_none()),
        ("--start", args.start.is_none()),
        ("--end", args.end.is_none()),
        ("--primary", args.primary.is_none()),
    ]
    .into_iter()
    .filter(|(_, missing)| *missing)
    .map(|(name, _)| name)
    .collect()
}
