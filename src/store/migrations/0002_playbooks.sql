-- opsdeck schema 2: playbooks, their versions, and the checklist runs that
-- execute them. Additive only. Times are unix seconds UTC (INTEGER).

-- A playbook is its key; what it says lives in its versions.
CREATE TABLE playbooks (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Every distinct imported definition, as the JSON of the domain's
-- PlaybookDef. Importing a changed file adds a version; an identical one adds
-- nothing. Runs point at the version they started with, so a re-import never
-- changes a run under way.
CREATE TABLE playbook_versions (
    id            INTEGER PRIMARY KEY,
    playbook_id   INTEGER NOT NULL REFERENCES playbooks(id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    name          TEXT NOT NULL,
    definition    TEXT NOT NULL,
    review_due_at INTEGER NOT NULL,
    source        TEXT NOT NULL,
    imported_at   INTEGER NOT NULL,
    imported_by   TEXT NOT NULL,
    UNIQUE (playbook_id, version)
);

-- One execution of one playbook version: for an order, a day, an incident.
-- `state` is `open` until every item is done or skipped (`done`, with
-- closed_at) or until someone cancels it (`cancelled`, with the reason).
CREATE TABLE checklist_runs (
    id            INTEGER PRIMARY KEY,
    version_id    INTEGER NOT NULL REFERENCES playbook_versions(id),
    context       TEXT,
    started_by    TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    due_at        INTEGER,
    state         TEXT NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'done', 'cancelled')),
    closed_at     INTEGER,
    closed_by     TEXT,
    cancel_reason TEXT,
    CHECK (state <> 'cancelled' OR cancel_reason IS NOT NULL)
);
-- The cockpit's "today's checklists" and `run list --open`.
CREATE INDEX checklist_runs_by_state ON checklist_runs (state, started_at);
-- Recently finished runs, and the runs of one playbook version.
CREATE INDEX checklist_runs_by_closed ON checklist_runs (closed_at);
CREATE INDEX checklist_runs_by_version ON checklist_runs (version_id);

-- The closed items of a run (a missing row is a pending item). Step and item
-- are 0-based positions in the run's playbook version. Undo deletes the row;
-- the audit trail keeps what it was.
CREATE TABLE run_items (
    run_id          INTEGER NOT NULL REFERENCES checklist_runs(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL CHECK (step >= 0),
    item            INTEGER NOT NULL CHECK (item >= 0),
    state           TEXT NOT NULL CHECK (state IN ('done', 'skipped')),
    actor           TEXT NOT NULL,
    at              INTEGER NOT NULL,
    note            TEXT,
    reason          TEXT,
    override_reason TEXT,
    CHECK (state <> 'skipped' OR reason IS NOT NULL),
    PRIMARY KEY (run_id, step, item)
) WITHOUT ROWID;
