//! Issue 5 in the cockpit: the Alerts view and its actions (each confirmed,
//! written and audited), the error-budget panel, rules evaluated on the
//! minute tick, and the bell, over the demo data with a fixed clock.

use crate::common::screens::{count, demo_store, key, typed, NOW};
use crossterm::event::KeyCode;
use opsdeck::domain::escalation::AlertState;
use opsdeck::tui::action::Action;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::state::alerts::{AlertOp, AlertVerb, BellWatch};
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};

fn selected_id(app: &App) -> i64 {
    app.alert_rows()[app.selected()].id
}

#[test]
fn alerts_view_and_pane_at_80x24() {
    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("Error budgets"), "{text}");
    assert!(text.contains("History"), "{text}");
    insta::assert_snapshot!("alerts_view_80x24", text);
    let cockpit = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    insta::assert_snapshot!(
        "cockpit_alerts_pane_80x24",
        render_to_text(&cockpit, 80, 24)
    );
    // Small terminals: nothing panics, the message replaces the layout.
    for (w, h) in [(40, 12), (60, 16), (200, 60)] {
        let text = render_to_text(&app, w, h);
        assert!(!text.contains('\u{1b}'));
    }
}

#[test]
fn every_action_asks_first_and_nothing_is_written_on_no() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    let before = count(&store, "SELECT count(*) FROM alert_events");
    // An alert that can still climb, so `e` has somewhere to go.
    let climbable = app
        .alert_rows()
        .iter()
        .position(|r| r.next_target.is_some())
        .unwrap();
    dispatch(&mut store, &mut app, Action::Move(climbable as i32));
    for k in ['a', 'r', 'e'] {
        key(&mut store, &mut app, KeyCode::Char(k));
        assert!(matches!(app.popup, Some(Popup::Confirm { .. })), "{k}");
        key(&mut store, &mut app, KeyCode::Char('n'));
        assert!(app.popup.is_none(), "any key but y cancels");
    }
    key(&mut store, &mut app, KeyCode::Char('s'));
    assert!(matches!(app.popup, Some(Popup::AlertInput { .. })));
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.popup.is_none());
    assert_eq!(count(&store, "SELECT count(*) FROM alert_events"), before);
}

#[test]
fn ack_resolve_snooze_escalate_and_note_from_the_keyboard() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    // Select an open (unacknowledged) alert.
    let open_row = app
        .alert_rows()
        .iter()
        .position(|r| {
            r.state == AlertState::Open
                && r.snoozed_until.is_none()
                && !r.paused
                && r.next_target.is_some()
        })
        .expect("the demo has an open alert");
    dispatch(&mut store, &mut app, Action::Move(open_row as i32));
    let id = selected_id(&app);
    key(&mut store, &mut app, KeyCode::Char('a'));
    insta::assert_snapshot!("alerts_confirm_ack_80x24", render_to_text(&app, 80, 24));
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(store.alert(id).unwrap().state, AlertState::Acknowledged);
    assert_eq!(store.alert(id).unwrap().acked_by.as_deref(), Some("tester"));
    assert!(app.flash.as_ref().unwrap().0.contains("acknowledged"));

    // Snooze: a bad time is refused in place; a good one asks, then writes.
    let at = app.alert_rows().iter().position(|r| r.id == id).unwrap();
    dispatch(&mut store, &mut app, Action::Top);
    dispatch(&mut store, &mut app, Action::Move(at as i32));
    key(&mut store, &mut app, KeyCode::Char('s'));
    typed(&mut store, &mut app, "whenever");
    key(&mut store, &mut app, KeyCode::Enter);
    match &app.popup {
        Some(Popup::AlertInput { error: Some(e), .. }) => assert!(e.contains("neither"), "{e}"),
        other => panic!("{other:?}"),
    }
    insta::assert_snapshot!("alerts_snooze_refused_80x24", render_to_text(&app, 80, 24));
    for _ in 0.."whenever".len() {
        key(&mut store, &mut app, KeyCode::Backspace);
    }
    typed(&mut store, &mut app, "2h");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(app.popup, Some(Popup::Confirm { .. })));
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(store.alert(id).unwrap().snoozed_until, Some(NOW + 2 * 3600));

    // Note, escalate, resolve.
    let pos = |app: &App| app.alert_rows().iter().position(|r| r.id == id).unwrap() as i32;
    dispatch(&mut store, &mut app, Action::Top);
    let p = pos(&app);
    dispatch(&mut store, &mut app, Action::Move(p));
    key(&mut store, &mut app, KeyCode::Char('n'));
    typed(&mut store, &mut app, "called the supplier");
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('y'));
    let level = store.alert(id).unwrap().level;
    key(&mut store, &mut app, KeyCode::Char('e'));
    key(&mut store, &mut app, KeyCode::Char('y'));
    assert_eq!(store.alert(id).unwrap().level, level + 1);
    key(&mut store, &mut app, KeyCode::Char('r'));
    key(&mut store, &mut app, KeyCode::Char('y'));
    let a = store.alert(id).unwrap();
    assert_eq!(a.state, AlertState::Resolved);
    let kinds: Vec<String> = store
        .alert_events(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.at == NOW)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["acknowledged", "snoozed", "note", "escalated", "resolved"]
    );
    let audited = count(
        &store,
        "SELECT count(*) FROM audit WHERE entity = 'alert' AND actor = 'tester'",
    );
    assert_eq!(audited, 5);
    // The resolved alert left the list; its history stays.
    assert!(app.alert_rows().iter().all(|r| r.id != id));
}

#[test]
fn the_minute_tick_evaluates_the_rules() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    let before = count(&store, "SELECT count(*) FROM alerts");
    store
        .write(|tx| {
            opsdeck::store::alerts::raise(
                tx,
                NOW,
                "x",
                opsdeck::domain::alert_rules::Severity::Info,
                None,
                None,
            )
            .map(|_| ())
        })
        .unwrap();
    // Fifty minutes on, unacknowledged alerts have climbed; nothing new
    // is opened twice.
    dispatch(&mut store, &mut app, Action::Tick(NOW + 50 * 60));
    let escalated = count(
        &store,
        &format!(
            "SELECT count(*) FROM alert_events WHERE kind = 'escalated' AND at = {}",
            NOW + 50 * 60
        ),
    );
    assert!(escalated >= 1, "the tick advanced escalation");
    assert!(count(&store, "SELECT count(*) FROM alerts") > before);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) - count(DISTINCT dedup_key) FROM alerts WHERE state <> 'resolved'"
        ),
        0,
        "one active alert per cause"
    );
    assert!(app.models.alerts.is_some());
    // A second tick in the same minute does not evaluate again.
    dispatch(&mut store, &mut app, Action::Tick(NOW + 50 * 60 + 10));
    let again = count(
        &store,
        "SELECT count(*) FROM alert_events WHERE kind = 'escalated'",
    );
    dispatch(&mut store, &mut app, Action::Tick(NOW + 50 * 60 + 20));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM alert_events WHERE kind = 'escalated'"
        ),
        again
    );
}

#[test]
fn the_bell_rings_once_per_new_critical_alert() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Work, NOW, Theme::mono());
    let mut bell = BellWatch::default();
    assert!(
        !bell.observe(app.models.alerts.as_ref()),
        "the baseline is silent"
    );
    store
        .write(|tx| {
            opsdeck::store::alerts::raise(
                tx,
                NOW,
                "Fire in roastery",
                opsdeck::domain::alert_rules::Severity::Critical,
                None,
                None,
            )
            .map(|_| ())
        })
        .unwrap();
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert!(
        bell.observe(app.models.alerts.as_ref()),
        "a new critical alert rings"
    );
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert!(!bell.observe(app.models.alerts.as_ref()), "once");
    assert!(!bell.observe(None));
}

#[test]
fn alert_keys_only_act_in_the_alerts_view_and_ops_read_well() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Char('a'));
    assert!(app.popup.is_none());
    assert_eq!(AlertOp::Ack.done_word(), "acknowledged");
    assert_eq!(
        opsdeck::tui::state::alerts::parse_input(AlertVerb::Snooze, "1d", NOW),
        Ok(AlertOp::Snooze {
            until: NOW + 86_400
        })
    );
    assert!(opsdeck::tui::state::alerts::parse_input(AlertVerb::Note, "  ", NOW).is_err());
    // Help lists every alert key.
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Char('?'));
    let help = render_to_text(&app, 80, 24);
    for k in ["acknowledge", "resolve", "snooze", "escalate", "note"] {
        assert!(help.contains(k), "{k}: {help}");
    }
}

#[test]
fn critical_is_red_with_colour_and_still_a_symbol_without() {
    let mut store = demo_store();
    let coloured = loaded_app(&mut store, View::Alerts, NOW, Theme { color: true });
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut t = ratatui::Terminal::new(backend).unwrap();
    t.draw(|f| opsdeck::tui::views::draw(f, &coloured)).unwrap();
    let buf = t.backend().buffer().clone();
    let cell = (0..24)
        .flat_map(|y| (0..80).map(move |x| (x, y)))
        .find(|&(x, y)| buf[(x, y)].symbol() == "✗")
        .expect("a critical symbol");
    assert_eq!(buf[cell].style().fg, Some(ratatui::style::Color::Red));
}

/// A manual alert has no detail of its own: its line under the list starts
/// with what comes next, not with an empty part and a ` · `.
#[test]
fn a_manual_alerts_line_has_no_empty_part() {
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = opsdeck::store::Store::open_in_memory_at("tester", NOW).unwrap();
    store
        .write(|tx| {
            opsdeck::store::alerts::raise(
                tx,
                NOW,
                "Espresso machine down",
                opsdeck::domain::alert_rules::Severity::Critical,
                None,
                None,
            )
        })
        .unwrap();
    let app = opsdeck::tui::loaded_app(
        &mut store,
        opsdeck::tui::app::View::Alerts,
        NOW,
        opsdeck::tui::theme::Theme::mono(),
    );
    let text = opsdeck::tui::render_to_text(&app, 80, 24);
    assert!(text.contains("│↳ → ops-lead at"), "{text}");
    assert!(!text.contains("↳  ·"), "{text}");
}
