-- opsdeck schema 1: the foundation. Times are unix seconds UTC (INTEGER).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE roles (
    id   INTEGER PRIMARY KEY,
    key  TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE people (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE role_assignments (
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (role_id, person_id)
) WITHOUT ROWID;

CREATE TABLE indicators (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('leading', 'lagging')),
    unit        TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('last', 'mean', 'sum', 'p50', 'p90', 'rate')),
    window_secs INTEGER NOT NULL CHECK (window_secs > 0),
    target      REAL NOT NULL,
    warn        REAL NOT NULL,
    breach      REAL NOT NULL,
    owner_role  TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT 'observations'
                CHECK (source IN ('observations', 'work_items', 'feedback')),
    metric      TEXT,
    work_kind   TEXT,
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE observations (
    id           INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    value        REAL NOT NULL,
    note         TEXT,
    origin       TEXT NOT NULL DEFAULT 'manual'
);
-- The hot query of every board: one indicator's values in a time window.
-- Unique on the whole fact so that re-importing the same file changes nothing.
CREATE UNIQUE INDEX observations_by_indicator_time
    ON observations (indicator_id, at, value);

CREATE TABLE work_items (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    customer     TEXT,
    segment      TEXT,
    opened_at    INTEGER NOT NULL,
    promised_at  INTEGER,
    closed_at    INTEGER,
    outcome      TEXT CHECK (outcome IN ('ok', 'deviation', 'defect', 'cancelled')),
    satisfaction REAL,
    UNIQUE (kind, external_id)
);
CREATE INDEX work_items_by_kind_closed ON work_items (kind, closed_at);
CREATE INDEX work_items_by_kind_opened ON work_items (kind, opened_at);
CREATE INDEX work_items_by_kind_customer ON work_items (kind, customer, opened_at);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    customer    TEXT,
    segment     TEXT,
    channel     TEXT NOT NULL CHECK (channel IN ('survey', 'interview', 'support')),
    ease        INTEGER NOT NULL CHECK (ease BETWEEN 1 AND 5),
    reliability INTEGER NOT NULL CHECK (reliability BETWEEN 1 AND 5),
    value       INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
    comment     TEXT
);
CREATE INDEX feedback_by_time ON feedback (at);
-- The same response imported twice is one response.
CREATE UNIQUE INDEX feedback_unique_response ON feedback
    (at, ifnull(customer, ''), channel, ease, reliability, value, ifnull(comment, ''));

CREATE TABLE capacity (
    work_kind     TEXT PRIMARY KEY,
    units_per_day REAL NOT NULL CHECK (units_per_day > 0),
    warn_at       REAL NOT NULL DEFAULT 0.6,
    breach_at     REAL NOT NULL DEFAULT 0.9
) WITHOUT ROWID;

-- Append-only: who changed what, when. Enforced by the triggers below.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    detail    TEXT
);
CREATE INDEX audit_by_time ON audit (at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Free-text notes on anything (an indicator, an alert, a run), newest first.
CREATE TABLE notes (
    id        INTEGER PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    text      TEXT NOT NULL
);
CREATE INDEX notes_by_entity ON notes (entity, entity_id, at);

-- When each standup was opened, so "since the previous standup" is defined.
CREATE TABLE standups (
    id    INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX standups_by_time ON standups (at);

-- Rollup maintained on write: each customer's first item of a kind, so the
-- repeat-purchase rate reads one row per customer instead of searching the
-- customer's whole history for every item on every board load.
CREATE TABLE customer_first_item (
    kind      TEXT NOT NULL,
    customer  TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    PRIMARY KEY (kind, customer)
) WITHOUT ROWID;

CREATE TRIGGER customer_first_on_insert AFTER INSERT ON work_items
WHEN NEW.customer IS NOT NULL
BEGIN
    INSERT INTO customer_first_item (kind, customer, opened_at)
    VALUES (NEW.kind, NEW.customer, NEW.opened_at)
    ON CONFLICT (kind, customer) DO UPDATE SET opened_at = min(opened_at, excluded.opened_at);
END;

CREATE TRIGGER customer_first_on_update AFTER UPDATE OF kind, customer, opened_at ON work_items
BEGIN
    DELETE FROM customer_first_item WHERE kind = OLD.kind AND customer = OLD.customer
        AND NOT EXISTS (SELECT 1 FROM work_items WHERE kind = OLD.kind AND customer = OLD.customer);
    UPDATE customer_first_item
       SET opened_at = (SELECT min(opened_at) FROM work_items WHERE kind = OLD.kind AND customer = OLD.customer)
     WHERE kind = OLD.kind AND customer = OLD.customer;
    INSERT INTO customer_first_item (kind, customer, opened_at)
    SELECT NEW.kind, NEW.customer, min(opened_at) FROM work_items WHERE kind = NEW.kind AND customer = NEW.customer
    HAVING NEW.customer IS NOT NULL
    ON CONFLICT (kind, customer) DO UPDATE SET opened_at = excluded.opened_at;
END;

CREATE TRIGGER customer_first_on_delete AFTER DELETE ON work_items
WHEN OLD.customer IS NOT NULL
BEGIN
    DELETE FROM customer_first_item WHERE kind = OLD.kind AND customer = OLD.customer
        AND NOT EXISTS (SELECT 1 FROM work_items WHERE kind = OLD.kind AND customer = OLD.customer);
    UPDATE customer_first_item
       SET opened_at = (SELECT min(opened_at) FROM work_items WHERE kind = OLD.kind AND customer = OLD.customer)
     WHERE kind = OLD.kind AND customer = OLD.customer;
END;
