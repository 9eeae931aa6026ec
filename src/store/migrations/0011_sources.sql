-- opsdeck schema: scheduled data sources (sources.toml). Additive only.
--
-- A stale data source raises an alert of its own kind ('source'): the
-- alerts table's CHECK is widened in place. Widening a CHECK changes no
-- stored row, so the table is not rebuilt (SQLite's documented use of
-- writable_schema for loosening a constraint); the tables created below
-- change the schema cookie, so every connection reads the new text.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''overdue_run'', ''manual'')', '''overdue_run'', ''manual'', ''source'')')
 WHERE type = 'table' AND name = 'alerts';
PRAGMA writable_schema = OFF;

-- A source as `apply` last stored it: `spec` is its `[[source]]` table in
-- canonical TOML, which names environment variables and never holds a
-- secret. A source missing from the folder is retired with --prune (its
-- runs are kept) and returns when defined again.
CREATE TABLE sources (
    name       TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    -- Seconds without success after which it is stale, and of staleness
    -- after which its alert is critical (from the spec, for the alert rules).
    stale_after    INTEGER NOT NULL,
    critical_after INTEGER NOT NULL,
    defined_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retired_at INTEGER
);

-- One run of a source: when it started and ended, what it wrote, and the
-- first errors (one per line, secrets redacted). ok NULL = still running.
CREATE TABLE source_runs (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    ok         INTEGER,
    rows_new       INTEGER NOT NULL DEFAULT 0,
    rows_changed   INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_refused   INTEGER NOT NULL DEFAULT 0,
    errors     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX source_runs_by_source ON source_runs (source, started_at);

-- Who is fetching a source right now: a run takes the lease in a short
-- transaction, fetches with no lock held and gives it back. A lease past
-- its expiry (a crashed run) may be taken over.
CREATE TABLE source_leases (
    source     TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    taken_at   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Values far from their indicator's recent ones (domain::anomaly) are
-- stored but marked for review: `review` says why (NULL = nothing to
-- review); `observation confirm ID` clears it and keeps the confirmed
-- value, so that a source's re-fetch of the same value is not marked again.
ALTER TABLE observations ADD COLUMN review TEXT;
ALTER TABLE observations ADD COLUMN review_confirmed REAL;
