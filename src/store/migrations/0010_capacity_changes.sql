-- opsdeck schema: versioned capacities. Additive only.
--
-- Every change of a work kind's capacity, so that a time is judged by the
-- capacity in force then (a capacity raised today leaves yesterday's
-- capacity alert as it was): `old` is what held until `at`, `new` what holds
-- from `at` (JSON of domain::capacity::Capacity; NULL old = added, NULL new
-- = removed). Capacities set before this table have no rows: their current
-- value holds for all times.
CREATE TABLE capacity_changes (
    id        INTEGER PRIMARY KEY,
    work_kind TEXT NOT NULL,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    old       TEXT,
    new       TEXT
);
CREATE INDEX capacity_changes_by_time ON capacity_changes (at);
