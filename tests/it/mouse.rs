//! Issue 15.4, the mouse: crossterm mouse events fed through the same path
//! as the live loop's (`worker::mouse`, then `update`), after a frame was
//! drawn (a click hits what the last frame showed). The wheel moves the
//! selection by id, a click on a tab switches view, a click on a row
//! selects that row's item (header, borders and the kept scroll offset
//! accounted for), a click beyond the rows does nothing, the Cockpit's
//! panes take a click, and a popup keeps the mouse from the view behind it.

use crate::common::screens::{app_on, demo_store, key};
use crate::common::{stderr, Env};
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::render_to_text;
use opsdeck::tui::state::cockpit::CockpitKey;

fn event(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

/// One mouse event as the live loop hands it on (no writer: every effect
/// runs here, as in a read-only cockpit).
fn mouse(store: &mut Store, app: &mut App, kind: MouseEventKind, column: u16, row: u16) {
    opsdeck::tui::worker::mouse(store, app, None, event(kind, column, row));
}

fn click(store: &mut Store, app: &mut App, column: u16, row: u16) {
    mouse(
        store,
        app,
        MouseEventKind::Down(MouseButton::Left),
        column,
        row,
    );
}

/// The screen row of the only line of `screen` containing `needle`.
fn row_of(screen: &str, needle: &str) -> u16 {
    let rows: Vec<usize> = screen
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(rows.len(), 1, "one line has {needle:?}:\n{screen}");
    rows[0] as u16
}

/// The screen column where `needle` starts on row `row` (an ASCII line).
fn column_of(screen: &str, row: u16, needle: &str) -> u16 {
    let line = screen.lines().nth(row as usize).unwrap();
    line.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} on {line:?}")) as u16
}

fn selected_indicator(app: &App) -> i64 {
    *app.ui.indicators.list.selected().expect("a selection")
}

fn indicator_id(app: &App, name: &str) -> i64 {
    app.indicator_rows()
        .iter()
        .find(|r| r.def.name == name)
        .map(|r| r.id)
        .expect("listed")
}

#[test]
fn the_wheel_moves_the_selection_by_id_like_the_arrows() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    render_to_text(&app, 80, 24);
    let ids: Vec<i64> = app.indicator_rows().iter().map(|r| r.id).collect();
    assert_eq!(selected_indicator(&app), ids[0]);
    mouse(&mut store, &mut app, MouseEventKind::ScrollDown, 10, 10);
    mouse(&mut store, &mut app, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(selected_indicator(&app), ids[2], "two notches down");
    mouse(&mut store, &mut app, MouseEventKind::ScrollUp, 10, 10);
    assert_eq!(selected_indicator(&app), ids[1], "one notch up");
    // Moves, drags and releases are nothing.
    for kind in [
        MouseEventKind::Moved,
        MouseEventKind::Drag(MouseButton::Left),
        MouseEventKind::Up(MouseButton::Left),
        MouseEventKind::Down(MouseButton::Right),
    ] {
        mouse(&mut store, &mut app, kind, 10, 6);
    }
    assert_eq!(selected_indicator(&app), ids[1]);
    // In the Cockpit the wheel walks the one cursor through the panes.
    let mut app = app_on(&mut store, View::Cockpit);
    render_to_text(&app, 80, 24);
    let first = app.ui.cockpit.list.selected().cloned();
    mouse(&mut store, &mut app, MouseEventKind::ScrollDown, 10, 10);
    let second = app.ui.cockpit.list.rows().nth(1).map(|(k, _)| k.clone());
    assert_ne!(first, second);
    assert_eq!(app.ui.cockpit.list.selected().cloned(), second);
}

#[test]
fn a_click_on_a_tab_switches_the_view() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Cockpit);
    for (w, h, label, view) in [
        (80, 24, "5 Alerts", View::Alerts),
        (80, 24, "7 Decis", View::Decisions),
        (120, 40, "2 Indicators", View::Indicators),
        (120, 40, "9 Sources", View::Sources),
    ] {
        let screen = render_to_text(&app, w, h);
        let x = column_of(&screen, 1, label);
        let back = column_of(&screen, 1, "1 Cockpit");
        // Any cell of the label: its first, its last.
        for cell in [x, x + label.len() as u16 - 1] {
            click(&mut store, &mut app, cell, 1);
            assert_eq!(app.view, view, "{label} at {w}x{h}, column {cell}");
            render_to_text(&app, w, h);
            click(&mut store, &mut app, back, 1);
            assert_eq!(app.view, View::Cockpit);
            render_to_text(&app, w, h);
        }
    }
    // The gap between two labels (120 wide), past the last label, the
    // header line: nothing.
    let screen = render_to_text(&app, 120, 40);
    let gap = column_of(&screen, 1, "5 Alerts") - 2;
    click(&mut store, &mut app, gap, 1);
    click(&mut store, &mut app, 119, 1);
    click(&mut store, &mut app, 40, 0);
    assert_eq!(app.view, View::Cockpit);
}

#[test]
fn a_click_on_a_row_selects_that_rows_item_and_beyond_the_rows_nothing() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    let screen = render_to_text(&app, 80, 24);
    let y = row_of(&screen, "Customer satisfaction");
    click(&mut store, &mut app, 20, y);
    assert_eq!(
        selected_indicator(&app),
        indicator_id(&app, "Customer satisfaction")
    );
    let screen = render_to_text(&app, 80, 24);
    click(&mut store, &mut app, 5, row_of(&screen, "Billing errors"));
    let billing = indicator_id(&app, "Billing errors");
    assert_eq!(selected_indicator(&app), billing);
    // The header row, the border, the empty lines below the last row, the
    // footer: nothing.
    let screen = render_to_text(&app, 80, 24);
    let last = row_of(&screen, "Repeat purchases");
    for (x, y) in [
        (20, row_of(&screen, "indicator ")),
        (0, row_of(&screen, "Billing errors")),
        (20, last + 1),
        (20, 21),
        (20, 22),
        (20, 23),
    ] {
        click(&mut store, &mut app, x, y);
        assert_eq!(selected_indicator(&app), billing, "click at {x},{y}");
        assert_eq!(app.view, View::Indicators);
    }
    // An unbordered table (Alerts): the row below the header is the first.
    let mut app = app_on(&mut store, View::Alerts);
    let screen = render_to_text(&app, 80, 24);
    let rows: Vec<i64> = app.alert_rows().iter().map(|a| a.id).collect();
    let header = row_of(&screen, "owner");
    click(&mut store, &mut app, 10, header + 3);
    assert_eq!(app.ui.alerts.list.selected(), Some(&rows[2]));
    let line = screen.lines().nth(header as usize + 3).unwrap();
    assert!(line.contains(&format!(" {} ", rows[2])), "{line}");
}

#[test]
fn a_click_counts_the_kept_scroll_offset() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    // 80x16: ten of the eleven indicators fit; End scrolls by one.
    key(&mut store, &mut app, KeyCode::End);
    let screen = render_to_text(&app, 80, 16);
    let ids: Vec<i64> = app.indicator_rows().iter().map(|r| r.id).collect();
    let first_shown = app.ui.indicators.list.offset();
    assert_eq!(first_shown, ids.len() - 10, "scrolled:\n{screen}");
    let top = row_of(&screen, "indicator ") + 1;
    click(&mut store, &mut app, 20, top);
    assert_eq!(selected_indicator(&app), ids[first_shown]);
    // The name on that line is the selected indicator's.
    let name = &app.indicator_rows()[first_shown].def.name;
    assert!(
        screen
            .lines()
            .nth(top as usize)
            .unwrap()
            .contains(name.as_str()),
        "{screen}"
    );
    // The scroll stays where it was: the same cell hits the same row.
    render_to_text(&app, 80, 16);
    click(&mut store, &mut app, 20, top + 1);
    assert_eq!(selected_indicator(&app), ids[first_shown + 1]);
}

#[test]
fn a_click_on_a_cockpit_pane_selects_its_item() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Cockpit);
    let screen = render_to_text(&app, 80, 24);
    // A row of the alerts pane: that alert.
    let y = row_of(&screen, "Roaster 2 b");
    click(&mut store, &mut app, 60, y);
    let roaster = app
        .models
        .alerts
        .as_ref()
        .unwrap()
        .active
        .iter()
        .find(|a| a.title.starts_with("Roaster 2 b"))
        .map(|a| a.id)
        .unwrap();
    assert_eq!(
        app.ui.cockpit.list.selected(),
        Some(&CockpitKey::Alert(roaster))
    );
    // A flow row: that kind; the flow pane's header or border: its first kind
    // when the selection is elsewhere.
    let screen = render_to_text(&app, 80, 24);
    click(&mut store, &mut app, 3, row_of(&screen, "ticket "));
    assert_eq!(
        app.ui.cockpit.list.selected(),
        Some(&CockpitKey::Flow("ticket".into()))
    );
    let screen = render_to_text(&app, 80, 24);
    let flow_title = row_of(&screen, "Flow · 7 days");
    click(&mut store, &mut app, 3, flow_title);
    assert_eq!(
        app.ui.cockpit.list.selected(),
        Some(&CockpitKey::Flow("ticket".into())),
        "already in the pane: stays"
    );
    let screen = render_to_text(&app, 80, 24);
    click(
        &mut store,
        &mut app,
        3,
        row_of(&screen, "Lagging indicators"),
    );
    let first_lagging = app
        .models
        .board
        .as_ref()
        .unwrap()
        .readings
        .iter()
        .find(|r| r.def.kind == opsdeck::domain::indicator::Kind::Lagging)
        .map(|r| r.id)
        .unwrap();
    assert_eq!(
        app.ui.cockpit.list.selected(),
        Some(&CockpitKey::Indicator(first_lagging))
    );
    // A run's late line belongs to its run.
    let screen = render_to_text(&app, 80, 24);
    let late = row_of(&screen, "late 1d23h");
    click(&mut store, &mut app, 60, late);
    let run = app.ui.cockpit.list.selected().cloned();
    assert!(matches!(run, Some(CockpitKey::Run(_))), "{run:?}");
    render_to_text(&app, 80, 24);
    click(&mut store, &mut app, 60, late - 1);
    assert_eq!(app.ui.cockpit.list.selected().cloned(), run, "its own line");
    // Enter opens what the click selected, as with the keys.
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(app.view, View::Playbooks);
}

#[test]
fn a_popup_keeps_the_mouse_from_the_view_behind_it() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    let screen = render_to_text(&app, 80, 24);
    let first = selected_indicator(&app);
    let tab = column_of(&screen, 1, "5 Alerts");
    // The filter line: the wheel and clicks do nothing, what was typed stays.
    key(&mut store, &mut app, KeyCode::Char('/'));
    key(&mut store, &mut app, KeyCode::Char('o'));
    render_to_text(&app, 80, 24);
    mouse(&mut store, &mut app, MouseEventKind::ScrollDown, 20, 6);
    click(&mut store, &mut app, tab, 1);
    click(&mut store, &mut app, 20, row_of(&screen, "Billing errors"));
    assert_eq!(app.view, View::Indicators);
    assert_eq!(selected_indicator(&app), first);
    match &app.popup {
        Some(Popup::Filter(input)) => assert_eq!(input.value(), "o"),
        other => panic!("the filter stays open: {other:?}"),
    }
    key(&mut store, &mut app, KeyCode::Esc);
    // The help says what the mouse does and how to select text (when the
    // mouse is captured); it closes on a click, as on any key, and the
    // click does nothing else.
    app.mouse = true;
    key(&mut store, &mut app, KeyCode::Char('?'));
    assert!(matches!(app.popup, Some(Popup::Help)));
    let help = render_to_text(&app, 80, 24);
    assert!(help.contains("Shift+drag selects text"), "{help}");
    insta::assert_snapshot!("help_mouse_80x24", help);
    click(&mut store, &mut app, tab, 1);
    assert!(app.popup.is_none());
    assert_eq!(app.view, View::Indicators);
}

#[test]
fn no_mouse_is_accepted_and_a_wrong_mouse_setting_is_an_error_with_its_line() {
    let env = Env::new();
    let now = "2026-11-24T09:00:00Z";
    env.ok_at(now, &["--no-mouse", "status"]);
    env.ok_at(now, &["snapshot", "--no-mouse"]);
    let cfg = env.file("config.toml", b"bell = true\nmouse = \"yes\"\n");
    let out = env
        .at(now, &["status"])
        .env("OPSDECK_CONFIG", &cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("config.toml:2: mouse: invalid type"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
}
