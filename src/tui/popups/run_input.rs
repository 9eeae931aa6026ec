//! The reason/note line of the Playbooks & runs view: a skip reason, the
//! reason for overriding a closed entry gate, or a note on a run. An empty
//! or over-long text is refused in place, before anything is written.

use super::{Popup, PopupOutcome};
use crate::domain::limits::{check_len, MAX_TEXT};
use crate::tui::action::{Action, Effect};
use crate::tui::app::typed;
use crate::tui::state::playbooks::{Asking, ItemChangeKind, RunEffect};

fn checked(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a reason (Esc cancels)".into());
    }
    check_len(t, MAX_TEXT)?;
    Ok(t.to_string())
}

/// Keys into the line; Enter submits (or asks the next question), Esc
/// cancels.
pub fn update(popup: &mut Popup, action: &Action) -> PopupOutcome {
    let Popup::RunInput {
        run,
        item,
        asking,
        input,
        error,
        ..
    } = popup
    else {
        return PopupOutcome::Close;
    };
    let run = *run;
    match action {
        Action::InputKey(k) => typed(input, error, *k),
        Action::Back => PopupOutcome::Close,
        Action::Submit => {
            let text = match checked(input.value()) {
                Ok(t) => t,
                Err(e) => {
                    *error = Some(e);
                    return PopupOutcome::Stay;
                }
            };
            let label = item.clone().unwrap_or_default();
            let effect = match asking {
                Asking::Note => RunEffect::Note { run, text },
                Asking::SkipReason { override_reason } => RunEffect::Item {
                    run,
                    item: label,
                    change: ItemChangeKind::Skip(text),
                    override_reason: override_reason.clone(),
                },
                Asking::OverrideReason { then_skip: true } => {
                    return PopupOutcome::Replace(Popup::RunInput {
                        run,
                        prompt: format!("skip {label}: reason"),
                        item: item.clone(),
                        asking: Asking::SkipReason {
                            override_reason: Some(text),
                        },
                        input: tui_input::Input::default(),
                        error: None,
                    });
                }
                Asking::OverrideReason { then_skip: false } => RunEffect::Item {
                    run,
                    item: label,
                    change: ItemChangeKind::Done(None),
                    override_reason: Some(text),
                },
            };
            PopupOutcome::CloseWith(Effect::Run(effect))
        }
        _ => PopupOutcome::Stay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn typed(mut popup: Popup, text: &str) -> Popup {
        for c in text.chars() {
            let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            assert!(matches!(
                update(&mut popup, &Action::InputKey(k)),
                PopupOutcome::Stay
            ));
        }
        popup
    }

    fn asking(asking: Asking) -> Popup {
        Popup::RunInput {
            run: 3,
            item: Some("ship.2".into()),
            asking,
            prompt: String::new(),
            input: tui_input::Input::default(),
            error: None,
        }
    }

    #[test]
    fn an_empty_reason_is_refused_in_place() {
        let mut p = asking(Asking::Note);
        assert!(matches!(
            update(&mut p, &Action::Submit),
            PopupOutcome::Stay
        ));
        assert!(matches!(p, Popup::RunInput { error: Some(_), .. }));
    }

    #[test]
    fn override_then_skip_asks_twice_and_carries_both_reasons() {
        let mut p = typed(asking(Asking::OverrideReason { then_skip: true }), "rush");
        let PopupOutcome::Replace(next) = update(&mut p, &Action::Submit) else {
            panic!("asks the skip reason");
        };
        let mut next = typed(next, "not needed");
        let PopupOutcome::CloseWith(effect) = update(&mut next, &Action::Submit) else {
            panic!("closes with the effect");
        };
        assert_eq!(
            effect,
            Effect::Run(RunEffect::Item {
                run: 3,
                item: "ship.2".into(),
                change: ItemChangeKind::Skip("not needed".into()),
                override_reason: Some("rush".into()),
            })
        );
    }
}
