-- opsdeck schema 15: daily summaries of observations, above the hourly
-- ones of schema 12. Additive only.
--
-- The board reads the window before the current one (only its total counts)
-- and the count that decides whether to read summaries at all from days
-- instead of hours: a 28-day window is 28 rows instead of 672 (see
-- src/store/hours.rs). One row per indicator and UTC day that holds values:
-- the merge of that day's hourly summaries, with the number of hour rows it
-- merges, and in a table of its own the merged sketch.
--
-- No trigger of its own: every change to `observations` already marks its
-- hour stale (schema 12); when opsdeck recomputes a stale hour before it
-- commits, it marks the hour's day in `observation_days_stale` and
-- recomputes that day from its hours, in the same transaction. A reader
-- that finds a stale hour or day of an indicator reads its values instead.
CREATE TABLE observation_days (
    indicator_id INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    hours        INTEGER NOT NULL,
    sum          REAL NOT NULL,
    min          REAL NOT NULL,
    max          REAL NOT NULL,
    last_at      INTEGER NOT NULL,
    last_id      INTEGER NOT NULL,
    last_value   REAL NOT NULL,
    PRIMARY KEY (indicator_id, day)
) WITHOUT ROWID;

CREATE TABLE observation_day_sketches (
    indicator_id INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    sketch       BLOB NOT NULL,
    PRIMARY KEY (indicator_id, day)
) WITHOUT ROWID;

CREATE TABLE observation_days_stale (
    indicator_id INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, day)
) WITHOUT ROWID;

-- Every day that holds hours is stale until the migration recomputes it
-- (in the same transaction).
INSERT OR IGNORE INTO observation_days_stale (indicator_id, day)
    SELECT DISTINCT indicator_id, hour - ((hour % 86400) + 86400) % 86400 FROM observation_hours;
