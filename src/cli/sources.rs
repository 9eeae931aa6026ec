//! `opsdeck sources ...`: the scheduled data sources.

use super::ListFormat;
use clap::Subcommand;

/// `opsdeck sources ...`
#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Every source with its last run, rows, lag, next due time and freshness.
    List {
        #[arg(long, value_enum, default_value = "text")]
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

/// `opsdeck observation ...`
#[derive(Debug, Subcommand)]
pub enum ObservationCommand {
    /// Clear the review mark of a value far from its indicator's recent
    /// values (`indicator show KEY` lists them with `?`).
    Confirm {
        /// The observation's id (`#12` or `12`).
        #[arg(value_parser = parse_observation_id)]
        id: i64,
    },
}

/// An observation id: `12` or `#12`.
fn parse_observation_id(text: &str) -> Result<i64, String> {
    let t = text.trim();
    t.strip_prefix('#')
        .unwrap_or(t)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| "an observation id is a positive number, e.g. 12".to_string())
}
