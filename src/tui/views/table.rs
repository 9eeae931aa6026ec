//! The views' tables: a header row of column names and a bordered, titled
//! table with one space between columns (lists add the selection style).

use super::cockpit::pane;
use crate::tui::theme::Theme;
use ratatui::layout::Constraint;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

/// A header row: one styled cell per column name.
pub(crate) fn header<'a>(names: impl IntoIterator<Item = &'a str>, theme: &Theme) -> Row<'a> {
    Row::new(
        names
            .into_iter()
            .map(|h| Cell::from(Span::styled(h, theme.header()))),
    )
}

/// A table with `header`, one space between columns, in a pane titled
/// `title`.
pub(crate) fn pane_table<'a>(
    rows: Vec<Row<'a>>,
    widths: impl IntoIterator<Item = Constraint>,
    header: Row<'a>,
    title: &str,
    theme: &Theme,
) -> Table<'a> {
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(pane(title, theme))
}
