-- opsdeck team roles: three group roles (NOLOGIN) and their rights on the
-- opsdeck tables of this database (schema public, see 0001_baseline.sql).
-- Run by a database administrator (CREATEROLE, and owner of the opsdeck
-- tables or superuser) in the opsdeck database; safe to run again.
--
--   opsdeck_viewer    reads everything (a read-only standup screen; it
--                     cannot record that a standup was opened);
--   opsdeck_operator  viewer + the day-to-day work: recording, importing
--                     and correcting values, source runs, alerts and `check`,
--                     notifications, checklist runs, feedback, notes,
--                     decisions, experiments, incidents, silences and
--                     on-call overrides, the audit trail (INSERT only);
--   opsdeck_admin     operator + applying the operation's definition
--                     (`apply`, `indicator`/`capacity`/`slo`/`playbook`
--                     imports, `person add`, `role assign`, `sources apply`)
--                     and the restore bookkeeping.
--
-- Nobody gets UPDATE or DELETE on the append-only tables (audit,
-- alert_events, decisions, decision_evidence, experiment_amendments,
-- observation_history, restores, restored_rows; their triggers refuse it
-- anyway), nor TRUNCATE on anything. customer_first_item, change_tokens and
-- observation_hours_stale's marks are kept by SECURITY DEFINER triggers, so
-- writing work items or observations needs no right on them.
-- A restore (it empties every table and sets the triggers aside) and a
-- schema migration are the tables' owner's, not a role's.

-- The roles, created once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opsdeck_viewer') THEN
        CREATE ROLE opsdeck_viewer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opsdeck_operator') THEN
        CREATE ROLE opsdeck_operator NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opsdeck_admin') THEN
        CREATE ROLE opsdeck_admin NOLOGIN;
    END IF;
END
$$;

GRANT opsdeck_viewer TO opsdeck_operator;
GRANT opsdeck_operator TO opsdeck_admin;

--------------------------------------------------------------------------
-- opsdeck_viewer: connect, and read every opsdeck table.
--------------------------------------------------------------------------
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO opsdeck_viewer', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO opsdeck_viewer;
GRANT SELECT ON
    opsdeck_schema, meta, roles, people, role_assignments, indicators,
    observations, work_items, feedback, capacity, audit, notes, standups,
    customer_first_item, playbooks, playbook_versions, checklist_runs,
    run_items, slos, slo_versions, alerts, alert_events, decisions,
    decision_evidence, experiments, experiment_amendments, change_tokens,
    restores, restored_rows, indicator_changes, observation_history,
    capacity_changes, sources, source_runs, source_leases, observation_hours,
    observation_hour_sketches, observation_hours_stale, incidents,
    incident_alerts, incident_runs, incident_actions, oncall_definitions,
    oncall_overrides, silences, notify_outbox, observation_days,
    observation_day_sketches, observation_days_stale
TO opsdeck_viewer;

--------------------------------------------------------------------------
-- opsdeck_operator: the day-to-day work (by table: what writes it).
--------------------------------------------------------------------------
-- observations: record/import (indicators.rs insert_observation, upsert_observations_with), correct and review marks/confirm (observations.rs, review.rs: UPDATE), withdraw (observations.rs withdraw_observation: DELETE).
GRANT INSERT, UPDATE, DELETE ON observations TO opsdeck_operator;
-- observation_history: the value before a correction or withdrawal (observations.rs keep_original).
GRANT INSERT ON observation_history TO opsdeck_operator;
-- observation_hours, observation_hour_sketches, observation_hours_stale, observation_days, observation_day_sketches, observation_days_stale: recomputed before every commit of every write (hours.rs refresh_stale: INSERT OR REPLACE, DELETE).
GRANT INSERT, UPDATE, DELETE ON observation_hours TO opsdeck_operator;
GRANT INSERT, UPDATE, DELETE ON observation_hour_sketches TO opsdeck_operator;
GRANT INSERT, UPDATE, DELETE ON observation_hours_stale TO opsdeck_operator;
GRANT INSERT, UPDATE, DELETE ON observation_days TO opsdeck_operator;
GRANT INSERT, UPDATE, DELETE ON observation_day_sketches TO opsdeck_operator;
GRANT INSERT, UPDATE, DELETE ON observation_days_stale TO opsdeck_operator;
-- work_items: import upsert (work_items.rs upsert_work_item), incident action items (incidents.rs add_action, close_action: UPDATE); never deleted.
GRANT INSERT, UPDATE ON work_items TO opsdeck_operator;
-- customer_first_item, change_tokens: no right (kept by the work_items triggers, SECURITY DEFINER).
-- feedback: `feedback add` and imports (feedback.rs insert_feedback, INSERT OR IGNORE).
GRANT INSERT ON feedback TO opsdeck_operator;
-- notes: notes on indicators, alerts and runs (notes.rs add_note).
GRANT INSERT ON notes TO opsdeck_operator;
-- standups: opening the standup view records it (notes.rs record_standup).
GRANT INSERT ON standups TO opsdeck_operator;
-- audit: every write is audited (audit.rs record); append-only, login forced to the session user.
GRANT INSERT ON audit TO opsdeck_operator;
-- alerts: raise/ack/resolve/snooze/escalate/pause/resume (alerts/lifecycle.rs), `check` (alerts/evaluate.rs), linked runs (alerts/runs_link.rs); never deleted.
GRANT INSERT, UPDATE ON alerts TO opsdeck_operator;
-- alert_events: every alert transition (alerts.rs append_event); append-only.
GRANT INSERT ON alert_events TO opsdeck_operator;
-- notify_outbox: queued and sent notifications (oncall/outbox.rs queue, take_due).
GRANT INSERT, UPDATE ON notify_outbox TO opsdeck_operator;
-- checklist_runs: start/close/reopen/cancel a run (runs/items.rs), runs started by critical alerts (alerts/runs_link.rs).
GRANT INSERT, UPDATE ON checklist_runs TO opsdeck_operator;
-- run_items: done/skipped items (runs/items.rs close_item), undo (undo_item: DELETE).
GRANT INSERT, DELETE ON run_items TO opsdeck_operator;
-- decisions, decision_evidence: `decision record`, experiment conclusions (decisions.rs insert_decision); append-only.
GRANT INSERT ON decisions TO opsdeck_operator;
GRANT INSERT ON decision_evidence TO opsdeck_operator;
-- experiments: `experiment new/start/amend/conclude` (experiments.rs; day-to-day improvement work, not part of `apply`'s definition); never deleted by opsdeck.
GRANT INSERT, UPDATE ON experiments TO opsdeck_operator;
-- experiment_amendments: amendments of started experiments (experiments.rs change_experiment); append-only.
GRANT INSERT ON experiment_amendments TO opsdeck_operator;
-- incidents: declare and advance (incidents.rs declare, advance); never deleted.
GRANT INSERT, UPDATE ON incidents TO opsdeck_operator;
-- incident_alerts, incident_runs, incident_actions: an incident's alerts, runs and action items (incidents.rs declare, add_action).
GRANT INSERT ON incident_alerts TO opsdeck_operator;
GRANT INSERT ON incident_runs TO opsdeck_operator;
GRANT INSERT ON incident_actions TO opsdeck_operator;
-- silences, oncall_overrides: add and end early (oncall.rs add_silence, add_override, end_*).
GRANT INSERT, UPDATE ON silences TO opsdeck_operator;
GRANT INSERT, UPDATE ON oncall_overrides TO opsdeck_operator;
-- source_runs: a run of a data source, by `source run`, `check` or the cockpit (sources.rs start_run, finish_run).
GRANT INSERT, UPDATE ON source_runs TO opsdeck_operator;
-- source_leases: taken (upsert) and given back (DELETE) around a source run (sources.rs take_lease, release_lease).
GRANT INSERT, UPDATE, DELETE ON source_leases TO opsdeck_operator;
-- The identity sequences of the tables above that it inserts into.
GRANT USAGE ON SEQUENCE
    observations_id_seq, observation_history_id_seq, work_items_id_seq,
    feedback_id_seq, notes_id_seq, standups_id_seq, audit_id_seq,
    alerts_id_seq, alert_events_id_seq, notify_outbox_id_seq,
    checklist_runs_id_seq, decisions_id_seq, decision_evidence_id_seq,
    experiments_id_seq, experiment_amendments_id_seq, incidents_id_seq,
    incident_alerts_alert_id_seq, incident_actions_work_item_id_seq,
    silences_id_seq, oncall_overrides_id_seq, source_runs_id_seq,
    source_leases_rowid_seq
TO opsdeck_operator;

--------------------------------------------------------------------------
-- opsdeck_admin: the operation's definition and the restore bookkeeping.
--------------------------------------------------------------------------
-- meta: company, time zone, alert defaults, on-call definition (definition.rs apply_plan, Tx::set_meta upsert).
GRANT INSERT, UPDATE ON meta TO opsdeck_admin;
-- roles: add, rename, remove (definition.rs apply_plan).
GRANT INSERT, UPDATE, DELETE ON roles TO opsdeck_admin;
-- people: `person add`, `role assign`, apply adds and removes people (roles.rs, definition.rs).
GRANT INSERT, DELETE ON people TO opsdeck_admin;
-- role_assignments: `role assign/unassign`, apply sets a person's roles (roles.rs, definition.rs set_person_roles).
GRANT INSERT, DELETE ON role_assignments TO opsdeck_admin;
-- indicators: define, redefine, retire (indicators.rs insert_indicator, indicator_changes.rs); never deleted by opsdeck.
GRANT INSERT, UPDATE ON indicators TO opsdeck_admin;
-- indicator_changes: each definition change (indicator_changes.rs record).
GRANT INSERT ON indicator_changes TO opsdeck_admin;
-- capacity: set (upsert) and remove (capacity_changes.rs set_capacity, remove_capacity).
GRANT INSERT, UPDATE, DELETE ON capacity TO opsdeck_admin;
-- capacity_changes: each capacity change (capacity_changes.rs record).
GRANT INSERT ON capacity_changes TO opsdeck_admin;
-- slos, slo_versions: import and retire SLOs (slos.rs upsert, import_slo; definition.rs).
GRANT INSERT, UPDATE ON slos TO opsdeck_admin;
GRANT INSERT ON slo_versions TO opsdeck_admin;
-- playbooks, playbook_versions: import and retire playbooks (playbooks.rs import_playbook; definition.rs). (backdate_adoption, UPDATE of versions, is for demo/benchmark databases only: the owner's.)
GRANT INSERT, UPDATE ON playbooks TO opsdeck_admin;
GRANT INSERT ON playbook_versions TO opsdeck_admin;
-- sources: `sources apply` defines and retires data sources (sources.rs put_source upsert, retire_source).
GRANT INSERT, UPDATE ON sources TO opsdeck_admin;
-- oncall_definitions: each applied oncall.toml (definition.rs set_oncall_def).
GRANT INSERT ON oncall_definitions TO opsdeck_admin;
-- restores, restored_rows: the record a restore leaves (export.rs mark_restored); append-only.
GRANT INSERT ON restores TO opsdeck_admin;
GRANT INSERT ON restored_rows TO opsdeck_admin;
-- opsdeck_schema: no right (the schema version is the owner's, written by migrations).
-- The identity sequences of the tables above that it inserts into.
GRANT USAGE ON SEQUENCE
    roles_id_seq, people_id_seq, indicators_id_seq, indicator_changes_id_seq,
    capacity_changes_id_seq, slos_id_seq, playbooks_id_seq,
    playbook_versions_id_seq, sources_rowid_seq, oncall_definitions_id_seq,
    restores_id_seq
TO opsdeck_admin;

--------------------------------------------------------------------------
-- A person's login is a LOGIN role in one of the groups, e.g.:
--
--   CREATE ROLE ana LOGIN IN ROLE opsdeck_operator;
--
-- and its password is set with psql's \password, which sends it hashed and
-- never puts it in argv, the shell history or the server log:
--
--   \password ana
--
-- The audit trail records the database login (session_user), so give each
-- person a login of their own.
--------------------------------------------------------------------------
