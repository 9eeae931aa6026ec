//! Issue 15 point 7, the small ones seen at the keyboard: each test here
//! fails without its fix.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

#[test]
fn snapshot_below_the_minimum_size_is_refused_with_exit_2() {
    let env = Env::new();
    for (w, h) in [("59", "30"), ("100", "15"), ("40", "12")] {
        let out = env
            .at(NOW, &["snapshot", "--width", w, "--height", h])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{w}x{h}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&format!(
                "--width/--height: {w}x{h} is smaller than the 60x16 a view needs"
            )),
            "{err}"
        );
    }
    // The minimum itself draws.
    let out = env
        .at(NOW, &["snapshot", "--width", "60", "--height", "16"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("too small"), "{}", stdout(&out));
}

/// The example the snooze prompt shows, read from the drawn prompt.
fn prompt_example(screen: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains("snooze #") && l.contains(" until — "))
        .unwrap_or_else(|| panic!("no snooze prompt:\n{screen}"));
    let hint = line.split(" until — ").nth(1).unwrap();
    let hint = hint.trim_end_matches(|c| "─┐ ".contains(c));
    hint.rsplit(", or ").next().unwrap().trim().to_string()
}

#[test]
fn the_snooze_prompt_accepts_its_own_example() {
    use crate::common::screens::{demo_store, key, typed, NOW as SCREEN_NOW};
    use crossterm::event::KeyCode;
    use opsdeck::tui::app::View;
    use opsdeck::tui::popups::Popup;
    use opsdeck::tui::state::alerts::{parse_input, AlertOp, AlertVerb};
    use opsdeck::tui::{loaded_app, render_to_text, theme::Theme};

    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Alerts, SCREEN_NOW, Theme::mono());
    key(&mut store, &mut app, KeyCode::Char('s'));
    let screen = render_to_text(&app, 100, 30);
    let example = prompt_example(&screen);
    assert_eq!(example, "2026-11-26T09:00Z", "{screen}");
    typed(&mut store, &mut app, &example);
    key(&mut store, &mut app, KeyCode::Enter);
    match &app.popup {
        Some(Popup::Confirm { .. }) => {}
        other => panic!("the example was refused: {other:?}"),
    }
    let text = render_to_text(&app, 100, 30);
    assert!(text.contains("until 2026-11-26 09:00 UTC?"), "{text}");
    // Every form the hint shows.
    let nine = 1_795_683_600; // 2026-11-26T09:00:00Z
    for (typed, until) in [
        ("2h", SCREEN_NOW + 2 * 3600),
        ("1d", SCREEN_NOW + 86_400),
        ("2026-11-26T09:00Z", nine),
    ] {
        assert_eq!(
            parse_input(AlertVerb::Snooze, typed, SCREEN_NOW),
            Ok(AlertOp::Snooze { until }),
            "{typed}"
        );
    }
}

#[test]
fn alert_snooze_on_the_cli_accepts_a_time_without_seconds() {
    let env = Env::new();
    env.at(NOW, &["alert", "raise", "Printer on fire"])
        .assert()
        .success();
    let out = env
        .at(NOW, &["alert", "snooze", "1", "2026-11-26T09:00Z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        env.query_i64("SELECT snoozed_until FROM alerts WHERE id = 1"),
        1_795_683_600
    );
    let out = env
        .at(NOW, &["alert", "snooze", "1", "2026-11-26T10:30+01:00"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        env.query_i64("SELECT snoozed_until FROM alerts WHERE id = 1"),
        1_795_683_600 + 1800
    );
}

/// The indicator keys `opsdeck indicator list` prints (its first column).
fn listed_keys(env: &Env) -> Vec<String> {
    env.ok_at(NOW, &["indicator", "list"])
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn experiment_new_help_examples_name_indicators_of_the_starter_and_the_demo() {
    let env = Env::new();
    let help = env.ok_at(NOW, &["experiment", "new", "--help"]);
    // Every quoted example criterion: 'KEY<op>NUMBER'.
    let examples: Vec<String> = help
        .split('\'')
        .skip(1)
        .step_by(2)
        .filter(|q| q.contains(['<', '>', '=']))
        .map(str::to_string)
        .collect();
    assert!(examples.len() >= 2, "{help}");
    let keys: Vec<String> = examples
        .iter()
        .map(|e| {
            e.split(['<', '>', '=', '!'])
                .next()
                .unwrap()
                .trim()
                .to_string()
        })
        .collect();
    // The starter definition `opsdeck init` writes.
    let ops = crate::common::init_ops(&env, NOW);
    let starter = std::fs::read_to_string(ops.join("indicators.toml")).unwrap();
    let starter: toml::Value = toml::from_str(&starter).unwrap();
    let starter_keys: Vec<&str> = starter["indicator"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    // The demo.
    let demo = Env::bare();
    demo.ok_at(NOW, &["demo"]);
    let demo_keys = listed_keys(&demo);
    for key in &keys {
        assert!(
            starter_keys.contains(&key.as_str()),
            "help example '{key}' is not in the starter {starter_keys:?}"
        );
        assert!(
            demo_keys.contains(key),
            "help example '{key}' is not in the demo {demo_keys:?}"
        );
    }
    // And the help says where the keys are.
    assert!(help.contains("opsdeck indicator list"), "{help}");
}

/// The `compared` line of `experiment show`.
fn compared_line(env: &Env, key: &str) -> String {
    env.ok_at(NOW, &["experiment", "show", key])
        .lines()
        .find(|l| l.trim_start().starts_with("compared"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn amending_only_the_end_keeps_the_baseline_period() {
    let env = Env::new();
    env.ok_at(
        NOW,
        &[
            "experiment",
            "new",
            "pilot",
            "--title",
            "Pilot",
            "--objective",
            "Decide",
            "--hypothesis",
            "It helps",
            "--scope",
            "All orders",
            "--start",
            "2026-12-01",
            "--end",
            "2026-12-15",
            "--primary",
            "on_time_rate>=95",
        ],
    );
    let before = compared_line(&env, "pilot");
    // The period of equal length just before the start: 14 days.
    assert!(
        before.contains("2026-11-17") && before.contains("2026-12-01"),
        "{before}"
    );
    // A draft: an edit.
    env.ok_at(
        NOW,
        &["experiment", "amend", "pilot", "--end", "2026-12-22"],
    );
    assert_eq!(compared_line(&env, "pilot"), before);
    // Registered: an amendment of the end alone.
    env.ok_at(NOW, &["experiment", "start", "pilot"]);
    let out = env.ok_at(
        NOW,
        &[
            "experiment",
            "amend",
            "pilot",
            "--end",
            "2026-12-29",
            "--reason",
            "the courier starts a week late",
        ],
    );
    assert!(out.contains("amendment recorded (end)"), "{out}");
    assert_eq!(compared_line(&env, "pilot"), before);
    // Moving the start still moves the default baseline with it.
    env.ok_at(
        NOW,
        &[
            "experiment",
            "new",
            "other",
            "--title",
            "O",
            "--objective",
            "D",
            "--hypothesis",
            "H",
            "--scope",
            "S",
            "--start",
            "2026-12-01",
            "--end",
            "2026-12-15",
            "--primary",
            "on_time_rate>=95",
        ],
    );
    env.ok_at(
        NOW,
        &["experiment", "amend", "other", "--start", "2026-12-08"],
    );
    let moved = compared_line(&env, "other");
    assert!(
        moved.contains("2026-12-01") && moved.contains("2026-12-08"),
        "{moved}"
    );
}

#[test]
fn the_command_line_checks_a_run_item_with_a_note_as_the_cli_does() {
    use crate::common::screens::{demo_store, NOW as SCREEN_NOW};
    use clap::Parser;
    use opsdeck::cli::{Cli, Command, RunCommand};
    use opsdeck::commands::cmdline::ClapCommandLine;
    use opsdeck::tui::action::Effect;
    use opsdeck::tui::app::View;
    use opsdeck::tui::cmdline::CommandLine;
    use opsdeck::tui::state::playbooks::{ItemChangeKind, RunEffect};
    use opsdeck::tui::{loaded_app, theme::Theme};

    let line = "run done 3 ship.2 --note \"sealed twice\" --override the van waits";
    // What the CLI reads from the same words.
    let cli = Cli::try_parse_from([
        "opsdeck",
        "run",
        "done",
        "3",
        "ship.2",
        "--note",
        "sealed twice",
        "--override",
        "the van waits",
    ])
    .unwrap();
    let Some(Command::Run {
        command:
            RunCommand::Done {
                run,
                item,
                note,
                override_reason,
            },
    }) = cli.command
    else {
        panic!("not run done")
    };
    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Playbooks, SCREEN_NOW, Theme::mono());
    let parsed = ClapCommandLine
        .parse(line, &app.models, SCREEN_NOW)
        .unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(
        parsed.effect,
        Effect::Run(RunEffect::Item {
            run: run.trim_start_matches('#').parse().unwrap(),
            item,
            change: ItemChangeKind::Done(note),
            override_reason,
        })
    );
    assert!(parsed.confirm.is_none());
    // An empty note is refused, naming the flag.
    let err = ClapCommandLine
        .parse("run done 3 ship.2 --note ''", &app.models, SCREEN_NOW)
        .unwrap_err();
    assert!(err.starts_with("--note:"), "{err}");
}

#[test]
fn the_note_of_a_checked_item_is_kept_when_the_cockpit_checks_it() {
    use crate::common::screens::{demo_store, NOW as SCREEN_NOW};
    use opsdeck::tui::action::{Action, Effect};
    use opsdeck::tui::app::View;
    use opsdeck::tui::state::playbooks::{ItemChangeKind, RunEffect};
    use opsdeck::tui::{loaded_app, run_effect, theme::Theme};

    let mut store = demo_store();
    let app = loaded_app(&mut store, View::Playbooks, SCREEN_NOW, Theme::mono());
    let run: i64 = crate::common::screens::count(
        &store,
        "SELECT id FROM checklist_runs WHERE context = 'ORD-1203'",
    );
    let done = run_effect(
        &mut store,
        &app,
        Effect::Run(RunEffect::Item {
            run,
            item: "prepare.2".into(),
            change: ItemChangeKind::Done(Some("weighed twice".into())),
            override_reason: None,
        }),
    );
    assert!(matches!(done, Some(Action::Done(Ok(_)))), "{done:?}");
    let note: String = store
        .raw_conn_for_tests()
        .query_row(
            "SELECT note FROM run_items WHERE run_id = ?1 AND state = 'done' AND note IS NOT NULL",
            [run],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(note, "weighed twice");
}

#[test]
fn raising_with_a_playbook_asks_with_the_right_article() {
    use crate::common::screens::{demo_store, NOW as SCREEN_NOW};
    use opsdeck::commands::cmdline::ClapCommandLine;
    use opsdeck::tui::app::View;
    use opsdeck::tui::cmdline::CommandLine;
    use opsdeck::tui::{loaded_app, theme::Theme};

    let mut store = demo_store();
    let mut app = loaded_app(&mut store, View::Alerts, SCREEN_NOW, Theme::mono());
    crate::common::screens::key(&mut store, &mut app, crossterm::event::KeyCode::Char(':'));
    let ask = |line: &str| {
        ClapCommandLine
            .parse(line, &app.models, SCREEN_NOW)
            .unwrap()
            .confirm
            .unwrap()
    };
    let p = ask("alert raise \"Van broke down\" --playbook incident-response");
    assert!(p.contains("and start an incident-response run?"), "{p}");
    let p = ask("alert raise \"Van broke down\" --playbook support-ticket");
    assert!(p.contains("and start a support-ticket run?"), "{p}");
}

#[test]
fn recreating_the_demo_under_an_open_cockpit_reloads_it() {
    use opsdeck::store::Store;
    use opsdeck::tui::action::Action;
    use opsdeck::tui::app::View;
    use opsdeck::tui::{dispatch, loaded_app, theme::Theme, ChangeWatch};

    const T1: &str = "2026-11-25T12:00:00Z";
    const T2: &str = "2026-12-02T12:00:00Z";
    let t1 = 1_795_608_000; // 2026-11-25T12:00:00Z
    let env = Env::bare();
    env.ok_at(T1, &["demo"]);
    // The cockpit's side: the store opened as the cockpit opens it, the
    // Experiments view loaded, the watch started.
    let mut store = Store::open(&env.db, "tester").unwrap();
    let mut app = loaded_app(&mut store, View::Experiments, t1, Theme::mono());
    let mut watch = ChangeWatch::new(&store).unwrap();
    let courier_start = |app: &opsdeck::tui::app::App| {
        app.models
            .experiments
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .find(|r| r.key == "b2b-courier")
            .unwrap()
            .start
    };
    let before = courier_start(&app);
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&env.db).unwrap());
    // Another process recreates the demo a week later.
    let out = env.ok_at(T2, &["demo"]);
    assert!(out.contains("demo database ready"), "{out}");
    assert!(
        watch.changed(&store).unwrap(),
        "the cockpit did not see the new demo"
    );
    dispatch(&mut store, &mut app, Action::DataChanged);
    assert_eq!(courier_start(&app), before + 7 * 86_400);
    // The same file, rewritten in place.
    assert_eq!(
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&env.db).unwrap()),
        inode
    );
    // Nothing left beside it.
    let leftovers: Vec<String> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!watch.changed(&store).unwrap());
}

#[test]
fn a_bad_indicator_key_points_to_opsdeck_indicator_list() {
    let env = Env::new();
    let refused = |args: &[&str]| {
        let out = env.at(NOW, args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        stderr(&out)
    };
    let err = refused(&["record", "nope", "1"]);
    assert!(
        err.contains("unknown indicator 'nope'") && err.contains("see `opsdeck indicator list`"),
        "{err}"
    );
    let err = refused(&[
        "experiment",
        "new",
        "x",
        "--title",
        "T",
        "--objective",
        "O",
        "--hypothesis",
        "H",
        "--scope",
        "S",
        "--start",
        "2026-12-01",
        "--end",
        "2026-12-15",
        "--primary",
        "nope>=1",
    ]);
    assert!(
        err.contains("unknown indicator 'nope' (see `opsdeck indicator list`)"),
        "{err}"
    );
    let file = env.file(
        "obs.csv",
        b"indicator,at,value\nnope,2026-11-25T10:00:00Z,1\n",
    );
    let err = refused(&["import", &file]);
    assert!(
        err.contains(
            "obs.csv:2: indicator: unknown indicator 'nope' (see `opsdeck indicator list`)"
        ),
        "{err}"
    );
    // That command shows the keys, first on each line.
    let list = env.ok_at(NOW, &["indicator", "list"]);
    assert!(
        list.lines().any(|l| l.starts_with("on_time_rate ")),
        "{list}"
    );
    // No message sends anyone to `opsdeck status` for a key: it shows names.
    let help = env.ok_at(NOW, &["record", "--help"]);
    assert!(help.contains("opsdeck indicator list"), "{help}");
    assert!(!help.contains("opsdeck status"), "{help}");
}

#[test]
fn the_indicators_help_and_detail_show_the_keys_the_commands_need() {
    use crate::common::screens::{app_on, demo_store, key};
    use crossterm::event::KeyCode;
    use opsdeck::tui::app::View;
    use opsdeck::tui::render_to_text;

    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    key(&mut store, &mut app, KeyCode::Char('?'));
    let help = render_to_text(&app, 120, 40);
    assert!(
        help.contains("Indicator keys (as : and the CLI name them)"),
        "{help}"
    );
    for k in [
        "first_response",
        "on_time_rate",
        "billing_error_rate",
        "perceived_reliability",
    ] {
        assert!(help.contains(k), "{k} missing from the help:\n{help}");
    }
    key(&mut store, &mut app, KeyCode::Esc);
    key(&mut store, &mut app, KeyCode::Enter);
    let detail = render_to_text(&app, 80, 24);
    assert!(
        detail.contains("On-time fulfilment (%) · key on_time_rate · 28 days"),
        "{detail}"
    );
}

#[test]
fn the_chart_legend_sits_above_the_plot_not_over_it() {
    use crate::common::screens::{app_on, demo_store, key};
    use crossterm::event::KeyCode;
    use opsdeck::tui::app::View;
    use opsdeck::tui::render_to_text;

    let mut store = demo_store();
    let mut app = app_on(&mut store, View::Indicators);
    key(&mut store, &mut app, KeyCode::Enter);
    for (w, h) in [(80, 24), (120, 40)] {
        let text = render_to_text(&app, w, h);
        let lines: Vec<&str> = text.lines().collect();
        // Row 2 is the chart's top border; the legend is the first line inside.
        assert!(lines[2].contains("On-time fulfilment"), "{text}");
        let legend = lines[3];
        for name in ["breach 80", "warn 90", "target 95", "daily mean"] {
            assert!(legend.contains(name), "{w}x{h}: legend {legend:?}");
        }
        assert!(
            !legend
                .chars()
                .any(|c| ('\u{2801}'..='\u{28ff}').contains(&c) && c != '⣿'),
            "data on the legend's line: {legend:?}"
        );
        // No legend box inside the plot: the rows down to the chart's
        // bottom border.
        let plot: Vec<&str> = lines[4..]
            .iter()
            .take_while(|l| !l.starts_with('└'))
            .copied()
            .collect();
        let plot = plot.join("\n");
        assert!(!plot.contains("breach 80") && !plot.contains("┌"), "{text}");
    }
}

/// The demo's clock in the story tests: 2026-11-25T12:00:00Z.
const DEMO_T: i64 = 1_795_608_000;

fn text_of(env: &Env, sql: &str) -> String {
    let c = env.conn();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn nothing_falls_due_in_the_half_hour_after_the_demo_is_created() {
    let env = Env::bare();
    env.ok_at(NOW, &["demo"]);
    let alerts = env.query_i64("SELECT count(*) FROM alerts");
    let events = env.query_i64("SELECT count(*) FROM alert_events");
    let overdue = |at: &str| {
        env.ok_at(at, &["run", "list"])
            .lines()
            .last()
            .unwrap()
            .to_string()
    };
    let overdue_at_creation = overdue(NOW);
    assert_eq!(overdue_at_creation, "2 overdue (times UTC)");
    for at in [
        "2026-11-25T12:00:00Z",
        "2026-11-25T12:01:00Z",
        "2026-11-25T12:05:00Z",
        "2026-11-25T12:15:00Z",
        "2026-11-25T12:30:00Z",
    ] {
        // --quiet prints only when an alert opened, escalated or re-opened.
        let out = env.at(at, &["check", "--quiet"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{at}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{at}: something fell due");
        assert_eq!(overdue(at), overdue_at_creation, "{at}");
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM alerts"), alerts);
    assert_eq!(env.query_i64("SELECT count(*) FROM alert_events"), events);
}

#[test]
fn the_demo_s_b2b_decisions_agree_with_its_b2b_orders() {
    let env = Env::bare();
    env.ok_at(NOW, &["demo"]);
    let today = DEMO_T - DEMO_T.rem_euclid(86_400);
    let day = 86_400;
    let b2b = |from: i64, to: i64| {
        env.query_i64(&format!(
            "SELECT count(*) FROM work_items WHERE kind = 'order' AND segment = 'b2b' \
             AND opened_at >= {from} AND opened_at < {to}"
        ))
    };
    // The cap: set 12 days ago at 17:00, raised 2 days ago at 09:00.
    let set = today - 12 * day + 17 * 3600;
    let raised = today - 2 * day + 9 * 3600;
    let cap_title = text_of(
        &env,
        &format!("SELECT title FROM decisions WHERE at = {set}"),
    );
    let cap_why = text_of(&env, &format!("SELECT why FROM decisions WHERE at = {set}"));
    assert_eq!(
        cap_title,
        "Cap B2B orders at 4 a day while a roaster is off sick"
    );
    // Demand grew, in the figures the decision quotes.
    let recent = b2b(set - 28 * day, set);
    let before = b2b(set - 56 * day, set - 28 * day);
    assert!(recent > before, "B2B orders {before} -> {recent}");
    let pct = ((recent - before) as f64 / before as f64 * 100.0).round();
    assert!(
        cap_why.starts_with(&format!(
            "B2B orders are up {pct} % in four weeks ({recent}, against {before} in the four weeks before)"
        )),
        "{cap_why}"
    );
    // The cap held, and it was reached: the reason to raise it.
    let mut at_cap = 0;
    for d in 3..=11 {
        let n = b2b(today - d * day, today - (d - 1) * day);
        assert!(n <= 4, "{n} B2B orders {d} days ago, under a cap of 4");
        if n == 4 {
            at_cap += 1;
        }
    }
    assert!(at_cap > 0);
    for d in 0..=2 {
        assert!(b2b(today - d * day, today - (d - 1) * day) <= 6);
    }
    let raise_title = text_of(
        &env,
        &format!("SELECT title FROM decisions WHERE at = {raised}"),
    );
    let raise_why = text_of(
        &env,
        &format!("SELECT why FROM decisions WHERE at = {raised}"),
    );
    assert_eq!(
        raise_title,
        "Raise the B2B cap to 6 a day with a Saturday roasting shift"
    );
    assert!(
        raise_why.starts_with(&format!(
            "B2B orders reached the cap of 4 on {at_cap} of the 9 days since it was set"
        )),
        "{raise_why}"
    );
}
