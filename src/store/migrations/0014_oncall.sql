-- opsdeck schema: on call (issue 19). Additive only.
--
-- Rotations, quiet hours and recurring maintenance windows are part of the
-- definition (oncall.toml, kept as JSON in meta 'oncall'); what is typed
-- at the command line lives here.

-- Every version of oncall.toml as applied: `def` (JSON of
-- domain::oncall::OnCallDef) holds from `at` until the next row, so a
-- past time is judged by the rotation in force then.
CREATE TABLE oncall_definitions (
    id    INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    actor TEXT NOT NULL,
    def   TEXT NOT NULL
);
CREATE INDEX oncall_definitions_by_time ON oncall_definitions (at);

-- A swap: `person` holds `role` from `starts_at` until `ends_at`
-- (exclusive), whatever the rotation says. Ending one early sets `ended_at`
-- and moves `ends_at` to that time.
CREATE TABLE oncall_overrides (
    id         INTEGER PRIMARY KEY,
    role       TEXT NOT NULL,
    person     TEXT NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    ended_at   INTEGER,
    ended_by   TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX oncall_overrides_by_end ON oncall_overrides (ends_at);

-- A silence: alerts matching every matcher (JSON array of {field, value})
-- are recorded and shown but neither notify nor escalate until `ends_at`
-- (always set: a silence expires). Ended early: `ended_at`, `ends_at` moved.
CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    matchers   TEXT NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    ended_at   INTEGER,
    ended_by   TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX silences_by_end ON silences (ends_at);

-- The outbox: one row per notification to send. `due_at` NULL = held by a
-- silence or a maintenance window (`held` says which) until it ends; a
-- later `due_at` = waiting for quiet hours or the recipient's group window.
-- `check` and the cockpit send what is due, one command per recipient,
-- and set `sent_at` (or `dropped` when the alert was resolved or its cause
-- cleared meanwhile).
CREATE TABLE notify_outbox (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts(id),
    reason     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at     INTEGER,
    held       TEXT,
    sent_at    INTEGER,
    dropped    TEXT
);
CREATE INDEX notify_outbox_pending ON notify_outbox (sent_at, due_at) WHERE sent_at IS NULL AND dropped IS NULL;
CREATE INDEX notify_outbox_by_recipient ON notify_outbox (recipient, sent_at);
