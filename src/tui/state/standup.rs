//! The standup's state (section, speaker, timer) and its part of `update`.

use crate::domain::Timestamp;
use crate::tui::action::{Action, Effect};
use crate::tui::app::App;

/// The standup's position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandupState {
    /// Current section, 0-based (`Space`/`PageDown` goes to the next).
    pub section: usize,
    /// Speaker number (1-based; 0 before the first `t`).
    pub speaker: usize,
    /// When the current speaker started (unix seconds, UTC); `None` before the first `t`.
    pub speaker_started: Option<Timestamp>,
}

/// The standup's part of `update`: next and previous section, next speaker.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    let st = &mut app.ui.standup;
    match action {
        Action::StandupNext => {
            let n = crate::tui::views::standup::section_count(&app.models);
            st.section = (st.section + 1).min(n.saturating_sub(1));
        }
        Action::StandupPrev => st.section = st.section.saturating_sub(1),
        Action::NextSpeaker => {
            st.speaker += 1;
            st.speaker_started = Some(app.now);
        }
        _ => return None,
    }
    app.dirty = true;
    None
}
