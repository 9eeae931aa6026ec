//! Issue 7: an import killed with SIGKILL at any moment leaves the database
//! intact and holding either all of the file's rows or none of them.
//!
//! One large observations file is imported again and again, each time into a
//! fresh copy of the same database, and the process is killed after a
//! delay. The delays come from a seeded generator and are spread over the
//! length of one uninterrupted import, measured first, so that kills land
//! while the file is read, while rows are inserted and around the commit.

use crate::common;
use common::{stderr, Env};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// Rows in the file: big enough that an import takes about a second in a
/// debug build, small enough that the whole test stays well under a minute.
const ROWS: i64 = 300_000;
/// Killed imports.
const RUNS: u64 = 12;
/// Fixed seed: the same delays (as fractions of the import's length) on
/// every run of the test.
const SEED: u64 = 0x0B5D_EC4A_11CE;
/// SIGKILL's number (9 on every Unix).
const SIGKILL: i32 = 9;
/// A bound on any one import, so a hang fails the test instead of stalling it.
const TIMEOUT: Duration = Duration::from_secs(60);

/// splitmix64: a tiny deterministic generator; no dependency needed.
struct SplitMix(u64);

impl SplitMix {
    fn next_fraction(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Writes `ROWS` distinct observations: three indicators, one a minute.
fn write_big_file(path: &Path) {
    let keys = ["first_response", "billing_error_rate", "trial_to_paid"];
    let start = 1_767_225_600; // 2026-01-01T00:00:00Z
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(out, "indicator,at,value,note").expect("write");
    for i in 0..ROWS {
        let at = chrono::DateTime::from_timestamp(start + i * 60, 0).expect("time");
        writeln!(
            out,
            "{},{},{}.5,row {i}",
            keys[(i % 3) as usize],
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            i % 97
        )
        .expect("write");
    }
    out.flush().expect("flush");
}

/// `PRAGMA integrity_check`, the observations and the import audit rows.
fn inspect(db: &Path) -> (String, i64, i64) {
    let c = rusqlite::Connection::open(db).expect("open after the kill");
    let integrity: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    let rows = c
        .query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
        .expect("count observations");
    let audits = c
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'import'",
            [],
            |r| r.get(0),
        )
        .expect("count audit");
    (integrity, rows, audits)
}

/// Waits for `child` at most `limit`; kills it and fails if it runs longer.
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("opsdeck import ran for more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_killed_import_leaves_all_rows_or_none() {
    let template = Env::new();
    template.cmd(&["status"]).assert().success(); // create and migrate
    let file = template.path().join("big.csv");
    write_big_file(&file);
    let file = file.to_string_lossy().into_owned();

    // One uninterrupted import: it must hold every row, and it tells how long
    // an import takes here.
    let full = Env::new();
    std::fs::copy(&template.db, &full.db).expect("copy");
    let start = Instant::now();
    let mut child = full
        .spawn_cmd(&["import", &file])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let status = wait_bounded(&mut child, TIMEOUT);
    let length = start.elapsed();
    assert!(status.success(), "the uninterrupted import failed");
    assert_eq!(inspect(&full.db), ("ok".to_string(), ROWS, 1));

    // Kill at seeded moments spread over 0..1.2 of that length: run i gets a
    // delay in its own slice, so the kills cover the whole import.
    let mut rng = SplitMix(SEED);
    let (mut none, mut all) = (0, 0);
    let mut report = Vec::new();
    for i in 0..RUNS {
        let fraction = (i as f64 + rng.next_fraction()) / RUNS as f64 * 1.2;
        let delay = length.mul_f64(fraction);
        let env = Env::new();
        std::fs::copy(&template.db, &env.db).expect("copy");
        let mut child = env
            .spawn_cmd(&["import", &file])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; an error means it had already exited
        let status = wait_bounded(&mut child, TIMEOUT);
        let killed = status.signal() == Some(SIGKILL);
        let (integrity, rows, audits) = inspect(&env.db);
        report.push(format!(
            "run {i}: delay {delay:?} ({:.0}%), killed {killed}, rows {rows}",
            fraction * 100.0
        ));
        assert_eq!(integrity, "ok", "run {i}: integrity_check after the kill");
        match rows {
            0 => {
                assert_eq!(audits, 0, "run {i}: audited an import that left no rows");
                none += 1;
            }
            ROWS => {
                assert_eq!(audits, 1, "run {i}: all rows but no audit row");
                all += 1;
            }
            n => panic!("run {i}: {n} rows after the kill, neither 0 nor {ROWS}"),
        }
        assert!(
            killed || status.success(),
            "run {i}: the import failed on its own: {status:?}"
        );
        // After the first kill that left nothing, the same file imports
        // completely into the same database: recovery left it usable.
        if rows == 0 && none == 1 {
            let out = env
                .cmd(&["import", &file])
                .timeout(TIMEOUT)
                .output()
                .expect("run");
            assert!(out.status.success(), "run {i}: re-import: {}", stderr(&out));
            assert_eq!(
                inspect(&env.db),
                ("ok".to_string(), ROWS, 1),
                "run {i}: re-import"
            );
        }
    }
    eprintln!(
        "import of {ROWS} rows took {length:?}\n{}",
        report.join("\n")
    );
    assert!(
        none >= 1,
        "no kill landed before the commit:\n{}",
        report.join("\n")
    );
    assert_eq!(none + all, RUNS);
}
