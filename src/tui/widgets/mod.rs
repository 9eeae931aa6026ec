//! Small reusable pieces of the screens.

pub mod bigtext;
pub mod spark;

use crate::domain::Status;
use crate::tui::theme::Theme;
use ratatui::text::Span;

/// Clean data text for a widget (one line, no control characters).
pub fn clean(text: &str) -> String {
    crate::text::sanitize(text)
}

/// Clean and cut to `max` characters.
pub(crate) fn clean_cut(text: &str, max: usize) -> String {
    crate::text::sanitize_truncate(text, max)
}

/// `✗ breach` styled by status.
pub(crate) fn status_span(s: Status, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{} {}", s.symbol(), s.word()), theme.status(s))
}

/// Just the status symbol, styled.
pub(crate) fn status_symbol(s: Status, theme: &Theme) -> Span<'static> {
    Span::styled(s.symbol().to_string(), theme.status(s))
}

/// The status word of a reading for a table cell: `stale` (in place of the
/// word, narrow) or `ok · stale` (wide) when a stale source feeds it.
pub(crate) fn status_word(
    r: &crate::store::board::Reading,
    stale: &std::collections::BTreeSet<String>,
    wide: bool,
) -> String {
    match (stale.contains(&r.def.key), wide) {
        (false, _) => r.status_short(),
        (true, false) => "stale".to_string(),
        (true, true) => format!("{} · stale", r.status_short()),
    }
}
