//! The integration tests as one binary (one link, one shared helper module),
//! as ripgrep and bottom do: each file below is a module.

mod alert_defaults;
mod alert_rules;
mod alert_runs;
mod anomalies;
mod bad_input;
mod cli_alerts;
mod cli_decisions;
mod cli_experiments;
// `unsafe` only to set a child's umask (`pre_exec`) and read the euid:
// libc calls with nothing for Rust to uphold beyond what the comments at
// each site say.
#[allow(unsafe_code)]
mod cli_foundation;
mod cli_notify;
mod cli_operability;
mod cli_playbooks;
mod cli_runs;
mod cli_slos;
mod cli_snapshot;
mod closed_output;
mod cmdline;
// `unsafe` only to set a child's umask (`pre_exec`) and read the euid:
// libc calls with nothing for Rust to uphold beyond what the comments at
// each site say.
#[allow(unsafe_code)]
mod common;
mod concurrency;
mod correct_record;
mod crash;
mod data_safety;
mod definition_edits;
mod definition_versions;
mod definitions;
mod enough_data;
mod faults;
// `unsafe` only to set a child's umask (`pre_exec`) and read the euid:
// libc calls with nothing for Rust to uphold beyond what the comments at
// each site say.
#[allow(unsafe_code)]
mod group_sharing;
// `unsafe` only to set a child's umask (`pre_exec`) and read the euid:
// libc calls with nothing for Rust to uphold beyond what the comments at
// each site say.
mod header_zone;
#[allow(unsafe_code)]
mod honest_files;
mod hostile_text;
mod import_load;
mod incidents;
mod json_outputs;
mod keys;
mod known_kinds;
mod learning_common;
mod live_apply;
mod log_file;
mod migrations;
mod module_graph;
mod mouse;
mod no_silent_db;
mod oncall_definition;
mod oncall_notify;
mod query_plans;
mod readme;
mod redraw_bytes;
mod refresh;
mod right_numbers;
mod row_identity;
mod screens;
mod screens_alerts;
mod screens_corrections;
mod screens_details;
mod screens_incidents;
mod screens_indicator_changes;
mod screens_learning;
mod screens_oncall;
mod screens_runs;
mod selection;
mod small_15;
mod small_keyboard;
mod small_ones;
mod source_alerts;
mod sources_apply;
mod sources_fetch;
mod sources_postgres;
mod sources_run;
mod sources_view;
mod standup;
mod store_runs;
mod team_pg;
mod terminal_restore;
mod tui_waiting;
mod usage;
mod webhook_recipe;
mod who;
mod work_items_shared;
