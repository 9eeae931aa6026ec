//! One state struct per view and each view's part of `update`: the view's
//! computed rows (recomputed when its model or the filter changes, not per
//! key or frame), its selection by item id, its scroll state. The
//! dispatcher in `app.rs` handles what every view shares and hands the rest
//! to the visible view's `update` here.

pub mod alerts;
pub mod cockpit;
pub mod incident;
pub mod indicators;
pub mod lists;
pub mod playbooks;
pub mod sources;
pub mod standup;
pub mod work;

use super::action::{Action, Effect};
use super::app::{App, View};
use super::list::Cursor;
use super::models::Models;

/// The states of every view.
#[derive(Debug, Clone, Default)]
pub struct ViewStates {
    /// Indicators: sorted rows, selection by indicator id, open detail.
    pub indicators: indicators::IndicatorsState,
    /// Work: flow rows, selection by kind and segment.
    pub work: lists::WorkState,
    /// Playbooks & runs: list by run number or playbook key, open detail.
    pub playbooks: playbooks::PlaybooksState,
    /// Alerts: selection by alert id.
    pub alerts: alerts::AlertsState,
    /// Experiments: selection by experiment key.
    pub experiments: lists::ExperimentsState,
    /// Decisions: selection by decision id.
    pub decisions: lists::DecisionsState,
    /// Standup: section and speaker.
    pub standup: standup::StandupState,
    /// Sources: selection by source name.
    pub sources: sources::SourcesState,
    /// Cockpit: one cursor through every pane's items.
    pub cockpit: cockpit::CockpitState,
}

impl ViewStates {
    /// Recomputes the rows of every view whose model is loaded (a view whose
    /// model is not loaded keeps its rows and selection for when it is
    /// shown again). Returns, for `visible`, the message saying which
    /// selected item is no longer listed and where the cursor went.
    pub fn recompute(
        &mut self,
        models: &Models,
        filter: &str,
        visible: View,
        now: crate::domain::Timestamp,
    ) -> Option<String> {
        let mut lost: Vec<(View, String)> = Vec::new();
        if let Some(b) = &models.board {
            if let Some(id) = self.indicators.recompute(b, filter) {
                lost.push((View::Indicators, format!("indicator {id}")));
            }
        }
        self.cockpit.recompute(models);
        // While the Work list is open, the filter is the list's.
        let flow_filter = if self.work.items.is_some() {
            ""
        } else {
            filter
        };
        if let (Some(items), Some(wl)) = (&mut self.work.items, &models.work_list) {
            if let Some(id) = items.recompute(wl, filter, now) {
                lost.push((View::Work, format!("item #{id}")));
            }
        }
        if let Some(f) = &models.flow {
            if let Some((kind, seg)) = self.work.recompute(f, flow_filter) {
                let seg = seg.map(|s| format!(" / {s}")).unwrap_or_default();
                lost.push((View::Work, format!("{kind}{seg}")));
            }
        }
        if let Some(m) = &models.runs {
            if let Some(k) = self.playbooks.recompute(Some(m), filter) {
                lost.push((View::Playbooks, k.describe()));
            }
        }
        if let Some(m) = &models.alerts {
            if let Some(id) = self.alerts.recompute(Some(m), filter) {
                lost.push((View::Alerts, format!("alert #{id}")));
            }
        }
        if let Some(m) = &models.experiments {
            if let Some(k) = self.experiments.recompute(m, filter) {
                lost.push((View::Experiments, format!("experiment {k}")));
            }
        }
        if let Some(m) = &models.decisions {
            if let Some(id) = self.decisions.recompute(m, filter) {
                lost.push((View::Decisions, format!("decision #{id}")));
            }
        }
        if let Some(m) = &models.sources {
            if let Some(n) = self.sources.recompute(m, filter) {
                lost.push((View::Sources, format!("source {n}")));
            }
        }
        let (_, what) = lost.into_iter().find(|(v, _)| *v == visible)?;
        let now_on = self.selected_text(visible);
        Some(crate::text::sanitize(&match now_on {
            Some(n) => format!("{what} is no longer listed; selection moved to {n}"),
            None => format!("{what} is no longer listed"),
        }))
    }

    /// How a message names the selected item of `view`.
    fn selected_text(&self, view: View) -> Option<String> {
        match view {
            View::Indicators => self
                .indicators
                .list
                .selected()
                .map(|id| format!("indicator {id}")),
            View::Work if self.work.items.is_some() => self
                .work
                .items
                .as_ref()
                .and_then(|i| i.list.selected())
                .map(|id| format!("item #{id}")),
            View::Work => self.work.list.selected().map(|(k, s)| match s {
                Some(s) => format!("{k} / {s}"),
                None => k.clone(),
            }),
            View::Playbooks => self.playbooks.list.selected().map(|k| k.describe()),
            View::Alerts => self.alerts.list.selected().map(|id| format!("alert #{id}")),
            View::Experiments => self
                .experiments
                .list
                .selected()
                .map(|k| format!("experiment {k}")),
            View::Decisions => self
                .decisions
                .list
                .selected()
                .map(|id| format!("decision #{id}")),
            View::Sources => self.sources.list.selected().map(|n| format!("source {n}")),
            _ => None,
        }
    }

    /// The cursor of `view`'s list, if it has one.
    pub fn cursor(&self, view: View) -> Option<&dyn Cursor> {
        Some(match view {
            View::Cockpit => &self.cockpit.list,
            View::Indicators => &self.indicators.list,
            View::Work => match &self.work.items {
                Some(items) => &items.list,
                None => &self.work.list,
            },
            View::Playbooks if self.playbooks.opened.is_some() => &self.playbooks.items,
            View::Playbooks => &self.playbooks.list,
            View::Alerts => &self.alerts.list,
            View::Experiments => &self.experiments.list,
            View::Decisions => &self.decisions.list,
            View::Sources => &self.sources.list,
            _ => return None,
        })
    }

    /// The cursor `↑`/`↓` move in `view`, if it has one.
    pub(crate) fn cursor_mut(&mut self, view: View) -> Option<&mut dyn Cursor> {
        Some(match view {
            View::Cockpit => &mut self.cockpit.list,
            View::Indicators => &mut self.indicators.list,
            View::Work => match &mut self.work.items {
                Some(items) if items.detail.is_some() => return None,
                Some(items) => &mut items.list,
                None => &mut self.work.list,
            },
            View::Playbooks => self.playbooks.cursor_mut(),
            View::Alerts if self.alerts.detail.is_some() => return None,
            View::Alerts => &mut self.alerts.list,
            View::Experiments => &mut self.experiments.list,
            View::Decisions => &mut self.decisions.list,
            View::Sources => &mut self.sources.list,
            _ => return None,
        })
    }
}

/// What every list view does with an action it has no meaning for: `Esc`
/// clears the filter; the rest is ignored.
pub fn common(app: &mut App, action: Action) -> Option<Effect> {
    if matches!(action, Action::Back) && !app.filter.is_empty() {
        app.set_filter("");
        app.dirty = true;
    }
    None
}
