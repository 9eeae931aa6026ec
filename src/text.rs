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
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers that start a string or sequence on 8-bit terminals.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{9d}' | '\u{9e}' | '\u{9f}' | '\u{98}' => skip_string(&mut chars),
            // Variation selectors only pick a glyph form (emoji ❤️): dropped.
            c if is_variation_selector(c) => {}
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
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
pub(crate) fn sanitize_path(path: &std::path::Path) -> String {
    sanitize(&path.display().to_string())
}

/// Sanitises and then cuts to at most `max` characters, marking a cut with `…`.
pub(crate) fn sanitize_truncate(text: &str, max: usize) -> String {
    let clean = sanitize(text);
    truncate(&clean, max)
}

/// Cuts already-clean text to `max` characters, marking a cut with `…`.
pub(crate) fn truncate(text: &str, max: usize) -> String {
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
pub(crate) fn sanitize_json(value: &mut serde_json::Value) {
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
pub(crate) fn write_json_escaped(
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
/// controls, DEL, bidi embeddings/overrides/isolates, the line and paragraph
/// separators, interlinear annotation marks, and every Unicode
/// default-ignorable code point (zero-width characters, soft hyphen, Hangul
/// fillers, Mongolian and Khmer format characters, tag characters, variation
/// selectors): invisible text that can hide content or break a border.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || is_variation_selector(c)
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// Variation selectors (VS1–VS256): default-ignorable, dropped by
/// [`sanitize`] rather than shown as `?`.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}')
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

/// Skips an OSC/DCS/APC/PM/SOS string up to its terminator (BEL, ST or ESC \),
/// or, when it has none, up to the end of the line: an unterminated string
/// must not swallow the rest of a message (the line break itself is kept).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            return;
        }
        chars.next();
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

/// `word` with the indefinite article its sound takes in English:
/// `an incident-response`, `a daily-standup`, `an 8-hour`, `a user`,
/// `an hour`. A heuristic on the spelling, good for the keys and words of
/// an operation; an empty word gets `a`.
pub(crate) fn with_article(word: &str) -> String {
    format!("{} {word}", article(word))
}

/// `"an"` or `"a"` for [`with_article`].
pub(crate) fn article(word: &str) -> &'static str {
    let w = word.trim_start().to_ascii_lowercase();
    // Spelled with a vowel, said with a consonant: "a user", "a one-off".
    const A_BEFORE: &[&str] = &[
        "uni", "use", "usu", "ura", "uro", "eu", "one", "once", "ewe",
    ];
    // A silent h: "an hour".
    const AN_BEFORE: &[&str] = &["hour", "honest", "honou", "heir"];
    if A_BEFORE.iter().any(|p| w.starts_with(p)) {
        return "a";
    }
    if AN_BEFORE.iter().any(|p| w.starts_with(p)) {
        return "an";
    }
    let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        // "an 8", "an 11", "an 18", "an 80"; "a 1", "a 100".
        // "eleven", "eighteen", "eleven thousand": 11 and 18 in front of a
        // group of thousands.
        let an = digits.starts_with('8')
            || (digits.len() % 3 == 2 && (digits.starts_with("11") || digits.starts_with("18")));
        return if an { "an" } else { "a" };
    }
    match w.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// `text` cut into lines of at most `width` characters at spaces (a word
/// longer than a line is cut).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let used = line.chars().count();
            let need = word.chars().count() + usize::from(used > 0);
            if used + need <= width {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {

    #[test]
    fn words_wrap_at_spaces_and_a_long_word_is_cut() {
        assert_eq!(
            super::wrap_words("no open runs: start one", 12),
            ["no open", "runs: start", "one"]
        );
        assert_eq!(super::wrap_words("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(super::wrap_words("", 5), [""]);
    }
    use super::*;

    #[test]
    fn the_article_follows_the_sound() {
        for (word, want) in [
            ("incident-response", "an incident-response"),
            ("order-fulfilment", "an order-fulfilment"),
            ("escalation", "an escalation"),
            ("Alert", "an Alert"),
            ("daily-standup", "a daily-standup"),
            ("support-ticket", "a support-ticket"),
            ("weekly-ops-review", "a weekly-ops-review"),
            ("user-onboarding", "a user-onboarding"),
            ("unit", "a unit"),
            ("one-off", "a one-off"),
            ("hour", "an hour"),
            ("8-hour", "an 8-hour"),
            ("11-step", "an 11-step"),
            ("18", "an 18"),
            ("1-step", "a 1-step"),
            ("100", "a 100"),
            ("", "a "),
        ] {
            assert_eq!(with_article(word), want, "{word}");
        }
    }

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
    fn neutralises_default_ignorables_tags_and_line_separators() {
        // Tag characters smuggle invisible ASCII ("hi" as U+E0068 U+E0069).
        assert_eq!(sanitize("ok\u{e0068}\u{e0069}!"), "ok??!");
        assert_eq!(sanitize("a\u{2028}b\u{2029}c"), "a b c");
        assert_eq!(sanitize("soft\u{ad}hyphen"), "soft?hyphen");
        for c in [
            '\u{115f}',
            '\u{1160}',
            '\u{3164}',
            '\u{ffa0}',
            '\u{034f}',
            '\u{180e}',
            '\u{17b4}',
            '\u{2065}',
            '\u{206f}',
            '\u{1bca0}',
            '\u{1d173}',
            '\u{e0001}',
            '\u{e0fff}',
            '\u{fff0}',
        ] {
            let s = sanitize(&format!("a{c}b"));
            assert_eq!(s, "a?b", "U+{:04X}", c as u32);
        }
        // Variation selectors are dropped, so emoji keep their look.
        assert_eq!(sanitize("\u{2764}\u{fe0f} x\u{e0100}"), "\u{2764} x");
        // The export escapes them all faithfully.
        let mut out = Vec::new();
        write_json_escaped(
            &mut out,
            &serde_json::json!({ "t": "\u{e0068}\u{ad}\u{2028}" }),
        )
        .unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(
            line.contains("\\udb40\\udc68") && line.contains("\\u00ad"),
            "{line}"
        );
        assert!(line.contains("\\u2028"), "{line}");
    }

    #[test]
    fn an_unterminated_osc_or_dcs_ends_at_the_next_line() {
        assert_eq!(
            sanitize("file\x1b]52;c;AAAA\nrest of the message"),
            "file rest of the message"
        );
        assert_eq!(sanitize("file\x1bPq#0\r\nrest"), "file rest");
        assert_eq!(sanitize("f\u{9d}0;t\u{2028}rest"), "f rest");
        // Terminated ones still end at their terminator.
        assert_eq!(sanitize("a\x1b]0;t\x07b\nc"), "ab c");
    }

    #[test]
    fn truncates_with_marker() {
        assert_eq!(sanitize_truncate("abcdef", 4), "abc…");
        assert_eq!(sanitize_truncate("abc", 4), "abc");
    }
}
