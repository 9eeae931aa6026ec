//! opsdeck: a terminal operations cockpit for a minimum viable operation.
//!
//! Layers only call downwards: `commands`/`tui` -> `store`/`ingest` -> `domain`.

pub mod domain;
pub mod text;
