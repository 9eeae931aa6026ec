//! Quick edits of the definition (`indicator`, `capacity`, `person`,
//! `playbook reviewed`) and plausible values refused by `record` and
//! `import`, on the real binary and a temp database with a fixed clock.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-12-01T09:00:00Z";

fn refused(env: &Env, args: &[&str]) -> String {
    let o = env.run_at(NOW, args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
    stderr(&o)
}

fn fresh() -> Env {
    let env = Env::new();
    env.ok_at(NOW, &["init", env.path().join("ops").to_str().unwrap()]);
    env
}

fn definition(env: &Env, file: &str) -> String {
    let dir = env.path().join("def");
    env.ok_at(NOW, &["definition", dir.to_str().unwrap()]);
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn audits(env: &Env, action: &str, entity: &str) -> i64 {
    env.query_i64(&format!(
        "SELECT count(*) FROM audit WHERE action = '{action}' AND entity = '{entity}'"
    ))
}

#[test]
fn indicator_add_set_retire_are_audited_and_written_back_by_definition() {
    let env = fresh();
    let out = env.ok_at(
        NOW,
        &[
            "indicator",
            "add",
            "refund_rate",
            "--name",
            "Refund rate",
            "--kind",
            "lagging",
            "--unit",
            "%",
            "--direction",
            "lower",
            "--aggregation",
            "mean",
            "--window",
            "30d",
            "--target",
            "2",
            "--warn",
            "5",
            "--breach",
            "10",
            "--owner",
            "finance",
        ],
    );
    assert_eq!(out, "added indicator refund_rate\n");
    assert_eq!(audits(&env, "add", "indicator"), 1);
    let out = env.ok_at(
        NOW,
        &["indicator", "set", "refund_rate", "target=3", "max=50"],
    );
    assert_eq!(out, "~ indicator refund_rate: target 2 → 3, max - → 50\n");
    assert_eq!(audits(&env, "set", "indicator"), 1);
    let inds = definition(&env, "indicators.toml");
    assert!(inds.contains("key = \"refund_rate\""), "{inds}");
    assert!(
        inds.contains("target = 3\nwarn = 5\nbreach = 10\nowner = \"finance\"\nmax = 50\n"),
        "{inds}"
    );
    let show = env.ok_at(NOW, &["indicator", "show", "refund_rate"]);
    assert!(
        show.contains("target 3 · warn 5 · breach 10 · valid 0 to 50"),
        "{show}"
    );
    assert!(env
        .ok_at(NOW, &["indicator", "list"])
        .contains("refund_rate"));

    // A threshold on the wrong side and an unknown owner are refused.
    let e = refused(&env, &["indicator", "set", "refund_rate", "warn=1"]);
    assert!(e.contains("thresholds"), "{e}");
    let e = refused(&env, &["indicator", "set", "refund_rate", "owner=sales"]);
    assert!(e.contains("owner: unknown role 'sales'"), "{e}");
    let e = refused(&env, &["indicator", "set", "refund_rate", "colour=red"]);
    assert!(e.contains("colour: not a field"), "{e}");

    env.ok_at(NOW, &["indicator", "retire", "refund_rate"]);
    assert_eq!(audits(&env, "retire", "indicator"), 1);
    assert!(!definition(&env, "indicators.toml").contains("refund_rate"));
    assert!(!env
        .ok_at(NOW, &["indicator", "list"])
        .contains("refund_rate"));
}

#[test]
fn capacity_and_people_are_edited_and_written_back() {
    let env = fresh();
    let out = env.ok_at(NOW, &["capacity", "set", "order", "25", "--warn-at", "0.7"]);
    assert_eq!(out, "~ capacity order: 20 → 25 per day\n");
    let list = env.ok_at(NOW, &["capacity", "list"]);
    assert!(
        list.contains("order        25 per day · warn at 70 % · breach at 90 %"),
        "{list}"
    );
    assert_eq!(audits(&env, "set", "capacity"), 1);
    let e = refused(&env, &["capacity", "set", "order", "0"]);
    assert!(e.contains("positive"), "{e}");

    let out = env.ok_at(
        NOW,
        &[
            "person", "add", "Maria", "--role", "ops-lead", "--role", "finance",
        ],
    );
    assert_eq!(out, "+ person Maria (ops-lead, finance)\n");
    assert_eq!(audits(&env, "add", "person"), 1);
    refused(&env, &["person", "add", "Maria"]);
    let e = refused(&env, &["person", "add", "Otto", "--role", "sales"]);
    assert!(e.contains("unknown role 'sales'"), "{e}");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM people WHERE name = 'Otto'"),
        0
    );

    let op = definition(&env, "operation.toml");
    assert!(
        op.contains("name = \"Maria\"\nroles = [\"finance\", \"ops-lead\"]"),
        "{op}"
    );
    assert!(
        op.contains("work_kind = \"order\"\nunits_per_day = 25\nwarn_at = 0.7"),
        "{op}"
    );
    // And the files written back apply as they are.
    let out = env.ok_at(NOW, &["apply", env.path().join("def").to_str().unwrap()]);
    assert!(out.ends_with("no changes\n"), "{out}");
}

#[test]
fn a_new_databases_playbooks_count_their_review_from_its_creation_and_reviewed_resets_it() {
    let env = Env::new();
    env.ok_at(NOW, &["init", env.path().join("ops").to_str().unwrap()]);
    let list_at = |t: &str| stdout(&env.at(t, &["playbook", "list"]).output().unwrap());
    // Created 2026-12-01: the incident playbook (every 30 days) is due on
    // 2026-12-31, the others (every 90 days) on 2027-03-01.
    let list = list_at("2026-12-30T09:00:00Z");
    assert!(!list.contains("past review"), "{list}");
    let list = list_at("2027-01-01T09:00:00Z");
    assert_eq!(list.matches("past review").count(), 1, "{list}");
    let later = list_at("2027-03-02T09:00:00Z");
    assert_eq!(later.matches("past review").count(), 5, "{later}");

    let out = stdout(
        &env.at(
            "2027-03-02T09:00:00Z",
            &["playbook", "reviewed", "weekly-ops-review"],
        )
        .output()
        .unwrap(),
    );
    assert_eq!(
        out,
        "weekly-ops-review reviewed today; next review due 2027-05-31\n"
    );
    let pb = {
        let dir = env.path().join("def");
        env.ok_at(NOW, &["definition", dir.to_str().unwrap()]);
        std::fs::read_to_string(dir.join("playbooks/weekly-ops-review.toml")).unwrap()
    };
    assert!(pb.contains("last_reviewed = 2027-03-02"), "{pb}");
    assert_eq!(audits(&env, "import", "playbook"), 1);
}

#[test]
fn record_refuses_values_outside_the_plausible_range() {
    let env = fresh();
    let e = refused(&env, &["record", "first_response", "-5"]);
    assert_eq!(e, "opsdeck: first_response: -5 h is below the minimum 0\n");
    let e = refused(&env, &["record", "trial_to_paid", "120"]);
    assert!(
        e.contains("trial_to_paid: 120 % is above the maximum 100"),
        "{e}"
    );
    let e = refused(
        &env,
        &[
            "record",
            "trial_to_paid",
            "20",
            "--at",
            "2026-12-03T09:00:00Z",
        ],
    );
    assert!(e.contains("more than a day in the future"), "{e}");
    env.ok_at(
        NOW,
        &[
            "record",
            "trial_to_paid",
            "20",
            "--at",
            "2026-12-03T09:00:00Z",
            "--force",
        ],
    );
    env.ok_at(
        NOW,
        &[
            "record",
            "trial_to_paid",
            "20",
            "--at",
            "2026-12-02T09:00:00Z",
        ],
    );
    // The range is not something --force lifts.
    refused(&env, &["record", "first_response", "-5", "--force"]);
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 2);
}

#[test]
fn import_refuses_implausible_and_derived_values_with_file_line_and_field() {
    let env = fresh();
    let file = env.file(
        "o.csv",
        b"indicator,at,value\n\
          first_response,2026-11-30T10:00:00Z,2\n\
          first_response,2026-11-30T11:00:00Z,-5\n\
          wip,2026-11-30T11:00:00Z,3\n\
          trial_to_paid,2026-12-09T11:00:00Z,20\n",
    );
    let e = refused(&env, &["import", &file]);
    assert!(
        e.contains("o.csv:3: value: first_response: -5 h is below the minimum 0"),
        "{e}"
    );
    assert!(
        e.contains("o.csv:4: value: wip: is derived from work items"),
        "{e}"
    );
    assert!(
        e.contains("o.csv:5: value: trial_to_paid: the time is more than a day in the future"),
        "{e}"
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 0);
    let fine = env.file(
        "f.csv",
        b"indicator,at,value\ntrial_to_paid,2026-12-09T11:00:00Z,20\n",
    );
    refused(&env, &["import", &fine]);
    env.ok_at(NOW, &["import", &fine, "--force"]);
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 1);
}

#[test]
fn the_cockpits_record_line_refuses_an_implausible_value_with_the_reason() {
    use opsdeck::tui::action::{Action, Effect};
    use opsdeck::tui::app::View;
    use opsdeck::tui::theme::Theme;
    let now = 1_795_510_800;
    let mut store = opsdeck::store::Store::open_in_memory_at("tester", now).unwrap();
    let app = opsdeck::tui::loaded_app(&mut store, View::Indicators, now, Theme::mono());
    let id = store.indicator_required("first_response").unwrap().id;
    let record = |value: f64| Effect::Record {
        indicator_id: id,
        key: "first_response".into(),
        value: Some(value),
        note: None,
    };
    let out = opsdeck::tui::run_effect(&mut store, &app, record(-5.0));
    match out {
        Some(Action::Done(Err(e))) => {
            assert_eq!(e, "first_response: -5 h is below the minimum 0")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.observation_count().unwrap(), 0);
    let out = opsdeck::tui::run_effect(&mut store, &app, record(1.5));
    assert!(matches!(out, Some(Action::Done(Ok(_)))), "{out:?}");
    assert_eq!(store.observation_count().unwrap(), 1);
}
