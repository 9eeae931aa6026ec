//! `opsdeck incident ...`: declare an incident from alerts, move it forward,
//! its action items and its post-mortem.

use crate::cli::{ListFormat, SeverityArg};
use clap::Subcommand;
use std::path::PathBuf;

/// An incident id: `3` or `#3`.
fn parse_incident_id(text: &str) -> Result<i64, String> {
    crate::cli::parse_row_id(text, "incident")
}

/// A run number: `5` or `#5`.
fn parse_run_id(text: &str) -> Result<i64, String> {
    crate::cli::parse_row_id(text, "run")
}

/// An alert id: `12` or `#12`.
fn parse_alert_id(text: &str) -> Result<i64, String> {
    crate::cli::parse_row_id(text, "alert")
}

/// `opsdeck incident ...`
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Declare an incident from one or more alerts (each in one incident at most).
    Declare {
        /// Alert ids, `12` or `#12` (see `opsdeck alert list --all`).
        #[arg(required = true, value_parser = parse_alert_id, value_name = "ALERT")]
        alerts: Vec<i64>,
        /// One-line title of the incident (required).
        #[arg(long)]
        title: String,
        /// How bad it is (default: the most severe of its alerts).
        #[arg(long, value_enum)]
        severity: Option<SeverityArg>,
        /// The person who runs the response.
        #[arg(long, value_name = "PERSON")]
        commander: Option<String>,
        /// A checklist run started for it by hand (repeatable); the runs its
        /// alerts started are in its timeline anyway.
        #[arg(long = "run", value_name = "RUN", value_parser = parse_run_id)]
        runs: Vec<i64>,
    },
    /// Incidents, unreviewed first, newest first.
    List {
        /// How to print the list: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// One incident: its alerts, timeline and action items.
    Show {
        /// Incident id, `3` or `#3` (see `opsdeck incident list`).
        #[arg(value_parser = parse_incident_id)]
        id: i64,
        /// How to print it: text or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Mark an open incident mitigated: the harm is contained.
    Mitigate {
        /// Incident id, `3` or `#3` (see `opsdeck incident list`).
        #[arg(value_parser = parse_incident_id)]
        id: i64,
    },
    /// Mark an incident resolved: the cause is fixed (from open or mitigated).
    Resolve {
        /// Incident id, `3` or `#3` (see `opsdeck incident list`).
        #[arg(value_parser = parse_incident_id)]
        id: i64,
    },
    /// Mark a resolved incident reviewed: the post-mortem was held.
    Review {
        /// Incident id, `3` or `#3` (see `opsdeck incident list`).
        #[arg(value_parser = parse_incident_id)]
        id: i64,
    },
    /// Add an action item: a work item of kind `action` with an owner and a due date.
    Action {
        /// Incident id, `3` or `#3` (see `opsdeck incident list`).
        #[arg(value_parser = parse_incident_id)]
        id: i64,
        /// Who owns it (a person's name).
        #[arg(long, value_name = "PERSON")]
        owner: String,
        /// When it is due: RFC 3339, YYYY-MM-DD, or a duration from now (7d).
        #[arg(long, value_name = "TIME")]
        due: String,
        /// What is to be done, one line.
        text: String,
    },
    /// Mark an action item done (`INC-3-1`, see `opsdeck incident show`).
    Done {
        /// The action item's id, e.g. INC-3-1.
        action: String,
    },
    /// Write the incident's post-mortem as Markdown (stdout, or --out FILE).
    Postmortem {
        /// Incident id, `3` or `#3` (see `opsdeck incident list`).
        #[arg(value_parser = parse_incident_id)]
        id: i64,
        /// Write it to this file instead of stdout (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Add a proposed `opsdeck experiment new` line, pre-filled from the
        /// incident (nothing is created).
        #[arg(long)]
        experiment: bool,
        /// With --experiment: the indicators it names (repeatable; default:
        /// those the incident's alerts named).
        #[arg(long = "indicator", value_name = "KEY", requires = "experiment")]
        indicators: Vec<String>,
    },
}
