-- opsdeck schema 12: hourly summaries of observations. Additive only.
--
-- A board over a window of millions of values reads a few hundred of these
-- instead of every value (see src/store/hours.rs and
-- src/domain/summary.rs). One row per indicator and hour that holds
-- values: count, sum, min, max, the latest value (time, row id, value), and
-- in a table of its own a quantile sketch.
--
-- Every insert, update and delete of an observation, by opsdeck or by any
-- other program, marks its hour as stale in `observation_hours_stale` in
-- the same transaction. opsdeck recomputes the stale hours from the values
-- before it commits; a reader that finds an hour still stale (written by
-- another program) reads that hour's values instead of its summary. So a
-- summary is never trusted when it may be out of date.
CREATE TABLE observation_hours (
    indicator_id INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    sum          REAL NOT NULL,
    min          REAL NOT NULL,
    max          REAL NOT NULL,
    last_at      INTEGER NOT NULL,
    last_id      INTEGER NOT NULL,
    last_value   REAL NOT NULL,
    PRIMARY KEY (indicator_id, hour)
) WITHOUT ROWID;

-- The quantile sketch of each hour, apart: the board reads it only for
-- p50 and p90 indicators, and the narrow rows above scan faster without it.
CREATE TABLE observation_hour_sketches (
    indicator_id INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    sketch       BLOB NOT NULL,
    PRIMARY KEY (indicator_id, hour)
) WITHOUT ROWID;

CREATE TABLE observation_hours_stale (
    indicator_id INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, hour)
) WITHOUT ROWID;

-- Every hour that holds values is stale until the migration recomputes it
-- (in the same transaction).
INSERT OR IGNORE INTO observation_hours_stale (indicator_id, hour)
    SELECT DISTINCT indicator_id, at - ((at % 3600) + 3600) % 3600 FROM observations;

-- Each mark is inserted only when missing (never by a conflict clause: an
-- upsert's own ON CONFLICT would override the trigger's OR IGNORE).
CREATE TRIGGER observation_hours_on_insert AFTER INSERT ON observations
BEGIN
    INSERT INTO observation_hours_stale (indicator_id, hour)
        SELECT NEW.indicator_id, NEW.at - ((NEW.at % 3600) + 3600) % 3600
         WHERE NOT EXISTS (SELECT 1 FROM observation_hours_stale
                            WHERE indicator_id = NEW.indicator_id
                              AND hour = NEW.at - ((NEW.at % 3600) + 3600) % 3600);
END;
CREATE TRIGGER observation_hours_on_update AFTER UPDATE OF indicator_id, at, value ON observations
BEGIN
    INSERT INTO observation_hours_stale (indicator_id, hour)
        SELECT OLD.indicator_id, OLD.at - ((OLD.at % 3600) + 3600) % 3600
         WHERE NOT EXISTS (SELECT 1 FROM observation_hours_stale
                            WHERE indicator_id = OLD.indicator_id
                              AND hour = OLD.at - ((OLD.at % 3600) + 3600) % 3600);
    INSERT INTO observation_hours_stale (indicator_id, hour)
        SELECT NEW.indicator_id, NEW.at - ((NEW.at % 3600) + 3600) % 3600
         WHERE NOT EXISTS (SELECT 1 FROM observation_hours_stale
                            WHERE indicator_id = NEW.indicator_id
                              AND hour = NEW.at - ((NEW.at % 3600) + 3600) % 3600);
END;
CREATE TRIGGER observation_hours_on_delete AFTER DELETE ON observations
BEGIN
    INSERT INTO observation_hours_stale (indicator_id, hour)
        SELECT OLD.indicator_id, OLD.at - ((OLD.at % 3600) + 3600) % 3600
         WHERE NOT EXISTS (SELECT 1 FROM observation_hours_stale
                            WHERE indicator_id = OLD.indicator_id
                              AND hour = OLD.at - ((OLD.at % 3600) + 3600) % 3600);
END;
