//! The states of the plain list views — Work, Experiments, Decisions: their
//! filtered rows and the selected item by key. They have no keys of their
//! own beyond moving and filtering.

use crate::domain::decision::DecisionRecord;
use crate::store::board::{FlowModel, FlowRow};
use crate::store::learning_models::{DecisionsModel, ExperimentRow, ExperimentsModel};
use crate::tui::app::matches_filter;
use crate::tui::list::Picker;

/// A Work row's identity: the kind, and the segment (none for the total).
pub(crate) type WorkKey = (String, Option<String>);

/// The Work view's state: flow rows filtered by kind or segment.
#[derive(Debug, Clone, Default)]
pub struct WorkState {
    /// Row keys and their index in [`FlowModel::rows`].
    pub list: Picker<WorkKey>,
    /// The open Work list of one kind (and segment), if any.
    pub items: Option<super::work::WorkListState>,
}

impl WorkState {
    /// Recomputes the rows; returns the selected key when no longer listed.
    pub fn recompute(&mut self, flow: &FlowModel, filter: &str) -> Option<WorkKey> {
        let f = filter.to_lowercase();
        let rows = flow
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                matches_filter(&f, &[&r.kind, r.segment.as_deref().unwrap_or_default()])
            })
            .map(|(i, r)| ((r.kind.clone(), r.segment.clone()), i))
            .collect();
        self.list.set_rows(rows)
    }

    /// The listed rows, in order.
    pub fn rows<'m>(&self, flow: &'m FlowModel) -> Vec<&'m FlowRow> {
        self.list
            .rows()
            .filter_map(|(_, i)| flow.rows.get(*i))
            .collect()
    }
}

/// The Experiments view's state: experiments filtered by key, title or
/// status word, the selected one by key.
#[derive(Debug, Clone, Default)]
pub struct ExperimentsState {
    /// Experiment keys and their index in [`ExperimentsModel::rows`].
    pub list: Picker<String>,
}

impl ExperimentsState {
    /// Recomputes the rows; returns the selected key when no longer listed.
    pub fn recompute(&mut self, model: &ExperimentsModel, filter: &str) -> Option<String> {
        let f = filter.to_lowercase();
        let rows = model
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches_filter(&f, &[&r.key, &r.title, r.status.word()]))
            .map(|(i, r)| (r.key.clone(), i))
            .collect();
        self.list.set_rows(rows)
    }

    /// The listed experiments, in order.
    pub fn rows<'m>(&self, model: &'m ExperimentsModel) -> Vec<&'m ExperimentRow> {
        self.list
            .rows()
            .filter_map(|(_, i)| model.rows.get(*i))
            .collect()
    }
}

/// The Decisions view's state: decisions (newest first) filtered by title,
/// reason or author, the selected one by id.
#[derive(Debug, Clone, Default)]
pub struct DecisionsState {
    /// Decision ids and their index in [`DecisionsModel::rows`].
    pub list: Picker<i64>,
}

impl DecisionsState {
    /// Recomputes the rows; returns the selected id when no longer listed.
    pub fn recompute(&mut self, model: &DecisionsModel, filter: &str) -> Option<i64> {
        let f = filter.to_lowercase();
        let rows = model
            .rows
            .iter()
            .enumerate()
            .filter(|(_, d)| matches_filter(&f, &[&d.title, &d.why, &d.who]))
            .map(|(i, d)| (d.id, i))
            .collect();
        self.list.set_rows(rows)
    }

    /// The listed decisions, in order.
    pub fn rows<'m>(&self, model: &'m DecisionsModel) -> Vec<&'m DecisionRecord> {
        self.list
            .rows()
            .filter_map(|(_, i)| model.rows.get(*i))
            .collect()
    }
}
