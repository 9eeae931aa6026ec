//! Alert rules: pure functions that turn the current readings into alert
//! candidates, one per cause, and the reconciliation that tells the store
//! which open alerts to open or update and which causes have cleared.
//!
//! A rule returns `Some(candidate)` while its cause holds and `None` once it has
//! cleared; the caller evaluates every rule at `now`, then passes all
//! candidates and the keys of the open alerts to [`reconcile`]. Titles and
//! details quote data (names, keys): sanitise them on output.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::budget::{BurnAssessment, BurnSeverity, SloDef};
use super::duration::format_duration;
use super::Status;

/// Default capacity warn band: utilisation (demand ÷ capacity) of 60 %.
pub const DEFAULT_CAPACITY_WARN_AT: f64 = 0.60;
/// Default capacity breach band: utilisation of 90 %.
pub const DEFAULT_CAPACITY_BREACH_AT: f64 = 0.90;

/// How urgent an alert is. Ordered: `Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For the record; nobody needs to act.
    Info,
    /// Act today, before customers feel it.
    Warning,
    /// Act now; `opsdeck check` exits 1 while one is open.
    Critical,
}

impl Severity {
    /// The word used in files, the CLI and on screen.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// Reads `info`, `warning` or `critical` (case-insensitive).
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "critical" | "crit" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// Which rule family raised an alert. Also the prefix of its dedup key
/// (`indicator:on_time_rate`, `burn:billing_correct`, `overdue_run:42`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSource {
    /// An indicator in warn or breach.
    Indicator,
    /// An SLO's error budget burning (multi-window rule).
    Burn,
    /// A work kind's utilisation in a capacity band.
    Capacity,
    /// A checklist run past its due time.
    OverdueRun,
    /// Raised by hand; never cleared by the rules.
    Manual,
    /// A scheduled data source that failed or has not delivered.
    DataSource,
}

impl AlertSource {
    /// The key prefix (and serialised name) of this source.
    pub fn word(self) -> &'static str {
        match self {
            AlertSource::Indicator => "indicator",
            AlertSource::Burn => "burn",
            AlertSource::Capacity => "capacity",
            AlertSource::OverdueRun => "overdue_run",
            AlertSource::Manual => "manual",
            AlertSource::DataSource => "source",
        }
    }

    /// The source a dedup key belongs to, from its prefix; `None` for a key
    /// without a known prefix.
    pub(crate) fn of_key(key: &str) -> Option<AlertSource> {
        let prefix = key.split_once(':')?.0;
        [
            AlertSource::Indicator,
            AlertSource::Burn,
            AlertSource::Capacity,
            AlertSource::OverdueRun,
            AlertSource::Manual,
            AlertSource::DataSource,
        ]
        .into_iter()
        .find(|s| s.word() == prefix)
    }

    /// Whether rules clear alerts of this source when their cause goes away
    /// (every source but manual).
    pub(crate) fn clears_itself(self) -> bool {
        self != AlertSource::Manual
    }

    fn key(self, id: &str) -> String {
        format!("{}:{id}", self.word())
    }
}

/// An alert a rule wants open now. The store opens one per `key`, or updates
/// the open alert with that key (count, last seen, severity, detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCandidate {
    /// Dedup key, stable for as long as the cause lasts (`<source>:<id>`).
    pub key: String,
    /// How urgent.
    pub severity: Severity,
    /// One line naming the cause.
    pub title: String,
    /// The numbers behind it.
    pub detail: String,
    /// Which rule family.
    pub source: AlertSource,
    /// Playbook to start a run of when the alert opens; only critical
    /// candidates name one.
    pub playbook: Option<String>,
}

/// An indicator's current standing, as the indicator board computes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IndicatorReading<'a> {
    /// Indicator key, e.g. `on_time_rate`.
    pub key: &'a str,
    /// Indicator name for the title.
    pub name: &'a str,
    /// Status at `now`.
    pub status: Status,
    /// Current value (in the indicator's unit).
    pub value: f64,
    /// The threshold crossed: the breach threshold in breach, the warn
    /// threshold in warn.
    pub threshold: f64,
    /// Playbook for a breach, if the indicator names one.
    pub playbook: Option<&'a str>,
}

/// Indicator rule: breach → critical, warn → warning; ok and no data → cleared
/// (a stale indicator is shown on the board, not alerted).
pub(crate) fn indicator_alert(r: &IndicatorReading) -> Option<AlertCandidate> {
    let (severity, word) = match r.status {
        Status::Breach => (Severity::Critical, "breach"),
        Status::Warn => (Severity::Warning, "warn"),
        Status::Ok | Status::NoData => return None,
    };
    Some(AlertCandidate {
        key: AlertSource::Indicator.key(r.key),
        severity,
        title: format!("{} in {word}", r.name),
        detail: format!(
            "value {} is past the {word} threshold {}",
            number(r.value),
            number(r.threshold)
        ),
        source: AlertSource::Indicator,
        playbook: critical_playbook(severity, r.playbook),
    })
}

/// Burn rule: the worst firing rule of the SLO decides (page → critical,
/// ticket → warning; among equals the highest factor); nothing firing → cleared. One alert per SLO
/// (`burn:<slo key>`), so a fast burn turning slow updates the same alert.
pub(crate) fn burn_alert(slo: &SloDef, assessments: &[BurnAssessment]) -> Option<AlertCandidate> {
    let worst = assessments
        .iter()
        .filter(|a| a.is_firing())
        .max_by(|a, b| {
            a.rule
                .severity
                .cmp(&b.rule.severity)
                .then(a.rule.factor.total_cmp(&b.rule.factor))
        })?;
    let (severity, pace) = match worst.rule.severity {
        BurnSeverity::Page => (Severity::Critical, "fast"),
        BurnSeverity::Ticket => (Severity::Warning, "steadily"),
    };
    let short = format!(
        "{}× over {}",
        number(worst.short_burn.unwrap_or(0.0)),
        format_duration(worst.rule.short_window_secs)
    );
    Some(AlertCandidate {
        key: AlertSource::Burn.key(&slo.key),
        severity,
        title: format!("{}: error budget burning {pace}", slo.name),
        detail: format!(
            "burn {}× over {} ({} of {} bad) and {short}; {} rule at {}×",
            number(worst.long_burn.unwrap_or(0.0)),
            format_duration(worst.rule.long_window_secs),
            worst.long.bad(),
            worst.long.total,
            worst.rule.severity.word(),
            number(worst.rule.factor),
        ),
        source: AlertSource::Burn,
        playbook: critical_playbook(severity, slo.playbook.as_deref()),
    })
}

/// A work kind's utilisation (demand ÷ capacity) against its bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacityReading<'a> {
    /// Work kind, e.g. `order`.
    pub work_kind: &'a str,
    /// Demand ÷ capacity (0.75 = 75 %).
    pub utilisation: f64,
    /// Warn band as a fraction (default [`DEFAULT_CAPACITY_WARN_AT`]).
    pub warn_at: f64,
    /// Breach band as a fraction (default [`DEFAULT_CAPACITY_BREACH_AT`]).
    pub breach_at: f64,
    /// Playbook for the breach band, if one is configured.
    pub playbook: Option<&'a str>,
}

/// Capacity rule: at or above `breach_at` → critical, at or above `warn_at` →
/// warning, below → cleared. A utilisation that is not a number clears.
pub(crate) fn capacity_alert(r: &CapacityReading) -> Option<AlertCandidate> {
    if !r.utilisation.is_finite() {
        return None;
    }
    let (severity, band, at) = if r.utilisation >= r.breach_at {
        (Severity::Critical, "breach", r.breach_at)
    } else if r.utilisation >= r.warn_at {
        (Severity::Warning, "warn", r.warn_at)
    } else {
        return None;
    };
    Some(AlertCandidate {
        key: AlertSource::Capacity.key(r.work_kind),
        severity,
        title: format!("Capacity for {} in the {band} band", r.work_kind),
        detail: format!(
            "utilisation {} (demand ÷ capacity) is at or past the {band} band of {}",
            percent(r.utilisation),
            percent(at)
        ),
        source: AlertSource::Capacity,
        playbook: critical_playbook(severity, r.playbook),
    })
}

/// A checklist run and how late it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunLateness<'a> {
    /// The run's id in the store.
    pub run_id: i64,
    /// The playbook it executes.
    pub playbook_key: &'a str,
    /// `now - due`, seconds; zero or less means not overdue.
    pub late_secs: i64,
}

/// Overdue-run rule: a run more than zero seconds past due → warning; done,
/// or not yet due (exactly at due included) → cleared. Names no playbook (the
/// run is already one).
pub(crate) fn overdue_run_alert(r: &RunLateness) -> Option<AlertCandidate> {
    if r.late_secs <= 0 {
        return None;
    }
    Some(AlertCandidate {
        key: AlertSource::OverdueRun.key(&r.run_id.to_string()),
        severity: Severity::Warning,
        title: format!("Checklist run overdue: {}", r.playbook_key),
        detail: format!(
            "run {} is {} past due",
            r.run_id,
            format_duration(r.late_secs)
        ),
        source: AlertSource::OverdueRun,
        playbook: None,
    })
}

/// Freshness rule: a stale data source → warning, critical once stale for
/// its `critical_after`; fresh → cleared. `since_text` is the time of its
/// last success as shown (`09:10`).
pub(crate) fn stale_source_alert(
    name: &str,
    f: &crate::domain::freshness::Freshness,
    since_text: &str,
) -> Option<AlertCandidate> {
    let crate::domain::freshness::Freshness::Stale {
        failing, critical, ..
    } = *f
    else {
        return None;
    };
    Some(AlertCandidate {
        key: AlertSource::DataSource.key(name),
        severity: if critical {
            Severity::Critical
        } else {
            Severity::Warning
        },
        title: format!("data source {name} stale since {since_text}"),
        detail: if failing {
            format!("its latest run failed (`opsdeck sources list`); no data since {since_text}")
        } else {
            format!("no successful run since {since_text}")
        },
        source: AlertSource::DataSource,
        playbook: None,
    })
}

/// A manual alert. `token` makes the key unique (e.g. the time and a counter);
/// manual alerts are never cleared by [`reconcile`], only resolved by people.
pub(crate) fn manual_alert(
    token: &str,
    title: &str,
    severity: Severity,
    detail: &str,
) -> AlertCandidate {
    AlertCandidate {
        key: AlertSource::Manual.key(token),
        severity,
        title: title.trim().to_string(),
        detail: detail.trim().to_string(),
        source: AlertSource::Manual,
        playbook: None,
    }
}

/// What the store should do after one evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Reconciliation {
    /// Candidates to open (new key) or update (open key), one per key,
    /// critical first, then by key.
    pub to_open_or_update: Vec<AlertCandidate>,
    /// Keys of open alerts whose cause has cleared (sorted, no duplicates).
    /// Manual alerts and keys without a known prefix are never listed.
    pub to_clear: Vec<String>,
}

/// Compares the open alerts' keys with this evaluation's candidates (from
/// every rule family). Duplicate candidate keys keep the most severe (the
/// first among equals).
pub(crate) fn reconcile<S: AsRef<str>>(
    open_keys: &[S],
    candidates: Vec<AlertCandidate>,
) -> Reconciliation {
    let mut by_key: BTreeMap<String, AlertCandidate> = BTreeMap::new();
    for c in candidates {
        match by_key.get(&c.key) {
            Some(kept) if kept.severity >= c.severity => {}
            _ => {
                by_key.insert(c.key.clone(), c);
            }
        }
    }
    let to_clear: BTreeSet<String> = open_keys
        .iter()
        .map(|k| k.as_ref())
        .filter(|k| !by_key.contains_key(*k))
        .filter(|k| AlertSource::of_key(k).is_some_and(AlertSource::clears_itself))
        .map(str::to_string)
        .collect();
    let mut to_open_or_update: Vec<AlertCandidate> = by_key.into_values().collect();
    to_open_or_update.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.key.cmp(&b.key)));
    Reconciliation {
        to_open_or_update,
        to_clear: to_clear.into_iter().collect(),
    }
}

fn critical_playbook(severity: Severity, playbook: Option<&str>) -> Option<String> {
    (severity == Severity::Critical)
        .then(|| {
            playbook
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
        })
        .flatten()
}

/// A number for a sentence: whole numbers plain, others to two decimals
/// without trailing zeros.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return "?".into();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn percent(fraction: f64) -> String {
    format!("{} %", number(fraction * 100.0))
}

#[cfg(test)]
mod tests;
