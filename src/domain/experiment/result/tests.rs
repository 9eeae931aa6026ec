//! Tests of the parent module, with hand-worked expected values.

use super::super::definition::tests::courier_pilot;
use super::*;

fn sample(value: f64, events: u32) -> Sample {
    Sample {
        value: Some(value),
        events,
    }
}

fn input(indicator: &str, during: Sample, baseline: Sample) -> CriterionInput {
    CriterionInput {
        indicator: indicator.into(),
        during,
        baseline,
    }
}

/// The courier pilot runs from day 100 to day 114 (14 days); primary
/// on_time_rate >= 90, guardrail defect_rate <= 3.
fn worked_inputs(on_time_during: Sample, defects_during: Sample) -> Vec<CriterionInput> {
    vec![
        input("on_time_rate", on_time_during, sample(80.0, 20)),
        input("defect_rate", defects_during, sample(4.0, 20)),
    ]
}

#[test]
fn worked_example_succeeds() {
    // Baseline on-time 80 % over 20 orders; during 92 % over 25 orders.
    // 92 >= 90 → pass; change 92 − 80 = +12 points; relative 12 / 80 = 0.15.
    // Defects 4 % → 2 % over 25 orders: 2 <= 3 → pass; change −2; −2 / 4 = −0.5.
    let def = courier_pilot();
    let now = def.end; // day 114: 14 days after the start, past the 7-day minimum
    let r = evaluate(
        &def,
        &worked_inputs(sample(92.0, 25), sample(2.0, 25)),
        now,
        7,
    );
    assert_eq!(r.verdict, Verdict::Success);
    assert_eq!(r.evaluated_at, now);
    let p = &r.criteria[0];
    assert_eq!(p.outcome, Outcome::Pass);
    assert_eq!((p.during.value, p.during.events), (Some(92.0), 25));
    assert_eq!((p.baseline.value, p.baseline.events), (Some(80.0), 20));
    assert_eq!(p.change, Some(12.0));
    assert_eq!(p.relative_change, Some(0.15));
    let g = &r.criteria[1];
    assert_eq!(g.outcome, Outcome::Pass);
    assert_eq!(g.change, Some(-2.0));
    assert_eq!(g.relative_change, Some(-0.5));
}

#[test]
fn primary_below_threshold_fails() {
    // 88 % is up 8 points on the baseline, but the registered bar is 90.
    let def = courier_pilot();
    let r = evaluate(
        &def,
        &worked_inputs(sample(88.0, 25), sample(2.0, 25)),
        def.end,
        7,
    );
    assert_eq!(r.criteria[0].outcome, Outcome::Fail);
    assert_eq!(r.criteria[0].change, Some(8.0));
    assert_eq!(r.verdict, Verdict::Failure);
}

#[test]
fn too_few_events_is_not_enough_data() {
    let def = courier_pilot();
    // 4 orders during the experiment, fewer than the 5 required.
    let r = evaluate(
        &def,
        &worked_inputs(sample(100.0, 4), sample(2.0, 25)),
        def.end,
        7,
    );
    assert_eq!(r.criteria[0].outcome, Outcome::NotEnoughData);
    assert_eq!(r.criteria[0].change, Some(20.0)); // still shown: 100 − 80
    assert_eq!(r.verdict, Verdict::Inconclusive);

    // Enough during, but only 3 events in the baseline.
    let inputs = vec![input("on_time_rate", sample(92.0, 25), sample(80.0, 3))];
    let r = evaluate(&def, &inputs, def.end, 7);
    assert_eq!(r.criteria[0].outcome, Outcome::NotEnoughData);
    // The guardrail has no input at all: no data, no value, no change.
    assert_eq!(r.criteria[1].outcome, Outcome::NotEnoughData);
    assert_eq!(
        r.criteria[1].during,
        Sample {
            value: None,
            events: 0
        }
    );
    assert_eq!(r.criteria[1].change, None);
    assert_eq!(r.verdict, Verdict::Inconclusive);

    // Exactly min_events is enough; a NaN value is no value.
    let inputs = vec![input("on_time_rate", sample(92.0, 5), sample(f64::NAN, 5))];
    let r = evaluate(&def, &inputs, def.end, 7);
    assert_eq!(r.criteria[0].outcome, Outcome::NotEnoughData);
    let inputs = vec![input("on_time_rate", sample(92.0, 5), sample(80.0, 5))];
    assert_eq!(
        evaluate(&def, &inputs, def.end, 7).criteria[0].outcome,
        Outcome::Pass
    );
}

#[test]
fn a_missing_guardrail_does_not_block_success() {
    let def = courier_pilot();
    let inputs = vec![input("on_time_rate", sample(92.0, 25), sample(80.0, 20))];
    let r = evaluate(&def, &inputs, def.end, 7);
    assert_eq!(r.criteria[1].outcome, Outcome::NotEnoughData);
    assert_eq!(r.verdict, Verdict::Success);
}

#[test]
fn guardrail_breach() {
    // On-time passes (92 >= 90) but defects rose to 5 % (5 <= 3 is false).
    let def = courier_pilot();
    let r = evaluate(
        &def,
        &worked_inputs(sample(92.0, 25), sample(5.0, 25)),
        def.end,
        7,
    );
    assert_eq!(r.criteria[1].outcome, Outcome::Fail);
    assert_eq!(r.criteria[1].change, Some(1.0));
    assert_eq!(
        r.verdict,
        Verdict::GuardrailBreached {
            guardrails: vec!["defect_rate".into()]
        }
    );
    assert_eq!(r.verdict.label(), "guardrail breached: defect_rate");
}

#[test]
fn pending_until_the_minimum_runtime_with_days_left() {
    let def = courier_pilot(); // starts on day 100
    let inputs = worked_inputs(sample(92.0, 25), sample(2.0, 25));
    // Day 103 + 1 h: 7 d − 3 d 1 h = 3 d 23 h left → 4 days (rounded up).
    let r = evaluate(&def, &inputs, 103 * DAY + 3_600, 7);
    assert_eq!(r.verdict, Verdict::Pending { days_left: 4 });
    assert_eq!(r.verdict.label(), "4 days left");
    // Live criteria are computed all the same.
    assert_eq!(r.criteria[0].outcome, Outcome::Pass);
    // One second before day 107: 1 day left; at day 107 exactly: a verdict.
    let r = evaluate(&def, &inputs, 107 * DAY - 1, 7);
    assert_eq!(r.verdict, Verdict::Pending { days_left: 1 });
    assert_eq!(r.verdict.label(), "1 day left");
    assert_eq!(
        evaluate(&def, &inputs, 107 * DAY, 7).verdict,
        Verdict::Success
    );
    // Before the start: the wait includes the time until the start.
    let r = evaluate(&def, &inputs, 98 * DAY, 7);
    assert_eq!(r.verdict, Verdict::Pending { days_left: 9 });
    // A longer minimum runtime: 10 days from day 100 at day 103 + 1 h → 7 days.
    let r = evaluate(&def, &inputs, 103 * DAY + 3_600, 10);
    assert_eq!(r.verdict, Verdict::Pending { days_left: 7 });
}

#[test]
fn shorter_than_the_minimum_runtime_never_gets_a_verdict() {
    let mut def = courier_pilot();
    def.end = def.start + 5 * DAY;
    let inputs = worked_inputs(sample(92.0, 25), sample(2.0, 25));
    let r = evaluate(&def, &inputs, def.end + 30 * DAY, 7);
    assert_eq!(
        r.verdict,
        Verdict::TooShort {
            planned_days: 5,
            min_runtime_days: 7
        }
    );
    assert_eq!(r.verdict.label(), "too short: 5 of at least 7 days");
    // With a minimum of 0 days the verdict is immediate.
    assert_eq!(
        evaluate(&def, &inputs, def.start, 0).verdict,
        Verdict::Success
    );
    assert_eq!(
        evaluate(&def, &inputs, def.start, -3).verdict,
        Verdict::Success
    );
}

#[test]
fn without_a_single_primary_there_is_no_verdict() {
    let mut def = courier_pilot();
    def.criteria[0].primary = false;
    let r = evaluate(
        &def,
        &worked_inputs(sample(92.0, 25), sample(2.0, 25)),
        def.end,
        7,
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
}

#[test]
fn zero_baseline_has_no_relative_change() {
    let def = courier_pilot();
    let inputs = vec![input("defect_rate", sample(1.0, 10), sample(0.0, 10))];
    let r = evaluate(&def, &inputs, def.end, 7);
    assert_eq!(r.criteria[1].change, Some(1.0));
    assert_eq!(r.criteria[1].relative_change, None);
}

#[test]
fn result_serialises_for_evidence_snapshots() {
    let def = courier_pilot();
    let r = evaluate(
        &def,
        &worked_inputs(sample(92.0, 25), sample(2.0, 25)),
        def.end,
        7,
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["verdict"]["kind"], "success");
    assert_eq!(v["criteria"][0]["outcome"], "pass");
    assert_eq!(v["criteria"][0]["during"]["events"], 25);
    let back: ExperimentResult = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
}
