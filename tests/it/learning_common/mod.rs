//! Helpers of the learning-loop CLI tests: a fixed clock and arguments
//! written as one line.
#![allow(dead_code)]

use crate::common::{stderr, stdout, Env};
use std::path::Path;
use std::process::Output;

/// The clock of most tests.
pub const NOW: &str = "2026-03-20T12:00:00Z";

/// Splits a command line on spaces; single quotes group words
/// (`decision add 'Cap orders' --why 'too busy'`).
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// Runs `opsdeck LINE` on the env's database with the clock at `now`.
pub fn run_at(env: &Env, now: &str, line: &str) -> Output {
    let words = words(line);
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    env.at(now, &args).output().expect("run")
}

/// Like [`run_at`], asserting success; returns stdout.
pub fn ok_at(env: &Env, now: &str, line: &str) -> String {
    let out = run_at(env, now, line);
    assert!(out.status.success(), "{line}: {}", stderr(&out));
    stdout(&out)
}

/// Like [`ok_at`], parsing stdout as JSON.
pub fn json_at(env: &Env, now: &str, line: &str) -> serde_json::Value {
    serde_json::from_str(&ok_at(env, now, line)).expect("json")
}

/// Asserts exit status 2 with one line on stderr containing `want`.
pub fn refused(env: &Env, now: &str, line: &str, want: &str) {
    let out = run_at(env, now, line);
    assert_eq!(out.status.code(), Some(2), "{line}: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(want), "{line}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

/// `opsdeck --db DB ARGS...` on another database than the env's own.
pub fn cmd_on(env: &Env, db: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("opsdeck")
        .expect("binary")
        .env_remove("OPSDECK_DB")
        .env_remove("OPSDECK_USER")
        .env("HOME", env.path())
        .env("XDG_DATA_HOME", env.path().join("data"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run")
}

#[test]
fn words_split_like_a_shell_line() {
    assert_eq!(words("a 'b c' d"), ["a", "b c", "d"]);
    assert_eq!(words("x --why ''"), ["x", "--why", ""]);
    assert_eq!(words("  a  "), ["a"]);
}
