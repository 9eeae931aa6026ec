//! Screen tests of the learning loop: Experiments, Decisions and Feedback at
//! 80x24 over the demo data with a fixed clock, selection, filter, empty
//! states, hostile text, colour, and the standup's decisions section.

use crate::common::screens::{demo_store, key, NOW};
use crossterm::event::KeyCode;
use opsdeck::store::{notes, Store};
use opsdeck::tui::action::Action;
use opsdeck::tui::app::View;
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};
use ratatui::style::Color;

const DAY: i64 = 86_400;

fn no_controls(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
}

#[test]
fn experiments_list_and_live_criteria() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Experiments, NOW, Theme::mono());
    let text = render_to_text(&app, 80, 24);
    no_controls(&text);
    // Running first, with days left before the verdict, locked, amended.
    assert!(text.contains("▶ running   b2b-courier"), "{text}");
    assert!(
        text.contains("… 3 days left") && text.contains("locked"),
        "{text}"
    );
    assert!(
        text.contains("amended 1×") && text.contains("control segment"),
        "{text}"
    );
    assert!(text.contains("★ on_time_rate"), "{text}");
    insta::assert_snapshot!("experiments_running_80x24", text);
    // The concluded one shows the result captured at its decision.
    key(&mut store, &mut app, KeyCode::Char('G'));
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("express-cutoff · Express cut-off"), "{text}");
    assert!(
        text.contains("→ scale") && text.contains("decided"),
        "{text}"
    );
    insta::assert_snapshot!("experiments_concluded_80x24", text);
    // Filter by status word.
    key(&mut store, &mut app, KeyCode::Char('/'));
    for c in "draft".chars() {
        key(&mut store, &mut app, KeyCode::Char(c));
    }
    key(&mut store, &mut app, KeyCode::Enter);
    assert_eq!(app.row_count(), 1);
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains("reorder-reminders") && text.contains("open draft"),
        "{text}"
    );
    assert!(!text.contains("b2b-courier"), "{text}");
}

#[test]
fn decisions_newest_first_with_evidence_and_links() {
    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Decisions, NOW, Theme::mono());
    assert_eq!(app.row_count(), 4);
    let text = render_to_text(&app, 80, 24);
    no_controls(&text);
    assert!(text.contains("evidence, as it stood then:"), "{text}");
    insta::assert_snapshot!("decisions_newest_80x24", text);
    // The superseded decision says so, and is still there with its evidence.
    key(&mut store, &mut app, KeyCode::Down);
    key(&mut store, &mut app, KeyCode::Down);
    let text = render_to_text(&app, 80, 24);
    assert!(
        text.contains("superseded by #4: no longer in force"),
        "{text}"
    );
    assert!(text.contains("indicator:capacity_utilisation"), "{text}");
    insta::assert_snapshot!("decisions_superseded_80x24", text);
}

#[test]
fn feedback_by_segment_and_channel_with_comments() {
    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Feedback, NOW, Theme::mono());
    let text = render_to_text(&app, 80, 24);
    no_controls(&text);
    assert!(
        text.contains("segment b2b") && text.contains("channel survey"),
        "{text}"
    );
    assert!(text.contains("Recent comments"), "{text}");
    insta::assert_snapshot!("feedback_80x24", text);
}

#[test]
fn empty_states_say_how_to_start() {
    // Snapshots must not depend on who runs the tests: the OS login is pinned.
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    let mut store = Store::open_in_memory_at("tester", NOW).unwrap();
    for (view, want) in [
        (View::Experiments, "No experiments yet"),
        (View::Decisions, "No decisions recorded yet"),
        (View::Feedback, "No feedback in the last 28 days"),
    ] {
        let app = loaded_app(&mut store, view, NOW, Theme::mono());
        let text = render_to_text(&app, 80, 24);
        assert!(text.contains(want), "{view:?}: {text}");
    }
    let app = loaded_app(&mut store, View::Experiments, NOW, Theme::mono());
    insta::assert_snapshot!("experiments_empty_80x24", render_to_text(&app, 80, 24));
}

#[test]
fn hostile_text_renders_inert() {
    let mut store = demo_store();
    let evil = "Evil\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}name\u{202e}x\u{9b}1m";
    let c = store.raw_conn_for_tests();
    c.execute(
        "INSERT INTO feedback (at, segment, channel, ease, reliability, value, comment)
         VALUES (?1, ?2, 'survey', 1, 1, 1, ?2)",
        rusqlite::params![NOW - 60, evil],
    )
    .unwrap();
    c.execute(
        "UPDATE experiments SET title = ?1, definition = json_set(definition, '$.title', ?1, '$.hypothesis', ?1)",
        [evil],
    )
    .unwrap();
    c.execute("DROP TRIGGER decisions_no_update", []).unwrap();
    c.execute(
        "UPDATE decisions SET title = ?1, why = ?1, actor = ?1",
        [evil],
    )
    .unwrap();
    for view in [
        View::Experiments,
        View::Decisions,
        View::Feedback,
        View::Standup,
    ] {
        let app = loaded_app(&mut store, view, NOW, Theme::mono());
        for (w, h) in [(80, 24), (120, 40)] {
            let text = render_to_text(&app, w, h);
            no_controls(&text);
            assert!(
                !text.contains('\u{202e}') && !text.contains('\u{9b}'),
                "{view:?}"
            );
            if view != View::Standup && w == 120 {
                assert!(text.contains("Evilname?x"), "{view:?}: {text}");
            }
        }
    }
}

#[test]
fn verdicts_and_outcomes_carry_colour_and_words() {
    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Experiments, NOW, Theme { color: true });
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|f| opsdeck::tui::views::draw(f, &app))
        .unwrap();
    let buf = terminal.backend().buffer();
    let text = render_to_text(&app, 80, 24);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("★ on_time_rate"))
        .unwrap();
    let x = line
        .chars()
        .position(|c| c == '✗')
        .expect("a word and symbol");
    assert!(line.contains("✗ fail"), "{line}");
    assert_eq!(buf[(x as u16, y as u16)].fg, Color::Red, "fail is red too");
}

#[test]
fn the_standup_shows_decisions_and_experiment_milestones_since_the_last_one() {
    let mut store = demo_store();
    // The previous standup four days ago (not the demo's yesterday).
    store
        .raw_conn_for_tests()
        .execute("DELETE FROM standups", [])
        .unwrap();
    store
        .write(|tx| notes::record_standup(tx, NOW - 4 * DAY))
        .unwrap();
    let mut app = loaded_app(&mut store, View::Standup, NOW, Theme::mono());
    // The last section: past indicators, alerts, to review, overdue items, work.
    for _ in 0..5 {
        dispatch(&mut store, &mut app, Action::StandupNext);
    }
    let text = render_to_text(&app, 80, 24);
    no_controls(&text);
    assert!(text.contains("DECISIONS AND EXPERIMENTS  (6/6)"), "{text}");
    assert!(text.contains("#4 Ana: Raise the B2B cap"), "{text}");
    assert!(
        !text.contains("#3 Fix the VAT"),
        "6 days ago is before the last standup (4 days ago): {text}"
    );
    assert!(
        text.contains("amended") && text.contains("b2b-courier"),
        "{text}"
    );
    insta::assert_snapshot!("standup_learning_80x24", text);
}
