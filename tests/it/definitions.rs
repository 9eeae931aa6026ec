//! The operation as files: `init`, `apply` (plan, dry run, prune, refusals)
//! and `definition` (round trip), on the real binary and a temp database.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-12-01T09:00:00Z";

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

const MRR: &str = r#"
[[indicator]]
key = "mrr"
name = "Monthly recurring revenue"
definition = "Subscription revenue billed in the last 30 days."
kind = "lagging"
unit = "EUR"
direction = "higher"
aggregation = "sum"
window = "30d"
target = 5000
warn = 3000
breach = 1000
owner = "finance"
"#;

#[test]
fn init_edit_apply_record_and_the_board_has_the_new_indicator() {
    let env = Env::new();
    let ops = env.path().join("ops");
    let ops_s = ops.to_str().unwrap();
    let out = env.ok_at(NOW, &["init", ops_s]);
    assert!(out.contains("created the database"), "{out}");
    for f in [
        "operation.toml",
        "indicators.toml",
        "slos.toml",
        "playbooks/incident-response.toml",
    ] {
        assert!(ops.join(f).is_file(), "{f}");
    }
    // The starter playbooks count their review from today.
    let pb = std::fs::read_to_string(ops.join("playbooks/daily-standup.toml")).unwrap();
    assert!(pb.contains("last_reviewed = 2026-12-01"), "{pb}");
    // Nothing to do right after init.
    let out = env.ok_at(NOW, &["apply", ops_s]);
    assert!(out.contains("no changes"), "{out}");

    let mut inds = std::fs::read_to_string(ops.join("indicators.toml")).unwrap();
    inds.push_str(MRR);
    std::fs::write(ops.join("indicators.toml"), inds).unwrap();
    edit(
        &ops.join("indicators.toml"),
        "target = 95\nwarn = 90",
        "target = 97\nwarn = 92",
    );
    edit(
        &ops.join("operation.toml"),
        "units_per_day = 20",
        "units_per_day = 25",
    );
    edit(
        &ops.join("operation.toml"),
        "company = \"My operation\"",
        "company = \"Acme\"",
    );

    let dry = env.ok_at(NOW, &["apply", ops_s, "--dry-run"]);
    assert!(dry.contains("dry run: nothing was written"), "{dry}");
    assert!(env.run_at(NOW, &["record", "mrr", "1"]).status.code() == Some(2));

    let out = env.ok_at(NOW, &["apply", ops_s]);
    let expected = "~ company: My operation → Acme\n\
                    ~ capacity order: 20 → 25 per day\n\
                    ~ indicator on_time_rate: target 95 → 97, warn 90 → 92\n\
                    + indicator mrr\n\
                    = 29 unchanged\n\
                    applied 4 change(s)\n";
    assert_eq!(out, expected);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'apply' AND entity = 'definition' AND detail LIKE '%+ indicator mrr%'"),
        1
    );
    env.ok_at(NOW, &["record", "mrr", "1200"]);
    let status = env.ok_at(NOW, &["status"]);
    assert!(status.contains("Monthly recurring revenue"), "{status}");
    assert!(status.contains("1200 EUR"), "{status}");

    // The same folder again changes nothing and says so.
    let audits = env.query_i64("SELECT count(*) FROM audit");
    let again = env.ok_at(NOW, &["apply", ops_s]);
    assert_eq!(again, "= 33 unchanged\nno changes\n");
    assert_eq!(env.query_i64("SELECT count(*) FROM audit"), audits);
}

#[test]
fn what_the_files_lack_is_kept_and_prune_retires_it_with_its_history() {
    let env = Env::new();
    let ops = env.path().join("ops");
    let ops_s = ops.to_str().unwrap();
    env.ok_at(NOW, &["init", ops_s]);
    let with = env.path().join("with");
    let with_s = with.to_str().unwrap();
    env.ok_at(NOW, &["definition", with_s]);
    let mut inds = std::fs::read_to_string(with.join("indicators.toml")).unwrap();
    inds.push_str(MRR);
    std::fs::write(with.join("indicators.toml"), inds).unwrap();
    env.ok_at(NOW, &["apply", with_s]);
    env.ok_at(NOW, &["record", "mrr", "1200"]);

    let kept = env.ok_at(NOW, &["apply", ops_s]);
    assert!(
        kept.contains(&format!("  kept (not in {ops_s}): indicator mrr")),
        "{kept}"
    );
    assert!(env
        .ok_at(NOW, &["status"])
        .contains("Monthly recurring revenue"));

    let pruned = env.ok_at(NOW, &["apply", ops_s, "--prune"]);
    assert!(
        pruned.contains("- indicator mrr (retired; its history is kept)"),
        "{pruned}"
    );
    assert!(!env
        .ok_at(NOW, &["status"])
        .contains("Monthly recurring revenue"));
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE value = 1200"),
        1
    );
    assert_eq!(
        env.run_at(NOW, &["record", "mrr", "5"]).status.code(),
        Some(2)
    );

    let back = env.ok_at(NOW, &["apply", with_s]);
    assert!(
        back.contains("+ indicator mrr (returns with its history)"),
        "{back}"
    );
    let status = env.ok_at(NOW, &["status"]);
    assert!(status.contains("1200 EUR"), "{status}");
}

fn round_trip(env: &Env) {
    let out = env.path().join("out");
    let out_s = out.to_str().unwrap();
    env.ok_at(NOW, &["definition", out_s]);
    let audits = env.query_i64("SELECT count(*) FROM audit");
    let applied = env.ok_at(NOW, &["apply", out_s]);
    assert!(applied.ends_with("no changes\n"), "{applied}");
    assert!(!applied.contains("kept"), "{applied}");
    assert_eq!(env.query_i64("SELECT count(*) FROM audit"), audits);
    // Written again, the files are the same.
    let again = env.path().join("again");
    env.ok_at(NOW, &["definition", again.to_str().unwrap()]);
    for f in ["operation.toml", "indicators.toml", "slos.toml"] {
        assert_eq!(
            std::fs::read_to_string(out.join(f)).unwrap(),
            std::fs::read_to_string(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn definition_then_apply_is_a_no_op_on_a_fresh_database() {
    let env = Env::new();
    env.ok_at(NOW, &["init", env.path().join("ops").to_str().unwrap()]);
    round_trip(&env);
}

#[test]
fn definition_then_apply_is_a_no_op_on_the_demo() {
    let env = Env::new();
    env.ok_at(NOW, &["demo"]);
    round_trip(&env);
}

#[test]
fn init_refuses_a_folder_that_already_holds_an_operation() {
    let env = Env::new();
    let ops = env.path().join("ops");
    env.ok_at(NOW, &["init", ops.to_str().unwrap()]);
    let o = env.run_at(NOW, &["init", ops.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already holds an operation"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn every_broken_folder_is_refused_with_file_line_and_field_and_changes_nothing() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad_definitions");
    let env = Env::new();
    env.ok_at(NOW, &["init", env.path().join("ops").to_str().unwrap()]);
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "{cases:?}");
    for case in cases {
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let expected = format!("{}/{}", corpus.display(), expected.trim());
        let fingerprint = || {
            (
                env.query_i64("SELECT count(*) FROM audit"),
                env.query_i64("SELECT count(*) FROM indicators"),
                env.query_i64("SELECT count(*) FROM roles"),
                env.query_i64("SELECT count(*) FROM people"),
                env.query_i64(
                    "SELECT count(*) FROM meta WHERE key = 'company' AND value = 'My operation'",
                ),
            )
        };
        let before = fingerprint();
        let o = env.run_at(NOW, &["apply", case.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", case.display());
        let err = stderr(&o);
        assert!(
            err.contains(&expected),
            "{}:\n{err}\nexpected: {expected}",
            case.display()
        );
        assert!(err.contains("nothing was written"), "{err}");
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
        assert_eq!(fingerprint(), before, "{}", case.display());
        assert_eq!(
            env.query_i64("SELECT count(*) FROM indicators WHERE key = 'mrr'"),
            0
        );
    }
}

#[test]
fn init_without_a_folder_writes_ops_in_the_current_folder() {
    let env = Env::new();
    let o = env
        .at(NOW, &["init"])
        .current_dir(env.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("wrote the starter operation to ops/"),
        "{}",
        stdout(&o)
    );
    assert!(env.path().join("ops/operation.toml").is_file());
    assert!(env
        .path()
        .join("ops/playbooks/order-fulfilment.toml")
        .is_file());
    assert!(env.db.exists());
}
