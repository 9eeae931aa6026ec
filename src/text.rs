//! The one cleaner for text that came from data (names, notes, imported fields).
//!
//! Everything shown on the terminal that a user, an import or a script could
//! have written passes through [`sanitize`] first, so that nothing stored in the
//! database can drive the terminal: no escape sequences (CSI, OSC such as OSC 52
//! clipboard writes, DCS), no C0/C1 control characters, no bidi overrides and no
//! zero-width characters that hide text.

/// Returns `text` with escape sequences removed and every other control or
/// invisible formatting character replaced by a visible placeholder:
/// tabs and newlines become a single space (screens and CLI lines are one line),
/// other controls become `?`. Printable text, including non-Latin scripts and
/// emoji, is kept as it is.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers that start a string or sequence on 8-bit terminals.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{9d}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            '\t' | '\n' | '\r' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if is_hidden(c) => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// A file path as clean text: a file name can hold escape sequences too.
pub fn sanitize_path(path: &std::path::Path) -> String {
    sanitize(&path.display().to_string())
}

/// Sanitises and then cuts to at most `max` characters, marking a cut with `…`.
pub fn sanitize_truncate(text: &str, max: usize) -> String {
    let clean = sanitize(text);
    truncate(&clean, max)
}

/// Cuts already-clean text to `max` characters, marking a cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Sanitises every string of a JSON document, object keys included. The JSON
/// of the listing commands shows what their text shows: serde_json escapes C0
/// controls but writes C1 controls, bidi and zero-width characters as they
/// are, and scripts print fields with `jq -r`.
pub fn sanitize_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = sanitize(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(sanitize_json),
        serde_json::Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                sanitize_json(&mut v);
                map.insert(sanitize(&key), v);
            }
        }
        _ => {}
    }
}

/// Writes `value` as compact JSON that keeps the data exactly (a parser gets
/// every character back) but holds no character that could drive a terminal:
/// serde_json escapes C0 controls itself; C1 controls, DEL, bidi and
/// zero-width characters become `\uXXXX` escapes here. For outputs that must
/// stay faithful, such as `export`.
pub fn write_json_escaped(
    out: &mut dyn std::io::Write,
    value: &serde_json::Value,
) -> std::io::Result<()> {
    use serde::Serialize as _;
    let mut ser = serde_json::Serializer::with_formatter(out, EscapeHidden);
    value.serialize(&mut ser).map_err(std::io::Error::other)
}

/// A compact JSON formatter that escapes [`is_hidden`] characters in strings.
struct EscapeHidden;

impl serde_json::ser::Formatter for EscapeHidden {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_hidden(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// True for characters that must never reach a terminal as themselves: C0 and C1
/// controls, DEL, bidi embeddings/overrides/isolates, zero-width characters and
/// other invisible format characters.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061c}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_string(chars);
        }
        // Two-character sequences such as ESC c (reset) or ESC 7 (save cursor);
        // ESC ( B style charset designations take one more character.
        Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
            chars.next();
            chars.next();
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// Skips a CSI sequence: parameter and intermediate bytes, then one final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

/// Skips an OSC/DCS/APC/PM/SOS string up to its terminator (BEL, ST or ESC \).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inert(s: &str) -> bool {
        !s.chars().any(|c| c.is_control() || is_hidden(c))
    }

    #[test]
    fn removes_csi_sequences() {
        assert_eq!(sanitize("a\x1b[2Jb"), "ab");
        assert_eq!(sanitize("\x1b[31mred\x1b[0m"), "red");
        assert_eq!(sanitize("x\x1b[10;20Hy"), "xy");
        assert_eq!(sanitize("x\u{9b}2Jy"), "xy");
    }

    #[test]
    fn removes_osc_including_clipboard_writes() {
        assert_eq!(sanitize("a\x1b]52;c;ZXZpbA==\x07b"), "ab");
        assert_eq!(sanitize("a\x1b]0;title\x1b\\b"), "ab");
        assert_eq!(sanitize("a\u{9d}52;c;eA==\u{9c}b"), "ab");
        assert_eq!(sanitize("a\x1bPq#0;1\x1b\\b"), "ab");
    }

    #[test]
    fn neutralises_controls_bidi_and_zero_width() {
        let s = sanitize("a\u{7}b\u{8}c\u{202e}d\u{200b}e\u{2066}f\u{0}g\u{7f}h\u{85}i");
        assert!(inert(&s), "{s:?}");
        assert_eq!(s, "a?b?c?d?e?f?g?h?i");
        assert_eq!(sanitize("line1\nline2\r\n\tx"), "line1 line2 x");
    }

    #[test]
    fn keeps_printable_text() {
        assert_eq!(sanitize("Café 東京 ✓ 🚀"), "Café 東京 ✓ 🚀");
        assert_eq!(sanitize("plain"), "plain");
    }

    #[test]
    fn escape_at_end_and_unterminated_strings_are_dropped() {
        assert_eq!(sanitize("abc\x1b"), "abc");
        assert_eq!(sanitize("abc\x1b]52;c;AAAA"), "abc");
        assert_eq!(sanitize("abc\x1b[12"), "abc");
    }

    #[test]
    fn json_strings_and_keys_are_sanitised() {
        let mut v = serde_json::json!({
            "k\u{202e}": ["a\x1b]52;c;ZXZpbA==\x07b", 1, null],
            "n": {"x": "c\u{9b}2Jd\u{200b}"},
        });
        sanitize_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"k?": ["ab", 1, null], "n": {"x": "cd?"}})
        );
    }

    #[test]
    fn escaped_json_is_faithful_and_inert() {
        let text = "a\x1b[2J\u{9b}1m\u{202e}b\u{200b}\u{0}\u{7f}c 東京";
        let mut out = Vec::new();
        write_json_escaped(&mut out, &serde_json::json!({ "t": text })).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(inert(&line), "{line:?}");
        assert!(line.contains("\\u202e") && line.contains("東京"), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["t"], text);
    }

    #[test]
    fn truncates_with_marker() {
        assert_eq!(sanitize_truncate("abcdef", 4), "abc…");
        assert_eq!(sanitize_truncate("abc", 4), "abc");
    }
}
