-- opsdeck schema 6: every event counts. Additive: no row is dropped.
--
-- Until schema 5 an observation was unique on (indicator, time, value), so
-- two real events with the same value in the same second were merged. Now a
-- row's identity is its origin and origin key:
--   origin 'manual'    (record, the cockpit)  key NULL: every record is a row;
--   origin 'demo'      (the demo story)        key NULL;
--   origin 'file:PATH' (import of a file, PATH canonical; 'file:stdin' for -)
--                      key 'INDICATOR_ID@AT#N': the N-th row (from 0) of that
--                      file for that indicator and second;
--   origin 'id'        (import with an id column) key: the id, whatever file.
-- Rows written before schema 6 keep their origin ('manual' or 'import') and a
-- NULL key: they all count, and no later import matches them.
ALTER TABLE observations ADD COLUMN origin_key TEXT;
DROP INDEX observations_by_indicator_time;
-- The hot query of every board: one indicator's values in a time window.
CREATE INDEX observations_by_indicator_time ON observations (indicator_id, at, value);
-- The same row of the same origin is one row (re-importing a file adds nothing).
CREATE UNIQUE INDEX observations_by_origin ON observations (origin, origin_key)
    WHERE origin_key IS NOT NULL;
-- opsdeck marks its files (the header's application_id, "OPSD"), so that a
-- foreign SQLite file is never taken for one.
PRAGMA application_id = 1330664260;
INSERT INTO meta (key, value) VALUES ('application', 'opsdeck')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
