//! An experiment's result computed from the data: each criterion's indicator
//! during the experiment against its baseline period or control segment.
//!
//! What is supported:
//! - **Baseline period** (`--baseline FROM..TO`, or by default the period of
//!   equal length just before the start): every indicator, whatever its
//!   source, over `[start, min(end, now)]` against `[from, to)`.
//! - **Control segment** (`--control-segment S`): indicators derived from
//!   work items and from feedback, over the same period; *during* is every
//!   item (or response) outside segment `S`, the *control* is segment `S`.
//!   Recorded observations carry no segment, so a criterion on one has no
//!   control value and shows "not enough data" (with a note saying why).
//!
//! The value over a period is the indicator's own aggregation (mean, p90, …;
//! `rate` per day of the period) of the points in it, as the indicator was
//! defined at the period's end; the events are the points behind it (orders
//! closed, responses, recorded values).

use super::feedback::FeedbackRow;
use super::indicators::Indicator;
use super::{Result, Store};
use crate::domain::experiment::{
    evaluate, Control, CriterionInput, ExperimentDef, ExperimentResult, Sample,
    DEFAULT_MIN_RUNTIME_DAYS,
};
use crate::domain::flow::{metric_series, Metric};
use crate::domain::indicator::{aggregate, Source};
use crate::domain::Timestamp;
use serde::Serialize;

/// Which work items or feedback responses count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentFilter<'a> {
    /// All of them.
    All,
    /// Only those of this segment.
    Only(&'a str),
    /// Those not in this segment (including those without one).
    Except(&'a str),
}

impl SegmentFilter<'_> {
    fn keeps(self, segment: Option<&str>) -> bool {
        match self {
            SegmentFilter::All => true,
            SegmentFilter::Only(s) => segment == Some(s),
            SegmentFilter::Except(s) => segment != Some(s),
        }
    }
}

/// What a result was computed from, for people reading it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Basis {
    /// The measured period `[from, to]` (inclusive; `to < from` before the start).
    pub during: (Timestamp, Timestamp),
    /// What the period is compared with, in words.
    pub compared_with: String,
    /// Per-criterion remarks (e.g. a segment control on recorded values).
    pub notes: Vec<String>,
}

/// The result of an experiment and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Verdict and each criterion's value against its threshold.
    pub result: ExperimentResult,
    /// What the numbers were computed over: periods, control, remarks.
    pub basis: Basis,
}

impl Store {
    /// The `(value, events)` of an indicator over `[from, to]` (inclusive),
    /// aggregated as the indicator defines, for the items or responses that
    /// pass `segment`. Recorded observations have no segment: with a segment
    /// filter other than `All` they give an empty sample.
    pub(crate) fn indicator_sample(
        &self,
        ind: &Indicator,
        from: Timestamp,
        to: Timestamp,
        segment: SegmentFilter<'_>,
    ) -> Result<Sample> {
        if to < from {
            return Ok(Sample::default());
        }
        let def = &ind.def;
        let points: Vec<(Timestamp, f64)> = match def.source {
            Source::Observations if segment != SegmentFilter::All => Vec::new(),
            Source::Observations => self.observation_points(ind.id, from, to)?,
            Source::WorkItems => {
                let kind = def.work_kind.clone().unwrap_or_default();
                let Some(metric) = def.metric.as_deref().and_then(Metric::parse) else {
                    return Ok(Sample::default());
                };
                // Shared with the other samples of the view (periods,
                // baselines, controls) and kept between reloads; the filter
                // keeps exactly the items a read from `from` would give.
                let loaded = self.work_items_shared(&kind, from)?;
                let (items, repeat): (Vec<_>, Vec<_>) = loaded
                    .items
                    .iter()
                    .zip(&loaded.repeat)
                    .filter(|(w, _)| {
                        w.closed_at.is_none_or(|c| c >= from)
                            && w.opened_at <= to
                            && segment.keeps(w.segment.as_deref())
                    })
                    .map(|(w, r)| (w.clone(), *r))
                    .unzip();
                let capacity = self
                    .capacities_at(to)?
                    .into_iter()
                    .find(|c| c.work_kind == kind)
                    .map(|c| c.units_per_day);
                metric_series(&items, metric, from, to, &repeat, capacity)
            }
            Source::Feedback => {
                let metric = def.metric.clone().unwrap_or_default();
                self.feedback_between(from, to)?
                    .iter()
                    .filter(|f: &&FeedbackRow| segment.keeps(f.segment.as_deref()))
                    .filter_map(|f| Some((f.at, f.metric(&metric)?)))
                    .collect()
            }
        };
        let length = (to - from).saturating_add(1).max(1);
        Ok(Sample {
            value: aggregate(&points, def.aggregation, length),
            events: u32::try_from(points.len()).unwrap_or(u32::MAX),
        })
    }

    /// Computes the result of `def` at `now` from the data, with the default
    /// minimum runtime: each criterion's indicator over the experiment's
    /// period so far against the baseline period or the control segment.
    /// An indicator that no longer exists gives a criterion without data.
    pub(crate) fn evaluate_experiment(
        &self,
        def: &ExperimentDef,
        now: Timestamp,
    ) -> Result<Evaluation> {
        let from = def.start;
        let to = def.end.saturating_sub(1).min(now);
        let control = def.effective_control();
        let mut notes = Vec::new();
        let mut inputs = Vec::new();
        let mut keys: Vec<&str> = def.criteria.iter().map(|c| c.indicator.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            let Some(ind) = self.indicator(key)? else {
                notes.push(format!("{key}: the indicator no longer exists"));
                continue;
            };
            // Each period is measured with the definition in force at its
            // end: a later change of aggregation or metric leaves a finished
            // experiment's result, and its baseline, as they were.
            let during_ind = self.indicator_at(&ind, to)?;
            let (during, baseline) = match &control {
                Control::Baseline { from: b0, to: b1 } => {
                    let b1 = b1.saturating_sub(1);
                    let baseline_ind = self.indicator_at(&ind, b1)?;
                    (
                        self.indicator_sample(&during_ind, from, to, SegmentFilter::All)?,
                        self.indicator_sample(&baseline_ind, *b0, b1, SegmentFilter::All)?,
                    )
                }
                Control::Segment(s) => {
                    if ind.def.source == Source::Observations {
                        notes.push(format!(
                            "{key}: recorded values have no segment, so there is no control value"
                        ));
                    }
                    (
                        self.indicator_sample(&during_ind, from, to, SegmentFilter::Except(s))?,
                        self.indicator_sample(&during_ind, from, to, SegmentFilter::Only(s))?,
                    )
                }
            };
            inputs.push(CriterionInput {
                indicator: key.to_string(),
                during,
                baseline,
            });
        }
        let compared_with = match &control {
            Control::Baseline { from, to } => format!(
                "baseline {} .. {}",
                crate::format::utc_minute(*from),
                crate::format::utc_minute(*to)
            ),
            Control::Segment(s) => format!(
                "control segment \"{}\" (during: every other segment)",
                crate::text::sanitize(s)
            ),
        };
        Ok(Evaluation {
            result: evaluate(def, &inputs, now, DEFAULT_MIN_RUNTIME_DAYS),
            basis: Basis {
                during: (from, to),
                compared_with,
                notes,
            },
        })
    }
}
