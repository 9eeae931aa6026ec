//! `opsdeck snapshot`: one frame as plain text, from the same render code.

use crate::common;
use common::{stderr, stdout, Env};

#[test]
fn snapshot_prints_plain_text_of_a_view() {
    let env = Env::new();
    env.cmd(&["demo"]).assert().success();
    let out = env
        .cmd(&["snapshot", "--width", "80", "--height", "24"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 24);
    assert!(text.lines().all(|l| l.chars().count() <= 80));
    assert!(!text.contains('\u{1b}'), "no escape codes");
    assert!(
        text.contains("Leading indicators")
            && text.contains("Lagging indicators")
            && text.contains("Flow"),
        "{text}"
    );
    let work = stdout(
        &env.cmd(&[
            "snapshot", "--view", "work", "--width", "120", "--height", "40",
        ])
        .output()
        .unwrap(),
    );
    assert!(work.contains("kind / segment"), "{work}");
    assert_eq!(work.lines().count(), 40);
}

#[test]
fn snapshot_refuses_unknown_views_and_sizes() {
    let env = Env::new();
    let out = env.cmd(&["snapshot", "--view", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--view: 'nope' is not a view"),
        "{}",
        stderr(&out)
    );
    let out = env.cmd(&["snapshot", "--width", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_cockpit_needs_a_terminal() {
    let env = Env::new();
    let out = env.cmd(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("needs a terminal"),
        "{}",
        stderr(&out)
    );
}
