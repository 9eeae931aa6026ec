//! Issue 15, deliverable 2: the `:` command line (the CLI's own verbs,
//! parsed by the same clap definitions, with completion and history) and
//! the day-to-day actions of the cockpit, over the demo data at a fixed
//! clock: each writes what the CLI would, audited under the user's name.

use crate::common::screens::{count, demo_store, key, typed, NOW};
use clap::Parser;
use crossterm::event::KeyCode;
use opsdeck::cli::{AlertCommand, Cli, Command, RunCommand};
use opsdeck::commands::cmdline::ClapCommandLine;
use opsdeck::domain::alert_rules::Severity;
use opsdeck::store::Store;
use opsdeck::tui::action::{Action, Effect};
use opsdeck::tui::app::{App, View};
use opsdeck::tui::cmdline::{CommandLine, Parsed};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::state::alerts::AlertOp;
use opsdeck::tui::state::playbooks::{ItemChangeKind, ListRow, RunEffect};
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};
use std::sync::Arc;

fn app_with_cmdline(store: &mut Store, view: View) -> App {
    let mut app = loaded_app(store, view, NOW, Theme::mono());
    app.cmdline = Some(Arc::new(ClapCommandLine));
    app
}

/// The demo's models as the command line sees them (`:` loads the board
/// and the runs wherever it is opened).
fn models_with_cmdline(store: &mut Store) -> App {
    let mut app = app_with_cmdline(store, View::Alerts);
    key(store, &mut app, KeyCode::Char(':'));
    app
}

fn parse(app: &App, line: &str) -> Result<Parsed, String> {
    ClapCommandLine.parse(line, &app.models, NOW)
}

fn complete(app: &App, line: &str) -> Vec<String> {
    ClapCommandLine.complete(line, &app.models)
}

fn line_text(app: &App) -> String {
    match &app.popup {
        Some(Popup::Command(p)) => p.input.value().to_string(),
        other => panic!("expected the command line, got {other:?}"),
    }
}

fn audit_actor(store: &Store, action: &str, entity: &str) -> String {
    store
        .raw_conn_for_tests()
        .query_row(
            "SELECT actor FROM audit WHERE action = ?1 AND entity = ?2 ORDER BY id DESC LIMIT 1",
            [action, entity],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn alert_ack_parses_to_what_the_cli_runs() {
    let mut store = demo_store();
    let app = models_with_cmdline(&mut store);
    // What the CLI itself makes of the same words (quoted as a shell needs).
    let cli = Cli::try_parse_from(["opsdeck", "alert", "ack", "12", "--note", "on it"]).unwrap();
    let Some(Command::Alert {
        action: AlertCommand::Ack { id, note },
    }) = cli.command
    else {
        panic!("the CLI parses an ack");
    };
    let parsed = parse(&app, "alert ack 12 --note on it").unwrap();
    assert_eq!(
        parsed.effect,
        Effect::Alert {
            id,
            op: AlertOp::Ack,
            note: note.clone(),
        }
    );
    assert_eq!((id, note.as_deref()), (12, Some("on it")));
    // Acknowledging cannot be undone: it asks, naming the alert.
    let prompt = parsed.confirm.unwrap();
    assert!(prompt.contains("#12 Checklist run overdue"), "{prompt}");
    // Quoted, `#12`, and with the program name: the same.
    for line in [
        "alert ack '#12' --note \"on it\"",
        "opsdeck alert ack 12 --note on it",
    ] {
        assert_eq!(parse(&app, line).unwrap().effect, parsed.effect, "{line}");
    }
}

#[test]
fn run_start_parses_to_a_start_with_its_context() {
    let mut store = demo_store();
    let app = models_with_cmdline(&mut store);
    let cli = Cli::try_parse_from([
        "opsdeck",
        "run",
        "start",
        "order-fulfilment",
        "--for",
        "ORD-1",
    ])
    .unwrap();
    let Some(Command::Run {
        command: RunCommand::Start { key, context, due },
    }) = cli.command
    else {
        panic!("the CLI parses a start");
    };
    assert_eq!(due, None);
    let parsed = parse(&app, "run start order-fulfilment --for ORD-1").unwrap();
    assert_eq!(
        parsed.effect,
        Effect::StartRun {
            key,
            context,
            due: None
        }
    );
    assert!(parsed
        .confirm
        .unwrap()
        .contains("order-fulfilment for ORD-1"));
    // `--due` as the CLI reads it: a duration from now.
    let due = parse(&app, "run start incident-response --due 4h").unwrap();
    assert_eq!(
        due.effect,
        Effect::StartRun {
            key: "incident-response".into(),
            context: None,
            due: Some(NOW + 4 * 3600)
        }
    );
}

#[test]
fn every_supported_verb_maps_to_the_effect_its_key_makes() {
    let mut store = demo_store();
    let app = models_with_cmdline(&mut store);
    let effect = |line: &str| parse(&app, line).unwrap().effect;
    assert_eq!(
        effect("alert pause 4 --reason waiting on the courier"),
        Effect::Alert {
            id: 4,
            op: AlertOp::Pause {
                reason: "waiting on the courier".into()
            },
            note: None
        }
    );
    assert_eq!(
        effect("alert resume 4"),
        Effect::Alert {
            id: 4,
            op: AlertOp::Resume,
            note: None
        }
    );
    assert_eq!(
        effect("alert snooze 4 2h"),
        Effect::Alert {
            id: 4,
            op: AlertOp::Snooze { until: NOW + 7200 },
            note: None
        }
    );
    assert_eq!(
        effect("alert raise \"Van broke down\" --severity critical --playbook incident-response"),
        Effect::RaiseAlert {
            title: "Van broke down".into(),
            severity: Severity::Critical,
            note: None,
            playbook: Some("incident-response".into())
        }
    );
    assert_eq!(
        effect("run skip #3 pack.2 --reason out of stock"),
        Effect::Run(RunEffect::Item {
            run: 3,
            item: "pack.2".into(),
            change: ItemChangeKind::Skip("out of stock".into()),
            override_reason: None
        })
    );
    // Checking an item can be undone: it runs at once.
    let done = parse(&app, "run done 3 pack.1").unwrap();
    assert!(done.confirm.is_none());
    let recorded = app
        .models
        .board
        .as_ref()
        .unwrap()
        .readings
        .iter()
        .find(|r| r.def.source == opsdeck::domain::indicator::Source::Observations)
        .unwrap();
    assert_eq!(
        effect(&format!(
            "record {} 14 --note after the sale",
            recorded.def.key
        )),
        Effect::Record {
            indicator_id: recorded.id,
            key: recorded.def.key.clone(),
            value: Some(14.0),
            note: Some("after the sale".into())
        }
    );
    assert_eq!(
        effect("observation correct 7 12.5 --reason typo"),
        Effect::Correct {
            id: 7,
            value: 12.5,
            reason: "typo".into()
        }
    );
    match effect(
        "decision add \"Keep the courier\" --evidence experiment:b2b-courier --why it holds",
    ) {
        Effect::AddDecision {
            title,
            why,
            evidence,
            supersedes,
        } => {
            assert_eq!(
                (title.as_str(), why.as_str()),
                ("Keep the courier", "it holds")
            );
            assert_eq!(evidence.len(), 1);
            assert_eq!(evidence[0].to_string(), "experiment:b2b-courier");
            assert_eq!(supersedes, None);
        }
        other => panic!("{other:?}"),
    }
    match effect("feedback add --ease 4 --reliability 5 --value 3 --segment b2b --comment slow van")
    {
        Effect::AddFeedback(row) => {
            assert_eq!((row.ease, row.reliability, row.value), (4, 5, 3));
            assert_eq!(row.segment.as_deref(), Some("b2b"));
            assert_eq!(row.comment.as_deref(), Some("slow van"));
            assert_eq!((row.at, row.channel.as_str()), (NOW, "survey"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_lines_are_refused_with_clap_s_message() {
    let mut store = demo_store();
    let app = models_with_cmdline(&mut store);
    let clap_first_line = |argv: &[&str]| {
        let e = Cli::try_parse_from(argv).unwrap_err().render().to_string();
        e.lines()
            .next()
            .unwrap()
            .trim_start_matches("error: ")
            .to_string()
    };
    for (line, argv) in [
        ("alert ack", &["opsdeck", "alert", "ack"][..]),
        (
            "alert frobnicate 3",
            &["opsdeck", "alert", "frobnicate", "3"][..],
        ),
        (
            "alert ack twelve",
            &["opsdeck", "alert", "ack", "twelve"][..],
        ),
        ("run start", &["opsdeck", "run", "start"][..]),
        (
            "alert raise x --severity huge",
            &["opsdeck", "alert", "raise", "x", "--severity", "huge"][..],
        ),
    ] {
        let err = parse(&app, line).unwrap_err();
        let first = clap_first_line(argv);
        assert!(err.starts_with(&first), "{line}: {err:?} vs clap {first:?}");
        assert!(err.contains("see 'opsdeck"), "{line}: {err}");
    }
    // Our own checks name the field, as the CLI's do.
    assert!(
        parse(&app, "feedback add --ease 9 --reliability 5 --value 3")
            .unwrap_err()
            .contains("--ease")
    );
    assert!(parse(&app, "run start x --due someday")
        .unwrap_err()
        .starts_with("--due:"));
    assert!(parse(&app, "record nope 3")
        .unwrap_err()
        .starts_with("INDICATOR:"));
    assert!(parse(&app, "record wip 3").unwrap_err().contains("derived"));
    assert!(parse(&app, "decision add t --why w --evidence nothing:3")
        .unwrap_err()
        .starts_with("--evidence:"));
    assert!(parse(&app, "alert raise x --playbook nope")
        .unwrap_err()
        .starts_with("--playbook: no playbook 'nope'"));
    assert!(parse(&app, "alert raise \"unclosed").is_err());
    // A valid command that is not for the cockpit says so.
    assert_eq!(
        parse(&app, "status").unwrap_err(),
        "`opsdeck status` runs from the shell, not the cockpit"
    );
    assert_eq!(
        parse(&app, "backup /tmp/x").unwrap_err(),
        "`opsdeck backup` runs from the shell, not the cockpit"
    );
    assert_eq!(
        parse(&app, "playbook list").unwrap_err(),
        "`opsdeck playbook list` runs from the shell, not the cockpit"
    );
    assert_eq!(
        parse(&app, "alert list --all").unwrap_err(),
        "`opsdeck alert list` runs from the shell, not the cockpit"
    );
}

#[test]
fn completion_of_verbs_flags_keys_and_ids() {
    let mut store = demo_store();
    let app = models_with_cmdline(&mut store);
    let all = complete(&app, "");
    for v in ["alert", "run", "record", "decision", "feedback", "status"] {
        assert!(all.contains(&v.to_string()), "{v} in {all:?}");
    }
    assert!(!all.contains(&"help".to_string()));
    assert_eq!(complete(&app, "al"), vec!["alert"]);
    assert_eq!(complete(&app, "alert res"), vec!["resolve", "resume"]);
    assert_eq!(
        complete(&app, "alert ack 1"),
        vec!["14", "10", "11", "12", "13"]
    );
    assert_eq!(
        complete(&app, "run start "),
        vec![
            "daily-standup",
            "incident-response",
            "order-fulfilment",
            "support-ticket",
            "weekly-ops-review"
        ]
    );
    assert_eq!(
        complete(&app, "run start order-fulfilment --"),
        vec!["--for", "--due"]
    );
    assert_eq!(complete(&app, "run done "), vec!["3", "6", "7", "5", "8"]);
    let items = complete(&app, "run done 3 ");
    assert!(
        !items.is_empty() && items.iter().all(|i| i.contains('.')),
        "{items:?}"
    );
    assert_eq!(complete(&app, "record w"), vec!["wip"]);
    assert_eq!(
        complete(&app, "alert raise x --severity "),
        vec!["info", "warning", "critical"]
    );
    assert_eq!(
        complete(&app, "alert raise x --playbook inc"),
        vec!["incident-response"]
    );
    assert!(complete(&app, "decision add x --evidence indicator:w")
        .contains(&"indicator:wip".to_string()));
    assert!(complete(&app, "zzz").is_empty());
}

#[test]
fn tab_completes_in_the_line_and_lists_the_choices() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    key(&mut store, &mut app, KeyCode::Char(':'));
    typed(&mut store, &mut app, "al");
    key(&mut store, &mut app, KeyCode::Tab);
    assert_eq!(line_text(&app), "alert ");
    typed(&mut store, &mut app, "res");
    key(&mut store, &mut app, KeyCode::Tab);
    assert_eq!(line_text(&app), "alert res");
    let Some(Popup::Command(p)) = &app.popup else {
        panic!()
    };
    assert_eq!(p.candidates, vec!["resolve", "resume"]);
    typed(&mut store, &mut app, "o");
    key(&mut store, &mut app, KeyCode::Tab);
    assert_eq!(line_text(&app), "alert resolve ");
    insta::assert_snapshot!("cmdline_typed_80x24", render_to_text(&app, 80, 24));
}

#[test]
fn history_walks_the_submitted_lines() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    for line in ["alert ack", "run start"] {
        key(&mut store, &mut app, KeyCode::Char(':'));
        typed(&mut store, &mut app, line);
        key(&mut store, &mut app, KeyCode::Enter);
        // Refused: the line stays, with clap's reason.
        assert_eq!(line_text(&app), line);
        key(&mut store, &mut app, KeyCode::Esc);
    }
    assert_eq!(app.history, vec!["alert ack", "run start"]);
    key(&mut store, &mut app, KeyCode::Char(':'));
    typed(&mut store, &mut app, "draft");
    key(&mut store, &mut app, KeyCode::Up);
    assert_eq!(line_text(&app), "run start");
    key(&mut store, &mut app, KeyCode::Up);
    assert_eq!(line_text(&app), "alert ack");
    key(&mut store, &mut app, KeyCode::Up);
    assert_eq!(line_text(&app), "alert ack", "the oldest stays");
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(line_text(&app), "run start");
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(line_text(&app), "draft", "the line being typed comes back");
}

#[test]
fn a_refused_line_shows_clap_s_message_at_both_sizes() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    key(&mut store, &mut app, KeyCode::Char(':'));
    typed(&mut store, &mut app, "alert ack");
    key(&mut store, &mut app, KeyCode::Enter);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("the following required arguments"), "{text}");
    insta::assert_snapshot!("cmdline_refused_80x24", text);
    insta::assert_snapshot!("cmdline_refused_120x40", render_to_text(&app, 120, 40));
}

#[test]
fn command_line_with_completion_at_both_sizes() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Playbooks);
    key(&mut store, &mut app, KeyCode::Char(':'));
    typed(&mut store, &mut app, "run start ");
    key(&mut store, &mut app, KeyCode::Tab);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("incident-response"), "{text}");
    insta::assert_snapshot!("cmdline_completion_80x24", text);
    insta::assert_snapshot!("cmdline_completion_120x40", render_to_text(&app, 120, 40));
}

#[test]
fn ack_from_the_command_line_writes_what_the_cli_would() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Cockpit);
    key(&mut store, &mut app, KeyCode::Char(':'));
    typed(&mut store, &mut app, "alert ack 12 --note on it");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(app.popup, Some(Popup::Confirm { .. })));
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert!(app.popup.is_none());
    let (state, actor, note): (String, String, Option<String>) = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT a.state, e.actor, e.note FROM alerts a JOIN alert_events e ON e.alert_id = a.id
             WHERE a.id = 12 ORDER BY e.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), actor.as_str()), ("acknowledged", "tester"));
    assert_eq!(note.as_deref(), Some("on it"));
}

#[test]
fn pause_and_resume_from_the_alerts_view() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    let id = app.alert_rows()[app.selected()].id;
    key(&mut store, &mut app, KeyCode::Char('p'));
    assert_eq!(line_text(&app), format!("alert pause {id} --reason "));
    typed(&mut store, &mut app, "supplier on it");
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('y'));
    let paused = |store: &Store| -> (i64, Option<String>) {
        store
            .raw_conn_for_tests()
            .query_row(
                "SELECT paused, pause_reason FROM alerts WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(paused(&store), (1, Some("supplier on it".into())));
    key(&mut store, &mut app, KeyCode::Char('u'));
    assert_eq!(line_text(&app), format!("alert resume {id}"));
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(paused(&store).0, 0);
    let kinds: i64 = count(
        &store,
        &format!("SELECT count(*) FROM alert_events WHERE alert_id = {id} AND actor = 'tester' AND kind IN ('paused', 'resumed')"),
    );
    assert_eq!(kinds, 2);
}

#[test]
fn raise_an_alert_that_starts_an_incident_run() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    let runs_before = count(&store, "SELECT count(*) FROM checklist_runs");
    key(&mut store, &mut app, KeyCode::Char('!'));
    assert_eq!(line_text(&app), "alert raise \"\" --severity warning");
    typed(&mut store, &mut app, "Roastery flooded");
    key(&mut store, &mut app, KeyCode::End);
    for _ in 0.."warning".len() {
        key(&mut store, &mut app, KeyCode::Backspace);
    }
    typed(
        &mut store,
        &mut app,
        "critical --playbook incident-response",
    );
    insta::assert_snapshot!("cmdline_raise_alert_80x24", render_to_text(&app, 80, 24));
    insta::assert_snapshot!("cmdline_raise_alert_120x40", render_to_text(&app, 120, 40));
    key(&mut store, &mut app, KeyCode::Enter);
    match &app.popup {
        Some(Popup::Confirm { prompt, .. }) => assert!(
            prompt.contains(
                "Raise critical alert \"Roastery flooded\" and start an incident-response run"
            ),
            "{prompt}"
        ),
        other => panic!("{other:?}"),
    }
    key(&mut store, &mut app, KeyCode::Char('y'));
    let (severity, run_id): (String, Option<i64>) = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT severity, run_id FROM alerts WHERE title = 'Roastery flooded'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(severity, "critical");
    let run_id = run_id.expect("a run is linked");
    assert_eq!(
        count(&store, "SELECT count(*) FROM checklist_runs"),
        runs_before + 1
    );
    let playbook: String = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT p.key FROM checklist_runs r JOIN playbook_versions v ON v.id = r.version_id
             JOIN playbooks p ON p.id = v.playbook_id WHERE r.id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(playbook, "incident-response");
    assert_eq!(audit_actor(&store, "start", "run"), "tester");
    let flash = app.flash.clone().unwrap().0;
    assert!(flash.contains(&format!("started run #{run_id}")), "{flash}");
}

#[test]
fn start_a_run_from_the_playbooks_view() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Playbooks);
    let at = {
        let m = app.models.runs.as_ref().unwrap();
        app.ui
            .playbooks
            .rows(m)
            .iter()
            .position(|r| matches!(r, ListRow::Playbook(p) if p.key == "order-fulfilment"))
            .unwrap()
    };
    dispatch(&mut store, &mut app, Action::Move(at as i32));
    key(&mut store, &mut app, KeyCode::Char('S'));
    assert_eq!(line_text(&app), "run start order-fulfilment --for ");
    typed(&mut store, &mut app, "ORD-1 --due 4h");
    key(&mut store, &mut app, KeyCode::Enter);
    insta::assert_snapshot!("cmdline_start_run_80x24", render_to_text(&app, 80, 24));
    insta::assert_snapshot!("cmdline_start_run_120x40", render_to_text(&app, 120, 40));
    key(&mut store, &mut app, KeyCode::Char('y'));
    let (context, due): (Option<String>, Option<i64>) = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT context, due_at FROM checklist_runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(context.as_deref(), Some("ORD-1"));
    assert_eq!(due, Some(NOW + 4 * 3600));
    assert_eq!(audit_actor(&store, "start", "run"), "tester");
}

#[test]
fn add_a_decision_from_the_experiments_view() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Experiments);
    let exp = app.ui.experiments.list.selected().unwrap().clone();
    let before = count(&store, "SELECT count(*) FROM decisions");
    key(&mut store, &mut app, KeyCode::Char('d'));
    assert_eq!(
        line_text(&app),
        format!("decision add \"\" --evidence experiment:{exp} --why ")
    );
    typed(&mut store, &mut app, "Roll it out");
    key(&mut store, &mut app, KeyCode::End);
    typed(&mut store, &mut app, "the primary criterion holds");
    insta::assert_snapshot!("cmdline_decision_80x24", render_to_text(&app, 80, 24));
    insta::assert_snapshot!("cmdline_decision_120x40", render_to_text(&app, 120, 40));
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(count(&store, "SELECT count(*) FROM decisions"), before + 1);
    let (title, why, actor): (String, String, String) = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT title, why, actor FROM decisions ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (title.as_str(), why.as_str(), actor.as_str()),
        ("Roll it out", "the primary criterion holds", "tester")
    );
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM decision_evidence WHERE decision_id = (SELECT max(id) FROM decisions) AND reference = 'experiment:{exp}'")
        ),
        1
    );
}

#[test]
fn add_feedback_from_the_feedback_view() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Feedback);
    let before = count(&store, "SELECT count(*) FROM feedback");
    key(&mut store, &mut app, KeyCode::Char('n'));
    assert_eq!(line_text(&app), "feedback add --ease ");
    typed(
        &mut store,
        &mut app,
        "4 --reliability 5 --value 3 --channel support --comment van was late",
    );
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(count(&store, "SELECT count(*) FROM feedback"), before + 1);
    let row: (i64, i64, i64, String, Option<String>) = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT ease, reliability, value, channel, comment FROM feedback ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (4, 5, 3, "support".into(), Some("van was late".into()))
    );
    assert_eq!(audit_actor(&store, "record", "feedback"), "tester");
}

#[test]
fn the_colon_key_is_in_the_help_and_remappable() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Work);
    key(&mut store, &mut app, KeyCode::Char('?'));
    let text = render_to_text(&app, 120, 40);
    assert!(text.contains("command line"), "{text}");
    key(&mut store, &mut app, KeyCode::Esc);
    // Without a command line (a snapshot), `:` says so and writes nothing.
    let mut plain = loaded_app(&mut store, View::Work, NOW, Theme::mono());
    key(&mut store, &mut plain, KeyCode::Char(':'));
    assert!(plain.popup.is_none());
}

/// A value far from its indicator's recent ones, recorded in the cockpit
/// (`:record` and `n`), is marked for review as `opsdeck record` marks it,
/// and the message says so.
#[test]
fn a_far_value_recorded_in_the_cockpit_is_marked_for_review() {
    let mut store = demo_store();
    let marked = |store: &Store| {
        count(
            store,
            "SELECT count(*) FROM observations WHERE review IS NOT NULL",
        )
    };
    let before = marked(&store);
    let mut app = models_with_cmdline(&mut store);
    typed(&mut store, &mut app, "record billing_error_rate 95");
    key(&mut store, &mut app, KeyCode::Enter);
    if matches!(app.popup, Some(Popup::Confirm { .. })) {
        key(&mut store, &mut app, KeyCode::Char('y'));
    }
    let flash = app.flash.as_ref().map(|f| f.0.clone()).unwrap_or_default();
    assert!(flash.contains("? marked for review"), "{flash}");
    assert_eq!(marked(&store), before + 1);
    // The same through `n` on the Indicators view.
    let mut app = app_with_cmdline(&mut store, View::Indicators);
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "billing");
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('n'));
    typed(&mut store, &mut app, "97 typo?");
    key(&mut store, &mut app, KeyCode::Enter);
    let flash = app.flash.as_ref().map(|f| f.0.clone()).unwrap_or_default();
    assert!(flash.contains("? marked for review"), "{flash}");
    assert_eq!(marked(&store), before + 2);
}
