//! Issue 5: notification commands through the real binary: their input,
//! and that one which fails or hangs never loses or blocks the alert.

use crate::common;
use common::{breach_first_response, check_with_notifier, script, stderr, stdout, Env};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-25T12:00:00Z";

#[test]
fn a_notification_command_gets_the_alert_as_arguments_and_json() {
    let env = Env::new();
    let out_dir = env.path().display().to_string();
    let notify = script(
        &env,
        "notify.sh",
        &format!("printf '%s|' \"$@\" > {out_dir}/args\ncat > {out_dir}/stdin"),
    );
    breach_first_response(&env, NOW);
    let out = env
        .at(NOW, &["check"])
        .env("OPSDECK_NOTIFY", format!("{notify} --channel ops"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let args = std::fs::read_to_string(env.path().join("args")).unwrap();
    assert_eq!(
        args,
        "--channel|ops|--|1|critical|Support first response in breach|"
    );
    let body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path().join("stdin")).unwrap()).unwrap();
    assert_eq!(body["id"], 1);
    assert_eq!(body["reason"], "opened");
    assert_eq!(body["target"], "support");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alert_events WHERE kind = 'notified'"),
        1
    );
}

#[test]
fn a_title_that_starts_with_a_dash_reaches_the_notifier_after_the_double_dash() {
    let env = Env::new();
    let out_dir = env.path().display().to_string();
    // The notifier parses options like curl would: `-o FILE` writes a file,
    // unless it comes after `--`.
    let notify = script(
        &env,
        "notify.sh",
        &format!(
            "while [ $# -gt 0 ]; do case $1 in --) shift; break;; -o*) touch {out_dir}/pwned;; esac; shift; done\n\
             printf '%s|' \"$@\" > {out_dir}/args"
        ),
    );
    let title = format!("-o{out_dir}/pwned");
    let out = env
        .at(
            NOW,
            &["alert", "raise", "--severity", "critical", "--", &title],
        )
        .env("OPSDECK_NOTIFY", &notify)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let args = std::fs::read_to_string(env.path().join("args")).unwrap();
    assert_eq!(args, format!("1|critical|{title}|"));
    assert!(
        !env.path().join("pwned").exists(),
        "the title was read as an option"
    );
}

#[test]
fn a_failing_notification_command_never_loses_the_alert() {
    let env = Env::new();
    let out = check_with_notifier(&env, NOW, "echo 'smtp refused' >&2\nexit 3");
    assert_eq!(out.status.code(), Some(1), "the check itself still works");
    let err = stderr(&out);
    assert!(
        err.contains("notify: alert 1: notification command failed: exit status 3: smtp refused"),
        "{err}"
    );
    assert!(stdout(&out).contains("Support first response in breach"));
    assert_eq!(env.query_i64("SELECT count(*) FROM alerts"), 1);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alert_events WHERE kind = 'notify_failed'"),
        1
    );
    // A program that does not exist is reported the same way.
    let out = env
        .at(NOW, &["alert", "raise", "Manual one"])
        .env("OPSDECK_NOTIFY", "/nonexistent/notifier")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("cannot run /nonexistent/notifier"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM alerts"), 2);
}

#[test]
fn a_hanging_notification_command_is_killed_after_its_timeout() {
    let env = Env::new();
    let hang = script(&env, "hang.sh", "exec sleep 30");
    breach_first_response(&env, NOW);
    let started = Instant::now();
    let out = env
        .at(NOW, &["check"])
        .env("OPSDECK_NOTIFY", &hang)
        .env("OPSDECK_NOTIFY_TIMEOUT", "1s")
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("killed after 1 s"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM alerts"), 1);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM alert_events WHERE kind = 'notify_failed'"),
        1
    );
}

#[test]
fn the_config_file_names_the_notification_command() {
    let env = Env::new();
    let out_dir = env.path().display().to_string();
    let notify = script(
        &env,
        "notify.sh",
        &format!("printf '%s|' \"$@\" > {out_dir}/args"),
    );
    let config = env.file(
        "config.toml",
        format!("notify = [\"{notify}\", \"--from-config\"]\n").as_bytes(),
    );
    env.at(NOW, &["alert", "raise", "Van broken"])
        .env("OPSDECK_CONFIG", &config)
        .assert()
        .success();
    let args = std::fs::read_to_string(env.path().join("args")).unwrap();
    assert_eq!(args, "--from-config|--|1|warning|Van broken|");
}
