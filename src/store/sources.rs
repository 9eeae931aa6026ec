//! Scheduled sources in the database: their stored definitions (canonical
//! TOML naming environment variables, never a secret), their runs, and the
//! lease that keeps two overlapping runs from fetching the same source at
//! once.

use super::{audit, Result, Store, Tx};
use crate::domain::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// A source as `apply` stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSource {
    /// Its unique name.
    pub name: String,
    /// Its `[[source]]` table in canonical TOML.
    pub spec: String,
    /// Seconds without a success after which it is stale.
    pub stale_after_secs: i64,
    /// Seconds of staleness after which it is critical.
    pub critical_after_secs: i64,
    /// When it was first defined.
    pub defined_at: Timestamp,
    /// True when retired by `apply --prune`.
    pub retired: bool,
}

/// What a finished run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunOutcome {
    /// True when the fetch and the import succeeded.
    pub ok: bool,
    /// Rows that inserted something.
    pub rows_new: u64,
    /// Rows that replaced the source's own earlier value.
    pub rows_changed: u64,
    /// Rows identical to what the source wrote before.
    pub rows_unchanged: u64,
    /// Bad rows (a run with any writes nothing).
    pub rows_refused: u64,
    /// The first errors, one per line, secrets redacted.
    pub errors: Vec<String>,
}

/// One run of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRun {
    /// Its id.
    pub id: i64,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended (`None` while running).
    pub ended_at: Option<Timestamp>,
    /// What it did (meaningful once ended).
    pub outcome: RunOutcome,
}

/// Upserts a source's definition (a retired one returns), audited:
/// `staleness` is its `(stale_after, critical_after)` in seconds.
pub fn put_source(
    tx: &Tx<'_>,
    now: Timestamp,
    name: &str,
    spec: &str,
    staleness: (i64, i64),
) -> Result<()> {
    tx.execute(
        "INSERT INTO sources (name, spec, stale_after, critical_after, defined_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at,
             stale_after = excluded.stale_after, critical_after = excluded.critical_after,
             retired_at = NULL",
        params![name, spec, staleness.0, staleness.1, now],
    )?;
    audit::record(
        tx,
        now,
        "define",
        "source",
        Some(name),
        &serde_json::json!({ "spec": spec }),
    )
}

/// Retires a source (its runs are kept), audited.
pub(crate) fn retire_source(tx: &Tx<'_>, now: Timestamp, name: &str) -> Result<()> {
    tx.execute(
        "UPDATE sources SET retired_at = ?2 WHERE name = ?1 AND retired_at IS NULL",
        params![name, now],
    )?;
    audit::record(
        tx,
        now,
        "retire",
        "source",
        Some(name),
        &serde_json::json!({}),
    )
}

/// Takes the lease on `source` for `holder` until `now + ttl_secs`: true
/// when taken, false when another holder's lease has not expired.
pub fn take_lease(
    tx: &Tx<'_>,
    source: &str,
    holder: &str,
    now: Timestamp,
    ttl_secs: i64,
) -> Result<bool> {
    let n = tx.execute(
        "INSERT INTO source_leases (source, holder, taken_at, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source) DO UPDATE SET holder = excluded.holder,
             taken_at = excluded.taken_at, expires_at = excluded.expires_at
         WHERE source_leases.expires_at <= excluded.taken_at",
        params![source, holder, now, now + ttl_secs],
    )?;
    Ok(n == 1)
}

/// Gives the lease back (only `holder`'s own).
pub(crate) fn release_lease(tx: &Tx<'_>, source: &str, holder: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM source_leases WHERE source = ?1 AND holder = ?2",
        params![source, holder],
    )?;
    Ok(())
}

/// Records that a run of `source` started; returns its id.
pub fn start_run(tx: &Tx<'_>, source: &str, now: Timestamp) -> Result<i64> {
    tx.execute(
        "INSERT INTO source_runs (source, started_at) VALUES (?1, ?2)",
        params![source, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Records how run `id` ended.
pub(crate) fn finish_run(tx: &Tx<'_>, id: i64, now: Timestamp, o: &RunOutcome) -> Result<()> {
    tx.execute(
        "UPDATE source_runs SET ended_at = ?2, ok = ?3, rows_new = ?4, rows_changed = ?5,
             rows_unchanged = ?6, rows_refused = ?7, errors = ?8 WHERE id = ?1",
        params![
            id,
            now,
            o.ok,
            o.rows_new as i64,
            o.rows_changed as i64,
            o.rows_unchanged as i64,
            o.rows_refused as i64,
            o.errors.join("\n")
        ],
    )?;
    Ok(())
}

fn run_from_row(r: &crate::store::db::Row<'_>) -> rusqlite::Result<SourceRun> {
    let errors: String = r.get(8)?;
    Ok(SourceRun {
        id: r.get(0)?,
        started_at: r.get(1)?,
        ended_at: r.get(2)?,
        outcome: RunOutcome {
            ok: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
            rows_new: r.get::<_, i64>(4)? as u64,
            rows_changed: r.get::<_, i64>(5)? as u64,
            rows_unchanged: r.get::<_, i64>(6)? as u64,
            rows_refused: r.get::<_, i64>(7)? as u64,
            errors: errors.lines().map(str::to_string).collect(),
        },
    })
}

const RUN_COLUMNS: &str =
    "id, started_at, ended_at, ok, rows_new, rows_changed, rows_unchanged, rows_refused, errors";

impl Store {
    /// Every stored source, retired ones too, by name.
    pub fn stored_sources(&self) -> Result<Vec<StoredSource>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT name, spec, defined_at, retired_at IS NOT NULL, stale_after, critical_after
             FROM sources ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredSource {
                name: r.get(0)?,
                spec: r.get(1)?,
                defined_at: r.get(2)?,
                retired: r.get(3)?,
                stale_after_secs: r.get(4)?,
                critical_after_secs: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest run of `source` (finished or not).
    pub(crate) fn last_source_run(&self, source: &str) -> Result<Option<SourceRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM source_runs WHERE source = ?1 ORDER BY started_at DESC, id DESC LIMIT 1"
        );
        Ok(self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params![source], run_from_row)
            .optional()?)
    }

    /// The latest finished run of `source`.
    pub(crate) fn last_finished_source_run(&self, source: &str) -> Result<Option<SourceRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM source_runs WHERE source = ?1 AND ended_at IS NOT NULL
             ORDER BY ended_at DESC, id DESC LIMIT 1"
        );
        Ok(self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params![source], run_from_row)
            .optional()?)
    }

    /// When the latest successful run of `source` ended.
    pub(crate) fn last_source_success(&self, source: &str) -> Result<Option<Timestamp>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT max(ended_at) FROM source_runs WHERE source = ?1 AND ok = 1")?
            .query_row(params![source], |r| r.get(0))?)
    }

    /// The source's freshness at `now` (from its last success and whether
    /// its latest finished run failed).
    pub(crate) fn source_freshness(
        &self,
        s: &StoredSource,
        now: Timestamp,
    ) -> Result<crate::domain::freshness::Freshness> {
        let finished = self.last_finished_source_run(&s.name)?;
        Ok(crate::domain::freshness::freshness(
            &crate::domain::freshness::SourceHistory {
                defined_at: s.defined_at,
                last_success: self.last_source_success(&s.name)?,
                last_failed: finished.is_some_and(|r| !r.outcome.ok),
                stale_after_secs: s.stale_after_secs,
                critical_after_secs: s.critical_after_secs,
            },
            now,
        ))
    }

    /// Keys of the indicators fed by a source that is stale at `now` (a
    /// source feeds the indicators it has written values for).
    pub(crate) fn stale_indicator_keys(
        &self,
        now: Timestamp,
    ) -> Result<std::collections::BTreeSet<String>> {
        let mut out = std::collections::BTreeSet::new();
        for s in self.stored_sources()?.iter().filter(|s| !s.retired) {
            if !self.source_freshness(s, now)?.is_stale() {
                continue;
            }
            let mut stmt = self.conn().prepare_cached(
                "SELECT DISTINCT i.key FROM observations o JOIN indicators i ON i.id = o.indicator_id
                 WHERE o.origin = ?1 AND o.origin_key IS NOT NULL",
            )?;
            let keys = stmt.query_map(params![super::indicators::source_origin(&s.name)], |r| {
                r.get::<_, String>(0)
            })?;
            for k in keys {
                out.insert(k?);
            }
        }
        Ok(out)
    }

    /// Number of runs of `source` recorded.
    pub fn source_run_count(&self, source: &str) -> Result<i64> {
        Ok(self
            .conn()
            .prepare_cached("SELECT count(*) FROM source_runs WHERE source = ?1")?
            .query_row(params![source], |r| r.get(0))?)
    }
}
