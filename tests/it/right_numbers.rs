//! Issue 13 point 7: the board's numbers recomputed independently from the
//! raw rows of the demo at several fixed clocks.

use crate::common::{json, stdout, Env};

const DAY: i64 = 86_400;

/// Unix seconds of an RFC 3339 UTC time `YYYY-MM-DDTHH:MM:SSZ`.
fn unix(t: &str) -> i64 {
    let n = |a: usize, b: usize| t[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * DAY + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

/// Formats unix seconds back as RFC 3339 UTC.
fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(DAY);
    let secs = t.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The value of one indicator in `status --format json` at `now`.
fn board_value(env: &Env, now: &str, key: &str) -> Option<f64> {
    let o = env
        .at(now, &["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let doc = json(&o);
    let r = doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("{key} on the board"))
        .clone();
    r["value"].as_f64()
}

/// The capacity cell of the `order` row of the Flow pane at `now`, in percent.
fn flow_pane_utilisation(env: &Env, now: &str) -> f64 {
    let o = env
        .at(
            now,
            &[
                "snapshot", "--view", "work", "--width", "120", "--height", "30",
            ],
        )
        .output()
        .unwrap();
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.trim_start_matches('│').starts_with("order "))
        .unwrap_or_else(|| panic!("order row in\n{text}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let i = words
        .iter()
        .position(|w| ["✓", "▲", "✗"].contains(w))
        .unwrap_or_else(|| panic!("a capacity band in {line}"));
    words[i - 1].trim_end_matches('%').parse().unwrap()
}

/// Independent recomputation from the raw rows: orders opened in the seven
/// complete UTC days before `now`'s day, per day, over the order capacity.
fn raw_utilisation(env: &Env, now: i64) -> f64 {
    let today = now - now.rem_euclid(DAY);
    let opened = env.query_i64(&format!(
        "SELECT count(*) FROM work_items WHERE kind = 'order' \
         AND opened_at >= {} AND opened_at < {today}",
        today - 7 * DAY
    ));
    let c = env.conn();
    let per_day: f64 = c
        .query_row(
            "SELECT units_per_day FROM capacity WHERE work_kind = 'order'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    100.0 * opened as f64 / 7.0 / per_day
}

#[test]
fn capacity_counts_complete_days_and_agrees_with_the_flow_pane_at_every_clock() {
    let env = Env::new();
    let made = "2026-11-25T21:00:00Z";
    env.at(made, &["demo"]).assert().success();
    let end = unix(made);
    // Every 7 hours over four days, so the clock falls at every time of day.
    let mut checked = 0;
    for k in 0..14 {
        let now = end - k * 7 * 3600;
        let at = rfc3339(now);
        let expected = raw_utilisation(&env, now);
        let board = board_value(&env, &at, "capacity_utilisation").expect("a value");
        assert!(
            (board - expected).abs() < 1e-9,
            "{at}: board {board:.2} %, raw rows {expected:.2} %"
        );
        let pane = flow_pane_utilisation(&env, &at);
        assert!(
            (pane - expected).abs() < 0.05,
            "{at}: Flow pane {pane} %, raw rows {expected:.2} %"
        );
        checked += 1;
    }
    assert_eq!(checked, 14);
}

/// The full value of one indicator's reading in `status --format json`.
fn reading(env: &Env, now: &str, key: &str) -> serde_json::Value {
    let o = env
        .at(now, &["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    json(&o)["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("{key} on the board"))
        .clone()
}

/// Orders open at `t`, from the raw rows.
fn raw_wip(env: &Env, t: i64) -> f64 {
    env.query_i64(&format!(
        "SELECT count(*) FROM work_items WHERE kind = 'order' \
         AND opened_at <= {t} AND (closed_at IS NULL OR closed_at > {t})"
    )) as f64
}

#[test]
fn wip_trend_compares_now_with_exactly_one_window_ago() {
    let env = Env::new();
    let made = "2026-11-25T21:00:00Z";
    env.at(made, &["demo"]).assert().success();
    let end = unix(made);
    let mut differs_from_day_end = 0;
    for k in 0..14 {
        let now = end - k * 7 * 3600;
        let at = rfc3339(now);
        let r = reading(&env, &at, "wip");
        assert_eq!(r["value"].as_f64(), Some(raw_wip(&env, now)), "{at}");
        let back = now - 7 * DAY;
        assert_eq!(
            r["previous"].as_f64(),
            Some(raw_wip(&env, back)),
            "{at}: previous must be the WIP at now − 7 days"
        );
        // The old comparison point: the end of the day before the window.
        let day_end = back - back.rem_euclid(DAY) - 1;
        if raw_wip(&env, day_end) != raw_wip(&env, back) {
            differs_from_day_end += 1;
        }
    }
    assert!(
        differs_from_day_end > 0,
        "the clocks must include one where the two comparison points differ"
    );
}

#[test]
fn last_takes_the_value_recorded_last_among_equal_times() {
    let env = Env::new();
    let now = "2026-11-25T12:00:00Z";
    let at = "2026-11-25T09:00:00Z";
    env.at(now, &["record", "trial_to_paid", "30", "--at", at])
        .assert()
        .success();
    // The correction is smaller and recorded at the same time: it must win.
    env.at(now, &["record", "trial_to_paid", "20", "--at", at])
        .assert()
        .success();
    let r = reading(&env, now, "trial_to_paid");
    assert_eq!(r["value"].as_f64(), Some(20.0), "{r}");
    assert_eq!(r["status"], "ok");
    // And a larger value recorded after it wins again.
    env.at(now, &["record", "trial_to_paid", "26", "--at", at])
        .assert()
        .success();
    assert_eq!(
        reading(&env, now, "trial_to_paid")["value"].as_f64(),
        Some(26.0)
    );
}
