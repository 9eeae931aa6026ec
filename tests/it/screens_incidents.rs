//! Issue 19 point 5 for incidents: `I` in the Alerts view declares one from
//! the selected alert (the `:` line prefilled, then a confirmation naming
//! the alert ids), the incident's detail (timeline and action items) at
//! 80x24 and 120x40, Enter from an alert's detail to its incident, and
//! `:incident …` parsed as the CLI parses it.

use crate::common::screens::{count, demo_store, key, NOW};
use clap::Parser;
use crossterm::event::KeyCode;
use opsdeck::cli::incident::IncidentCommand;
use opsdeck::cli::{Cli, Command};
use opsdeck::commands::cmdline::ClapCommandLine;
use opsdeck::domain::alert_rules::Severity;
use opsdeck::domain::incident::IncidentState;
use opsdeck::store::Store;
use opsdeck::tui::action::{Action, Effect};
use opsdeck::tui::app::{App, View};
use opsdeck::tui::cmdline::CommandLine;
use opsdeck::tui::popups::Popup;
use opsdeck::tui::state::incident::IncidentOp;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};
use std::sync::Arc;

fn alerts_app(store: &mut Store) -> App {
    let mut app = loaded_app(store, View::Alerts, NOW, Theme::mono());
    app.cmdline = Some(Arc::new(ClapCommandLine));
    app
}

fn selected_alert(app: &App) -> (i64, String) {
    let row = app.alert_rows()[app.selected()];
    (row.id, row.title.clone())
}

#[test]
fn capital_i_declares_an_incident_holding_the_selected_alert() {
    let mut store = demo_store();
    let mut app = alerts_app(&mut store);
    dispatch(&mut store, &mut app, Action::Move(2));
    let (id, title) = selected_alert(&app);
    let before = count(&store, "SELECT count(*) FROM incidents");
    key(&mut store, &mut app, KeyCode::Char('I'));
    let Some(Popup::Command(p)) = &app.popup else {
        panic!("I opens the command line, got {:?}", app.popup);
    };
    assert_eq!(
        p.input.value(),
        format!("incident declare {id} --title \"{title}\"")
    );
    key(&mut store, &mut app, KeyCode::Enter);
    let Some(Popup::Confirm { prompt, .. }) = &app.popup else {
        panic!("it asks first, got {:?}", app.popup);
    };
    assert!(prompt.contains(&format!("from alert #{id}")), "{prompt}");
    // Nothing is written before the answer.
    assert_eq!(count(&store, "SELECT count(*) FROM incidents"), before);
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(count(&store, "SELECT count(*) FROM incidents"), before + 1);
    let new_id = count(&store, "SELECT max(id) FROM incidents");
    let incident = store.incident(new_id).unwrap();
    assert_eq!(
        incident.alerts,
        vec![id],
        "the incident holds the selected alert"
    );
    assert_eq!(incident.title, title);
    assert_eq!(incident.state, IncidentState::Open);
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM audit WHERE entity = 'incident' AND action = 'declare' AND entity_id = '{new_id}' AND actor = 'tester'")
        ),
        1
    );
    // The alert's detail names the incident; Enter opens its timeline, Esc
    // comes back to the alert.
    key(&mut store, &mut app, KeyCode::Enter);
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains(&format!("incident #{new_id}")) && text.contains("Enter: its timeline"),
        "{text}"
    );
    key(&mut store, &mut app, KeyCode::Enter);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains(&format!("Incident #{new_id} ·")), "{text}");
    assert!(text.contains("declared"), "{text}");
    key(&mut store, &mut app, KeyCode::Esc);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains(&format!("Alert #{id} ·")), "{text}");
    // Back in the list, the alert's line names its incident, and `I` on it
    // says so at once instead of asking for a title first.
    key(&mut store, &mut app, KeyCode::Esc);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains(&format!("↳ incident #{new_id}")), "{text}");
    key(&mut store, &mut app, KeyCode::Char('I'));
    assert!(app.popup.is_none(), "{:?}", app.popup);
    let flash = app.flash.as_ref().map(|f| f.0.clone()).unwrap_or_default();
    assert!(
        flash.contains(&format!(
            "alert #{id} already belongs to incident #{new_id}"
        )),
        "{flash}"
    );
}

#[test]
fn i_asks_and_no_changes_nothing() {
    let mut store = demo_store();
    let mut app = alerts_app(&mut store);
    key(&mut store, &mut app, KeyCode::Char('I'));
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(app.popup, Some(Popup::Confirm { .. })));
    key(&mut store, &mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none());
    assert_eq!(
        count(&store, "SELECT count(*) FROM incidents"),
        1,
        "the demo's own"
    );
}

fn incident_app(store: &mut Store) -> App {
    let mut app = alerts_app(store);
    let parsed = ClapCommandLine
        .parse("incident show 1", &app.models, NOW)
        .unwrap();
    assert_eq!(parsed.effect, Effect::ShowIncident(1));
    assert_eq!(parsed.confirm, None, "showing writes nothing");
    dispatch(store, &mut app, Action::OpenIncident(1));
    app
}

#[test]
fn the_demo_incident_detail_at_80x24_and_120x40() {
    let mut store = demo_store();
    let app = incident_app(&mut store);
    let small = render_to_text(&app, 80, 24);
    assert!(small.contains("Incident #1 · Courier API down"), "{small}");
    assert!(small.contains("late"), "the overdue action item: {small}");
    insta::assert_snapshot!("incident_detail_80x24", small);
    let large = render_to_text(&app, 120, 40);
    assert!(large.contains("review.4 done"), "{large}");
    insta::assert_snapshot!("incident_detail_120x40", large);
    for (w, h) in [(60, 16), (200, 60)] {
        let text = render_to_text(&app, w, h);
        assert!(!text.contains('\u{1b}'));
    }
}

#[test]
fn the_incident_timeline_scrolls_and_esc_closes_it() {
    let mut store = demo_store();
    let mut app = incident_app(&mut store);
    let first = render_to_text(&app, 80, 24);
    assert!(first.contains("1–"), "{first}");
    key(&mut store, &mut app, KeyCode::End);
    let last = render_to_text(&app, 80, 24);
    assert!(last.contains("action INC-1-1 done"), "{last}");
    assert_ne!(first, last);
    // Alert keys do nothing here: no popup, nothing written.
    key(&mut store, &mut app, KeyCode::Char('r'));
    assert!(app.popup.is_none());
    key(&mut store, &mut app, KeyCode::Esc);
    assert_eq!(app.ui.alerts.incident, None);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("Alerts ·"), "{text}");
}

#[test]
fn incident_commands_parse_like_the_cli() {
    let mut store = demo_store();
    let mut app = alerts_app(&mut store);
    key(&mut store, &mut app, KeyCode::Char(':'));
    let words = [
        "opsdeck",
        "incident",
        "declare",
        "3",
        "#5",
        "--title",
        "Roaster down",
        "--severity",
        "critical",
        "--commander",
        "Ana",
    ];
    let Some(Command::Incident {
        command:
            IncidentCommand::Declare {
                alerts,
                title,
                severity,
                commander,
                runs,
            },
    }) = Cli::try_parse_from(words).unwrap().command
    else {
        panic!("the CLI parses a declare");
    };
    let parsed = ClapCommandLine
        .parse(
            "incident declare 3 #5 --title Roaster down --severity critical --commander Ana",
            &app.models,
            NOW,
        )
        .unwrap();
    assert_eq!(
        parsed.effect,
        Effect::Incident(IncidentOp::Declare {
            alerts: alerts.clone(),
            title: title.clone(),
            severity: severity.map(|_| Severity::Critical),
            commander: commander.clone(),
            runs,
        })
    );
    assert_eq!(alerts, vec![3, 5]);
    assert_eq!(title, "Roaster down");
    let prompt = parsed.confirm.unwrap();
    assert!(
        prompt.contains("from alert #3") && prompt.contains("#5"),
        "{prompt}"
    );
    // Forward steps and action items, each confirmed.
    let p = ClapCommandLine
        .parse("incident resolve 1", &app.models, NOW)
        .unwrap();
    assert_eq!(
        p.effect,
        Effect::Incident(IncidentOp::Advance {
            id: 1,
            to: IncidentState::Resolved
        })
    );
    assert!(p.confirm.is_some());
    let p = ClapCommandLine
        .parse(
            "incident action 1 --owner Ben --due 2d \"Order a spare burner\"",
            &app.models,
            NOW,
        )
        .unwrap();
    assert_eq!(
        p.effect,
        Effect::Incident(IncidentOp::Action {
            id: 1,
            owner: "Ben".into(),
            due: NOW + 2 * 86_400,
            text: "Order a spare burner".into()
        })
    );
    // Bad input is refused with the CLI's words; the rest runs from the shell.
    let e = ClapCommandLine
        .parse("incident declare 3 --title", &app.models, NOW)
        .unwrap_err();
    assert!(e.contains("--title"), "{e}");
    let e = ClapCommandLine
        .parse("incident declare 3 --title \" \"", &app.models, NOW)
        .unwrap_err();
    assert!(e.contains("--title: is empty"), "{e}");
    let e = ClapCommandLine
        .parse("incident postmortem 1", &app.models, NOW)
        .unwrap_err();
    assert!(e.contains("runs from the shell"), "{e}");
    // Completion offers the verbs and the alert ids.
    let verbs = ClapCommandLine.complete("incident ", &app.models);
    for v in ["declare", "mitigate", "resolve", "review", "action", "show"] {
        assert!(verbs.contains(&v.to_string()), "{verbs:?}");
    }
    let ids = ClapCommandLine.complete("incident declare ", &app.models);
    assert!(!ids.is_empty(), "alert ids complete");
    // Run through the cockpit: the store holds what the CLI would write.
    dispatch(&mut store, &mut app, Action::Back);
    let run = |store: &mut Store, app: &mut App, line: &str| {
        let p = ClapCommandLine.parse(line, &app.models, NOW).unwrap();
        if let Some(prompt) = p.confirm {
            app.popup = Some(Popup::Confirm {
                prompt,
                effect: p.effect,
            });
            key(store, app, KeyCode::Char('y'));
        } else {
            dispatch(store, app, Action::Back);
        }
    };
    let alert = app.alert_rows()[0].id;
    run(
        &mut store,
        &mut app,
        &format!("incident declare {alert} --title Burst"),
    );
    let id = count(&store, "SELECT max(id) FROM incidents");
    run(&mut store, &mut app, &format!("incident mitigate {id}"));
    assert_eq!(store.incident(id).unwrap().state, IncidentState::Mitigated);
    run(
        &mut store,
        &mut app,
        &format!("incident action {id} --owner Dev --due 1d \"Check the fuses\""),
    );
    assert_eq!(store.incident_actions(id).unwrap().len(), 1);
}

#[test]
fn late_action_items_are_late_work_in_the_work_list() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Work, NOW, Theme::mono());
    // The `action` kind's row, then Enter: its Work list, late first.
    let row = app
        .models
        .flow
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| r.kind == "action" && r.segment.is_none())
        .unwrap();
    let listed = render_to_text(&app, 80, 24);
    assert!(listed.contains("│action"), "{listed}");
    dispatch(&mut store, &mut app, Action::Top);
    dispatch(&mut store, &mut app, Action::Move(row as i32));
    key(&mut store, &mut app, KeyCode::Enter);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("Work list · action"), "{text}");
    assert!(text.contains("1 late"), "{text}");
    let late_line = text.lines().find(|l| l.contains("INC-1-2")).unwrap();
    assert!(late_line.contains("late"), "{late_line}");
    // Late first: INC-1-2 comes before the open INC-1-3.
    assert!(
        text.find("INC-1-2").unwrap() < text.find("INC-1-3").unwrap(),
        "{text}"
    );
    // The cockpit's Flow pane leaves actions out: no capacity to judge.
    let cockpit = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    let text = render_to_text(&cockpit, 80, 24);
    assert!(!text.contains("│action"), "{text}");
    assert!(text.contains("│ticket"), "{text}");
}

/// More action items than the pane holds: the late ones come first and a
/// line counts the rest, so a late item is never the one left out.
#[test]
fn late_action_items_come_first_and_the_rest_are_counted() {
    let mut store = demo_store();
    for (i, owner) in ["Ana", "Ben", "Chloe", "Ana"].into_iter().enumerate() {
        store
            .write(|tx| {
                opsdeck::store::incidents::add_action(
                    tx,
                    NOW - 3 * 86_400,
                    1,
                    owner,
                    NOW + (i as i64 + 1) * 86_400,
                    "later follow-up",
                )
            })
            .unwrap();
    }
    // One more, already late: written last, so by id it comes last.
    store
        .write(|tx| {
            opsdeck::store::incidents::add_action(
                tx,
                NOW - 3 * 86_400,
                1,
                "Ben",
                NOW - 86_400,
                "late and last by id",
            )
        })
        .unwrap();
    let app = incident_app(&mut store);
    let small = render_to_text(&app, 80, 24);
    assert!(small.contains("late and last by id"), "{small}");
    assert!(small.contains("more · opsdeck incident show 1"), "{small}");
}
