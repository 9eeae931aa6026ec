//! `sources.toml` in a definition folder: validated with the rest of the
//! folder, planned against what the database holds (`+ source shop-orders`,
//! `~ source x: every 5m → 10m`, kept or retired with `--prune`), applied
//! in `apply`'s transaction and written back by `definition`.

use crate::sources::{parse_sources, same_source, source_diff, source_toml, SourceDef};
use crate::store::sources::{put_source, retire_source, StoredSource};
use crate::store::{Store, Tx};

/// One change to the stored sources.
#[derive(Debug, Clone)]
pub(crate) enum SourceChange {
    /// A new source, or (`true`) a retired one defined again.
    Add(SourceDef, bool),
    /// A changed source and what changed.
    Set(SourceDef, Vec<String>),
    /// A source no longer in the folder, retired with `--prune`.
    Retire(String),
}

/// What applying a folder's `sources.toml` does.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourcePlan {
    /// The changes.
    pub changes: Vec<SourceChange>,
    /// Sources defined identically on both sides.
    pub unchanged: usize,
    /// Stored sources not in the folder, kept (no `--prune`).
    pub kept: Vec<String>,
}

impl SourcePlan {
    /// The plan's lines (before the `= N unchanged` line).
    pub fn lines(&self, dir: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .changes
            .iter()
            .map(|c| match c {
                SourceChange::Add(s, false) => format!("+ source {}", s.name),
                SourceChange::Add(s, true) => format!("+ source {} (returns)", s.name),
                SourceChange::Set(s, diff) => format!("~ source {}: {}", s.name, diff.join(", ")),
                SourceChange::Retire(n) => format!("- source {n} (retired; its runs are kept)"),
            })
            .collect();
        for k in &self.kept {
            out.push(format!("  kept (not in {dir}): source {k}"));
        }
        out
    }
}

/// Parses the folder's `sources.toml` (absent = no sources), every problem
/// as `DIR/sources.toml:LINE: field: reason`.
pub(crate) fn parse_folder_sources(
    dir: &str,
    files: &[(String, String)],
) -> Result<Option<Vec<SourceDef>>, Vec<String>> {
    let Some((name, text)) = files
        .iter()
        .find(|(n, _)| n == crate::definition::SOURCES_FILE)
    else {
        return Ok(None);
    };
    parse_sources(&format!("{dir}/{name}"), text)
        .map(Some)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

/// The stored sources (retired ones too), parsed.
pub(crate) fn current_sources(store: &Store) -> anyhow::Result<Vec<(StoredSource, SourceDef)>> {
    crate::sources::run::current_sources(store).map_err(anyhow::Error::msg)
}

/// Plans `wanted` (the folder's sources; `None` when the folder has no
/// `sources.toml`) against the stored ones.
pub(crate) fn plan_sources(
    stored: &[(StoredSource, SourceDef)],
    wanted: Option<&[SourceDef]>,
    prune: bool,
) -> SourcePlan {
    let mut plan = SourcePlan::default();
    let wanted = wanted.unwrap_or(&[]);
    for w in wanted {
        match stored.iter().find(|(s, _)| s.name == w.name) {
            None => plan.changes.push(SourceChange::Add(w.clone(), false)),
            Some((s, _)) if s.retired => plan.changes.push(SourceChange::Add(w.clone(), true)),
            Some((_, old)) if same_source(old, w) => plan.unchanged += 1,
            Some((_, old)) => plan
                .changes
                .push(SourceChange::Set(w.clone(), source_diff(old, w))),
        }
    }
    for (s, _) in stored.iter().filter(|(s, _)| !s.retired) {
        if !wanted.iter().any(|w| w.name == s.name) {
            if prune {
                plan.changes.push(SourceChange::Retire(s.name.clone()));
            } else {
                plan.kept.push(s.name.clone());
            }
        }
    }
    plan
}

/// Writes the plan in `apply`'s transaction.
pub(crate) fn apply_sources(tx: &Tx<'_>, now: i64, plan: &SourcePlan) -> crate::store::Result<()> {
    for c in &plan.changes {
        match c {
            SourceChange::Add(s, _) | SourceChange::Set(s, _) => put_source(
                tx,
                now,
                &s.name,
                &source_toml(s),
                (s.stale_after_secs, s.critical_after_secs),
            )?,
            SourceChange::Retire(n) => retire_source(tx, now, n)?,
        }
    }
    Ok(())
}
