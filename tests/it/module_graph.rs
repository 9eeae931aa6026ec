//! The module graph is a rule: a top-level module of `src/` may use only
//! modules on a lower floor (docs/ARCHITECTURE.md, "The module graph").
//! This test reads every file under `src/`, finds each `crate::NAME` path
//! (in `use` lines, grouped `use crate::{a, b}` and inline paths) and fails
//! on an edge that points up or sideways into a cycle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The floors, top to bottom. A module may use any module on a lower
/// floor; modules on the same floor may not use each other.
const FLOORS: &[&[&str]] = &[
    &["main"],
    &["commands"],
    &["cli"],
    &["tui"],
    &["dataset"],
    &["sources", "notify", "demo"],
    &["config"],
    &["ingest"],
    &["store"],
    &["assets"],
    &["definition"],
    &["domain"],
    &["format", "log"],
    &["text"],
];

/// `cli` sits below `commands` for clap's sake, but only `main`,
/// `commands` and the TUI's `:` line (one parse function) may use it.
const CLI_USERS: &[&str] = &["main", "commands", "tui"];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// One use of another top-level module.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The top-level module a file under `src/` belongs to.
fn owner(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Removes `//` comments and the contents of string literals, so that a
/// path named in prose or in a message is not an edge.
fn code_only(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
                out.push('"');
            }
            continue;
        }
        if c == '"' {
            in_str = true;
            out.push('"');
            continue;
        }
        if c == '/' && chars.peek() == Some(&'/') {
            break;
        }
        out.push(c);
    }
    out
}

/// The top-level modules a line of code names through `crate::` (or
/// `opsdeck::` from the binary's `main.rs`).
fn targets(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names at depth one.
            let mut depth = 0;
            let mut name = String::new();
            let mut expect_name = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            found.push(std::mem::take(&mut name));
                        }
                        expect_name = true
                    }
                    c if depth == 0 && expect_name && (c.is_alphanumeric() || c == '_') => {
                        name.push(c)
                    }
                    _ => {
                        if !name.is_empty() {
                            found.push(std::mem::take(&mut name));
                            expect_name = false;
                        }
                    }
                }
            }
            if !name.is_empty() {
                found.push(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

/// Every cross-module edge in the given files (path relative to `src/`,
/// and its text).
fn edges(files: &[(PathBuf, String)]) -> Vec<Edge> {
    let mut out = Vec::new();
    for (rel, text) in files {
        let from = owner(rel);
        let prefix = if from == "main" {
            "opsdeck::"
        } else {
            "crate::"
        };
        for (n, line) in text.lines().enumerate() {
            for to in targets(&code_only(line), prefix) {
                if to != from && to != "self" && to != "super" {
                    out.push(Edge {
                        file: format!("src/{}", rel.display()),
                        line: n + 1,
                        from: from.clone(),
                        to,
                    });
                }
            }
        }
    }
    out.sort();
    out
}

/// The edges that break the rule, each as one line for the failure message.
fn violations(edges: &[Edge]) -> Vec<String> {
    let mut bad = Vec::new();
    for e in edges {
        if e.from == "lib" {
            continue; // lib.rs only declares the modules
        }
        let why = match (floor(&e.from), floor(&e.to)) {
            (None, _) => Some(format!("module '{}' has no floor in FLOORS", e.from)),
            (_, None) => Some(format!("module '{}' has no floor in FLOORS", e.to)),
            _ if e.to == "cli" && !CLI_USERS.contains(&e.from.as_str()) => {
                Some("only main, commands and the TUI's ':' line may use cli".to_string())
            }
            (Some(a), Some(b)) if b < a && e.to != "cli" => {
                Some(format!("{} is above {}", e.to, e.from))
            }
            (Some(a), Some(b)) if a == b => Some(format!("{} and {} share a floor", e.from, e.to)),
            _ => None,
        };
        if let Some(why) = why {
            bad.push(format!(
                "{}:{}: {} -> {}: {why}",
                e.file, e.line, e.from, e.to
            ));
        }
    }
    bad
}

fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn source_files() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_tree(&root, &root, &mut files);
    files
}

#[test]
fn no_module_uses_one_above_it() {
    let files = source_files();
    assert!(files.len() > 50, "read the tree: {} files", files.len());
    let all = edges(&files);
    assert!(
        all.iter().any(|e| e.from == "commands" && e.to == "store"),
        "the scanner sees real edges"
    );
    let bad = violations(&all);
    assert!(
        bad.is_empty(),
        "upward or sideways imports:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_floor() {
    let modules: BTreeSet<String> = source_files().iter().map(|(p, _)| owner(p)).collect();
    let missing: Vec<_> = modules
        .iter()
        .filter(|m| *m != "lib" && floor(m).is_none())
        .collect();
    assert!(missing.is_empty(), "add these to FLOORS: {missing:?}");
}

#[test]
fn raw_sql_lives_only_in_the_store() {
    let mut bad = Vec::new();
    for (rel, text) in source_files() {
        let module = owner(&rel);
        if module == "store" {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for needle in [
                ".execute(",
                ".prepare(",
                ".prepare_cached(",
                ".query_row(",
                ".raw_conn_for_tests()",
                "raw_conn_for_tests",
            ] {
                if code.contains(needle) {
                    bad.push(format!("src/{}:{}: {}", rel.display(), n + 1, code));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "SQL outside src/store/:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_catches_an_upward_import() {
    let files = vec![
        (
            PathBuf::from("store/alerts.rs"),
            "use crate::domain::Status;\nuse crate::{text, tui::app::App};\n".to_string(),
        ),
        (
            PathBuf::from("domain/mod.rs"),
            "// crate::store in a comment is no edge\nlet m = \"crate::commands\";\nfn f() -> crate::format::X { todo!() }\n".to_string(),
        ),
        (
            PathBuf::from("ingest/mod.rs"),
            "use crate::cli::Cli;\n".to_string(),
        ),
    ];
    let bad = violations(&edges(&files));
    assert_eq!(
        bad,
        vec![
            "src/ingest/mod.rs:1: ingest -> cli: only main, commands and the TUI's ':' line may use cli",
            "src/store/alerts.rs:2: store -> tui: tui is above store",
        ]
    );
}
