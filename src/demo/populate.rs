//! The demo story written into a fresh database: the generated data, the
//! people in their roles, the checklist runs, the alerts of a morning and
//! the learning loop, each through the store's public write functions with
//! an explicit time and actor.

use super::{alerts, generate, runs, DemoSettings};
use crate::domain::DAY;
use crate::store::{audit, feedback, indicators, notes, roles, work_items, Store};
use anyhow::Context as _;

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
    let incident_run = store.write(|tx| -> anyhow::Result<i64> {
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
                indicators::Origin::Demo,
            )?;
        }
        for entry in &settings.people {
            let (person, role) = entry.split_once(':').context("demo people are name:role")?;
            roles::assign(tx, now - 90 * DAY, person, role)?;
        }
        let incident_run = runs::seed_demo_runs(tx, now)?;
        audit::record(
            tx,
            now,
            "demo",
            "database",
            None,
            &serde_json::json!({"work_items": data.work_items.len()}),
        )?;
        Ok(incident_run)
    })?;
    super::oncall::seed(store, now)?;
    alerts::seed_demo_alerts(store, now)?;
    super::learning::seed(store, now)?;
    store.write(|tx| super::incident::seed(tx, now, incident_run))?;
    // Yesterday's standup, so today's shows what changed since.
    store.write(|tx| notes::record_standup(&tx.acting_as("Ana"), now - DAY))?;
    Ok((
        data.work_items.len(),
        data.observations.len(),
        data.feedback.len(),
    ))
}
