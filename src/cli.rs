//! The command line, defined with clap's derive API.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub mod definition;
pub mod incident;
pub mod learning;
pub mod observation;
pub mod oncall;
pub mod sources;

pub use definition::{CapacityCommand, IndicatorAdd, IndicatorCommand, PersonCommand};

/// opsdeck — a terminal operations cockpit for a minimum viable operation.
///
/// Without a command it opens the cockpit. Data lives in one SQLite file
/// (`--db`, `OPSDECK_DB`, or the platform data directory), or, in team mode,
/// in a PostgreSQL database (`--db postgres://USER@HOST/DB`).
#[derive(Debug, Parser)]
#[command(name = "opsdeck", version, propagate_version = true)]
pub struct Cli {
    /// The database: an SQLite file (default: opsdeck.db in the platform
    /// data directory, or `database` in the config) or a PostgreSQL URL,
    /// postgres://USER@HOST[:PORT]/DATABASE (the password from PGPASSWORD
    /// or ~/.pgpass, never in the URL).
    #[arg(long, global = true, env = "OPSDECK_DB", value_name = "PATH|URL")]
    pub db: Option<PathBuf>,

    /// Who the changes are attributed to (default: OPSDECK_USER, then the
    /// login name); on PostgreSQL recorded as "on behalf of", next to the
    /// database login.
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub actor: Option<String>,

    /// Open the database read-only: nothing can be changed (a shared standup screen).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Leave the mouse to the terminal: no wheel or clicks in the cockpit
    /// (also `mouse = false` in the config file). With the mouse on,
    /// Shift+drag still selects text in most terminals.
    #[arg(long, global = true)]
    pub no_mouse: bool,

    /// Open the demo database (created on first use) instead of your own.
    #[arg(long, conflicts_with = "db")]
    pub demo: bool,

    /// The subcommand to run; none opens the cockpit.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Parses the process's arguments like `Cli::parse`, except that a usage
    /// error is one line on stderr (clap's message, its tip and the usage,
    /// joined, plus where to find help), exit status 2, and that line goes
    /// through the sanitiser: clap drops ESC sequences from the value it
    /// quotes but passes C1 controls, bidi overrides and zero-width
    /// characters to the terminal as they are. `--help` and `--version`
    /// print as clap does.
    pub fn parse_clean() -> Cli {
        let err = match Cli::try_parse() {
            Ok(cli) => return cli,
            Err(err) => err,
        };
        if !err.use_stderr() {
            err.exit();
        }
        let line = one_line_usage_error(&err.render().to_string());
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("opsdeck: {}\n", crate::text::sanitize(&line)),
        );
        std::process::exit(2);
    }
}

/// clap's multi-line usage error as one line: `MESSAGE; tip: ...; usage:
/// ...; see 'opsdeck COMMAND --help'`.
pub(crate) fn one_line_usage_error(rendered: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut command = "opsdeck".to_string();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("For more information") {
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        if let Some(u) = line.strip_prefix("Usage: ") {
            command = u
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
            parts.push(format!("usage: {u}"));
            continue;
        }
        match parts.last_mut() {
            // "the following required arguments were not provided:" + a list.
            Some(last) if last.ends_with(':') => {
                last.push(' ');
                last.push_str(line);
            }
            Some(last) if line.starts_with('<') && last.contains(": <") => {
                last.push_str(", ");
                last.push_str(line);
            }
            _ => parts.push(line.to_string()),
        }
    }
    parts.push(format!("see '{command} --help'"));
    parts.join("; ")
}

#[cfg(test)]
mod usage_tests {
    use super::one_line_usage_error;

    #[test]
    fn a_clap_error_becomes_one_line_with_a_hint() {
        let rendered = "error: unexpected argument '-o' found\n\n  tip: to pass '-o' as a value, use '-- -o'\n\nUsage: opsdeck alert raise [OPTIONS] <TITLE>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_usage_error(rendered),
            "unexpected argument '-o' found; tip: to pass '-o' as a value, use '-- -o'; usage: opsdeck alert raise [OPTIONS] <TITLE>; see 'opsdeck alert raise --help'"
        );
    }
}

/// Output format of the listings that also have a Markdown form (status, decision list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Plain text for the terminal (the default).
    Text,
    /// JSON, one document, for scripts.
    Json,
    /// Markdown, to paste into a note or a wiki.
    Markdown,
}

/// How `opsdeck standup` shows the standup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StandupFormat {
    /// The standup view in the terminal (the default).
    Tui,
    /// The same sections as Markdown on stdout.
    Markdown,
}

/// File formats for import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// JSON Lines: one JSON object per line.
    Jsonl,
}

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKindArg {
    /// Indicator values: indicator key, time, value (and an optional note).
    Observations,
    /// Work items: the orders or tickets the flow view counts.
    WorkItems,
    /// Customer feedback responses with their 1–5 scores.
    Feedback,
}

/// Every `opsdeck` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// (Re)create the demo database: ~90 days of a realistic early operation.
    Demo,
    /// Open the standup view (recorded as today's standup), or print it.
    Standup {
        /// `markdown`: print the standup's sections as Markdown (for a chat
        /// post or an email) instead of opening the view; nothing is recorded.
        #[arg(long, value_enum)]
        format: Option<StandupFormat>,
    },
    /// Record one value of an indicator.
    Record {
        /// Indicator key (see `opsdeck indicator list`).
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
    /// Recorded values: list them with ids, correct or withdraw one (audited).
    Observation {
        /// What to do with recorded values.
        #[command(subcommand)]
        command: observation::ObservationCommand,
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
        /// How to print the board: text, json or markdown.
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Render one frame of a cockpit view as plain text.
    Snapshot {
        /// Width of the rendered frame in terminal columns.
        #[arg(long, default_value_t = 100)]
        width: u16,
        /// Height of the rendered frame in terminal rows.
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
        /// How to print the open alerts: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// Print only when an alert opened, escalated or re-opened (for cron mail).
        #[arg(long, short)]
        quiet: bool,
    },
    /// List alerts and act on them.
    Alert {
        /// What to do with alerts.
        #[command(subcommand)]
        action: AlertCommand,
    },
    /// Scheduled data sources (sources.toml): list, run [--due].
    Sources {
        /// What to do with the sources.
        #[command(subcommand)]
        command: sources::SourcesCommand,
    },
    /// Incidents: declare from alerts, mitigate, resolve, review, action items, post-mortem.
    Incident {
        /// What to do with incidents.
        #[command(subcommand)]
        command: incident::IncidentCommand,
    },
    /// Service level objectives and their error budgets.
    Slo {
        /// What to do with SLOs.
        #[command(subcommand)]
        action: SloCommand,
    },
    /// Operational experiments: new, start, amend, show, list, conclude.
    Experiment {
        /// What to do with experiments.
        #[command(subcommand)]
        command: learning::ExperimentCommand,
    },
    /// The decision log: add, list.
    Decision {
        /// What to do with the decision log.
        #[command(subcommand)]
        command: learning::DecisionCommand,
    },
    /// Customer feedback: add, summary.
    Feedback {
        /// What to do with feedback.
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
    /// create the database (--db or the default path) from them if there is
    /// none: with `demo`, the only command that creates a database.
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
        /// What to do with indicators.
        #[command(subcommand)]
        command: IndicatorCommand,
    },
    /// Capacity per work kind: list, or set one.
    Capacity {
        /// What to do with capacities.
        #[command(subcommand)]
        command: CapacityCommand,
    },
    /// People: add one, with the roles they hold.
    Person {
        /// What to do with people.
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
        /// What to do with playbooks.
        #[command(subcommand)]
        command: PlaybookCommand,
    },
    /// Roles and the people who hold them.
    Role {
        /// What to do with roles.
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// Checklist runs: executions of a playbook.
    Run {
        /// What to do with checklist runs.
        #[command(subcommand)]
        command: RunCommand,
    },
    /// Who is on call for each role now (or --at a time) and until when;
    /// `oncall override` swaps someone in.
    Oncall(oncall::OnCallArgs),
    /// Silences: alerts recorded and shown but neither notifying nor escalating.
    Silence {
        /// What to do with silences.
        #[command(subcommand)]
        command: oncall::SilenceCommand,
    },
    /// Team mode on PostgreSQL: `team init` prints (or with --apply runs)
    /// the SQL of the three roles opsdeck_viewer, opsdeck_operator and
    /// opsdeck_admin and their grants.
    Team {
        /// What to do.
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Copy this SQLite database (--db) into an empty PostgreSQL database,
    /// in one transaction, and verify it table by table.
    Migrate {
        /// The PostgreSQL database to fill: postgres://USER@HOST[:PORT]/DB
        /// (the password from PGPASSWORD or ~/.pgpass, never in the URL).
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Report the database's path, schema, WAL mode, permissions, size and integrity.
    Doctor,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to write the completion script for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `opsdeck man > opsdeck.1`.
    Man,
}

/// Output format of the listings that have no Markdown form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Plain text for the terminal (the default).
    Text,
    /// JSON, for scripts.
    Json,
}

/// How urgent a raised alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    /// For the record; nobody needs to act.
    Info,
    /// Act today, before customers feel it (the default for `alert raise`).
    Warning,
    /// Act now; `opsdeck check` exits 1 while one is open.
    Critical,
}

/// `opsdeck alert ...`
#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Open and acknowledged alerts, critical first (with --all: every alert, newest first).
    List {
        /// Also list resolved and snoozed alerts, newest first.
        #[arg(long)]
        all: bool,
        /// How to print the list: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// One alert with its history.
    Show {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
    },
    /// Acknowledge: you own it; it stops escalating until its ack times out.
    Ack {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// A note kept in the alert's history with the acknowledgement.
        #[arg(long)]
        note: Option<String>,
    },
    /// Resolve: done. A cause that comes back opens a new alert.
    Resolve {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// A note kept in the alert's history with the resolution.
        #[arg(long)]
        note: Option<String>,
    },
    /// Hold an alert until a time (2026-11-26T09:00Z, YYYY-MM-DD) or for a duration from now (2h, 1d).
    Snooze {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// Until when: RFC 3339 with or without seconds (2026-11-26T09:00Z),
        /// YYYY-MM-DD (UTC), or a duration from now (2h, 1d).
        until: String,
        /// A note kept in the alert's history with the snooze.
        #[arg(long)]
        note: Option<String>,
    },
    /// Escalate one level up the alert's path now.
    Escalate {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// A note kept in the alert's history with the escalation.
        #[arg(long)]
        note: Option<String>,
    },
    /// Raise an alert by hand (raising the same title again updates it).
    Raise {
        /// One-line title; an open alert with the same title is updated, not duplicated.
        title: String,
        /// How urgent it is: info, warning (default) or critical.
        #[arg(long, value_enum, default_value = "warning")]
        severity: SeverityArg,
        /// A note kept in the new alert's history.
        #[arg(long)]
        note: Option<String>,
        /// Start a run of this playbook, linked to the alert (its escalation path too).
        #[arg(long)]
        playbook: Option<String>,
    },
    /// Manual override: stop an alert escalating, with a reason.
    Pause {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// Why escalation is paused; kept in the alert's history (required).
        #[arg(long)]
        reason: String,
    },
    /// Lift the override; the escalation clock restarts now.
    Resume {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// A note kept in the alert's history with the resume.
        #[arg(long)]
        note: Option<String>,
    },
    /// Add a note to an alert's history.
    Note {
        /// Alert id, `12` or `#12` (see `opsdeck alert list`).
        #[arg(value_parser = parse_alert_id)]
        id: i64,
        /// The note, one line of text.
        text: String,
    },
}

/// `opsdeck slo ...`
#[derive(Debug, Subcommand)]
pub enum SloCommand {
    /// Every SLO with its error budget, burn rate and time to exhaustion.
    List {
        /// How to print the list: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Import SLO definitions from a TOML file (see assets/slos.toml); all-or-nothing.
    Import {
        /// The SLO TOML file; on any problem nothing is written.
        file: String,
    },
}

/// An alert id: `12` or `#12`.
fn parse_alert_id(text: &str) -> Result<i64, String> {
    parse_row_id(text, "alert")
}

/// A row id of a `what` (alert, observation): `12` or `#12`; a positive
/// number, else the message says so.
pub(crate) fn parse_row_id(text: &str, what: &str) -> Result<i64, String> {
    let t = text.trim();
    t.strip_prefix('#')
        .unwrap_or(t)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            format!(
                "{} id is a positive number, e.g. 12",
                crate::text::with_article(what)
            )
        })
}

/// `opsdeck playbook ...`
#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// List playbooks with their version, review date and open runs.
    List {
        /// How to print the list: text or json.
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
        /// How to print the list: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Give PERSON the role ROLE (the person is created when new).
    Assign {
        /// The person's name (created when new).
        person: String,
        /// The role's key (see `opsdeck role list`).
        role: String,
    },
    /// Take the role ROLE from PERSON.
    Unassign {
        /// The person's name.
        person: String,
        /// The role's key (see `opsdeck role list`).
        role: String,
    },
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
        /// How to print the list: text or json.
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
        /// Run number, `5` or `#5` (see `opsdeck run list`).
        run: String,
        /// Item as STEP.N (e.g. pack.2) or its number in `opsdeck run show`.
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
        /// Run number, `5` or `#5` (see `opsdeck run list`).
        run: String,
        /// Item as STEP.N (e.g. pack.2) or its number in `opsdeck run show`.
        item: String,
        /// Why the item is skipped; kept with the item (required).
        #[arg(long)]
        reason: String,
        /// Skip it although the previous step is unfinished (audited).
        #[arg(long = "override", value_name = "REASON")]
        override_reason: Option<String>,
    },
    /// Put a done or skipped item back to pending.
    Undo {
        /// Run number, `5` or `#5` (see `opsdeck run list`).
        run: String,
        /// Item as STEP.N (e.g. pack.2) or its number in `opsdeck run show`.
        item: String,
    },
    /// Cancel an open run, with the reason.
    Cancel {
        /// Run number, `5` or `#5` (see `opsdeck run list`).
        run: String,
        /// Why the run is cancelled; kept with the run (required).
        #[arg(long)]
        reason: String,
    },
    /// Add a note to a run.
    Note {
        /// Run number, `5` or `#5` (see `opsdeck run list`).
        run: String,
        /// The note, one line of text.
        text: String,
    },
}

/// `opsdeck team …`.
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Print the SQL that creates the opsdeck roles and their grants (run
    /// it as the database's owner), or run it with --apply.
    Init {
        /// Run the SQL on --db (a postgres:// URL) instead of printing it.
        #[arg(long)]
        apply: bool,
    },
}
