//! Issue 19, in the cockpit: the header names who is on call for the acting
//! user's roles, the Alerts view marks silenced alerts and lists who is on
//! call and the silences in force, and `:silence add` / `:oncall override`
//! write what the CLI would. On the demo at the screens' fixed clock.

use crate::common::screens::{count, demo_store, key, typed, NOW};
use crossterm::event::KeyCode;
use opsdeck::commands::cmdline::ClapCommandLine;
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::popups::Popup;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{loaded_app, render_to_text};
use std::sync::Arc;

fn app_with_cmdline(store: &mut Store, view: View) -> App {
    let mut app = loaded_app(store, view, NOW, Theme::mono());
    app.cmdline = Some(Arc::new(ClapCommandLine));
    app
}

/// Types `line` on the `:` line, presses Enter and confirms with `y`.
fn run_line(store: &mut Store, app: &mut App, line: &str) {
    key(store, app, KeyCode::Char(':'));
    typed(store, app, line);
    key(store, app, KeyCode::Enter);
    assert!(
        matches!(app.popup, Some(Popup::Confirm { .. })),
        "{line}: {:?}",
        app.popup
    );
    key(store, app, KeyCode::Char('y'));
    assert!(app.popup.is_none(), "{:?}", app.popup);
}

#[test]
fn a_silence_from_the_command_line_marks_its_alert_and_lists_itself() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    run_line(
        &mut store,
        &mut app,
        "silence add --match indicator=on_time_rate --for 2h --reason carrier outage",
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM silences"),
        2,
        "the demo's past one and this"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit WHERE action = 'silence' AND actor = 'tester'"
        ),
        1
    );
    let small = render_to_text(&app, 80, 24);
    // The breach of on-time fulfilment is silenced, with the reason below it.
    let row = small
        .lines()
        .find(|l| l.contains("On-time fulfilment in breach"))
        .unwrap();
    assert!(row.contains("silenced"), "{small}");
    assert!(
        small.contains("silenced by silence #2 until 11:00 UTC: carrier outage"),
        "{small}"
    );
    assert!(
        small.contains("◌ silenced: silence #2 │ ☎ demand Eli"),
        "{small}"
    );
    insta::assert_snapshot!("oncall_silenced_80x24", small);
    let big = render_to_text(&app, 120, 40);
    assert!(big.contains("On call · 1 silence in force"), "{big}");
    assert!(
        big.contains("◌ silence #2 until Tue 11:00: indicator=on_time_rate · carrier outage"),
        "{big}"
    );
    assert!(
        big.contains("☎ fulfilment Ana until Sat 09:00 · override: Ben roasts"),
        "{big}"
    );
    insta::assert_snapshot!("oncall_silenced_120x40", big);
    // The detail of the selected (silenced) alert says so, and who each
    // level pages now.
    key(&mut store, &mut app, KeyCode::Enter);
    let detail = render_to_text(&app, 80, 24);
    assert!(
        detail.contains("◌ silenced by silence #2 until 11:00 UTC: carrier outage"),
        "{detail}"
    );
    assert!(detail.contains("open · ☎ founder · age"), "{detail}");
    insta::assert_snapshot!("oncall_silenced_detail_80x24", detail);
    key(&mut store, &mut app, KeyCode::Esc);
    // The cockpit's alerts pane marks it too.
    key(&mut store, &mut app, KeyCode::Char('1'));
    let cockpit = render_to_text(&app, 80, 24);
    let row = cockpit
        .lines()
        .find(|l| l.contains("On-time ful") && l.contains("L3"))
        .unwrap();
    assert!(row.contains("◌founder"), "{cockpit}");
    key(&mut store, &mut app, KeyCode::Char('5'));
    // Ended from the line too.
    run_line(&mut store, &mut app, "silence end 2");
    let after = render_to_text(&app, 120, 40);
    assert!(after.contains("On call · 0 silences in force"), "{after}");
}

#[test]
fn an_override_from_the_command_line_changes_who_alerts_wait_for() {
    let mut store = demo_store();
    let mut app = app_with_cmdline(&mut store, View::Alerts);
    let before = render_to_text(&app, 120, 40);
    let row = before
        .lines()
        .find(|l| l.contains("Checklist run overdue: support-ticket"))
        .unwrap();
    assert!(row.contains(" Chloe "), "{row}");
    run_line(
        &mut store,
        &mut app,
        "oncall override support Dev --until 1d --reason Chloe at a trade fair",
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM oncall_overrides WHERE role = 'support' AND person = 'Dev'"
        ),
        1
    );
    let after = render_to_text(&app, 120, 40);
    let row = after
        .lines()
        .find(|l| l.contains("Checklist run overdue: support-ticket"))
        .unwrap();
    assert!(row.contains(" Dev "), "{row}");
    assert!(
        after.contains("☎ support    Dev until Wed 09:00 · override: Chloe at a trade fair"),
        "{after}"
    );
    // A bad line is refused with the CLI's message, nothing written.
    key(&mut store, &mut app, KeyCode::Char(':'));
    typed(
        &mut store,
        &mut app,
        "silence add --match colour=red --for 1h --reason x",
    );
    key(&mut store, &mut app, KeyCode::Enter);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("'colour' is not a field to match"), "{text}");
    assert_eq!(
        count(&store, "SELECT count(*) FROM silences"),
        1,
        "only the demo's past one"
    );
}

#[test]
fn the_header_names_who_is_on_call_for_the_acting_users_roles() {
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = Store::open_in_memory_at("Chloe", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let app = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    let small = render_to_text(&app, 80, 24);
    let header = small.lines().next().unwrap();
    assert!(header.contains("as Chloe │ ☎ you are on call"), "{header}");
    assert!(
        header.trim_end().ends_with("09:00 UTC"),
        "the clock is never cut: {header}"
    );
    insta::assert_snapshot!("oncall_header_80x24", small);
    let big = render_to_text(&app, 120, 40);
    assert!(
        big.lines()
            .next()
            .unwrap()
            .contains("☎ you are on call │ changed"),
        "{big}"
    );
    insta::assert_snapshot!("oncall_header_120x40", big);
    // Dev holds support and demand: Chloe is on call for support, Eli for demand.
    let mut store = Store::open_in_memory_at("Dev", NOW).unwrap();
    opsdeck::demo::populate(&mut store, NOW).unwrap();
    let app = loaded_app(&mut store, View::Cockpit, NOW, Theme::mono());
    let header = render_to_text(&app, 120, 40)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(header.contains("☎ demand: Eli, support: Chloe"), "{header}");
}
