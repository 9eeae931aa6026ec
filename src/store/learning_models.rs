//! Plain view models of the learning loop, for the Experiments, Decisions
//! and Feedback screens and the standup: loaded from the store, drawn
//! without any I/O. Text in them is as stored: views sanitise it.

use super::decisions::load_decisions_between;
use super::experiments::{load_amendments, load_experiments};
use super::feedback::FeedbackRow;
use super::{Result, Store};
use crate::domain::decision::{DecisionRecord, EvidenceRef};
use crate::domain::experiment;
use crate::domain::experiment::{
    days_until, CriterionResult, Decision, ExperimentResult, ExperimentStatus, Verdict,
};
use crate::domain::feedback::{
    summarize, weekly_means, Channel, FeedbackInput, FeedbackSummary, GroupBy, NO_SEGMENT, WEEK,
};
use crate::domain::{Timestamp, DAY};
use crate::store::db::Conn as Connection;
use serde::Serialize;
use std::collections::BTreeMap;

/// One experiment as the screens and `experiment list` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentRow {
    /// Experiment key (what `experiment show` takes).
    pub key: String,
    /// One-line name shown in lists.
    pub title: String,
    /// The decision this experiment informs.
    pub objective: String,
    /// The pre-registered hypothesis: what change is expected, and why.
    pub hypothesis: String,
    /// Draft, running, ended or concluded at the model's `now`.
    pub status: ExperimentStatus,
    /// Hypothesis and criteria locked (pre-registered).
    pub locked: bool,
    /// Start of the measured period (unix seconds, UTC).
    pub start: Timestamp,
    /// End of the measured period (unix seconds, UTC, exclusive).
    pub end: Timestamp,
    /// Whole days until the planned end while running.
    pub days_to_end: Option<i64>,
    /// The verdict (pending: "N days left" until the minimum runtime).
    pub verdict: Verdict,
    /// Live criteria against their thresholds (or as captured at the
    /// conclusion, for a concluded experiment).
    pub criteria: Vec<CriterionResult>,
    /// What the period is compared with, in words.
    pub compared_with: String,
    /// The unit of each criterion's indicator, by indicator key.
    pub units: BTreeMap<String, String>,
    /// Remarks on the computation (e.g. no control value for an indicator).
    pub notes: Vec<String>,
    /// SHA-256 (hex) of the definition registered at the start; `None` for a draft.
    pub registered_hash: Option<String>,
    /// Hash of the current definition (differs after an amendment).
    pub current_hash: String,
    /// Number of amendments recorded since the start.
    pub amendments: usize,
    /// False when the stored definition matches neither its registration nor
    /// its last amendment: it was edited outside opsdeck.
    pub hash_verified: bool,
    /// The decision recorded at the conclusion; `None` until concluded.
    pub decision: Option<Decision>,
    /// Row id of the decision-log entry written at the conclusion; `None` until concluded.
    pub decision_id: Option<i64>,
    /// When it was concluded (unix seconds, UTC); `None` until concluded.
    pub concluded_at: Option<Timestamp>,
}

/// The Experiments view: running first, then drafts, ended, concluded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExperimentsModel {
    /// The time the model was read at (unix seconds, UTC); statuses and days left are as of then.
    pub now: Timestamp,
    /// Running first, then drafts, ended, concluded.
    pub rows: Vec<ExperimentRow>,
}

/// The Decisions view: newest first, each with its evidence snapshots.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DecisionsModel {
    /// Decision-log entries, newest first.
    pub rows: Vec<DecisionRecord>,
}

/// A feedback comment for the screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackComment {
    /// When the response was given (unix seconds, UTC).
    pub at: Timestamp,
    /// Where it came from: `survey`, `interview` or `support`.
    pub channel: String,
    /// Customer segment, if known.
    pub segment: Option<String>,
    /// The customer, if known.
    pub customer: Option<String>,
    /// Mean of the three scores.
    pub overall: f64,
    /// Any score of 2 or below.
    pub low: bool,
    /// The customer's words.
    pub text: String,
}

/// One group's weekly overall means, oldest week first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklySeries {
    /// Segment or channel name (responses without a segment are grouped under `(no segment)`).
    pub group: String,
    /// One point per week: the week's start (Monday 00:00 UTC, unix seconds) and its mean overall score 1–5, `None` for a week without responses.
    pub weeks: Vec<(Timestamp, Option<f64>)>,
}

/// The Feedback view: scores by segment and channel over the window, weekly
/// means over time, recent comments.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeedbackModel {
    /// The time the model was read at (unix seconds, UTC); the window ends here.
    pub now: Timestamp,
    /// Start of the summary window.
    pub from: Timestamp,
    /// Counts and mean scores of every response in the window; `None` when there were none.
    pub overall: Option<FeedbackSummary>,
    /// The same per segment, sorted by name, responses without a segment last.
    pub by_segment: Vec<FeedbackSummary>,
    /// The same per channel.
    pub by_channel: Vec<FeedbackSummary>,
    /// Weekly overall means of every response.
    pub weekly: Vec<(Timestamp, Option<f64>)>,
    /// Weekly overall means per segment.
    pub weekly_by_segment: Vec<WeeklySeries>,
    /// Weekly overall means per channel.
    pub weekly_by_channel: Vec<WeeklySeries>,
    /// Newest first.
    pub comments: Vec<FeedbackComment>,
}

/// What the standup adds from the learning loop since the previous standup.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LearningSince {
    /// Decisions recorded since, newest first.
    pub decisions: Vec<DecisionRecord>,
    /// Experiment milestones since, oldest first.
    pub milestones: Vec<Milestone>,
}

/// Days the Feedback view summarises.
pub(crate) const FEEDBACK_WINDOW_DAYS: i64 = 28;
/// Weeks of the Feedback view's series.
pub(crate) const FEEDBACK_WEEKS: i64 = 8;
/// Comments the Feedback view keeps.
pub(crate) const FEEDBACK_COMMENTS: usize = 10;

/// A stored response as the domain's input (an unknown channel reads as a
/// survey; the table's CHECK makes that impossible in practice).
pub(crate) fn feedback_input(f: &FeedbackRow) -> FeedbackInput {
    FeedbackInput {
        at: f.at,
        ease: f.ease,
        reliability: f.reliability,
        value: f.value,
        channel: Channel::parse(&f.channel).unwrap_or_default(),
        segment: f.segment.clone(),
        customer: f.customer.clone(),
        comment: f.comment.clone(),
    }
}

fn rank(s: ExperimentStatus) -> u8 {
    match s {
        ExperimentStatus::Running => 0,
        ExperimentStatus::Draft => 1,
        ExperimentStatus::Ended => 2,
        ExperimentStatus::Concluded => 3,
    }
}

impl Store {
    /// Every experiment with its status, live criteria and verdict at `now`.
    pub(crate) fn experiments_model(&self, now: Timestamp) -> Result<ExperimentsModel> {
        let mut rows = Vec::new();
        for e in load_experiments(self.conn())? {
            let status = e.status(now);
            let amendments = load_amendments(self.conn(), e.id)?;
            let current_hash = e.current_hash();
            let expected = amendments
                .last()
                .map(|a| a.amended_hash.clone())
                .or_else(|| e.registered_hash.clone());
            let hash_verified = expected.is_none_or(|h| h == current_hash);
            let captured = match e.decision_id {
                Some(id) => self.captured_result(id, &e.def.key)?,
                None => None,
            };
            let eval = self.evaluate_experiment(&e.def, e.concluded_at.unwrap_or(now))?;
            let result = captured.unwrap_or(eval.result);
            let mut units = BTreeMap::new();
            for c in &result.criteria {
                if let Some(ind) = self.indicator(&c.criterion.indicator)? {
                    units.insert(c.criterion.indicator.clone(), ind.def.unit);
                }
            }
            rows.push(ExperimentRow {
                key: e.def.key.clone(),
                title: e.def.title.clone(),
                objective: e.def.objective.clone(),
                hypothesis: e.def.hypothesis.clone(),
                status,
                locked: status.is_locked(),
                start: e.def.start,
                end: e.def.end,
                days_to_end: (status == ExperimentStatus::Running)
                    .then(|| days_until(e.def.end, now)),
                verdict: result.verdict,
                criteria: result.criteria,
                compared_with: eval.basis.compared_with,
                units,
                notes: eval.basis.notes,
                registered_hash: e.registered_hash.clone(),
                current_hash,
                amendments: amendments.len(),
                hash_verified,
                decision: e.decision,
                decision_id: e.decision_id,
                concluded_at: e.concluded_at,
            });
        }
        rows.sort_by_key(|r| rank(r.status));
        Ok(ExperimentsModel { now, rows })
    }

    /// The experiment result captured in decision `id`'s evidence, if any.
    fn captured_result(&self, id: i64, key: &str) -> Result<Option<ExperimentResult>> {
        let Some(d) = super::decisions::load_decision(self.conn(), id)? else {
            return Ok(None);
        };
        Ok(d.evidence
            .into_iter()
            .find(|e| e.reference == EvidenceRef::Experiment(key.to_string()))
            .and_then(|e| serde_json::from_value(e.captured).ok()))
    }

    /// Every decision, newest first, with its evidence.
    pub fn decisions_model(&self) -> Result<DecisionsModel> {
        Ok(DecisionsModel {
            rows: self.decisions()?,
        })
    }

    /// Feedback over the last [`FEEDBACK_WINDOW_DAYS`] by segment and channel,
    /// weekly means over [`FEEDBACK_WEEKS`] weeks, and the latest comments.
    pub(crate) fn feedback_model(&self, now: Timestamp) -> Result<FeedbackModel> {
        let from = now - FEEDBACK_WINDOW_DAYS * DAY;
        let series_from = now - FEEDBACK_WEEKS * WEEK + 1;
        let earliest = from.min(series_from);
        let rows: Vec<FeedbackInput> = self
            .feedback_between(earliest, now)?
            .iter()
            .map(feedback_input)
            .collect();
        let window: Vec<FeedbackInput> = rows.iter().filter(|r| r.at >= from).cloned().collect();
        let series = |group: GroupBy| -> Vec<WeeklySeries> {
            summarize(&rows, group)
                .into_iter()
                .map(|s| {
                    let members: Vec<FeedbackInput> = rows
                        .iter()
                        .filter(|r| match group {
                            GroupBy::Channel => r.channel.as_str() == s.group,
                            GroupBy::Segment => segment_label(r) == s.group,
                            GroupBy::None => true,
                        })
                        .cloned()
                        .collect();
                    WeeklySeries {
                        weeks: weekly_means(&members, series_from, now + 1),
                        group: s.group,
                    }
                })
                .collect()
        };
        let mut comments: Vec<FeedbackComment> = rows
            .iter()
            .rev()
            .filter_map(|r| {
                let text = r.comment.as_deref()?.trim();
                (!text.is_empty()).then(|| FeedbackComment {
                    at: r.at,
                    channel: r.channel.as_str().to_string(),
                    segment: r.segment.clone(),
                    customer: r.customer.clone(),
                    overall: r.overall(),
                    low: r.is_low(),
                    text: text.to_string(),
                })
            })
            .collect();
        comments.truncate(FEEDBACK_COMMENTS);
        Ok(FeedbackModel {
            now,
            from,
            overall: summarize(&window, GroupBy::None).into_iter().next(),
            by_segment: summarize(&window, GroupBy::Segment),
            by_channel: summarize(&window, GroupBy::Channel),
            weekly: weekly_means(&rows, series_from, now + 1),
            weekly_by_segment: series(GroupBy::Segment),
            weekly_by_channel: series(GroupBy::Channel),
            comments,
        })
    }

    /// Decisions and experiment milestones in `(since, now]`, for the standup.
    pub(crate) fn learning_since(&self, since: Timestamp, now: Timestamp) -> Result<LearningSince> {
        Ok(LearningSince {
            decisions: load_decisions_between(self.conn(), since, now)?,
            milestones: milestones_since(self.conn(), since, now)?,
        })
    }
}

fn segment_label(r: &FeedbackInput) -> &str {
    match r.segment.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => NO_SEGMENT,
    }
}

/// Something that happened to an experiment, for the standup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    /// When it happened (unix seconds, UTC).
    pub at: Timestamp,
    /// Experiment key.
    pub key: String,
    /// The experiment's one-line title.
    pub title: String,
    /// `registered`, `period began`, `amended`, `verdict due`, `ended` or
    /// `concluded: scale`.
    pub what: String,
}

/// Experiment milestones in `(since, now]`, oldest first: registrations
/// (start), the measured period beginning, amendments, the minimum runtime passing (a verdict becomes visible),
/// planned ends and conclusions.
fn milestones_since(conn: &Connection, since: Timestamp, now: Timestamp) -> Result<Vec<Milestone>> {
    let mut out = Vec::new();
    let in_range = |t: Timestamp| t > since && t <= now;
    for e in load_experiments(conn)? {
        let mut push = |at: Timestamp, what: String| {
            if in_range(at) {
                out.push(Milestone {
                    at,
                    key: e.def.key.clone(),
                    title: e.def.title.clone(),
                    what,
                });
            }
        };
        let Some(started) = e.started_at else {
            continue;
        };
        push(started, "registered".into());
        if e.def.start > started {
            push(e.def.start, "period began".into());
        }
        let due = e.def.start + experiment::DEFAULT_MIN_RUNTIME_DAYS * DAY;
        if due < e.def.end && e.concluded_at.is_none_or(|c| due <= c) {
            push(due.max(started), "verdict due".into());
        }
        if e.concluded_at.is_none_or(|c| e.def.end <= c) {
            push(e.def.end, "ended".into());
        }
        if let (Some(at), Some(d)) = (e.concluded_at, e.decision) {
            push(at, format!("concluded: {d}"));
        }
        for a in load_amendments(conn, e.id)? {
            push(a.at, "amended".into());
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}
