//! Issue 15.1, selection is identity: the cursor stays on the same item by
//! its id across a reload that re-sorts (another connection writes), a sort
//! or a filter; it falls back to the nearest row with a message only when
//! the item is gone; an action acts on that id. Also the kept scroll offset
//! and the popups' outcomes as an action sequence.

use crate::common::screens::key;
use crossterm::event::KeyCode;
use opsdeck::domain::alert_rules::Severity;
use opsdeck::domain::escalation::AlertState;
use opsdeck::store::alerts;
use opsdeck::store::Store;
use opsdeck::tui::action::{Action, Effect};
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::{self, Popup, PopupOutcome};
use opsdeck::tui::state::alerts::AlertOp;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};

/// 2026-11-24T09:00:00Z: the fixed clock of the screen tests.
const NOW: i64 = 1_795_510_800;

/// The demo in a file, and a second connection to it (another process).
fn two_connections(dir: &tempfile::TempDir) -> (Store, Store) {
    let path = dir.path().join("ops.db");
    let mut ours = Store::open_at(&path, "tester", NOW).unwrap();
    opsdeck::demo::populate(&mut ours, NOW).unwrap();
    let other = Store::open_at(&path, "other", NOW).unwrap();
    (ours, other)
}

fn selected_alert(app: &App) -> i64 {
    *app.ui.alerts.list.selected().expect("an alert is selected")
}

fn alert_state(store: &Store, id: i64) -> AlertState {
    store
        .alerts_model(NOW)
        .unwrap()
        .active
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.state)
        .expect("still active")
}

#[test]
fn the_selection_survives_a_reload_that_re_sorts_and_ack_acts_on_that_id() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut other) = two_connections(&dir);
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    // An open warning (below the critical ones).
    let target = app
        .alert_rows()
        .iter()
        .position(|a| a.severity != Severity::Critical && a.state == AlertState::Open)
        .expect("the demo has an open warning");
    for _ in 0..target {
        key(&mut store, &mut app, KeyCode::Down);
    }
    let chosen = selected_alert(&app);
    let row_before = app.selected();
    // Another process raises a critical alert: critical alerts sort first,
    // so every warning moves one row down.
    other
        .write(|tx| alerts::raise(tx, NOW, "Freezer door open", Severity::Critical, None, None))
        .unwrap();
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(
        selected_alert(&app),
        chosen,
        "the cursor stays on the alert"
    );
    assert_eq!(app.selected(), row_before + 1, "which moved one row down");
    assert_eq!(app.alert_rows()[app.selected()].id, chosen);
    assert!(
        app.flash.is_none(),
        "nothing to say: the alert is still there"
    );
    // `a` asks about that alert by number, `y` acknowledges that one.
    key(&mut store, &mut app, KeyCode::Char('a'));
    match &app.popup {
        Some(Popup::Confirm { prompt, effect }) => {
            assert!(prompt.contains(&format!("#{chosen} ")), "{prompt}");
            assert_eq!(
                effect,
                &Effect::Alert {
                    id: chosen,
                    op: AlertOp::Ack,
                    note: None,
                }
            );
        }
        other => panic!("expected the confirmation, got {other:?}"),
    }
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(alert_state(&store, chosen), AlertState::Acknowledged);
    let msg = &app.flash.as_ref().unwrap().0;
    assert!(msg.contains(&format!("#{chosen} acknowledged")), "{msg}");
    assert_eq!(selected_alert(&app), chosen);
}

#[test]
fn a_resolved_away_alert_falls_back_to_the_nearest_row_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut other) = two_connections(&dir);
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Down);
    key(&mut store, &mut app, KeyCode::Down);
    let gone = selected_alert(&app);
    let next = app.alert_rows()[app.selected() + 1].id;
    other
        .write(|tx| alerts::resolve(tx, gone, NOW, None))
        .unwrap();
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(selected_alert(&app), next, "the row that took its place");
    let msg = &app.flash.as_ref().expect("a message").0;
    assert_eq!(
        msg,
        &format!("alert #{gone} is no longer listed; selection moved to alert #{next}")
    );
    assert!(render_to_text(&app, 120, 40).contains(msg.as_str()));
}

#[test]
fn a_sort_or_a_filter_keeps_the_selected_indicator() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = two_connections(&dir);
    let mut app = loaded_app(&mut store, View::Indicators, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Down);
    key(&mut store, &mut app, KeyCode::Down);
    let chosen = *app.ui.indicators.list.selected().unwrap();
    let name = app.indicator_rows()[app.selected()].def.name.clone();
    for _ in 0..4 {
        key(&mut store, &mut app, KeyCode::Char('o'));
        assert_eq!(app.ui.indicators.list.selected(), Some(&chosen));
        assert_eq!(app.indicator_rows()[app.selected()].id, chosen);
    }
    key(&mut store, &mut app, KeyCode::Char('/'));
    for c in name.to_lowercase().chars().take(5) {
        key(&mut store, &mut app, KeyCode::Char(c));
    }
    assert_eq!(app.ui.indicators.list.selected(), Some(&chosen));
    key(&mut store, &mut app, KeyCode::Esc);
    assert_eq!(app.ui.indicators.list.selected(), Some(&chosen));
    // `n` opens the record line for that indicator, by id.
    key(&mut store, &mut app, KeyCode::Char('n'));
    assert!(
        matches!(&app.popup, Some(Popup::Record { indicator_id, .. }) if *indicator_id == chosen)
    );
}

#[test]
fn the_scroll_offset_is_kept_between_frames() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = two_connections(&dir);
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    let total = app.row_count();
    let first_frame = render_to_text(&app, 80, 24);
    assert!(
        first_frame.contains(&format!("6 of {total}")),
        "{first_frame}"
    );
    key(&mut store, &mut app, KeyCode::End);
    render_to_text(&app, 80, 24);
    let offset = app.ui.alerts.list.offset();
    assert_eq!(offset, total - 6, "the last row is shown at the bottom");
    // One row up: the view does not jump back (a fresh TableState every
    // frame would recompute the offset from the top: one less).
    key(&mut store, &mut app, KeyCode::Up);
    let text = render_to_text(&app, 80, 24);
    assert_eq!(app.ui.alerts.list.offset(), offset);
    let last = app.alert_rows()[total - 1].id;
    assert!(
        text.lines().any(|l| l.contains(&format!(" {last} "))),
        "the last alert is still on screen:\n{text}"
    );
}

#[test]
fn popup_outcomes_as_an_action_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = two_connections(&dir);
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    let id = selected_alert(&app);
    // The snooze line: typing stays, a bad time stays with the reason, a
    // tick passes through to the app, a good time is replaced by the
    // confirmation, `y` closes it with the effect naming the alert.
    let mut popup = Popup::AlertInput {
        id,
        verb: opsdeck::tui::state::alerts::AlertVerb::Snooze,
        title: "t".into(),
        input: tui_input::Input::new("soon".into()),
        error: None,
    };
    assert!(matches!(
        popups::update(&mut app, &mut popup, &Action::Tick(NOW + 1)),
        PopupOutcome::PassThrough
    ));
    assert!(matches!(
        popups::update(&mut app, &mut popup, &Action::Submit),
        PopupOutcome::Stay
    ));
    assert!(matches!(&popup, Popup::AlertInput { error: Some(e), .. } if e.contains("UNTIL")));
    let mut popup = Popup::AlertInput {
        id,
        verb: opsdeck::tui::state::alerts::AlertVerb::Snooze,
        title: "t".into(),
        input: tui_input::Input::new("2h".into()),
        error: None,
    };
    let PopupOutcome::Replace(mut confirm) = popups::update(&mut app, &mut popup, &Action::Submit)
    else {
        panic!("a good time asks to confirm");
    };
    match popups::update(&mut app, &mut confirm, &Action::Confirmed) {
        PopupOutcome::CloseWith(Effect::Alert { id: got, op, .. }) => {
            assert_eq!(got, id);
            assert_eq!(
                op,
                AlertOp::Snooze {
                    until: app.now + 7200
                }
            );
        }
        other => panic!("expected the snooze effect, got {other:?}"),
    }
    // Any other key cancels a confirmation; any key closes the help.
    assert!(matches!(
        popups::update(&mut app, &mut confirm, &Action::Back),
        PopupOutcome::Close
    ));
    assert!(matches!(
        popups::update(&mut app, &mut Popup::Help, &Action::Move(1)),
        PopupOutcome::Close
    ));
}

#[test]
fn esc_from_a_run_returns_to_the_same_run_after_the_list_re_sorts() {
    use opsdeck::tui::state::playbooks::{Opened, RunsKey};
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut other) = two_connections(&dir);
    let mut app = loaded_app(&mut store, View::Playbooks, NOW, Theme::mono());
    let first = app.ui.playbooks.list.selected().cloned();
    key(&mut store, &mut app, KeyCode::Down);
    let Some(RunsKey::Run(chosen)) = app.ui.playbooks.list.selected().cloned() else {
        panic!("the second row is a run");
    };
    let Some(RunsKey::Run(above)) = first else {
        panic!("the first row is a run");
    };
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(app.ui.playbooks.opened, Some(Opened::Run(chosen)));
    // Another process cancels the run above: it leaves the open runs, and
    // the chosen one moves up a row.
    other
        .write(|tx| opsdeck::store::runs::cancel_run(tx, NOW, above, "duplicate"))
        .unwrap();
    dispatch(&mut store, &mut app, Action::DataChanged);
    key(&mut store, &mut app, KeyCode::Esc);
    assert_eq!(app.ui.playbooks.opened, None);
    assert_eq!(
        app.ui.playbooks.list.selected(),
        Some(&RunsKey::Run(chosen))
    );
    assert_eq!(app.selected(), 0, "it moved up a row");
    // `n` notes that run, by number.
    key(&mut store, &mut app, KeyCode::Char('n'));
    assert!(matches!(&app.popup, Some(Popup::RunInput { run, .. }) if *run == chosen));
}

/// Thirty decisions built by hand, newest first: no store anywhere.
fn decisions_model() -> opsdeck::store::learning_models::DecisionsModel {
    opsdeck::store::learning_models::DecisionsModel {
        rows: (1..=30)
            .rev()
            .map(|id| opsdeck::domain::decision::DecisionRecord {
                id,
                at: NOW - (30 - id) * 86_400,
                who: "ana".into(),
                title: format!("Decision number {id}"),
                why: "because".into(),
                evidence: Vec::new(),
                supersedes: None,
                superseded_by: None,
            })
            .collect(),
    }
}

fn draw_decisions(
    st: &opsdeck::tui::state::lists::DecisionsState,
    model: &opsdeck::store::learning_models::DecisionsModel,
    w: u16,
    h: u16,
) -> String {
    use ratatui::{backend::TestBackend, Terminal};
    let look = opsdeck::tui::views::Look {
        theme: Theme::mono(),
        now: NOW,
        zone: opsdeck::format::Zone::Utc,
    };
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| opsdeck::tui::views::decisions::render(f, f.area(), st, Some(model), &look))
        .unwrap();
    opsdeck::tui::buffer_to_text(terminal.backend().buffer())
}

#[test]
fn a_view_renders_from_its_state_and_model_without_a_database() {
    use opsdeck::tui::list::Cursor;
    let model = decisions_model();
    let mut st = opsdeck::tui::state::lists::DecisionsState::default();
    assert_eq!(st.recompute(&model, ""), None);
    let top = draw_decisions(&st, &model, 80, 24);
    assert!(top.contains("Decision number 30"), "{top}");
    assert!(
        top.contains(" of 30"),
        "the title says the list is cut:\n{top}"
    );
    insta::assert_snapshot!("decisions_by_hand_80x24", top);
    st.list.bottom();
    let bottom = draw_decisions(&st, &model, 120, 40);
    assert!(
        bottom.contains("Decision #1"),
        "the detail follows the selection"
    );
    assert!(st.list.offset() > 0);
    insta::assert_snapshot!("decisions_by_hand_bottom_120x40", bottom);
    // A filter keeps the selected decision while it matches.
    assert_eq!(st.recompute(&model, "number 1"), None);
    assert_eq!(st.list.selected(), Some(&1));
}
