//! The Work list (the actual items behind a flow row) and a work item's
//! detail: their state and the Work view's part of `update`. Enter on a
//! kind or segment row opens the list; Enter on an item opens its detail;
//! Esc goes back one step, the selection kept by id.

use crate::domain::work_list::{item_state, ItemState};
use crate::domain::Timestamp;
use crate::store::work_list::ListedItem;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{matches_filter, App};
use crate::tui::list::Picker;
use crate::tui::models::WorkList;

/// The open Work list: which kind and segment, its rows by item id, and the
/// item whose detail is open.
#[derive(Debug, Clone, Default)]
pub struct WorkListState {
    /// The work kind listed.
    pub kind: String,
    /// The segment, when opened on a segment's row.
    pub segment: Option<String>,
    /// Item row ids and their index in [`WorkList::items`].
    pub list: Picker<i64>,
    /// The item whose detail is open.
    pub detail: Option<i64>,
}

impl WorkListState {
    /// A list of `kind` (and `segment`), nothing loaded yet.
    pub fn new(kind: String, segment: Option<String>) -> WorkListState {
        WorkListState {
            kind,
            segment,
            ..WorkListState::default()
        }
    }

    /// Recomputes the rows: late first, then at risk, open, closed late;
    /// within each, earliest promise first. The `/` filter matches the id,
    /// customer, segment, kind or state word. Returns the selected id when
    /// it is no longer listed.
    pub fn recompute(&mut self, model: &WorkList, filter: &str, now: Timestamp) -> Option<i64> {
        let f = filter.to_lowercase();
        let mut rows: Vec<(ItemState, usize, &ListedItem)> = model
            .items
            .iter()
            .enumerate()
            .map(|(i, l)| (item_state(&l.item, now), i, l))
            .filter(|(s, _, l)| {
                let w = &l.item;
                matches_filter(
                    &f,
                    &[
                        &w.external_id,
                        w.customer.as_deref().unwrap_or_default(),
                        w.segment.as_deref().unwrap_or_default(),
                        &w.kind,
                        s.word(),
                    ],
                )
            })
            .collect();
        rows.sort_by_key(|(s, i, _)| (*s, *i));
        self.list
            .set_rows(rows.into_iter().map(|(_, i, l)| (l.id, i)).collect())
    }

    /// The listed items, in order.
    pub fn rows<'m>(&self, model: &'m WorkList) -> Vec<&'m ListedItem> {
        self.list
            .rows()
            .filter_map(|(_, i)| model.items.get(*i))
            .collect()
    }
}

/// The Work view's part of `update`: Enter opens the list, then an item;
/// Esc goes back (clearing the filter first when one is set in the list).
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Enter => enter(app),
        Action::Back => back(app),
        other => super::common(app, other),
    }
}

fn enter(app: &mut App) -> Option<Effect> {
    match &mut app.ui.work.items {
        Some(items) if items.detail.is_some() => None,
        Some(items) => {
            let id = *items.list.selected()?;
            items.detail = Some(id);
            app.dirty = true;
            Some(Effect::Reload)
        }
        None => {
            let (kind, segment) = app.ui.work.list.selected()?.clone();
            open_list(app, kind, segment)
        }
    }
}

/// Opens the Work list of `kind` (and `segment`) and reloads.
pub(crate) fn open_list(app: &mut App, kind: String, segment: Option<String>) -> Option<Effect> {
    app.ui.work.items = Some(WorkListState::new(kind, segment));
    app.models.work_list = None;
    app.set_filter("");
    app.dirty = true;
    Some(Effect::Reload)
}

fn back(app: &mut App) -> Option<Effect> {
    let Some(items) = &mut app.ui.work.items else {
        return super::common(app, Action::Back);
    };
    app.dirty = true;
    if items.detail.take().is_some() {
        app.models.work_item = None;
        return None;
    }
    if !app.filter.is_empty() {
        app.set_filter("");
        return None;
    }
    app.ui.work.items = None;
    app.models.work_list = None;
    None
}
