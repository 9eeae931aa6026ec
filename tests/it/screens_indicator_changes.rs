//! The Indicators detail with definition changes: the chart's thresholds
//! are steps of the definition in force, and the text lists the changes
//! (when, who, old → new) like `indicator show KEY` (fixed clock, demo data).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::domain::DAY;
use opsdeck::store::indicator_changes::update_indicator;
use opsdeck::store::Store;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, keymap::keymap, loaded_app, render_to_text};

/// 2026-11-24T09:00:00Z, as in the other screen tests.
const NOW: i64 = 1_795_510_800;

/// The demo with the selected indicator's target raised 10 days ago (by
/// `maria`) and its warn moved 3 days ago (by `sam`); the app on its detail.
fn detail_with_changes() -> (Store, opsdeck::tui::app::App) {
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let first = open_detail(&mut store).models.detail.unwrap().reading.def;
    let mut raised = first.clone();
    raised.target += 1.0;
    raised.warn += 1.0;
    raised.breach += 1.0;
    store
        .write(|tx| update_indicator(&tx.acting_as("maria"), NOW - 10 * DAY, &raised))
        .unwrap();
    let mut moved = raised.clone();
    moved.warn += 0.5;
    store
        .write(|tx| update_indicator(&tx.acting_as("sam"), NOW - 3 * DAY, &moved))
        .unwrap();
    let app = open_detail(&mut store);
    assert_eq!(
        app.models.detail.as_ref().unwrap().reading.def.key,
        first.key
    );
    (store, app)
}

/// The app on the Indicators view with the selected indicator's detail open.
fn open_detail(store: &mut Store) -> opsdeck::tui::app::App {
    let mut app = loaded_app(store, View::Indicators, NOW, Theme::mono());
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let action = keymap(&app, enter).expect("Enter opens the detail");
    dispatch(store, &mut app, action);
    assert!(app.ui.indicators.detail.is_some());
    app
}

#[test]
fn the_detail_steps_the_thresholds_and_lists_the_changes() {
    let (_store, app) = detail_with_changes();
    let d = app.models.detail.as_ref().expect("the detail model");
    let def = &d.reading.def;
    // Three stretches: before the raise, between, after the warn moved.
    let steps: Vec<(i64, f64, f64)> = d.steps.iter().map(|s| (s.from, s.target, s.warn)).collect();
    assert_eq!(
        steps,
        [
            (d.from, def.target - 1.0, def.warn - 1.5),
            (NOW - 10 * DAY, def.target, def.warn - 0.5),
            (NOW - 3 * DAY, def.target, def.warn),
        ]
    );
    assert_eq!(d.steps.last().map(|s| s.to), Some(NOW));
    // Newest first, with who and old → new.
    assert_eq!(d.changes[0].actor, "sam");
    assert_eq!(d.changes[1].actor, "maria");
    let text = render_to_text(&app, 120, 40);
    assert!(text.contains("2026-11-21 09:00 sam: warn"), "{text}");
    assert!(text.contains("2026-11-14 09:00 maria: target"), "{text}");
    insta::assert_snapshot!("indicator_detail_changes_120x40", text);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("sam: warn"), "{text}");
    insta::assert_snapshot!("indicator_detail_changes_80x24", text);
}
