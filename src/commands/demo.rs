//! `opsdeck demo`: (re)creates the demo database.

use super::Context;
use crate::demo::{generate, DemoSettings};
use crate::store::{audit, feedback, indicators, work_items, Store};
use anyhow::{bail, Context as _};

/// Recreates the demo database and says where it is.
pub fn run(ctx: &Context) -> anyhow::Result<u8> {
    let counts = create(ctx)?;
    outln!(
        "demo database ready: {} ({} work items, {} observations, {} feedback responses)",
        crate::text::sanitize_path(&ctx.db),
        counts.0,
        counts.1,
        counts.2
    );
    outln!(
        "open it with: opsdeck --db {}   (or: opsdeck --demo)",
        crate::text::sanitize_path(&ctx.db)
    );
    Ok(0)
}

/// Creates the demo database at `ctx.db`, replacing an earlier demo
/// database there. Refuses to touch the user's own default database or any
/// file that is not a demo database.
pub fn create(ctx: &Context) -> anyhow::Result<(usize, usize, usize)> {
    if let Ok(own) = super::default_db() {
        if same_file(&own, &ctx.db) {
            bail!("{}: this is your own database; the demo is never written into it (use --db OTHER.db)", ctx.db.display());
        }
    }
    if ctx.db.exists() {
        let is_demo = Store::open(&ctx.db, &ctx.actor)
            .ok()
            .and_then(|s| s.meta("demo").ok().flatten())
            .is_some();
        let empty = std::fs::metadata(&ctx.db)
            .map(|m| m.len() == 0)
            .unwrap_or(false);
        if !is_demo && !empty {
            bail!(
                "{}: exists and is not a demo database; refusing to replace it",
                ctx.db.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{}", ctx.db.display(), suffix);
            if std::path::Path::new(&p).exists() {
                std::fs::remove_file(&p).with_context(|| format!("cannot replace {p}"))?;
            }
        }
    }
    let mut store = Store::open_at(&ctx.db, &ctx.actor, ctx.now)?;
    populate(&mut store, ctx.now)
}

/// Fills an open (new) store with the demo operation ending at `now`:
/// the same `now` always gives the same database.
pub fn populate(store: &mut Store, now: i64) -> anyhow::Result<(usize, usize, usize)> {
    let settings = DemoSettings::shipped();
    let data = generate(&settings, now);
    let ids: std::collections::HashMap<String, i64> = store
        .indicators()?
        .into_iter()
        .map(|i| (i.def.key, i.id))
        .collect();
    store.write(|tx| -> anyhow::Result<()> {
        tx.set_meta("demo", "1")?;
        tx.set_meta("company", &settings.company)?;
        for w in &data.work_items {
            work_items::upsert_work_item(tx, w)?;
        }
        for f in &data.feedback {
            feedback::insert_feedback(tx, f)?;
        }
        for (key, at, value, note) in &data.observations {
            let id = ids[key.as_str()];
            indicators::insert_observation(
                tx,
                id,
                *at,
                *value,
                note.as_deref(),
                indicators::Origin::Import,
            )?;
        }
        for entry in &settings.people {
            let (person, role) = entry.split_once(':').context("demo people are name:role")?;
            tx.execute("INSERT OR IGNORE INTO people (name) VALUES (?1)", [person])?;
            tx.execute(
                "INSERT OR IGNORE INTO role_assignments (role_id, person_id, assigned_at)
                 SELECT r.id, p.id, ?3 FROM roles r, people p WHERE r.key = ?2 AND p.name = ?1",
                rusqlite::params![person, role, now - 90 * crate::domain::DAY],
            )?;
        }
        crate::store::runs::seed_demo_runs(tx, now)?;
        audit::record(
            tx,
            now,
            "demo",
            "database",
            None,
            &serde_json::json!({"work_items": data.work_items.len()}),
        )?;
        Ok(())
    })?;
    crate::store::alerts::seed_demo_alerts(store, now)?;
    crate::demo::learning::seed(store, now)?;
    Ok((
        data.work_items.len(),
        data.observations.len(),
        data.feedback.len(),
    ))
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
