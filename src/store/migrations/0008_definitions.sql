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
