//! Screen tests: every view rendered over the demo data with a fixed clock,
//! at 80x24 and 120x40 (and too small), as insta snapshots; plus the
//! update logic driven by actions, hostile text, colour and liveness.

use crate::common::screens::{app_on, demo_store, key, typed, NOW};
use crossterm::event::KeyCode;
use opsdeck::domain::Status;
use opsdeck::store::Store;
use opsdeck::tui::action::Action;
use opsdeck::tui::app::{App, SortKey, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};

#[test]
fn every_view_at_80x24_and_120x40() {
    let mut store = demo_store();
    for view in [
        View::Cockpit,
        View::Indicators,
        View::Work,
        View::Standup,
        View::Playbooks,
        View::Alerts,
        View::Experiments,
        View::Decisions,
        View::Feedback,
    ] {
        let app = app_on(&mut store, view);
        for (w, h) in [(80, 24), (120, 40)] {
            let text = render_to_text(&app, w, h);
            assert!(!text.contains('\u{1b}'));
            insta::assert_snapshot!(
                format!(
                    "{}_{w}x{h}",
                    view.title().replace([' ', '&'], "_").to_lowercase()
                ),
                text
            );
        }
    }
}

#[test]
fn indicator_detail_and_help_overlay() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(app.ui.indicators.detail.is_some());
    insta::assert_snapshot!("indicator_detail_80x24", render_to_text(&app, 80, 24));
    insta::assert_snapshot!("indicator_detail_120x40", render_to_text(&app, 120, 40));
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.ui.indicators.detail.is_none());
    key(&mut store, &mut app, KeyCode::Char('?'));
    assert!(matches!(app.popup, Some(Popup::Help)));
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("record a value"), "{text}");
    insta::assert_snapshot!("help_indicators_80x24", text);
    key(&mut store, &mut app, KeyCode::Char('x'));
    assert!(app.popup.is_none(), "any key closes the help");
}

/// The Alerts view has more keys than 24 rows hold with every global key on
/// a line of its own: at 80x24 the help keeps the view's keys whole (a long
/// description wraps under itself instead of being cut at the border), runs
/// the global keys together, and still shows how to close it; at 120x40
/// every key has its own line.
#[test]
fn the_alerts_help_fits_80x24_whole() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Alerts);
    app.mouse = true;
    key(&mut store, &mut app, KeyCode::Char('?'));
    let small = render_to_text(&app, 80, 24);
    for whole in [
        "acknowledge the selected alert (you own it); again:",
        "re-ack, its ack timeout restarts",
        "add a decision, this alert as evidence",
        "q quit",
        "any key or a click closes this help",
    ] {
        assert!(small.contains(whole), "{whole:?} missing:\n{small}");
    }
    insta::assert_snapshot!("help_alerts_80x24", small);
    let big = render_to_text(&app, 120, 40);
    assert!(big.contains("Shift+drag selects text"), "{big}");
    assert!(
        !big.contains("q quit ·"),
        "one line a key at 120x40:\n{big}"
    );
    insta::assert_snapshot!("help_alerts_120x40", big);
}

#[test]
fn too_small_shows_a_message_not_a_garbled_layout() {
    let mut store = demo_store();
    let app = app_on(&mut store, View::Cockpit);
    let text = render_to_text(&app, 40, 12);
    assert!(text.contains("Terminal too small: 40x12"), "{text}");
    insta::assert_snapshot!("too_small_40x12", text);
    // Nothing panics at odd sizes either.
    for (w, h) in [(1, 1), (20, 5), (59, 30), (200, 60)] {
        let _ = render_to_text(&app, w, h);
    }
}

#[test]
fn navigation_with_tab_numbers_and_arrows() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Cockpit);
    key(&mut store, &mut app, KeyCode::Tab);
    assert_eq!(app.view, View::Indicators);
    key(&mut store, &mut app, KeyCode::BackTab);
    assert_eq!(app.view, View::Cockpit);
    key(&mut store, &mut app, KeyCode::Char('3'));
    assert_eq!(app.view, View::Work);
    assert!(app.models.flow.is_some(), "the Work view loads its model");
    key(&mut store, &mut app, KeyCode::Char('2'));
    let n = app.row_count();
    assert!(n >= 10);
    key(&mut store, &mut app, KeyCode::Char('j'));
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(app.selected(), 2);
    key(&mut store, &mut app, KeyCode::Char('k'));
    assert_eq!(app.selected(), 1);
    key(&mut store, &mut app, KeyCode::Char('G'));
    assert_eq!(app.selected(), n - 1);
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(app.selected(), n - 1, "clamped at the end");
    key(&mut store, &mut app, KeyCode::Char('g'));
    assert_eq!(app.selected(), 0);
    key(&mut store, &mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn filter_and_sort_the_indicators() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    assert_eq!(app.ui.indicators.sort, SortKey::Status);
    let first = app.indicator_rows()[0].status;
    assert_eq!(first, Status::Breach, "worst first");
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "time");
    assert_eq!(app.filter, "time");
    let names: Vec<String> = app
        .indicator_rows()
        .iter()
        .map(|r| r.def.name.clone())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| n.to_lowercase().contains("time")),
        "{names:?}"
    );
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(app.popup.is_none());
    assert_eq!(app.filter, "time", "Enter keeps the filter");
    key(&mut store, &mut app, KeyCode::Esc);
    assert!(app.filter.is_empty(), "Esc clears it");
    key(&mut store, &mut app, KeyCode::Char('o'));
    assert_eq!(app.ui.indicators.sort, SortKey::Name);
    let names: Vec<String> = app
        .indicator_rows()
        .iter()
        .map(|r| r.def.name.to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn a_bad_number_is_refused_in_place_and_nothing_is_written() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "billing");
    key(&mut store, &mut app, KeyCode::Enter);
    let before = store.observation_count().unwrap();
    key(&mut store, &mut app, KeyCode::Char('n'));
    typed(&mut store, &mut app, "abc");
    key(&mut store, &mut app, KeyCode::Enter);
    match &app.popup {
        Some(Popup::Record { error: Some(e), .. }) => assert!(e.contains("not a number"), "{e}"),
        other => panic!("the input should stay open with the reason: {other:?}"),
    }
    assert!(render_to_text(&app, 80, 24).contains("✗ 'abc' is not a number"));
    assert_eq!(store.observation_count().unwrap(), before);
    // Fix it: a value and a note.
    for _ in 0..3 {
        key(&mut store, &mut app, KeyCode::Backspace);
    }
    typed(&mut store, &mut app, "0.7 after the template fix");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(app.popup.is_none());
    assert_eq!(store.observation_count().unwrap(), before + 1);
    assert!(app
        .flash
        .as_ref()
        .unwrap()
        .0
        .contains("recorded billing_error_rate = 0.70"));
    // Derived indicators take notes only.
    key(&mut store, &mut app, KeyCode::Esc);
    key(&mut store, &mut app, KeyCode::Char('/'));
    typed(&mut store, &mut app, "on-time");
    key(&mut store, &mut app, KeyCode::Enter);
    key(&mut store, &mut app, KeyCode::Char('n'));
    typed(&mut store, &mut app, "90");
    key(&mut store, &mut app, KeyCode::Enter);
    assert!(
        matches!(&app.popup, Some(Popup::Record { error: Some(e), .. }) if e.contains("only notes"))
    );
    key(&mut store, &mut app, KeyCode::Esc);
    key(&mut store, &mut app, KeyCode::Char('n'));
    typed(&mut store, &mut app, "# courier strike on Tuesday");
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(
        store.notes("indicator", "on_time_rate", 5).unwrap()[0].text,
        "courier strike on Tuesday"
    );
}

#[test]
fn hostile_names_render_as_inert_text() {
    let mut store = demo_store();
    store
        .raw_conn_for_tests()
        .execute(
            "UPDATE indicators SET name = ?1, unit = ?2 WHERE key = 'on_time_rate'",
            [
                "Evil\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}name\u{202e}x\u{9b}1m",
                "%\u{1b}[H",
            ],
        )
        .unwrap();
    store
        .raw_conn_for_tests()
        .execute(
            "UPDATE meta SET value = 'Co\u{1b}[31m\u{7}' WHERE key = 'company'",
            [],
        )
        .unwrap();
    for view in [View::Cockpit, View::Indicators, View::Standup] {
        let app = app_on(&mut store, view);
        let text = render_to_text(&app, 120, 40);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{view:?}: {text:?}"
        );
        assert!(!text.contains('\u{202e}') && !text.contains('\u{9b}'));
        if view != View::Standup {
            assert!(text.contains("Evilname?x"), "{view:?}: {text}");
        }
    }
}

#[test]
fn status_has_a_word_and_symbol_and_colour_only_as_extra() {
    let mut store = demo_store();
    let mono = app_on(&mut store, View::Cockpit);
    let text = render_to_text(&mono, 80, 24);
    assert!(
        text.contains("✗")
            && text.contains("breach")
            && text.contains("▲")
            && text.contains("warn")
    );
    // With colour, a breach cell is red; without, it has no colour but is bold.
    let coloured = loaded_app(&mut store, View::Cockpit, NOW, Theme { color: true });
    let find_style = |app: &App| {
        let backend = ratatui::backend::TestBackend::new(80, 24);
        let mut t = ratatui::Terminal::new(backend).unwrap();
        t.draw(|f| opsdeck::tui::views::draw(f, app)).unwrap();
        let buf = t.backend().buffer().clone();
        let mut found = None;
        for y in 0..24 {
            for x in 0..80 {
                if buf[(x, y)].symbol() == "✗" {
                    found = Some(buf[(x, y)].style());
                }
            }
        }
        found.expect("a breach symbol on screen")
    };
    assert_eq!(find_style(&coloured).fg, Some(ratatui::style::Color::Red));
    let mono_style = find_style(&mono);
    assert!(
        matches!(mono_style.fg, None | Some(ratatui::style::Color::Reset)),
        "{mono_style:?}"
    );
    assert!(mono_style
        .add_modifier
        .contains(ratatui::style::Modifier::BOLD));
}

#[test]
fn a_write_from_another_connection_is_seen_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let mut ui_store = Store::open(&path, "ui").unwrap();
    let mut app = loaded_app(&mut ui_store, View::Indicators, NOW, Theme::mono());
    let v0 = ui_store.data_version().unwrap();
    let reading = |app: &App| {
        app.models
            .board
            .as_ref()
            .unwrap()
            .readings
            .iter()
            .find(|r| r.def.key == "trial_to_paid")
            .unwrap()
            .value
    };
    assert_eq!(reading(&app), None);
    // Another process (here: another connection) records a value.
    let mut other = Store::open(&path, "cron").unwrap();
    crate::common::store::insert_value(
        &mut other,
        "trial_to_paid",
        NOW - 60,
        21.0,
        opsdeck::store::indicators::Origin::Demo,
    );
    let v1 = ui_store.data_version().unwrap();
    assert_ne!(v0, v1, "data_version moves on another connection's commit");
    // No change: no reload work.
    assert_eq!(ui_store.data_version().unwrap(), v1);
    dispatch(&mut ui_store, &mut app, Action::DataChanged);
    assert_eq!(reading(&app), Some(21.0));
    assert!(app.dirty, "a reload asks for a redraw");
}

#[test]
fn standup_sections_and_speaker_timer() {
    // The demo ships a standup a day before: "since the previous standup" is defined.
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Standup);
    assert!(app.models.standup.as_ref().unwrap().previous.is_some());
    let first = render_to_text(&app, 80, 24);
    assert!(first.contains("INDICATORS"), "{first}");
    key(&mut store, &mut app, KeyCode::Char('t'));
    assert_eq!(app.ui.standup.speaker, 1);
    dispatch(&mut store, &mut app, Action::Tick(NOW + 75));
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("[Dev]"), "{text}");
    // Section by section: alerts since the previous standup, overdue
    // checklist items, work and capacity, decisions and experiments.
    key(&mut store, &mut app, KeyCode::Char(' '));
    assert_eq!(app.ui.standup.section, 1);
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains("ALERTS") && text.contains("escalated to level"),
        "{text}"
    );
    insta::assert_snapshot!("standup_alerts_80x24", text);
    key(&mut store, &mut app, KeyCode::Char(' '));
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains("TO REVIEW") && text.contains("No value is waiting"),
        "{text}"
    );
    key(&mut store, &mut app, KeyCode::Char(' '));
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains("OVERDUE CHECKLIST ITEMS") && text.contains("late"),
        "{text}"
    );
    insta::assert_snapshot!("standup_overdue_80x24", text);
    key(&mut store, &mut app, KeyCode::Right);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("WORK AND CAPACITY"), "{text}");
    insta::assert_snapshot!("standup_work_timer_80x24", text);
    key(&mut store, &mut app, KeyCode::Char(' '));
    assert_eq!(app.ui.standup.section, 5);
    key(&mut store, &mut app, KeyCode::Char(' '));
    assert_eq!(app.ui.standup.section, 5, "stays on the last section");
    key(&mut store, &mut app, KeyCode::Left);
    assert_eq!(app.ui.standup.section, 4);
}

/// A new database's cockpit at 80x24: the checklists pane's note on how to
/// start a run wraps inside the narrow pane instead of being cut.
#[test]
fn a_new_database_says_how_to_start_a_run_whole() {
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = opsdeck::store::Store::open_in_memory_at("tester", NOW).unwrap();
    let app = app_on(&mut store, View::Cockpit);
    let text = render_to_text(&app, 80, 24);
    // The pane's lines, right of the second column of panes.
    let pane: String = text
        .lines()
        .map(|l| l.chars().skip(48).collect::<String>())
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ').to_string())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        pane.contains("No open checklist runs. Start one: S on a playbook in 4 Playbooks & runs, or :run start PLAYBOOK"),
        "{pane}\n{text}"
    );
    insta::assert_snapshot!("cockpit_new_database_80x24", text);
}

/// On a screen shorter than the help, the closing line still shows and a
/// line says what was left out (the minimum screen, 60x16).
#[test]
fn the_help_on_the_smallest_screen_says_what_it_leaves_out() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Alerts);
    key(&mut store, &mut app, KeyCode::Char('?'));
    let text = render_to_text(&app, 60, 16);
    assert!(text.contains("a taller terminal shows them"), "{text}");
    assert!(text.contains("any key closes this help"), "{text}");
}
