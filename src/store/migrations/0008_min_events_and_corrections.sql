-- opsdeck schema: enough data, and correcting the record.

-- Fewest values an indicator needs in its window before it has a status;
-- NULL takes the default (5 for work-item and feedback indicators, 1 for
-- recorded ones).
ALTER TABLE indicators ADD COLUMN min_events INTEGER CHECK (min_events IS NULL OR min_events >= 1);

-- Who recorded a value (NULL for values recorded before this version).
ALTER TABLE observations ADD COLUMN recorded_by TEXT;

-- Every value as it was before a correction or a withdrawal: nothing a user
-- entered is lost. A withdrawn value leaves `observations` (so no board,
-- alert or experiment reads it) and lives on here.
CREATE TABLE observation_history (
    id             INTEGER PRIMARY KEY,
    observation_id INTEGER NOT NULL,
    indicator_id   INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    at             INTEGER NOT NULL,
    value          REAL NOT NULL,
    note           TEXT,
    origin         TEXT NOT NULL,
    recorded_by    TEXT,
    action         TEXT NOT NULL CHECK (action IN ('correct', 'withdraw')),
    new_value      REAL,
    reason         TEXT NOT NULL,
    changed_by     TEXT NOT NULL,
    changed_at     INTEGER NOT NULL
);
CREATE INDEX observation_history_by_observation ON observation_history (observation_id, id);

CREATE TRIGGER observation_history_no_update BEFORE UPDATE ON observation_history
BEGIN
    SELECT RAISE(ABORT, 'the observation history is append-only');
END;
