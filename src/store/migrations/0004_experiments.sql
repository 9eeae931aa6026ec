-- opsdeck schema: experiments, their amendments, and the decision log.
-- Additive and self-contained. Times are unix seconds UTC (INTEGER).

-- The decision log. A decision never changes after it is recorded; a later
-- one may supersede it (the link lives on the newer one, at most one each).
CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    title      TEXT NOT NULL,
    why        TEXT NOT NULL,
    supersedes INTEGER UNIQUE REFERENCES decisions(id)
);
-- The Decisions view and `decision list`: newest first; the standup: since.
CREATE INDEX decisions_by_time ON decisions (at);

-- Evidence captured when the decision was recorded: a JSON snapshot of the
-- values at that time, never updated, so the log stays true later.
CREATE TABLE decision_evidence (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    position    INTEGER NOT NULL,
    reference   TEXT NOT NULL,
    captured    TEXT NOT NULL,
    summary     TEXT NOT NULL,
    UNIQUE (decision_id, position)
);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'a recorded decision cannot change; record a new one that supersedes it');
END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'the decision log is append-only');
END;
CREATE TRIGGER decision_evidence_no_update BEFORE UPDATE ON decision_evidence
BEGIN
    SELECT RAISE(ABORT, 'decision evidence is a snapshot and cannot change');
END;
CREATE TRIGGER decision_evidence_no_delete BEFORE DELETE ON decision_evidence
BEGIN
    SELECT RAISE(ABORT, 'decision evidence is a snapshot and cannot change');
END;

-- An operational experiment. `definition` is the current definition as JSON
-- (title, objective, hypothesis, scope, period, indicators, criteria,
-- control); key, title, start and end are copied out for lists and indexes.
-- `registered_definition` and `registered_hash` are what `experiment start`
-- pre-registered; they never change afterwards (amendments are rows below).
CREATE TABLE experiments (
    id                    INTEGER PRIMARY KEY,
    key                   TEXT NOT NULL UNIQUE,
    title                 TEXT NOT NULL,
    start_at              INTEGER NOT NULL,
    end_at                INTEGER NOT NULL CHECK (end_at > start_at),
    definition            TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    created_by            TEXT NOT NULL,
    started_at            INTEGER,
    started_by            TEXT,
    registered_definition TEXT,
    registered_hash       TEXT,
    concluded_at          INTEGER,
    decision              TEXT CHECK (decision IN ('scale', 'adjust', 'pivot', 'stop')),
    decision_id           INTEGER REFERENCES decisions(id),
    CHECK ((started_at IS NULL) = (registered_hash IS NULL)),
    CHECK (concluded_at IS NULL OR (started_at IS NOT NULL AND decision IS NOT NULL))
);
-- An operation runs a handful of experiments: the screens read them all
-- (by key through the UNIQUE index); no other index pays for itself.

CREATE TRIGGER experiments_registration_is_fixed
BEFORE UPDATE OF registered_definition, registered_hash, started_at, key ON experiments
WHEN old.registered_hash IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the registration of a started experiment cannot change; record an amendment');
END;
CREATE TRIGGER experiments_no_delete_started BEFORE DELETE ON experiments
WHEN old.started_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a started experiment cannot be deleted');
END;

-- A visible change to a started experiment's locked fields: the definition
-- before and after, both hashes, the fields, and why, by whom, when.
CREATE TABLE experiment_amendments (
    id            INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    at            INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    fields        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    original      TEXT NOT NULL,
    amended       TEXT NOT NULL,
    original_hash TEXT NOT NULL,
    amended_hash  TEXT NOT NULL
);
-- `experiment show` and the Experiments view: one experiment's amendments.
CREATE INDEX experiment_amendments_by_experiment ON experiment_amendments (experiment_id, at);

CREATE TRIGGER experiment_amendments_no_update BEFORE UPDATE ON experiment_amendments
BEGIN
    SELECT RAISE(ABORT, 'an amendment is part of the record and cannot change');
END;
CREATE TRIGGER experiment_amendments_no_delete BEFORE DELETE ON experiment_amendments
BEGIN
    SELECT RAISE(ABORT, 'an amendment is part of the record and cannot change');
END;
