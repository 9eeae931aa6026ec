-- opsdeck schema 13: incidents, their alerts and their action items.
-- Additive only. Times are unix seconds UTC (INTEGER), like everywhere else.

-- An incident groups alerts under one title, severity and commander, and
-- moves only forward: open -> mitigated -> resolved -> reviewed (a step
-- may be passed over: a fix can resolve without a separate mitigation).
-- Each step keeps who and when; the trigger below refuses going back.
CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL CHECK (length(trim(title)) > 0),
    severity     TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    commander    TEXT,
    state        TEXT NOT NULL DEFAULT 'open'
                 CHECK (state IN ('open', 'mitigated', 'resolved', 'reviewed')),
    declared_at  INTEGER NOT NULL,
    declared_by  TEXT NOT NULL,
    mitigated_at INTEGER,
    mitigated_by TEXT,
    resolved_at  INTEGER,
    resolved_by  TEXT,
    reviewed_at  INTEGER,
    reviewed_by  TEXT
);
-- `incident list`: open ones first, newest first.
CREATE INDEX incidents_by_state ON incidents (state, declared_at);

CREATE TRIGGER incidents_forward_only BEFORE UPDATE OF state ON incidents
WHEN (CASE NEW.state WHEN 'open' THEN 0 WHEN 'mitigated' THEN 1 WHEN 'resolved' THEN 2 ELSE 3 END)
  <= (CASE OLD.state WHEN 'open' THEN 0 WHEN 'mitigated' THEN 1 WHEN 'resolved' THEN 2 ELSE 3 END)
BEGIN
    SELECT RAISE(ABORT, 'an incident''s state only moves forward');
END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN
    SELECT RAISE(ABORT, 'incidents are never deleted');
END;

-- The alerts of an incident. An alert belongs to at most one incident.
CREATE TABLE incident_alerts (
    alert_id    INTEGER PRIMARY KEY REFERENCES alerts(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id)
);
CREATE INDEX incident_alerts_by_incident ON incident_alerts (incident_id, alert_id);

-- Runs started for an incident by hand (`incident declare --run N`), besides
-- the runs its alerts started: their items and notes join its timeline.
CREATE TABLE incident_runs (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    run_id      INTEGER NOT NULL REFERENCES checklist_runs(id),
    PRIMARY KEY (incident_id, run_id)
) WITHOUT ROWID;

-- Action items of a post-mortem. Each is a work item of kind `action`
-- (external id INC-<incident>-<n>, segment = the owner, promised = the due
-- date), so it is open, late or closed like any other work; this table
-- keeps what the work item has no column for: the incident and the text.
CREATE TABLE incident_actions (
    work_item_id INTEGER PRIMARY KEY REFERENCES work_items(id),
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    owner        TEXT NOT NULL,
    text         TEXT NOT NULL CHECK (length(trim(text)) > 0),
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX incident_actions_by_incident ON incident_actions (incident_id);
