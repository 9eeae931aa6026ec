//! `opsdeck restore FILE|-`: rebuilds a new database (`--db`) from an export.
//!
//! The database is built in a temporary file next to `--db`, verified
//! (`integrity_check`, the row counts of the export's trailer), fsynced and
//! only then linked under its name: a killed restore leaves no file under
//! that name, and a retry can go ahead.

use super::Context;
use crate::store::{backup, Store};
use anyhow::{bail, Context as _};
use std::io::BufRead;

/// Restores the export into the new database at `ctx.db`, all or nothing.
pub fn run(ctx: &Context, file: &str) -> anyhow::Result<u8> {
    if crate::store::pg::is_url(&ctx.db) {
        return run_to_server(ctx, file);
    }
    if ctx.db.symlink_metadata().is_ok() {
        bail!(
            "{}: exists already; restore only writes into a new database (pass --db NEW.db)",
            ctx.db.display()
        );
    }
    let mut input: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file).with_context(|| format!("{file}: cannot open"))?;
        Box::new(std::io::BufReader::new(f))
    };
    let label = if file == "-" { "stdin" } else { file };
    let tmp = backup::temp_path(&ctx.db, "restore");
    let result = (|| -> anyhow::Result<_> {
        let mut store = Store::create_at(&tmp, &ctx.actor, ctx.now)?;
        let by = crate::store::export::RestoredBy {
            file: if file == "-" {
                "stdin".into()
            } else {
                std::fs::canonicalize(file)
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_else(|_| file.to_string())
            },
            login: crate::store::audit::os_user().login.clone(),
            uid: crate::store::audit::os_user().uid,
        };
        let counts = store.restore_jsonl(&mut input, label, ctx.now, &by)?;
        let written = store.table_counts()?;
        store.close_as_single_file()?;
        backup::place_verified(&tmp, &ctx.db, Some(&written))?;
        Ok(counts)
    })();
    let counts = match result {
        Ok(c) => c,
        Err(e) => {
            // Leave no half-made database behind.
            backup::remove_with_journals(&tmp);
            return Err(e);
        }
    };
    let rows: u64 = counts.values().sum();
    outln!(
        "restored {rows} rows into {} tables of {}",
        counts.len(),
        crate::text::sanitize_path(&ctx.db)
    );
    Ok(0)
}

/// Restores into an empty PostgreSQL database: the export is restored into
/// a private SQLite file first (all its checks), which is then copied to
/// the server in one transaction and verified table by table, as `migrate
/// --to` does; the file is removed either way.
fn run_to_server(ctx: &Context, file: &str) -> anyhow::Result<u8> {
    crate::store::pg::check_empty(&ctx.db.to_string_lossy())?;
    let local = std::env::temp_dir().join(format!("opsdeck-restore-{}.db", std::process::id()));
    backup::remove_with_journals(&local);
    let mut local_ctx = ctx.clone();
    local_ctx.db = local.clone();
    let copied = (|| -> anyhow::Result<u8> {
        let code = run(&local_ctx, file)?;
        if code != 0 {
            return Ok(code);
        }
        copy_restored(ctx, &local)
    })();
    backup::remove_with_journals(&local);
    copied
}

fn copy_restored(ctx: &Context, local: &std::path::Path) -> anyhow::Result<u8> {
    let url = ctx.db.to_string_lossy().into_owned();
    let store = Store::open_existing(local, &ctx.actor, ctx.now, true)?;
    let counts = store.copy_to_pg(&url)?;
    let rows: u64 = counts.values().sum();
    outln!(
        "copied {rows} rows of {} tables to {} and verified each table",
        counts.len(),
        crate::store::pg::shown(&url)
    );
    Ok(0)
}
