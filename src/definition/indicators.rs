//! `indicators.toml`: the indicators, in board order.

use super::operation::valid_key;
use super::{line_of, toml_error, DefError};
use crate::domain::duration::parse_duration;
use crate::domain::flow::Metric;
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    key: Spanned<String>,
    name: String,
    definition: String,
    kind: Spanned<String>,
    unit: String,
    direction: Spanned<String>,
    aggregation: Spanned<String>,
    window: Spanned<String>,
    target: Spanned<f64>,
    warn: Spanned<f64>,
    breach: Spanned<f64>,
    owner: Spanned<String>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    metric: Option<Spanned<String>>,
    #[serde(default)]
    work_kind: Option<Spanned<String>>,
    #[serde(default)]
    min: Option<Spanned<f64>>,
    #[serde(default)]
    max: Option<Spanned<f64>>,
}

/// Parses `indicators.toml`; every problem with its line and field.
pub(super) fn parse(file: &str, text: &str) -> Result<Vec<IndicatorDef>, Vec<DefError>> {
    let raw: Raw = toml::from_str(text).map_err(|e| vec![toml_error(file, text, &e)])?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for t in raw.indicator {
        let mut err = |span: std::ops::Range<usize>, field: &str, reason: String| {
            errors.push(DefError::new(
                file,
                line_of(text, span.start),
                field,
                reason,
            ))
        };
        let key = t.key.get_ref().clone();
        if !valid_key(&key) {
            err(
                t.key.span(),
                "key",
                format!("'{key}' is not a valid key (a-z, 0-9, - and _)"),
            );
        } else if !seen.insert(key.clone()) {
            err(t.key.span(), "key", format!("duplicate indicator '{key}'"));
        }
        let word = |s: &Spanned<String>| s.get_ref().clone();
        let kind = Kind::parse(t.kind.get_ref());
        if kind.is_none() {
            err(
                t.kind.span(),
                "kind",
                format!("'{}' is not one of leading, lagging", word(&t.kind)),
            );
        }
        let direction = Direction::parse(t.direction.get_ref());
        if direction.is_none() {
            err(
                t.direction.span(),
                "direction",
                format!("'{}' is not one of higher, lower", word(&t.direction)),
            );
        }
        let aggregation = Aggregation::parse(t.aggregation.get_ref());
        if aggregation.is_none() {
            err(
                t.aggregation.span(),
                "aggregation",
                format!(
                    "'{}' is not one of last, mean, sum, p50, p90, rate",
                    word(&t.aggregation)
                ),
            );
        }
        let window = match parse_duration(t.window.get_ref()) {
            Ok(d) if d.num_seconds() > 0 => Some(d.num_seconds()),
            Ok(_) => {
                err(t.window.span(), "window", "must be longer than zero".into());
                None
            }
            Err(e) => {
                err(t.window.span(), "window", e);
                None
            }
        };
        let source = match &t.source {
            None => Some(Source::Observations),
            Some(s) => {
                let v = Source::parse(s.get_ref());
                if v.is_none() {
                    err(
                        s.span(),
                        "source",
                        format!(
                            "'{}' is not one of observations, work_items, feedback",
                            word(s)
                        ),
                    );
                }
                v
            }
        };
        let metric = t.metric.as_ref().map(word);
        match source {
            Some(Source::WorkItems) => {
                let m = metric.as_deref().unwrap_or("");
                if Metric::parse(m).is_none() {
                    let span = t.metric.as_ref().map_or(t.key.span(), |s| s.span());
                    err(span, "metric", format!("'{m}' is not a work-item metric"));
                }
                if t.work_kind.is_none() {
                    err(
                        t.key.span(),
                        "work_kind",
                        "required for source work_items".into(),
                    );
                }
            }
            Some(Source::Feedback) => {
                let m = metric.as_deref().unwrap_or("");
                if !crate::domain::feedback_metric_known(m) {
                    let span = t.metric.as_ref().map_or(t.key.span(), |s| s.span());
                    err(span, "metric", format!("'{m}' is not a feedback metric"));
                }
            }
            _ => {}
        }
        let (target, warn, breach) = (*t.target.get_ref(), *t.warn.get_ref(), *t.breach.get_ref());
        if let Some(d) = direction {
            let (better, worse) = match d {
                Direction::Higher => ("above", "below"),
                Direction::Lower => ("below", "above"),
            };
            let wrong = |a: f64, b: f64| match d {
                Direction::Higher => a > b,
                Direction::Lower => a < b,
            };
            if wrong(warn, target) {
                err(
                    t.warn.span(),
                    "warn",
                    format!(
                        "{warn} is {better} the target {target}; with direction {} the warn threshold must be at or {worse} the target",
                        d.as_str()
                    ),
                );
            } else if wrong(breach, warn) {
                err(
                    t.breach.span(),
                    "breach",
                    format!(
                        "{breach} is {better} the warn threshold {warn}; with direction {} the breach threshold must be at or {worse} it",
                        d.as_str()
                    ),
                );
            }
        }
        let (min, max) = (
            t.min.as_ref().map(|m| *m.get_ref()),
            t.max.as_ref().map(|m| *m.get_ref()),
        );
        if let (Some(lo), Some(hi), Some(s)) = (min, max, &t.max) {
            if lo > hi {
                err(s.span(), "max", format!("{hi} is below the minimum {lo}"));
            }
        }
        let owner = t.owner.get_ref().clone();
        if let (Some(kind), Some(direction), Some(aggregation), Some(window_secs), Some(source)) =
            (kind, direction, aggregation, window, source)
        {
            out.push(IndicatorDef {
                key,
                name: t.name,
                definition: t.definition,
                kind,
                unit: t.unit,
                direction,
                aggregation,
                window_secs,
                target,
                warn,
                breach,
                owner_role: owner,
                source,
                metric,
                work_kind: t.work_kind.as_ref().map(word),
                min,
                max,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
