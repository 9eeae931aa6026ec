-- opsdeck schema: service level objectives, alerts and their history.
-- Additive only: new tables and indexes, nothing existing is changed.
-- Times are unix seconds UTC (INTEGER), like everywhere else.

-- An SLO as imported: the current definition (JSON of domain::budget::SloDef)
-- and its version; every version is kept in slo_versions.
CREATE TABLE slos (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    definition  TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE slo_versions (
    slo_id      INTEGER NOT NULL REFERENCES slos(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    file        TEXT,
    PRIMARY KEY (slo_id, version)
) WITHOUT ROWID;

-- One row per alert. A cause (dedup_key) has at most one alert that is open
-- or acknowledged (the partial unique index below); a recurring cause
-- updates that row. Resolved alerts are history and are never deleted.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    dedup_key     TEXT NOT NULL,
    source        TEXT NOT NULL
                  CHECK (source IN ('indicator', 'burn', 'capacity', 'overdue_run', 'manual')),
    severity      TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title         TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'acknowledged', 'resolved')),
    -- Onsets of the cause while this alert was not resolved (1 at opening).
    count         INTEGER NOT NULL DEFAULT 1,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    -- Start of the escalation clock: opening, or the last re-opening.
    opened_at     INTEGER NOT NULL,
    opened_by     TEXT NOT NULL,
    open_note     TEXT,
    acked_at      INTEGER,
    acked_by      TEXT,
    ack_note      TEXT,
    resolved_at   INTEGER,
    resolved_by   TEXT,
    resolve_note  TEXT,
    snoozed_until INTEGER,
    -- Index into the escalation path (JSON list of {after_secs, target}).
    level         INTEGER NOT NULL DEFAULT 0 CHECK (level >= 0),
    path          TEXT NOT NULL,
    escalated_at  INTEGER,
    paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    pause_reason  TEXT,
    resumed_at    INTEGER,
    -- When the rules last found the cause gone (NULL while it holds).
    cleared_at    INTEGER,
    owner_role    TEXT,
    -- Playbook a critical alert names; a run of it is linked by run_id.
    playbook      TEXT,
    run_id        INTEGER
);
CREATE UNIQUE INDEX alerts_one_active_per_cause
    ON alerts (dedup_key) WHERE state IN ('open', 'acknowledged');
-- The cockpit pane, `alert list` and `check`: the active alerts.
CREATE INDEX alerts_active ON alerts (state, opened_at)
    WHERE state IN ('open', 'acknowledged');
-- `alert list --all` and the history: newest first.
CREATE INDEX alerts_by_first_seen ON alerts (first_seen);

-- Every transition of every alert: opened, recurred, cleared, acknowledged,
-- resolved, snoozed, escalated, reopened, paused, resumed, note, notified,
-- notify_failed, run_started. Append-only like the audit trail.
CREATE TABLE alert_events (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    level    INTEGER,
    note     TEXT
);
CREATE INDEX alert_events_by_alert ON alert_events (alert_id, at);
CREATE INDEX alert_events_by_time ON alert_events (at);

CREATE TRIGGER alert_events_no_update BEFORE UPDATE ON alert_events
BEGIN
    SELECT RAISE(ABORT, 'alert history is append-only');
END;
CREATE TRIGGER alert_events_no_delete BEFORE DELETE ON alert_events
BEGIN
    SELECT RAISE(ABORT, 'alert history is append-only');
END;
CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts
BEGIN
    SELECT RAISE(ABORT, 'alerts are never deleted; resolve them');
END;
