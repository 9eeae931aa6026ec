//! On call in the demo: a weekly rotation per role (Ben holds fulfilment
//! this week, but since a roaster is off sick he roasts, so Ana covers with
//! an override), Fay's quiet hours, the weekly roaster-cleaning window, and
//! the burner repair of three days ago as a past maintenance silence.

use crate::domain::oncall::{
    MaintenanceWindow, MatchField, Matcher, OnCallDef, QuietHours, Rotation, ShiftLength,
};
use crate::domain::{Timestamp, DAY, HOUR};
use crate::store::oncall::{add_override, add_silence};
use crate::store::{definition::set_oncall_def, Store};
use chrono::Datelike;

/// Writes the demo's on call at `now`.
pub(super) fn seed(store: &mut Store, now: Timestamp) -> anyhow::Result<()> {
    // The Monday of this week, 13 weeks back: this week is the 14th shift,
    // the second person's turn in a rotation of two.
    let today = chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let start = (monday - chrono::Duration::weeks(13))
        .format("%Y-%m-%d")
        .to_string();
    let weekly = |role: &str, people: &[&str]| Rotation {
        role: role.into(),
        people: people.iter().map(|p| p.to_string()).collect(),
        length: ShiftLength::Weekly,
        handoff: "09:00".into(),
        start: start.clone(),
        timezone: None,
    };
    let def = OnCallDef {
        rotations: vec![
            weekly("fulfilment", &["Ana", "Ben"]),
            weekly("support", &["Dev", "Chloe"]),
            weekly("demand", &["Dev", "Eli"]),
            weekly("ops-lead", &["Ana"]),
            weekly("finance", &["Fay"]),
        ],
        quiet_hours: vec![QuietHours {
            person: "Fay".into(),
            hours: "20:00-08:00".into(),
            timezone: None,
        }],
        windows: vec![MaintenanceWindow {
            name: "roaster-cleaning".into(),
            every: "sun 02:00-04:00".into(),
            timezone: None,
            reason: "weekly roaster cleaning: orders pause".into(),
            matchers: vec![Matcher {
                field: MatchField::WorkKind,
                value: "order".into(),
            }],
        }],
        ..OnCallDef::default()
    };
    let today_start = now - now.rem_euclid(DAY);
    store.write(|tx| -> anyhow::Result<()> {
        // In force since the first shift.
        set_oncall_def(tx, now - 91 * DAY, &def)?;
        let ana = tx.acting_as("Ana");
        // A roaster is off sick since the B2B cap was set (see learning.rs)
        // and Ben roasts: Ana takes his fulfilment shifts until Saturday.
        let (cap_set, _) = super::b2b_cap_times(now);
        add_override(
            &ana,
            cap_set,
            "fulfilment",
            "Ana",
            cap_set,
            today_start + 4 * DAY + 9 * HOUR,
            "Ben roasts while a roaster is off sick",
        )?;
        // The burner repair three days ago, planned: order alerts held.
        add_silence(
            &ana,
            today_start - 3 * DAY + 6 * HOUR,
            &[Matcher {
                field: MatchField::WorkKind,
                value: "order".into(),
            }],
            today_start - 3 * DAY + 10 * HOUR,
            "Roaster 2 burner repair (planned)",
        )?;
        Ok(())
    })?;
    Ok(())
}
