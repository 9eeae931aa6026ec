//! A cockpit write that must wait for another process's write lock runs on
//! the cockpit's writer: the footer says "waiting for the database… (Esc
//! cancels)", keys still work, Esc gives up with nothing written and gives
//! back the popup with what was typed, and once the lock is free the same
//! line is submitted again and written. A real second connection holds the
//! lock on a real file.

use crate::common::Env;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{loaded_app, render_to_text, worker};

const NOW: &str = "2026-12-01T09:00:00Z";

fn press(store: &mut Store, app: &mut App, w: &worker::Worker, code: KeyCode) {
    worker::key(store, app, Some(w), KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(store: &mut Store, app: &mut App, w: &worker::Worker, text: &str) {
    for c in text.chars() {
        press(store, app, w, KeyCode::Char(c));
    }
}

/// Polls the writer until `done` holds (the condition, not a time, ends
/// the wait; the deadline only stops a hung test).
fn until(store: &mut Store, app: &mut App, w: &worker::Worker, done: impl Fn(&App) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done(app) {
        if let Some(a) = w.poll(app) {
            worker::handle(store, app, Some(w), a);
        }
        assert!(std::time::Instant::now() < deadline, "never happened");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The cockpit on Indicators over `env`'s real database file at [`NOW`],
/// with its writer: the clock it runs at comes back too.
fn file_cockpit(env: &Env) -> (Store, App, worker::Worker, i64) {
    env.ok_at(NOW, &["status"]);
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = Store::open(&env.db, "tester").unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .timestamp();
    let app = loaded_app(&mut store, View::Indicators, now, Theme::mono());
    let w = worker::Worker::start(&store).unwrap();
    (store, app, w, now)
}

fn values_of_42(env: &Env) -> i64 {
    env.query_i64("SELECT count(*) FROM observations WHERE value = 42")
}

#[test]
fn a_write_waiting_for_the_lock_says_so_stays_responsive_and_keeps_what_was_typed() {
    let env = Env::new();
    let (mut store, mut app, w, _) = file_cockpit(&env);

    // Another process takes the write lock and keeps it.
    let other = Store::open(&env.db, "other").unwrap();
    other
        .raw_conn_for_tests()
        .execute_batch("BEGIN IMMEDIATE")
        .unwrap();

    // Record 42 on Support first response.
    press(&mut store, &mut app, &w, KeyCode::Char('/'));
    typed(&mut store, &mut app, &w, "support first");
    press(&mut store, &mut app, &w, KeyCode::Enter);
    press(&mut store, &mut app, &w, KeyCode::Char('n'));
    typed(&mut store, &mut app, &w, "42");
    press(&mut store, &mut app, &w, KeyCode::Enter);
    assert!(app.pending.is_some(), "the write went to the writer");
    until(&mut store, &mut app, &w, |a| {
        a.pending.as_ref().is_some_and(|p| p.shown)
    });
    let screen = render_to_text(&app, 80, 24);
    assert!(
        screen.contains("waiting for the database… (Esc cancels)"),
        "{screen}"
    );
    insta::assert_snapshot!("waiting_80x24", screen);

    // The screen still answers keys: the filter line opens and closes.
    press(&mut store, &mut app, &w, KeyCode::Char('?'));
    assert!(matches!(app.popup, Some(Popup::Help)));
    press(&mut store, &mut app, &w, KeyCode::Char('?'));
    assert!(app.popup.is_none());

    // Esc gives up: nothing written, the popup comes back with "42".
    press(&mut store, &mut app, &w, KeyCode::Esc);
    until(&mut store, &mut app, &w, |a| a.pending.is_none());
    assert_eq!(values_of_42(&env), 0);
    match &app.popup {
        Some(Popup::Record { input, .. }) => assert_eq!(input.value(), "42"),
        other => panic!("the record popup is back: {other:?}"),
    }
    let msg = app.flash.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(
        msg.starts_with("error: cancelled while waiting for the database: nothing was written"),
        "{msg}"
    );
    let screen = render_to_text(&app, 80, 24);
    insta::assert_snapshot!("cancelled_80x24", screen);
    insta::assert_snapshot!("cancelled_120x40", render_to_text(&app, 120, 40));

    // The other process finishes; Enter submits the same line again.
    other.raw_conn_for_tests().execute_batch("COMMIT").unwrap();
    press(&mut store, &mut app, &w, KeyCode::Enter);
    until(&mut store, &mut app, &w, |a| a.pending.is_none());
    assert_eq!(values_of_42(&env), 1);
    let msg = app.flash.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(msg.contains("recorded first_response = 42"), "{msg}");
}

#[test]
fn an_error_longer_than_the_line_is_shown_whole_until_a_key() {
    let mut store = crate::common::screens::demo_store();
    let mut app = crate::common::screens::app_on(&mut store, View::Alerts);
    let long = "error: alert 4: the alert is resolved, so it cannot be acknowledged; \
        raise it again with `opsdeck alert raise` or look at its history with `opsdeck alert show 4`";
    opsdeck::tui::dispatch(
        &mut store,
        &mut app,
        opsdeck::tui::action::Action::Done(Err(long.trim_start_matches("error: ").into())),
    );
    let screen = render_to_text(&app, 80, 24);
    for word in ["acknowledged;", "`opsdeck alert raise`", "show 4`"] {
        assert!(screen.contains(word), "{word}: {screen}");
    }
    insta::assert_snapshot!("long_error_80x24", screen);
    // It outlives the message timeout, and the next key dismisses it.
    let later = crate::common::screens::NOW + 60;
    opsdeck::tui::dispatch(
        &mut store,
        &mut app,
        opsdeck::tui::action::Action::Tick(later),
    );
    assert!(app.flash.is_some());
    crate::common::screens::key(&mut store, &mut app, KeyCode::Down);
    assert!(app.flash.is_none());
}

#[test]
fn read_only_hides_the_write_keys_and_says_why_when_one_is_pressed() {
    let env = Env::new();
    env.ok_at(NOW, &["status"]);
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = Store::open_read_only(&env.db, "tester").unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .timestamp();
    let mut app = loaded_app(&mut store, View::Indicators, now, Theme::mono());
    let screen = render_to_text(&app, 80, 24);
    let footer = screen.lines().rev().find(|l| !l.is_empty()).unwrap();
    assert!(!footer.contains("record"), "{footer}");
    assert!(!footer.contains(": cmd"), "{footer}");
    crate::common::screens::key(&mut store, &mut app, KeyCode::Char('?'));
    let help = render_to_text(&app, 80, 24);
    assert!(!help.contains("record a value"), "{help}");
    insta::assert_snapshot!("read_only_help_80x24", help);
    crate::common::screens::key(&mut store, &mut app, KeyCode::Esc);
    crate::common::screens::key(&mut store, &mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none(), "no popup for a write");
    let msg = app.flash.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(msg.starts_with("error: read-only: `n`"), "{msg}");
    assert!(render_to_text(&app, 120, 40).contains("read-only: `n`"));
}

/// The minute's rule evaluation runs on the writer, but it is nobody's
/// typed write: while it waits for another process's lock the footer does
/// not say so and Esc does what Esc does (here: leaves the detail), a
/// record submitted meanwhile makes the evaluation give up and runs next,
/// and the evaluation's reload is the screen's own (the open detail stays).
#[test]
fn the_minute_evaluation_gives_way_to_what_the_user_types() {
    let env = Env::new();
    let (mut store, mut app, w, now) = file_cockpit(&env);
    press(&mut store, &mut app, &w, KeyCode::Char('/'));
    typed(&mut store, &mut app, &w, "support first");
    press(&mut store, &mut app, &w, KeyCode::Enter);
    press(&mut store, &mut app, &w, KeyCode::Enter);
    assert!(app.ui.indicators.detail.is_some(), "the detail is open");

    // Without another writer, the evaluation's reload keeps the detail.
    worker::handle(
        &mut store,
        &mut app,
        Some(&w),
        opsdeck::tui::action::Action::Tick(now + 60),
    );
    assert!(app.pending.as_ref().is_some_and(|p| p.background));
    until(&mut store, &mut app, &w, |a| a.pending.is_none());
    assert!(app.ui.indicators.detail.is_some(), "the detail stays open");

    // Another process holds the lock through the next minute's evaluation.
    let other = Store::open(&env.db, "other").unwrap();
    other
        .raw_conn_for_tests()
        .execute_batch("BEGIN IMMEDIATE")
        .unwrap();
    worker::handle(
        &mut store,
        &mut app,
        Some(&w),
        opsdeck::tui::action::Action::Tick(now + 120),
    );
    assert!(app.pending.as_ref().is_some_and(|p| p.background));
    std::thread::sleep(worker::WAIT_SHOWN_AFTER * 2);
    assert!(w.poll(&mut app).is_none(), "still waiting");
    let screen = render_to_text(&app, 80, 24);
    assert!(!screen.contains("waiting for the database"), "{screen}");
    // Esc is not taken by the evaluation: it leaves the detail.
    press(&mut store, &mut app, &w, KeyCode::Esc);
    assert!(app.ui.indicators.detail.is_none(), "Esc went back");

    // A record submitted now runs after the evaluation gives up.
    press(&mut store, &mut app, &w, KeyCode::Char('n'));
    typed(&mut store, &mut app, &w, "42");
    press(&mut store, &mut app, &w, KeyCode::Enter);
    until(&mut store, &mut app, &w, |a| {
        a.pending.as_ref().is_some_and(|p| !p.background && p.shown)
    });
    let screen = render_to_text(&app, 80, 24);
    assert!(
        screen.contains("waiting for the database… (Esc cancels)"),
        "{screen}"
    );
    other.raw_conn_for_tests().execute_batch("COMMIT").unwrap();
    until(&mut store, &mut app, &w, |a| a.pending.is_none());
    assert_eq!(values_of_42(&env), 1);
    let msg = app.flash.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(msg.contains("recorded first_response = 42"), "{msg}");
}
