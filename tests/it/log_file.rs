//! The file log (issue 12): commands, rule evaluations and notification
//! commands with their exit status land in `opsdeck.*.log` in the state
//! folder, at `OPSDECK_LOG`'s level, and never on the terminal.

use crate::common::{check_with_notifier, stderr, stdout, Env};
use std::path::Path;

const NOW: &str = "2026-11-25T12:00:00Z";

/// Everything the log folder holds, as one text.
fn log_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("the log folder exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with("opsdeck.") && name.ends_with(".log"),
            "{name}"
        );
        text += &std::fs::read_to_string(&path).unwrap();
    }
    text
}

#[test]
fn check_logs_its_rules_and_the_notifier_exit_status_to_the_file_only() {
    let env = Env::new();
    let out = check_with_notifier(&env, NOW, "exit 3");
    assert_eq!(out.status.code(), Some(1));
    let log_dir = env.path().join("state").join("opsdeck");
    let log = log_text(&log_dir);
    assert!(log.contains("start command=check"), "{log}");
    assert!(
        log.contains("rules evaluated") && log.contains("opened=1"),
        "{log}"
    );
    assert!(
        log.contains("notify: notification command failed: exit status 3"),
        "{log}"
    );
    assert!(log.contains("done command=check exit=1"), "{log}");
    for shown in [stdout(&out), stderr(&out)] {
        assert!(
            !shown.contains("rules evaluated"),
            "the log stays off the terminal: {shown}"
        );
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log_dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the log quotes alert titles: the owner's only");
}

#[test]
fn the_level_comes_from_opsdeck_log_and_off_writes_nothing() {
    let env = Env::new();
    let logs = env.path().join("logs");
    env.at(NOW, &["status"])
        .env("OPSDECK_LOG_DIR", &logs)
        .env("OPSDECK_LOG", "warn")
        .assert()
        .success();
    let log = log_text(&logs);
    assert!(
        !log.contains("start command=status"),
        "info is below warn: {log}"
    );

    let quiet = env.path().join("quiet");
    env.at(NOW, &["status"])
        .env("OPSDECK_LOG_DIR", &quiet)
        .env("OPSDECK_LOG", "off")
        .assert()
        .success();
    assert!(!quiet.exists(), "OPSDECK_LOG=off writes no log at all");

    let out = env
        .at(NOW, &["status"])
        .env("OPSDECK_LOG", "chatty")
        .output()
        .unwrap();
    assert!(out.status.success(), "a bad level never fails the command");
    assert!(
        stderr(&out).contains("OPSDECK_LOG=chatty: not a level"),
        "{}",
        stderr(&out)
    );
}
