//! A list's selection by identity: the rows a view computed (each with the
//! key of its item), the key of the selected item, and the ratatui
//! [`TableState`] that keeps the scroll offset between frames.
//!
//! The selection is a key, not a row number: when the rows are recomputed
//! (a reload that re-sorts, a filter) the cursor follows the same item. Only
//! when that item is gone does it fall back to the nearest row, and
//! [`Picker::set_rows`] says which key was lost so the view can say so.
//!
//! Rendering also keeps where the rows were drawn (with the scroll offset),
//! so that a mouse click finds the row the user saw under the pointer.

use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState, Table, TableState};
use ratatui::Frame;
use std::cell::{Cell, RefCell};

/// Moving a cursor, whatever the key type of the list (the dispatcher moves
/// the visible view's list through this).
pub trait Cursor {
    /// Moves by `d` rows (negative is up), clamped to the list.
    fn move_by(&mut self, d: i32);
    /// Jumps to the first row.
    fn top(&mut self);
    /// Jumps to the last row.
    fn bottom(&mut self);
    /// Number of rows.
    fn len(&self) -> usize;
    /// Index of the selected row (0 when the list is empty).
    fn index(&self) -> usize;
    /// Whether the list has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The row drawn at screen cell (`column`, `row`) by the last frame, if
    /// the list was drawn there (its header and borders are no row).
    fn row_at(&self, column: u16, row: u16) -> Option<usize>;
    /// Selects row `i` (clamped), as a click does.
    fn select_index(&mut self, i: usize);
    /// Forgets where the list was drawn: the frame about to be drawn may
    /// not show it (a detail opened, the terminal too small).
    fn forget_drawn(&self);
}

/// A list's rows, selected key and table state. `K` identifies an item
/// (alert id, run key…); `R` is how the view finds the row in its model
/// (usually an index).
#[derive(Debug, Clone)]
pub struct Picker<K, R = usize> {
    rows: Vec<(K, R)>,
    selected: Option<K>,
    cursor: usize,
    /// The scroll offset is written by rendering and kept for the next frame.
    table: RefCell<TableState>,
    /// Where the last frame drew the rows (below the header, inside the
    /// borders), for mouse clicks; `None` when it did not draw them.
    drawn: Cell<Option<Rect>>,
}

impl<K, R> Default for Picker<K, R> {
    fn default() -> Self {
        Picker {
            rows: Vec::new(),
            selected: None,
            cursor: 0,
            table: RefCell::new(TableState::default()),
            drawn: Cell::new(None),
        }
    }
}

impl<K: Clone + PartialEq, R> Picker<K, R> {
    /// Replaces the rows. The selection stays on its key; when that key is
    /// no longer listed the cursor stays at the same position (clamped) and
    /// the lost key is returned.
    pub(crate) fn set_rows(&mut self, rows: Vec<(K, R)>) -> Option<K> {
        self.rows = rows;
        let mut lost = None;
        if let Some(k) = &self.selected {
            match self.rows.iter().position(|(r, _)| r == k) {
                Some(i) => self.cursor = i,
                None => lost = Some(k.clone()),
            }
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        self.selected = self.rows.get(self.cursor).map(|(k, _)| k.clone());
        lost
    }

    /// Selects the row of `key`; false (nothing changes) when it is not listed.
    pub fn select_key(&mut self, key: &K) -> bool {
        match self.rows.iter().position(|(r, _)| r == key) {
            Some(i) => {
                self.set_cursor(i);
                true
            }
            None => false,
        }
    }

    /// Selects row `i` (clamped).
    pub(crate) fn set_cursor(&mut self, i: usize) {
        self.cursor = i.min(self.rows.len().saturating_sub(1));
        self.selected = self.rows.get(self.cursor).map(|(k, _)| k.clone());
    }

    /// Index of the selected row (0 when the list is empty).
    pub fn index(&self) -> usize {
        self.cursor
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The selected item's key.
    pub fn selected(&self) -> Option<&K> {
        self.selected.as_ref()
    }

    /// The selected item's row reference.
    pub(crate) fn selected_row(&self) -> Option<&R> {
        self.rows.get(self.cursor).map(|(_, r)| r)
    }

    /// Every row, in order.
    pub fn rows(&self) -> impl Iterator<Item = &(K, R)> {
        self.rows.iter()
    }

    /// Renders `table` (its rows built from [`Picker::rows`]) with the
    /// selection highlighted and the scroll offset kept from the previous
    /// frame; adds a scrollbar on the right edge (the border when
    /// `bordered`) when the rows overflow. `header` is the number of header
    /// lines of the table.
    pub fn render(&self, frame: &mut Frame, area: Rect, table: Table, header: u16, bordered: bool) {
        let mut state = self.table.borrow_mut();
        state.select((!self.rows.is_empty()).then_some(self.cursor));
        let border = if bordered { 1 } else { 0 };
        let visible = visible_rows(area, header + 2 * border);
        let overflow = self.rows.len() > visible;
        // Without a border the bar takes a column of its own.
        let table_area = Rect {
            width: area.width.saturating_sub(u16::from(overflow && !bordered)),
            ..area
        };
        frame.render_stateful_widget(table, table_area, &mut state);
        let rows_top = area.y.saturating_add(border + header);
        self.drawn.set(Some(Rect {
            x: area.x + border,
            y: rows_top,
            width: table_area.width.saturating_sub(2 * border),
            height: (visible as u16).min(area.bottom().saturating_sub(rows_top)),
        }));
        if overflow {
            let mut bar = ScrollbarState::new(self.rows.len().saturating_sub(visible))
                .position(state.offset());
            let bar_area = Rect {
                x: area.x,
                y: area.y + border + header,
                width: area.width,
                height: visible as u16,
            };
            frame.render_stateful_widget(
                Scrollbar::new(ScrollbarOrientation::VerticalRight)
                    .begin_symbol(None)
                    .end_symbol(None),
                bar_area,
                &mut bar,
            );
        }
    }

    /// The first row shown at the last frame (the kept scroll offset).
    pub fn offset(&self) -> usize {
        self.table.borrow().offset()
    }
}

impl<K: Clone + PartialEq, R> Cursor for Picker<K, R> {
    fn move_by(&mut self, d: i32) {
        if self.rows.is_empty() {
            return;
        }
        let cur = self.cursor as i64 + d as i64;
        self.set_cursor(cur.clamp(0, self.rows.len() as i64 - 1) as usize);
    }
    fn top(&mut self) {
        self.set_cursor(0);
    }
    fn bottom(&mut self) {
        self.set_cursor(self.rows.len().saturating_sub(1));
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
    fn index(&self) -> usize {
        self.cursor
    }
    fn row_at(&self, column: u16, row: u16) -> Option<usize> {
        let area = self.drawn.get()?;
        if !area.contains(Position::new(column, row)) {
            return None;
        }
        let i = self.offset() + usize::from(row - area.y);
        (i < self.rows.len()).then_some(i)
    }
    fn select_index(&mut self, i: usize) {
        self.set_cursor(i);
    }
    fn forget_drawn(&self) {
        self.drawn.set(None);
    }
}

/// How many rows a table in `area` shows, `chrome` lines being borders and
/// header.
pub(crate) fn visible_rows(area: Rect, chrome: u16) -> usize {
    area.height.saturating_sub(chrome) as usize
}

/// ` · N of M` when only `visible` of `total` rows fit, else nothing.
pub(crate) fn cut_note(visible: usize, total: usize) -> String {
    if total > visible {
        format!(" · {visible} of {total}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(keys: &[i64]) -> Vec<(i64, usize)> {
        keys.iter()
            .copied()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect()
    }

    #[test]
    fn the_selection_follows_its_key_when_the_rows_re_sort() {
        let mut p = Picker::default();
        assert_eq!(p.set_rows(rows(&[7, 8, 9])), None);
        p.move_by(1);
        assert_eq!(p.selected(), Some(&8));
        assert_eq!(p.set_rows(rows(&[9, 1, 2, 8, 7])), None);
        assert_eq!((p.selected(), p.index()), (Some(&8), 3));
    }

    #[test]
    fn a_lost_key_falls_back_to_the_nearest_row_and_is_reported() {
        let mut p = Picker::default();
        p.set_rows(rows(&[7, 8, 9]));
        p.bottom();
        assert_eq!(p.set_rows(rows(&[7, 8])), Some(9));
        assert_eq!((p.selected(), p.index()), (Some(&8), 1));
        assert_eq!(p.set_rows(rows(&[])), Some(8));
        assert_eq!(p.selected(), None);
        assert_eq!(p.set_rows(rows(&[3])), None, "nothing was selected");
        assert_eq!(p.selected(), Some(&3));
    }

    #[test]
    fn cut_note_only_when_cut() {
        assert_eq!(cut_note(6, 11), " · 6 of 11");
        assert_eq!(cut_note(6, 6), "");
    }
}
