//! Silences and maintenance windows: which alerts they cover.

use super::{window_open_until, MaintenanceWindow};
use crate::domain::Timestamp;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What a matcher looks at on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    /// The rule family: indicator, burn, capacity, overdue_run, manual, source.
    Source,
    /// The whole cause key (`indicator:on_time_rate`).
    Key,
    /// The indicator of an indicator alert.
    Indicator,
    /// The work kind of a capacity alert.
    WorkKind,
    /// info, warning or critical.
    Severity,
    /// The playbook the alert names.
    Playbook,
}

impl MatchField {
    /// Every field, in the order help texts list them.
    pub const ALL: [MatchField; 6] = [
        MatchField::Source,
        MatchField::Key,
        MatchField::Indicator,
        MatchField::WorkKind,
        MatchField::Severity,
        MatchField::Playbook,
    ];

    /// The word of `--match WORD=VALUE`.
    pub fn word(self) -> &'static str {
        match self {
            MatchField::Source => "source",
            MatchField::Key => "key",
            MatchField::Indicator => "indicator",
            MatchField::WorkKind => "work_kind",
            MatchField::Severity => "severity",
            MatchField::Playbook => "playbook",
        }
    }

    /// The field named `word` (`work-kind` is read as `work_kind`).
    pub fn parse(word: &str) -> Option<MatchField> {
        let w = word.trim().replace('-', "_");
        MatchField::ALL.into_iter().find(|f| f.word() == w)
    }
}

/// One `FIELD=VALUE` condition; a rule matches when all of its hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matcher {
    /// What is compared.
    pub field: MatchField,
    /// The exact value (a trailing `*` matches any rest).
    pub value: String,
}

impl Matcher {
    /// Reads `FIELD=VALUE`.
    pub fn parse(text: &str) -> Result<Matcher, String> {
        let (f, v) = text
            .split_once('=')
            .ok_or_else(|| format!("'{text}' is not FIELD=VALUE"))?;
        let field = MatchField::parse(f).ok_or_else(|| {
            let all: Vec<&str> = MatchField::ALL.iter().map(|f| f.word()).collect();
            format!("'{f}' is not a field to match ({})", all.join(", "))
        })?;
        let value = v.trim();
        if value.is_empty() {
            return Err(format!("{}: the value is empty", field.word()));
        }
        // A severity has three values, compared by their word: a typo
        // would match nothing, silently, and `warn` is `warning`.
        if field == MatchField::Severity && !value.ends_with('*') {
            return match crate::domain::alert_rules::Severity::parse(value) {
                Some(s) => Ok(Matcher {
                    field,
                    value: s.word().to_string(),
                }),
                None => Err(format!(
                    "severity: '{value}' is not a severity (info, warning, critical)"
                )),
            };
        }
        Ok(Matcher {
            field,
            value: value.to_string(),
        })
    }

    /// `field=value`.
    pub fn text(&self) -> String {
        format!("{}={}", self.field.word(), self.value)
    }

    fn holds(&self, a: &AlertFacts<'_>) -> bool {
        let got = match self.field {
            MatchField::Source => Some(a.source),
            MatchField::Key => Some(a.key),
            MatchField::Indicator => a.key.strip_prefix("indicator:"),
            MatchField::WorkKind => a.key.strip_prefix("capacity:"),
            MatchField::Severity => Some(a.severity),
            MatchField::Playbook => a.playbook,
        };
        let Some(got) = got else { return false };
        match self.value.strip_suffix('*') {
            Some(prefix) => got.starts_with(prefix),
            None => got == self.value,
        }
    }
}

/// What matchers can see of an alert.
#[derive(Debug, Clone, Copy)]
pub struct AlertFacts<'a> {
    /// `AlertSource::word`.
    pub source: &'a str,
    /// The cause key.
    pub key: &'a str,
    /// `Severity::word`.
    pub severity: &'a str,
    /// The playbook it names.
    pub playbook: Option<&'a str>,
}

/// An active silence (from `silence add`), as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SilenceRule {
    /// Row id.
    pub id: i64,
    /// All must hold.
    pub matchers: Vec<Matcher>,
    /// Starts (inclusive).
    pub from: Timestamp,
    /// Ends (exclusive): the expiry, or when it was ended early.
    pub until: Timestamp,
    /// Why.
    pub reason: String,
}

/// Why an alert is silenced at a time: a label (`silence #3`, `window
/// roaster`), its reason and when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Silenced {
    /// `silence #3` or `window roaster`.
    pub by: String,
    /// The silence's or window's reason.
    pub reason: String,
    /// When it ends.
    pub until: Timestamp,
}

fn all_hold(matchers: &[Matcher], a: &AlertFacts<'_>) -> bool {
    matchers.iter().all(|m| m.holds(a))
}

/// The silence or open maintenance window that covers the alert at `at`
/// (the one ending last when several do), or `None`.
pub fn silenced_by(
    a: &AlertFacts<'_>,
    silences: &[SilenceRule],
    windows: &[MaintenanceWindow],
    default_tz: Tz,
    at: Timestamp,
) -> Option<Silenced> {
    let from_silences = silences
        .iter()
        .filter(|s| s.from <= at && at < s.until && all_hold(&s.matchers, a))
        .map(|s| Silenced {
            by: format!("silence #{}", s.id),
            reason: s.reason.clone(),
            until: s.until,
        });
    let from_windows = windows
        .iter()
        .filter(|w| all_hold(&w.matchers, a))
        .filter_map(|w| {
            window_open_until(w, default_tz, at).map(|until| Silenced {
                by: format!("window {}", w.name),
                reason: w.reason.clone(),
                until,
            })
        });
    from_silences.chain(from_windows).max_by_key(|s| s.until)
}
