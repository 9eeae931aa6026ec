//! `sources.toml`: where the numbers come from without a person typing
//! them. Parsed and validated as a whole (every problem as
//! `FILE:LINE: field: reason`), pure: text in, typed sources out.
//!
//! ```toml
//! [[source]]
//! name = "shop-orders"
//! kind = "sqlite"              # command | sqlite | postgres | http
//! produces = "work-items"      # observations | work-items | feedback
//! every = "5m"                 # or cron = "*/5 * * * *"
//! path = "/srv/shop/shop.db"
//! query = "select 'order' as kind, id as external_id, placed as opened_at from orders"
//! ```
//!
//! Secrets are never written in the file: a header value or a PostgreSQL
//! connection string is the name of an environment variable
//! (`headers = { Authorization = "env:HELPDESK_TOKEN" }`, `url_env =
//! "SHOP_DB_URL"`), read when the source runs.

use crate::domain::duration::parse_duration;
use crate::ingest::ImportKind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

use super::schedule::Schedule;

/// The file's name in a definition folder.
pub const SOURCES_FILE: &str = "sources.toml";
/// Default time a fetch may take before it is stopped.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest response or output a fetch may return, in bytes.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Longest source name, in characters.
pub const MAX_NAME: usize = 64;

/// The text format a command or an HTTP endpoint returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// One JSON document; the rows are the array at `path` (dotted keys,
    /// empty for a top-level array).
    JsonArray,
}

/// How a source fetches its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// An argv run directly (never through a shell); its stdout is the data.
    Command {
        /// Program and arguments.
        argv: Vec<String>,
        /// Names of the environment variables passed on (all others are
        /// removed; `PATH` is always passed).
        env: Vec<String>,
        /// What stdout holds.
        payload: Payload,
        /// For [`Payload::JsonArray`]: the dotted path to the rows.
        array_path: String,
    },
    /// A query against another SQLite file, opened read-only.
    Sqlite {
        /// The file.
        path: String,
        /// The query; each column is an import column (after renames).
        query: String,
    },
    /// A query against a PostgreSQL database in a read-only transaction
    /// with a statement timeout.
    Postgres {
        /// The environment variable holding the connection string.
        url_env: String,
        /// The query.
        query: String,
    },
    /// A GET of a URL.
    Http {
        /// The URL (no secrets: tokens go in headers from the environment).
        url: String,
        /// Header name → environment variable holding its value.
        headers: BTreeMap<String, String>,
        /// What the response holds.
        payload: Payload,
        /// For [`Payload::JsonArray`]: the dotted path to the rows.
        array_path: String,
    },
}

impl Fetch {
    /// The kind's word, as written in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Fetch::Command { .. } => "command",
            Fetch::Sqlite { .. } => "sqlite",
            Fetch::Postgres { .. } => "postgres",
            Fetch::Http { .. } => "http",
        }
    }
}

/// One declared source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceDef {
    /// Unique name (`shop-orders`): what `sources run NAME` takes and what
    /// the rows it writes are attributed to.
    pub name: String,
    /// Which import rows it produces.
    pub produces: ImportKind,
    /// When it is due.
    pub schedule: Schedule,
    /// How it fetches.
    pub fetch: Fetch,
    /// Longest a fetch may take.
    pub timeout: Duration,
    /// Largest output or response accepted, in bytes.
    pub max_bytes: u64,
    /// Source field → import column (`placed = "opened_at"`).
    pub rename: BTreeMap<String, String>,
    /// Columns with the same value on every row (`indicator = "mrr"`).
    pub constants: BTreeMap<String, String>,
    /// Seconds without a successful run after which the source is stale
    /// (default: three intervals).
    pub stale_after_secs: i64,
    /// Seconds of staleness after which the alert turns critical (default:
    /// a day).
    pub critical_after_secs: i64,
    /// 1-based line of the `[[source]]` table in its file.
    pub line: usize,
}

/// A problem in the file, as `FILE:LINE: field: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The field (`source shop-orders: query`).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file,
            self.line,
            crate::text::sanitize(&self.field),
            crate::text::sanitize(&self.reason)
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<toml::Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    kind: String,
    produces: String,
    every: Option<String>,
    cron: Option<String>,
    timeout: Option<String>,
    max_bytes: Option<u64>,
    command: Option<Vec<String>>,
    env: Option<Vec<String>>,
    path: Option<String>,
    query: Option<String>,
    url_env: Option<String>,
    url: Option<String>,
    headers: Option<BTreeMap<String, String>>,
    format: Option<String>,
    rename: Option<BTreeMap<String, String>>,
    constants: Option<BTreeMap<String, String>>,
    stale_after: Option<String>,
    critical_after: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses and validates `sources.toml` (`file` names it in messages).
/// Every problem is returned, not just the first.
pub fn parse_sources(file: &str, text: &str) -> Result<Vec<SourceDef>, Vec<SpecError>> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        vec![SpecError {
            file: file.to_string(),
            line,
            field: "source".into(),
            reason: e.message().to_string(),
        }]
    })?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for spanned in raw.source {
        let line = line_of(text, spanned.span().start);
        let r = spanned.into_inner();
        let mut bad = |field: &str, reason: String| {
            errors.push(SpecError {
                file: file.to_string(),
                line,
                field: format!("source {}: {field}", r.name),
                reason,
            })
        };
        if let Err(e) = check_name(&r.name) {
            bad("name", e);
        } else if let Some(first) = seen.insert(r.name.clone(), line) {
            bad("name", format!("defined twice (first at line {first})"));
        }
        match source(&r, line) {
            Ok(s) => out.push(s),
            Err(problems) => {
                for (field, reason) in problems {
                    bad(field, reason);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{}': 1–{MAX_NAME} letters, digits, '-' or '_'",
            crate::text::sanitize_truncate(name, 40)
        ))
    }
}

type Problems = Vec<(&'static str, String)>;

fn duration(text: &str) -> Result<i64, String> {
    let d = parse_duration(text)?;
    Ok(d.num_seconds())
}

fn payload(format: Option<&str>) -> Result<Payload, String> {
    match format.unwrap_or("jsonl") {
        "jsonl" | "ndjson" => Ok(Payload::Jsonl),
        "csv" => Ok(Payload::Csv),
        "json" => Ok(Payload::JsonArray),
        other => Err(format!(
            "'{}' is not a format (jsonl, csv or json)",
            crate::text::sanitize_truncate(other, 20)
        )),
    }
}

fn env_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!(
            "'{}' is not an environment variable name",
            crate::text::sanitize_truncate(name, 40)
        ))
    }
}

fn source(r: &RawSource, line: usize) -> Result<SourceDef, Problems> {
    let mut p: Problems = Vec::new();
    let produces = match r.produces.as_str() {
        "observations" => Some(ImportKind::Observations),
        "work-items" | "work_items" => Some(ImportKind::WorkItems),
        "feedback" => Some(ImportKind::Feedback),
        other => {
            p.push((
                "produces",
                format!(
                    "'{}' is not a kind (observations, work-items or feedback)",
                    crate::text::sanitize_truncate(other, 20)
                ),
            ));
            None
        }
    };
    let schedule = match (&r.every, &r.cron) {
        (Some(e), None) => match duration(e) {
            Ok(secs) if secs >= 60 => Some(Schedule::Every(secs)),
            Ok(_) => {
                p.push((
                    "every",
                    "at least 1m (sources run from cron, once a minute)".into(),
                ));
                None
            }
            Err(e) => {
                p.push(("every", e));
                None
            }
        },
        (None, Some(c)) => match Schedule::parse_cron(c) {
            Ok(s) => Some(s),
            Err(e) => {
                p.push(("cron", e));
                None
            }
        },
        (Some(_), Some(_)) => {
            p.push(("every", "give `every` or `cron`, not both".into()));
            None
        }
        (None, None) => {
            p.push(("every", "required (or `cron`)".into()));
            None
        }
    };
    let timeout = match r.timeout.as_deref().map(duration) {
        None => DEFAULT_TIMEOUT,
        Some(Ok(s)) if (1..=3600).contains(&s) => Duration::from_secs(s as u64),
        Some(Ok(_)) => {
            p.push(("timeout", "between 1s and 1h".into()));
            DEFAULT_TIMEOUT
        }
        Some(Err(e)) => {
            p.push(("timeout", e));
            DEFAULT_TIMEOUT
        }
    };
    let mut allowed: Vec<&str> = vec!["name", "kind", "produces", "every", "cron", "timeout"];
    let fetch = match r.kind.as_str() {
        "command" => {
            allowed.extend(["command", "env", "format", "path"]);
            let argv = r.command.clone().unwrap_or_default();
            if argv.is_empty() || argv[0].is_empty() {
                p.push((
                    "command",
                    "required: the program and its arguments, as a list".into(),
                ));
            }
            let mut env = Vec::new();
            for name in r.env.clone().unwrap_or_default() {
                match env_name(&name) {
                    Ok(n) => env.push(n),
                    Err(e) => p.push(("env", e)),
                }
            }
            payload(r.format.as_deref())
                .map_err(|e| p.push(("format", e)))
                .ok()
                .map(|payload| Fetch::Command {
                    argv,
                    env,
                    payload,
                    array_path: r.path.clone().unwrap_or_default(),
                })
        }
        "sqlite" => {
            allowed.extend(["path", "query"]);
            let path = r.path.clone().unwrap_or_default();
            if path.is_empty() {
                p.push(("path", "required: the SQLite file to read".into()));
            }
            let query = r.query.clone().unwrap_or_default();
            if query.trim().is_empty() {
                p.push(("query", "required for kind sqlite".into()));
            }
            Some(Fetch::Sqlite { path, query })
        }
        "postgres" => {
            allowed.extend(["url_env", "query"]);
            let url_env = match r.url_env.as_deref().map(env_name) {
                Some(Ok(n)) => n,
                Some(Err(e)) => {
                    p.push(("url_env", e));
                    String::new()
                }
                None => {
                    p.push((
                        "url_env",
                        "required: the environment variable holding the connection string".into(),
                    ));
                    String::new()
                }
            };
            let query = r.query.clone().unwrap_or_default();
            if query.trim().is_empty() {
                p.push(("query", "required for kind postgres".into()));
            }
            Some(Fetch::Postgres { url_env, query })
        }
        "http" => {
            allowed.extend(["url", "headers", "format", "path"]);
            let url = r.url.clone().unwrap_or_default();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                p.push(("url", "required: an http:// or https:// URL".into()));
            }
            let mut headers = BTreeMap::new();
            for (name, value) in r.headers.clone().unwrap_or_default() {
                match value.strip_prefix("env:").map(env_name) {
                    Some(Ok(var)) => {
                        headers.insert(name, var);
                    }
                    Some(Err(e)) => p.push(("headers", e)),
                    None => p.push((
                        "headers",
                        format!(
                            "{}: write \"env:VARIABLE\"; header values come from the environment, never from the file",
                            crate::text::sanitize_truncate(&name, 40)
                        ),
                    )),
                }
            }
            payload(r.format.as_deref())
                .map_err(|e| p.push(("format", e)))
                .ok()
                .map(|payload| Fetch::Http {
                    url,
                    headers,
                    payload,
                    array_path: r.path.clone().unwrap_or_default(),
                })
        }
        other => {
            p.push((
                "kind",
                format!(
                    "'{}' is not a kind (command, sqlite, postgres or http)",
                    crate::text::sanitize_truncate(other, 20)
                ),
            ));
            None
        }
    };
    for (field, given) in [
        ("command", r.command.is_some()),
        ("env", r.env.is_some()),
        ("path", r.path.is_some()),
        ("query", r.query.is_some()),
        ("url_env", r.url_env.is_some()),
        ("url", r.url.is_some()),
        ("headers", r.headers.is_some()),
        ("format", r.format.is_some()),
    ] {
        if given && fetch.is_some() && !allowed.contains(&field) {
            p.push((field, format!("not used by kind {}", r.kind)));
        }
    }
    let interval = match schedule {
        Some(Schedule::Every(s)) => s,
        _ => 3600,
    };
    let stale_after_secs = match r.stale_after.as_deref().map(duration) {
        None => 3 * interval,
        Some(Ok(s)) if s > 0 => s,
        Some(Ok(_)) => {
            p.push(("stale_after", "must be longer than 0s".into()));
            0
        }
        Some(Err(e)) => {
            p.push(("stale_after", e));
            0
        }
    };
    let critical_after_secs = match r.critical_after.as_deref().map(duration) {
        None => 86_400,
        Some(Ok(s)) if s > 0 => s,
        Some(Ok(_)) => {
            p.push(("critical_after", "must be longer than 0s".into()));
            0
        }
        Some(Err(e)) => {
            p.push(("critical_after", e));
            0
        }
    };
    let max_bytes = r.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    if max_bytes == 0 {
        p.push(("max_bytes", "must be more than 0".into()));
    }
    let mut rename = BTreeMap::new();
    for (from, to) in r.rename.clone().unwrap_or_default() {
        rename.insert(from, to);
    }
    let constants = r.constants.clone().unwrap_or_default();
    if let Some(kind) = produces {
        let known: Vec<&str> = kind.columns().iter().map(|(c, _)| *c).collect();
        for to in rename.values().chain(constants.keys()) {
            if !known.contains(&to.as_str()) {
                p.push((
                    "rename",
                    format!(
                        "'{}' is not a column of {} (columns: {})",
                        crate::text::sanitize_truncate(to, 40),
                        kind.as_str(),
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    match (p.is_empty(), produces, schedule, fetch) {
        (true, Some(produces), Some(schedule), Some(fetch)) => Ok(SourceDef {
            name: r.name.clone(),
            produces,
            schedule,
            fetch,
            timeout,
            max_bytes,
            rename,
            constants,
            stale_after_secs,
            critical_after_secs,
            line,
        }),
        _ => Err(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[source]]
name = "shop-orders"
kind = "sqlite"
produces = "work-items"
every = "5m"
path = "/srv/shop/shop.db"
query = "select 'order' as kind, id as external_id, placed as opened_at from orders"

[[source]]
name = "billing-feed"
kind = "command"
produces = "observations"
every = "1h"
command = ["/usr/local/bin/billing-export", "--since", "2d"]
timeout = "30s"
constants = { indicator = "mrr" }

[[source]]
name = "helpdesk"
kind = "http"
produces = "work-items"
cron = "*/10 * * * *"
url = "https://helpdesk.example/api/tickets.jsonl"
headers = { Authorization = "env:HELPDESK_TOKEN" }
"#;

    #[test]
    fn the_three_kinds_of_the_issue_parse() {
        let s = parse_sources("sources.toml", GOOD).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].name, "shop-orders");
        assert_eq!(s[0].schedule, Schedule::Every(300));
        assert_eq!(s[0].stale_after_secs, 900, "three intervals");
        assert_eq!(s[0].line, 2);
        assert_eq!(s[1].timeout, Duration::from_secs(30));
        assert_eq!(s[1].constants["indicator"], "mrr");
        match &s[2].fetch {
            Fetch::Http {
                headers, payload, ..
            } => {
                assert_eq!(headers["Authorization"], "HELPDESK_TOKEN");
                assert_eq!(*payload, Payload::Jsonl);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_field() {
        let text = r#"
[[source]]
name = "a"
kind = "sqlite"
produces = "orders"
every = "5 minutes"

[[source]]
name = "a"
kind = "http"
produces = "work-items"
every = "10m"
url = "https://x.example/t"
headers = { Authorization = "Bearer abc123" }
query = "select 1"
"#;
        let errors: Vec<String> = parse_sources("ops/sources.toml", text)
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect();
        let expect = [
            "ops/sources.toml:2: source a: produces: 'orders' is not a kind",
            "ops/sources.toml:2: source a: every: ",
            "ops/sources.toml:2: source a: path: required",
            "ops/sources.toml:2: source a: query: required for kind sqlite",
            "ops/sources.toml:8: source a: name: defined twice (first at line 2)",
            "ops/sources.toml:8: source a: headers: Authorization: write \"env:VARIABLE\"",
            "ops/sources.toml:8: source a: query: not used by kind http",
        ];
        for want in expect {
            assert!(
                errors.iter().any(|e| e.starts_with(want)),
                "missing {want:?} in {errors:#?}"
            );
        }
        assert!(
            !errors.iter().any(|e| e.contains("abc123")),
            "a secret written in the file is not repeated: {errors:?}"
        );
    }

    #[test]
    fn unknown_fields_and_columns_are_refused() {
        let text = "[[source]]\nname = \"x\"\nkind = \"command\"\nproduces = \"observations\"\nevery = \"1h\"\ncommand = [\"/bin/true\"]\nintervall = \"1h\"\n";
        let e = parse_sources("s.toml", text).unwrap_err();
        assert_eq!(e[0].line, 7, "{e:?}");
        assert!(e[0].reason.contains("unknown field `intervall`"), "{e:?}");

        let text = "[[source]]\nname = \"x\"\nkind = \"command\"\nproduces = \"observations\"\nevery = \"1h\"\ncommand = [\"/bin/true\"]\nrename = { amount = \"valu\" }\n";
        let e = parse_sources("s.toml", text).unwrap_err();
        assert!(
            e[0].to_string()
                .contains("'valu' is not a column of observations"),
            "{e:?}"
        );
    }
}
