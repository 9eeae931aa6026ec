//! Running one source: take its lease in the database (two overlapping runs
//! never fetch the same source at once), fetch with no lock held, write
//! all-or-nothing through the one import pipeline under the source's origin
//! (a re-fetch changes nothing), and keep a run record. Used by
//! `opsdeck sources run` and the cockpit's Sources view (`r`); neither
//! prints from here.

use super::{fetch_body, parse_sources, to_import_jsonl, Body, Payload, SourceDef};
use crate::domain::Timestamp;
use crate::ingest::pipeline::{import_stream, Source};
use crate::ingest::Format;
use crate::store::sources::StoredSource;
use crate::store::sources::{finish_run, release_lease, start_run, take_lease, RunOutcome};
use crate::store::{indicators, Store};
use std::collections::HashMap;

/// Errors kept in a run record.
pub(crate) const KEPT_ERRORS: usize = 5;

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RunResult {
    /// Another run holds the source's lease: nothing was fetched.
    Skipped,
    /// The run finished (successfully or not) and was recorded.
    Finished(RunOutcome),
}

/// The stored sources, parsed (retired ones too: callers filter).
pub(crate) fn current_sources(store: &Store) -> Result<Vec<(StoredSource, SourceDef)>, String> {
    let mut out = Vec::new();
    for s in store.stored_sources().map_err(|e| e.to_string())? {
        let mut parsed = parse_sources("stored", &s.spec).map_err(|e| {
            format!(
                "source {}: the stored definition does not parse: {}",
                crate::text::sanitize(&s.name),
                e.first().map(ToString::to_string).unwrap_or_default()
            )
        })?;
        if let Some(def) = parsed.pop() {
            out.push((s, def));
        }
    }
    Ok(out)
}

/// The sources in force (not retired), parsed.
pub(crate) fn sources_in_force(store: &Store) -> Result<Vec<(StoredSource, SourceDef)>, String> {
    Ok(current_sources(store)?
        .into_iter()
        .filter(|(s, _)| !s.retired)
        .collect())
}

/// One source as `sources list` and the cockpit's Sources view show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    /// Its definition.
    pub def: SourceDef,
    /// Its latest run (finished or not).
    pub last_run: Option<crate::store::sources::SourceRun>,
    /// When its latest successful run ended.
    pub last_success: Option<Timestamp>,
    /// Fresh or stale at `now`.
    pub freshness: crate::domain::freshness::Freshness,
    /// When it is next due (now when it never ran).
    pub next_due: Timestamp,
}

impl SourceStatus {
    /// Seconds since the last success at `now`.
    pub fn lag(&self, now: Timestamp) -> Option<i64> {
        self.last_success.map(|t| now - t)
    }

    /// True while its latest run has not ended.
    pub fn running(&self) -> bool {
        self.last_run.as_ref().is_some_and(|r| r.ended_at.is_none())
    }

    /// Rows the latest finished run delivered (new, changed, unchanged).
    pub fn last_rows(&self) -> Option<u64> {
        self.last_run
            .as_ref()
            .filter(|r| r.ended_at.is_some())
            .map(|r| r.outcome.rows_new + r.outcome.rows_changed + r.outcome.rows_unchanged)
    }

    /// The latest run's first error, if it failed.
    pub fn last_error(&self) -> Option<&str> {
        self.last_run
            .as_ref()
            .filter(|r| r.ended_at.is_some() && !r.outcome.ok)
            .and_then(|r| r.outcome.errors.first())
            .map(String::as_str)
    }

    /// The state in one word or two: `running`, `never run`, `failing`,
    /// `fresh`, `stale`, `stale (critical)`.
    pub fn state_word(&self) -> &'static str {
        use crate::domain::freshness::Freshness;
        if self.running() {
            return "running";
        }
        match self.freshness {
            Freshness::Stale { failing: true, .. } => "failing",
            _ if self.last_run.is_none() && !self.freshness.is_stale() => "never run",
            f => f.word(),
        }
    }
}

/// Every source in force with its state at `now`, by name.
pub fn source_statuses(store: &Store, now: Timestamp) -> Result<Vec<SourceStatus>, String> {
    let mut out = Vec::new();
    let e = |e: crate::store::StoreError| e.to_string();
    for (stored, def) in sources_in_force(store)? {
        let last_run = store.last_source_run(&def.name).map_err(e)?;
        let last_success = store.last_source_success(&def.name).map_err(e)?;
        let freshness = store.source_freshness(&stored, now).map_err(e)?;
        let next_due = match &last_run {
            None => now,
            Some(r) => def.schedule.next_after(r.started_at),
        };
        out.push(SourceStatus {
            def,
            last_run,
            last_success,
            freshness,
            next_due,
        });
    }
    Ok(out)
}

/// `source NAME:17: field: reason` → `source NAME: row 17: field: reason`.
fn row_message(label: &str, line: &str) -> String {
    let prefix = format!("{label}:");
    if let Some(rest) = line.strip_prefix(&prefix) {
        if let Some((n, tail)) = rest.split_once(':') {
            if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                return format!("{label}: row {n}:{tail}");
            }
        }
    }
    line.to_string()
}

/// Runs `def` once at `now` as `holder` (who holds the lease: `pid 123`),
/// reading secrets through `env`. The fetch holds no database lock; the
/// write is one transaction through the import pipeline.
pub(crate) fn run_source(
    store: &mut Store,
    def: &SourceDef,
    now: Timestamp,
    holder: &str,
    env: super::fetch::EnvLookup<'_>,
) -> crate::store::Result<RunResult> {
    let name = def.name.as_str();
    let ttl = def.timeout.as_secs() as i64 + 60;
    let run_id = store.write(|tx| -> crate::store::Result<Option<i64>> {
        if !take_lease(tx, name, holder, now, ttl)? {
            return Ok(None);
        }
        start_run(tx, name, now).map(Some)
    })?;
    let Some(run_id) = run_id else {
        tracing::info!(source = name, "sources: skipped, leased by another run");
        return Ok(RunResult::Skipped);
    };
    tracing::info!(source = name, kind = def.fetch.kind(), "sources: fetching");
    let label = format!("source {name}");
    let mut outcome = RunOutcome::default();
    match fetch_body(def, env) {
        Err(e) => outcome.errors.push(format!("{label}: {e}")),
        Ok(body) => {
            // Text goes to the import reader as it came, mapped while read;
            // rows (a query's, a JSON array's) are mapped into JSON Lines.
            let fields = crate::ingest::FieldMap {
                rename: &def.rename,
                constants: &def.constants,
            };
            let (input, format, fields) = match body {
                Body::Text(bytes, Payload::Csv) => (bytes, Format::Csv, Some(fields)),
                Body::Text(bytes, _) => (bytes, Format::Jsonl, Some(fields)),
                Body::Rows(records) => (to_import_jsonl(def, &records), Format::Jsonl, None),
            };
            let map: HashMap<String, i64> = store
                .indicators()?
                .into_iter()
                .map(|i| (i.def.key, i.id))
                .collect();
            let origin = indicators::source_origin(name);
            let source = Source {
                label: &label,
                origin: &origin,
                format,
                kind: Some(def.produces),
                force: false,
                fields,
            };
            let mut errors: Vec<String> = Vec::new();
            let mut report = |line: &str| {
                if errors.len() < KEPT_ERRORS {
                    errors.push(row_message(&label, line));
                }
            };
            let result = import_stream(
                store,
                now,
                source,
                Box::new(std::io::Cursor::new(input)),
                &map,
                false,
                &mut report,
            );
            match result {
                Ok((c, _)) => {
                    outcome.ok = c.bad == 0;
                    outcome.rows_refused = c.bad;
                    if outcome.ok {
                        outcome.rows_changed = c.changed;
                        outcome.rows_new = c.written - c.changed;
                        outcome.rows_unchanged = c.valid - c.written;
                    }
                }
                Err(e) => errors.push(format!("{label}: {e}")),
            }
            outcome.errors = errors;
        }
    }
    store.write(|tx| -> crate::store::Result<()> {
        finish_run(tx, run_id, now, &outcome)?;
        release_lease(tx, name, holder)
    })?;
    if outcome.ok {
        tracing::info!(
            source = name,
            "sources: {label}: {} new, {} changed, {} unchanged",
            outcome.rows_new,
            outcome.rows_changed,
            outcome.rows_unchanged
        );
    } else {
        for e in &outcome.errors {
            tracing::warn!(source = name, "sources: {e}");
        }
    }
    Ok(RunResult::Finished(outcome))
}

/// The one-line summary of a finished run, as `sources run` prints it.
pub(crate) fn outcome_line(name: &str, outcome: &RunOutcome) -> String {
    let label = format!("source {name}");
    if outcome.ok {
        format!(
            "{label}: {} new, {} changed, {} unchanged",
            outcome.rows_new, outcome.rows_changed, outcome.rows_unchanged
        )
    } else if outcome.rows_refused > 0 {
        format!(
            "{label}: failed: {} row(s) refused; nothing was written",
            outcome.rows_refused
        )
    } else {
        format!("{label}: failed; nothing was written")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_are_named() {
        assert_eq!(
            row_message("source s", "source s:17: promised_at: not a time"),
            "source s: row 17: promised_at: not a time"
        );
        assert_eq!(row_message("source s", "source s: x"), "source s: x");
    }

    #[test]
    fn outcome_lines() {
        let ok = RunOutcome {
            ok: true,
            rows_new: 3,
            rows_changed: 1,
            rows_unchanged: 2,
            ..RunOutcome::default()
        };
        assert_eq!(
            outcome_line("a", &ok),
            "source a: 3 new, 1 changed, 2 unchanged"
        );
        let bad = RunOutcome {
            rows_refused: 2,
            ..RunOutcome::default()
        };
        assert_eq!(
            outcome_line("a", &bad),
            "source a: failed: 2 row(s) refused; nothing was written"
        );
    }
}
