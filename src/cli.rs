//! The command line, defined with clap's derive API.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub mod definition;
pub mod learning;
pub mod sources;

pub use definition::{CapacityCommand, IndicatorAdd, IndicatorCommand, PersonCommand};

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

impl Cli {
    /// Parses the process's arguments like `Cli::parse`, except that a usage
    /// error about an argument holding control, bidi or zero-width characters
    /// is printed through the sanitiser: clap drops ESC sequences from the
    /// value it quotes but passes C1 controls, bidi overrides and zero-width
    /// characters to the terminal as they are.
    pub fn parse_clean() -> Cli {
        let err = match Cli::try_parse() {
            Ok(cli) => return cli,
            Err(err) => err,
        };
        let hostile = std::env::args_os().any(|a| {
            let a = a.to_string_lossy();
            crate::text::sanitize(&a) != a
        });
        if !err.use_stderr() || !hostile {
            err.exit();
        }
        let text = err.render().to_string();
        for line in text.lines() {
            eprintln!("{}", crate::text::sanitize(line));
        }
        std::process::exit(err.exit_code());
    }
}

/// Output format of the listings that also have a Markdown form (status, decision list).
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
        /// Accept a value beyond 1e15 or a time more than a day ahead.
        #[arg(long)]
        force: bool,
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
        /// Accept values beyond 1e15 and times more than a day ahead.
        #[arg(long)]
        force: bool,
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
    /// Evaluate every alert rule, advance escalation and print the open alerts.
    ///
    /// Exit status: 0 when no critical alert is open, 1 when one is (open or
    /// acknowledged, not snoozed), 2 on error. Safe to run every minute from
    /// cron, alongside the cockpit and other checks.
    Check {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// Print only when an alert opened, escalated or re-opened (for cron mail).
        #[arg(long, short)]
        quiet: bool,
    },
    /// List alerts and act on them.
    Alert {
        #[command(subcommand)]
        action: AlertCommand,
    },
    /// Scheduled data sources (sources.toml): list, run [--due].
    Sources {
        #[command(subcommand)]
        command: sources::SourcesCommand,
    },
    /// Observations: confirm a value marked for review.
    Observation {
        #[command(subcommand)]
        command: sources::ObservationCommand,
    },
    /// Service level objectives and their error budgets.
    Slo {
        #[command(subcommand)]
        action: SloCommand,
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
    /// Write the starter operation as editable TOML files (default ./ops) and
    /// create the database from them if there is none.
    Init {
        /// The folder to write (must not hold an operation already).
        dir: Option<PathBuf>,
    },
    /// Validate a definition folder, print the plan, and apply it in one transaction.
    Apply {
        /// The folder (operation.toml, indicators.toml, slos.toml, playbooks/).
        dir: PathBuf,
        /// Print the plan only; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Retire what the database has and the folder does not.
        #[arg(long)]
        prune: bool,
    },
    /// Write the database's current definition as the folder's files.
    Definition {
        /// The folder to write (created if missing; its files are replaced).
        dir: PathBuf,
    },
    /// Indicators: list, show, add, change or retire one.
    Indicator {
        #[command(subcommand)]
        command: IndicatorCommand,
    },
    /// Capacity per work kind: list, or set one.
    Capacity {
        #[command(subcommand)]
        command: CapacityCommand,
    },
    /// People: add one, with the roles they hold.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Copy the live database to a new file with SQLite's online backup API.
    Backup {
        /// The new backup file.
        path: PathBuf,
    },
    /// Playbooks: the operation's workflows (list, show, import).
    Playbook {
        #[command(subcommand)]
        command: PlaybookCommand,
    },
    /// Roles and the people who hold them.
    Role {
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// Checklist runs: executions of a playbook.
    Run {
        #[command(subcommand)]
        command: RunCommand,
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

/// Output format of the listings that have no Markdown form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// How urgent a raised alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Info,
    Warning,
    Critical,
}

/// `opsdeck alert ...`
#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Open and acknowledged alerts, critical first (with --all: every alert, newest first).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// One alert with its history.
    Show {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
    },
    /// Acknowledge: you own it; it stops escalating until its ack times out.
    Ack {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Resolve: done. A cause that comes back opens a new alert.
    Resolve {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Hold an alert until a time: RFC 3339, YYYY-MM-DD, or a duration from now (2h, 1d).
    Snooze {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        until: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Escalate one level up the alert's path now.
    Escalate {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Raise an alert by hand (raising the same title again updates it).
    Raise {
        title: String,
        #[arg(long, value_enum, default_value = "warning")]
        severity: SeverityArg,
        #[arg(long)]
        note: Option<String>,
        /// Start a run of this playbook, linked to the alert (its escalation path too).
        #[arg(long)]
        playbook: Option<String>,
    },
    /// Manual override: stop an alert escalating, with a reason.
    Pause {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Lift the override; the escalation clock restarts now.
    Resume {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Add a note to an alert's history.
    Note {
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        text: String,
    },
}

/// `opsdeck slo ...`
#[derive(Debug, Subcommand)]
pub enum SloCommand {
    /// Every SLO with its error budget, burn rate and time to exhaustion.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Import SLO definitions from a TOML file (see assets/slos.toml); all-or-nothing.
    Import { file: String },
}

/// An alert id: `12` or `#12`.
fn parse_alert_id(text: &str) -> Result<i64, String> {
    let t = text.trim();
    t.strip_prefix('#')
        .unwrap_or(t)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| "an alert id is a positive number, e.g. 12".to_string())
}

/// `opsdeck playbook ...`
#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// List playbooks with their version, review date and open runs.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Show a playbook: steps, owners, criteria, tolerances, escalation path.
    Show {
        /// Playbook key (see `opsdeck playbook list`).
        key: String,
    },
    /// Import a playbook TOML file; a changed playbook gets a new version.
    Import {
        /// The TOML file. It is validated as a whole: on any problem nothing is written.
        file: PathBuf,
    },
    /// Mark a playbook reviewed today (a new version with today's review date).
    Reviewed {
        /// Playbook key.
        key: String,
    },
}

/// `opsdeck role ...`
#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List roles with their people; fewer than two is a single point of failure.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Give PERSON the role ROLE (the person is created when new).
    Assign { person: String, role: String },
    /// Take the role ROLE from PERSON.
    Unassign { person: String, role: String },
}

/// `opsdeck run ...`
#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Start a run of the newest version of a playbook.
    Start {
        /// Playbook key.
        key: String,
        /// What the run is for: an order id, a ticket, a date.
        #[arg(long = "for", value_name = "CONTEXT")]
        context: Option<String>,
        /// When it must be finished: RFC 3339, YYYY-MM-DD, or a duration from now (4h, 2d).
        #[arg(long, value_name = "TIME")]
        due: Option<String>,
    },
    /// List runs, newest first (open runs: overdue first).
    List {
        /// Only open runs.
        #[arg(long)]
        open: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// At most this many runs.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Show a run's steps and items with who did what, when.
    Show {
        /// Run number.
        run: String,
    },
    /// Check an item: STEP.N (e.g. pack.2) or its number in `run show`.
    Done {
        run: String,
        item: String,
        /// A note kept with the item.
        #[arg(long)]
        note: Option<String>,
        /// Check it although the previous step is unfinished (audited).
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Skip an item, with the reason.
    Skip {
        run: String,
        item: String,
        #[arg(long)]
        reason: String,
        /// Skip it although the previous step is unfinished (audited).
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Put a done or skipped item back to pending.
    Undo { run: String, item: String },
    /// Cancel an open run, with the reason.
    Cancel {
        run: String,
        #[arg(long)]
        reason: String,
    },
    /// Add a note to a run.
    Note { run: String, text: String },
}
