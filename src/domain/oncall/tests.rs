use super::*;
use chrono_tz::Tz;

fn t(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

fn rot(length: ShiftLength, handoff: &str, start: &str, tz: Option<&str>) -> Rotation {
    Rotation {
        role: "fulfilment".into(),
        people: vec!["Ana".into(), "Ben".into(), "Caro".into()],
        length,
        handoff: handoff.into(),
        start: start.into(),
        timezone: tz.map(str::to_string),
    }
}

const BERLIN: Tz = chrono_tz::Europe::Berlin;

#[test]
fn daily_handoffs_at_the_local_time() {
    let r = rot(ShiftLength::Daily, "09:00", "2026-11-02", None);
    // 09:00 in Berlin is 08:00 UTC in November.
    let at = |s| rotation_at(&r, BERLIN, t(s));
    assert_eq!(at("2026-11-02T07:59:59Z"), None, "before the first shift");
    assert_eq!(
        at("2026-11-02T08:00:00Z"),
        Some(("Ana".into(), t("2026-11-03T08:00:00Z")))
    );
    assert_eq!(at("2026-11-03T07:59:59Z").unwrap().0, "Ana");
    assert_eq!(at("2026-11-03T08:00:00Z").unwrap().0, "Ben");
    assert_eq!(at("2026-11-04T12:00:00Z").unwrap().0, "Caro");
    assert_eq!(at("2026-11-05T12:00:00Z").unwrap().0, "Ana", "wraps around");
    let none = on_call_at(
        "fulfilment",
        Some(&r),
        &[],
        BERLIN,
        t("2026-11-01T12:00:00Z"),
    );
    assert_eq!(none.person, None);
    assert_eq!(none.until, Some(t("2026-11-02T08:00:00Z")));
}

#[test]
fn weekly_handoff_keeps_local_time_across_the_autumn_change() {
    // Berlin leaves summer time on Sunday 2026-10-25.
    let r = rot(ShiftLength::Weekly, "09:00", "2026-10-19", None);
    let (who, until) = rotation_at(&r, BERLIN, t("2026-10-20T12:00:00Z")).unwrap();
    assert_eq!(who, "Ana");
    // 09:00 CET = 08:00 UTC (a week earlier 09:00 CEST was 07:00 UTC).
    assert_eq!(until, t("2026-10-26T08:00:00Z"));
    assert_eq!(
        rotation_at(&r, BERLIN, t("2026-10-19T07:00:00Z"))
            .unwrap()
            .0,
        "Ana"
    );
    assert_eq!(
        rotation_at(&r, BERLIN, t("2026-10-26T07:30:00Z"))
            .unwrap()
            .0,
        "Ana"
    );
    assert_eq!(
        rotation_at(&r, BERLIN, t("2026-10-26T08:00:00Z"))
            .unwrap()
            .0,
        "Ben"
    );
}

#[test]
fn a_handoff_in_the_spring_gap_happens_an_hour_later() {
    // Berlin skips 02:00-03:00 on 2026-03-29: a 02:30 handoff is at 03:30 CEST.
    let r = rot(ShiftLength::Daily, "02:30", "2026-03-27", None);
    let (who, until) = rotation_at(&r, BERLIN, t("2026-03-28T12:00:00Z")).unwrap();
    assert_eq!(who, "Ben");
    assert_eq!(until, t("2026-03-29T01:30:00Z"));
    assert_eq!(
        rotation_at(&r, BERLIN, t("2026-03-29T01:29:00Z"))
            .unwrap()
            .0,
        "Ben"
    );
    assert_eq!(
        rotation_at(&r, BERLIN, t("2026-03-29T01:30:00Z"))
            .unwrap()
            .0,
        "Caro"
    );
}

#[test]
fn the_rotations_zone_decides_not_the_operations() {
    let ny = rot(
        ShiftLength::Daily,
        "09:00",
        "2026-11-02",
        Some("America/New_York"),
    );
    let berlin = rot(ShiftLength::Daily, "09:00", "2026-11-02", None);
    // 12:00 UTC: 13:00 in Berlin (Ana's first day), 07:00 in New York (not started).
    let at = t("2026-11-02T12:00:00Z");
    assert_eq!(rotation_at(&berlin, BERLIN, at).unwrap().0, "Ana");
    assert_eq!(rotation_at(&ny, BERLIN, at), None);
    assert_eq!(
        rotation_at(&ny, BERLIN, t("2026-11-02T14:00:00Z")),
        Some(("Ana".into(), t("2026-11-03T14:00:00Z")))
    );
}

#[test]
fn an_override_wins_and_shortens_the_shift_before_it() {
    let r = rot(ShiftLength::Weekly, "09:00", "2026-11-02", None);
    let swap = Override {
        id: 7,
        role: "fulfilment".into(),
        person: "Dora".into(),
        from: t("2026-11-04T00:00:00Z"),
        until: t("2026-11-06T00:00:00Z"),
        reason: "Ana's holiday".into(),
    };
    let other_role = Override {
        role: "support".into(),
        id: 8,
        ..swap.clone()
    };
    let overrides = [swap.clone(), other_role];
    let before = on_call_at(
        "fulfilment",
        Some(&r),
        &overrides,
        BERLIN,
        t("2026-11-03T12:00:00Z"),
    );
    assert_eq!(before.person.as_deref(), Some("Ana"));
    assert_eq!(before.until, Some(swap.from), "until the swap starts");
    let during = on_call_at(
        "fulfilment",
        Some(&r),
        &overrides,
        BERLIN,
        t("2026-11-05T12:00:00Z"),
    );
    assert_eq!(during.person.as_deref(), Some("Dora"));
    assert_eq!(
        (during.until, during.override_id),
        (Some(swap.until), Some(7))
    );
    let after = on_call_at("fulfilment", Some(&r), &overrides, BERLIN, swap.until);
    assert_eq!(after.person.as_deref(), Some("Ana"));
    // A role without a rotation is held only by its overrides.
    let bare = on_call_at(
        "fulfilment",
        None,
        &overrides,
        BERLIN,
        t("2026-11-05T12:00:00Z"),
    );
    assert_eq!(bare.person.as_deref(), Some("Dora"));
}

#[test]
fn quiet_hours_cross_midnight_in_the_persons_zone() {
    let q = QuietHours {
        person: "Ana".into(),
        hours: "22:00-07:00".into(),
        timezone: None,
    };
    // 22:00 Berlin = 21:00 UTC in November.
    assert_eq!(quiet_until(&q, BERLIN, t("2026-11-02T20:59:00Z")), None);
    assert_eq!(
        quiet_until(&q, BERLIN, t("2026-11-02T21:00:00Z")),
        Some(t("2026-11-03T06:00:00Z"))
    );
    assert_eq!(
        quiet_until(&q, BERLIN, t("2026-11-03T03:00:00Z")),
        Some(t("2026-11-03T06:00:00Z"))
    );
    assert_eq!(quiet_until(&q, BERLIN, t("2026-11-03T06:00:00Z")), None);
}

#[test]
fn a_weekly_window_is_open_only_on_its_day() {
    let w = MaintenanceWindow {
        name: "roaster".into(),
        every: "sun 02:00-04:00".into(),
        timezone: Some("UTC".into()),
        reason: "roaster maintenance".into(),
        matchers: vec![],
    };
    // 2026-11-08 is a Sunday.
    assert_eq!(
        window_open_until(&w, BERLIN, t("2026-11-08T01:59:00Z")),
        None
    );
    assert_eq!(
        window_open_until(&w, BERLIN, t("2026-11-08T02:00:00Z")),
        Some(t("2026-11-08T04:00:00Z"))
    );
    assert_eq!(
        window_open_until(&w, BERLIN, t("2026-11-08T04:00:00Z")),
        None
    );
    assert_eq!(
        window_open_until(&w, BERLIN, t("2026-11-09T03:00:00Z")),
        None,
        "Monday"
    );
    let late = MaintenanceWindow {
        every: "sat 23:00-01:00".into(),
        ..w.clone()
    };
    assert!(window_open_until(&late, BERLIN, t("2026-11-08T00:30:00Z")).is_some());
    assert!(parse_every("someday 02:00-04:00").is_err());
    assert!(parse_every("sun 02:00").is_err());
}

#[test]
fn silences_match_on_every_field_they_name() {
    let a = AlertFacts {
        source: "indicator",
        key: "indicator:on_time_rate",
        severity: "critical",
        playbook: Some("late-order"),
    };
    let m = |s: &str| Matcher::parse(s).unwrap();
    let rule = |ms: Vec<Matcher>| SilenceRule {
        id: 3,
        matchers: ms,
        from: 0,
        until: 100,
        reason: "migration".into(),
    };
    let yes = rule(vec![m("indicator=on_time_rate"), m("severity=critical")]);
    let hit = silenced_by(&a, &[yes], &[], BERLIN, 50).unwrap();
    assert_eq!((hit.by.as_str(), hit.until), ("silence #3", 100));
    for no in [
        "indicator=mrr",
        "work_kind=order",
        "playbook=other",
        "source=burn",
    ] {
        assert!(
            silenced_by(&a, &[rule(vec![m(no)])], &[], BERLIN, 50).is_none(),
            "{no}"
        );
    }
    assert!(silenced_by(&a, &[rule(vec![m("key=indicator:*")])], &[], BERLIN, 50).is_some());
    assert!(
        silenced_by(&a, &[rule(vec![m("key=indicator:*")])], &[], BERLIN, 100).is_none(),
        "expired"
    );
    assert!(Matcher::parse("colour=red").is_err());
    assert!(Matcher::parse("severity=").is_err());
    assert_eq!(m("work-kind=order").text(), "work_kind=order");
    // A severity is one of three words; a typo is refused, `warn` is
    // `warning`, and a trailing `*` still matches a prefix.
    let typo = Matcher::parse("severity=warnin").unwrap_err();
    assert!(
        typo.contains("not a severity (info, warning, critical)"),
        "{typo}"
    );
    assert_eq!(m("severity=warn").text(), "severity=warning");
    assert_eq!(m("severity=CRITICAL").text(), "severity=critical");
    assert_eq!(m("severity=crit*").text(), "severity=crit*");
}
