//! Issue 19: `oncall.toml` in the definition folder: written by `init`,
//! planned and applied by `apply`, written back by `definition`, every bad
//! field refused with FILE:LINE; and `opsdeck oncall` across a handoff.

use crate::common::{init_ops, stderr, stdout, Env};

const NOW: &str = "2026-11-25T12:00:00Z";

const PEOPLE: &str = "\n[[person]]\nname = \"Ana\"\nroles = [\"fulfilment\"]\n\n[[person]]\nname = \"Ben\"\nroles = [\"fulfilment\"]\n";

const ONCALL: &str = r#"group_window = "2m"

[[rotation]]
role = "fulfilment"
people = ["Ana", "Ben"]
length = "daily"
handoff = "09:00"
start = "2026-11-23"
timezone = "Europe/Berlin"

[[quiet_hours]]
person = "Ben"
hours = "22:00-07:00"

[[maintenance]]
name = "roaster"
every = "sun 02:00-04:00"
reason = "weekly roaster maintenance"
match = { work_kind = "order" }
"#;

#[test]
fn init_writes_a_starter_that_applies_as_no_change() {
    let env = Env::new();
    let ops = init_ops(&env, NOW);
    let starter = std::fs::read_to_string(ops.join("oncall.toml")).unwrap();
    assert!(starter.contains("group_window = \"1m\""), "{starter}");
    assert!(starter.contains("# [[rotation]]"), "{starter}");
    let out = env.run_at(NOW, &["apply", ops.to_str().unwrap()]);
    assert!(stdout(&out).contains("no changes"), "{}", stdout(&out));
}

#[test]
fn apply_plans_writes_back_and_reapplies_as_no_change() {
    let env = Env::new();
    let ops = init_ops(&env, NOW);
    let op = std::fs::read_to_string(ops.join("operation.toml")).unwrap() + PEOPLE;
    std::fs::write(ops.join("operation.toml"), op).unwrap();
    std::fs::write(ops.join("oncall.toml"), ONCALL).unwrap();
    let out = env.run_at(NOW, &["apply", ops.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "~ on call: group_window 1m → 2m, rotations 0 → 1, quiet hours 0 → 1, maintenance windows 0 → 1"
        ),
        "{}",
        stdout(&out)
    );
    let back = env.path().join("back");
    env.at(NOW, &["definition", back.to_str().unwrap()])
        .assert()
        .success();
    let written = std::fs::read_to_string(back.join("oncall.toml")).unwrap();
    assert!(
        written.contains("match = { work_kind = \"order\" }"),
        "{written}"
    );
    let again = env.run_at(NOW, &["apply", back.to_str().unwrap()]);
    assert!(stdout(&again).contains("no changes"), "{}", stdout(&again));
    // Daily handoffs at 09:00 Berlin (08:00 UTC): Ana on the 23rd, Ben on
    // the 24th, Ana on the 25th until the 26th 08:00 UTC.
    let now = stdout(&env.run_at(NOW, &["oncall"]));
    assert!(
        now.contains("fulfilment   Ana                  until 2026-11-26 08:00 UTC"),
        "{now}"
    );
    let next = stdout(&env.run_at(NOW, &["oncall", "--at", "2026-11-26T08:00:00Z"]));
    assert!(next.contains("fulfilment   Ben"), "{next}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&env.run_at(
        NOW,
        &["oncall", "--at", "2026-11-26T07:59Z", "--format", "json"],
    )))
    .unwrap();
    let row = json["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "fulfilment")
        .unwrap()
        .clone();
    assert_eq!(
        (row["person"].as_str(), row["until"].as_str()),
        (Some("Ana"), Some("2026-11-26T08:00:00Z"))
    );
    // Removing the file brings back the defaults (and `definition` then
    // writes no oncall.toml).
    std::fs::remove_file(back.join("oncall.toml")).unwrap();
    let removed = env.run_at(NOW, &["apply", back.to_str().unwrap()]);
    assert!(
        stdout(&removed).contains("~ on call: group_window 2m → 1m, rotations 1 → 0"),
        "{}",
        stdout(&removed)
    );
    env.at(NOW, &["definition", back.to_str().unwrap()])
        .assert()
        .success();
    assert!(!back.join("oncall.toml").exists());
}

#[test]
fn every_bad_field_is_refused_with_its_line_and_nothing_is_written() {
    let env = Env::new();
    let ops = init_ops(&env, NOW);
    let op = std::fs::read_to_string(ops.join("operation.toml")).unwrap() + PEOPLE;
    std::fs::write(ops.join("operation.toml"), op).unwrap();
    let bad = r#"group_window = "2d"

[[rotation]]
role = "roasting"
people = ["Ana", "Zoe"]
length = "fortnightly"
handoff = "9am"
start = "2026-13-01"
timezone = "Mars/Olympus"

[[quiet_hours]]
person = "Ben"
hours = "22:00"

[[maintenance]]
name = "roaster"
every = "someday 02:00-04:00"
reason = "x"
match = { colour = "red" }
"#;
    std::fs::write(ops.join("oncall.toml"), bad).unwrap();
    let out = env.run_at(NOW, &["apply", ops.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let dir = ops.display();
    for line in [
        format!("{dir}/oncall.toml:1: group_window: at most 1h"),
        format!("{dir}/oncall.toml:4: role: unknown role 'roasting'"),
        format!("{dir}/oncall.toml:5: people: unknown person 'Zoe'"),
        format!(
            "{dir}/oncall.toml:6: length: 'fortnightly' is not a shift length (daily or weekly)"
        ),
        format!("{dir}/oncall.toml:7: handoff: '9am' is not a time of day"),
        format!("{dir}/oncall.toml:8: start: '2026-13-01' is not a date"),
        format!("{dir}/oncall.toml:9: timezone: 'Mars/Olympus' is not a time zone name"),
        format!("{dir}/oncall.toml:13: hours: '22:00' is not a span"),
        format!("{dir}/oncall.toml:17: every: 'someday' is not a day"),
        format!("{dir}/oncall.toml:19: match: 'colour' is not a field to match"),
    ] {
        assert!(err.contains(&line), "missing {line} in:\n{err}");
    }
    assert!(err.contains("nothing was written"), "{err}");
    // An unknown field names itself and its line.
    std::fs::write(
        ops.join("oncall.toml"),
        "[[rotation]]\nrole = \"fulfilment\"\nrotate = true\n",
    )
    .unwrap();
    let out = env.run_at(NOW, &["apply", ops.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("oncall.toml:3: rotate: unknown field `rotate`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM meta WHERE key = 'oncall'"),
        0
    );
}

#[test]
fn a_past_time_is_judged_by_the_rotation_in_force_then() {
    let env = Env::new();
    let ops = init_ops(&env, NOW);
    let op = std::fs::read_to_string(ops.join("operation.toml")).unwrap() + PEOPLE;
    std::fs::write(ops.join("operation.toml"), op).unwrap();
    std::fs::write(ops.join("oncall.toml"), ONCALL).unwrap();
    env.at(NOW, &["apply", ops.to_str().unwrap()])
        .assert()
        .success();
    // A day later, Ben alone holds fulfilment.
    std::fs::write(
        ops.join("oncall.toml"),
        ONCALL.replace("[\"Ana\", \"Ben\"]", "[\"Ben\"]"),
    )
    .unwrap();
    let later = "2026-11-26T12:00:00Z";
    let out = env.run_at(later, &["apply", ops.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("~ on call: rotations 1 → 1"),
        "{}",
        stdout(&out)
    );
    let who = |at: &str| stdout(&env.run_at(later, &["oncall", "--at", at]));
    assert!(
        who("2026-11-25T13:00:00Z").contains("fulfilment   Ana"),
        "in force then"
    );
    assert!(
        who("2026-11-26T13:00:00Z").contains("fulfilment   Ben"),
        "in force now"
    );
    assert!(
        who("2026-11-24T13:00:00Z").contains("fulfilment   no rotation"),
        "before any"
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM oncall_definitions"), 2);
}

/// A role without a rotation says who holds it (a founder who has not
/// written rotations still sees a name), and one nobody holds says so.
#[test]
fn a_role_without_a_rotation_names_its_holders() {
    let env = Env::new();
    env.ok_at(NOW, &["person", "add", "Kim", "--role", "ops-lead"]);
    let out = env.ok_at(NOW, &["oncall"]);
    assert!(out.contains("no rotation · held by Kim"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("finance") && l.trim_end().ends_with("no rotation")),
        "{out}"
    );
}
