//! The demo's learning loop: a concluded experiment with its decision, a
//! running one (pre-registered, amended once, measured against a control
//! segment), a draft, and a few decisions with evidence captured at the time
//! they were taken, one superseding another. Dated relative to `now`.

use crate::domain::decision::EvidenceRef;
use crate::domain::experiment::{
    parse_criterion, Control, Criterion, Decision, ExperimentDef, Verdict,
};
use crate::domain::{Timestamp, DAY, HOUR};
use crate::store::decisions::insert_decision;
use crate::store::experiments::{
    change_experiment, insert_experiment, mark_concluded, start_experiment,
};
use crate::store::{Store, Tx};

fn criteria(primary: &str, guardrails: &[&str]) -> anyhow::Result<Vec<Criterion>> {
    let mut out = vec![parse_criterion(primary)
        .map_err(anyhow::Error::msg)?
        .into_primary()];
    for g in guardrails {
        out.push(parse_criterion(g).map_err(anyhow::Error::msg)?);
    }
    Ok(out)
}

/// Runs `f` in a write transaction attributed to `who`.
fn as_person<T>(
    store: &mut Store,
    who: &str,
    f: impl FnOnce(&Tx<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    store.write(|tx| f(&tx.acting_as(who)))
}

/// Adds the demo's experiments and decisions to a freshly generated demo
/// database whose data ends at `now`.
pub fn seed(store: &mut Store, now: Timestamp) -> anyhow::Result<()> {
    let today = now - now.rem_euclid(DAY);
    concluded_experiment(store, today)?;
    decisions(store, now)?;
    running_experiment(store, today)?;
    let draft = ExperimentDef {
        key: "reorder-reminders".into(),
        title: "Reorder reminders by e-mail".into(),
        objective: "Decide whether reminders are worth building into the subscription flow".into(),
        hypothesis:
            "A reminder five days before a customer's usual reorder raises repeat purchases to 35 %"
                .into(),
        scope: "Consumer customers with two or more orders".into(),
        start: today + 3 * DAY,
        end: today + 31 * DAY,
        indicators: vec!["repeat_purchase_rate".into()],
        criteria: criteria("repeat_purchase_rate>=35", &["perceived_reliability>=4"])?,
        control: None,
    };
    as_person(store, "Eli", |tx| {
        Ok(insert_experiment(tx, today - DAY + 15 * HOUR, &draft)?)
    })?;
    Ok(())
}

fn concluded_experiment(store: &mut Store, today: Timestamp) -> anyhow::Result<()> {
    let start = today - 70 * DAY;
    let def = ExperimentDef {
        key: "express-cutoff".into(),
        title: "Express cut-off at 14:00".into(),
        objective: "Decide whether a later express cut-off keeps deliveries on time".into(),
        hypothesis: "Moving the express cut-off from 12:00 to 14:00 keeps on-time delivery at 92 % or better".into(),
        scope: "All orders; express orders placed until 14:00 ship the same day".into(),
        start,
        end: start + 21 * DAY,
        indicators: vec!["on_time_rate".into(), "cycle_time_p90".into()],
        criteria: criteria("on_time_rate>=92", &["cycle_time_p90<=48"])?,
        control: None,
    };
    as_person(store, "Ana", |tx| {
        insert_experiment(tx, start - 4 * DAY + 10 * HOUR, &def)?;
        start_experiment(tx, start - 2 * DAY + 9 * HOUR, &def.key)?;
        Ok(())
    })?;
    let at = def.end + 2 * DAY + 10 * HOUR;
    let x = store.experiment(&def.key)?;
    let evidence = store.capture_experiment(&x, at)?;
    let result: Option<Verdict> = evidence
        .captured
        .get("verdict")
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let (decision, why) = match result {
        Some(Verdict::Success) => (
            Decision::Scale,
            "On-time held above the bar with the later cut-off; keep 14:00 for good.",
        ),
        Some(Verdict::GuardrailBreached { .. }) => (
            Decision::Adjust,
            "On-time held, but the slowest orders got slower; keep 14:00 and watch p90.",
        ),
        _ => (
            Decision::Adjust,
            "Not the clear result we hoped for; keep 14:00 on weekdays only and measure again.",
        ),
    };
    let title = format!("{}: express cut-off at 14:00", capitalised(decision));
    as_person(store, "Ana", |tx| {
        let id = insert_decision(tx, at, &title, why, std::slice::from_ref(&evidence), None)?;
        mark_concluded(tx, at, &def.key, decision, id)?;
        Ok(())
    })
}

fn running_experiment(store: &mut Store, today: Timestamp) -> anyhow::Result<()> {
    let start = today - 4 * DAY;
    let def = ExperimentDef {
        key: "b2b-courier".into(),
        title: "Second courier for B2B and express".into(),
        objective: "Decide whether to sign a contract with a second courier".into(),
        hypothesis:
            "A dedicated courier brings on-time delivery for B2B and express orders back to 92 %"
                .into(),
        scope: "B2B orders in the city".into(),
        start,
        end: start + 21 * DAY,
        indicators: vec!["on_time_rate".into(), "satisfaction".into()],
        criteria: criteria("on_time_rate>=92", &["satisfaction>=4"])?,
        control: Some(Control::Segment("standard".into())),
    };
    as_person(store, "Ana", |tx| {
        insert_experiment(tx, start - 2 * DAY + 11 * HOUR, &def)?;
        start_experiment(tx, start - DAY + 16 * HOUR, &def.key)?;
        Ok(())
    })?;
    let mut amended = def.clone();
    amended.scope = "B2B and express orders in the city".into();
    as_person(store, "Ben", |tx| {
        change_experiment(
            tx,
            today - 3 * DAY + 9 * HOUR,
            &def.key,
            &amended,
            Some("Express orders ride in the same van; leaving them out would split routes"),
        )?;
        Ok(())
    })
}

/// The B2B figures the cap decisions quote, from the demo's own data.
struct B2bFigures {
    /// B2B orders in the four weeks before the cap was set.
    recent: usize,
    /// B2B orders in the four weeks before those.
    before: usize,
    /// Whole days under the first cap, and how many of them reached it.
    days: (usize, usize),
}

impl B2bFigures {
    fn of(now: Timestamp) -> B2bFigures {
        let data = super::generate(&super::DemoSettings::shipped(), now);
        let (set, _) = super::b2b_cap_times(now);
        B2bFigures {
            recent: super::b2b_orders(&data, set - 28 * DAY, set),
            before: super::b2b_orders(&data, set - 56 * DAY, set - 28 * DAY),
            days: super::b2b_days_at_cap(&data, now),
        }
    }

    /// "up 32 %" (or "down", or "flat"), recent against before.
    fn change(&self) -> String {
        let (r, b) = (self.recent as f64, self.before.max(1) as f64);
        let pct = ((r - b) / b * 100.0).round();
        match pct {
            p if p > 0.0 => format!("up {p} %"),
            p if p < 0.0 => format!("down {} %", -p),
            _ => "flat".to_string(),
        }
    }
}

fn decisions(store: &mut Store, now: Timestamp) -> anyhow::Result<()> {
    let today = now - now.rem_euclid(DAY);
    let b2b = B2bFigures::of(now);
    let (cap_set, cap_raised) = super::b2b_cap_times(now);
    let cap = super::B2B_CAP;
    let raised = super::B2B_CAP_RAISED;
    let record = |store: &mut Store,
                  who: &str,
                  at: Timestamp,
                  title: &str,
                  why: &str,
                  refs: &[&str],
                  supersedes: Option<i64>|
     -> anyhow::Result<i64> {
        let refs: Vec<EvidenceRef> = refs
            .iter()
            .map(|r| EvidenceRef::Indicator((*r).to_string()))
            .collect();
        let evidence = store.capture_evidence(&refs, at)?;
        as_person(store, who, |tx| {
            Ok(insert_decision(tx, at, title, why, &evidence, supersedes)?)
        })
    };
    let cap_id = record(
        store,
        "Ana",
        cap_set,
        &format!("Cap B2B orders at {cap} a day while a roaster is off sick"),
        &format!(
            "B2B orders are {} in four weeks ({}, against {} in the four weeks before) and \
             utilisation is climbing towards the warn band while a roaster is off sick; \
             B2B orders past {cap} a day are declined until the capacity is back.",
            b2b.change(),
            b2b.recent,
            b2b.before
        ),
        &["capacity_utilisation", "on_time_rate"],
        None,
    )?;
    record(
        store,
        "Fay",
        today - 6 * DAY + 11 * HOUR,
        "Fix the VAT template before the next invoice run",
        "EU B2B invoices carry the wrong VAT number; customers have to ask for corrections.",
        &["billing_error_rate"],
        None,
    )?;
    record(
        store,
        "Ana",
        cap_raised,
        &format!("Raise the B2B cap to {raised} a day with a Saturday roasting shift"),
        &format!(
            "B2B orders reached the cap of {cap} on {} of the {} days since it was set, and \
             two B2B customers went elsewhere; a Saturday shift adds the capacity back.",
            b2b.days.1, b2b.days.0
        ),
        &["capacity_utilisation", "wip"],
        Some(cap_id),
    )?;
    Ok(())
}

fn capitalised(d: Decision) -> String {
    let w = d.as_str();
    let mut out = w[..1].to_ascii_uppercase();
    out.push_str(&w[1..]);
    out
}
