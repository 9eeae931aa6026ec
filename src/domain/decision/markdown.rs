//! The decision log as Markdown, for a team's notes or a file kept in git.

use super::DecisionRecord;
use crate::domain::Timestamp;
use crate::text::sanitize;

/// Renders decisions as a Markdown log, in the order given (the store lists
/// newest first). Each decision is a `##` heading `#ID Title`, then bullets
/// for when (UTC), who and the supersede links both ways, the reason, and one
/// bullet per evidence item (`reference — summary` as captured).
///
/// All data text passes through [`crate::text::sanitize`] (no escape
/// sequences or control characters; newlines become spaces) and Markdown
/// punctuation is backslash-escaped, so a title cannot add headings, links,
/// images, HTML or table cells. An empty log says so.
pub fn to_markdown(decisions: &[DecisionRecord]) -> String {
    let mut out = String::from("# Decision log\n");
    if decisions.is_empty() {
        out.push_str("\nNo decisions recorded yet.\n");
        return out;
    }
    for d in decisions {
        out.push_str(&format!("\n## #{} {}\n\n", d.id, md(&d.title)));
        out.push_str(&format!("- **When:** {}\n", utc(d.at)));
        out.push_str(&format!("- **Who:** {}\n", md(&d.who)));
        if let Some(older) = d.supersedes {
            out.push_str(&format!("- **Supersedes:** #{older}\n"));
        }
        if let Some(newer) = d.superseded_by {
            out.push_str(&format!("- **Superseded by:** #{newer}\n"));
        }
        out.push_str(&format!("- **Why:** {}\n", md(&d.why)));
        if d.evidence.is_empty() {
            out.push_str("- **Evidence:** none recorded\n");
        } else {
            out.push_str("- **Evidence:**\n");
            for e in &d.evidence {
                let summary = if e.summary.trim().is_empty() {
                    e.captured.to_string()
                } else {
                    e.summary.clone()
                };
                out.push_str(&format!(
                    "  - {} — {}\n",
                    md(&e.reference.to_string()),
                    md(&summary)
                ));
            }
        }
    }
    out
}

/// Sanitised, single-line text with Markdown punctuation escaped.
fn md(text: &str) -> String {
    let clean = sanitize(text);
    let mut out = String::with_capacity(clean.len());
    for c in clean.trim().chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '>'
                | '#'
                | '|'
                | '~'
                | '!'
                | '&'
                | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    if out.is_empty() {
        out.push('—');
    }
    out
}

/// `2024-05-01 14:03 UTC`, or the raw seconds when out of chrono's range.
fn utc(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp(at, 0).map_or_else(
        || format!("{at} (unix seconds)"),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{indicator_evidence, DecisionRecord, Evidence, EvidenceRef};
    use super::*;
    use crate::domain::Status;

    fn record(id: i64, title: &str) -> DecisionRecord {
        DecisionRecord {
            id,
            // 2024-05-01 14:03:00 UTC = 19844 days * 86400 + 14 h 3 min.
            at: 19_844 * 86_400 + 14 * 3_600 + 3 * 60,
            who: "ana".into(),
            title: title.into(),
            why: "On-time rose from 80 % to 92 %.".into(),
            evidence: vec![],
            supersedes: None,
            superseded_by: None,
        }
    }

    #[test]
    fn renders_a_log_with_links_and_evidence() {
        let mut older = record(7, "Keep the old courier");
        older.superseded_by = Some(12);
        older.evidence = vec![Evidence {
            reference: EvidenceRef::Alert(3),
            captured: serde_json::json!({"state": "open"}),
            summary: String::new(),
        }];
        let mut newer = record(12, "Scale the courier pilot");
        newer.supersedes = Some(7);
        newer.evidence = vec![indicator_evidence(
            "on_time_rate",
            Some(92.0),
            "%",
            Status::Ok,
            None,
        )];
        let md = to_markdown(&[newer, older]);
        let expected = "# Decision log\n\
            \n\
            ## #12 Scale the courier pilot\n\
            \n\
            - **When:** 2024-05-01 14:03 UTC\n\
            - **Who:** ana\n\
            - **Supersedes:** #7\n\
            - **Why:** On-time rose from 80 % to 92 %.\n\
            - **Evidence:**\n  \
              - indicator:on\\_time\\_rate — on\\_time\\_rate = 92 % \\(ok\\)\n\
            \n\
            ## #7 Keep the old courier\n\
            \n\
            - **When:** 2024-05-01 14:03 UTC\n\
            - **Who:** ana\n\
            - **Superseded by:** #12\n\
            - **Why:** On-time rose from 80 % to 92 %.\n\
            - **Evidence:**\n  \
              - alert:3 — {\"state\":\"open\"}\n";
        assert_eq!(md, expected);
    }

    #[test]
    fn an_empty_log_says_so() {
        assert_eq!(
            to_markdown(&[]),
            "# Decision log\n\nNo decisions recorded yet.\n"
        );
    }

    #[test]
    fn hostile_text_is_rendered_inert() {
        let mut d = record(1, "\x1b[2JPwned\x1b]52;c;ZXZpbA==\x07 <script>x</script>");
        d.who = "[click](http://evil)\n# Fake heading".into();
        d.why = "line1\r\n## injected\u{202e}".into();
        d.evidence = vec![Evidence {
            reference: EvidenceRef::Indicator("x".into()),
            captured: serde_json::Value::Null,
            summary: "![img](http://evil/x.png) | cell".into(),
        }];
        let md = to_markdown(&[d]);
        assert!(!md.contains('\x1b') && !md.contains('\x07') && !md.contains('\u{202e}'));
        assert!(
            md.contains("## #1 Pwned \\<script\\>x\\</script\\>\n"),
            "{md}"
        );
        assert!(
            md.contains("- **Who:** \\[click\\]\\(http://evil\\) \\# Fake heading\n"),
            "{md}"
        );
        assert!(md.contains("- **Why:** line1 \\#\\# injected?\n"), "{md}");
        assert!(
            md.contains("— \\!\\[img\\]\\(http://evil/x.png\\) \\| cell\n"),
            "{md}"
        );
        // Every data line stays one line: only our own headings start with '#'.
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(headings.len(), 2, "{headings:?}");
    }

    #[test]
    fn out_of_range_times_do_not_panic() {
        let mut d = record(1, "t");
        d.at = i64::MAX;
        assert!(to_markdown(&[d]).contains(&format!("{} (unix seconds)", i64::MAX)));
    }
}
