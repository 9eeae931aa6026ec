//! Screen tests of issue 4: the Playbooks & runs view and the cockpit's
//! checklists pane over the demo data with a fixed clock, as insta
//! snapshots; and checking, skipping, overriding, undoing and noting items
//! with the keys, through the same update/effect loop as the terminal.

use crate::common::screens::{demo_store, key, typed, NOW};
use crossterm::event::KeyCode;
use opsdeck::domain::playbook::{ItemRef, RunItemState};
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::state::playbooks::Opened;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{loaded_app, render_to_text};

fn down(store: &mut Store, app: &mut App, n: usize) {
    for _ in 0..n {
        key(store, app, KeyCode::Char('j'));
    }
}

fn state(store: &Store, run: i64, step: usize, item: usize) -> RunItemState {
    let r = store.run(run).unwrap().unwrap();
    r.checklist.state(ItemRef { step, item }).clone()
}

fn flash(app: &App) -> String {
    app.flash.as_ref().map(|f| f.0.clone()).unwrap_or_default()
}

#[test]
fn the_view_lists_overdue_runs_first_with_roles() {
    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Playbooks, NOW, Theme::mono());
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("Runs & playbooks · 2 overdue"), "{text}");
    assert!(text.contains("⚠ finance"), "{text}");
    assert!(text.contains("✗ review"), "{text}");
    insta::assert_snapshot!("runs_list_80x24", text);
    insta::assert_snapshot!("runs_list_120x40", render_to_text(&app, 120, 40));
}

#[test]
fn the_cockpit_pane_shows_open_runs_overdue_first() {
    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    let text = render_to_text(&app, 80, 24);
    let first = text.find("✗ ORD-1187").expect("overdue order in the pane");
    let late = text.find("late 1d23h").expect("its late item");
    let on_time = text.find("▶ ORD-1203").expect("the on-time order");
    assert!(first < late && late < on_time, "{text}");
    assert!(render_to_text(&app, 120, 40).contains("Today's checklists · 2 overdue"));
}

#[test]
fn check_skip_and_undo_an_item_with_the_keys() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Playbooks, NOW, Theme::mono());
    // The first row is the most overdue run, #3; Enter puts the cursor on
    // its first pending item, ship.2.
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(app.ui.playbooks.opened, Some(Opened::Run(3)));
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("›[ ] ship.2"), "{text}");
    insta::assert_snapshot!("run_items_80x24", text);
    key(&mut store, &mut app, KeyCode::Char('x'));
    assert!(
        matches!(state(&store, 3, 2, 1), RunItemState::Done { ref by, at, .. } if by == "tester" && at == NOW)
    );
    assert_eq!(flash(&app), "run #3: ship.2 done");
    // Skip asks for the reason and refuses an empty one in place.
    key(&mut store, &mut app, KeyCode::Char('j'));
    key(&mut store, &mut app, KeyCode::Char('s'));
    assert!(matches!(app.popup, Some(Popup::RunInput { .. })));
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(
        &app.popup,
        Some(Popup::RunInput { error: Some(_), .. })
    ));
    assert!(render_to_text(&app, 80, 24).contains("✗ type a reason"));
    typed(&mut store, &mut app, "customer collects");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(app.popup.is_none());
    assert!(
        matches!(state(&store, 3, 2, 2), RunItemState::Skipped { ref reason, .. } if reason == "customer collects")
    );
    // x on a closed item says so; u undoes it.
    key(&mut store, &mut app, KeyCode::Char('x'));
    assert!(flash(&app).contains("ship.3 is already skipped; u undoes it"));
    key(&mut store, &mut app, KeyCode::Char('u'));
    assert_eq!(state(&store, 3, 2, 2), RunItemState::Pending);
    // Esc goes back to the list, on the same row.
    key(&mut store, &mut app, KeyCode::Esc);
    assert_eq!((app.ui.playbooks.opened.clone(), app.selected()), (None, 0));
}

#[test]
fn a_gated_item_asks_for_an_override_reason_which_is_audited() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Playbooks, NOW, Theme::mono());
    // #5 (ORD-1203) is the fourth row; it is still preparing.
    down(&mut store, &mut app, 3);
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(app.ui.playbooks.opened, Some(Opened::Run(5)));
    // Cursor on prepare.2; go to deliver.1 (two ship items later).
    down(&mut store, &mut app, 5);
    key(&mut store, &mut app, KeyCode::Char('x'));
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains("step 'ship' not finished (2 open): reason to override · Esc cancels"),
        "{text}"
    );
    insta::assert_snapshot!("run_override_80x24", text);
    typed(&mut store, &mut app, "courier came early");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(state(&store, 5, 3, 0), RunItemState::Done { .. }));
    let run = store.run(5).unwrap().unwrap();
    assert_eq!(
        run.override_reason(ItemRef { step: 3, item: 0 }),
        Some("courier came early")
    );
    let audit = store.audit_recent(1).unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor.as_str()),
        ("override", "tester")
    );
    assert!(flash(&app).contains("override audited"), "{}", flash(&app));
    // Esc on the override line cancels without writing.
    key(&mut store, &mut app, KeyCode::Char('j'));
    key(&mut store, &mut app, KeyCode::Char('x'));
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.popup.is_none());
    assert_eq!(state(&store, 5, 3, 1), RunItemState::Pending);
}

#[test]
fn a_note_on_a_run_is_written_and_shown() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Playbooks, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Char('n'));
    typed(&mut store, &mut app, "carrier \u{1b}[2Jstrike");
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(
        store.notes("run", "3", 1).unwrap()[0].text,
        "carrier \u{1b}[2Jstrike"
    );
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('G'));
    let text = render_to_text(&app, 120, 40);
    assert!(text.contains("tester: carrier strike"), "{text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
}

#[test]
fn a_playbook_shows_its_steps_criteria_and_tolerances() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Playbooks, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "weekly");
    key(&mut store, &mut app, KeyCode::Enter);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("✗ past review"), "{text}");
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(
        app.ui.playbooks.opened,
        Some(Opened::Playbook("weekly-ops-review".into()))
    );
    key(&mut store, &mut app, KeyCode::Char('j'));
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("entry:") && text.contains("exit:"), "{text}");
    insta::assert_snapshot!("playbook_steps_80x24", text);
    // x on a playbook does nothing but say how.
    key(&mut store, &mut app, KeyCode::Char('x'));
    assert!(flash(&app).contains("Enter opens a run"));
}

#[test]
fn hostile_run_text_renders_as_inert_text() {
    let mut store = demo_store();
    store
        .raw_conn_for_tests()
        .execute(
            "UPDATE checklist_runs SET context = ?1 WHERE id = 3",
            ["ORD\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}X"],
        )
        .unwrap();
    for view in [View::Cockpit, View::Playbooks] {
        let app = loaded_app(&mut store, view, NOW, Theme::mono());
        let text = render_to_text(&app, 120, 40);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{view:?}: {text:?}"
        );
        assert!(!text.contains('\u{202e}'));
    }
}
