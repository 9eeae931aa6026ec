//! The `?` overlay: every key of the current view.

use crate::tui::keys::{Context, KeyTable};
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// A rectangle of `w`×`h` centred in `area` (clipped to it).
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws the help overlay for the keys of `cx`, generated from the key
/// table: the view's own keys, then the global ones; with `mouse` (the
/// cockpit captures it), what the mouse does and how to select text. On the
/// Indicators view `indicator_keys` (the board's keys) follow, for the `:`
/// commands that name an indicator.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    keys: &KeyTable,
    cx: Context,
    theme: &Theme,
    mouse: bool,
    indicator_keys: &[&str],
) {
    let (own, global) = keys.help_lines(cx);
    let w = own
        .iter()
        .chain(global.iter())
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let widest = own
        .iter()
        .chain(global.iter())
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(0);
    // Keys, text, the spaces around them and the borders; at least 64.
    let box_w = (w + widest + 5).max(64) as u16;
    // The text's room inside the borders: a description longer than its
    // column wraps under itself instead of being cut at the border.
    let inner = usize::from(box_w.min(area.width.saturating_sub(2))).saturating_sub(2);
    let text_w = inner.saturating_sub(w + 2).max(12);
    let key_lines = |k: &str, d: &str| -> Vec<Line<'static>> {
        crate::text::wrap_words(d, text_w)
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let k = if i == 0 { k } else { "" };
                Line::from(vec![
                    Span::styled(format!(" {k:<w$}"), theme.header()),
                    Span::raw(format!(" {part}")),
                ])
            })
            .collect()
    };
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        format!(" {} ", cx.view.title()),
        theme.title(),
    ))];
    if own.is_empty() {
        lines.push(Line::from(Span::styled(
            " no keys of its own: the board; open a view for actions",
            theme.dim(),
        )));
    }
    for (k, d) in &own {
        lines.extend(key_lines(k, d));
    }
    lines.push(Line::from(Span::styled(" Everywhere ", theme.title())));
    let full: Vec<Line> = global.iter().flat_map(|(k, d)| key_lines(k, d)).collect();
    // Borders, the lines so far, the closing line and the mouse's two.
    let fixed = 2 + lines.len() + 1 + if mouse { 2 } else { 0 };
    if fixed + full.len() <= usize::from(area.height) {
        lines.extend(full);
        if mouse {
            lines.extend(key_lines(
                "mouse",
                "wheel moves · click picks a tab, a row, a pane",
            ));
            lines.extend(key_lines(
                "",
                "Shift+drag selects text (--no-mouse: no capture)",
            ));
        }
    } else {
        // A short screen: the keys everyone knows, run together, so that
        // the view's own keys and the closing line still fit.
        let mut items: Vec<String> = global.iter().map(|(k, d)| format!("{k} {d}")).collect();
        if mouse {
            items.push("mouse: wheel, click; Shift+drag selects".into());
        }
        let items: Vec<&str> = items.iter().map(String::as_str).collect();
        for row in wrap_items(&items, " · ", inner.saturating_sub(1).max(10)) {
            lines.push(Line::from(format!(" {row}")));
        }
    }
    if cx.view == crate::tui::app::View::Indicators && !indicator_keys.is_empty() {
        lines.push(Line::from(Span::styled(
            " Indicator keys (as : and the CLI name them) ",
            theme.title(),
        )));
        let inner = usize::from(box_w.min(area.width.saturating_sub(2))).saturating_sub(3);
        let rows = crate::text::wrap_words(
            &crate::text::sanitize(&indicator_keys.join(" ")),
            inner.max(10),
        );
        // Room left for key rows: the screen less the borders, the lines so
        // far and the closing line. What does not fit is left to the CLI.
        let room = usize::from(area.height)
            .saturating_sub(2 + lines.len() + 1)
            .max(1);
        if rows.len() <= room {
            rows.into_iter()
                .for_each(|row| lines.push(Line::from(format!(" {row}"))));
        } else {
            rows.into_iter()
                .take(room - 1)
                .for_each(|row| lines.push(Line::from(format!(" {row}"))));
            lines.push(Line::from(Span::styled(
                " … every key: opsdeck indicator list",
                theme.dim(),
            )));
        }
    }
    // Still taller than the screen: what does not fit gives way to a line
    // that says so, and the closing line always shows.
    let room = usize::from(area.height).saturating_sub(3).max(1);
    if lines.len() > room {
        let hidden = lines.len() - (room - 1);
        lines.truncate(room - 1);
        lines.push(Line::from(Span::styled(
            format!(" … {hidden} more line(s): a taller terminal shows them"),
            theme.dim(),
        )));
    }
    lines.push(Line::from(Span::styled(
        if mouse {
            " any key or a click closes this help"
        } else {
            " any key closes this help"
        },
        theme.dim(),
    )));
    let h = lines.len() as u16 + 2;
    let r = centered(area, box_w.min(area.width.saturating_sub(2)), h);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Keys ")),
        r,
    );
}

/// `items` joined with `sep` into lines of at most `width` characters,
/// breaking only between items (an item longer than that gets a line of
/// its own).
fn wrap_items(items: &[&str], sep: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        let item = crate::text::sanitize(item);
        let needed = line.chars().count() + sep.chars().count() + item.chars().count();
        if !line.is_empty() && needed > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(sep);
        }
        line.push_str(&item);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap_items;

    #[test]
    fn items_break_only_between_them() {
        assert_eq!(
            wrap_items(&["q quit", "? this help", "/ filter the list"], " · ", 20),
            ["q quit · ? this help", "/ filter the list"]
        );
        assert!(wrap_items(&[], " · ", 10).is_empty());
    }
}
