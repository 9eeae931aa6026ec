//! Issue 14.9, the README cannot drift: every fenced block of README.md is
//! either run against a temp database with the real binary, or marked
//! `<!-- not-run: WHY -->` on the line before it. A block that is neither
//! fails the test.
//!
//! - `sh`/`bash` blocks: every command must start with `opsdeck`; the block
//!   runs in `sh -e` in a temp folder (so `> ops.jsonl` and `--db new.db`
//!   stay there), `opsdeck` on the PATH, `OPSDECK_DB` set, the clock fixed.
//! - `crontab` blocks: the command after the five time fields, the same way.
//! - `csv`/`jsonl` blocks: written to a file and imported (`opsdeck import`).
//! - `toml` blocks: a playbook (`[[step]]`) or SLO file (`[[slo]]`) is
//!   imported; a config file is used for `opsdeck status`.
//!
//! Absolute `--db` paths (`/srv/opsdeck/ops.db`) are mapped into the temp
//! folder; nothing is written outside it.

use crate::common::stderr;
use std::path::Path;
use std::process::Command;

const NOW: &str = "2026-11-24T09:00:00Z";

/// One fenced block: where it starts, its info string, its text, and the
/// reason it is not run, if marked.
struct Block {
    line: usize,
    info: String,
    text: String,
    not_run: Option<String>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i;
        let mut text = String::new();
        i += 1;
        while i < lines.len() && !lines[i].starts_with("```") {
            text.push_str(lines[i]);
            text.push('\n');
            i += 1;
        }
        let before = lines[..start].iter().rev().find(|l| !l.trim().is_empty());
        let not_run = before
            .and_then(|l| l.trim().strip_prefix("<!-- not-run:"))
            .and_then(|r| r.strip_suffix("-->"))
            .map(|r| r.trim().to_string());
        out.push(Block {
            line: start + 1,
            info: info.trim().to_string(),
            text,
            not_run,
        });
        i += 1;
    }
    out
}

/// The block's commands, continuation lines joined, comments and blank lines left out.
fn commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let cmd = std::mem::take(&mut current).trim().to_string();
        if !cmd.is_empty() && !cmd.starts_with('#') {
            out.push(cmd);
        }
    }
    out
}

/// Absolute `--db /x/y/name.db` becomes `--db name.db` (inside the temp folder).
fn local_db(cmd: &str) -> String {
    let words: Vec<&str> = cmd.split(' ').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        out.push(words[i].to_string());
        if words[i] == "--db" && i + 1 < words.len() && words[i + 1].starts_with('/') {
            let name = Path::new(words[i + 1]).file_name().unwrap();
            out.push(name.to_string_lossy().into_owned());
            i += 1;
        }
        i += 1;
    }
    out.join(" ")
}

struct Runner {
    dir: tempfile::TempDir,
    path: String,
}

impl Runner {
    fn new() -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let bin = assert_cmd::cargo::cargo_bin("opsdeck");
        let path = format!(
            "{}:{}",
            bin.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let r = Runner { dir, path };
        // The README's reader starts with `opsdeck init`: the database and
        // the ./ops folder its examples apply.
        assert_eq!(r.run("opsdeck init ops", "opsdeck init ops", &[]), None);
        r
    }

    fn sh(&self, script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-e")
            .arg("-c")
            .arg(script)
            .current_dir(self.dir.path())
            .env("PATH", &self.path)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("OPSDECK_DB", self.dir.path().join("ops.db"))
            .env("OPSDECK_NOW", NOW)
            .env("NO_COLOR", "1")
            .env_remove("OPSDECK_USER")
            .env_remove("OPSDECK_CONFIG")
            .env_remove("OPSDECK_NOTIFY");
        c
    }

    /// Runs `script`; returns a problem, if any.
    fn run(&self, what: &str, script: &str, cmd_env: &[(&str, String)]) -> Option<String> {
        let mut c = self.sh(script);
        for (k, v) in cmd_env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (!out.status.success()).then(|| {
            format!(
                "{what}: exit {:?}: {}",
                out.status.code(),
                stderr(&out).trim()
            )
        })
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

/// The names in `people = [...]` and `person = "..."` lines of an
/// `oncall.toml` example, once each, `founder` (the starter's) left out.
fn named_people(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if !(line.starts_with("people") || line.starts_with("person")) {
            continue;
        }
        for (i, part) in line.split('"').enumerate() {
            if i % 2 == 1 && part != "founder" && !out.iter().any(|p| p == part) {
                out.push(part.to_string());
            }
        }
    }
    out
}

/// The definition-folder file a TOML block is an example of, if any.
fn definition_file(text: &str) -> Option<&'static str> {
    if text.contains("company =") {
        Some("operation.toml")
    } else if text.contains("[[indicator]]") {
        Some("indicators.toml")
    } else if text.contains("[[source]]") {
        Some("sources.toml")
    } else if text.contains("[[rotation]]") || text.contains("group_window") {
        Some("oncall.toml")
    } else {
        None
    }
}

/// Runs one block; returns what went wrong.
fn run_block(r: &Runner, b: &Block) -> Option<String> {
    let at = format!("README.md:{} ({})", b.line, b.info);
    let opsdeck_only = |cmds: &[String]| {
        cmds.iter()
            .find(|c| !c.starts_with("opsdeck "))
            .map(|c| format!("{at}: `{c}` is not an opsdeck command: run it or mark the block <!-- not-run: why -->"))
    };
    match b.info.as_str() {
        "sh" | "bash" | "console" | "shell" => {
            let cmds = commands(&b.text);
            if cmds.is_empty() {
                return Some(format!("{at}: no command in it"));
            }
            if let Some(p) = opsdeck_only(&cmds) {
                return Some(p);
            }
            let script: Vec<String> = cmds.iter().map(|c| local_db(c)).collect();
            r.run(&at, &script.join("\n"), &[])
        }
        "sh team" => {
            // Team mode: run against the test server (see common::pg) with
            // `db.internal` pointing at it, as its admin login.
            let cmds = commands(&b.text);
            if let Some(c) = cmds.iter().find(|c| {
                !["opsdeck ", "createdb ", "psql "]
                    .iter()
                    .any(|p| c.starts_with(p))
            }) {
                return Some(format!("{at}: `{c}` is neither opsdeck, createdb nor psql"));
            }
            // A cluster of its own: the walk-through creates a database
            // and logins with fixed names, which must never touch a shared
            // server.
            let dir = tempfile::tempdir().unwrap();
            let cluster = match crate::common::pg::Cluster::start(dir.path(), &[], |_| {}) {
                Ok(c) => c,
                Err(why) => return Some(format!("{at}: no PostgreSQL to run it on: {why}")),
            };
            let hostport = cluster
                .url
                .split_once('@')
                .and_then(|(_, r)| r.split_once('/'))
                .map(|(h, _)| h.to_string())
                .expect("host:port in the cluster's URL");
            let (host, port) = hostport.split_once(':').unwrap_or((&hostport, "5432"));
            let script: Vec<String> = cmds
                .iter()
                .map(|c| {
                    let c = c
                        .replace(
                            "postgres://db.internal/",
                            &format!("postgres://postgres@{hostport}/"),
                        )
                        .replace("@db.internal/", &format!("@{hostport}/"));
                    if c.ends_with(" check") {
                        format!("{c} || [ $? -eq 1 ]")
                    } else {
                        c
                    }
                })
                .collect();
            let env = [
                ("PGHOST", host.to_string()),
                ("PGPORT", port.to_string()),
                ("PGUSER", "postgres".to_string()),
            ];
            let problem = r.run(&at, &script.join("\n"), &env);
            drop(cluster);
            problem
        }
        "crontab" => {
            let cmds: Vec<String> = commands(&b.text)
                .iter()
                .map(|l| l.split_whitespace().skip(5).collect::<Vec<_>>().join(" "))
                .collect();
            if let Some(p) = opsdeck_only(&cmds) {
                return Some(p);
            }
            // `check` from cron exits 1 when a critical alert is open: that
            // is its answer, not a failure.
            let script: Vec<String> = cmds
                .iter()
                .map(|c| format!("{} || [ $? -eq 1 ]", local_db(c)))
                .collect();
            r.run(&at, &script.join("\n"), &[])
        }
        "csv" | "jsonl" => {
            let file = r.file(&format!("readme-{}.{}", b.line, b.info), &b.text);
            r.run(&at, &format!("opsdeck import '{file}'"), &[])
        }
        "toml" => {
            let file = r.file(&format!("readme-{}.toml", b.line), &b.text);
            if b.text.contains("[[step]]") {
                r.run(&at, &format!("opsdeck playbook import '{file}'"), &[])
            } else if b.text.contains("[[slo]]") {
                r.run(&at, &format!("opsdeck slo import '{file}'"), &[])
            } else if b.text.contains("refresh_ms") {
                r.run(&at, "opsdeck status", &[("OPSDECK_CONFIG", file)])
            } else if b.text.contains("\"alert.ack\"") {
                // keys.toml beside the config file: the snapshot (the
                // cockpit's own drawing) loads and validates it.
                r.run(
                    &at,
                    &format!("mkdir -p config/opsdeck && cp '{file}' config/opsdeck/keys.toml && opsdeck snapshot --view alerts"),
                    &[],
                )
            } else if let Some(name) = definition_file(&b.text) {
                // A file of the operation's definition: `operation.toml` on
                // its own in a folder, any other file in a copy of the
                // starter folder; the folder must validate and plan.
                let dir = format!("readme-def-{}", b.line);
                let mut setup = if name == "operation.toml" {
                    format!("mkdir {dir}")
                } else {
                    format!("cp -r ops {dir}")
                };
                if name == "oncall.toml" {
                    // The people it names join the starter's operation.toml.
                    for person in named_people(&b.text) {
                        setup.push_str(&format!(
                            " && printf '\\n[[person]]\\nname = \"{person}\"\\nroles = [\"ops-lead\", \"fulfilment\", \"support\"]\\n' >> {dir}/operation.toml"
                        ));
                    }
                }
                r.run(
                    &at,
                    &format!(
                        "{setup} && cp '{file}' {dir}/{name} && opsdeck apply {dir} --dry-run"
                    ),
                    &[],
                )
            } else {
                Some(format!(
                    "{at}: a TOML block that is neither a playbook, an SLO file nor a config"
                ))
            }
        }
        _ => Some(format!(
            "{at}: a `{}` block is not run: mark it <!-- not-run: why -->",
            b.info
        )),
    }
}

#[test]
fn every_readme_example_runs_or_is_marked_not_run() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let all = blocks(&readme);
    assert!(all.len() >= 8, "found {} blocks", all.len());
    let r = Runner::new();
    let mut problems = Vec::new();
    let mut ran = 0;
    for b in &all {
        match &b.not_run {
            Some(why) if why.is_empty() => {
                problems.push(format!("README.md:{}: not-run needs a reason", b.line))
            }
            Some(_) => {}
            None => {
                ran += 1;
                problems.extend(run_block(&r, b));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The examples the README teaches with are among those run.
    assert!(ran >= 7, "only {ran} blocks ran");
    assert!(
        !r.dir.path().join("srv").exists(),
        "nothing written outside the temp folder's own files"
    );
}

#[test]
fn an_unmarked_block_that_cannot_run_is_reported() {
    let r = Runner::new();
    let readme = "text\n\n```sh\ncargo build\n```\n\n<!-- not-run: a picture -->\n```\nscreen\n```\n\n```\nscreen\n```\n";
    let all = blocks(readme);
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].not_run.as_deref(), Some("a picture"));
    let p = run_block(&r, &all[0]).unwrap();
    assert!(
        p.contains("README.md:3") && p.contains("not an opsdeck command"),
        "{p}"
    );
    let p = run_block(&r, &all[2]).unwrap();
    assert!(p.contains("mark it <!-- not-run"), "{p}");
    // A failing opsdeck command is reported with its message.
    let bad = Block {
        line: 1,
        info: "csv".into(),
        text: "indicator,at,value\nnope,2026-11-20,1\n".into(),
        not_run: None,
    };
    let p = run_block(&r, &bad).unwrap();
    assert!(p.contains("unknown indicator 'nope'"), "{p}");
}
