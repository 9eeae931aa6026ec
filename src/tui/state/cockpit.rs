//! The Cockpit's selection: one cursor through the items of every pane
//! (leading and lagging indicators, flow kinds, alerts, open runs), kept
//! by identity; Enter opens the selected item in its own view.

use crate::domain::indicator::Kind;
use crate::store::runs_model::RunsModel;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, View};
use crate::tui::list::Picker;
use crate::tui::models::Models;

/// What the cockpit's cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CockpitKey {
    /// An indicator (leading or lagging pane), by id.
    Indicator(i64),
    /// A work kind of the flow pane.
    Flow(String),
    /// An alert of the alerts pane, by id.
    Alert(i64),
    /// An open checklist run, by number.
    Run(i64),
}

/// The cockpit's own state.
#[derive(Debug, Clone, Default)]
pub struct CockpitState {
    /// Every selectable item, in screen order (left column, then right).
    pub list: Picker<CockpitKey, ()>,
}

impl CockpitState {
    /// Recomputes the items when every pane's model is loaded (the cockpit's
    /// models); otherwise keeps them.
    pub fn recompute(&mut self, m: &Models) {
        let (Some(board), Some(flow), Some(alerts), Some(runs)) =
            (&m.board, &m.flow, &m.alerts, &m.runs)
        else {
            return;
        };
        let mut rows = Vec::new();
        for kind in [Kind::Leading, Kind::Lagging] {
            rows.extend(
                board
                    .readings
                    .iter()
                    .filter(|r| r.def.kind == kind)
                    .map(|r| (CockpitKey::Indicator(r.id), ())),
            );
        }
        rows.extend(
            flow.rows
                .iter()
                .filter(|r| r.in_capacity_panes())
                .map(|r| (CockpitKey::Flow(r.kind.clone()), ())),
        );
        rows.extend(alerts.active.iter().map(|a| (CockpitKey::Alert(a.id), ())));
        rows.extend(run_ids(runs).map(|id| (CockpitKey::Run(id), ())));
        self.list.set_rows(rows);
    }

    /// The selected key, when it is of the pane `f` picks.
    pub fn selected_in<T>(&self, f: impl Fn(&CockpitKey) -> Option<T>) -> Option<T> {
        self.list.selected().and_then(f)
    }
}

fn run_ids(runs: &RunsModel) -> impl Iterator<Item = i64> + '_ {
    runs.open_runs.iter().map(|o| o.run.id)
}

/// The Cockpit's part of `update`: Enter opens the selected item.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Enter => enter(app),
        other => super::common(app, other),
    }
}

fn enter(app: &mut App) -> Option<Effect> {
    let key = app.ui.cockpit.list.selected()?.clone();
    match key {
        CockpitKey::Indicator(id) => {
            app.set_view(View::Indicators);
            app.ui.indicators.list.select_key(&id);
            app.ui.indicators.detail = Some(id);
            app.ui.indicators.value_sel = 0;
        }
        CockpitKey::Flow(kind) => {
            app.set_view(View::Work);
            app.ui.work.list.select_key(&(kind.clone(), None));
            return super::work::open_list(app, kind, None);
        }
        CockpitKey::Alert(id) => {
            app.set_view(View::Alerts);
            app.ui.alerts.list.select_key(&id);
            app.ui.alerts.detail = Some(id);
        }
        CockpitKey::Run(id) => {
            app.set_view(View::Playbooks);
            let key = super::playbooks::RunsKey::Run(id);
            if app.ui.playbooks.list.select_key(&key) {
                super::playbooks::update(app, Action::Enter);
            }
        }
    }
    app.dirty = true;
    Some(Effect::Reload)
}
