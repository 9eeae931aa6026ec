//! The Indicators view's state (sorted, filtered rows; the selected
//! indicator by id; the open detail) and its part of `update`.

use crate::store::board::{Board, Reading};
use crate::tui::action::{Action, Effect};
use crate::tui::app::{matches_filter, App};
use crate::tui::list::Picker;
use crate::tui::popups::Popup;
use tui_input::Input;

/// How the Indicators table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Worst status first (the default).
    #[default]
    Status,
    /// By name.
    Name,
    /// Leading first, then by name.
    Kind,
    /// By owner role, then by name.
    Owner,
}

impl SortKey {
    fn next(self) -> SortKey {
        match self {
            SortKey::Status => SortKey::Name,
            SortKey::Name => SortKey::Kind,
            SortKey::Kind => SortKey::Owner,
            SortKey::Owner => SortKey::Status,
        }
    }

    /// Column name shown in the title.
    pub fn word(self) -> &'static str {
        match self {
            SortKey::Status => "status",
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::Owner => "owner",
        }
    }
}

/// The Indicators view's own state.
#[derive(Debug, Clone, Default)]
pub struct IndicatorsState {
    /// Indicator ids and their index in [`Board::readings`].
    pub list: Picker<i64>,
    /// How the rows are sorted.
    pub sort: SortKey,
    /// Indicator whose detail is open.
    pub detail: Option<i64>,
    /// The selected recent value in the open detail (row of its list).
    pub value_sel: usize,
}

impl IndicatorsState {
    /// Recomputes the rows (filtered by name, key or owner, then sorted);
    /// returns the selected id when it is no longer listed.
    pub fn recompute(&mut self, board: &Board, filter: &str) -> Option<i64> {
        let f = filter.to_lowercase();
        let mut rows: Vec<(usize, &Reading)> = board
            .readings
            .iter()
            .enumerate()
            .filter(|(_, r)| matches_filter(&f, &[&r.def.name, &r.def.key, &r.def.owner_role]))
            .collect();
        match self.sort {
            SortKey::Status => {
                rows.sort_by_key(|(_, r)| (r.status.severity_rank(), r.def.name.to_lowercase()))
            }
            SortKey::Name => rows.sort_by_key(|(_, r)| r.def.name.to_lowercase()),
            SortKey::Kind => {
                rows.sort_by_key(|(_, r)| (r.def.kind.as_str(), r.def.name.to_lowercase()))
            }
            SortKey::Owner => {
                rows.sort_by_key(|(_, r)| (r.def.owner_role.clone(), r.def.name.to_lowercase()))
            }
        }
        self.list
            .set_rows(rows.into_iter().map(|(i, r)| (r.id, i)).collect())
    }

    /// The listed readings, in order.
    pub fn rows<'m>(&self, board: &'m Board) -> Vec<&'m Reading> {
        self.list
            .rows()
            .filter_map(|(_, i)| board.readings.get(*i))
            .collect()
    }

    /// The selected reading.
    pub fn selected<'m>(&self, board: &'m Board) -> Option<&'m Reading> {
        let id = self.list.selected()?;
        board.readings.iter().find(|r| r.id == *id)
    }
}

/// The Indicators view's part of `update`: detail, sort, record.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Enter => {
            let id = *app.ui.indicators.list.selected()?;
            app.ui.indicators.detail = Some(id);
            app.ui.indicators.value_sel = 0;
            app.dirty = true;
            Some(Effect::Reload)
        }
        Action::Back if app.ui.indicators.detail.is_some() => {
            app.ui.indicators.detail = None;
            app.models.detail = None;
            app.dirty = true;
            None
        }
        Action::Move(d) if app.ui.indicators.detail.is_some() => {
            // In the detail the arrows pick one of the recent values.
            let n = app.models.detail.as_ref().map_or(0, |d| d.values.len());
            let st = &mut app.ui.indicators;
            let cur = st.value_sel as i64 + d as i64;
            st.value_sel = cur.clamp(0, n.saturating_sub(1) as i64) as usize;
            app.dirty = true;
            None
        }
        Action::OpenCorrect => crate::tui::corrections::open(app),
        Action::CycleSort => {
            let st = &mut app.ui.indicators;
            st.sort = st.sort.next();
            if let Some(b) = &app.models.board {
                st.recompute(b, &app.filter);
            }
            app.dirty = true;
            None
        }
        Action::OpenRecord => {
            let board = app.models.board.as_ref()?;
            let st = &app.ui.indicators;
            let id = st.detail.or(st.list.selected().copied())?;
            let r = board.readings.iter().find(|r| r.id == id)?;
            app.popup = Some(Popup::Record {
                indicator_id: r.id,
                key: r.def.key.clone(),
                name: r.def.name.clone(),
                derived: r.def.source != crate::domain::indicator::Source::Observations,
                input: Input::default(),
                error: None,
            });
            app.dirty = true;
            None
        }
        other => super::common(app, other),
    }
}
