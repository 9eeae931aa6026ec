//! Fetching a source's rows: a command's stdout, an HTTP response, or a
//! query on another database (through the store), each with the source's
//! timeout and size limit. Every result becomes JSON Lines in the import
//! columns (renames and constants applied) so that it goes through the same
//! validation as `opsdeck import`. Secrets (header values, connection
//! strings, the values of passed-on environment variables) never appear in
//! an error.

use super::spec::{Fetch, Payload, SourceDef};
use crate::store::foreign::{query_postgres, query_sqlite_file, Record};
use serde_json::{Map, Value};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How the process environment is read: the real one in production, a
/// fixed map in tests of the redaction.
pub(crate) type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A failed fetch, as one line with every secret replaced by `<redacted>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError(pub String);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a fetch returned, before mapping: rows as JSON objects.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The rows, in the order the source gave them.
    pub records: Vec<Record>,
}

/// What a fetch returned, as the run writes it: a command's or a
/// response's JSON Lines or CSV as they came (the import reader maps their
/// fields while reading: no second copy of every row), or rows (a query's,
/// or a JSON array's).
#[derive(Debug)]
pub enum Body {
    /// The text and its format (JSON Lines or CSV).
    Text(Vec<u8>, Payload),
    /// Rows as JSON objects, in the order the source gave them.
    Rows(Vec<Record>),
}

/// Fetches `source`'s rows now, parsed into JSON objects.
pub fn fetch(source: &SourceDef, env: EnvLookup<'_>) -> Result<Fetched, FetchError> {
    match fetch_body(source, env)? {
        Body::Rows(records) => Ok(Fetched { records }),
        Body::Text(bytes, payload) => parse_payload(&bytes, payload, "")
            .map(|records| Fetched { records })
            .map_err(FetchError),
    }
}

/// Fetches `source` now: its text as it came, or its rows.
pub fn fetch_body(source: &SourceDef, env: EnvLookup<'_>) -> Result<Body, FetchError> {
    let mut secrets: Vec<String> = Vec::new();
    let result = match &source.fetch {
        Fetch::Command {
            argv,
            env: pass,
            payload,
            array_path,
        } => {
            let mut vars = Vec::new();
            for name in std::iter::once("PATH".to_string()).chain(pass.iter().cloned()) {
                if let Some(v) = env(&name) {
                    if name != "PATH" && !v.is_empty() {
                        secrets.push(v.clone());
                    }
                    vars.push((name, v));
                }
            }
            run_command(argv, &vars, source.timeout, source.max_bytes)
                .and_then(|bytes| body(bytes, *payload, array_path))
        }
        Fetch::Sqlite { path, query } => {
            query_sqlite_file(path, query, source.timeout, source.max_bytes)
                .map(Body::Rows)
                .map_err(|e| e.to_string())
        }
        Fetch::Postgres { url_env, query } => match env(url_env) {
            None => Err(format!(
                "{url_env} is not set (the connection string comes from the environment)"
            )),
            Some(url) => {
                secrets.push(url.clone());
                query_postgres(&url, query, source.timeout, source.max_bytes)
                    .map(Body::Rows)
                    .map_err(|e| e.to_string())
            }
        },
        Fetch::Http {
            url,
            headers,
            payload,
            array_path,
        } => {
            let mut values = Vec::new();
            let mut missing = None;
            for (name, var) in headers {
                match env(var) {
                    Some(v) => {
                        secrets.push(v.clone());
                        values.push((name.clone(), v));
                    }
                    None => missing = Some(format!("{var} is not set (header {name})")),
                }
            }
            match missing {
                Some(m) => Err(m),
                None => http_get(url, &values, source.timeout, source.max_bytes)
                    .and_then(|bytes| body(bytes, *payload, array_path)),
            }
        }
    };
    result.map_err(|e| FetchError(redact(&e, &secrets)))
}

/// A command's or a response's bytes: text the import reads itself, or a
/// JSON array's rows at `array_path`. Text must be UTF-8.
fn body(bytes: Vec<u8>, payload: Payload, array_path: &str) -> Result<Body, String> {
    match payload {
        Payload::JsonArray => parse_payload(&bytes, payload, array_path).map(Body::Rows),
        _ => {
            std::str::from_utf8(&bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
            Ok(Body::Text(bytes, payload))
        }
    }
}

/// `message` with every secret replaced.
pub(crate) fn redact(message: &str, secrets: &[String]) -> String {
    let mut m = message.to_string();
    for s in secrets {
        if s.len() >= 3 {
            m = m.replace(s.as_str(), "<redacted>");
        }
    }
    crate::text::sanitize(&m)
}

/// Runs `argv` without a shell, with only `vars` in its environment, no
/// stdin, and stops it at `timeout` or when stdout passes `max_bytes`.
fn run_command(
    argv: &[String],
    vars: &[(String, String)],
    timeout: Duration,
    max_bytes: u64,
) -> Result<Vec<u8>, String> {
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: cannot start: {e}", argv[0]))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let r = (&mut stdout).take(max_bytes + 1).read_to_end(&mut buf);
        r.map(|_| buf)
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stderr).take(4096).read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let mut reader = Some(reader);
    let mut out: Option<Vec<u8>> = None;
    let too_large =
        |argv0: &str| format!("{argv0}: printed more than {max_bytes} bytes (max_bytes)");
    let status = loop {
        if reader.as_ref().is_some_and(|r| r.is_finished()) {
            let buf = reader
                .take()
                .expect("checked")
                .join()
                .map_err(|_| "reading the output failed".to_string())?
                .map_err(|e| format!("{}: reading its output: {e}", argv[0]))?;
            if buf.len() as u64 > max_bytes {
                let _ = child.kill();
                let _ = child.wait();
                return Err(too_large(&argv[0]));
            }
            out = Some(buf);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{}: stopped after {} s (timeout)",
                    argv[0],
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("{}: {e}", argv[0])),
        }
    };
    let out = match (out, reader) {
        (Some(buf), _) => buf,
        (None, Some(r)) => r
            .join()
            .map_err(|_| "reading the output failed".to_string())?
            .map_err(|e| format!("{}: reading its output: {e}", argv[0]))?,
        (None, None) => Vec::new(),
    };
    if out.len() as u64 > max_bytes {
        return Err(too_large(&argv[0]));
    }
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let first = String::from_utf8_lossy(&err)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let code = status
            .code()
            .map(|c| format!("exit status {c}"))
            .unwrap_or_else(|| "killed by a signal".into());
        return Err(if first.is_empty() {
            format!("{}: {code}", argv[0])
        } else {
            format!("{}: {code}: {first}", argv[0])
        });
    }
    Ok(out)
}

/// GET `url` with `headers`; anything but 200 is an error naming the status.
fn http_get(
    url: &str,
    headers: &[(String, String)],
    timeout: Duration,
    max_bytes: u64,
) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.get(url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = request.call().map_err(|e| match e {
        ureq::Error::Timeout(_) => {
            format!("{url}: no answer within {} s (timeout)", timeout.as_secs())
        }
        other => format!("{url}: {other}"),
    })?;
    let status = response.status();
    if status != 200 {
        return Err(format!("{url}: HTTP {}", status.as_u16()));
    }
    response
        .body_mut()
        .with_config()
        .limit(max_bytes)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => {
                format!("{url}: response larger than {max_bytes} bytes (max_bytes)")
            }
            ureq::Error::Timeout(_) => {
                format!("{url}: no answer within {} s (timeout)", timeout.as_secs())
            }
            other => format!("{url}: {other}"),
        })
}

/// Reads a command's or a response's text into rows.
fn parse_payload(bytes: &[u8], payload: Payload, array_path: &str) -> Result<Vec<Record>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match payload {
        Payload::Jsonl => {
            let mut out = Vec::new();
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(line) {
                    Ok(Value::Object(m)) => out.push(m),
                    Ok(_) => return Err(format!("row {}: not a JSON object", n + 1)),
                    Err(e) => return Err(format!("row {}: not JSON: {e}", n + 1)),
                }
            }
            Ok(out)
        }
        Payload::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(false)
                .from_reader(text.as_bytes());
            let header: Vec<String> = reader
                .headers()
                .map_err(|e| format!("CSV header: {e}"))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            let mut out = Vec::new();
            for (n, rec) in reader.records().enumerate() {
                let rec = rec.map_err(|e| format!("row {}: {e}", n + 1))?;
                let mut m = Map::new();
                for (h, v) in header.iter().zip(rec.iter()) {
                    if !v.is_empty() {
                        m.insert(h.clone(), Value::String(v.to_string()));
                    }
                }
                out.push(m);
            }
            Ok(out)
        }
        Payload::JsonArray => {
            let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
            let mut at = &doc;
            for key in array_path.split('.').filter(|k| !k.is_empty()) {
                at = at
                    .get(key)
                    .ok_or_else(|| format!("path '{array_path}': no key '{key}'"))?;
            }
            let items = at
                .as_array()
                .ok_or_else(|| format!("path '{array_path}': not an array"))?;
            items
                .iter()
                .enumerate()
                .map(|(n, v)| match v {
                    Value::Object(m) => Ok(m.clone()),
                    _ => Err(format!("row {}: not a JSON object", n + 1)),
                })
                .collect()
        }
    }
}

/// The rows as JSON Lines in the import columns: each field renamed as the
/// source says, the constants added (a constant overrides a fetched field of
/// the same name), fields that are not import columns dropped.
pub fn to_import_jsonl(source: &SourceDef, records: &[Record]) -> Vec<u8> {
    let columns: Vec<&str> = source.produces.columns().iter().map(|(c, _)| *c).collect();
    let mut out = Vec::new();
    for r in records {
        let mut row = Map::new();
        for (k, v) in r {
            let name = source.rename.get(k).map(String::as_str).unwrap_or(k);
            if columns.contains(&name) {
                row.insert(name.to_string(), v.clone());
            }
        }
        for (k, v) in &source.constants {
            row.insert(k.clone(), Value::String(v.clone()));
        }
        out.extend_from_slice(Value::Object(row).to_string().as_bytes());
        out.push(b'\n');
    }
    out
}
