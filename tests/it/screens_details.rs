//! Issue 15.3, 15.7 and 16.4: Enter opens a detail where it means
//! something — an alert's detail (timeline, escalation path, run), the Work
//! list of actual items and one item's detail, the Cockpit's selected item
//! in its own view — and a value under review shows `?` in the indicator
//! detail. Esc goes back with the selection kept by id.

use crate::common::screens::{app_on, demo_store, key, typed};
use crossterm::event::KeyCode;
use opsdeck::store::Store;
use opsdeck::tui::action::Action;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::dispatch;
use opsdeck::tui::render_to_text;
use opsdeck::tui::state::cockpit::CockpitKey;

fn exec(store: &Store, sql: &str) {
    store.raw_conn_for_tests().execute_batch(sql).unwrap();
}

fn alert_detail_id(app: &App) -> Option<i64> {
    app.models.alert_detail.as_ref().map(|d| d.alert.id)
}

#[test]
fn enter_on_an_alert_opens_its_detail_and_esc_returns_to_it_after_a_re_sort() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Alerts);
    key(&mut store, &mut app, KeyCode::End);
    let id = *app.ui.alerts.list.selected().unwrap();
    let before = app.ui.alerts.list.index();
    assert!(before > 0);
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(app.ui.alerts.detail, Some(id));
    assert_eq!(alert_detail_id(&app), Some(id));
    // Another process makes it the oldest critical alert: the list re-sorts.
    exec(
        &store,
        &format!("UPDATE alerts SET severity = 'critical', first_seen = 0 WHERE id = {id}"),
    );
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(
        alert_detail_id(&app),
        Some(id),
        "the detail stays on its alert"
    );
    // The arrows do not move the list under an open detail.
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(app.ui.alerts.list.selected(), Some(&id));
    let screen = render_to_text(&app, 80, 24);
    assert!(screen.contains(&format!("Alert #{id}")), "{screen}");
    key(&mut store, &mut app, KeyCode::Esc);
    assert_eq!(app.ui.alerts.detail, None);
    assert_eq!(app.ui.alerts.list.selected(), Some(&id));
    assert_eq!(app.ui.alerts.list.index(), 0, "now first in the list");
}

#[test]
fn the_alert_detail_shows_the_timeline_the_path_and_the_linked_run() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Alerts);
    // #14, the roaster fault: acknowledged, with a linked run and events.
    assert!(app.ui.alerts.list.select_key(&14));
    key(&mut store, &mut app, KeyCode::Enter);
    let d = app.models.alert_detail.as_ref().expect("detail loaded");
    assert_eq!(d.alert.id, 14);
    assert!(!d.events.is_empty());
    assert!(!d.path.is_empty());
    let small = render_to_text(&app, 80, 24);
    assert!(small.contains("Escalation path"), "{small}");
    assert!(small.contains("Timeline"), "{small}");
    assert!(small.contains("run #"), "{small}");
    insta::assert_snapshot!("alert_detail_80x24", small);
    insta::assert_snapshot!("alert_detail_120x40", render_to_text(&app, 120, 40));
}

#[test]
fn an_open_alert_says_who_is_next_and_when() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Alerts);
    // #4, on-time fulfilment in breach: open and climbing.
    assert!(app.ui.alerts.list.select_key(&4));
    key(&mut store, &mut app, KeyCode::Enter);
    let screen = render_to_text(&app, 120, 40);
    let d = app.models.alert_detail.as_ref().unwrap();
    let next = opsdeck::domain::escalation::path::next_step(&d.path);
    match next {
        Some(s) => {
            assert!(screen.contains(&format!("next: {}", s.target)), "{screen}");
        }
        None => assert!(screen.contains("at the last level"), "{screen}"),
    }
    assert!(
        screen.contains("▶ L"),
        "the current level is marked: {screen}"
    );
}

/// The Work view with the list of `order` items open.
fn order_list() -> (Store, App) {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Work);
    assert!(app.ui.work.list.select_key(&("order".to_string(), None)));
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(app.ui.work.items.is_some());
    (store, app)
}

fn listed_ids(app: &App) -> Vec<String> {
    let wl = app.models.work_list.as_ref().expect("list loaded");
    app.ui
        .work
        .items
        .as_ref()
        .unwrap()
        .rows(wl)
        .iter()
        .map(|l| l.item.external_id.clone())
        .collect()
}

#[test]
fn the_work_list_shows_the_late_orders_first_and_the_filter_narrows_it() {
    let (mut store, mut app) = order_list();
    let ids = listed_ids(&app);
    // At the fixed clock one open order is past its promise: ORD-1759.
    assert_eq!(ids.first().map(String::as_str), Some("ORD-1759"), "{ids:?}");
    assert!(ids.contains(&"ORD-1742".to_string()), "at risk listed");
    assert!(ids.contains(&"ORD-1787".to_string()), "open listed");
    let small = render_to_text(&app, 80, 24);
    assert!(small.contains("1 late"), "{small}");
    assert!(small.contains(" of "), "N of M in the title: {small}");
    insta::assert_snapshot!("work_list_80x24", small);
    insta::assert_snapshot!("work_list_120x40", render_to_text(&app, 120, 40));

    // "open the late orders": the filter matches the state word.
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "late");
    key(&mut store, &mut app, KeyCode::Enter);
    let late = listed_ids(&app);
    assert!(late.len() < ids.len());
    assert_eq!(late[0], "ORD-1759");
    // By customer.
    key(&mut store, &mut app, KeyCode::Char('/'));
    for _ in 0..4 {
        key(&mut store, &mut app, KeyCode::Backspace);
    }
    typed(&mut store, &mut app, "C0563");
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(listed_ids(&app), vec!["ORD-1747".to_string()]);
    // Esc clears the filter first, then closes the list.
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.filter.is_empty());
    assert!(app.ui.work.items.is_some());
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.ui.work.items.is_none());
    assert_eq!(
        app.ui.work.list.selected(),
        Some(&("order".to_string(), None)),
        "back on the same row"
    );
}

#[test]
fn a_segment_row_lists_only_its_segment() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Work);
    assert!(app
        .ui
        .work
        .list
        .select_key(&("order".to_string(), Some("express".to_string()))));
    key(&mut store, &mut app, KeyCode::Enter);
    let wl = app.models.work_list.as_ref().unwrap();
    assert!(!wl.items.is_empty());
    assert!(wl
        .items
        .iter()
        .all(|l| l.item.segment.as_deref() == Some("express")));
    assert!(listed_ids(&app).contains(&"ORD-1773".to_string()));
}

#[test]
fn enter_on_an_item_shows_its_times_outcome_and_linked_runs() {
    let (mut store, mut app) = order_list();
    // A run started `--for ORD-1759`.
    exec(
        &store,
        "UPDATE checklist_runs SET context = 'ORD-1759 late parcel' WHERE id = 5",
    );
    let first = *app.ui.work.items.as_ref().unwrap().list.selected().unwrap();
    key(&mut store, &mut app, KeyCode::Enter);
    let d = app.models.work_item.as_ref().expect("item detail");
    assert_eq!(d.item.id, first);
    assert_eq!(d.item.item.external_id, "ORD-1759");
    assert_eq!(d.runs.iter().map(|r| r.id).collect::<Vec<_>>(), vec![5]);
    let small = render_to_text(&app, 80, 24);
    assert!(small.contains("promised"), "{small}");
    assert!(small.contains("run #5"), "{small}");
    insta::assert_snapshot!("work_item_80x24", small);
    insta::assert_snapshot!("work_item_120x40", render_to_text(&app, 120, 40));
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.models.work_item.is_none());
    assert_eq!(
        app.ui.work.items.as_ref().unwrap().list.selected(),
        Some(&first)
    );
}

/// Moves the cockpit's cursor to the first key `pick` accepts.
fn cockpit_select(store: &mut Store, app: &mut App, pick: fn(&CockpitKey) -> bool) -> CockpitKey {
    key(store, app, KeyCode::Char('1'));
    let (i, k) = app
        .ui
        .cockpit
        .list
        .rows()
        .enumerate()
        .find(|(_, (k, _))| pick(k))
        .map(|(i, (k, _))| (i, k.clone()))
        .expect("the pane has an item");
    key(store, app, KeyCode::Home);
    for _ in 0..i {
        key(store, app, KeyCode::Down);
    }
    assert_eq!(app.ui.cockpit.list.selected(), Some(&k));
    k
}

#[test]
fn enter_in_the_cockpit_opens_the_selected_item_of_each_pane() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Cockpit);
    insta::assert_snapshot!("cockpit_selection_80x24", render_to_text(&app, 80, 24));

    let k = cockpit_select(&mut store, &mut app, |k| {
        matches!(k, CockpitKey::Indicator(_))
    });
    key(&mut store, &mut app, KeyCode::Enter);
    let CockpitKey::Indicator(id) = k else {
        unreachable!()
    };
    assert_eq!(app.view, View::Indicators);
    assert_eq!(app.ui.indicators.detail, Some(id));
    assert_eq!(app.models.detail.as_ref().map(|d| d.reading.id), Some(id));

    let k = cockpit_select(&mut store, &mut app, |k| matches!(k, CockpitKey::Flow(_)));
    key(&mut store, &mut app, KeyCode::Enter);
    let CockpitKey::Flow(kind) = k else {
        unreachable!()
    };
    assert_eq!(app.view, View::Work);
    assert_eq!(
        app.models.work_list.as_ref().map(|w| w.kind.clone()),
        Some(kind)
    );

    let k = cockpit_select(&mut store, &mut app, |k| matches!(k, CockpitKey::Alert(_)));
    key(&mut store, &mut app, KeyCode::Enter);
    let CockpitKey::Alert(id) = k else {
        unreachable!()
    };
    assert_eq!(app.view, View::Alerts);
    assert_eq!(alert_detail_id(&app), Some(id));
    key(&mut store, &mut app, KeyCode::Esc);
    assert_eq!(app.ui.alerts.list.selected(), Some(&id));

    let k = cockpit_select(&mut store, &mut app, |k| matches!(k, CockpitKey::Run(_)));
    key(&mut store, &mut app, KeyCode::Enter);
    let CockpitKey::Run(id) = k else {
        unreachable!()
    };
    assert_eq!(app.view, View::Playbooks);
    assert_eq!(
        app.ui.playbooks.opened,
        Some(opsdeck::tui::state::playbooks::Opened::Run(id))
    );
}

#[test]
fn a_value_under_review_shows_a_question_mark_in_the_indicator_detail() {
    let mut store = demo_store();
    let newest: i64 = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT o.id FROM observations o JOIN indicators i ON i.id = o.indicator_id
              WHERE i.key = 'trial_to_paid' ORDER BY o.at DESC, o.id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    exec(
        &store,
        &format!(
            "UPDATE observations SET review = 'far from the recent median' WHERE id = {newest}"
        ),
    );
    let mut app = app_on(&mut store, View::Indicators);
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "trial");
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Enter);
    let d = app.models.detail.as_ref().expect("detail");
    assert_eq!(d.values[0].id, newest);
    assert!(d.values[0].review.is_some());
    assert!(d.values[1..].iter().all(|v| v.review.is_none()));
    let big = render_to_text(&app, 120, 40);
    let line = big
        .lines()
        .find(|l| l.contains(&format!("▶{newest}")))
        .unwrap_or_else(|| panic!("{big}"));
    assert!(line.contains('?'), "{line}");
    assert!(
        big.contains(&format!("opsdeck observation confirm {newest}")),
        "{big}"
    );
    insta::assert_snapshot!(
        "indicator_detail_review_80x24",
        render_to_text(&app, 80, 24)
    );
    insta::assert_snapshot!("indicator_detail_review_120x40", big);
}
