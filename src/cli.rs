//! The command line, defined with clap's derive API.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub mod learning;

/// opsdeck — a terminal operations cockpit for a minimum viable operation.
///
/// Without a command it opens the cockpit. Data lives in one SQLite file
/// (`--db`, `OPSDECK_DB`, or the platform data directory).
#[derive(Debug, Parser)]
#[command(name = "opsdeck", version, propagate_version = true)]
pub struct Cli {
    /// The database file (default: opsdeck.db in the platform data directory).
    #[arg(long, global = true, env = "OPSDECK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Who the changes are attributed to (default: OPSDECK_USER, then the login name).
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub actor: Option<String>,

    /// Open the database read-only: nothing can be changed (a shared standup screen).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Open the demo database (created on first use) instead of your own.
    #[arg(long, conflicts_with = "db")]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output format of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

/// File formats for import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Csv,
    Jsonl,
}

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKindArg {
    Observations,
    WorkItems,
    Feedback,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// (Re)create the demo database: ~90 days of a realistic early operation.
    Demo,
    /// Open the standup view.
    Standup,
    /// Record one value of an indicator.
    Record {
        /// Indicator key (see `opsdeck status`).
        indicator: String,
        /// The value, a finite number.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// When it was measured: RFC 3339 or YYYY-MM-DD (default: now).
        #[arg(long)]
        at: Option<String>,
        /// A note kept with the value.
        #[arg(long)]
        note: Option<String>,
    },
    /// Import observations, work items or feedback from CSV or JSONL (all-or-nothing).
    Import {
        /// The file, or - for standard input.
        file: String,
        /// What the file holds (default: guessed from its columns).
        #[arg(long, value_enum)]
        kind: Option<ImportKindArg>,
        /// File format (default: from the extension; .jsonl is JSONL, else CSV).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Import the good rows and report the bad ones instead of rejecting the file.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Print the indicator board once.
    Status {
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Render one frame of a cockpit view as plain text.
    Snapshot {
        #[arg(long, default_value_t = 100)]
        width: u16,
        #[arg(long, default_value_t = 30)]
        height: u16,
        /// cockpit, indicators, work, playbooks, alerts, experiments, decisions, feedback, standup.
        #[arg(long, default_value = "cockpit")]
        view: String,
    },
    /// Operational experiments: new, start, amend, show, list, conclude.
    Experiment {
        #[command(subcommand)]
        command: learning::ExperimentCommand,
    },
    /// The decision log: add, list.
    Decision {
        #[command(subcommand)]
        command: learning::DecisionCommand,
    },
    /// Customer feedback: add, summary.
    Feedback {
        #[command(subcommand)]
        command: learning::FeedbackCommand,
    },
    /// Export every table as JSON Lines (rebuild with `opsdeck restore`).
    Export(learning::ExportArgs),
    /// Rebuild a new database (--db) from an export.
    Restore {
        /// The export file, or - for standard input.
        file: String,
    },
    /// Copy the live database to a new file with SQLite's online backup API.
    Backup {
        /// The new backup file.
        path: PathBuf,
    },
    /// Report the database's path, schema, WAL mode, permissions, size and integrity.
    Doctor,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `opsdeck man > opsdeck.1`.
    Man,
}
