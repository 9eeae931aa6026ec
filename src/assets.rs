//! The starter set shipped in `assets/`: indicators, roles and capacity that
//! every new database starts with. Parsed strictly (`deny_unknown_fields`), so
//! a typo in a TOML file is an error, not a silent default.

use crate::domain::duration::parse_duration;
use crate::domain::flow::Metric;
use crate::domain::indicator::{Aggregation, Direction, IndicatorDef, Kind, Source};
use serde::Deserialize;

/// The shipped starter indicators.
pub(crate) const INDICATORS_TOML: &str = include_str!("../assets/indicators.toml");
/// The shipped operation: company, roles, people, capacities, alert defaults.
pub(crate) const OPERATION_TOML: &str = include_str!("../assets/operation.toml");
/// The starter `oncall.toml`: the group window, and commented examples of a
/// rotation, quiet hours and a maintenance window.
pub(crate) const ONCALL_TOML: &str = include_str!("../assets/oncall.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    indicator: Vec<IndicatorToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorToml {
    key: String,
    name: String,
    definition: String,
    kind: String,
    unit: String,
    direction: String,
    aggregation: String,
    window: String,
    target: f64,
    warn: f64,
    breach: f64,
    owner: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    work_kind: Option<String>,
    /// Fewest values before a status (default 5 derived, 1 recorded).
    #[serde(default)]
    min_events: Option<u32>,
}

/// Parses an indicators file; errors read `FILE: indicator KEY: field: reason`
/// or carry the TOML parser's line.
pub(crate) fn parse_indicators(file: &str, text: &str) -> Result<Vec<IndicatorDef>, String> {
    let parsed: IndicatorFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let mut out = Vec::new();
    for t in parsed.indicator {
        let ctx = |field: &str, why: String| format!("{file}: indicator {}: {field}: {why}", t.key);
        let word = |field: &str, v: &str, allowed: &str| {
            ctx(field, format!("'{v}' is not one of {allowed}"))
        };
        let def = IndicatorDef {
            kind: Kind::parse(&t.kind).ok_or_else(|| word("kind", &t.kind, "leading, lagging"))?,
            direction: Direction::parse(&t.direction)
                .ok_or_else(|| word("direction", &t.direction, "higher, lower"))?,
            aggregation: Aggregation::parse(&t.aggregation).ok_or_else(|| {
                word(
                    "aggregation",
                    &t.aggregation,
                    "last, mean, sum, p50, p90, rate",
                )
            })?,
            window_secs: parse_duration(&t.window)
                .map_err(|e| ctx("window", e))?
                .num_seconds(),
            source: match t.source.as_deref() {
                None => Source::Observations,
                Some(s) => Source::parse(s)
                    .ok_or_else(|| word("source", s, "observations, work_items, feedback"))?,
            },
            key: t.key.clone(),
            name: t.name.clone(),
            definition: t.definition.clone(),
            unit: t.unit.clone(),
            target: t.target,
            warn: t.warn,
            breach: t.breach,
            owner_role: t.owner.clone(),
            metric: t.metric.clone(),
            work_kind: t.work_kind.clone(),
            min: None,
            max: None,
            min_events: t.min_events,
        };
        match def.source {
            Source::WorkItems => {
                let m = def.metric.as_deref().unwrap_or("");
                Metric::parse(m)
                    .ok_or_else(|| ctx("metric", format!("'{m}' is not a work-item metric")))?;
                if def.work_kind.is_none() {
                    return Err(ctx("work_kind", "required for source work_items".into()));
                }
            }
            Source::Feedback => {
                let m = def.metric.as_deref().unwrap_or("");
                if !crate::domain::feedback_metric_known(m) {
                    return Err(ctx("metric", format!("'{m}' is not a feedback metric")));
                }
            }
            Source::Observations => {}
        }
        def.validate()
            .map_err(|e| format!("{file}: indicator {}: {e}", def.key))?;
        out.push(def);
    }
    Ok(out)
}

/// One line `FILE:LINE: reason` from a TOML error.
pub(crate) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> String {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(1);
    let msg = e.message().replace('\n', " ");
    format!("{file}:{line}: {}", msg.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_assets_parse_and_cover_the_required_indicators() {
        let inds = parse_indicators("indicators.toml", INDICATORS_TOML).unwrap();
        for key in [
            "cycle_time_p90",
            "on_time_rate",
            "deviation_rate",
            "billing_error_rate",
            "wip",
            "capacity_utilisation",
            "first_response",
            "satisfaction",
            "repeat_purchase_rate",
            "trial_to_paid",
        ] {
            assert!(inds.iter().any(|i| i.key == key), "missing {key}");
        }
        assert!(inds.iter().any(|i| i.kind == Kind::Leading));
        assert!(inds.iter().any(|i| i.kind == Kind::Lagging));
        let op = crate::definition::parse_operation("operation.toml", OPERATION_TOML).unwrap();
        assert!(op.roles.len() >= 4);
        assert!(!op.capacity.is_empty());
    }

    #[test]
    fn a_typo_is_an_error_with_its_line() {
        let text = "[[indicator]]\nkey = \"a\"\nnmae = \"x\"\n";
        let e = parse_indicators("f.toml", text).unwrap_err();
        assert!(e.starts_with("f.toml:3:"), "{e}");
    }

    #[test]
    fn bad_values_name_the_field() {
        let good = INDICATORS_TOML.replace("window = \"7d\"", "window = \"7 days\"");
        let e = parse_indicators("f.toml", &good).unwrap_err();
        assert!(e.contains("window"), "{e}");
    }
}
