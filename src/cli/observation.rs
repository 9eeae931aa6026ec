//! `opsdeck observation list|correct|delete`: correcting the record.

use crate::cli::ListFormat;
use clap::Subcommand;

/// Recorded values: list them, correct or withdraw one.
#[derive(Debug, Subcommand)]
pub enum ObservationCommand {
    /// Recent values of an indicator with their ids, origin, note and who.
    List {
        /// Indicator key (see `opsdeck indicator list`).
        indicator: String,
        /// Only values measured at or after this time (RFC 3339 or YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// At most this many, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// `text` (a table) or `json`.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Change one value; the original stays in the history and audit trail.
    Correct {
        /// The value's id (from `observation list`).
        id: i64,
        /// The corrected value, a finite number.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Why it was wrong (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Withdraw one value: it leaves the board and is kept in the history.
    Delete {
        /// The value's id (from `observation list`).
        id: i64,
        /// Why it is withdrawn (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
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
    crate::cli::parse_row_id(text, "observation")
}
