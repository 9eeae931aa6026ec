//! After another process's commit the cockpit reads only what changed
//! (issue 17.2): the audit trail after the models' high-water mark says
//! which parts; a value recorded for one indicator re-reads that indicator
//! alone. Shown with a second, unaudited change the refresh must not read,
//! then a write around opsdeck (no audit row) that makes it read everything.

use crate::common::Env;
use opsdeck::store::Store;
use opsdeck::tui::action::Action;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app};

const NOW: &str = "2026-11-25T12:00:00Z";
const NOW_TS: i64 = 1_795_608_000;

fn value_of(app: &opsdeck::tui::app::App, key: &str) -> Option<f64> {
    app.models
        .board
        .as_ref()
        .expect("the board is loaded")
        .readings
        .iter()
        .find(|r| r.def.key == key)
        .expect("the indicator is on the board")
        .value
}

/// Adds a value to `key` without opsdeck (and so without an audit row).
fn raw_insert(env: &Env, key: &str, value: f64) {
    let c = env.conn();
    c.execute(
        "INSERT INTO observations (indicator_id, at, value) SELECT id, ?2, ?3 FROM indicators WHERE key = ?1",
        rusqlite::params![key, NOW_TS - 60, value],
    )
    .unwrap();
}

#[test]
fn a_value_from_another_process_rereads_that_indicator_alone() {
    let env = Env::bare();
    let ops = env.path().join("ops");
    env.at(NOW, &["init", ops.to_str().unwrap()])
        .assert()
        .success();
    env.at(
        NOW,
        &[
            "record",
            "trial_to_paid",
            "10",
            "--at",
            "2026-11-25T10:00:00Z",
        ],
    )
    .assert()
    .success();
    env.at(
        NOW,
        &[
            "record",
            "first_response",
            "30",
            "--at",
            "2026-11-25T10:00:00Z",
        ],
    )
    .assert()
    .success();
    let mut store = Store::open_at(&env.db, "tester", NOW_TS).unwrap();
    let mut app = loaded_app(&mut store, View::Cockpit, NOW_TS, Theme::mono());
    assert_eq!(value_of(&app, "trial_to_paid"), Some(10.0));
    let first_response = value_of(&app, "first_response");

    // Another program changes first_response behind opsdeck's back, then
    // `opsdeck record` adds a value to trial_to_paid: one audit row, naming it.
    raw_insert(&env, "first_response", 9_000.0);
    env.at(
        NOW,
        &[
            "record",
            "trial_to_paid",
            "50",
            "--at",
            "2026-11-25T11:00:00Z",
        ],
    )
    .assert()
    .success();
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(
        value_of(&app, "trial_to_paid"),
        Some(50.0),
        "the recorded indicator is read again"
    );
    assert_eq!(
        value_of(&app, "first_response"),
        first_response,
        "an indicator the trail does not name is not read again"
    );

    // A write that leaves no audit row: the refresh cannot say what
    // changed, so it reads everything.
    raw_insert(&env, "trial_to_paid", 70.0);
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_ne!(value_of(&app, "first_response"), first_response);
    assert_eq!(value_of(&app, "trial_to_paid"), Some(70.0));
}

#[test]
fn an_alert_raised_elsewhere_reaches_the_alerts_view_without_a_full_reload() {
    let env = Env::bare();
    let ops = env.path().join("ops");
    env.at(NOW, &["init", ops.to_str().unwrap()])
        .assert()
        .success();
    let mut store = Store::open_at(&env.db, "tester", NOW_TS).unwrap();
    let mut app = loaded_app(&mut store, View::Alerts, NOW_TS, Theme::mono());
    let open = |app: &opsdeck::tui::app::App| {
        app.models
            .alerts
            .as_ref()
            .expect("the alerts are loaded")
            .active
            .len()
    };
    assert_eq!(open(&app), 0);
    env.at(
        NOW,
        &["alert", "raise", "courier is late", "--severity", "warning"],
    )
    .assert()
    .success();
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(open(&app), 1, "the raised alert is read");
    assert!(app.models.audit_mark > 0);
}

/// Work items imported by another process move the error budgets of the
/// Alerts view (they are computed from work items), and a recorded value
/// moves the Experiments view's live criteria: each refresh reads them.
#[test]
fn work_items_from_another_process_move_the_error_budgets_on_screen() {
    let env = Env::bare();
    let ops = env.path().join("ops");
    env.at(NOW, &["init", ops.to_str().unwrap()])
        .assert()
        .success();
    let mut store = Store::open_at(&env.db, "tester", NOW_TS).unwrap();
    let mut app = loaded_app(&mut store, View::Alerts, NOW_TS, Theme::mono());
    let orders = |app: &opsdeck::tui::app::App| {
        let panel = app
            .models
            .alerts
            .as_ref()
            .expect("the alerts are loaded")
            .slos
            .iter()
            .find(|p| p.key == "on_time_fulfilment")
            .cloned()
            .expect("the starter's order SLO");
        (panel.good, panel.total)
    };
    assert_eq!(orders(&app), (0, 0));
    let csv = env.file(
        "orders.csv",
        b"kind,external_id,opened_at,promised_at,closed_at,outcome\n\
order,A-1,2026-11-24T08:00:00Z,2026-11-25T08:00:00Z,2026-11-24T18:00:00Z,ok\n\
order,A-2,2026-11-24T09:00:00Z,2026-11-25T09:00:00Z,2026-11-25T11:00:00Z,ok\n",
    );
    env.at(NOW, &["import", &csv]).assert().success();
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(orders(&app), (1, 2), "one on time of two closed");
}
