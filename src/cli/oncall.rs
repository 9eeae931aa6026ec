//! `opsdeck oncall ...` and `opsdeck silence ...`.

use super::ListFormat;
use clap::{Args, Subcommand};

/// `opsdeck oncall [--at T] [--format json]`, or an override subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct OnCallArgs {
    /// Who is on call at this time instead of now (RFC 3339, YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How to print it: text or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
    /// Overrides (swaps).
    #[command(subcommand)]
    pub command: Option<OnCallCommand>,
}

/// `opsdeck oncall override ...`
#[derive(Debug, Subcommand)]
pub enum OnCallCommand {
    /// Let PERSON hold ROLE from --from until --until, whatever the rotation says
    /// (a holiday swap); `override list` and `override end ID` too.
    #[command(args_conflicts_with_subcommands = true)]
    Override {
        /// `list`, `end ID`, or ROLE PERSON with --from, --until and --reason.
        #[command(subcommand)]
        command: Option<OverrideCommand>,
        /// The role (a [[role]] key of operation.toml).
        role: Option<String>,
        /// The person who holds it (a [[person]] of operation.toml).
        person: Option<String>,
        /// From when (default now): RFC 3339 (2026-12-24T09:00Z) or YYYY-MM-DD (UTC).
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Until when: a time, or a duration from --from (3d, 12h).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Why (kept with it and in the audit trail).
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `opsdeck oncall override list|end`
#[derive(Debug, Subcommand)]
pub enum OverrideCommand {
    /// Current and future overrides.
    List {
        /// How to print them: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// End an override now (a future one is dropped).
    End {
        /// The override's id (see `opsdeck oncall override list`).
        #[arg(value_parser = parse_override_id)]
        id: i64,
    },
}

fn parse_override_id(text: &str) -> Result<i64, String> {
    super::parse_row_id(text, "override")
}

fn parse_silence_id(text: &str) -> Result<i64, String> {
    super::parse_row_id(text, "silence")
}

/// `opsdeck silence ...`
#[derive(Debug, Subcommand)]
pub enum SilenceCommand {
    /// Silence the alerts matching every --match until a time: they are
    /// recorded and shown, marked silenced, but neither notify nor escalate.
    Add {
        /// FIELD=VALUE, repeatable; fields: source, key, indicator, work_kind,
        /// severity, playbook (a trailing * matches any rest).
        #[arg(long = "match", value_name = "FIELD=VALUE", required = true)]
        matchers: Vec<String>,
        /// Until when: RFC 3339 (2026-11-26T09:00Z) or YYYY-MM-DD (UTC); at most ten years.
        #[arg(
            long,
            value_name = "TIME",
            required_unless_present = "for_",
            conflicts_with = "for_"
        )]
        until: Option<String>,
        /// For how long from now (2h, 1d); at most ten years.
        #[arg(long = "for", id = "for_", value_name = "DURATION")]
        for_: Option<String>,
        /// Why (shown next to every alert it silences).
        #[arg(long)]
        reason: String,
    },
    /// Silences in force, coming, or ended in the last 7 days, and the maintenance windows.
    List {
        /// How to print them: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// End a silence now; what it held notifies on the next check if its cause remains.
    End {
        /// The silence's id (see `opsdeck silence list`).
        #[arg(value_parser = parse_silence_id)]
        id: i64,
    },
}
