//! `opsdeck sources ...`: the scheduled data sources.

use super::ListFormat;
use clap::Subcommand;

/// `opsdeck sources ...`
#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Every source with its last run, rows, lag, next due time and freshness.
    List {
        #[arg(long, value_enum, default_value = "text")]
        /// `text` (a table) or `json`.
        format: ListFormat,
    },
    /// Fetch sources now (all, the named ones, or with --due those due), each
    /// under a lease, all-or-nothing through the import pipeline.
    Run {
        /// Source names (default: every source).
        names: Vec<String>,
        /// Only the sources whose schedule says they are due (for cron:
        /// `* * * * * opsdeck sources run --due`).
        #[arg(long)]
        due: bool,
    },
}
