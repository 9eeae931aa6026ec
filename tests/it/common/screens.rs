//! Helpers of the screen tests: the demo at a fixed clock, keys pressed
//! through the real keymap and update, and a counted query.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, keymap::keymap, loaded_app};

/// 2026-11-24T09:00:00Z: the fixed clock of every screen test.
pub const NOW: i64 = 1_795_510_800;

/// The demo database in memory at [`NOW`]. Snapshots must not depend on
/// who runs the tests: the OS login is pinned.
pub fn demo_store() -> Store {
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    store
}

/// The cockpit on `view`, loaded from `store`, without colour.
pub fn app_on(store: &mut Store, view: View) -> App {
    loaded_app(store, view, NOW, Theme::mono())
}

/// Presses `code` (no modifiers): keymap, update and effects, as the loop does.
pub fn key(store: &mut Store, app: &mut App, code: KeyCode) {
    let k = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(a) = keymap(app, k) {
        dispatch(store, app, a);
    }
}

/// Types `text`, one key per character.
pub fn typed(store: &mut Store, app: &mut App, text: &str) {
    for c in text.chars() {
        key(store, app, KeyCode::Char(c));
    }
}

/// The first column of the first row of `sql`, as an integer.
pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .raw_conn_for_tests()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}
