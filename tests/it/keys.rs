//! Key bindings are data (issue 12.2): the keymap, the `?` help and the
//! footer are generated from one table, `tui::keys::BINDINGS`. Every binding
//! that applies in a view shows in that view's help with its keys and text,
//! the keymap maps each of its keys to its action, and the footer drawn is
//! the one generated for the context.

use crate::common::screens::key;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::keys::{self, Context};
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{keymap::keymap, loaded_app, render_to_text};

/// 2026-11-24T09:00:00Z: the fixed clock of the screen tests.
const NOW: i64 = 1_795_510_800;

/// Every context the table distinguishes, as a loaded app.
fn contexts(store: &mut Store) -> Vec<App> {
    let mut apps: Vec<App> = [View::Standup]
        .iter()
        .chain(View::TABS.iter())
        .map(|v| loaded_app(store, *v, NOW, Theme::mono()))
        .collect();
    for v in [View::Indicators, View::Playbooks] {
        let mut app = loaded_app(store, v, NOW, Theme::mono());
        key(store, &mut app, KeyCode::Enter);
        assert!(app.key_context().detail, "{v:?} opens a detail");
        apps.push(app);
    }
    apps
}

#[test]
fn every_binding_shows_in_the_help_of_its_view_and_the_keymap_maps_it() {
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let mut checked = 0;
    for mut app in contexts(&mut store) {
        let cx: Context = app.key_context();
        let bindings: Vec<_> = app.keys.active(cx).cloned().collect();
        assert!(!bindings.is_empty(), "{cx:?}");
        // The keymap: each key of each binding, unless a binding listed
        // earlier (the view's own) took the same key.
        for (i, b) in bindings.iter().enumerate() {
            for k in b.keys.iter() {
                if bindings[..i].iter().any(|e| e.keys.contains(k)) {
                    continue;
                }
                let got = keymap(&app, KeyEvent::new(*k, KeyModifiers::NONE));
                assert_eq!(
                    format!("{got:?}"),
                    format!("{:?}", b.act.action(*k)),
                    "{cx:?} {k:?}"
                );
                checked += 1;
            }
        }
        // The help, opened with the key the table gives it.
        key(&mut store, &mut app, KeyCode::Char('?'));
        let help = render_to_text(&app, 120, 40);
        for b in &bindings {
            assert!(
                help.contains(&keys::keys_label(b)),
                "{cx:?} {:?}:\n{help}",
                b.act
            );
            assert!(help.contains(b.help), "{cx:?} {:?}:\n{help}", b.help);
        }
        key(&mut store, &mut app, KeyCode::Char('x'));
        // The footer drawn is the generated one (the standup has none).
        if cx.view != View::Standup {
            let screen = render_to_text(&app, 120, 40);
            let last = screen.lines().last().unwrap_or_default();
            assert!(last.starts_with(&app.keys.footer(cx)), "{cx:?}: {last}");
        }
    }
    assert!(checked > 60, "{checked} keys checked");
}

#[test]
fn a_key_of_another_view_does_nothing_here() {
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let app = loaded_app(&mut store, View::Work, NOW, Theme::mono());
    for c in ['a', 'r', 'x', 'u', 'o', 't'] {
        let got = keymap(&app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        assert!(got.is_none(), "{c}: {got:?}");
    }
}

/// `keys.toml` (issue 15.8): remaps an action; the keymap, the help and the
/// footer follow.
#[test]
fn keys_toml_remaps_and_the_help_and_footer_follow() {
    use opsdeck::tui::keys::KeyTable;
    use opsdeck::tui::popups::Popup;
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let mut app = loaded_app(&mut store, View::Alerts, NOW, Theme::mono());
    app.keys = KeyTable::parse(
        "keys.toml",
        "[alert]\nack = \"A\"\nresolve = [\"R\", \"Z\"]\n",
    )
    .unwrap();
    key(&mut store, &mut app, KeyCode::Char('a'));
    assert!(app.popup.is_none(), "a no longer acknowledges");
    key(&mut store, &mut app, KeyCode::Char('A'));
    assert!(
        matches!(&app.popup, Some(Popup::Confirm { prompt, .. }) if prompt.starts_with("Acknowledge"))
    );
    key(&mut store, &mut app, KeyCode::Esc);
    key(&mut store, &mut app, KeyCode::Char('Z'));
    assert!(
        matches!(&app.popup, Some(Popup::Confirm { prompt, .. }) if prompt.starts_with("Resolve"))
    );
    key(&mut store, &mut app, KeyCode::Esc);
    let screen = render_to_text(&app, 80, 24);
    let footer = screen.lines().last().unwrap_or_default();
    assert!(footer.starts_with("A ack  R resolve  s snooze"), "{footer}");
    key(&mut store, &mut app, KeyCode::Char('?'));
    let help = render_to_text(&app, 120, 40);
    assert!(
        help.lines()
            .any(|l| l.contains(" A ") && l.contains("acknowledge")),
        "{help}"
    );
    assert!(
        help.lines()
            .any(|l| l.contains("R Z") && l.contains("resolve it")),
        "{help}"
    );
}

#[test]
fn a_keys_toml_beside_the_config_is_used_and_a_bad_one_refused_with_its_line() {
    use crate::common::{stderr, stdout, Env};
    let env = Env::new();
    env.cmd(&["demo"]).assert().success();
    let dir = env.path().join("config").join("opsdeck");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keys.toml"), "# mine\n\"alert.ack\" = \"A\"\n").unwrap();
    let out = env
        .cmd(&[
            "snapshot", "--view", "alerts", "--width", "80", "--height", "24",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let last = stdout(&out).lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("A ack  r resolve"), "{last}");
    std::fs::write(
        dir.join("keys.toml"),
        "\"alert.ack\" = \"A\"\nalert.nope = \"x\"\n",
    )
    .unwrap();
    let out = env.cmd(&["snapshot", "--view", "alerts"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("keys.toml:2: 'alert.nope' is not an action"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(stdout(&out).is_empty());
}
