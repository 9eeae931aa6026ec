//! The reason/note line of the Playbooks & runs view: a skip reason, the
//! reason for overriding a closed entry gate, or a note on a run. An empty
//! or over-long text is refused in place, before anything is written.

use super::Popup;
use crate::domain::limits::{check_len, MAX_TEXT};
use crate::tui::action::{Action, Effect};
use crate::tui::app::input_key;
use crate::tui::runs::{Asking, ItemChangeKind, RunEffect};

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
#[allow(clippy::type_complexity)]
pub fn update(popup: Popup, action: &Action) -> (Option<Popup>, Option<Option<Effect>>) {
    let Popup::RunInput {
        run,
        item,
        asking,
        prompt,
        mut input,
        error,
    } = popup
    else {
        return (None, Some(None));
    };
    let keep = |input, error| Popup::RunInput {
        run,
        item: item.clone(),
        asking: asking.clone(),
        prompt: prompt.clone(),
        input,
        error,
    };
    match action {
        Action::InputKey(k) => {
            input_key(&mut input, *k);
            (Some(keep(input, None)), Some(None))
        }
        Action::Back => (None, Some(None)),
        Action::Submit => {
            let text = match checked(input.value()) {
                Ok(t) => t,
                Err(e) => return (Some(keep(input, Some(e))), Some(None)),
            };
            let label = item.clone().unwrap_or_default();
            let effect = match &asking {
                Asking::Note => RunEffect::Note { run, text },
                Asking::SkipReason { override_reason } => RunEffect::Item {
                    run,
                    item: label,
                    change: ItemChangeKind::Skip(text),
                    override_reason: override_reason.clone(),
                },
                Asking::OverrideReason { then_skip: true } => {
                    let next = Popup::RunInput {
                        run,
                        prompt: format!("skip {label}: reason"),
                        item,
                        asking: Asking::SkipReason {
                            override_reason: Some(text),
                        },
                        input: tui_input::Input::default(),
                        error: None,
                    };
                    return (Some(next), Some(None));
                }
                Asking::OverrideReason { then_skip: false } => RunEffect::Item {
                    run,
                    item: label,
                    change: ItemChangeKind::Done,
                    override_reason: Some(text),
                },
            };
            (None, Some(Some(Effect::Run(effect))))
        }
        _ => (Some(keep(input, error)), Some(None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn typed(mut popup: Popup, text: &str) -> Popup {
        for c in text.chars() {
            let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            popup = update(popup, &Action::InputKey(k)).0.expect("stays open");
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
        let (kept, effect) = update(asking(Asking::Note), &Action::Submit);
        assert!(matches!(kept, Some(Popup::RunInput { error: Some(_), .. })));
        assert_eq!(effect, Some(None));
    }

    #[test]
    fn override_then_skip_asks_twice_and_carries_both_reasons() {
        let p = typed(asking(Asking::OverrideReason { then_skip: true }), "rush");
        let (next, _) = update(p, &Action::Submit);
        let next = typed(next.expect("asks the skip reason"), "not needed");
        let (kept, effect) = update(next, &Action::Submit);
        assert!(kept.is_none());
        assert_eq!(
            effect,
            Some(Some(Effect::Run(RunEffect::Item {
                run: 3,
                item: "ship.2".into(),
                change: ItemChangeKind::Skip("not needed".into()),
                override_reason: Some("rush".into()),
            })))
        );
    }
}
