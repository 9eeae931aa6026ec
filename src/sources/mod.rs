//! Scheduled data sources: where the numbers come from without a person
//! typing them (a command, another SQLite file, a PostgreSQL database, an
//! HTTP endpoint), declared in `sources.toml`, fetched on their schedule
//! and written through the same validation as an import.

pub mod fetch;
pub mod run;
pub mod schedule;
pub mod spec;
pub mod write;

pub use fetch::{fetch, fetch_body, to_import_jsonl, Body, FetchError, Fetched};
pub use schedule::Schedule;
pub use spec::{parse_sources, Fetch, Payload, SourceDef, SpecError};
pub use write::{same_source, source_diff, source_toml, sources_file};
