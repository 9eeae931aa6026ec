//! The demo's reviewed incident: the courier API went down 26 days ago and
//! no shipping label could be printed. Ana raised the alert, started the
//! incident-response run (see `runs.rs`) and declared the incident; the
//! team contained it with hand-written labels, Ben resolved it when the API
//! came back, and three days later the review wrote three action items:
//! one done, one past its due date (the status page the run's skip reason
//! asks for), one still open.

use crate::domain::alert_rules::Severity;
use crate::domain::incident::IncidentState;
use crate::domain::{Timestamp, DAY, HOUR};
use crate::store::alerts::{acknowledge, add_alert_note, raise, resolve};
use crate::store::incidents::{add_action, advance, close_action, declare, Declaration};
use crate::store::{Result, Tx};

const MIN: i64 = 60;

/// Writes the incident around the incident-response run `run` (started
/// 26 days before `now`).
pub(crate) fn seed(tx: &Tx<'_>, now: Timestamp, run: i64) -> Result<()> {
    let t = now - 26 * DAY;
    let ana = tx.acting_as("Ana");
    let ben = tx.acting_as("Ben");
    let (alert, _) = raise(
        &ana,
        t - 3 * MIN,
        "Courier API down: no shipping labels",
        Severity::Critical,
        Some("label printing fails with HTTP 503"),
        None,
    )?;
    acknowledge(&ana, alert.id, t - 2 * MIN, Some("I run the incident"))?;
    let d = Declaration {
        alerts: &[alert.id],
        title: "Courier API down",
        severity: Some(Severity::Critical),
        commander: Some("Ana"),
        runs: &[run],
    };
    let incident = declare(&ana, t + 5 * MIN, &d)?;
    add_alert_note(
        &tx.acting_as("Ben"),
        alert.id,
        t + 35 * MIN,
        "writing labels by hand from the courier's web portal",
    )?;
    advance(&ana, t + 45 * MIN, incident.id, IncidentState::Mitigated)?;
    resolve(
        &ben,
        alert.id,
        t + 3 * HOUR + 10 * MIN,
        Some("API back; the 23 waiting labels printed in one batch"),
    )?;
    advance(
        &ben,
        t + 3 * HOUR + 15 * MIN,
        incident.id,
        IncidentState::Resolved,
    )?;
    let review = t + 3 * DAY;
    let actions = [
        (
            "Ben",
            review + 2 * DAY,
            "Keep a printed-label fallback at the packing bench",
        ),
        (
            "Chloe",
            review + 14 * DAY,
            "Publish a status page customers can check during an outage",
        ),
        (
            "Ana",
            now + 5 * DAY,
            "Ask the courier for an outage webhook",
        ),
    ];
    let mut ids = Vec::new();
    for (i, (owner, due, text)) in actions.into_iter().enumerate() {
        let a = add_action(
            &ana,
            review + (5 + i as i64) * MIN,
            incident.id,
            owner,
            due,
            text,
        )?;
        ids.push(a.external_id);
    }
    advance(
        &ana,
        review + 15 * MIN,
        incident.id,
        IncidentState::Reviewed,
    )?;
    if let Some(first) = ids.first() {
        close_action(&ben, review + DAY, first)?;
    }
    Ok(())
}
