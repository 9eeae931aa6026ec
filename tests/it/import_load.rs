//! Imports never starve other writers (issue 14, point 3): the file is read
//! and validated holding no lock, then written in one short transaction;
//! any input is read in bounded memory; bad input is reported on the line
//! where it began, and a flood of bad rows is summarised.

use crate::common::{stderr, stdout, Env};
use std::io::Write;
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-26T12:00:00Z";

/// An observations CSV of `rows` rows, values shifted by `shift`.
fn csv(rows: usize, shift: usize) -> Vec<u8> {
    let mut out = b"indicator,at,value,note\n".to_vec();
    for i in 0..rows {
        let at = chrono::DateTime::from_timestamp(1_767_225_600 + i as i64 * 60, 0).unwrap();
        writeln!(
            out,
            "billing_error_rate,{},{}.25,",
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            (i + shift) % 9
        )
        .unwrap();
    }
    out
}

#[test]
fn a_stalled_import_from_stdin_holds_no_lock_while_record_succeeds() {
    let env = Env::new();
    env.at(NOW, &["status"]).assert().success();
    let mut import = env.spawn_piped(NOW, &["import", "-"]);
    let mut pipe = import.stdin.take().unwrap();
    pipe.write_all(&csv(500, 0)).unwrap();
    pipe.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the import is waiting for more
    for i in 0..3 {
        let start = Instant::now();
        let out = env
            .at(NOW, &["record", "first_response", "2"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "record {i} while the import stalls: {}",
            stderr(&out)
        );
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "record {i} waited {:?}",
            start.elapsed()
        );
    }
    let out = env.at(NOW, &["check", "--quiet"]).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "check while the import stalls: {}",
        stderr(&out)
    );
    drop(pipe); // end of input: the import goes on and writes
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("imported 500"), "{}", stdout(&out));
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 503);
}

#[test]
fn any_input_is_read_in_bounded_memory_and_refused_with_its_line() {
    let env = Env::new();
    env.at(NOW, &["status"]).assert().success();
    // /dev/zero: no end of line, no end of file.
    let start = Instant::now();
    let out = env
        .at(NOW, &["import", "/dev/zero"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/dev/zero:1: line longer than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    // A 3 MB quoted note on line 3 is refused there, without reading on.
    let mut big = b"indicator,at,value,note\nfirst_response,2026-11-20T10:00:00Z,1,ok\nfirst_response,2026-11-20T11:00:00Z,1,\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 3 << 20));
    big.extend(b"\"\n");
    let f = env.file("big.csv", &big);
    let out = env.at(NOW, &["import", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("big.csv:3: line longer than"),
        "{}",
        stderr(&out)
    );
    // The same through JSONL.
    let mut line = b"{\"indicator\":\"first_response\",\"note\":\"".to_vec();
    line.extend(std::iter::repeat_n(b'a', 3 << 20));
    let f = env.file("big.jsonl", &line);
    let out = env
        .at(NOW, &["import", &f, "--kind", "observations"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("big.jsonl:1: line longer than"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 0);
}

#[test]
fn an_unterminated_quote_is_an_error_naming_the_line_where_the_field_began() {
    let env = Env::new();
    env.at(NOW, &["status"]).assert().success();
    let f = env.file(
        "open.csv",
        b"indicator,at,value,note\nfirst_response,2026-11-20T09:00:00Z,1,\"a fine\nnote\"\nfirst_response,2026-11-20T10:00:00Z,1,\"left open\nfirst_response,2026-11-20T11:00:00Z,2,x\nfirst_response,2026-11-20T12:00:00Z,3,y\n",
    );
    for skip in [false, true] {
        let mut args = vec!["import", f.as_str()];
        if skip {
            args.push("--skip-bad");
        }
        let out = env.at(NOW, &args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        assert!(
            stderr(&out)
                .contains("open.csv:4: a quoted field that begins on line 4 is never closed"),
            "{}",
            stderr(&out)
        );
    }
    // With --skip-bad only the good row before it was imported; never the
    // swallowed rows as a note.
    assert_eq!(env.query_i64("SELECT count(*) FROM observations"), 1);
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE note LIKE '%first_response%'"),
        0
    );
}

#[test]
fn many_bad_rows_print_the_first_20_and_a_count() {
    let env = Env::new();
    env.at(NOW, &["status"]).assert().success();
    let mut body = b"indicator,at,value\n".to_vec();
    for i in 0..500 {
        writeln!(body, "first_response,2026-11-20T10:00:00Z,not-{i}").unwrap();
    }
    let f = env.file("flood.csv", &body);
    let out = env.at(NOW, &["import", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let located = err
        .lines()
        .filter(|l| l.contains("flood.csv:") && l.contains(": value: "))
        .count();
    assert_eq!(located, 20, "{err}");
    assert!(err.contains("flood.csv:21: value:"), "{err}");
    assert!(!err.contains("flood.csv:22: value:"), "{err}");
    assert!(err.contains("480 more bad rows not shown"), "{err}");
    assert!(err.contains("500 bad rows; nothing was imported"), "{err}");
}

#[test]
fn record_and_check_never_fail_busy_while_imports_run_back_to_back() {
    const SECS: u64 = 12;
    let env = Env::new();
    env.at(NOW, &["status"]).assert().success();
    let files = [
        env.file("a.csv", &csv(20_000, 0)),
        env.file("b.csv", &csv(20_000, 1)),
    ];
    let deadline = Instant::now() + Duration::from_secs(SECS);
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    let runs = std::sync::atomic::AtomicU64::new(0);
    let imports = std::sync::atomic::AtomicU64::new(0);
    let run = |args: Vec<String>, counter: &std::sync::atomic::AtomicU64| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.at(NOW, &a).output().unwrap();
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if out.status.code().is_none_or(|c| c >= 2) {
            failures
                .lock()
                .unwrap()
                .push(format!("{args:?}: {}", stderr(&out)));
        }
    };
    std::thread::scope(|s| {
        for w in 0..6 {
            let run = &run;
            let runs = &runs;
            s.spawn(move || {
                while Instant::now() < deadline {
                    run(
                        vec!["record".into(), "first_response".into(), format!("{w}")],
                        runs,
                    );
                }
            });
        }
        for i in 0..2 {
            let (run, files, imports) = (&run, &files, &imports);
            s.spawn(move || {
                let mut n = i;
                while Instant::now() < deadline {
                    run(vec!["import".into(), files[n % 2].clone()], imports);
                    n += 1;
                }
            });
        }
        let (run, runs) = (&run, &runs);
        s.spawn(move || {
            while Instant::now() < deadline {
                run(vec!["check".into(), "--quiet".into()], runs);
            }
        });
    });
    let failures = failures.into_inner().unwrap();
    let (runs, imports) = (runs.into_inner(), imports.into_inner());
    eprintln!("{runs} record/check runs and {imports} imports of 20k rows in {SECS} s");
    assert!(imports >= 2, "only {imports} imports ran");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
