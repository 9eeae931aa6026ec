//! Values far from their indicator's recent ones: stored but marked for
//! review (a 100× value from a source, an import or `record`), shown with
//! `?` in `indicator show`, cleared by `observation confirm ID` and not
//! marked again when a source re-fetches the confirmed value.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-12-01T09:00:00Z";

fn ok(env: &Env, args: &[&str]) -> String {
    let o = env.at(NOW, args).output().expect("run");
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// A database with twelve ordinary first-response times (3–5 h).
fn with_history(env: &Env) {
    let ops = env.path().join("ops");
    ok(env, &["init", ops.to_str().unwrap()]);
    let mut csv = String::from("indicator,at,value\n");
    for (i, v) in [3.0, 3.5, 4.0, 4.5, 5.0, 3.2, 3.8, 4.2, 4.8, 3.6, 4.4, 4.1]
        .iter()
        .enumerate()
    {
        csv.push_str(&format!(
            "first_response,2026-11-30T{:02}:00:00Z,{v}\n",
            i + 6
        ));
    }
    let f = env.file("history.csv", csv.as_bytes());
    ok(env, &["import", &f]);
}

fn marked(env: &Env) -> i64 {
    env.query_i64("SELECT count(*) FROM observations WHERE review IS NOT NULL")
}

#[test]
fn a_hundredfold_value_from_a_source_is_stored_marked_shown_and_confirmed_once() {
    let env = Env::new();
    with_history(&env);
    let data = env.file(
        "feed.jsonl",
        b"{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:00:00Z\",\"value\":4.3}\n\
{\"indicator\":\"first_response\",\"at\":\"2026-12-01T08:30:00Z\",\"value\":410}\n",
    );
    let ops = env.path().join("ops");
    std::fs::write(
        ops.join("sources.toml"),
        format!(
            "[[source]]\nname = \"feed\"\nkind = \"command\"\nproduces = \"observations\"\nevery = \"5m\"\ncommand = [\"/bin/cat\", \"{data}\"]\n"
        ),
    )
    .unwrap();
    ok(&env, &["apply", ops.to_str().unwrap()]);
    assert!(ok(&env, &["sources", "run"]).contains("2 new"));
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE value = 410"),
        1,
        "stored"
    );
    assert_eq!(marked(&env), 1, "only the 100× value is marked");
    let id = env.query_i64("SELECT id FROM observations WHERE review IS NOT NULL");
    let show = ok(&env, &["indicator", "show", "first_response"]);
    assert!(show.contains("to review"), "{show}");
    assert!(show.contains(&format!("? #{id}")), "{show}");
    assert!(show.contains("410"), "{show}");
    assert!(show.contains("far from the recent median"), "{show}");

    let out = ok(&env, &["observation", "confirm", &format!("#{id}")]);
    assert!(out.contains("confirmed"), "{out}");
    assert_eq!(marked(&env), 0);
    assert!(!ok(&env, &["indicator", "show", "first_response"]).contains("to review"));
    // The source fetches the same value again: it stays confirmed.
    ok(&env, &["sources", "run"]);
    assert_eq!(marked(&env), 0, "a confirmed value is not marked again");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM audit WHERE action = 'confirm'"),
        1
    );
    let o = env
        .at(NOW, &["observation", "confirm", "99999"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("observation 99999: no such observation"));
}

#[test]
fn record_and_import_mark_a_far_value_and_leave_ordinary_ones() {
    let env = Env::new();
    with_history(&env);
    assert_eq!(marked(&env), 0, "the history itself is ordinary");
    let out = ok(&env, &["record", "first_response", "4.6"]);
    assert!(!out.contains("marked for review"), "{out}");
    let out = ok(&env, &["record", "first_response", "420"]);
    assert!(
        out.contains("? marked for review: far from the recent median"),
        "{out}"
    );
    let f = env.file(
        "more.csv",
        b"indicator,at,value\nfirst_response,2026-12-01T07:00:00Z,0.04\n",
    );
    ok(&env, &["import", &f]);
    assert_eq!(marked(&env), 2, "the 100× and the 1/100 value");
}
