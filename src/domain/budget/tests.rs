//! Worked examples for the budget maths and burn rules. Expected numbers are
//! computed by hand in the comments, not by the code under test.

use super::*;
use crate::domain::{DAY, HOUR};

const NOW: Timestamp = 100 * DAY;

fn ev(at: Timestamp, good: bool) -> SloEvent {
    SloEvent { at, good }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn counts(good: u64, total: u64) -> WindowCounts {
    WindowCounts { good, total }
}

/// A 28-day SLO at the given objective with the default (scaled) rules.
fn slo(objective: f64) -> SloDef {
    SloDef {
        key: "on_time_fulfilment".into(),
        name: "On-time fulfilment".into(),
        description: String::new(),
        objective,
        window_secs: 28 * DAY,
        source: EventSource::WorkItems {
            work_kind: "order".into(),
            segment: None,
            good: GoodCriterion::OnTime,
        },
        min_events: DEFAULT_MIN_EVENTS,
        burn_rules: default_burn_rules(28 * DAY),
        owner_role: None,
        playbook: None,
    }
}

#[test]
fn budget_worked_example_overspent() {
    // objective 95 %, 100 events, 10 bad:
    // allowed = 0.05 × 100 = 5 events; remaining = 5 - 10 = -5 events
    // = -5 / 5 = -1.0 (-100 %); burn = (10/100) / 0.05 = 2.0.
    let c = counts(90, 100);
    let b = error_budget(0.95, c);
    assert!(close(b.allowed_fraction, 0.05));
    assert!(close(b.allowed_bad, 5.0));
    assert!(close(b.remaining_events, -5.0));
    assert!(close(b.remaining_fraction.unwrap(), -1.0));
    assert!(close(burn_rate(0.95, c).unwrap(), 2.0));
}

#[test]
fn budget_worked_example_half_used() {
    // objective 99 %, 200 events, 1 bad: allowed = 0.01 × 200 = 2 events;
    // remaining = 2 - 1 = 1 event = 1/2 = 0.5; burn = (1/200) / 0.01 = 0.5.
    let c = counts(199, 200);
    let b = error_budget(0.99, c);
    assert!(close(b.allowed_bad, 2.0));
    assert!(close(b.remaining_events, 1.0));
    assert!(close(b.remaining_fraction.unwrap(), 0.5));
    assert!(close(burn_rate(0.99, c).unwrap(), 0.5));
    // Nothing bad: budget untouched, burn 0.
    assert!(close(
        error_budget(0.99, counts(50, 50))
            .remaining_fraction
            .unwrap(),
        1.0
    ));
    assert!(close(burn_rate(0.99, counts(50, 50)).unwrap(), 0.0));
}

#[test]
fn no_events_means_no_numbers() {
    let b = error_budget(0.95, counts(0, 0));
    assert_eq!(b.remaining_fraction, None);
    assert!(close(b.allowed_bad, 0.0));
    assert_eq!(burn_rate(0.95, counts(0, 0)), None);
    // An objective outside (0, 1) gives no burn and no remaining fraction.
    assert_eq!(burn_rate(1.0, counts(1, 2)), None);
    assert_eq!(error_budget(0.0, counts(1, 2)).remaining_fraction, None);
}

#[test]
fn window_is_half_open_and_ends_at_now() {
    // Window of 1h ending at NOW: NOW-3600 is out, NOW-3599 and NOW are in,
    // NOW+1 (the future) is out. Order does not matter.
    let events = [
        ev(NOW, false),
        ev(NOW - HOUR, false),
        ev(NOW + 1, false),
        ev(NOW - HOUR + 1, true),
    ];
    assert_eq!(count_window(&events, NOW, HOUR), counts(1, 2));
    assert_eq!(count_window(&[], NOW, HOUR), counts(0, 0));
    assert_eq!(latest_in_window(&events, NOW, HOUR), Some(ev(NOW, false)));
    assert_eq!(latest_in_window(&events, NOW - 10 * HOUR, HOUR), None);
}

#[test]
fn time_to_exhaustion_worked_examples() {
    // Half the budget left, burning 2× over 28 days: 0.5 × 28d / 2 = 7 days.
    assert_eq!(
        time_to_exhaustion(0.5, 2.0, 28 * DAY),
        Exhaustion::In { secs: 7 * DAY }
    );
    // All left at 1×: exactly the window.
    assert_eq!(
        time_to_exhaustion(1.0, 1.0, 28 * DAY),
        Exhaustion::In { secs: 28 * DAY }
    );
    assert_eq!(
        time_to_exhaustion(0.0, 2.0, 28 * DAY),
        Exhaustion::Exhausted
    );
    assert_eq!(
        time_to_exhaustion(-1.0, 2.0, 28 * DAY),
        Exhaustion::Exhausted
    );
    assert_eq!(time_to_exhaustion(0.5, 0.0, 28 * DAY), Exhaustion::Never);
    assert_eq!(
        time_to_exhaustion(f64::NAN, 1.0, 28 * DAY),
        Exhaustion::Never
    );
}

#[test]
fn windows_scale_with_the_slo_window() {
    // 28/30 of each workbook window: 1h → 56m, 5m → 4m40s; 6h → 5h36m, 30m →
    // 28m; 1d → 22h24m, 2h → 1h52m; 3d → 2d19h12m, 6h → 5h36m.
    assert_eq!(scale_window(HOUR, 28 * DAY), 56 * 60);
    let rules = default_burn_rules(28 * DAY);
    let windows: Vec<(i64, i64)> = rules
        .iter()
        .map(|r| (r.long_window_secs, r.short_window_secs))
        .collect();
    assert_eq!(
        windows,
        vec![
            (56 * 60, 4 * 60 + 40),
            (5 * HOUR + 36 * 60, 28 * 60),
            (22 * HOUR + 24 * 60, HOUR + 52 * 60),
            (2 * DAY + 19 * HOUR + 12 * 60, 5 * HOUR + 36 * 60),
        ]
    );
    let factors: Vec<f64> = rules.iter().map(|r| r.factor).collect();
    assert_eq!(factors, vec![14.4, 6.0, 3.0, 1.0]);
    // A 30-day SLO keeps the workbook windows; a 7-day one uses 7/30: 1h → 14m.
    assert_eq!(default_burn_rules(30 * DAY)[0].long_window_secs, HOUR);
    assert_eq!(default_burn_rules(30 * DAY)[0].short_window_secs, 5 * 60);
    assert_eq!(scale_window(HOUR, 7 * DAY), 14 * 60);
}

/// `bad` bad and `total - bad` good events spread one minute apart, the
/// newest `offset` seconds before NOW, bad ones newest.
fn burst(total: i64, bad: i64, offset: i64) -> Vec<SloEvent> {
    (0..total)
        .map(|i| ev(NOW - offset - i * 60, i >= bad))
        .collect()
}

#[test]
fn page_rule_fires_only_above_its_factor_in_both_windows() {
    let s = slo(0.95);
    let page = s.burn_rules[0]; // 14.4× over 56m / 4m40s
                                // 10 events in the last 10 minutes, 8 bad: long burn = 0.8 / 0.05 = 16 > 14.4;
                                // short window (4m40s) holds events at 10s, 70s, ..., 250s: 5 events, all
                                // bad: burn 20 > 14.4. Fires.
    let events = burst(10, 8, 10);
    let a = assess_burn_rule(&page, 0.95, 5, &events, NOW);
    assert_eq!(a.long, counts(2, 10));
    assert_eq!(a.short, counts(0, 5));
    assert!(close(a.long_burn.unwrap(), 16.0));
    assert!(close(a.short_burn.unwrap(), 20.0));
    assert_eq!(a.verdict, BurnVerdict::Firing);
    // 7 bad of 10: long burn = 0.7 / 0.05 = 14 ≤ 14.4. Quiet.
    let a = assess_burn_rule(&page, 0.95, 5, &burst(10, 7, 10), NOW);
    assert!(close(a.long_burn.unwrap(), 14.0));
    assert_eq!(a.verdict, BurnVerdict::Quiet);
}

#[test]
fn burn_exactly_at_the_factor_does_not_fire() {
    let rule = BurnRule::new(BurnSeverity::Page, 6 * HOUR, 6.0);
    // 3 bad of 10: burn = 0.3 / 0.05 = 6.0 exactly: not above 6. Quiet.
    let a = assess_burn_rule(&rule, 0.95, 5, &burst(10, 3, 10), NOW);
    assert!(close(a.long_burn.unwrap(), 6.0));
    assert_eq!(a.verdict, BurnVerdict::Quiet);
    // 4 bad of 10: burn 8. The short window (30m) holds all 10: also 8. Fires.
    let a = assess_burn_rule(&rule, 0.95, 5, &burst(10, 4, 10), NOW);
    assert_eq!(a.verdict, BurnVerdict::Firing);
}

#[test]
fn burn_clears_when_the_short_window_recovers() {
    let rule = BurnRule::new(BurnSeverity::Page, HOUR, 6.0); // short 5m
                                                             // 10 bad events 20..29 minutes ago, then 3 good ones in the last 5 minutes:
                                                             // long = 10 bad of 13 → (10/13)/0.05 ≈ 15.4 > 6, short = 0 bad of 3 → 0.
    let mut events: Vec<SloEvent> = (0..10).map(|i| ev(NOW - 1200 - i * 60, false)).collect();
    events.extend([ev(NOW - 10, true), ev(NOW - 70, true), ev(NOW - 130, true)]);
    let a = assess_burn_rule(&rule, 0.95, 5, &events, NOW);
    assert!(a.long_burn.unwrap() > 6.0);
    assert!(close(a.short_burn.unwrap(), 0.0));
    assert_eq!(a.verdict, BurnVerdict::Quiet);
}

#[test]
fn min_events_suppresses_the_long_window() {
    let rule = BurnRule::new(BurnSeverity::Page, HOUR, 14.4);
    // 4 events, all bad: burn 20, but 4 < 5 events. Suppressed.
    let a = assess_burn_rule(&rule, 0.95, 5, &burst(4, 4, 10), NOW);
    assert_eq!(a.verdict, BurnVerdict::TooFewEvents { have: 4, need: 5 });
    // The fifth event (bad) makes it fire.
    let a = assess_burn_rule(&rule, 0.95, 5, &burst(5, 5, 10), NOW);
    assert_eq!(a.verdict, BurnVerdict::Firing);
    // A larger min_events from the SLO file holds it back again.
    let a = assess_burn_rule(&rule, 0.95, 6, &burst(5, 5, 10), NOW);
    assert_eq!(a.verdict, BurnVerdict::TooFewEvents { have: 5, need: 6 });
}

#[test]
fn an_empty_short_window_never_fires_both_windows_must_burn() {
    let rule = BurnRule::new(BurnSeverity::Ticket, DAY, 3.0); // short 2h
                                                              // 6 events 3h..3h5m ago, newest bad: long 2 bad of 6 → (2/6)/0.05 ≈ 6.7
                                                              // > 3, but the 2h short window is empty: the long window's last event
                                                              // does not stand in for it. Quiet.
    let events = burst(6, 2, 3 * HOUR);
    let a = assess_burn_rule(&rule, 0.95, 5, &events, NOW);
    assert_eq!(a.short, counts(0, 0));
    assert_eq!(a.short_burn, None);
    assert_eq!(a.verdict, BurnVerdict::Quiet);
    // Edge: the newest bad event exactly at now − short window is outside
    // it (windows are `(now − w, now]`): still quiet.
    let events = burst(6, 2, 2 * HOUR);
    let a = assess_burn_rule(&rule, 0.95, 5, &events, NOW);
    assert_eq!(a.short, counts(0, 0));
    assert_eq!(a.verdict, BurnVerdict::Quiet);
    // One second later it is inside: 1 bad of 1 → 20 > 3 in both: fires.
    let events = burst(6, 2, 2 * HOUR - 1);
    let a = assess_burn_rule(&rule, 0.95, 5, &events, NOW);
    assert_eq!(a.short, counts(0, 1));
    assert_eq!(a.verdict, BurnVerdict::Firing);
    // The short window burns but the long one does not exceed the factor:
    // 1 bad in the short window, 1 of 10 in the long → 2 ≤ 3. Quiet.
    let mut events = burst(1, 1, 60);
    events.extend((0..9).map(|i| ev(NOW - 3 * HOUR - i * 60, true)));
    let a = assess_burn_rule(&rule, 0.95, 5, &events, NOW);
    assert!(close(a.short_burn.unwrap(), 20.0));
    assert!(close(a.long_burn.unwrap(), 2.0));
    assert_eq!(a.verdict, BurnVerdict::Quiet);
}

#[test]
fn five_orders_a_day_and_one_late_never_pages() {
    // 28 days of 5 orders a day (one every 17280 s), the newest late.
    let events: Vec<SloEvent> = (0..140)
        .map(|i| ev(NOW - 100 - i * 17_280, i != 0))
        .collect();
    let s = slo(0.95);
    let assessed = assess_burn(&s, &events, NOW);
    // Page windows (56m, 5h36m) hold 1 and 2 orders: suppressed.
    assert_eq!(
        assessed[0].verdict,
        BurnVerdict::TooFewEvents { have: 1, need: 5 }
    );
    assert_eq!(
        assessed[1].verdict,
        BurnVerdict::TooFewEvents { have: 2, need: 5 }
    );
    assert!(assessed
        .iter()
        .filter(|a| a.rule.severity == BurnSeverity::Page)
        .all(|a| !a.is_firing()));
    // The 1d ticket rule (22h24m) holds 5 orders, 1 late: (1/5)/0.05 = 4 > 3.
    // A ticket (warning) is the right size for "the latest order was late";
    // it clears once the late order leaves the short window (1h52m).
    assert_eq!(assessed[2].long, counts(4, 5));
    assert_eq!(assessed[2].verdict, BurnVerdict::Firing);
    // Over 28 days: 139 good of 140; budget 7 events, 6 left.
    let b = slo_report(&s, &events, NOW).budget;
    assert!(close(b.allowed_bad, 7.0));
    assert!(close(b.remaining_events, 6.0));
}

#[test]
fn impossible_factor_is_met_by_total_failure() {
    // Objective 90 %: the highest burn is 1 / 0.1 = 10 < 14.4. All bad meets it.
    assert!(exceeds_factor(10.0, 14.4, 0.90));
    assert!(!exceeds_factor(9.0, 14.4, 0.90));
    assert!(exceeds_factor(6.01, 6.0, 0.90));
    assert!(!exceeds_factor(6.0, 6.0, 0.90));
    assert!(!exceeds_factor(f64::NAN, 1.0, 0.90));
    let rule = BurnRule::new(BurnSeverity::Page, HOUR, 14.4);
    let a = assess_burn_rule(&rule, 0.90, 5, &burst(5, 5, 10), NOW);
    assert_eq!(a.verdict, BurnVerdict::Firing);
}

#[test]
fn report_worked_example() {
    // 28-day SLO at 95 %. 190 older events (3 bad) 2–3 days ago, and 10 in the
    // last 3 hours (2 bad, the newest two). Total 200, bad 5:
    // allowed 10, remaining 5 events = 0.5. Long window (22h24m): 2 bad of 10
    // → 0.2 / 0.05 = 4.0. Short window (1h52m = 6720 s) holds the events 1000
    // … 6000 s ago: 2 bad of 6 → (1/3) / 0.05 ≈ 6.67.
    // Exhaustion at 4×: 0.5 × 28d / 4 = 3.5 days = 302400 s.
    let mut events: Vec<SloEvent> = (0..190)
        .map(|i| ev(NOW - 2 * DAY - i * 1000, i >= 3))
        .collect();
    events.extend((1..=10).map(|k| ev(NOW - 1000 * k, k > 2)));
    let r = slo_report(&slo(0.95), &events, NOW);
    assert_eq!(r.budget.counts, counts(195, 200));
    assert!(close(r.budget.remaining_events, 5.0));
    assert!(close(r.budget.remaining_fraction.unwrap(), 0.5));
    assert_eq!(r.long_window_secs, 80_640);
    assert_eq!(r.short_window_secs, 6_720);
    assert!(close(r.burn_long.unwrap(), 4.0));
    assert!(close(r.burn_short.unwrap(), 20.0 / 3.0));
    assert_eq!(r.exhaustion, Some(Exhaustion::In { secs: 302_400 }));
    // No events at all: no exhaustion estimate.
    assert_eq!(slo_report(&slo(0.95), &[], NOW).exhaustion, None);
}

#[test]
fn slo_definitions_round_trip_through_json() {
    // The store may keep a parsed definition as JSON.
    let s = slo(0.95);
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(r#""source":"work_items""#), "{json}");
    assert!(json.contains(r#""good":"on_time""#), "{json}");
    let back: SloDef = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}
