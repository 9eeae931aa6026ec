//! Issue 7 item 4: text from the data is hostile until cleaned, end to end.
//!
//! Every kind of data-derived text the product shows is filled with escape
//! sequences (clear screen, OSC 52 clipboard write, cursor moves, C1 CSI),
//! bidi overrides, zero-width characters, BEL, backspace and NUL where the
//! input path accepts it; even the database's file name. Then every output
//! path runs and nothing of it may reach stdout or stderr raw.
//!
//! JSON outputs are parsed and their text fields must come back sanitised
//! too: a listing's JSON shows what the screens show (scripts pipe it through
//! `jq -r` into terminals and chat), and serde_json escapes only C0, not C1,
//! bidi or zero-width characters. The faithful data is in `opsdeck export`.

use crate::common;
use common::{stderr, stdout, Env};
use std::process::Output;

const NOW: &str = "2026-03-02T09:00:00Z";

/// Every hostile ingredient after a visible tag. Sanitised, the tag stays
/// and is followed by `?` marks for the bidi, zero-width, BEL and backspace.
fn evil(tag: &str) -> String {
    format!(
        "☠{tag}\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[10;20H\u{9b}31m\u{202e}x\u{200b}\u{7}\u{8}!"
    )
}

/// The same with a NUL, for the input paths that take one (SQL, JSONL).
fn evil_nul(tag: &str) -> String {
    format!("{}\u{0}z", evil(tag))
}

/// Characters that must never reach the terminal as themselves.
fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061c}'
                | '\u{feff}'
        )
}

/// Describes the first hostile character of `text` with its surroundings.
fn leak(text: &str) -> Option<String> {
    let (i, c) = text.char_indices().find(|(_, c)| is_hostile(*c))?;
    let from = text[..i].char_indices().rev().nth(30).map_or(0, |(j, _)| j);
    let to = text[i..]
        .char_indices()
        .nth(30)
        .map_or(text.len(), |(j, _)| i + j);
    Some(format!("{c:?} in …{:?}…", &text[from..to]))
}

/// Every string of a JSON document (keys too) that still holds a hostile character.
fn json_leaks(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(l) = leak(s) {
                out.push(format!("{path}: {l}"));
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                json_leaks(x, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if let Some(l) = leak(k) {
                    out.push(format!("{path} key: {l}"));
                }
                json_leaks(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// The hostile environment: a database whose very file name is hostile.
struct Deck {
    env: Env,
    problems: Vec<String>,
}

impl Deck {
    fn new() -> Deck {
        Deck::named("file")
    }

    /// A deck whose database file is called `evil(tag).db`.
    fn named(tag: &str) -> Deck {
        let mut env = Env::new();
        env.db = env.path().join(format!("{}.db", evil(tag)));
        Deck {
            env,
            problems: Vec::new(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.env
            .cmd(args)
            .env("OPSDECK_NOW", NOW)
            .output()
            .expect("runs")
    }

    /// A setup step that must succeed (its output is checked too).
    fn setup(&mut self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        self.check_streams(args, &out);
        stdout(&out)
    }

    fn check_streams(&mut self, args: &[&str], out: &Output) {
        for (name, text) in [("stdout", stdout(out)), ("stderr", stderr(out))] {
            if let Some(l) = leak(&text) {
                self.problems.push(format!("{args:?} {name}: {l}"));
            }
        }
    }

    /// An output path: must succeed (exit 0, or 1 for `check`), leak nothing,
    /// and show at least one of the hostile fields (sanitised) so the check
    /// is not vacuous.
    fn output(&mut self, args: &[&str]) -> String {
        let out = self.run(args);
        let code = out.status.code();
        if !(code == Some(0) || (args[0] == "check" && code == Some(1))) {
            self.problems
                .push(format!("{args:?}: exit {code:?}: {}", stderr(&out)));
        }
        self.check_streams(args, &out);
        let text = stdout(&out);
        if !text.contains('☠') {
            self.problems
                .push(format!("{args:?}: shows no hostile field at all:\n{text}"));
        }
        if args.contains(&"json") {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => {
                    let mut found = Vec::new();
                    json_leaks(&v, "$", &mut found);
                    for f in found {
                        self.problems.push(format!("{args:?} JSON {f}"));
                    }
                }
                Err(e) => self.problems.push(format!("{args:?}: not JSON: {e}")),
            }
        }
        text
    }

    /// An error path: exit 2, one line on stderr, nothing hostile.
    fn refused(&mut self, args: &[&str]) {
        let out = self.run(args);
        if out.status.code() != Some(2) {
            self.problems.push(format!(
                "{args:?}: expected exit 2, got {:?}",
                out.status.code()
            ));
        }
        self.check_streams(args, &out);
    }

    fn sql(&self, sql: &str, text: &str) {
        let c = rusqlite::Connection::open(&self.env.db).expect("open");
        c.execute(sql, [text]).expect(sql);
    }
}

/// A playbook whose every free text carries TOML escapes for the same ingredients.
fn playbook_toml() -> String {
    let e = |tag: &str| {
        format!(
            "☠{tag}\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u001b[10;20H\\u009b31m\\u202ex\\u200b\\u0007\\b!"
        )
    };
    format!(
        r#"key = "evil"
name = "{name}"
description = "{desc}"
review_every = "30d"
last_reviewed = 2026-01-01

[[escalation]]
after = "1h"
role = "ops-lead"

[[step]]
key = "pick"
title = "{title}"
owner = "fulfilment"
entry = "{entry}"
exit = "{exit}"
tolerance = "1h"
handoff = "finance"
items = ["{item1}", "{item2}", "{item3}"]
"#,
        name = e("pbname"),
        desc = e("pbdesc"),
        title = e("steptitle"),
        entry = e("entry"),
        exit = e("exit"),
        item1 = e("item1"),
        item2 = e("item2"),
        item3 = e("item3"),
    )
}

/// Fills every kind of data-derived text with hostile strings.
fn seed(d: &mut Deck) {
    let actor = evil("actor");
    let a = actor.as_str();
    d.setup(&["--as", a, "status"]);

    // Indicators: name, unit, definition (no CLI writes them); the company name.
    d.sql(
        "UPDATE indicators SET name = ?1 || name, definition = ?1 WHERE key IN ('wip', 'on_time_rate', 'first_response', 'trial_to_paid')",
        &evil_nul("ind"),
    );
    d.sql(
        "UPDATE indicators SET unit = ?1 WHERE key = 'first_response'",
        &evil("unit"),
    );
    d.sql(
        "UPDATE meta SET value = ?1 WHERE key = 'company'",
        &evil_nul("company"),
    );
    d.sql(
        "UPDATE roles SET name = ?1 WHERE key = 'support'",
        &evil("rolename"),
    );

    // Observations with notes.
    for (v, at) in [("3", "2026-03-01T08:00:00Z"), ("6", "2026-03-02T08:00:00Z")] {
        d.setup(&[
            "--as",
            a,
            "record",
            "first_response",
            v,
            "--at",
            at,
            "--note",
            &evil("obsnote"),
        ]);
    }
    d.setup(&[
        "--as",
        a,
        "record",
        "trial_to_paid",
        "25",
        "--at",
        "2026-03-02T07:00:00Z",
        "--note",
        &evil("trialnote"),
    ]);

    // Work items: kind, customer, segment (JSONL takes NUL too).
    let mut jsonl = String::new();
    for i in 0..6 {
        let row = serde_json::json!({
            "kind": if i % 2 == 0 { evil("kind") } else { "order".to_string() },
            "external_id": format!("{}-{i}", evil_nul("ext")),
            "customer": evil_nul("customer"),
            "segment": evil("segment"),
            "opened_at": "2026-02-27T10:00:00Z",
            "promised_at": "2026-02-28T10:00:00Z",
            "closed_at": if i < 4 { serde_json::json!("2026-03-01T10:00:00Z") } else { serde_json::Value::Null },
            "outcome": if i < 4 { serde_json::json!("ok") } else { serde_json::Value::Null },
            "satisfaction": 4,
        });
        jsonl.push_str(&row.to_string());
        jsonl.push('\n');
    }
    let f = d.env.file("items.jsonl", jsonl.as_bytes());
    // Work kinds exist because the operation defines them: define the
    // hostile one with a capacity first (directly, as an operation file
    // applied by a user would).
    rusqlite::Connection::open(&d.env.db)
        .expect("open")
        .execute(
            "INSERT INTO capacity (work_kind, units_per_day) VALUES (?1, 10)",
            [evil("kind")],
        )
        .expect("define the hostile kind");
    d.setup(&["--as", a, "import", &f, "--kind", "work-items"]);

    // Feedback: by hand and imported.
    let (seg, com, cust) = (evil("fbseg"), evil("fbcomment"), evil("fbcust"));
    d.setup(&[
        "--as",
        a,
        "feedback",
        "add",
        "--ease",
        "2",
        "--reliability",
        "3",
        "--value",
        "4",
        "--segment",
        &seg,
        "--comment",
        &com,
        "--customer",
        &cust,
        "--at",
        "2026-03-01",
    ]);
    let row = serde_json::json!({
        "at": "2026-03-01T12:00:00Z", "ease": 1, "reliability": 2, "value": 3,
        "channel": "interview", "segment": evil_nul("fbseg2"), "comment": evil_nul("fbcomment2"),
    });
    let f = d.env.file("feedback.jsonl", format!("{row}\n").as_bytes());
    d.setup(&["--as", a, "import", &f, "--kind", "feedback"]);

    // Alerts: a title and notes.
    d.setup(&[
        "--as",
        a,
        "alert",
        "raise",
        &evil("alert"),
        "--severity",
        "critical",
        "--note",
        &evil("raisenote"),
    ]);
    d.setup(&[
        "--as",
        a,
        "alert",
        "raise",
        &evil("alert2"),
        "--note",
        &evil("raisenote2"),
    ]);

    // Playbook from TOML escapes, runs with contexts, item notes and skip reasons.
    let f = d.env.file("evil.toml", playbook_toml().as_bytes());
    d.setup(&["--as", a, "playbook", "import", &f]);
    d.setup(&[
        "--as",
        a,
        "run",
        "start",
        "evil",
        "--for",
        &evil("context"),
        "--due",
        "2026-03-02T08:00:00Z",
    ]);
    d.setup(&[
        "--as",
        a,
        "run",
        "done",
        "1",
        "pick.1",
        "--note",
        &evil("donenote"),
    ]);
    d.setup(&[
        "--as",
        a,
        "run",
        "skip",
        "1",
        "pick.2",
        "--reason",
        &evil("skipreason"),
    ]);
    d.setup(&["--as", a, "run", "note", "1", &evil("runnote")]);
    d.setup(&[
        "--as",
        a,
        "run",
        "start",
        "evil",
        "--for",
        &evil("context2"),
    ]);
    d.setup(&["--as", a, "run", "cancel", "2", "--reason", &evil("cancel")]);

    // A service level objective from TOML escapes.
    let slo = format!(
        "[[slo]]\nkey = \"evil_slo\"\nname = \"{}\"\ndescription = \"{}\"\nobjective = 0.9\n\
         window = \"28d\"\nsource = \"work_items\"\nwork_kind = \"order\"\ngood = \"on_time\"\n\
         owner_role = \"fulfilment\"\n",
        "☠sloname\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u009b31m\\u202ex\\u200b",
        "☠slodesc\\u001b[2J\\u202e",
    );
    let f = d.env.file("slos.toml", slo.as_bytes());
    d.setup(&["--as", a, "slo", "import", &f]);

    // Roles: a person's name. `role assign` refuses one with controls (that
    // refusal must be clean too), so it goes in by SQL, as an old file might.
    d.refused(&["--as", a, "role", "assign", &evil("person"), "support"]);
    d.sql("INSERT INTO people (name) VALUES (?1)", &evil_nul("person"));
    d.sql(
        "INSERT INTO role_assignments (role_id, person_id, assigned_at) \
         SELECT r.id, p.id, 0 FROM roles r, people p WHERE r.key = 'support' AND p.name = ?1",
        &evil_nul("person"),
    );

    // Decisions and experiments.
    d.setup(&[
        "--as",
        a,
        "decision",
        "add",
        &evil("decision"),
        "--why",
        &evil("why"),
        "--evidence",
        "indicator:first_response",
    ]);
    d.setup(&[
        "--as",
        a,
        "experiment",
        "new",
        "evil-exp",
        "--title",
        &evil("exptitle"),
        "--objective",
        &evil("objective"),
        "--hypothesis",
        &evil("hypothesis"),
        "--scope",
        &evil("scope"),
        "--start",
        "2026-02-20",
        "--end",
        "2026-03-10",
        "--primary",
        "on_time_rate>=90",
        "--control-segment",
        &evil("control"),
    ]);
    d.setup(&["--as", a, "experiment", "start", "evil-exp"]);
    d.setup(&[
        "--as",
        a,
        "experiment",
        "amend",
        "evil-exp",
        "--scope",
        &evil("scope2"),
        "--reason",
        &evil("amendreason"),
    ]);

    // Acknowledge one alert with a note.
    let list: serde_json::Value =
        serde_json::from_str(&d.setup(&["alert", "list", "--format", "json"])).expect("json");
    for alert in list["alerts"].as_array().expect("alerts") {
        let id = alert["id"].to_string();
        if alert["title"].as_str().unwrap_or("").contains("alert2") {
            d.setup(&["--as", a, "alert", "ack", &id, "--note", &evil("acknote")]);
        } else {
            d.setup(&["--as", a, "alert", "note", &id, &evil("alertnote")]);
            d.setup(&["--as", a, "alert", "pause", &id, "--reason", &evil("pause")]);
        }
    }
}

#[test]
fn no_data_derived_text_reaches_the_terminal_raw() {
    let mut d = Deck::new();
    seed(&mut d);
    let a = evil("actor");

    for format in ["text", "markdown", "json"] {
        d.output(&["status", "--format", format]);
    }
    for view in [
        "cockpit",
        "indicators",
        "work",
        "playbooks",
        "alerts",
        "experiments",
        "decisions",
        "feedback",
        "standup",
    ] {
        for (w, h) in [("80", "24"), ("120", "40")] {
            d.output(&[
                "--as", &a, "snapshot", "--view", view, "--width", w, "--height", h,
            ]);
        }
    }
    for args in [
        &["alert", "list"][..],
        &["alert", "list", "--all"],
        &["alert", "list", "--all", "--format", "json"],
        &["alert", "show", "1"],
        &["alert", "show", "2"],
        &["run", "list"],
        &["run", "list", "--format", "json"],
        &["run", "show", "1"],
        &["playbook", "list"],
        &["playbook", "list", "--format", "json"],
        &["playbook", "show", "evil"],
        &["role", "list"],
        &["role", "list", "--format", "json"],
        &["decision", "list"],
        &["decision", "list", "--format", "markdown"],
        &["decision", "list", "--format", "json"],
        &["experiment", "list"],
        &["experiment", "list", "--format", "json"],
        &["experiment", "show", "evil-exp"],
        &["experiment", "show", "evil-exp", "--format", "json"],
        &["feedback", "summary"],
        &["feedback", "summary", "--format", "json"],
        &["slo", "list"],
        &["slo", "list", "--format", "json"],
        &["check"],
        &["check", "--format", "json"],
        &["doctor"],
    ] {
        d.output(args);
    }

    assert!(d.problems.is_empty(), "{}", d.problems.join("\n"));
}

#[test]
fn error_messages_that_quote_a_field_are_clean() {
    let mut d = Deck::new();
    d.setup(&["status"]);
    d.setup(&["alert", "raise", "plain"]);
    let e = evil("arg");
    let e = e.as_str();
    let toml = d
        .env
        .file("bad.toml", format!("key = \"{e}\"\n").as_bytes());
    let csv = d.env.file(
        "bad.csv",
        format!("indicator,at,value\n{e},2026-03-01,1\n").as_bytes(),
    );
    let missing = d.env.path().join(format!("{e}.csv"));
    let missing = missing.to_string_lossy().into_owned();
    for args in [
        &["record", e, "1"][..],
        &["record", "wip", e],
        &["record", "wip", "1", "--at", e],
        &["import", &csv],
        &["import", &missing],
        &["import", &csv, "--kind", e],
        &["playbook", "show", e],
        &["playbook", "import", &toml],
        &["run", "start", e],
        &["run", "show", e],
        &["run", "done", "1", e],
        &["experiment", "show", e],
        &["experiment", "start", e],
        &["decision", "add", "t", "--why", "w", "--evidence", e],
        &["decision", "add", "t", "--why", "w", "--supersedes", e],
        &[
            "feedback",
            "add",
            "--ease",
            e,
            "--reliability",
            "3",
            "--value",
            "3",
        ],
        &[
            "feedback",
            "add",
            "--ease",
            "3",
            "--reliability",
            "3",
            "--value",
            "3",
            "--channel",
            e,
        ],
        &["role", "assign", "bob", e],
        &["role", "unassign", e, "support"],
        &["alert", "ack", e],
        &["alert", "snooze", "1", e],
        &["snapshot", "--view", e],
        &["status", "--format", e],
        &[e],
    ] {
        d.refused(args);
    }
    assert!(d.problems.is_empty(), "{}", d.problems.join("\n"));
}

#[test]
fn file_names_are_shown_clean_and_export_keeps_the_data_faithful() {
    let mut d = Deck::new();
    d.setup(&["status"]);
    d.sql(
        "UPDATE indicators SET name = ?1 WHERE key = 'wip'",
        &evil_nul("ind"),
    );
    let dir = d.env.path().to_path_buf();
    let named = |tag: &str, ext: &str| {
        dir.join(format!("{}.{ext}", evil(tag)))
            .to_string_lossy()
            .into_owned()
    };
    let csv = named("obs", "csv");
    std::fs::write(
        &csv,
        "indicator,at,value\nfirst_response,2026-03-01T08:00:00Z,3\n",
    )
    .expect("write");
    let (backup, export) = (named("backup", "db"), named("export", "jsonl"));
    d.setup(&["import", &csv]);
    d.setup(&["backup", &backup]);
    d.setup(&["export", "--output", &export]);
    let mut demo = Deck::named("demo");
    demo.setup(&["demo"]);
    let mut restored = Deck::named("restored");
    restored.setup(&["restore", &export]);
    restored.refused(&["restore", &export]);
    d.problems.append(&mut demo.problems);
    d.problems.append(&mut restored.problems);

    // Export to stdout: the data as it is (restore rebuilds it exactly), with
    // every control, bidi and zero-width character escaped, never raw.
    d.output(&["export"]);
    let c = rusqlite::Connection::open(&restored.env.db).expect("open");
    let name: String = c
        .query_row("SELECT name FROM indicators WHERE key = 'wip'", [], |r| {
            r.get(0)
        })
        .expect("query");
    assert_eq!(name, evil_nul("ind"));
    assert!(d.problems.is_empty(), "{}", d.problems.join("\n"));
}
