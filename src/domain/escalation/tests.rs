use super::*;
use crate::domain::{DAY, HOUR};

/// The alert opens at T.
const T: Timestamp = 10 * DAY;
const MIN: i64 = 60;

fn path() -> Vec<EscalationStep> {
    default_escalation_path(Some("fulfilment"))
}

fn at_level(level: usize) -> AlertTiming {
    AlertTiming {
        level,
        ..AlertTiming::opened(T)
    }
}

#[test]
fn default_path_is_owner_then_ops_lead_then_founder() {
    let p = path();
    let steps: Vec<(i64, &str)> = p
        .iter()
        .map(|s| (s.after_secs, s.target.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (0, "fulfilment"),
            (30 * MIN, "ops-lead"),
            (2 * HOUR, "founder")
        ]
    );
    assert_eq!(default_escalation_path(None)[0].target, "owner");
    assert_eq!(default_escalation_path(Some("  "))[0].target, "owner");
    assert_eq!(validate_path(&p), Ok(()));
}

#[test]
fn climbs_exactly_when_each_wait_runs_out() {
    let p = path();
    // Level 0 at open; ops-lead due at T+30m: not one second before.
    assert_eq!(escalation_due(&at_level(0), &p, T), None);
    assert_eq!(escalation_due(&at_level(0), &p, T + 30 * MIN - 1), None);
    assert_eq!(escalation_due(&at_level(0), &p, T + 30 * MIN), Some(1));
    // At level 1, founder due at T+2h.
    assert_eq!(escalation_due(&at_level(1), &p, T + 2 * HOUR - 1), None);
    assert_eq!(escalation_due(&at_level(1), &p, T + 2 * HOUR), Some(2));
    // A caller that missed runs jumps straight to the level due.
    assert_eq!(escalation_due(&at_level(0), &p, T + 3 * HOUR), Some(2));
    // At the top nothing more is due; the level never goes down.
    assert_eq!(escalation_due(&at_level(2), &p, T + DAY), None);
    assert_eq!(escalation_due(&at_level(0), &[], T + DAY), None);
    // A clock reading before the alert opened (skewed caller) does nothing.
    assert_eq!(escalation_due(&at_level(0), &p, T - 1), None);
}

#[test]
fn next_escalation_time_for_the_screen() {
    let p = path();
    assert_eq!(next_escalation_at(&at_level(0), &p, T), Some(T + 30 * MIN));
    assert_eq!(next_escalation_at(&at_level(1), &p, T), Some(T + 2 * HOUR));
    assert_eq!(next_escalation_at(&at_level(2), &p, T), None);
    let paused = AlertTiming {
        escalation_paused: true,
        ..at_level(0)
    };
    assert_eq!(next_escalation_at(&paused, &p, T), None);
}

#[test]
fn acknowledged_and_resolved_alerts_do_not_climb() {
    let p = path();
    let acked = apply(&at_level(0), &LifecycleAction::Acknowledge, T + MIN).unwrap();
    assert_eq!(escalation_due(&acked, &p, T + DAY), None);
    assert_eq!(
        escalation_hold(&acked, T + DAY),
        Some(EscalationHold::NotOpen)
    );
    let resolved = apply(&acked, &LifecycleAction::Resolve, T + 2 * MIN).unwrap();
    assert_eq!(escalation_due(&resolved, &p, T + DAY), None);
}

#[test]
fn snooze_stops_the_climb_and_its_end_restarts_the_clock() {
    let p = path();
    // Snoozed at T+10m until T+1h.
    let snoozed = apply(
        &at_level(0),
        &LifecycleAction::Snooze { until: T + HOUR },
        T + 10 * MIN,
    )
    .unwrap();
    assert_eq!(
        escalation_hold(&snoozed, T + 59 * MIN),
        Some(EscalationHold::Snoozed { until: T + HOUR })
    );
    // T+30m would have climbed; snoozed, it does not.
    assert_eq!(escalation_due(&snoozed, &p, T + 59 * MIN), None);
    // At T+1h the snooze is over and the clock restarts: ops-lead at T+1h30m.
    assert_eq!(escalation_hold(&snoozed, T + HOUR), None);
    assert_eq!(escalation_due(&snoozed, &p, T + HOUR), None);
    assert_eq!(escalation_due(&snoozed, &p, T + HOUR + 30 * MIN - 1), None);
    assert_eq!(escalation_due(&snoozed, &p, T + HOUR + 30 * MIN), Some(1));
    // Ending the snooze early at T+20m restarts the clock then.
    let woken = apply(&snoozed, &LifecycleAction::Unsnooze, T + 20 * MIN).unwrap();
    assert_eq!(escalation_due(&woken, &p, T + 50 * MIN - 1), None);
    assert_eq!(escalation_due(&woken, &p, T + 50 * MIN), Some(1));
}

#[test]
fn pause_stops_the_climb_until_resumed() {
    let p = path();
    let paused = apply(
        &at_level(0),
        &LifecycleAction::PauseEscalation {
            reason: "supplier outage, waiting on them".into(),
        },
        T + MIN,
    )
    .unwrap();
    assert_eq!(
        escalation_hold(&paused, T + DAY),
        Some(EscalationHold::Paused)
    );
    assert_eq!(escalation_due(&paused, &p, T + DAY), None);
    // Resumed at T+3h: the clock restarts, ops-lead at T+3h30m.
    let resumed = apply(&paused, &LifecycleAction::ResumeEscalation, T + 3 * HOUR).unwrap();
    assert_eq!(
        escalation_due(&resumed, &p, T + 3 * HOUR + 30 * MIN - 1),
        None
    );
    assert_eq!(
        escalation_due(&resumed, &p, T + 3 * HOUR + 30 * MIN),
        Some(1)
    );
}

#[test]
fn ack_expires_at_its_timeout_and_the_alert_climbs_again() {
    let p = path();
    // At level 1, acknowledged at T+40m with the default 4h timeout.
    let acked = apply(&at_level(1), &LifecycleAction::Acknowledge, T + 40 * MIN).unwrap();
    let expiry = T + 40 * MIN + DEFAULT_ACK_TIMEOUT_SECS;
    assert!(!ack_expired(&acked, DEFAULT_ACK_TIMEOUT_SECS, expiry - 1));
    assert!(ack_expired(&acked, DEFAULT_ACK_TIMEOUT_SECS, expiry));
    assert!(
        !ack_expired(&acked, 0, expiry),
        "a zero timeout never expires"
    );
    // Snoozed or paused acknowledgements do not expire.
    let snoozed = apply(
        &acked,
        &LifecycleAction::Snooze {
            until: expiry + HOUR,
        },
        T + HOUR,
    )
    .unwrap();
    assert!(!ack_expired(&snoozed, DEFAULT_ACK_TIMEOUT_SECS, expiry));
    assert!(ack_expired(
        &snoozed,
        DEFAULT_ACK_TIMEOUT_SECS,
        expiry + HOUR
    ));
    let paused = AlertTiming {
        escalation_paused: true,
        ..acked
    };
    assert!(!ack_expired(&paused, DEFAULT_ACK_TIMEOUT_SECS, expiry));
    // An open alert has no acknowledgement to expire.
    assert!(!ack_expired(&at_level(0), DEFAULT_ACK_TIMEOUT_SECS, expiry));
    // Re-opened at expiry: level kept, clock restarts, founder due 2h later.
    let reopened = apply(&acked, &LifecycleAction::Reopen, expiry).unwrap();
    assert_eq!(reopened.state, AlertState::Open);
    assert_eq!(reopened.opened_at, expiry);
    assert_eq!(reopened.acknowledged_at, None);
    assert_eq!(reopened.level, 1);
    assert_eq!(escalation_due(&reopened, &p, expiry + 2 * HOUR - 1), None);
    assert_eq!(escalation_due(&reopened, &p, expiry + 2 * HOUR), Some(2));
}

#[test]
fn lifecycle_allows_the_happy_path() {
    let a = AlertTiming::opened(T);
    let acked = apply(&a, &LifecycleAction::Acknowledge, T + 5).unwrap();
    assert_eq!(acked.state, AlertState::Acknowledged);
    assert_eq!(acked.acknowledged_at, Some(T + 5));
    let done = apply(&acked, &LifecycleAction::Resolve, T + 9).unwrap();
    assert_eq!(done.state, AlertState::Resolved);
    assert_eq!(done.resolved_at, Some(T + 9));
    // Resolving straight from open is allowed too.
    assert_eq!(
        apply(&a, &LifecycleAction::Resolve, T + 1).unwrap().state,
        AlertState::Resolved
    );
    // Manual escalation climbs one level, also while paused, up to the top.
    let paused = AlertTiming {
        escalation_paused: true,
        ..a
    };
    let up = apply(&paused, &LifecycleAction::Escalate { path_len: 3 }, T).unwrap();
    assert_eq!(up.level, 1);
    assert_eq!(
        apply(&a, &LifecycleAction::ClimbTo { level: 2 }, T)
            .unwrap()
            .level,
        2
    );
}

#[test]
fn lifecycle_refuses_what_makes_no_sense() {
    use LifecycleError as E;
    let a = AlertTiming::opened(T);
    let acked = apply(&a, &LifecycleAction::Acknowledge, T).unwrap();
    let done = apply(&a, &LifecycleAction::Resolve, T).unwrap();
    let act = |alert: &AlertTiming, action: LifecycleAction| apply(alert, &action, T + 1).err();
    // Re-acknowledging is allowed: it refreshes the ack timeout.
    assert_eq!(act(&acked, LifecycleAction::Acknowledge), None);
    assert_eq!(
        act(&done, LifecycleAction::Acknowledge),
        Some(E::AlreadyResolved)
    );
    assert_eq!(
        act(&done, LifecycleAction::Resolve),
        Some(E::AlreadyResolved)
    );
    assert_eq!(
        act(&done, LifecycleAction::Snooze { until: T + DAY }),
        Some(E::AlreadyResolved)
    );
    assert_eq!(act(&a, LifecycleAction::Reopen), Some(E::NotAcknowledged));
    assert_eq!(
        act(&a, LifecycleAction::Snooze { until: T + 1 }),
        Some(E::SnoozeNotInFuture)
    );
    assert_eq!(act(&a, LifecycleAction::Unsnooze), Some(E::NotSnoozed));
    let reason = |r: &str| LifecycleAction::PauseEscalation { reason: r.into() };
    assert_eq!(act(&a, reason("  ")), Some(E::ReasonRequired));
    let paused = apply(&a, &reason("waiting on courier"), T).unwrap();
    assert_eq!(act(&paused, reason("again")), Some(E::AlreadyPaused));
    assert_eq!(
        act(&a, LifecycleAction::ResumeEscalation),
        Some(E::NotPaused)
    );
    let top = AlertTiming { level: 2, ..a };
    assert_eq!(
        act(&top, LifecycleAction::Escalate { path_len: 3 }),
        Some(E::AtTopLevel)
    );
    assert_eq!(
        act(&a, LifecycleAction::Escalate { path_len: 0 }),
        Some(E::AtTopLevel)
    );
    assert_eq!(
        act(&top, LifecycleAction::ClimbTo { level: 2 }),
        Some(E::NotHigher { from: 2, to: 2 })
    );
    assert_eq!(
        E::ReasonRequired.to_string(),
        "pausing escalation needs a reason"
    );
}

#[test]
fn paths_are_validated() {
    let step = |after_secs: i64, target: &str| EscalationStep {
        after_secs,
        target: target.into(),
    };
    assert!(validate_path(&[]).is_err());
    assert_eq!(
        validate_path(&[step(0, "a"), step(-5, "b")]),
        Err("escalation level 2 has a negative wait".into())
    );
    assert_eq!(
        validate_path(&[step(600, "a"), step(300, "b")]),
        Err("escalation level 2 waits less than the level before it".into())
    );
    assert_eq!(
        validate_path(&[step(0, " ")]),
        Err("escalation level 1 names no one".into())
    );
    assert_eq!(validate_path(&[step(0, "a"), step(0, "b")]), Ok(()));
}

#[test]
fn a_snooze_ends_at_most_ten_years_from_now() {
    let ten_years = crate::domain::duration::MAX_SECS;
    let ok = apply(
        &at_level(0),
        &LifecycleAction::Snooze {
            until: T + ten_years,
        },
        T,
    );
    assert!(ok.is_ok());
    let err = apply(
        &at_level(0),
        &LifecycleAction::Snooze {
            until: T + ten_years + 1,
        },
        T,
    )
    .unwrap_err();
    assert_eq!(err, LifecycleError::SnoozeTooLong);
    assert!(err.to_string().contains("ten years"));
}

#[test]
fn re_acknowledging_refreshes_the_ack_timeout() {
    let acked = apply(&AlertTiming::opened(T), &LifecycleAction::Acknowledge, T).unwrap();
    let expiry = T + DEFAULT_ACK_TIMEOUT_SECS;
    assert!(ack_expired(&acked, DEFAULT_ACK_TIMEOUT_SECS, expiry));
    // Re-acked one minute before the timeout: the clock restarts there.
    let again = apply(&acked, &LifecycleAction::Acknowledge, expiry - MIN).unwrap();
    assert_eq!(again.state, AlertState::Acknowledged);
    assert_eq!(again.acknowledged_at, Some(expiry - MIN));
    assert!(!ack_expired(&again, DEFAULT_ACK_TIMEOUT_SECS, expiry));
    assert!(ack_expired(
        &again,
        DEFAULT_ACK_TIMEOUT_SECS,
        expiry - MIN + DEFAULT_ACK_TIMEOUT_SECS
    ));
}
