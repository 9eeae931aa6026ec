//! Issue 13 point 8 in the TUI: the indicator detail lists the recent
//! recorded values, and `c` corrects the selected one (value, reason,
//! confirmation), audited, with the board following.

use crate::common::screens::{count, key, typed, NOW};
use crossterm::event::KeyCode;
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{loaded_app, render_to_text};

/// The demo, with the detail of `trial_to_paid` open.
fn detail_of_trial_to_paid() -> (Store, App) {
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let mut app = loaded_app(&mut store, View::Indicators, NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "trial");
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Enter);
    let d = app.models.detail.as_ref().expect("detail open");
    assert_eq!(d.reading.def.key, "trial_to_paid");
    assert!(d.values.len() >= 3, "recent values listed");
    (store, app)
}

#[test]
fn the_detail_lists_recent_values_with_the_selection() {
    let (mut store, mut app) = detail_of_trial_to_paid();
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(app.ui.indicators.value_sel, 1);
    let small = render_to_text(&app, 80, 24);
    assert!(small.contains("Recent values"), "{small}");
    insta::assert_snapshot!("indicator_detail_values_80x24", small);
    insta::assert_snapshot!(
        "indicator_detail_values_120x40",
        render_to_text(&app, 120, 40)
    );
}

#[test]
fn c_corrects_the_selected_value_after_a_reason_and_a_confirmation() {
    let (mut store, mut app) = detail_of_trial_to_paid();
    key(&mut store, &mut app, KeyCode::Down);
    let v = app.models.detail.as_ref().unwrap().values[1].clone();

    key(&mut store, &mut app, KeyCode::Char('c'));
    assert!(matches!(
        app.popup,
        Some(Popup::Correct { value: None, .. })
    ));
    // A bad number keeps the line open with the reason.
    typed(&mut store, &mut app, "12,x");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(
        app.popup,
        Some(Popup::Correct { error: Some(_), .. })
    ));
    for _ in 0..4 {
        key(&mut store, &mut app, KeyCode::Backspace);
    }
    typed(&mut store, &mut app, "12.5");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(
        app.popup,
        Some(Popup::Correct { value: Some(_), .. })
    ));
    insta::assert_snapshot!("correct_reason_80x24", render_to_text(&app, 80, 24));
    // An empty reason is refused in place.
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(
        app.popup,
        Some(Popup::Correct { error: Some(_), .. })
    ));
    typed(&mut store, &mut app, "typed 21.5 for 12.5");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(app.popup, Some(Popup::Confirm { .. })));
    insta::assert_snapshot!("correct_confirm_80x24", render_to_text(&app, 80, 24));
    assert_eq!(count(&store, "SELECT count(*) FROM observation_history"), 0);

    key(&mut store, &mut app, KeyCode::Char('y'));
    assert!(app.popup.is_none());
    let now_value: f64 = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT value FROM observations WHERE id = ?1",
            [v.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(now_value, 12.5);
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM observation_history WHERE observation_id = {} \
                 AND action = 'correct' AND value = {} AND new_value = 12.5 \
                 AND reason = 'typed 21.5 for 12.5' AND changed_by = 'tester'",
                v.id, v.value
            )
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM audit WHERE action = 'correct' AND entity_id = '{}' AND actor = 'tester'",
                v.id
            )
        ),
        1
    );
    // The reloaded detail shows the corrected value.
    let d = app.models.detail.as_ref().unwrap();
    let after = d.values.iter().find(|x| x.id == v.id).unwrap();
    assert_eq!(after.value, 12.5);
    assert_eq!(after.corrections, 1);
}

#[test]
fn any_other_key_on_the_confirmation_changes_nothing() {
    let (mut store, mut app) = detail_of_trial_to_paid();
    key(&mut store, &mut app, KeyCode::Char('c'));
    typed(&mut store, &mut app, "1");
    key(&mut store, &mut app, KeyCode::Enter);
    typed(&mut store, &mut app, "why");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(matches!(app.popup, Some(Popup::Confirm { .. })));
    key(&mut store, &mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none());
    assert_eq!(count(&store, "SELECT count(*) FROM observation_history"), 0);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit WHERE action = 'correct'"
        ),
        0
    );
}
