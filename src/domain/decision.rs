//! The decision log: what was decided, when, by whom, why, and the evidence
//! as it stood at that moment (a snapshot, so the log stays true after the
//! data moves on). A decision may supersede an earlier one; both show the link.

#![warn(missing_docs)]

mod markdown;

pub use markdown::to_markdown;

use serde::{Deserialize, Serialize};

use super::experiment::{text_error, validate_key, ExperimentResult};
use super::{Status, Timestamp};
use crate::text::sanitize_truncate;

/// One entry of the decision log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// Store id, shown as `#ID` and used by `--supersedes ID`.
    pub id: i64,
    /// When the decision was recorded (unix seconds, UTC).
    pub at: Timestamp,
    /// Who recorded it (the acting user).
    pub who: String,
    /// What was decided, in one line.
    pub title: String,
    /// Why: the reasoning, in the team's words.
    pub why: String,
    /// The evidence captured when the decision was recorded.
    pub evidence: Vec<Evidence>,
    /// The earlier decision this one replaces, if any.
    pub supersedes: Option<i64>,
    /// The later decision that replaced this one, if any.
    pub superseded_by: Option<i64>,
}

/// What a piece of evidence points at, as typed after `--evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum EvidenceRef {
    /// `indicator:KEY`: an indicator's value and status.
    Indicator(String),
    /// `experiment:KEY`: an experiment's computed result.
    Experiment(String),
    /// `alert:ID`: an alert and its state.
    Alert(i64),
}

impl std::fmt::Display for EvidenceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvidenceRef::Indicator(key) => write!(f, "indicator:{key}"),
            EvidenceRef::Experiment(key) => write!(f, "experiment:{key}"),
            EvidenceRef::Alert(id) => write!(f, "alert:{id}"),
        }
    }
}

impl From<EvidenceRef> for String {
    fn from(r: EvidenceRef) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for EvidenceRef {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        parse_evidence_ref(&text)
    }
}

/// Parses `indicator:KEY`, `experiment:KEY` or `alert:ID` (the kind is
/// case-insensitive; keys follow [`validate_key`]; an alert id is a positive
/// whole number). The error quotes the (sanitised) input and says what is
/// expected.
pub(crate) fn parse_evidence_ref(text: &str) -> Result<EvidenceRef, String> {
    let shown = sanitize_truncate(text, 60);
    let expected = "expected indicator:KEY, experiment:KEY or alert:ID";
    let Some((kind, target)) = text.trim().split_once(':') else {
        return Err(format!("'{shown}' is not evidence: {expected}"));
    };
    let target = target.trim();
    let kind = kind.trim().to_ascii_lowercase();
    match kind.as_str() {
        "indicator" | "experiment" => {
            if target.is_empty() {
                return Err(format!("evidence '{shown}' has no {kind} key after ':'"));
            }
            validate_key(&format!("{kind} key"), target)
                .map_err(|e| format!("evidence '{shown}': {e}"))?;
            Ok(if kind == "indicator" {
                EvidenceRef::Indicator(target.to_string())
            } else {
                EvidenceRef::Experiment(target.to_string())
            })
        }
        "alert" => match target.parse::<i64>() {
            Ok(id) if id > 0 => Ok(EvidenceRef::Alert(id)),
            _ => Err(format!(
                "evidence '{shown}': the alert ID must be a positive whole number (e.g. alert:12)"
            )),
        },
        _ => Err(format!(
            "evidence '{shown}': unknown kind '{}'; {expected}",
            sanitize_truncate(&kind, 20)
        )),
    }
}

/// One piece of evidence, captured when the decision was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What it refers to.
    pub reference: EvidenceRef,
    /// The values at decision time (indicator value and status, experiment
    /// result, alert state) as JSON; never updated afterwards.
    pub captured: serde_json::Value,
    /// One human line describing the snapshot, e.g. `on_time_rate = 92 % (ok)`.
    pub summary: String,
}

/// Evidence for an indicator: its value (in `unit`), status and the time of
/// the value. Captured as `{"key","value","unit","status","at"}`; the summary
/// reads `on_time_rate = 92 % (ok)` or `on_time_rate = no value (no data)`.
pub(crate) fn indicator_evidence(
    key: &str,
    value: Option<f64>,
    unit: &str,
    status: Status,
    at: Option<Timestamp>,
) -> Evidence {
    let value = value.filter(|v| v.is_finite());
    let shown = match value {
        Some(v) if unit.is_empty() => format_number(v),
        Some(v) => format!("{} {unit}", format_number(v)),
        None => "no value".to_string(),
    };
    Evidence {
        reference: EvidenceRef::Indicator(key.to_string()),
        captured: serde_json::json!({
            "key": key,
            "value": value,
            "unit": unit,
            "status": status,
            "at": at,
        }),
        summary: format!("{key} = {shown} ({})", status.word()),
    }
}

/// Evidence for an experiment: its whole computed result as JSON, and a
/// summary with the verdict and each criterion, e.g.
/// `success: on_time_rate 92 (baseline 80) >= 90 pass; defect_rate 2 (baseline 4) <= 3 pass`.
pub(crate) fn experiment_evidence(key: &str, result: &ExperimentResult) -> Evidence {
    let criteria: Vec<String> = result
        .criteria
        .iter()
        .map(|r| {
            let value = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), format_number);
            format!(
                "{} {} (baseline {}) {} {} {}",
                r.criterion.indicator,
                value(r.during.value),
                value(r.baseline.value),
                r.criterion.comparison.symbol(),
                format_number(r.criterion.threshold),
                r.outcome.word()
            )
        })
        .collect();
    Evidence {
        reference: EvidenceRef::Experiment(key.to_string()),
        captured: serde_json::to_value(result).unwrap_or(serde_json::Value::Null),
        summary: format!("{}: {}", result.verdict.label(), criteria.join("; ")),
    }
}

/// A number for people: at most two decimals, trailing zeros removed
/// (`92`, `0.15`, `-2.5`).
pub(crate) fn format_number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// Checks the text of a new decision: a title and a reason, each non-blank
/// and at most 2,000 characters. Returns every problem found.
pub(crate) fn validate_decision(title: &str, why: &str) -> Result<(), Vec<String>> {
    let errors: Vec<String> = [("title", title), ("why", why)]
        .into_iter()
        .filter_map(|(field, text)| text_error(field, text, true))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Whether a new decision may supersede `target`: refused when `target` was
/// already superseded (supersede the newer one instead, so the chain stays a
/// line).
pub(crate) fn check_supersede(target: &DecisionRecord) -> Result<(), String> {
    match target.superseded_by {
        Some(newer) => Err(format!(
            "decision #{} is already superseded by #{newer}; supersede #{newer} instead",
            target.id
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::experiment::{
        evaluate, Comparison, Criterion, CriterionInput, ExperimentDef, Sample,
    };
    use crate::domain::DAY;

    #[test]
    fn parses_evidence_references() {
        assert_eq!(
            parse_evidence_ref("indicator:on_time_rate"),
            Ok(EvidenceRef::Indicator("on_time_rate".into()))
        );
        assert_eq!(
            parse_evidence_ref(" Experiment:courier-pilot "),
            Ok(EvidenceRef::Experiment("courier-pilot".into()))
        );
        assert_eq!(parse_evidence_ref("alert:12"), Ok(EvidenceRef::Alert(12)));
        for r in ["indicator:x", "experiment:y-1", "alert:7"] {
            assert_eq!(parse_evidence_ref(r).unwrap().to_string(), r);
        }
    }

    #[test]
    fn evidence_reference_errors_are_clear() {
        let e = parse_evidence_ref("on_time_rate").unwrap_err();
        assert_eq!(
            e,
            "'on_time_rate' is not evidence: expected indicator:KEY, experiment:KEY or alert:ID"
        );
        let e = parse_evidence_ref("metric:x").unwrap_err();
        assert!(e.contains("unknown kind 'metric'"), "{e}");
        let e = parse_evidence_ref("indicator:").unwrap_err();
        assert_eq!(e, "evidence 'indicator:' has no indicator key after ':'");
        let e = parse_evidence_ref("experiment:Bad Key").unwrap_err();
        assert!(e.contains("experiment key 'Bad Key' is not valid"), "{e}");
        for bad in ["alert:abc", "alert:0", "alert:-3", "alert:", "alert:1.5"] {
            let e = parse_evidence_ref(bad).unwrap_err();
            assert!(
                e.contains("alert ID must be a positive whole number"),
                "{bad}: {e}"
            );
        }
        let e = parse_evidence_ref("\x1b[2J:x").unwrap_err();
        assert!(!e.contains('\x1b'), "{e:?}");
    }

    #[test]
    fn evidence_refs_serialise_as_their_text() {
        let json = serde_json::to_string(&EvidenceRef::Alert(3)).unwrap();
        assert_eq!(json, "\"alert:3\"");
        let back: EvidenceRef = serde_json::from_str("\"indicator:on_time_rate\"").unwrap();
        assert_eq!(back, EvidenceRef::Indicator("on_time_rate".into()));
        assert!(serde_json::from_str::<EvidenceRef>("\"nope\"").is_err());
    }

    #[test]
    fn indicator_evidence_is_a_fixed_snapshot() {
        let e = indicator_evidence("on_time_rate", Some(92.0), "%", Status::Ok, Some(5 * DAY));
        assert_eq!(e.summary, "on_time_rate = 92 % (ok)");
        assert_eq!(e.captured["value"], 92.0);
        assert_eq!(e.captured["status"], "ok");
        assert_eq!(e.captured["at"], 432_000);
        let e = indicator_evidence("nps", None, "", Status::NoData, None);
        assert_eq!(e.summary, "nps = no value (no data)");
        assert!(e.captured["value"].is_null());
    }

    #[test]
    fn experiment_evidence_summarises_the_result() {
        let def = ExperimentDef {
            key: "courier-pilot".into(),
            title: "Courier pilot".into(),
            objective: "o".into(),
            hypothesis: "h".into(),
            scope: "s".into(),
            start: 0,
            end: 14 * DAY,
            indicators: vec![],
            criteria: vec![
                Criterion::new("on_time_rate", Comparison::Ge, 90.0).into_primary(),
                Criterion::new("defect_rate", Comparison::Le, 3.0),
            ],
            control: None,
        };
        let inputs = [CriterionInput {
            indicator: "on_time_rate".into(),
            during: Sample {
                value: Some(92.0),
                events: 25,
            },
            baseline: Sample {
                value: Some(80.0),
                events: 20,
            },
        }];
        let result = evaluate(&def, &inputs, 14 * DAY, 7);
        let e = experiment_evidence("courier-pilot", &result);
        assert_eq!(
            e.summary,
            "success: on_time_rate 92 (baseline 80) >= 90 pass; \
             defect_rate n/a (baseline n/a) <= 3 not enough data"
        );
        assert_eq!(e.captured["verdict"]["kind"], "success");
        assert_eq!(e.reference, EvidenceRef::Experiment("courier-pilot".into()));
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(format_number(92.0), "92");
        assert_eq!(format_number(0.15), "0.15");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(2.0 / 3.0), "0.67");
        assert_eq!(format_number(-0.001), "0");
        assert_eq!(format_number(100.0), "100");
    }

    #[test]
    fn decisions_need_a_title_and_a_reason() {
        assert_eq!(validate_decision("Scale the pilot", "It worked"), Ok(()));
        assert_eq!(
            validate_decision(" ", ""),
            Err(vec![
                "title is empty".to_string(),
                "why is empty".to_string()
            ])
        );
        let long = "w".repeat(2_001);
        assert_eq!(
            validate_decision("t", &long),
            Err(vec![
                "why is 2001 characters long; at most 2000 are allowed".to_string()
            ])
        );
    }

    #[test]
    fn only_the_latest_decision_in_a_chain_can_be_superseded() {
        let mut d = DecisionRecord {
            id: 7,
            at: 0,
            who: "ana".into(),
            title: "t".into(),
            why: "w".into(),
            evidence: vec![],
            supersedes: None,
            superseded_by: None,
        };
        assert_eq!(check_supersede(&d), Ok(()));
        d.superseded_by = Some(9);
        assert_eq!(
            check_supersede(&d),
            Err("decision #7 is already superseded by #9; supersede #9 instead".to_string())
        );
    }
}
