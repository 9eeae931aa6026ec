//! Subcommands that edit the operation's definition in place: indicators,
//! capacity and people (the quick edits next to `init`/`apply`/`definition`).

use clap::Subcommand;

/// `opsdeck indicator ...`
#[derive(Debug, Subcommand)]
pub enum IndicatorCommand {
    /// List the indicators on the board.
    List,
    /// Show one indicator's definition, thresholds and valid range.
    Show { key: String },
    /// Add an indicator fed by recorded values.
    Add(Box<IndicatorAdd>),
    /// Change fields: FIELD=VALUE ... (name, definition, kind, unit, direction,
    /// aggregation, window, target, warn, breach, min, max, owner; `min=-` clears).
    Set {
        key: String,
        #[arg(required = true, allow_hyphen_values = true)]
        assignments: Vec<String>,
    },
    /// Retire an indicator: it leaves the board, its values are kept.
    Retire { key: String },
}

/// `opsdeck indicator add KEY ...`
#[derive(Debug, clap::Args)]
pub struct IndicatorAdd {
    pub key: String,
    #[arg(long)]
    pub name: String,
    /// One sentence saying exactly what is counted (default: the name).
    #[arg(long)]
    pub definition: Option<String>,
    /// leading or lagging.
    #[arg(long)]
    pub kind: String,
    #[arg(long, default_value = "")]
    pub unit: String,
    /// higher or lower (which way is better).
    #[arg(long)]
    pub direction: String,
    /// last, mean, sum, p50, p90 or rate.
    #[arg(long)]
    pub aggregation: String,
    /// A duration: 7d, 30d, 4h.
    #[arg(long)]
    pub window: String,
    #[arg(long, allow_hyphen_values = true)]
    pub target: String,
    #[arg(long, allow_hyphen_values = true)]
    pub warn: String,
    #[arg(long, allow_hyphen_values = true)]
    pub breach: String,
    /// Lowest plausible value.
    #[arg(long, allow_hyphen_values = true)]
    pub min: Option<String>,
    /// Highest plausible value.
    #[arg(long, allow_hyphen_values = true)]
    pub max: Option<String>,
    /// The owning role (default ops-lead).
    #[arg(long)]
    pub owner: Option<String>,
}

/// `opsdeck capacity ...`
#[derive(Debug, Subcommand)]
pub enum CapacityCommand {
    /// Each work kind's capacity and bands.
    List,
    /// Set a work kind's units per day (and optionally its bands, 0–1).
    Set {
        kind: String,
        units_per_day: String,
        #[arg(long)]
        warn_at: Option<f64>,
        #[arg(long)]
        breach_at: Option<f64>,
    },
}

/// `opsdeck person ...`
#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person, with the roles they hold (--role, repeatable).
    Add {
        name: String,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}
