//! The SLO file format: the starter asset, written rules, and errors with lines.

use super::parse_slos;
use crate::domain::budget::{
    default_burn_rules, BurnRule, BurnSeverity, EventSource, GoodCriterion,
};
use crate::domain::{DAY, HOUR};

#[test]
fn starter_slos_parse() {
    let slos = parse_slos(
        "assets/slos.toml",
        include_str!("../../../../assets/slos.toml"),
    )
    .expect("assets/slos.toml parses");
    let keys: Vec<&str> = slos.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "on_time_fulfilment",
            "support_first_response",
            "billing_correct"
        ]
    );
    let objectives: Vec<f64> = slos.iter().map(|s| s.objective).collect();
    assert_eq!(objectives, [0.95, 0.90, 0.99]);
    assert!(slos.iter().all(|s| s.window_secs == 28 * DAY));
    assert!(slos
        .iter()
        .all(|s| s.burn_rules == default_burn_rules(28 * DAY)));
    assert_eq!(
        slos[1].source,
        EventSource::WorkItems {
            work_kind: "ticket".into(),
            segment: None,
            good: GoodCriterion::ClosedWithin { secs: 4 * HOUR },
        }
    );
    assert_eq!(slos[0].playbook.as_deref(), Some("incident-response"));
}

const GOOD_SLO: &str = r#"[[slo]]
key = "k"
name = "K"
objective = 0.9
window = "7d"
source = "work_items"
work_kind = "order"
segment = "urgent"
good = "no_deviation"
min_events = 3

[[slo.burn_rule]]
severity = "ticket"
long_window = "12h"
factor = 2.5
"#;

#[test]
fn written_burn_rules_are_used_as_given() {
    let slos = parse_slos("x.toml", GOOD_SLO).unwrap();
    assert_eq!(slos[0].min_events, 3);
    assert_eq!(
        slos[0].burn_rules,
        vec![BurnRule {
            severity: BurnSeverity::Ticket,
            long_window_secs: 12 * HOUR,
            short_window_secs: HOUR,
            factor: 2.5,
        }]
    );
    let off = GOOD_SLO
        .split("[[slo.burn_rule]]")
        .next()
        .unwrap_or_default()
        .to_string()
        + "burn_rule = []\n";
    assert!(parse_slos("x.toml", &off).unwrap()[0].burn_rules.is_empty());
}

fn errors(text: &str) -> Vec<String> {
    match parse_slos("slos.toml", text) {
        Ok(_) => vec![],
        Err(errs) => errs.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn validation_errors_carry_lines() {
    let text = r#"[[slo]]
key = "Bad Key"
name = ""
objective = 1.5
window = "28x"
source = "tickets"
work_kind = "order"
good = "late"
min_events = 0

[[slo.burn_rule]]
severity = "sms"
long_window = "60d"
factor = 0

[[slo]]
key = "a"
name = "A"
objective = 0.95
window = "2h"
source = "work_items"
work_kind = "order"
good = "closed_within:4q"

[[slo]]
key = "a"
name = "A again"
objective = 0.95
window = "28d"
source = "work_items"
work_kind = "order"
good = "on_time"
"#;
    let errs = errors(text);
    let lines: Vec<&str> = errs
        .iter()
        .map(|e| e.split(": ").next().unwrap_or_default())
        .collect();
    assert_eq!(
        lines,
        [
            "slos.toml:2",
            "slos.toml:3",
            "slos.toml:4",
            "slos.toml:5",
            "slos.toml:6",
            "slos.toml:8",
            "slos.toml:9",
            "slos.toml:12",
            "slos.toml:14",
            "slos.toml:20",
            "slos.toml:23",
            "slos.toml:26",
        ],
        "{errs:#?}"
    );
    assert!(errs[2].contains("strictly between 0 and 1"), "{}", errs[2]);
    assert!(errs[4].contains("unknown source 'tickets'"), "{}", errs[4]);
    assert!(errs[7].contains("unknown severity 'sms'"), "{}", errs[7]);
    assert!(errs[9].contains("between 1d and 366d"), "{}", errs[9]);
    assert!(errs[11].contains("duplicate SLO key 'a'"), "{}", errs[11]);
}

#[test]
fn burn_rule_errors_carry_lines() {
    let text = GOOD_SLO
        .replace("severity = \"ticket\"", "severity = \"sms\"")
        .replace("long_window = \"12h\"", "long_window = \"8d\"")
        .replace("factor = 2.5", "factor = -1.0");
    let errs = errors(&text);
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(
        errs[0].starts_with("slos.toml:13: unknown severity 'sms'"),
        "{}",
        errs[0]
    );
    assert!(
        errs[1].starts_with("slos.toml:14: long_window must not be longer"),
        "{}",
        errs[1]
    );
    assert!(
        errs[2].starts_with("slos.toml:15: factor -1 must be"),
        "{}",
        errs[2]
    );
}

#[test]
fn shape_errors_carry_lines() {
    // A typo in a field name is an error, not a silent default.
    let typo = GOOD_SLO.replace("min_events = 3", "min_event = 3");
    let errs = errors(&typo);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("slos.toml:10: "), "{}", errs[0]);
    assert!(errs[0].contains("min_event"), "{}", errs[0]);
    // Wrong type.
    let errs = errors(&GOOD_SLO.replace("objective = 0.9", "objective = \"high\""));
    assert!(errs[0].starts_with("slos.toml:4: "), "{errs:?}");
    // Syntax error.
    let errs = errors("[[slo]]\nkey = \"k\"\nname = \n");
    assert!(errs[0].starts_with("slos.toml:3: "), "{errs:?}");
    // Unknown top-level table.
    let errs = errors("[[slos]]\nkey = \"k\"\n");
    assert!(errs[0].starts_with("slos.toml:1: "), "{errs:?}");
    // An empty file has no SLOs.
    assert_eq!(parse_slos("slos.toml", "").map(|v| v.len()), Ok(0));
}
