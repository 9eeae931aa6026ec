//! `opsdeck init [DIR]`, `opsdeck apply DIR [--dry-run] [--prune]` and
//! `opsdeck definition DIR`: the operation as a folder of TOML files.

use super::sources_plan::{apply_sources, current_sources, parse_folder_sources, plan_sources};
use super::Context;
use crate::definition::{self, parse_folder, to_files, PLAYBOOKS_DIR};
use crate::store::definition::apply_plan;
use anyhow::{anyhow, bail, Context as _};
use std::path::Path;

/// The starter folder: the shipped assets, with the starter playbooks'
/// review counted from `today`.
pub(crate) fn starter_files(today: chrono::NaiveDate) -> Vec<(String, String)> {
    let mut files = vec![
        (
            definition::OPERATION_FILE.to_string(),
            crate::assets::OPERATION_TOML.to_string(),
        ),
        (
            definition::INDICATORS_FILE.to_string(),
            crate::assets::INDICATORS_TOML.to_string(),
        ),
        (
            definition::SLOS_FILE.to_string(),
            crate::store::slos::STARTER_SLOS_TOML.to_string(),
        ),
        (
            definition::ONCALL_FILE.to_string(),
            crate::assets::ONCALL_TOML.to_string(),
        ),
    ];
    for (name, text) in crate::store::playbooks::STARTER_PLAYBOOKS {
        files.push((
            format!("{PLAYBOOKS_DIR}/{name}"),
            crate::store::playbooks::reviewed_on(text, today),
        ));
    }
    files
}

/// Reads a definition folder as `(path inside it, text)`, sorted.
fn read_folder(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let shown = dir.display();
    if !dir.is_dir() {
        bail!("{shown}: not a folder");
    }
    let mut files = Vec::new();
    let mut read = |sub: &Path, prefix: &str| -> anyhow::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(sub)
            .with_context(|| format!("{}", sub.display()))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("{}", sub.display()))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if name.starts_with('.') || !name.ends_with(".toml") || !path.is_file() {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
            files.push((format!("{prefix}{name}"), text));
        }
        Ok(())
    };
    read(dir, "")?;
    let pb = dir.join(PLAYBOOKS_DIR);
    if pb.is_dir() {
        read(&pb, "playbooks/")?;
    }
    Ok(files)
}

/// What a valid folder defines: the operation and its sources (`None`
/// when the folder has no `sources.toml`).
type Loaded = (
    definition::Definition,
    Option<Vec<crate::sources::SourceDef>>,
);

/// Validates a folder (its `sources.toml` too); on problems prints every
/// one (`DIR/FILE:LINE: field: reason`) and fails with exit status 2.
fn load(dir: &Path) -> anyhow::Result<Result<Loaded, u8>> {
    let files = read_folder(dir)?;
    let shown = dir.display().to_string();
    let sources = parse_folder_sources(&shown, &files);
    let mut problems: Vec<String> = Vec::new();
    let def = match parse_folder(&files) {
        Ok(d) => Some(d),
        Err(errors) => {
            problems.extend(errors.iter().map(|e| format!("{shown}/{e}")));
            None
        }
    };
    if let Err(e) = &sources {
        problems.extend(e.iter().cloned());
    }
    match (def, sources) {
        (Some(d), Ok(s)) => Ok(Ok((d, s))),
        _ => {
            for p in &problems {
                eprintln!("{}", crate::text::sanitize(p));
            }
            eprintln!(
                "opsdeck: {} problem(s) in {}; nothing was written",
                problems.len(),
                crate::text::sanitize(&shown)
            );
            Ok(Err(2))
        }
    }
}

fn write_files(dir: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join(PLAYBOOKS_DIR))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// `opsdeck init [DIR]`.
pub fn init(ctx: &Context, dir: Option<&Path>) -> anyhow::Result<u8> {
    let dir = dir.unwrap_or(Path::new("ops"));
    let shown = crate::text::sanitize(&dir.display().to_string());
    if dir.join(definition::OPERATION_FILE).exists() {
        bail!("{shown} already holds an operation (operation.toml); edit it and run `opsdeck apply {shown}`");
    }
    let today = chrono::DateTime::from_timestamp(ctx.now, 0)
        .map(|t| t.date_naive())
        .ok_or_else(|| anyhow!("the clock is out of range"))?;
    let files = starter_files(today);
    let def = parse_folder(&files).map_err(|e| {
        anyhow!(
            "the starter set does not validate: {}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    write_files(dir, &files)?;
    println!(
        "wrote the starter operation to {shown}/ ({} files)",
        files.len()
    );
    if ctx.db.exists() {
        println!(
            "the database {} already exists: `opsdeck apply {shown} --dry-run` shows what would change",
            crate::text::sanitize(&ctx.db.display().to_string())
        );
        return Ok(0);
    }
    let mut store = ctx.open()?;
    let (current, retired) = store.current_definition()?;
    let plan = definition::plan(&current, &retired, &def, false);
    if !plan.changes.is_empty() {
        store.write(|tx| apply_plan(tx, ctx.now, &plan, &dir.display().to_string()))?;
    }
    println!(
        "created the database {} from it",
        crate::text::sanitize(&ctx.db.display().to_string())
    );
    Ok(0)
}

/// `opsdeck apply DIR [--dry-run] [--prune]`.
pub fn apply(ctx: &Context, dir: &Path, dry_run: bool, prune: bool) -> anyhow::Result<u8> {
    let (def, sources) = match load(dir)? {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let shown = dir.display().to_string();
    let mut store = ctx.open()?;
    let (plan, source_plan) = store.write_with_reads(|store, tx| -> anyhow::Result<_> {
        // Planned inside the write transaction: what it compares with cannot
        // change before it is applied.
        let (current, retired) = store.current_definition()?;
        let plan = definition::plan(&current, &retired, &def, prune);
        let source_plan = plan_sources(&current_sources(store)?, sources.as_deref(), prune);
        if !dry_run {
            if !plan.changes.is_empty() {
                apply_plan(tx, ctx.now, &plan, &shown)?;
            }
            apply_sources(tx, ctx.now, &source_plan)?;
        }
        Ok((plan, source_plan))
    })?;
    let mut lines = plan.lines(&shown);
    lines.pop();
    lines.extend(source_plan.lines(&shown));
    lines.push(format!(
        "= {} unchanged",
        plan.unchanged + source_plan.unchanged
    ));
    for line in lines {
        println!("{}", crate::text::sanitize(&line));
    }
    let changes = plan.changes.len() + source_plan.changes.len();
    if changes == 0 {
        println!("no changes");
    } else if dry_run {
        println!("dry run: nothing was written");
    } else {
        println!("applied {changes} change(s)");
    }
    Ok(0)
}

/// `opsdeck definition DIR`.
pub fn write(ctx: &Context, dir: &Path) -> anyhow::Result<u8> {
    let store = ctx.open()?;
    let (def, _) = store.current_definition()?;
    let mut files = to_files(&def);
    let sources: Vec<crate::sources::SourceDef> = current_sources(&store)?
        .into_iter()
        .filter(|(s, _)| !s.retired)
        .map(|(_, d)| d)
        .collect();
    let sources_path = dir.join(definition::SOURCES_FILE);
    if !sources.is_empty() {
        files.push((
            definition::SOURCES_FILE.to_string(),
            crate::sources::sources_file(&sources),
        ));
    } else if sources_path.is_file() {
        std::fs::remove_file(&sources_path)
            .with_context(|| format!("cannot remove {}", sources_path.display()))?;
    }
    let oncall_path = dir.join(definition::ONCALL_FILE);
    if !files.iter().any(|(f, _)| f == definition::ONCALL_FILE) && oncall_path.is_file() {
        std::fs::remove_file(&oncall_path)
            .with_context(|| format!("cannot remove {}", oncall_path.display()))?;
    }
    if dir.join(PLAYBOOKS_DIR).is_dir() {
        for e in std::fs::read_dir(dir.join(PLAYBOOKS_DIR))?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".toml")
                && !files
                    .iter()
                    .any(|(f, _)| *f == format!("{PLAYBOOKS_DIR}/{name}"))
            {
                std::fs::remove_file(e.path())?;
            }
        }
    }
    write_files(dir, &files)?;
    println!(
        "wrote the definition to {}/ ({} files)",
        crate::text::sanitize(&dir.display().to_string()),
        files.len()
    );
    Ok(0)
}
