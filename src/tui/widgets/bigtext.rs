//! Large digits (3 columns × 3 rows of block characters) for the standup
//! timer and headline numbers, readable across a room.

/// Glyphs for `0-9`, `:`, `%`, `.`, `-`, space, each three rows of three columns.
fn glyph(c: char) -> [&'static str; 3] {
    match c {
        '0' => ["█▀█", "█ █", "▀▀▀"],
        '1' => [" ▀█", "  █", "  ▀"],
        '2' => ["▀▀█", "█▀▀", "▀▀▀"],
        '3' => ["▀▀█", " ▀█", "▀▀▀"],
        '4' => ["█ █", "▀▀█", "  ▀"],
        '5' => ["█▀▀", "▀▀█", "▀▀▀"],
        '6' => ["█▀▀", "█▀█", "▀▀▀"],
        '7' => ["▀▀█", "  █", "  ▀"],
        '8' => ["█▀█", "█▀█", "▀▀▀"],
        '9' => ["█▀█", "▀▀█", "▀▀▀"],
        ':' => [" ▄ ", " ▄ ", "   "],
        '.' => ["   ", "   ", " ▀ "],
        '%' => ["▀ █", " █ ", "█ ▄"],
        '-' => ["   ", "▀▀▀", "   "],
        _ => ["   ", "   ", "   "],
    }
}

/// Three lines of large text for `s` (unknown characters become blanks).
pub(crate) fn big_lines(s: &str) -> [String; 3] {
    let mut rows = [String::new(), String::new(), String::new()];
    for (i, c) in s.chars().enumerate() {
        let g = glyph(c);
        for r in 0..3 {
            if i > 0 {
                rows[r].push(' ');
            }
            rows[r].push_str(g[r]);
        }
    }
    rows
}

/// Width in columns of [`big_lines`] for `s`.
pub(crate) fn big_width(s: &str) -> usize {
    let n = s.chars().count();
    if n == 0 {
        0
    } else {
        n * 4 - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_three_rows_of_equal_width() {
        let rows = big_lines("02:35");
        assert!(rows.iter().all(|r| r.chars().count() == big_width("02:35")));
        assert_eq!(rows[0].chars().take(3).collect::<String>(), "█▀█");
    }
}
