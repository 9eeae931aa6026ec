//! The cockpit picks up an `opsdeck apply` made from another process
//! (issue 13): the apply's commit moves `PRAGMA data_version`, which the
//! loop polls every 500 ms, and the reload shows the new definition.

use crate::common::Env;
use opsdeck::store::Store;
use opsdeck::tui::action::Action;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app};

const NOW: &str = "2026-11-25T12:00:00Z";
const NOW_TS: i64 = 1_795_608_000;

fn target_of(app: &opsdeck::tui::app::App, key: &str) -> f64 {
    app.models
        .board
        .as_ref()
        .expect("the board is loaded")
        .readings
        .iter()
        .find(|r| r.def.key == key)
        .expect("the indicator is on the board")
        .def
        .target
}

#[test]
fn an_apply_from_another_process_reaches_the_open_cockpit() {
    let env = Env::bare();
    let ops = env.path().join("ops");
    let ops_s = ops.to_str().unwrap();
    env.at(NOW, &["init", ops_s]).assert().success();
    let mut store = Store::open_at(&env.db, "tester", NOW_TS).unwrap();
    let mut app = loaded_app(&mut store, View::Cockpit, NOW_TS, Theme::mono());
    assert_eq!(target_of(&app, "on_time_rate"), 95.0);
    let before = store.data_version().unwrap();

    let file = ops.join("indicators.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let key_at = text
        .find("key = \"on_time_rate\"")
        .expect("the starter on-time indicator");
    let (head, tail) = text.split_at(key_at);
    let tail = tail.replacen("target = 95", "target = 97", 1);
    std::fs::write(&file, format!("{head}{tail}")).unwrap();
    let out = env.at(NOW, &["apply", ops_s]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("target 95 → 97"));

    // What the loop sees at its next poll (at most 500 ms later) ...
    assert_ne!(
        store.data_version().unwrap(),
        before,
        "the apply's commit is visible"
    );
    // ... and what it does then: reload the visible view.
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(target_of(&app, "on_time_rate"), 97.0);
}
