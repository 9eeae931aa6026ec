//! opsdeck: a terminal operations cockpit for a minimum viable operation.
//!
//! Layers only call downwards: `commands`/`tui` -> `store`/`ingest` -> `domain`.

pub mod assets;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dataset;
pub mod definition;
pub mod demo;
pub mod domain;
pub mod format;
pub mod ingest;
pub mod log;
pub mod notify;
pub mod sources;
pub mod store;
pub mod text;
pub mod tui;
