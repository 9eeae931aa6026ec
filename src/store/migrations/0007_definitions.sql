-- opsdeck schema: the operation's definition kept as files (init / apply /
-- definition). Additive only.
--
-- Indicators get an optional plausible range (min_value, max_value; NULL =
-- the unit's default) and can be retired: a retired indicator keeps its
-- observations, leaves the board, and returns with its history when defined
-- again. SLOs and playbooks can be retired the same way.
ALTER TABLE indicators ADD COLUMN min_value REAL;
ALTER TABLE indicators ADD COLUMN max_value REAL;
ALTER TABLE indicators ADD COLUMN retired_at INTEGER;
ALTER TABLE slos ADD COLUMN retired_at INTEGER;
ALTER TABLE playbooks ADD COLUMN retired_at INTEGER;

-- Every change of an indicator's definition, so that a time is judged by the
-- definition in force then: `old` is what held until `at`, `new` what holds
-- from `at` (JSON of domain::indicator::IndicatorDef; NULL old = added,
-- NULL new = retired). Indicators defined before this table have no rows:
-- their current definition holds for all times.
CREATE TABLE indicator_changes (
    id           INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    old          TEXT,
    new          TEXT
);
CREATE INDEX indicator_changes_by_time ON indicator_changes (at);
CREATE INDEX indicator_changes_by_indicator ON indicator_changes (indicator_id, at);
