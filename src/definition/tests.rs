//! The folder format on its own: the starter set parses, writing it back and
//! reading it again gives the same definition, and the plan of a definition
//! against itself is empty.

use super::*;
use crate::domain::playbook::EscalationTarget;

fn starter() -> Vec<(String, String)> {
    let mut files = vec![
        (
            OPERATION_FILE.to_string(),
            include_str!("../../assets/operation.toml").to_string(),
        ),
        (
            INDICATORS_FILE.to_string(),
            include_str!("../../assets/indicators.toml").to_string(),
        ),
    ];
    files.push((
        SLOS_FILE.to_string(),
        include_str!("../../assets/slos.toml").to_string(),
    ));
    files.push((
        "playbooks/incident-response.toml".to_string(),
        include_str!("../../assets/playbooks/incident-response.toml").to_string(),
    ));
    files
}

#[test]
fn the_starter_set_round_trips_through_the_writer() {
    let def = parse_folder(&starter()).unwrap();
    assert_eq!(def.operation.company, "My operation");
    assert_eq!(def.operation.timezone, "UTC");
    assert!(def.operation.people.iter().any(|p| p.name == "founder"));
    assert_eq!(
        def.operation.alerts.escalation[0].target,
        EscalationTarget::Role("ops-lead".into())
    );
    let again = parse_folder(&to_files(&def)).unwrap();
    assert_eq!(again, def);
    let p = plan(&def, &Retired::default(), &again, true);
    assert!(p.changes.is_empty(), "{:?}", p.changes);
    assert!(p.kept.is_empty());
}

#[test]
fn the_plan_names_each_change_and_prune_decides_kept_or_retired() {
    let current = parse_folder(&starter()).unwrap();
    let mut desired = current.clone();
    desired.indicators.retain(|i| i.key != "wip");
    let on_time = desired
        .indicators
        .iter_mut()
        .find(|i| i.key == "on_time_rate")
        .unwrap();
    on_time.target = 97.0;
    on_time.warn = 92.0;
    desired.operation.capacity[0].units_per_day = 25.0;
    let kept = plan(&current, &Retired::default(), &desired, false);
    let lines = kept.lines("ops");
    assert!(
        lines.contains(&"~ indicator on_time_rate: target 95 → 97, warn 90 → 92".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"~ capacity order: 20 → 25 per day".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"  kept (not in ops): indicator wip".to_string()),
        "{lines:?}"
    );
    let pruned = plan(&current, &Retired::default(), &desired, true);
    assert!(pruned
        .changes
        .contains(&Change::RetireIndicator("wip".into())));
    let back = plan(
        &desired,
        &Retired {
            indicators: vec!["wip".into()],
            ..Retired::default()
        },
        &current,
        false,
    );
    assert!(back
        .lines("ops")
        .contains(&"+ indicator wip (returns with its history)".to_string()));
}

#[test]
fn every_problem_is_reported_with_file_line_and_field() {
    let mut files = starter();
    files[1].1 = files[1]
        .1
        .replacen("window = \"7d\"", "window = \"weekly\"", 1);
    files.push(("indicator.toml".into(), String::new()));
    let errors = parse_folder(&files).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.starts_with("indicator.toml:1: file: not part of")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|e| e.starts_with("indicators.toml:") && e.contains(": window: 'weekly'")),
        "{text:?}"
    );
    // References across files are checked once every file reads.
    let mut files = starter();
    files[1].1 = files[1]
        .1
        .replacen("owner = \"fulfilment\"", "owner = \"sales\"", 1);
    let errors = parse_folder(&files).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].to_string().starts_with("indicators.toml:"),
        "{errors:?}"
    );
    assert!(
        errors[0].message.starts_with("owner: unknown role 'sales'"),
        "{errors:?}"
    );
    let missing = parse_folder(&[]).unwrap_err();
    assert_eq!(missing[0].to_string(), "operation.toml:1: file: missing");
}
