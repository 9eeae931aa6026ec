//! The mouse, on by default (`--no-mouse`, `mouse = false`): the wheel moves
//! the visible view's selection as `↑`/`↓` do; a left click on a tab
//! switches to it, on a table row selects that row's item, on a Cockpit
//! pane selects that pane's item (the one on the clicked row).
//!
//! A click is found in what the last frame drew: `views::draw` keeps the
//! tabs' and the Cockpit panes' rectangles in [`Drawn`] (in the app), and a
//! list's [`super::list::Picker`] keeps where its rows were drawn and from
//! which scroll offset. The draw already computes every layout; keeping its
//! result means a click hits exactly what was on screen (the table's offset
//! is only known after rendering), with no second copy of any layout to
//! drift from the first. Drawing still does no I/O and changes nothing the
//! views show.
//!
//! While a popup is open the mouse never acts on the view behind it: a
//! click closes the help (as any key does); the input lines, confirmations
//! and the `:` line ignore the mouse, so a stray click neither drops what
//! was typed nor answers a question.

use super::action::{Action, Effect};
use super::app::{App, View};
use super::state::cockpit::CockpitKey;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// A mouse event as an action: the wheel and the left button; moves,
/// drags, releases and the other buttons are nothing.
pub fn action(event: MouseEvent) -> Option<Action> {
    match event.kind {
        MouseEventKind::ScrollDown => Some(Action::Wheel(1)),
        MouseEventKind::ScrollUp => Some(Action::Wheel(-1)),
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
            column: event.column,
            row: event.row,
        }),
        _ => None,
    }
}

/// Where the last frame drew what a click can hit, besides the lists' rows
/// (kept by each list).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drawn {
    /// Each tab label of the tab bar and its view.
    pub tabs: Vec<(Rect, View)>,
    /// The Cockpit's panes.
    pub panes: Vec<Pane>,
}

/// One Cockpit pane as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Pane {
    /// The whole pane, borders included.
    pub area: Rect,
    /// The pane's items, in order (drawn or not).
    pub keys: Vec<CockpitKey>,
    /// The screen row of each drawn item's line(s).
    pub rows: Vec<(u16, CockpitKey)>,
}

impl Pane {
    /// A pane whose items are drawn one a line from screen row `top`, as
    /// many as fit above its bottom border.
    pub fn listed(area: Rect, top: u16, keys: Vec<CockpitKey>) -> Pane {
        let bottom = area.bottom().saturating_sub(1);
        let rows = keys
            .iter()
            .enumerate()
            .map_while(|(i, k)| {
                let y = top.checked_add(u16::try_from(i).ok()?)?;
                (y < bottom).then(|| (y, k.clone()))
            })
            .collect();
        Pane { area, keys, rows }
    }
}

/// A left click at (`column`, `row`): a tab switches view; in the Cockpit a
/// pane selects its item on that row (or its first item when the
/// selection is elsewhere); in a list a row selects its item. Anywhere
/// else, nothing.
pub(crate) fn click(app: &mut App, column: u16, row: u16) -> Option<Effect> {
    let at = Position::new(column, row);
    let drawn = app.drawn.borrow().clone();
    if let Some((_, view)) = drawn.tabs.iter().find(|(r, _)| r.contains(at)) {
        return app.set_view(*view);
    }
    if app.view == View::Cockpit {
        let pane = drawn.panes.iter().find(|p| p.area.contains(at))?;
        let on_row = pane.rows.iter().find(|(y, _)| *y == row).map(|(_, k)| k);
        let selected = app.ui.cockpit.list.selected();
        let key = match on_row {
            Some(k) => k.clone(),
            None if selected.is_some_and(|s| pane.keys.contains(s)) => return None,
            None => pane.keys.first()?.clone(),
        };
        if app.ui.cockpit.list.select_key(&key) {
            app.dirty = true;
        }
        return None;
    }
    let i = app.ui.cursor(app.view)?.row_at(column, row)?;
    app.ui.cursor_mut(app.view)?.select_index(i);
    app.dirty = true;
    None
}
