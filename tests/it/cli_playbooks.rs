//! Issue 4: playbook import and versioning, and roles, through the real binary.
//! Every command gets its clock from `OPSDECK_NOW`, never the wall clock.

use crate::common;
use crate::common::runs as runs_common;
use common::{stderr, Env};
use runs_common::*;

#[test]
fn import_reports_every_problem_and_writes_nothing() {
    let env = Env::new();
    ok(&env, T0, &["playbook", "list"]);
    let before = env.query_i64("SELECT count(*) FROM playbook_versions");
    assert_eq!(before, 5, "starter playbooks");
    let bad = SMALL
        .replace("owner = \"finance\"", "owner = \"sales\"")
        .replace("tolerance = \"1h\"", "tolerance = \"soon\"")
        .replace("[[escalation]]\nafter = \"1h\"\nrole = \"ops-lead\"\n", "")
        + "[[step]]\nkey = \"pick\"\ntitle = \"Again\"\nowner = \"support\"\nentry = \"e\"\nexit = \"x\"\ntolerance = \"1h\"\nitems = [\"a\"]\n";
    let file = env.file("bad.toml", bad.as_bytes());
    let out = at(&env, T0, &["playbook", "import", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    for want in [
        ":1: missing field `escalation`",
        ":14: `tolerance`: 'soon' is not a duration",
        ":18: step 2 ('ship'): missing field `handoff` (only the last step may omit it)",
        ":21: `owner`: unknown role 'sales'",
        ":27: `key`: duplicate step key 'pick' (first used on line 9)",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&file) && l.contains(want)),
            "missing {want:?} in\n{err}"
        );
    }
    assert_eq!(
        lines.last().copied(),
        Some(format!("opsdeck: {file}: 5 problems; nothing was imported").as_str())
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM playbook_versions"),
        before
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'import'"),
        0
    );
    // Hostile text in a message is neutralised.
    let file = env.file("evil.toml", b"key = \"a\x1b]52;c;SGVsbG8=\x07b\"\n");
    let err = stderr(&at(&env, T0, &["playbook", "import", &file]));
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
}

#[test]
fn a_changed_import_is_a_new_version_and_runs_keep_theirs() {
    let env = Env::new();
    let file = with_small(&env);
    ok(&env, T0, &["run", "start", "small", "--for", "old"]);
    let same = ok(&env, T0, &["playbook", "import", &file]);
    assert_eq!(
        same,
        "playbook small is unchanged (version 1); nothing was written\n"
    );
    std::fs::write(
        &file,
        SMALL.replace(
            "items = [\"Ship it\"]",
            "items = [\"Ship it\", \"Invoice it\"]",
        ),
    )
    .unwrap();
    let out = ok(&env, T0, &["playbook", "import", &file]);
    assert!(
        out.contains(
            "version 2 (2 steps, 4 items); runs started on version 1 or earlier keep their version"
        ),
        "{out}"
    );
    ok(&env, T0, &["run", "start", "small", "--for", "new"]);
    assert!(ok(&env, T0, &["run", "show", "1"]).contains("(small v1) for old"));
    assert!(
        fails(&env, &["run", "done", "1", "ship.2", "--override", "x"])
            .contains("no item 'ship.2'")
    );
    assert!(ok(&env, T0, &["run", "show", "2"]).contains("(small v2) for new"));
    ok(&env, T0, &["run", "done", "2", "ship.2", "--override", "x"]);
    let list = json(&ok(&env, T0, &["playbook", "list", "--format", "json"]));
    let small = list["playbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "small")
        .unwrap()
        .clone();
    assert_eq!(
        (
            small["version"].clone(),
            small["versions"].clone(),
            small["open_runs"].clone()
        ),
        (2.into(), 2.into(), 2.into())
    );
    let show = ok(&env, T0, &["playbook", "show", "small"]);
    assert!(
        show.contains("versions: v1 2026-03-02, v2 2026-03-02"),
        "{show}"
    );
    assert!(show.contains("  tolerance: 2h"), "{show}");
}

#[test]
fn roles_flag_single_points_of_failure() {
    let env = Env::new();
    let list = ok(&env, T0, &["role", "list"]);
    assert!(
        list.contains("finance        Finance                (nobody) ⚠ single point of failure"),
        "{list}"
    );
    assert!(
        list.contains("5 roles held by fewer than two people"),
        "{list}"
    );
    assert_eq!(
        ok(&env, T0, &["role", "assign", "Fay", "finance"]),
        "Fay now holds finance\nfinance: Fay ⚠ single point of failure\n"
    );
    assert_eq!(
        ok(&env, T0, &["role", "assign", "Gus", "finance"]),
        "Gus now holds finance\nfinance: Fay, Gus\n"
    );
    assert!(ok(&env, T0, &["role", "assign", "Gus", "finance"])
        .contains("already holds finance; nothing changed"));
    let list = ok(&env, T0, &["role", "list"]);
    assert!(
        list.contains("finance        Finance                Fay, Gus\n"),
        "{list}"
    );
    let show = ok(&env, T0, &["playbook", "show", "order-fulfilment"]);
    assert!(show.contains("owner:     Finance (finance)\n"), "{show}");
    assert!(
        show.contains("owner:     Support (support) ⚠ single point of failure: 0 people"),
        "{show}"
    );
    ok(&env, T0, &["role", "unassign", "Gus", "finance"]);
    assert!(ok(&env, T0, &["role", "list"]).contains("Fay ⚠ single point of failure"));
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE entity = 'role'"),
        3
    );
    assert!(fails(&env, &["role", "assign", "A\u{1b}[2J", "finance"])
        .contains("control or invisible characters"));
}

#[test]
fn every_shipped_bad_playbook_is_refused_with_file_and_line() {
    let env = Env::new();
    ok(&env, T0, &["playbook", "list"]);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/playbooks/bad");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.to_string_lossy().into_owned();
        let out = at(&env, T0, &["playbook", "import", &file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = stderr(&out);
        let (problems, summary) = err.trim_end().rsplit_once('\n').unwrap_or(("", &err));
        assert!(
            summary.starts_with("opsdeck: ") && summary.ends_with("nothing was imported"),
            "{err}"
        );
        for line in problems.lines() {
            let rest = line
                .strip_prefix(&format!("{file}:"))
                .unwrap_or_else(|| panic!("{line}"));
            let (n, _) = rest.split_once(": ").unwrap_or_else(|| panic!("{line}"));
            assert!(n.parse::<usize>().is_ok(), "{line}");
        }
    }
    assert_eq!(env.query_i64("SELECT count(*) FROM playbooks"), 5);
}

#[test]
fn the_readme_example_imports() {
    let env = Env::new();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```toml\nkey = \"returns\"")
        .expect("the README has the example")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    let file = env.file("returns.toml", &readme.as_bytes()[start..end]);
    let out = ok(&env, T0, &["playbook", "import", &file]);
    assert_eq!(
        out,
        "imported playbook returns version 1 (2 steps, 4 items)\n"
    );
}
