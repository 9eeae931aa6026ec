//! Correcting the record from the indicator detail: `c` on the selected
//! recent value asks for the corrected value, then the reason, then
//! confirms; the store keeps the original in the history and the audit.

use super::action::{Action, Effect};
use super::app::{typed, App};
use super::popups::{Popup, PopupOutcome};
use crate::domain::Timestamp;
use crate::store::Store;
use tui_input::Input;

/// Opens the correction line for the selected recent value of the open
/// detail (nothing happens when the indicator has no recorded values).
pub fn open(app: &mut App) -> Option<Effect> {
    let d = app.models.detail.as_ref()?;
    let v = d.values.get(app.ui.indicators.value_sel)?;
    app.popup = Some(Popup::Correct {
        id: v.id,
        key: v.indicator.clone(),
        old: v.value,
        at: v.at,
        value: None,
        input: Input::default(),
        error: None,
    });
    app.dirty = true;
    None
}

/// The title of the correction line: first the value, then the reason.
pub fn prompt(id: i64, old: f64, at: Timestamp, value: Option<f64>) -> String {
    let when = crate::format::utc_minute(at);
    match value {
        None => format!(
            "correct value #{id} ({} at {when}) to · Esc cancels",
            crate::format::number(old)
        ),
        Some(v) => format!(
            "why {} → {}? (kept in the audit trail) · Esc cancels",
            crate::format::number(old),
            crate::format::number(v)
        ),
    }
}

/// Keys while the correction line is open: Enter takes the value, then the
/// reason, then asks to confirm; bad input keeps the line open with why.
pub fn update(popup: &mut Popup, action: &Action) -> PopupOutcome {
    let Popup::Correct {
        id,
        key,
        old,
        at,
        value,
        input,
        error,
    } = popup
    else {
        return PopupOutcome::Close;
    };
    match action {
        Action::InputKey(k) => typed(input, error, *k),
        Action::Submit => match *value {
            None => {
                match crate::ingest::fields::parse_number(input.value().trim()) {
                    Ok(v) => {
                        *value = Some(v);
                        *input = Input::default();
                        *error = None;
                    }
                    Err(e) => *error = Some(e),
                }
                PopupOutcome::Stay
            }
            Some(v) => {
                let reason = input.value().trim().to_string();
                let checked = if reason.is_empty() {
                    Err("say why the value changes".to_string())
                } else {
                    crate::domain::limits::check_len(&reason, crate::domain::limits::MAX_TEXT)
                        .map_err(|e| format!("reason: {e}"))
                };
                match checked {
                    Err(e) => {
                        *error = Some(e);
                        PopupOutcome::Stay
                    }
                    Ok(()) => {
                        let prompt = format!(
                            "Correct {key} at {} UTC from {} to {}? The original stays in the audit trail.",
                            crate::format::utc_minute(*at),
                            crate::format::number(*old),
                            crate::format::number(v)
                        );
                        let effect = Effect::Correct {
                            id: *id,
                            value: v,
                            reason,
                        };
                        PopupOutcome::Replace(Popup::Confirm { prompt, effect })
                    }
                }
            }
        },
        Action::Back => PopupOutcome::Close,
        _ => PopupOutcome::Stay,
    }
}

/// Runs a confirmed correction.
pub fn execute(store: &mut Store, now: Timestamp, id: i64, value: f64, reason: &str) -> Action {
    let result = store
        .write(|tx| crate::store::observations::correct_observation(tx, id, value, reason, now));
    Action::Done(
        result
            .map(|c| {
                format!(
                    "corrected {} #{id}: {} → {}",
                    c.before.indicator,
                    crate::format::number(c.before.value),
                    crate::format::number(c.after)
                )
            })
            .map_err(|e| e.to_string()),
    )
}
