//! Operability: doctor, completions, man page, config file.

use crate::common;
use common::{stderr, stdout, Env};

#[test]
fn doctor_reports_a_healthy_database() {
    let env = Env::new();
    env.cmd(&["status"]).assert().success();
    let out = env.cmd(&["doctor"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for want in [
        "database",
        "permissions    600",
        "schema         version",
        "journal        wal",
        "integrity      ok",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

#[test]
fn completions_and_man_page_come_from_the_cli() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.cmd(&["completions", shell]).output().unwrap();
        assert!(out.status.success());
        assert!(stdout(&out).contains("import"), "{shell}");
    }
    let man = stdout(&env.cmd(&["man"]).output().unwrap());
    assert!(man.contains(".TH opsdeck 1"), "{man}");
    assert!(man.contains("snapshot"));
    assert!(!env.db.exists(), "neither touches the database");
}

#[test]
fn config_file_sets_the_default_user_and_typos_are_errors() {
    let env = Env::new();
    let cfg = env.file("config.toml", b"user = \"fay\"\nrefresh_ms = 250\n");
    env.cmd(&["record", "first_response", "1"])
        .env("OPSDECK_CONFIG", &cfg)
        .env_remove("USER")
        .assert()
        .success();
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'record' AND actor = 'fay'"),
        1
    );
    // --as still wins.
    env.cmd(&["--as", "gus", "record", "first_response", "2"])
        .env("OPSDECK_CONFIG", &cfg)
        .assert()
        .success();
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE actor = 'gus'"),
        1
    );
    let bad = env.file("bad.toml", b"user = \"fay\"\nrefersh_ms = 250\n");
    let out = env
        .cmd(&["status"])
        .env("OPSDECK_CONFIG", &bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.toml:2:"), "{}", stderr(&out));
}
