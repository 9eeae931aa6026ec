//! The integration tests as one binary (one link, one shared helper module),
//! as ripgrep and bottom do: each file below is a module.

mod alert_rules;
mod alert_runs;
mod bad_input;
mod cli_alerts;
mod cli_decisions;
mod cli_experiments;
mod cli_foundation;
mod cli_notify;
mod cli_operability;
mod cli_playbooks;
mod cli_runs;
mod cli_slos;
mod cli_snapshot;
mod common;
mod concurrency;
mod crash;
mod data_safety;
mod faults;
mod hostile_text;
mod json_outputs;
mod keys;
mod learning_common;
mod migrations;
mod query_plans;
mod redraw_bytes;
mod screens;
mod screens_alerts;
mod screens_learning;
mod screens_runs;
mod selection;
mod store_runs;
mod terminal_restore;
mod work_items_shared;
