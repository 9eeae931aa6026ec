//! Issue 14.7: usage errors are one line with a hint, exit 2; `--db DIR`
//! says it is a folder.

use crate::common::{stderr, Env};

#[test]
fn usage_errors_are_one_line_with_a_hint_and_exit_2() {
    let env = Env::bare();
    for (args, says, hint) in [
        (
            vec!["recrod"],
            "unrecognized subcommand 'recrod'",
            "see 'opsdeck --help'",
        ),
        (
            vec!["record", "first_response"],
            "required arguments were not provided: <VALUE>",
            "see 'opsdeck record --help'",
        ),
        (
            vec!["alert", "raise", "-o/tmp/x"],
            "unexpected argument '-o' found",
            "see 'opsdeck alert raise --help'",
        ),
        (
            vec!["status", "--format", "yaml"],
            "invalid value 'yaml'",
            "--help'",
        ),
    ] {
        let out = env.cmd(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("opsdeck: "), "{err}");
        assert!(err.contains(says) && err.contains(hint), "{args:?}: {err}");
    }
    assert!(!env.db.exists(), "a usage error opens nothing");
}

#[test]
fn db_pointing_at_a_folder_says_it_is_a_folder() {
    let mut env = Env::new();
    env.db = env.path().join("folder");
    std::fs::create_dir(&env.db).unwrap();
    for args in [vec!["status"], vec!["record", "first_response", "2"]] {
        let out = env.cmd(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("is a folder, not a database file"), "{err}");
        assert!(!err.contains("disk I/O"), "{err}");
    }
}
