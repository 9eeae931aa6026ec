//! Team mode on PostgreSQL: `opsdeck team init [--apply]` (the roles and
//! their grants) and `opsdeck migrate --to URL` (an SQLite database copied
//! into an empty PostgreSQL one and verified).

use super::Context;
use crate::cli::TeamCommand;
use crate::store::pg;
use anyhow::bail;

/// `opsdeck team …`.
pub fn run(ctx: &Context, command: &TeamCommand) -> anyhow::Result<u8> {
    match command {
        TeamCommand::Init { apply: false } => {
            outln!("{}", pg::ROLES_SQL.trim_end());
            Ok(0)
        }
        TeamCommand::Init { apply: true } => {
            if !pg::is_url(&ctx.db) {
                bail!(
                    "team init --apply: --db must name a PostgreSQL database (postgres://…); an SQLite file has no roles — its folder's permissions decide who writes"
                );
            }
            let store = ctx.open()?;
            store.apply_roles()?;
            outln!(
                "the roles opsdeck_viewer, opsdeck_operator and opsdeck_admin and their grants are in place on {}",
                pg::shown(&ctx.db.to_string_lossy())
            );
            outln!("give each person a login in one of them, e.g. in psql:");
            outln!("  CREATE ROLE ana LOGIN IN ROLE opsdeck_operator;  \\password ana");
            Ok(0)
        }
    }
}

/// `opsdeck migrate --to URL`.
pub fn migrate(ctx: &Context, to: &str) -> anyhow::Result<u8> {
    if pg::is_url(&ctx.db) {
        bail!("migrate --to copies an SQLite database: --db names a server already (use pg_dump to copy it)");
    }
    if !pg::is_url(std::path::Path::new(to)) {
        bail!(
            "--to: not a PostgreSQL URL (postgres://USER@HOST[:PORT]/DATABASE): {}",
            crate::text::sanitize(to)
        );
    }
    let store = ctx.open()?;
    let started = std::time::Instant::now();
    let counts = store.copy_to_pg(to)?;
    let rows: u64 = counts.values().sum();
    outln!(
        "copied {rows} rows of {} tables from {} to {} and verified each table ({} ms)",
        counts.len(),
        crate::text::sanitize_path(&ctx.db),
        pg::shown(to),
        started.elapsed().as_millis()
    );
    outln!(
        "next: `opsdeck --db {} team init --apply` as its owner, then point everyone at it (OPSDECK_DB or `database` in the config)",
        pg::shown(to)
    );
    Ok(0)
}
