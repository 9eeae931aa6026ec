//! Subcommands of the learning loop (experiments, decisions, feedback) and of
//! getting the data out (export, restore, backup).

use crate::cli::ListFormat;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// JSON Lines: a header line, then one object per row, naming its table.
    Jsonl,
}

/// The parts of an experiment definition given on the command line. For
/// `new`, title, objective, hypothesis, scope, start, end and the primary
/// criterion are needed; for `amend`, only what changes.
#[derive(Debug, Clone, Default, Args)]
pub struct DefinitionArgs {
    /// One-line name shown in lists.
    #[arg(long)]
    pub title: Option<String>,
    /// The decision this experiment informs.
    #[arg(long)]
    pub objective: Option<String>,
    /// The pre-registered hypothesis: what change is expected, and why.
    #[arg(long)]
    pub hypothesis: Option<String>,
    /// Which orders, customers, segments or sites take part.
    #[arg(long)]
    pub scope: Option<String>,
    /// Start of the measured period: RFC 3339 or YYYY-MM-DD (UTC).
    #[arg(long)]
    pub start: Option<String>,
    /// End of the measured period (exclusive): RFC 3339 or YYYY-MM-DD (UTC).
    #[arg(long)]
    pub end: Option<String>,
    /// An indicator the change is expected to move, by key (repeatable;
    /// the keys: `opsdeck indicator list`).
    #[arg(long = "indicator", value_name = "KEY", num_args = 1..)]
    pub indicators: Vec<String>,
    /// The primary success criterion, e.g. 'on_time_rate>=95'.
    #[arg(long, value_name = "CRITERION")]
    pub primary: Option<String>,
    /// A guardrail criterion, e.g. 'deviation_rate<=3' (repeatable). `amend`
    /// replaces all guardrails with the ones given.
    #[arg(long = "criterion", value_name = "CRITERION")]
    pub criteria: Vec<String>,
    /// Compare with this segment of work items and feedback over the same period.
    #[arg(long, value_name = "SEGMENT", conflicts_with = "baseline")]
    pub control_segment: Option<String>,
    /// Compare with this earlier period, FROM..TO (default: the period of
    /// equal length just before the start).
    #[arg(long, value_name = "FROM..TO")]
    pub baseline: Option<String>,
}

/// `opsdeck experiment ...`
#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Define a new experiment (a draft until `start`).
    New {
        /// Short key, e.g. courier-pilot.
        key: String,
        /// The definition: title, objective, hypothesis, scope, period, criteria.
        #[command(flatten)]
        def: DefinitionArgs,
    },
    /// Pre-register: lock the hypothesis and criteria under a content hash.
    Start {
        /// Experiment key (see `opsdeck experiment list`).
        key: String,
    },
    /// Change an experiment; after the start, locked fields need --reason and
    /// the change is recorded as a visible amendment.
    Amend {
        /// Experiment key (see `opsdeck experiment list`).
        key: String,
        /// Only the parts that change.
        #[command(flatten)]
        def: DefinitionArgs,
        /// Why the registered experiment changes (required for locked fields).
        #[arg(long)]
        reason: Option<String>,
    },
    /// One experiment: hash, lock, live criteria, verdict or days left.
    Show {
        /// Experiment key (see `opsdeck experiment list`).
        key: String,
        /// How to print it: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Every experiment.
    List {
        /// How to print the list: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Record the decision on an experiment (scale, adjust, pivot or stop);
    /// the result goes into the decision log as evidence.
    Conclude {
        /// Experiment key (see `opsdeck experiment list`).
        key: String,
        /// scale, adjust, pivot or stop.
        #[arg(long)]
        decision: String,
        /// Why, in the team's words.
        #[arg(long)]
        why: String,
        /// The decision's title (default: "<Decision>: <experiment title>").
        #[arg(long)]
        title: Option<String>,
    },
}

/// `opsdeck decision ...`
#[derive(Debug, Subcommand)]
pub enum DecisionCommand {
    /// Record a decision with evidence captured as it stands now.
    Add {
        /// What was decided, in one line.
        title: String,
        /// Why.
        #[arg(long)]
        why: String,
        /// indicator:KEY, experiment:KEY or alert:ID (repeatable).
        #[arg(long, value_name = "REF", num_args = 1..)]
        evidence: Vec<String>,
        /// The id of the earlier decision this one replaces.
        #[arg(long, value_name = "ID")]
        supersedes: Option<String>,
    },
    /// The decision log, newest first.
    List {
        /// How to print the log: text, json or markdown.
        #[arg(long, value_enum, default_value = "text")]
        format: crate::cli::OutputFormat,
    },
}

/// `opsdeck feedback ...`
#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Record one feedback response (scores 1 to 5).
    Add {
        /// Ease of use, 1 (very hard) to 5 (very easy).
        #[arg(long, allow_hyphen_values = true)]
        ease: String,
        /// Perceived reliability, 1 to 5.
        #[arg(long, allow_hyphen_values = true)]
        reliability: String,
        /// Value confirmation, 1 to 5.
        #[arg(long, allow_hyphen_values = true)]
        value: String,
        /// survey (default), interview or support.
        #[arg(long)]
        channel: Option<String>,
        /// Customer segment, if known (same names as on work items).
        #[arg(long)]
        segment: Option<String>,
        /// The customer, if known.
        #[arg(long)]
        customer: Option<String>,
        /// The customer's words, free text.
        #[arg(long)]
        comment: Option<String>,
        /// When it was given: RFC 3339 or YYYY-MM-DD (default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Means, responses and low-score share per segment and channel.
    Summary {
        /// Days to summarise, ending now.
        #[arg(long, default_value_t = 28)]
        days: u32,
        /// How to print the summary: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
}

/// `opsdeck export`: every table, to rebuild the database with `restore`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Format of the export; JSON Lines is the only one.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Write to this new file (mode 0600) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
