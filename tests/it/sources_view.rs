//! The cockpit's Sources view on a real database and a real command source:
//! every source with its state, last success, lag, rows and last error;
//! `r` runs the selected one on a thread of its own (its own connection,
//! the source's lease) and the view shows the result from the run record;
//! indicators fed by a stale source say `stale` in the Indicators view and
//! the cockpit; `--read-only` refuses `r` with a reason.

use crate::common::Env;
use crossterm::event::KeyCode;
use opsdeck::store::Store;
use opsdeck::tui::app::{App, View};
use opsdeck::tui::theme::Theme;
use opsdeck::tui::{dispatch, loaded_app, render_to_text};

const NOW: &str = "2026-12-01T09:00:00Z";

fn ts(rfc: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc)
        .unwrap()
        .timestamp()
}

/// An operation with one `command` source that prints `data.jsonl` (and
/// fails while the file is missing); returns the data file's path.
fn setup(env: &Env) -> std::path::PathBuf {
    let ops = env.path().join("ops");
    env.ok_at(NOW, &["init", ops.to_str().unwrap()]);
    let data = env.path().join("data.jsonl");
    let toml = format!(
        r#"[[source]]
name = "helpdesk"
kind = "command"
produces = "observations"
every = "5m"
command = ["/bin/cat", "{}"]
"#,
        data.display()
    );
    std::fs::write(ops.join("sources.toml"), toml).unwrap();
    env.ok_at(NOW, &["apply", ops.to_str().unwrap()]);
    data
}

const ROWS: &str =
    "{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:00:00Z\",\"value\":3}\n\
{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:10:00Z\",\"value\":4}\n";

fn app_at(store: &mut Store, view: View, now: &str) -> App {
    opsdeck::store::audit::pin_os_user_for_tests("tester");
    loaded_app(store, view, ts(now), Theme::mono())
}

fn press(store: &mut Store, app: &mut App, code: KeyCode) {
    crate::common::screens::key(store, app, code);
}

/// Waits (on the database, not a clock) until `n` runs of the source ended.
fn wait_for_runs(store: &Store, n: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let done = crate::common::screens::count(
            store,
            "SELECT count(*) FROM source_runs WHERE source = 'helpdesk' AND ended_at IS NOT NULL",
        );
        if done >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the source run never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn r_runs_the_selected_source_in_the_background_and_the_view_shows_the_result() {
    let env = Env::new();
    let data = setup(&env);
    std::fs::write(&data, ROWS).unwrap();
    let mut store = Store::open(&env.db, "tester").unwrap();
    let mut app = app_at(&mut store, View::Sources, NOW);
    let before = render_to_text(&app, 80, 24);
    assert!(before.contains("helpdesk"), "{before}");
    assert!(before.contains("never run"), "{before}");
    insta::assert_snapshot!("sources_never_run_80x24", before);

    press(&mut store, &mut app, KeyCode::Char('r'));
    let msg = app.flash.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(msg.contains("running source helpdesk…"), "{msg}");
    wait_for_runs(&store, 1);
    dispatch(
        &mut store,
        &mut app,
        opsdeck::tui::action::Action::DataChanged,
    );
    let after = render_to_text(&app, 80, 24);
    assert!(after.contains("fresh"), "{after}");
    assert!(
        after.contains("last run 09:00 UTC: 2 new, 0 changed, 0 unchanged"),
        "{after}"
    );
    insta::assert_snapshot!("sources_after_run_80x24", after);
    insta::assert_snapshot!("sources_after_run_120x40", render_to_text(&app, 120, 40));
    // The run wrote through the import pipeline under the source's origin,
    // with the lease taken and given back.
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE origin = 'source:helpdesk'"),
        2
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM source_leases"), 0);
}

#[test]
fn a_failing_source_shows_its_error_whole_and_its_indicator_is_stale() {
    let env = Env::new();
    let data = setup(&env);
    std::fs::write(&data, ROWS).unwrap();
    env.ok_at(NOW, &["sources", "run", "helpdesk"]);
    std::fs::remove_file(&data).unwrap();
    let later = "2026-12-01T09:10:00Z";
    let o = env.run_at(later, &["sources", "run", "helpdesk"]);
    assert_eq!(o.status.code(), Some(1));

    let mut store = Store::open(&env.db, "tester").unwrap();
    let mut app = app_at(&mut store, View::Sources, later);
    // The temp folder's path is in the error: name it the same every run.
    let screen = render_to_text(&app, 80, 24).replace(&env.path().display().to_string(), "/TMP");
    assert!(screen.contains("failing"), "{screen}");
    assert!(
        screen.contains("No such file or directory") || screen.contains("exit"),
        "{screen}"
    );
    insta::assert_snapshot!("sources_failing_80x24", screen);

    // The indicator the source feeds says stale, in the table and the cockpit.
    press(&mut store, &mut app, KeyCode::Char('2'));
    let table = render_to_text(&app, 80, 24);
    let line = table
        .lines()
        .find(|l| l.contains("Support first response"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(line.contains("stale"), "{line}");
    let wide = render_to_text(&app, 120, 40);
    let line = wide
        .lines()
        .find(|l| l.contains("Support first response"))
        .unwrap();
    assert!(line.contains("· stale"), "{line}");
    press(&mut store, &mut app, KeyCode::Char('1'));
    let cockpit = render_to_text(&app, 80, 24);
    let line = cockpit
        .lines()
        .find(|l| l.contains("Support first"))
        .unwrap_or_else(|| panic!("{cockpit}"));
    assert!(line.contains("stale"), "{line}");
    // Another indicator, fed by hand, is not marked.
    assert_eq!(cockpit.matches("stale").count(), 1, "{cockpit}");
}

#[test]
fn read_only_refuses_r_with_the_reason_and_runs_nothing() {
    let env = Env::new();
    let data = setup(&env);
    std::fs::write(&data, ROWS).unwrap();
    let mut store = Store::open_read_only(&env.db, "tester").unwrap();
    let mut app = app_at(&mut store, View::Sources, NOW);
    press(&mut store, &mut app, KeyCode::Char('r'));
    let msg = app.flash.clone().map(|(m, _)| m).unwrap_or_default();
    assert!(
        msg.starts_with("error: read-only: `r` (run the selected source now"),
        "{msg}"
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM source_runs"), 0);
}

/// A read that keeps failing (here a stored source whose spec no longer
/// parses) is shown once and not retried in a loop: the cockpit's load
/// returns with the error on screen, and `snapshot` exits with it instead
/// of spinning.
#[test]
fn a_failing_read_is_shown_once_not_retried_in_a_loop() {
    let env = Env::new();
    setup(&env);
    let db = env.path().join("ops.db");
    {
        let store = Store::open(&db, "tester").unwrap();
        store
            .raw_conn_for_tests()
            .execute(
                "INSERT INTO sources (name, spec, stale_after, critical_after, defined_at, updated_at)
                 VALUES ('broken', 'not = [toml', 900, 86400, 0, 0)",
                [],
            )
            .unwrap();
    }
    let mut store = Store::open(&db, "tester").unwrap();
    let app = loaded_app(
        &mut store,
        View::Sources,
        ts("2026-12-01T09:00:00Z"),
        Theme::mono(),
    );
    let error = app.load_error.clone().expect("the load failed");
    let screen = render_to_text(&app, 80, 24);
    assert!(
        screen.contains("could not read the database"),
        "{error}\n{screen}"
    );
    let started = std::time::Instant::now();
    let out = env
        .cmd(&["snapshot", "--view", "sources"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not read the database"), "{err}");
}
