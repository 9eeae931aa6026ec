//! Writing sources back as `sources.toml` (canonical: every field spelled
//! out, so that what `apply` stored and what `definition` writes parse to
//! the same sources) and describing what changed between two versions of
//! one source (`every 5m → 10m`). Secrets are never part of it: headers
//! and connection strings are environment variable names.

use super::spec::{Fetch, Payload, SourceDef};
use crate::domain::duration::format_duration;
use std::collections::BTreeMap;

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", parts.join(", "))
}

fn table(map: &BTreeMap<String, String>, prefix: &str) -> String {
    let parts: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{} = {}", q(k), q(&format!("{prefix}{v}"))))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

fn payload_word(p: Payload) -> &'static str {
    match p {
        Payload::Jsonl => "jsonl",
        Payload::Csv => "csv",
        Payload::JsonArray => "json",
    }
}

/// One source as its `[[source]]` table, every field written.
pub fn source_toml(s: &SourceDef) -> String {
    let mut out = String::from("[[source]]\n");
    let mut field = |k: &str, v: String| out.push_str(&format!("{k} = {v}\n"));
    field("name", q(&s.name));
    field("kind", q(s.fetch.kind()));
    field("produces", q(s.produces.as_str()));
    let schedule = s.schedule.describe();
    match schedule.strip_prefix("cron ") {
        Some(c) => field("cron", q(c)),
        None => field("every", q(schedule.trim_start_matches("every "))),
    }
    field("timeout", q(&format_duration(s.timeout.as_secs() as i64)));
    field("max_bytes", s.max_bytes.to_string());
    match &s.fetch {
        Fetch::Command {
            argv,
            env,
            payload,
            array_path,
        } => {
            field("command", list(argv));
            if !env.is_empty() {
                field("env", list(env));
            }
            field("format", q(payload_word(*payload)));
            if !array_path.is_empty() {
                field("path", q(array_path));
            }
        }
        Fetch::Sqlite { path, query } => {
            field("path", q(path));
            field("query", q(query));
        }
        Fetch::Postgres { url_env, query } => {
            field("url_env", q(url_env));
            field("query", q(query));
        }
        Fetch::Http {
            url,
            headers,
            payload,
            array_path,
        } => {
            field("url", q(url));
            if !headers.is_empty() {
                field("headers", table(headers, "env:"));
            }
            field("format", q(payload_word(*payload)));
            if !array_path.is_empty() {
                field("path", q(array_path));
            }
        }
    }
    if !s.rename.is_empty() {
        field("rename", table(&s.rename, ""));
    }
    if !s.constants.is_empty() {
        field("constants", table(&s.constants, ""));
    }
    field("stale_after", q(&format_duration(s.stale_after_secs)));
    field("critical_after", q(&format_duration(s.critical_after_secs)));
    out
}

/// The whole `sources.toml` for `sources`, in the order given.
pub fn sources_file(sources: &[SourceDef]) -> String {
    let mut out = String::from(
        "# Scheduled data sources (`opsdeck sources run --due` from cron, once a minute).\n\
         # Secrets are never written here: headers and url_env name environment variables.\n",
    );
    for s in sources {
        out.push('\n');
        out.push_str(&source_toml(s));
    }
    out
}

/// True when two versions of a source define the same thing (the line
/// where each was written does not count).
pub fn same_source(a: &SourceDef, b: &SourceDef) -> bool {
    let mut b = b.clone();
    b.line = a.line;
    *a == b
}

/// `field old → new` for each field that differs between two versions of
/// one source (`every 5m → 10m`), from their canonical TOML.
pub fn source_diff(a: &SourceDef, b: &SourceDef) -> Vec<String> {
    let fields = |s: &SourceDef| -> Vec<(String, String)> {
        source_toml(s)
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect()
    };
    let (old, new) = (fields(a), fields(b));
    let mut out = Vec::new();
    for (k, v) in &new {
        match old.iter().find(|(ok, _)| ok == k) {
            Some((_, ov)) if ov == v => {}
            Some((_, ov)) => out.push(format!("{k} {ov} → {v}")),
            None => out.push(format!("{k} - → {v}")),
        }
    }
    for (k, v) in &old {
        if !new.iter().any(|(nk, _)| nk == k) {
            out.push(format!("{k} {v} → -"));
        }
    }
    if out.is_empty() {
        out.push("definition".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::parse_sources;

    const TEXT: &str = r#"
[[source]]
name = "shop-orders"
kind = "http"
produces = "work-items"
every = "5m"
url = "http://127.0.0.1:9/orders"
headers = { Authorization = "env:SHOP_TOKEN" }
format = "json"
path = "data.items"
rename = { placed = "opened_at" }
constants = { kind = "order" }

[[source]]
name = "pg"
kind = "postgres"
produces = "observations"
cron = "*/10 * * * *"
url_env = "PG_URL"
query = "select 'mrr' as indicator, now() as at, 1 as value"
"#;

    #[test]
    fn the_written_file_parses_to_the_same_sources_and_names_only_env_vars() {
        let parsed = parse_sources("sources.toml", TEXT).unwrap();
        let text = sources_file(&parsed);
        let again = parse_sources("sources.toml", &text).unwrap();
        assert_eq!(parsed.len(), again.len());
        for (a, b) in parsed.iter().zip(&again) {
            assert!(same_source(a, b), "{a:?} vs {b:?}");
        }
        assert!(text.contains("\"env:SHOP_TOKEN\""), "{text}");
        assert!(text.contains("url_env = \"PG_URL\""), "{text}");
        assert!(text.contains("cron = \"*/10 * * * *\""), "{text}");
    }

    #[test]
    fn a_changed_interval_is_one_arrow() {
        let a = parse_sources("s", TEXT).unwrap();
        let b = parse_sources("s", &TEXT.replacen("every = \"5m\"", "every = \"10m\"", 1)).unwrap();
        assert!(!same_source(&a[0], &b[0]));
        // The default staleness (three intervals) follows the interval.
        assert_eq!(
            source_diff(&a[0], &b[0]),
            vec!["every 5m → 10m", "stale_after 15m → 30m"]
        );
        assert!(same_source(&a[1], &b[1]));
    }
}
