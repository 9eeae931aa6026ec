use super::*;
use crate::domain::budget::{
    assess_burn, default_burn_rules, EventSource, GoodCriterion, SloEvent,
};
use crate::domain::{DAY, HOUR};

const NOW: i64 = 50 * DAY;

fn reading(status: Status) -> IndicatorReading<'static> {
    IndicatorReading {
        key: "on_time_rate",
        name: "On-time rate",
        status,
        value: 0.9,
        threshold: 0.92,
        playbook: Some("incident-response"),
    }
}

#[test]
fn indicator_breach_is_critical_warn_is_warning_ok_clears() {
    let c = indicator_alert(&reading(Status::Breach)).unwrap();
    assert_eq!(c.key, "indicator:on_time_rate");
    assert_eq!(c.severity, Severity::Critical);
    assert_eq!(c.source, AlertSource::Indicator);
    assert_eq!(c.title, "On-time rate in breach");
    assert_eq!(c.detail, "value 0.9 is past the breach threshold 0.92");
    assert_eq!(c.playbook.as_deref(), Some("incident-response"));

    let w = indicator_alert(&reading(Status::Warn)).unwrap();
    assert_eq!(w.key, c.key, "warn and breach share one alert");
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.playbook, None, "only critical alerts start a playbook");

    assert_eq!(indicator_alert(&reading(Status::Ok)), None);
    assert_eq!(indicator_alert(&reading(Status::NoData)), None);
}

fn slo() -> SloDef {
    SloDef {
        key: "on_time_fulfilment".into(),
        name: "On-time fulfilment".into(),
        description: String::new(),
        objective: 0.95,
        window_secs: 28 * DAY,
        source: EventSource::WorkItems {
            work_kind: "order".into(),
            segment: None,
            good: GoodCriterion::OnTime,
        },
        min_events: 5,
        burn_rules: default_burn_rules(28 * DAY),
        owner_role: None,
        playbook: Some("incident-response".into()),
    }
}

/// `total` events one minute apart ending 10 s before NOW, the newest `bad` bad.
fn burst(total: i64, bad: i64) -> Vec<SloEvent> {
    (0..total)
        .map(|i| SloEvent {
            at: NOW - 10 - i * 60,
            good: i >= bad,
        })
        .collect()
}

#[test]
fn burn_page_is_critical_and_clears_below_the_factor() {
    let s = slo();
    // 8 bad of 10 in the last 10 minutes: 0.8 / 0.05 = 16× > 14.4 (56m) and the
    // 4m40s window is all bad (20×): the page rule fires.
    let c = burn_alert(&s, &assess_burn(&s, &burst(10, 8), NOW)).unwrap();
    assert_eq!(c.key, "burn:on_time_fulfilment");
    assert_eq!(c.severity, Severity::Critical);
    assert_eq!(c.source, AlertSource::Burn);
    assert_eq!(c.title, "On-time fulfilment: error budget burning fast");
    assert_eq!(
        c.detail,
        "burn 16× over 56m (8 of 10 bad) and 20× over 4m40s; page rule at 14.4×"
    );
    assert_eq!(c.playbook.as_deref(), Some("incident-response"));
    // 7 bad of 10: 14× over 56m, under 14.4: no page. 6h rule (6×) still
    // fires, also a page.
    let c = burn_alert(&s, &assess_burn(&s, &burst(10, 7), NOW)).unwrap();
    assert_eq!(c.severity, Severity::Critical);
    assert!(c.detail.ends_with("page rule at 6×"), "{}", c.detail);
}

#[test]
fn burn_ticket_is_warning_and_nothing_firing_clears() {
    let s = slo();
    // 1 bad of 10 in the last 10 minutes: 0.1 / 0.05 = 2× — under both page
    // factors (14.4, 6) and the 3× ticket; only the 1× ticket rule fires.
    let c = burn_alert(&s, &assess_burn(&s, &burst(10, 1), NOW)).unwrap();
    assert_eq!(c.severity, Severity::Warning);
    assert_eq!(c.title, "On-time fulfilment: error budget burning steadily");
    assert_eq!(c.playbook, None);
    // All good: cleared.
    assert_eq!(burn_alert(&s, &assess_burn(&s, &burst(10, 0), NOW)), None);
    // Too few events: suppressed, so cleared.
    assert_eq!(burn_alert(&s, &assess_burn(&s, &burst(4, 4), NOW)), None);
    assert_eq!(burn_alert(&s, &[]), None);
}

fn capacity(utilisation: f64) -> Option<AlertCandidate> {
    capacity_alert(&CapacityReading {
        work_kind: "order",
        utilisation,
        warn_at: DEFAULT_CAPACITY_WARN_AT,
        breach_at: DEFAULT_CAPACITY_BREACH_AT,
        playbook: Some("surge"),
    })
}

#[test]
fn capacity_bands_at_their_edges() {
    assert_eq!(capacity(0.5999), None);
    let w = capacity(6.0 / 10.0).unwrap(); // exactly 60 %
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.key, "capacity:order");
    assert_eq!(w.title, "Capacity for order in the warn band");
    assert_eq!(
        w.detail,
        "utilisation 60 % (demand ÷ capacity) is at or past the warn band of 60 %"
    );
    assert_eq!(w.playbook, None);
    assert_eq!(capacity(0.8999).unwrap().severity, Severity::Warning);
    let c = capacity(0.9).unwrap();
    assert_eq!(c.severity, Severity::Critical);
    assert_eq!(c.playbook.as_deref(), Some("surge"));
    assert_eq!(capacity(1.25).unwrap().severity, Severity::Critical);
    assert_eq!(capacity(f64::NAN), None);
    // A 70 % warn band configured for the kind.
    let r = CapacityReading {
        work_kind: "ticket",
        utilisation: 0.65,
        warn_at: 0.70,
        breach_at: 0.90,
        playbook: None,
    };
    assert_eq!(capacity_alert(&r), None);
}

#[test]
fn overdue_run_fires_after_due_and_clears_when_not_late() {
    let late = |late_secs| {
        overdue_run_alert(&RunLateness {
            run_id: 42,
            playbook_key: "daily-standup",
            late_secs,
        })
    };
    assert_eq!(late(0), None, "exactly at due is not overdue");
    assert_eq!(late(-60), None);
    let c = late(1).unwrap();
    assert_eq!(c.key, "overdue_run:42");
    assert_eq!(c.severity, Severity::Warning);
    assert_eq!(c.source, AlertSource::OverdueRun);
    assert_eq!(c.title, "Checklist run overdue: daily-standup");
    assert_eq!(late(2 * HOUR).unwrap().detail, "run 42 is 2h past due");
}

#[test]
fn manual_alerts_are_never_cleared_by_rules() {
    let m = manual_alert("1700000000-1", " Supplier down ", Severity::Critical, "");
    assert_eq!(m.key, "manual:1700000000-1");
    assert_eq!(m.title, "Supplier down");
    assert_eq!(AlertSource::of_key(&m.key), Some(AlertSource::Manual));
    let r = reconcile(std::slice::from_ref(&m.key), vec![]);
    assert!(r.to_clear.is_empty());
}

#[test]
fn reconcile_opens_updates_and_clears() {
    let open = [
        "indicator:on_time_rate",
        "burn:on_time_fulfilment",
        "manual:7",
        "legacy-key",
        "burn:on_time_fulfilment",
    ];
    let warn = indicator_alert(&reading(Status::Warn)).unwrap();
    let breach = indicator_alert(&reading(Status::Breach)).unwrap();
    let cap = capacity(0.95).unwrap();
    let r = reconcile(&open, vec![warn, cap.clone(), breach.clone()]);
    // One candidate per key, the more severe kept; critical first, then by key.
    assert_eq!(r.to_open_or_update, vec![cap, breach]);
    assert_eq!(r.to_clear, vec!["burn:on_time_fulfilment".to_string()]);
    // Nothing open, nothing found: nothing to do.
    assert_eq!(reconcile::<&str>(&[], vec![]), Reconciliation::default());
}

#[test]
fn severity_orders_and_serialises_in_snake_case() {
    assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Critical);
    assert_eq!(
        serde_json::to_string(&Severity::Critical).unwrap(),
        "\"critical\""
    );
    assert_eq!(
        serde_json::to_string(&AlertSource::OverdueRun).unwrap(),
        "\"overdue_run\""
    );
    assert_eq!(Severity::parse(" Warning "), Some(Severity::Warning));
    assert_eq!(Severity::parse("loud"), None);
    assert_eq!(
        AlertSource::of_key("overdue_run:3"),
        Some(AlertSource::OverdueRun)
    );
    assert_eq!(AlertSource::of_key("nothing"), None);
    assert_eq!(number(-0.001), "0");
    assert_eq!(number(14.4), "14.4");
    assert_eq!(number(2.0), "2");
}
