use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::domain::playbook::{EscalationLevel, EscalationTarget};
use crate::domain::{DAY, HOUR};

const ROLES: &[&str] = &["demand", "fulfilment", "support", "finance", "ops-lead"];

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .toml files in {}", dir.display());
    files
}

fn read(path: &Path) -> (String, String) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (name, text)
}

fn parse_ok(file: &str, text: &str) -> PlaybookDef {
    match parse_playbook(file, text, ROLES) {
        Ok(def) => def,
        Err(errors) => panic!(
            "{file} should parse:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn parse_err(file: &str, text: &str) -> Vec<String> {
    match parse_playbook(file, text, ROLES) {
        Ok(_) => panic!("{file} should be refused"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_starter_playbooks_parse_with_the_known_roles() {
    let files = toml_files("assets/playbooks");
    let mut keys = Vec::new();
    for path in &files {
        let (name, text) = read(path);
        let def = parse_ok(&name, &text);
        assert_eq!(format!("{}.toml", def.key), name, "file name is the key");
        assert!(def.steps.len() >= 3, "{name}: a real workflow");
        keys.push(def.key);
    }
    for expected in [
        "daily-standup",
        "incident-response",
        "order-fulfilment",
        "support-ticket",
        "weekly-ops-review",
    ] {
        assert!(keys.iter().any(|k| k == expected), "missing {expected}");
    }
}

#[test]
fn incident_response_has_a_real_escalation_path() {
    let (name, text) = read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/playbooks/incident-response.toml"),
    );
    let def = parse_ok(&name, &text);
    assert!(def.escalation.len() >= 3);
    assert_eq!(def.escalation[0].after_secs, 15 * 60);
    assert!(def
        .escalation
        .windows(2)
        .all(|w| w[0].after_secs < w[1].after_secs));
}

#[test]
fn every_good_file_parses() {
    for path in toml_files("tests/data/playbooks/good") {
        let (name, text) = read(&path);
        parse_ok(&name, &text);
    }
}

/// Every bad file ends with `# expect: LINE: reason-substring` lines; each must
/// match one reported error (`FILE:LINE: reason`), and nothing else may be
/// reported.
#[test]
fn every_bad_file_reports_each_expected_problem_at_its_line() {
    for path in toml_files("tests/data/playbooks/bad") {
        let (name, text) = read(&path);
        let expected: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .map(|rest| format!("{name}:{rest}"))
            .collect();
        assert!(!expected.is_empty(), "{name} has no `# expect:` line");
        let errors = parse_err(&name, &text);
        for want in &expected {
            assert!(
                errors.iter().any(|e| e.contains(want.as_str())),
                "{name}: no error contains {want:?}; got:\n{}",
                errors.join("\n")
            );
        }
        assert_eq!(
            errors.len(),
            expected.len(),
            "{name}: unexpected extra errors:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_minimal_file_gives_the_expected_definition() {
    let (name, text) =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbooks/good/minimal.toml"));
    let def = parse_ok(&name, &text);
    assert_eq!(def.key, "minimal");
    assert_eq!(def.version, None);
    assert_eq!(def.review_every_secs, 30 * DAY);
    assert_eq!(def.last_reviewed.to_string(), "2025-01-01");
    assert_eq!(
        def.escalation,
        vec![EscalationLevel {
            after_secs: HOUR,
            target: EscalationTarget::Role("ops-lead".into())
        }]
    );
    assert_eq!(def.steps.len(), 1);
    assert_eq!(def.steps[0].handoff, None);
    assert_eq!(def.steps[0].tolerance_secs, HOUR);
    assert_eq!(def.steps[0].items, vec!["The one thing".to_string()]);
}

#[test]
fn the_full_file_keeps_people_dates_and_text() {
    let (name, text) =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbooks/good/full.toml"));
    let def = parse_ok(&name, &text);
    assert_eq!(def.version, Some(3));
    assert_eq!(def.review_every_secs, 10 * DAY);
    assert_eq!(def.last_reviewed.to_string(), "2024-12-31");
    assert_eq!(
        def.escalation[1].target,
        EscalationTarget::Person("Dana Okafor".into())
    );
    assert_eq!(def.steps[1].tolerance_secs, DAY + 12 * HOUR);
    assert_eq!(def.steps[1].handoff.as_deref(), Some("demand"));
    assert!(def.description.contains("\"quotes\""));
}

#[test]
fn known_roles_come_from_the_caller() {
    let (name, text) =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbooks/good/minimal.toml"));
    let errors = match parse_playbook(&name, &text, &["support"]) {
        Ok(_) => panic!("ops-lead is not known here"),
        Err(e) => e,
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 11);
    assert_eq!(
        errors[0].message,
        "`role`: unknown role 'ops-lead' (known roles: support)"
    );
    let errors = parse_playbook(&name, &text, &[]).err().unwrap_or_default();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].message.ends_with("(none are defined)"));
}

#[test]
fn errors_display_as_file_line_reason() {
    let e = PlaybookError {
        file: "x.toml".into(),
        line: 7,
        message: "`tolerance`: bad".into(),
    };
    assert_eq!(e.to_string(), "x.toml:7: `tolerance`: bad");
}

#[test]
fn an_empty_file_reports_every_missing_field_at_line_1() {
    let errors = parse_err("empty.toml", "");
    assert_eq!(errors.len(), 7, "{errors:#?}");
    assert!(errors.iter().all(|e| e.starts_with("empty.toml:1: ")));
    for field in [
        "key",
        "name",
        "description",
        "review_every",
        "last_reviewed",
        "escalation",
        "step",
    ] {
        let want = format!("missing field `{field}`");
        assert!(errors.iter().any(|e| e.contains(&want)), "{want}");
    }
}

#[test]
fn long_values_are_shortened_in_messages() {
    let text = format!("key = \"{}\"", "X".repeat(500));
    let errors = parse_err("k.toml", &text);
    let key_error = errors
        .iter()
        .find(|e| e.contains("`key`:"))
        .cloned()
        .unwrap_or_default();
    assert!(
        key_error.contains(&format!("'{}…'", "X".repeat(39))),
        "{key_error}"
    );
    assert!(key_error.len() < 250);
}

#[test]
fn keys_follow_the_pattern() {
    for good in ["a", "0", "order-fulfilment", "a-", "x9-y"] {
        assert!(is_valid_key(good), "{good}");
    }
    for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(65)] {
        assert!(!is_valid_key(bad), "{bad}");
    }
    assert!(is_valid_key(&"a".repeat(64)));
}

#[test]
fn text_of_exactly_the_limit_is_accepted() {
    let (name, text) =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbooks/good/minimal.toml"));
    let at_limit = text.replace(
        "\"Asked to.\"",
        &format!("\"{}\"", "é".repeat(MAX_TEXT_CHARS)),
    );
    assert_eq!(
        parse_ok(&name, &at_limit).steps[0].entry.chars().count(),
        MAX_TEXT_CHARS
    );
    let over = text.replace(
        "\"Asked to.\"",
        &format!("\"{}\"", "é".repeat(MAX_TEXT_CHARS + 1)),
    );
    let errors = parse_err(&name, &over);
    assert_eq!(
        errors,
        vec![format!(
            "{name}:17: `entry`: text is 2001 characters long; the limit is 2000"
        )]
    );
}

fn minimal_text() -> String {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbooks/good/minimal.toml")).1
}

#[test]
fn odd_shapes_are_reported_with_their_line() {
    let base = minimal_text();
    let cases = [
        (
            base.replace("[[step]]", "[step]"),
            vec!["13: `step`: invalid type: map, expected a sequence"],
        ),
        (
            base.replace("items = [\"The one thing\"]", "items = [1, \"x\", {a = 1}]"),
            vec!["20: `items`: invalid type: integer `1`, expected a string"],
        ),
        (
            base.replace("key = \"minimal\"", "key.sub = \"minimal\""),
            vec!["3: `key`: invalid type: map"],
        ),
        (
            base.replace(
                "key = \"do-it\"",
                "key = \"do-it\"\nmeta = { a = 1, b = [1] }",
            ),
            vec!["15: unknown field `meta`"],
        ),
        (
            format!("step = 5\nescalation = \"x\"\n{base}").replace("[[", "[[x"),
            vec![
                "1: `step`: invalid type: integer `5`, expected a sequence",
                "2: `escalation`: invalid type: string \"x\", expected a sequence",
                "11: unknown field `xescalation`",
                "15: unknown field `xstep`",
            ],
        ),
        (
            base.replace("\"2025-01-01\"", "2025-01-01T10:00:00Z"),
            vec!["7: `last_reviewed`: '2025-01-01T10:00:00Z' is not a date"],
        ),
        (
            base.replace("\"support\"", "\"Support\""),
            vec!["16: `owner`: unknown role 'Support'"],
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let errors = parse_err("odd.toml", text);
        assert_eq!(errors.len(), expected.len(), "case {i}: {errors:#?}");
        for (got, want) in errors.iter().zip(expected) {
            assert!(
                got.starts_with(&format!("odd.toml:{want}")),
                "case {i}: {got}"
            );
        }
    }
}

#[test]
fn a_file_full_of_problems_is_reported_in_bounded_time() {
    let mut text = minimal_text();
    for i in 0..1_000 {
        text.push_str(&format!("unknown{i} = 1\n"));
    }
    let errors = parse_err("many.toml", &text);
    assert_eq!(errors.len(), MAX_STRUCTURE_ERRORS + 1);
    assert!(errors[0].starts_with("many.toml:1: too many problems: stopped after 100"));
}

/// Deleting any one line or cutting the file anywhere never panics, and every
/// reported line lies within the file.
#[test]
fn damaged_starter_files_never_panic() {
    for path in toml_files("assets/playbooks") {
        let (name, text) = read(&path);
        let lines: Vec<&str> = text.lines().collect();
        let mut variants: Vec<String> = (0..lines.len())
            .map(|skip| {
                let mut kept = lines.clone();
                kept.remove(skip);
                kept.join("\n")
            })
            .collect();
        variants.extend(
            text.char_indices()
                .step_by(23)
                .map(|(cut, _)| text[..cut].to_string()),
        );
        for variant in variants {
            let count = variant.lines().count().max(1);
            if let Err(errors) = parse_playbook(&name, &variant, ROLES) {
                assert!(!errors.is_empty());
                for e in errors {
                    assert!(e.line >= 1 && e.line <= count + 1, "{e} (of {count} lines)");
                }
            }
        }
    }
}
