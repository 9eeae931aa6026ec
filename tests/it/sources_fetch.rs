//! Sources against real components: a local HTTP server on 127.0.0.1
//! started by the test, a real command (a script), another SQLite file.
//! Each fetch is checked for its rows, its limits and that a secret never
//! appears in an error.

use opsdeck::sources::{fetch, parse_sources, to_import_jsonl, SourceDef};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

const TOKEN: &str = "tok-9f8e7d6c5b";

/// A tiny HTTP/1.1 server for one test: answers by path, counts nothing,
/// stops when the test process ends. Only on 127.0.0.1.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut auth = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, v)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("authorization") {
                            auth = v.trim().to_string();
                        }
                    }
                }
                let (status, body): (&str, String) = match path.as_str() {
                    "/tickets.jsonl" if auth == format!("Bearer {TOKEN}") => (
                        "200 OK",
                        "{\"id\":\"T-1\",\"opened\":\"2026-11-30T08:00:00Z\",\"junk\":1}\n{\"id\":\"T-2\",\"opened\":\"2026-11-30T09:00:00Z\"}\n".into(),
                    ),
                    "/tickets.jsonl" => ("401 Unauthorized", "no".into()),
                    "/tickets.csv" => (
                        "200 OK",
                        "id,opened\nT-1,2026-11-30T08:00:00Z\nT-3,2026-11-30T10:00:00Z\n".into(),
                    ),
                    "/api.json" => (
                        "200 OK",
                        "{\"data\":{\"items\":[{\"id\":\"T-4\",\"opened\":\"2026-11-30T11:00:00Z\"}]}}".into(),
                    ),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(3));
                        ("200 OK", String::new())
                    }
                    "/big" => ("200 OK", "x".repeat(10_000)),
                    _ => ("500 Internal Server Error", "boom".into()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{addr}")
}

fn one(toml: &str) -> SourceDef {
    parse_sources("sources.toml", toml)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .remove(0)
}

fn http(base: &str, path: &str, extra: &str) -> SourceDef {
    one(&format!(
        "[[source]]\nname = \"helpdesk\"\nkind = \"http\"\nproduces = \"work-items\"\nevery = \"10m\"\nurl = \"{base}{path}\"\ntimeout = \"1s\"\nmax_bytes = 5000\nrename = {{ id = \"external_id\", opened = \"opened_at\" }}\nconstants = {{ kind = \"ticket\" }}\n{extra}"
    ))
}

fn env_with_token(name: &str) -> Option<String> {
    (name == "HELPDESK_TOKEN").then(|| TOKEN.to_string())
}

fn jsonl(source: &SourceDef) -> String {
    let rows = fetch(source, &env_with_token).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(to_import_jsonl(source, &rows.records)).unwrap()
}

#[test]
fn http_jsonl_with_a_token_from_the_environment() {
    let base = serve();
    let s = http(
        &base,
        "/tickets.jsonl",
        "headers = { Authorization = \"env:HELPDESK_TOKEN_HEADER\" }",
    );
    // The header's variable is missing: the message names it, not a value.
    let e = fetch(&s, &env_with_token).unwrap_err().to_string();
    assert!(e.contains("HELPDESK_TOKEN_HEADER is not set"), "{e}");

    let s = http(&base, "/tickets.jsonl", "");
    let e = fetch(&s, &env_with_token).unwrap_err().to_string();
    assert!(e.ends_with("HTTP 401"), "without the header: {e}");

    let bearer = |name: &str| (name == "HELPDESK_TOKEN").then(|| format!("Bearer {TOKEN}"));
    let s = http(
        &base,
        "/tickets.jsonl",
        "headers = { Authorization = \"env:HELPDESK_TOKEN\" }",
    );
    let rows = fetch(&s, &bearer).unwrap();
    let text = String::from_utf8(to_import_jsonl(&s, &rows.records)).unwrap();
    assert_eq!(
        text,
        "{\"external_id\":\"T-1\",\"kind\":\"ticket\",\"opened_at\":\"2026-11-30T08:00:00Z\"}\n\
         {\"external_id\":\"T-2\",\"kind\":\"ticket\",\"opened_at\":\"2026-11-30T09:00:00Z\"}\n"
    );
}

#[test]
fn http_csv_json_array_and_failures() {
    let base = serve();
    let csv = jsonl(&http(&base, "/tickets.csv", "format = \"csv\""));
    assert!(csv.contains("\"external_id\":\"T-3\""), "{csv}");
    let arr = jsonl(&http(
        &base,
        "/api.json",
        "format = \"json\"\npath = \"data.items\"",
    ));
    assert!(arr.contains("\"external_id\":\"T-4\""), "{arr}");

    for (path, want) in [
        ("/slow", "(timeout)"),
        ("/big", "larger than 5000 bytes (max_bytes)"),
        ("/nothing-here", "HTTP 500"),
    ] {
        let e = fetch(&http(&base, path, ""), &env_with_token)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{path}: {e}");
    }
    let e = fetch(
        &http(
            &base,
            "/api.json",
            "format = \"json\"\npath = \"data.rows\"",
        ),
        &env_with_token,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("path 'data.rows': no key 'rows'"), "{e}");
}

fn script(dir: &std::path::Path, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("export.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

fn command(path: &str, extra: &str) -> SourceDef {
    one(&format!(
        "[[source]]\nname = \"billing\"\nkind = \"command\"\nproduces = \"observations\"\nevery = \"1h\"\ncommand = [\"{path}\", \"--since\", \"2d\"]\ntimeout = \"1s\"\nformat = \"csv\"\nconstants = {{ indicator = \"mrr\" }}\n{extra}"
    ))
}

#[test]
fn a_command_runs_without_a_shell_with_only_the_allowed_environment() {
    let dir = tempfile::tempdir().unwrap();
    // Prints its arguments and what it sees of the environment.
    let path = script(
        dir.path(),
        "echo at,value,note\necho \"2026-11-30T00:00:00Z,1200,args=$1 $2 key=${BILLING_KEY:-none} home=${HOME:-none}\"",
    );
    let env = |name: &str| match name {
        "BILLING_KEY" => Some("k-123456".to_string()),
        "HOME" => Some("/root".to_string()),
        "PATH" => Some("/usr/bin:/bin".to_string()),
        _ => None,
    };
    let s = command(&path, "");
    let rows = fetch(&s, &env).unwrap();
    let text = String::from_utf8(to_import_jsonl(&s, &rows.records)).unwrap();
    assert!(
        text.contains("args=--since 2d key=none home=none"),
        "only PATH is passed: {text}"
    );
    assert!(text.contains("\"indicator\":\"mrr\""), "{text}");

    let s = command(&path, "env = [\"BILLING_KEY\"]");
    let rows = fetch(&s, &env).unwrap();
    let text = String::from_utf8(to_import_jsonl(&s, &rows.records)).unwrap();
    assert!(text.contains("key=k-123456 home=none"), "{text}");
}

#[test]
fn a_failing_slow_or_chatty_command_is_an_error_without_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let env = |name: &str| (name == "BILLING_KEY").then(|| "k-123456".to_string());
    let failing = script(dir.path(), "echo \"login failed for k-123456\" >&2\nexit 4");
    let e = fetch(&command(&failing, "env = [\"BILLING_KEY\"]"), &env)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("exit status 4: login failed for <redacted>"),
        "{e}"
    );
    assert!(!e.contains("k-123456"), "{e}");

    let slow = script(dir.path(), "sleep 5");
    let e = fetch(&command(&slow, ""), &env).unwrap_err().to_string();
    assert!(e.contains("stopped after 1 s (timeout)"), "{e}");

    let chatty = script(dir.path(), "yes at,value");
    let e = fetch(&command(&chatty, "max_bytes = 1000"), &env)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("printed more than 1000 bytes (max_bytes)"),
        "{e}"
    );

    let e = fetch(&command("/nonexistent/export", ""), &env)
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/export: cannot start"), "{e}");
}

#[test]
fn a_sqlite_source_reads_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("shop.db");
    let c = rusqlite::Connection::open(&shop).unwrap();
    c.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, placed TEXT, promised TEXT);
         INSERT INTO orders VALUES (17, '2026-11-30T08:00:00Z', '2026-12-02T08:00:00Z');",
    )
    .unwrap();
    drop(c);
    let s = one(&format!(
        "[[source]]\nname = \"shop-orders\"\nkind = \"sqlite\"\nproduces = \"work-items\"\nevery = \"5m\"\npath = \"{}\"\nquery = \"select 'order' as kind, id as external_id, placed as opened_at, promised as promised_at from orders\"\n",
        shop.display()
    ));
    let text = jsonl(&s);
    assert_eq!(
        text,
        "{\"external_id\":17,\"kind\":\"order\",\"opened_at\":\"2026-11-30T08:00:00Z\",\"promised_at\":\"2026-12-02T08:00:00Z\"}\n"
    );
}
