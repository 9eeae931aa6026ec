//! The standup: named speakers in a rotating order (`t` next), sections
//! that scroll, "since the previous standup" anchored to yesterday's
//! standup the demo ships, one line per alert, trend words, `stale` marks,
//! a "To review" list, and `standup --format markdown` from the same
//! sections.

use crate::common::screens::{app_on, demo_store, key, NOW};
use crate::common::Env;
use crossterm::event::KeyCode;
use opsdeck::tui::app::View;
use opsdeck::tui::render_to_text;

/// The fixed clock of the Markdown test: the screen tests' NOW.
const AT: &str = "2026-11-24T09:00:00Z";

#[test]
fn standup_markdown_on_the_demo_with_a_fixed_clock() {
    let env = Env::new();
    env.ok_at(AT, &["demo"]);
    // A source fed trial-to-paid once, 2 hours ago, and has not run since:
    // stale. A typo'd 400 h first response is marked for review.
    let ops = env.path().join("ops");
    env.ok_at(AT, &["definition", ops.to_str().unwrap()]);
    let feed = env.file(
        "feed.jsonl",
        b"{\"indicator\":\"trial_to_paid\",\"at\":\"2026-11-24T07:00:00Z\",\"value\":18}\n",
    );
    std::fs::write(
        ops.join("sources.toml"),
        format!(
            "[[source]]\nname = \"crm\"\nkind = \"command\"\nproduces = \"observations\"\nevery = \"5m\"\ncommand = [\"/bin/cat\", \"{feed}\"]\n"
        ),
    )
    .unwrap();
    env.ok_at("2026-11-24T07:30:00Z", &["apply", ops.to_str().unwrap()]);
    env.ok_at("2026-11-24T07:30:00Z", &["sources", "run"]);
    env.ok_at("2026-11-24T08:30:00Z", &["record", "first_response", "400"]);
    let standups = env.query_i64("SELECT count(*) FROM standups");
    let md = env.ok_at(AT, &["standup", "--format", "markdown"]);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM standups"),
        standups,
        "printing the standup records nothing"
    );
    // Named speakers, in today's rotation (day 20781: the 4th person first).
    assert!(
        md.starts_with("# Standup · Northwind Roasters (demo)\n"),
        "{md}"
    );
    assert!(
        md.contains("Speakers, in order: Dev, Eli, Fay, Ana, Ben, Chloe"),
        "{md}"
    );
    // Anchored to yesterday's standup, with what changed since.
    assert!(
        md.contains("Changes since the previous standup, 2026-11-23 09:00 UTC."),
        "{md}"
    );
    assert!(
        md.contains("- ✓ ok  Order cycle time (p90)  warn → ok · was 63.4 h, now 58.5 h  ▲ better"),
        "{md}"
    );
    assert!(
        md.contains(
            "- ✗ breach  On-time fulfilment  74.3% (target 95%)  ▼ worse than the window before"
        ),
        "{md}"
    );
    // The stale source's indicator is marked stale.
    assert!(
        md.contains("- ▲ warn stale  Trial-to-paid conversion  18% (target 25%)"),
        "{md}"
    );
    // One line per alert, with what happened to it since.
    let alerts = section(&md, "Alerts");
    assert_eq!(
        alerts.iter().filter(|l| l.contains("#4 ")).count(),
        1,
        "{alerts:?}"
    );
    assert!(
        alerts.contains(
            &"- ✗ #4 On-time fulfilment in breach — raised, escalated to level 3 · Tue 07:00"
        ),
        "{alerts:?}"
    );
    assert!(
        alerts.iter().any(|l| l.contains(
            "#9 Fulfilment deviations in warn — raised, escalated to level 2, acked by Ben"
        )),
        "{alerts:?}"
    );
    assert_eq!(alerts.len(), 12, "{alerts:?}");
    assert_eq!(
        alerts.last().copied(),
        Some("- ☎ On call today: demand Eli · fulfilment Ana (override) · support Chloe · finance Fay · ops-lead Ana"),
        "the standup names who is on call today"
    );
    // The anomalous value waits in "To review".
    let id = env.query_i64("SELECT id FROM observations WHERE review IS NOT NULL");
    let review = section(&md, "To review");
    assert!(
        review[0].starts_with(&format!(
            "- ? review  #{id} Support first response 400 h · 2026-11-24 08:30 · far from the recent median"
        )),
        "{review:?}"
    );
    // Confirming it clears it from the list.
    env.ok_at(AT, &["observation", "confirm", &id.to_string()]);
    let md = env.ok_at(AT, &["standup", "--format", "markdown"]);
    assert_eq!(
        section(&md, "To review"),
        ["- No value is waiting for review."]
    );
    // Every section of the screen is there, in its order.
    let titles: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        titles,
        [
            "## Indicators",
            "## Alerts",
            "## To review",
            "## Overdue checklist items",
            "## Work and capacity",
            "## Decisions and experiments"
        ]
    );
}

#[test]
fn standup_format_must_be_known() {
    let env = Env::new();
    env.ok_at(AT, &["demo"]);
    let o = env.run_at(AT, &["standup", "--format", "html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        crate::common::stderr(&o).contains("--format"),
        "{}",
        crate::common::stderr(&o)
    );
}

/// The non-empty lines of the Markdown section `title`.
fn section<'a>(md: &'a str, title: &str) -> Vec<&'a str> {
    md.split(&format!("\n## {title}\n"))
        .nth(1)
        .unwrap_or_default()
        .split("\n## ")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn t_cycles_the_named_speakers_and_sections_scroll() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Standup);
    let order = app.models.standup.as_ref().unwrap().speakers.clone();
    assert_eq!(order, ["Dev", "Eli", "Fay", "Ana", "Ben", "Chloe"]);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("t: Dev first"), "{text}");
    let mut heard = Vec::new();
    for _ in 0..7 {
        key(&mut store, &mut app, KeyCode::Char('t'));
        heard.push(app.ui.standup.speaker_name(&order).unwrap().to_string());
    }
    assert_eq!(heard, ["Dev", "Eli", "Fay", "Ana", "Ben", "Chloe", "Dev"]);
    let text = render_to_text(&app, 80, 24);
    assert!(text.contains("[Dev]"), "{text}");
    assert!(text.contains("t Eli next"), "{text}");
    // Alerts: eleven lines overflow an 80x16 terminal; j/k and PgDn/PgUp
    // scroll, within the section.
    key(&mut store, &mut app, KeyCode::Char(' '));
    assert_eq!(app.ui.standup.section, 1);
    let text = render_to_text(&app, 80, 16);
    assert!(text.contains("ALERTS  (2/6)  lines 1–"), "{text}");
    assert!(text.contains("#14 Roaster 2"), "{text}");
    key(&mut store, &mut app, KeyCode::Char('j'));
    key(&mut store, &mut app, KeyCode::Down);
    assert_eq!(app.ui.standup.scroll, 2);
    let text = render_to_text(&app, 80, 16);
    assert!(!text.contains("#14 Roaster 2"), "scrolled past: {text}");
    assert!(text.contains("lines 3–6 of 12"), "{text}");
    assert!(text.contains("#6 Capacity for order"), "{text}");
    assert!(!text.contains("#12 Checklist run overdue"), "below: {text}");
    insta::assert_snapshot!("standup_scrolled_80x16", text);
    key(&mut store, &mut app, KeyCode::Char('k'));
    assert_eq!(app.ui.standup.scroll, 1);
    key(&mut store, &mut app, KeyCode::PageDown);
    // Twelve lines: eleven alerts and who is on call today.
    assert_eq!(app.ui.standup.scroll, 11, "the last line at most");
    key(&mut store, &mut app, KeyCode::PageUp);
    assert_eq!(app.ui.standup.scroll, 1, "a page up");
    key(&mut store, &mut app, KeyCode::PageUp);
    assert_eq!(app.ui.standup.scroll, 0);
    key(&mut store, &mut app, KeyCode::Char('G'));
    assert_eq!(app.ui.standup.scroll, 11);
    // Another section starts at its top.
    key(&mut store, &mut app, KeyCode::Char(' '));
    assert_eq!((app.ui.standup.section, app.ui.standup.scroll), (2, 0));
    key(&mut store, &mut app, KeyCode::Left);
    assert_eq!((app.ui.standup.section, app.ui.standup.scroll), (1, 0));
}

#[test]
fn standup_snapshots_with_named_speakers_and_deltas() {
    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Standup);
    key(&mut store, &mut app, KeyCode::Char('t'));
    key(&mut store, &mut app, KeyCode::Char('t'));
    opsdeck::tui::dispatch(
        &mut store,
        &mut app,
        opsdeck::tui::action::Action::Tick(NOW + 95),
    );
    let small = render_to_text(&app, 80, 24);
    assert!(
        small.contains("[Eli]") && small.contains("▲ better"),
        "{small}"
    );
    insta::assert_snapshot!("standup_speakers_80x24", small);
    let large = render_to_text(&app, 120, 40);
    assert!(large.contains("was 63.4 h, now 58.5 h"), "{large}");
    insta::assert_snapshot!("standup_speakers_120x40", large);
    key(&mut store, &mut app, KeyCode::Char(' '));
    insta::assert_snapshot!("standup_alert_lines_80x24", render_to_text(&app, 80, 24));
    insta::assert_snapshot!("standup_alert_lines_120x40", render_to_text(&app, 120, 40));
}

/// One alert raised again and again (a flapping monitor) does not crowd
/// the others out of the standup: the limit counts alerts, not events.
#[test]
fn a_noisy_alert_does_not_crowd_the_others_out() {
    use opsdeck::domain::alert_rules::Severity;
    let mut store = demo_store();
    let app = app_on(&mut store, View::Standup);
    let before = opsdeck::tui::views::standup::markdown(&app.models);
    assert!(
        before.contains("#4 On-time fulfilment in breach"),
        "{before}"
    );
    for i in 0..250 {
        store
            .write(|tx| {
                opsdeck::store::alerts::raise(
                    tx,
                    NOW - 250 + i,
                    "Noisy probe",
                    Severity::Info,
                    None,
                    None,
                )
            })
            .unwrap();
    }
    let app = app_on(&mut store, View::Standup);
    let after = opsdeck::tui::views::standup::markdown(&app.models);
    assert!(after.contains("Noisy probe — raised, recurred"), "{after}");
    assert!(after.contains("#4 On-time fulfilment in breach"), "{after}");
    let alerts = |md: &str| md.lines().filter(|l| l.contains(" — ")).count();
    assert!(alerts(&after) > alerts(&before), "{before}\n---\n{after}");
}

/// A late incident action item is overdue work in the standup's overdue
/// section, with its owner and its incident (the demo's status page).
#[test]
fn late_action_items_are_in_the_standups_overdue_section() {
    let mut store = demo_store();
    let app = app_on(&mut store, View::Standup);
    let md = opsdeck::tui::views::standup::markdown(&app.models);
    let section = md
        .split("## ")
        .find(|s| s.starts_with("Overdue checklist items"))
        .expect("the overdue section");
    assert!(
        section.contains("INC-1-2 Publish a status page"),
        "{section}"
    );
    assert!(section.contains("· Chloe ·"), "{section}");
    assert!(section.contains("(incident #1)"), "{section}");
}
